"""create players

Every constraint is declared inside create_table and carries a name, so
SQLite needs no ALTER of constraints and each one can be dropped by name
later.

Revision ID: e4a19f6b0c28
Revises: 5c7e2a9d4f13
Create Date: 2024-05-13 10:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "e4a19f6b0c28"
down_revision: Union[str, Sequence[str], None] = "5c7e2a9d4f13"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "players",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("nickname", sa.String(40), nullable=False, server_default="rookie"),
        sa.Column("score", sa.Integer(), nullable=False, server_default=sa.text("0")),
        # sa.false() renders as each dialect spells false (false / 0).
        sa.Column("is_captain", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.CheckConstraint("score >= 0", name="ck_players_score_not_negative"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_players_team_id_teams"),
        sa.UniqueConstraint("team_id", "nickname", name="uq_players_team_id_nickname"),
        sa.Index("ix_players_score", "score"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("players")
