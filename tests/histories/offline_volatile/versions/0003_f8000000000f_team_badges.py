"""team badges; uuid4() names only a log line, so its SQL is the same on every render

Revision ID: f8000000000f
Revises: f7000000000f
Create Date: 2024-07-01 10:00:00

"""
import logging
import uuid

from alembic import op
import sqlalchemy as sa

revision = "f8000000000f"
down_revision = 'f7000000000f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    logging.getLogger(__name__).debug("badges, run %s", uuid.uuid4())
    op.add_column("teams", sa.Column("badge", sa.String(20), nullable=False, server_default="none"))


def downgrade() -> None:
    op.drop_column("teams", "badge")
