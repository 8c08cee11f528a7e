"""drop the check on teams.name: short names are allowed

Revision ID: fd000000000f
Revises: fc000000000f
Create Date: 2024-07-01 10:00:00

"""
from alembic import op

revision = "fd000000000f"
down_revision = 'fc000000000f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("ck_teams_name_length", "teams", type_="check")


def downgrade() -> None:
    op.create_check_constraint("ck_teams_name_length", "teams", "length(name) > 2")
