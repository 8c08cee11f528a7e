"""rename departments.address to location

Revision ID: 1e9f4a7b6c35
Revises: b7c03e5d9a12
Create Date: 2024-04-15 10:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "1e9f4a7b6c35"
down_revision: Union[str, Sequence[str], None] = "b7c03e5d9a12"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # MySQL renames a column with CHANGE, which restates the full column
    # definition: existing_type and existing_nullable are required there.
    op.alter_column(
        "departments",
        "address",
        new_column_name="location",
        existing_type=sa.String(200),
        existing_nullable=True,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column(
        "departments",
        "location",
        new_column_name="address",
        existing_type=sa.String(200),
        existing_nullable=True,
    )
