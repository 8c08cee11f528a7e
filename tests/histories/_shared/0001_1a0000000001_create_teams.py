"""create teams with two rows

Revision ID: 1a0000000001
Revises: 
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "1a0000000001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    op.bulk_insert(
        sa.table("teams", sa.column("id", sa.Integer), sa.column("name", sa.String)),
        [{"id": 1, "name": "Owls"}, {"id": 2, "name": "O'Neill Rovers"}],
    )


def downgrade() -> None:
    op.drop_table("teams")
