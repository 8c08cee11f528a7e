"""players, with six indexed columns (op.create_table creates their indexes from a set)

Revision ID: fe000000000f
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "fe000000000f"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "players",
        sa.Column("id", sa.Integer, primary_key=True),
        *[sa.Column(name, sa.String(20), index=True) for name in ("zone", "year", "xp", "wing", "vote", "unit")],
    )


def downgrade() -> None:
    op.drop_table("players")
