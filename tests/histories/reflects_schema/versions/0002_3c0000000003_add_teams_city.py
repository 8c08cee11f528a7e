"""add teams.city unless a server already has it (reflects the live schema)

Revision ID: 3c0000000003
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "3c0000000003"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("teams")}
    if "city" not in columns:
        op.add_column("teams", sa.Column("city", sa.String(50)))


def downgrade() -> None:
    op.drop_column("teams", "city")
