"""team nicknames filled from the rows; the downgrade reads them too, so both directions are rehearsed

Revision ID: e9000000000e
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "e9000000000e"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("nickname", sa.String(50), nullable=True))
    bind = op.get_bind()
    for team_id, name in bind.execute(sa.text("SELECT id, name FROM teams ORDER BY id")).fetchall():
        op.execute(sa.text(f"UPDATE teams SET nickname = '{name.split()[0].replace(chr(39), '')}' WHERE id = {team_id}"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM teams WHERE nickname IS NOT NULL")).scalar():
        op.execute(sa.text("UPDATE teams SET nickname = NULL"))
    op.drop_column("teams", "nickname")
