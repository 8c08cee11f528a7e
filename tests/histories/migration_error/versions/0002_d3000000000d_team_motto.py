"""team mottos, written against APIs that do not exist: it fails online as much as offline

Revision ID: d3000000000d
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "d3000000000d"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("motto", sa.Variant(sa.String(100), "sqlite"), nullable=True))


def downgrade() -> None:
    op.drop_column("teams", column="motto")
