"""merge the expand and contract branches into one head

Revision ID: a9c000000006
Revises: e2a000000004, f2b000000005
Create Date: 2024-08-06 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "a9c000000006"
down_revision = ('e2a000000004', 'f2b000000005')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
