"""create gadgets, and the legacy tables the contract branch retires

Revision ID: c0a000000001
Revises: 
Create Date: 2024-08-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "c0a000000001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("gadgets", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50), nullable=False))
    op.create_table("gadgets_legacy", sa.Column("id", sa.Integer, primary_key=True), sa.Column("code", sa.String(10)))
    op.create_table("gadgets_archive", sa.Column("id", sa.Integer, primary_key=True), sa.Column("note", sa.String(100)))


def downgrade() -> None:
    op.drop_table("gadgets_archive")
    op.drop_table("gadgets_legacy")
    op.drop_table("gadgets")
