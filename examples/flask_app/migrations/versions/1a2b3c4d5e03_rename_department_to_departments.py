"""rename department to departments

Autogenerate saw a dropped "department" and a new "departments" table, which
would lose every row: rewritten by hand as a rename.

Revision ID: 1a2b3c4d5e03
Revises: 1a2b3c4d5e02
Create Date: 2024-05-09 09:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '1a2b3c4d5e03'
down_revision = '1a2b3c4d5e02'
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table('department', 'departments')


def downgrade():
    op.rename_table('departments', 'department')
