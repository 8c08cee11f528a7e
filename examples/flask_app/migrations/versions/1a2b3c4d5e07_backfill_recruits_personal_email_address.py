"""backfill recruits.personal_email_address

Step 2 of 3: every existing recruit gets an address made from their GitHub
name (or id number). String concatenation is `||` in PostgreSQL and SQLite but
a logical OR on MySQL/MariaDB, so MySQL gets CONCAT().

Revision ID: 1a2b3c4d5e07
Revises: 1a2b3c4d5e06
Create Date: 2024-06-17 09:15:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '1a2b3c4d5e07'
down_revision = '1a2b3c4d5e06'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_context().dialect.name == 'mysql':
        address = "CONCAT(lower(coalesce(github_name, id_number)), '@recruits.example.com')"
    else:
        address = "lower(coalesce(github_name, id_number)) || '@recruits.example.com'"
    op.execute(
        f"UPDATE recruits SET personal_email_address = {address} "
        "WHERE personal_email_address IS NULL"
    )


def downgrade():
    # Undo exactly the backfill: addresses it made go back to NULL.
    op.execute(
        "UPDATE recruits SET personal_email_address = NULL "
        "WHERE personal_email_address LIKE '%@recruits.example.com'"
    )
