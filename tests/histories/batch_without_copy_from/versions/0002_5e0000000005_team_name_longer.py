"""widen teams.name in batch mode without copy_from

Revision ID: 5e0000000005
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "5e0000000005"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.alter_column("name", existing_type=sa.String(50), type_=sa.String(100), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.alter_column("name", existing_type=sa.String(100), type_=sa.String(50), existing_nullable=False)
