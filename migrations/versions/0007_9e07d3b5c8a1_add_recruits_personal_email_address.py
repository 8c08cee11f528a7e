"""add recruits.personal_email_address (nullable)

First of three steps towards a required, unique column: a NOT NULL column
cannot be added to a table that already holds rows, so it starts nullable,
is backfilled, and only then becomes NOT NULL and unique.

Revision ID: 9e07d3b5c8a1
Revises: c4b8e1f3a906
Create Date: 2024-06-03 16:45:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "9e07d3b5c8a1"
down_revision: Union[str, Sequence[str], None] = "c4b8e1f3a906"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "recruits",
        sa.Column("personal_email_address", sa.String(255), nullable=True),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("recruits", "personal_email_address")
