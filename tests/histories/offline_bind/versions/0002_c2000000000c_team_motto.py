"""team mottos; the migration asks the bind for its URL to tell SQLite apart (as CTFd's do)

Revision ID: c2000000000c
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "c2000000000c"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    url = str(op.get_bind().engine.url)
    if url.startswith("sqlite"):
        op.add_column("teams", sa.Column("motto", sa.String(100), nullable=True))
    else:
        op.add_column("teams", sa.Column("motto", sa.String(100), nullable=False, server_default=""))


def downgrade() -> None:
    bind = op.get_bind()
    url = str(bind.engine.url)
    if url.startswith("sqlite"):
        with op.batch_alter_table("teams") as batch:
            batch.drop_column("motto")
    else:
        op.drop_column("teams", "motto")
