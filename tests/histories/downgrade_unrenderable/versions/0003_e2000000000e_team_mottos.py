"""team mottos; the downgrade calls drop_column with a wrong keyword (a TypeError, online too)

Revision ID: e2000000000e
Revises: e1000000000e
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "e2000000000e"
down_revision = 'e1000000000e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("motto", sa.String(100), nullable=True))


def downgrade() -> None:
    op.drop_column("teams", column="motto")
