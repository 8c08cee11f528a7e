"""a PostgreSQL-only TSVECTOR column

Revision ID: 6f0000000006
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "6f0000000006"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("search", postgresql.TSVECTOR()))


def downgrade() -> None:
    op.drop_column("teams", "search")
