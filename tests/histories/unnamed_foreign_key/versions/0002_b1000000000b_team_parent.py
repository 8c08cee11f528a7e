"""teams get a parent team: a self-referencing foreign key that autogenerate left unnamed

Revision ID: b1000000000b
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "b1000000000b"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("parent_id", sa.Integer, nullable=True))
    op.create_foreign_key(None, "teams", "teams", ["parent_id"], ["id"])


def downgrade() -> None:
    op.drop_constraint(None, "teams", type_="foreignkey")
    op.drop_column("teams", "parent_id")
