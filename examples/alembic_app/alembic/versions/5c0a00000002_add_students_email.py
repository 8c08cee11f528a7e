"""add students.email

Revision ID: 5c0a00000002
Revises: 5c0a00000001
Create Date: 2024-03-11 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5c0a00000002'
down_revision: Union[str, Sequence[str], None] = '5c0a00000001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('students', sa.Column('email', sa.String(120), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('students', 'email')
