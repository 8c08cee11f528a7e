"""create audit_log

First revision of the ``audit`` branch, a sibling of ``billing``: after it
the history has two heads.

Revision ID: a9e15c7d3f60
Revises: 0c4e8a1f5b27
Create Date: 2024-01-16 10:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "a9e15c7d3f60"
down_revision: Union[str, Sequence[str], None] = "0c4e8a1f5b27"
branch_labels: Union[str, Sequence[str], None] = ("audit",)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("audit_log")
