"""contract: drop gadgets_archive, after the expand step that indexes colour

Revision ID: f2b000000005
Revises: f1b000000003
Create Date: 2024-08-05 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "f2b000000005"
down_revision = 'f1b000000003'
branch_labels = None
depends_on = 'e2a000000004'


def upgrade() -> None:
    op.drop_table("gadgets_archive")


def downgrade() -> None:
    op.create_table("gadgets_archive", sa.Column("id", sa.Integer, primary_key=True), sa.Column("note", sa.String(100)))
