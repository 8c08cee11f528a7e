"""team leagues: an ordinary migration; this history is about its env.py

Revision ID: f3000000000f
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "f3000000000f"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("league", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("teams", "league")
