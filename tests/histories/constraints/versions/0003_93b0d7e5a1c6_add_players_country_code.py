"""add players.country_code and index players.nickname

Both work outside batch mode on SQLite: ADD COLUMN with a constant default
and CREATE INDEX are plain statements there.

Revision ID: 93b0d7e5a1c6
Revises: e4a19f6b0c28
Create Date: 2024-06-10 15:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "93b0d7e5a1c6"
down_revision: Union[str, Sequence[str], None] = "e4a19f6b0c28"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # NOT NULL on a table that may hold rows is safe here because the server
    # default fills the existing rows.
    op.add_column(
        "players",
        sa.Column("country_code", sa.String(2), nullable=False, server_default="XX"),
    )
    op.create_index("ix_players_nickname", "players", ["nickname"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_players_nickname", table_name="players")
    op.drop_column("players", "country_code")
