"""one slug row per team: the migration reads the rows to decide what to insert

Revision ID: 2b0000000002
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "2b0000000002"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_slugs",
        sa.Column("team_id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(50), nullable=False),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name FROM teams ORDER BY id")).fetchall()
    slugs = sa.table("team_slugs", sa.column("team_id", sa.Integer), sa.column("slug", sa.String))
    for team_id, name in rows:
        op.execute(slugs.insert().values(team_id=team_id, slug=name.lower().replace(" ", "-")))


def downgrade() -> None:
    op.drop_table("team_slugs")
