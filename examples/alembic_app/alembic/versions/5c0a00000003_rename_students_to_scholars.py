"""rename students to scholars

Revision ID: 5c0a00000003
Revises: 5c0a00000002
Create Date: 2024-03-18 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '5c0a00000003'
down_revision: Union[str, Sequence[str], None] = '5c0a00000002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.rename_table('students', 'scholars')


def downgrade() -> None:
    """Downgrade schema."""
    op.rename_table('scholars', 'students')
