"""create recruits

Revision ID: c4b8e1f3a906
Revises: 5a6d2c8e0f47
Create Date: 2024-05-06 11:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "c4b8e1f3a906"
down_revision: Union[str, Sequence[str], None] = "5a6d2c8e0f47"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "recruits",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("surname", sa.String(100), nullable=False),
        sa.Column("chat_name", sa.String(64), nullable=True),
        sa.Column("github_name", sa.String(39), nullable=True),
        sa.Column("id_number", sa.String(32), nullable=False),
        sa.UniqueConstraint("id_number", name="uq_recruits_id_number"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("recruits")
