"""teams.name may be NULL: alter_column without existing_type

Revision ID: 8b0000000008
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "8b0000000008"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("teams", "name", nullable=True)


def downgrade() -> None:
    op.alter_column("teams", "name", nullable=False)
