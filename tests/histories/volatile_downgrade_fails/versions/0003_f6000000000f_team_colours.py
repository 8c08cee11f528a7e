"""team colours; the downgrade has a TypeError, so rehearsal cannot run the release's upgrades again after it

Revision ID: f6000000000f
Revises: f5000000000f
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "f6000000000f"
down_revision = 'f5000000000f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("colour", sa.String(20), nullable=True))


def downgrade() -> None:
    op.drop_column("teams", "colour", "and one argument too many")
