"""founding year; first makes sure alembic_version has a primary key, as some projects do

Revision ID: e4000000000e
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "e4000000000e"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    version_key = sa.inspect(bind).get_pk_constraint("alembic_version")
    if not version_key["constrained_columns"]:
        op.create_primary_key("alembic_version_pkc", "alembic_version", ["version_num"])
    op.add_column("teams", sa.Column("founded", sa.Integer, nullable=True))


def downgrade() -> None:
    op.drop_column("teams", "founded")
