"""contract: drop gadgets_legacy once every server runs code that uses gadget_tags

Revision ID: f1b000000003
Revises: c0a000000001
Create Date: 2024-08-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "f1b000000003"
down_revision = 'c0a000000001'
branch_labels = ('contract',)
depends_on = 'e1a000000002'


def upgrade() -> None:
    op.drop_table("gadgets_legacy")


def downgrade() -> None:
    op.create_table("gadgets_legacy", sa.Column("id", sa.Integer, primary_key=True), sa.Column("code", sa.String(10)))
