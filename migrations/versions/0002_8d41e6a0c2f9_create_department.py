"""create department

The table is created with a singular name by mistake; a later revision
renames it to ``departments``.

Revision ID: 8d41e6a0c2f9
Revises: 3f2a9c1e7b40
Create Date: 2024-03-04 09:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "8d41e6a0c2f9"
down_revision: Union[str, Sequence[str], None] = "3f2a9c1e7b40"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "department",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("address", sa.String(200), nullable=True),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("department")
