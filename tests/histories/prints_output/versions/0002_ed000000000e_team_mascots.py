"""team mascots; the file prints, at import and while it runs

Revision ID: ed000000000e
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "ed000000000e"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None

print("loading the mascots migration")


def upgrade() -> None:
    print("adding mascots")
    op.add_column("teams", sa.Column("mascot", sa.String(30), nullable=True))


def downgrade() -> None:
    print("removing mascots")
    op.drop_column("teams", "mascot")
