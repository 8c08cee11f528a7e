"""teams.motto as a String without length

Revision ID: 7a0000000007
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "7a0000000007"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("motto", sa.String()))


def downgrade() -> None:
    op.drop_column("teams", "motto")
