"""add recruits.personal_email_address, nullable

Step 1 of 3: recruits already hold rows, so the required column starts nullable.

Revision ID: 1a2b3c4d5e06
Revises: 1a2b3c4d5e05
Create Date: 2024-06-17 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a2b3c4d5e06'
down_revision = '1a2b3c4d5e05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recruits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_email_address', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('recruits', schema=None) as batch_op:
        batch_op.drop_column('personal_email_address')
