"""team initials from the rows (rehearsed: it reads them)

Revision ID: f4000000000f
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "f4000000000f"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("initials", sa.String(5), nullable=True))
    for team_id, name in op.get_bind().execute(sa.text("SELECT id, name FROM teams")).fetchall():
        initials = "".join(word[0] for word in name.split()).upper()
        op.execute(sa.text(f"UPDATE teams SET initials = '{initials}' WHERE id = {team_id}"))


def downgrade() -> None:
    op.drop_column("teams", "initials")
