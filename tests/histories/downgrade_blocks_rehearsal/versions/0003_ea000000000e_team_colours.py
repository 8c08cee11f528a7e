"""team colours; the downgrade has a TypeError, so nothing below it can be rehearsed in that direction

Revision ID: ea000000000e
Revises: e9000000000e
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "ea000000000e"
down_revision = 'e9000000000e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("colour", sa.String(20), nullable=True))


def downgrade() -> None:
    op.drop_column("teams", "colour", "and one argument too many")
