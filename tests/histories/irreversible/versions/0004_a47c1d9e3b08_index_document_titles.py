"""index document titles

An ordinary reversible step after the irreversible ones, so a rollback of
its release undoes this step and then has to stop.

Revision ID: a47c1d9e3b08
Revises: 6e2a8c0b5f94
Create Date: 2024-03-25 09:00:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "a47c1d9e3b08"
down_revision: Union[str, Sequence[str], None] = "6e2a8c0b5f94"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_documents_title", "documents", ["title"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_documents_title", table_name="documents")
