"""create teams

Revision ID: 5c7e2a9d4f13
Revises:
Create Date: 2024-05-13 10:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "5c7e2a9d4f13"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.UniqueConstraint("name", name="uq_teams_name"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("teams")
