"""team cities: the file has no downgrade() function (some projects omit them by policy)

Revision ID: e3000000000e
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "e3000000000e"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("city", sa.String(50), nullable=True))
