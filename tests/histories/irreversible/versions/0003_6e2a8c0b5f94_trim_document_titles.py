"""trim document titles

Irreversible data step with an empty downgrade: the surrounding whitespace
removed here is not recorded anywhere.

Revision ID: 6e2a8c0b5f94
Revises: c81f5a3e9d27
Create Date: 2024-03-18 11:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "6e2a8c0b5f94"
down_revision: Union[str, Sequence[str], None] = "c81f5a3e9d27"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

documents = sa.table("documents", sa.column("title", sa.String(200)))


def upgrade() -> None:
    """Upgrade data."""
    op.execute(documents.update().values(title=sa.func.trim(documents.c.title)))


def downgrade() -> None:
    """Downgrade data."""
    # Irreversible: the original whitespace cannot be restored.
    pass
