"""index team names without locking the table (autocommit_block, as Alembic documents), then count the teams

Revision ID: e5000000000e
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "e5000000000e"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index("ix_teams_name", "teams", ["name"], postgresql_concurrently=True)
    teams = op.get_bind().execute(sa.text("SELECT count(*) FROM teams")).scalar()
    op.execute(sa.text(f"COMMENT ON INDEX ix_teams_name IS 'built over {teams} teams'"))


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index("ix_teams_name", table_name="teams", postgresql_concurrently=True)
