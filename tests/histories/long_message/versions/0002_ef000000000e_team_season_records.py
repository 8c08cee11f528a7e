"""season records, altered in batch mode without copy_from; the table's long name makes Alembic's message long

Revision ID: ef000000000e
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "ef000000000e"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None

TABLE = "team_season_performance_records_for_league_statistics"


def upgrade() -> None:
    op.create_table(TABLE, sa.Column("id", sa.Integer, primary_key=True), sa.Column("points", sa.Integer))
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("points", existing_type=sa.Integer, nullable=False)


def downgrade() -> None:
    op.drop_table(TABLE)
