"""rename department to departments

Autogenerate would see a dropped and a created table here and lose every
row; ``rename_table`` keeps the data.

Revision ID: b7c03e5d9a12
Revises: 8d41e6a0c2f9
Create Date: 2024-04-15 10:05:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "b7c03e5d9a12"
down_revision: Union[str, Sequence[str], None] = "8d41e6a0c2f9"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.rename_table("department", "departments")


def downgrade() -> None:
    """Downgrade schema."""
    op.rename_table("departments", "department")
