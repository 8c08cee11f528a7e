"""drop a unique constraint that autogenerate could not name

Revision ID: 9c0000000009
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "9c0000000009"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(None, "teams", type_="unique")


def downgrade() -> None:
    op.create_unique_constraint(None, "teams", ["name"])
