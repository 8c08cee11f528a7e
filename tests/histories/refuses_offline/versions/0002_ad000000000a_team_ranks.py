"""team ranks: refuses offline mode because it computes ranks from the rows

Revision ID: ad000000000a
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import context, op
import sqlalchemy as sa

revision = "ad000000000a"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if context.is_offline_mode():
        raise RuntimeError("this migration cannot run in --sql mode: it ranks the existing teams")
    op.add_column("teams", sa.Column("rank", sa.Integer))
    for position, (team_id,) in enumerate(op.get_bind().execute(sa.text("SELECT id FROM teams ORDER BY name")), 1):
        op.execute(sa.text(f"UPDATE teams SET rank = {position} WHERE id = {team_id}"))


def downgrade() -> None:
    op.drop_column("teams", "rank")
