"""require a unique recruits.personal_email_address

Last of the three steps: the backfilled column becomes NOT NULL and gets a
named unique constraint (a name, so that the downgrade can drop it). Batch
mode lets SQLite rebuild the table; ``copy_from`` describes the table as it
stands before each direction so that ``--sql`` needs no reflection.

Revision ID: e61a7c9d0b58
Revises: 2d5f8a4c1b73
Create Date: 2024-06-17 09:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "e61a7c9d0b58"
down_revision: Union[str, Sequence[str], None] = "2d5f8a4c1b73"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UQ_NAME = "uq_recruits_personal_email_address"


def _recruits(email_nullable: bool, *extra: sa.schema.SchemaItem) -> sa.Table:
    """The recruits table as left by 9e07d3b5c8a1, plus ``extra``."""
    return sa.Table(
        "recruits",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("surname", sa.String(100), nullable=False),
        sa.Column("chat_name", sa.String(64), nullable=True),
        sa.Column("github_name", sa.String(39), nullable=True),
        sa.Column("id_number", sa.String(32), nullable=False),
        sa.Column("personal_email_address", sa.String(255), nullable=email_nullable),
        sa.UniqueConstraint("id_number", name="uq_recruits_id_number"),
        *extra,
    )


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("recruits", copy_from=_recruits(True)) as batch_op:
        batch_op.alter_column(
            "personal_email_address",
            existing_type=sa.String(255),
            nullable=False,
        )
        batch_op.create_unique_constraint(UQ_NAME, ["personal_email_address"])


def downgrade() -> None:
    """Downgrade schema."""
    current = _recruits(
        False, sa.UniqueConstraint("personal_email_address", name=UQ_NAME)
    )
    with op.batch_alter_table("recruits", copy_from=current) as batch_op:
        batch_op.drop_constraint(UQ_NAME, type_="unique")
        batch_op.alter_column(
            "personal_email_address",
            existing_type=sa.String(255),
            nullable=True,
        )
