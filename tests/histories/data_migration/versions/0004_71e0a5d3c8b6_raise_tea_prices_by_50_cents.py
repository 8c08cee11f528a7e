"""raise tea prices by 50 cents

Plain SQL text through ``op.execute``, the other common way data migrations
are written; it is portable because it uses only standard SQL.

Revision ID: 71e0a5d3c8b6
Revises: d26c9b4f7e13
Create Date: 2024-04-02 14:20:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "71e0a5d3c8b6"
down_revision: Union[str, Sequence[str], None] = "d26c9b4f7e13"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade data."""
    op.execute("UPDATE products SET price_cents = price_cents + 50 WHERE sku LIKE 'TEA-%'")


def downgrade() -> None:
    """Downgrade data."""
    op.execute("UPDATE products SET price_cents = price_cents - 50 WHERE sku LIKE 'TEA-%'")
