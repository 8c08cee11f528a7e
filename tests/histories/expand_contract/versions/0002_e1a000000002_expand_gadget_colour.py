"""expand: gadgets.colour (nullable) and gadget_tags; safe while old code runs

Revision ID: e1a000000002
Revises: c0a000000001
Create Date: 2024-08-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "e1a000000002"
down_revision = 'c0a000000001'
branch_labels = ('expand',)
depends_on = None


def upgrade() -> None:
    op.add_column("gadgets", sa.Column("colour", sa.String(20)))
    op.create_table(
        "gadget_tags",
        sa.Column("gadget_id", sa.Integer, sa.ForeignKey("gadgets.id", name="fk_gadget_tags_gadget"), primary_key=True),
        sa.Column("tag", sa.String(30), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("gadget_tags")
    op.drop_column("gadgets", "colour")
