"""create invoices

First revision of the ``billing`` branch, which splits off after accounts.

Revision ID: 6b3d9f2a0e84
Revises: 0c4e8a1f5b27
Create Date: 2024-01-15 10:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "6b3d9f2a0e84"
down_revision: Union[str, Sequence[str], None] = "0c4e8a1f5b27"
branch_labels: Union[str, Sequence[str], None] = ("billing",)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_invoices_account_id_accounts"
        ),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("invoices")
