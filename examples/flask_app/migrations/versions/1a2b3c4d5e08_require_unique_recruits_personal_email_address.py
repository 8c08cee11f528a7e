"""require a unique recruits.personal_email_address

Step 3 of 3: the backfilled column becomes NOT NULL with a named unique
constraint (named, so that the downgrade can drop it).

Revision ID: 1a2b3c4d5e08
Revises: 1a2b3c4d5e07
Create Date: 2024-06-17 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a2b3c4d5e08'
down_revision = '1a2b3c4d5e07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recruits', schema=None) as batch_op:
        batch_op.alter_column('personal_email_address',
               existing_type=sa.String(length=255), nullable=False)
        batch_op.create_unique_constraint('uq_recruits_personal_email_address', ['personal_email_address'])


def downgrade():
    with op.batch_alter_table('recruits', schema=None) as batch_op:
        batch_op.drop_constraint('uq_recruits_personal_email_address', type_='unique')
        batch_op.alter_column('personal_email_address',
               existing_type=sa.String(length=255), nullable=True)
