"""create report_snapshots

Root of the independent ``reporting`` branch: it starts at base, not at
accounts, so the history has two roots.

Revision ID: 3d8c5a2e7f19
Revises:
Create Date: 2024-02-12 10:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "3d8c5a2e7f19"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = ("reporting",)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "report_snapshots",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("report_snapshots")
