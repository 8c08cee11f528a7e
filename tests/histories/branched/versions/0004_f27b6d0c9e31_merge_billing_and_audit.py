"""merge billing and audit

A merge revision: no schema change, it only joins the two heads into one.

Revision ID: f27b6d0c9e31
Revises: 6b3d9f2a0e84, a9e15c7d3f60
Create Date: 2024-02-01 10:00:00

"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = "f27b6d0c9e31"
down_revision: Union[str, Sequence[str], None] = ("6b3d9f2a0e84", "a9e15c7d3f60")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
