"""expand: index gadgets.colour

Revision ID: e2a000000004
Revises: e1a000000002
Create Date: 2024-08-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "e2a000000004"
down_revision = 'e1a000000002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_gadgets_colour", "gadgets", ["colour"])


def downgrade() -> None:
    op.drop_index("ix_gadgets_colour", table_name="gadgets")
