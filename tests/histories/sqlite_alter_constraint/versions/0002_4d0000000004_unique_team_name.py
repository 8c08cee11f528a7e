"""unique team names, outside batch mode (SQLite cannot ALTER constraints)

Revision ID: 4d0000000004
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "4d0000000004"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_unique_constraint("uq_teams_name", "teams", ["name"])


def downgrade() -> None:
    op.drop_constraint("uq_teams_name", "teams", type_="unique")
