"""normalise employee emails to lower case

Irreversible on purpose: the original spelling of each address is not kept
anywhere, so the downgrade cannot restore it and does nothing.

Revision ID: 74c2b9e5f3d0
Revises: e61a7c9d0b58
Create Date: 2024-07-01 08:15:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "74c2b9e5f3d0"
down_revision: Union[str, Sequence[str], None] = "e61a7c9d0b58"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

employees = sa.table("employees", sa.column("email", sa.String(255)))


def upgrade() -> None:
    """Upgrade data."""
    # No "WHERE email <> lower(email)": under MySQL's case-insensitive
    # collations that comparison is never true and nothing would change.
    op.execute(employees.update().values(email=sa.func.lower(employees.c.email)))


def downgrade() -> None:
    """Downgrade data."""
    # Irreversible: the original case of each address cannot be restored.
    pass
