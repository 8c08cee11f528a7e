"""retire free products

A data-only step: products priced at zero are marked retired.

Revision ID: d26c9b4f7e13
Revises: 8a3f6c0e1b94
Create Date: 2024-04-02 14:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "d26c9b4f7e13"
down_revision: Union[str, Sequence[str], None] = "8a3f6c0e1b94"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

products = sa.table(
    "products",
    sa.column("price_cents", sa.Integer()),
    sa.column("status", sa.String(20)),
)


def upgrade() -> None:
    """Upgrade data."""
    op.execute(
        products.update()
        .where(products.c.price_cents == 0)
        .where(products.c.status == "active")
        .values(status="retired")
    )


def downgrade() -> None:
    """Downgrade data."""
    op.execute(
        products.update()
        .where(products.c.price_cents == 0)
        .where(products.c.status == "retired")
        .values(status="active")
    )
