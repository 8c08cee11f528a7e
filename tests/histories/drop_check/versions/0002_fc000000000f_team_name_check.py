"""a named check constraint on teams.name

Revision ID: fc000000000f
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op

revision = "fc000000000f"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint("ck_teams_name_length", "teams", "length(name) > 2")


def downgrade() -> None:
    op.drop_constraint("ck_teams_name_length", "teams", type_="check")
