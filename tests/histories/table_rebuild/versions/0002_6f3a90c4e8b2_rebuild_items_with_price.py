"""rebuild items with a price and a wider name

Batch mode with recreate="always" copies the table on every dialect, the way
projects do when one migration must run the same on SQLite and elsewhere.
copy_from names the columns the copy knows, so it renders offline.

Revision ID: 6f3a90c4e8b2
Revises: 0b5e7d21c9a4
Create Date: 2024-08-15 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "6f3a90c4e8b2"
down_revision: Union[str, Sequence[str], None] = "0b5e7d21c9a4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _items(name_length: int, *extra: sa.Column) -> sa.Table:
    return sa.Table(
        "items",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), autoincrement=False),
        sa.Column("name", sa.String(name_length), nullable=False),
        *extra,
        sa.PrimaryKeyConstraint("id", name="pk_items"),
        sa.UniqueConstraint("name", name="uq_items_name"),
    )


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("items", recreate="always", copy_from=_items(50)) as batch:
        batch.alter_column("name", existing_type=sa.String(50), type_=sa.String(80), existing_nullable=False)
        batch.add_column(sa.Column("price", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    table = _items(80, sa.Column("price", sa.Integer(), nullable=True))
    with op.batch_alter_table("items", recreate="always", copy_from=table) as batch:
        batch.drop_column("price")
        batch.alter_column("name", existing_type=sa.String(80), type_=sa.String(50), existing_nullable=False)
