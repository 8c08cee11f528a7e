"""team settings; a malformed JSON default (JSONDecodeError) and a failing assert: plain Python errors, online too

Revision ID: ec000000000e
Revises: 1a0000000001
Create Date: 2024-07-01 10:00:00

"""
import json

from alembic import op
import sqlalchemy as sa

revision = "ec000000000e"
down_revision = '1a0000000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    defaults = json.loads("{'colour': 'blue'}")
    op.add_column("teams", sa.Column("settings", sa.Text, nullable=True, server_default=json.dumps(defaults)))


def downgrade() -> None:
    assert op.get_context().dialect.name == "oracle", "written for Oracle only"
    op.drop_column("teams", "settings")
