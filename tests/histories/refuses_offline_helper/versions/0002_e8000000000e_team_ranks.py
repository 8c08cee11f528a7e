"""team ranks, computed by a helper that refuses offline mode (the refusal is raised in the helper module)

Revision ID: e8000000000e
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
import sys
from pathlib import Path

from alembic import op
import sqlalchemy as sa

# The project's migration helpers live beside env.py.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from teams_migration_helpers import rank_teams  # noqa: E402

revision = "e8000000000e"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("rank", sa.Integer, nullable=True))
    rank_teams()


def downgrade() -> None:
    op.drop_column("teams", "rank")
