"""backfill recruits.personal_email_address

Gives every recruit without an address a placeholder built from the GitHub
name (or, lacking one, the id number) so the column can become NOT NULL.
Written as a SQLAlchemy expression rather than SQL text so each dialect
renders its own string concatenation (``||`` or ``concat()``).

Revision ID: 2d5f8a4c1b73
Revises: 9e07d3b5c8a1
Create Date: 2024-06-03 17:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "2d5f8a4c1b73"
down_revision: Union[str, Sequence[str], None] = "9e07d3b5c8a1"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

recruits = sa.table(
    "recruits",
    sa.column("github_name", sa.String(39)),
    sa.column("id_number", sa.String(32)),
    sa.column("personal_email_address", sa.String(255)),
)

placeholder = (
    sa.func.lower(sa.func.coalesce(recruits.c.github_name, recruits.c.id_number))
    + "@recruits.invalid"
)


def upgrade() -> None:
    """Upgrade data."""
    op.execute(
        recruits.update()
        .where(recruits.c.personal_email_address.is_(None))
        .values(personal_email_address=placeholder)
    )


def downgrade() -> None:
    """Downgrade data."""
    # Clear only the placeholders this step wrote; real addresses stay.
    op.execute(
        recruits.update()
        .where(recruits.c.personal_email_address == placeholder)
        .values(personal_email_address=None)
    )
