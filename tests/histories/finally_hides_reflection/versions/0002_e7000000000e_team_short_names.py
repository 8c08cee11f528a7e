"""short team names; a helper keeps the table's foreign keys across the change (offline its finally hides the reflection error)

Revision ID: e7000000000e
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "e7000000000e"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def _keeping_foreign_keys(table, change):
    bind = op.get_bind()
    try:
        foreign_keys = sa.inspect(bind).get_foreign_keys(table)
        change()
    finally:
        for foreign_key in foreign_keys:
            op.create_foreign_key(foreign_key["name"], table, foreign_key["referred_table"],
                                  foreign_key["constrained_columns"], foreign_key["referred_columns"])


def upgrade() -> None:
    _keeping_foreign_keys("teams", lambda: op.add_column("teams", sa.Column("short_name", sa.String(10))))


def downgrade() -> None:
    op.drop_column("teams", "short_name")
