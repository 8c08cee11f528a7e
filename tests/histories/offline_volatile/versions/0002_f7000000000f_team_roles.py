"""team roles, inserted offline with ids from uuid4() and creation times from now()

Revision ID: f7000000000f
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
import datetime
import uuid

from alembic import op
import sqlalchemy as sa

revision = "f7000000000f"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    roles = op.create_table(
        "roles",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    now = datetime.datetime.now()
    op.bulk_insert(roles, [{"id": uuid.uuid4().hex, "name": name, "created": now} for name in ("admin", "guest")])


def downgrade() -> None:
    op.drop_table("roles")
