"""team slugs, backfilled in batches of 500 outside the migration's transaction

Revision ID: e6000000000e
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "e6000000000e"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None

BATCH = sa.text(
    "UPDATE teams SET slug = lower(replace(name, ' ', '-')) "
    "WHERE id IN (SELECT id FROM teams WHERE slug IS NULL LIMIT 500)"
)


def upgrade() -> None:
    op.add_column("teams", sa.Column("slug", sa.String(60), nullable=True))
    with op.get_context().autocommit_block():
        while op.get_bind().execute(BATCH).rowcount:
            pass


def downgrade() -> None:
    op.drop_column("teams", "slug")
