"""team labels from the rows; the UPDATE names a column that does not exist, so it fails online (and in rehearsal)

Revision ID: eb000000000e
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "eb000000000e"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("label", sa.String(60), nullable=True))
    for team_id, name in op.get_bind().execute(sa.text("SELECT id, name FROM teams")).fetchall():
        op.execute(sa.text(f"UPDATE teams SET lable = 'team {team_id}' WHERE id = {team_id}"))


def downgrade() -> None:
    op.drop_column("teams", "label")
