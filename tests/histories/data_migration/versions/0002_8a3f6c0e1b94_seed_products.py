"""seed products

Rows are inserted with explicit ids so the downgrade removes exactly them.
Includes a quote in a name to show literal rendering escapes it.

Revision ID: 8a3f6c0e1b94
Revises: 4e1b7a9c2d05
Create Date: 2024-03-11 09:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "8a3f6c0e1b94"
down_revision: Union[str, Sequence[str], None] = "4e1b7a9c2d05"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

products = sa.table(
    "products",
    sa.column("id", sa.Integer()),
    sa.column("sku", sa.String(20)),
    sa.column("name", sa.String(100)),
    sa.column("price_cents", sa.Integer()),
    sa.column("status", sa.String(20)),
)

SEED = [
    {"id": 1, "sku": "TEA-001", "name": "Green tea", "price_cents": 450, "status": "active"},
    {"id": 2, "sku": "TEA-002", "name": "Builder's tea", "price_cents": 300, "status": "active"},
    {"id": 3, "sku": "MUG-001", "name": "Mug", "price_cents": 0, "status": "active"},
    {"id": 4, "sku": "MUG-002", "name": "Travel mug", "price_cents": 1299, "status": "active"},
]


def upgrade() -> None:
    """Upgrade data."""
    op.bulk_insert(products, SEED)


def downgrade() -> None:
    """Downgrade data."""
    op.execute(products.delete().where(products.c.id.in_([row["id"] for row in SEED])))
