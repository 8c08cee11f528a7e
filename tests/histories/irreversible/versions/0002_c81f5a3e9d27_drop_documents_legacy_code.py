"""drop documents.legacy_code

Irreversible: the column's values are gone once it is dropped, and adding an
empty column back would pretend otherwise, so the downgrade refuses.

Revision ID: c81f5a3e9d27
Revises: 2b9d4e7a1c60
Create Date: 2024-03-18 11:00:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "c81f5a3e9d27"
down_revision: Union[str, Sequence[str], None] = "2b9d4e7a1c60"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_column("documents", "legacy_code")


def downgrade() -> None:
    """Downgrade schema."""
    raise NotImplementedError(
        "cannot restore dropped column documents.legacy_code: its data is gone"
    )
