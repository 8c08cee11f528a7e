"""create account_reports

Follows the merge and needs ``report_snapshots`` from the ``reporting``
branch: ``depends_on`` makes Alembic apply that branch first without
merging it, so ``reporting`` stays a branch of its own.

Revision ID: b50e4f1a8c62
Revises: f27b6d0c9e31
Create Date: 2024-02-19 10:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "b50e4f1a8c62"
down_revision: Union[str, Sequence[str], None] = "f27b6d0c9e31"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = "3d8c5a2e7f19"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "account_reports",
        sa.Column("account_id", sa.Integer(), primary_key=True),
        sa.Column("report_snapshot_id", sa.Integer(), primary_key=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_account_reports_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["report_snapshot_id"],
            ["report_snapshots.id"],
            name="fk_account_reports_report_snapshot_id_report_snapshots",
        ),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("account_reports")
