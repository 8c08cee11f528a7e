"""rename departments.address to location

Autogenerate saw a dropped and an added column: rewritten by hand as a rename
(existing_type: MySQL restates the column when it renames it).

Revision ID: 1a2b3c4d5e04
Revises: 1a2b3c4d5e03
Create Date: 2024-05-09 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a2b3c4d5e04'
down_revision = '1a2b3c4d5e03'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.alter_column('address', new_column_name='location',
               existing_type=sa.String(length=120), existing_nullable=True)


def downgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.alter_column('location', new_column_name='address',
               existing_type=sa.String(length=120), existing_nullable=True)
