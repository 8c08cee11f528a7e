"""Making a column of a table that may hold rows NOT NULL."""

from __future__ import annotations

from ..events import ColumnAdded, ColumnMadeNotNull
from ..rule import Example, Rule, register, visits
from ..sql import has_default, not_null

NOT_NULL_NO_BACKFILL = Rule(
    "not-null-no-backfill", "error", "makes a column of an existing table NOT NULL without a backfill",
    "rows that hold NULL (or any row, for a new column without a default) make the statement fail",
    "add the column nullable, backfill it with an UPDATE earlier in the release, then set NOT NULL; or give it a server default",
    examples=(
        Example(("ALTER TABLE recruits ADD COLUMN email VARCHAR(255) NOT NULL;",), fires=True),
        Example(("ALTER TABLE recruits ALTER COLUMN email SET NOT NULL;",), fires=True),
        Example(("ALTER TABLE recruits ADD COLUMN email VARCHAR(255) DEFAULT '' NOT NULL;",), fires=False),
        Example(("UPDATE recruits SET email = github_name WHERE email IS NULL;",
                 "ALTER TABLE recruits ALTER COLUMN email SET NOT NULL;"), fires=False,
                note="the backfill earlier in the release makes it not-null-after-backfill instead"),
        Example(("CREATE TABLE recruits (id INTEGER NOT NULL, github_name VARCHAR(39), PRIMARY KEY (id));",
                 "ALTER TABLE recruits ADD COLUMN email VARCHAR(255);",
                 "UPDATE recruits SET email = github_name WHERE email IS NULL;",
                 "CREATE TABLE _alembic_tmp_recruits (id INTEGER NOT NULL, github_name VARCHAR(39), "
                 "email VARCHAR(255) NOT NULL, PRIMARY KEY (id));",
                 "INSERT INTO _alembic_tmp_recruits (id, github_name, email) "
                 "SELECT recruits.id, recruits.github_name, recruits.email FROM recruits;",
                 "DROP TABLE recruits;", "ALTER TABLE _alembic_tmp_recruits RENAME TO recruits;"),
                dialect="sqlite", fires=False,
                note="a SQLite rebuild after the column was added and backfilled in the same release, as on the other dialects"),
    ),
)
NOT_NULL_AFTER_BACKFILL = Rule(
    "not-null-after-backfill", "info", "makes a column of an existing table NOT NULL after a backfill",
    "it fails on any server where rows written after the backfill still hold NULL, and scans the table under lock",
    "check the backfill covers every row on every server; keep application versions writing the column",
    examples=(
        Example(("UPDATE recruits SET email = github_name WHERE email IS NULL;",
                 "ALTER TABLE recruits ALTER COLUMN email SET NOT NULL;"), fires=True),
        Example(("ALTER TABLE recruits ALTER COLUMN email SET NOT NULL;",), fires=False),
    ),
    downgrades=False,
)
register(NOT_NULL_NO_BACKFILL, NOT_NULL_AFTER_BACKFILL)


@visits(ColumnAdded)
def new_column_not_null(event: ColumnAdded, report) -> None:
    """A new NOT NULL column without a default: every existing row would need a value."""
    if has_default(event.definition) or not not_null(event.definition):
        return
    column = f"{event.table}.{event.column}"
    if event.copied:  # added by a table rebuild: the copy's INSERT ... SELECT leaves it out
        report.add(NOT_NULL_NO_BACKFILL.id, event, f"new column {column} is NOT NULL")
    elif event.existing:
        report.add(NOT_NULL_NO_BACKFILL.id, event, f"new column {column} is NOT NULL without a default")


@visits(ColumnMadeNotNull)
def made_not_null(event: ColumnMadeNotNull, report) -> None:
    rule = NOT_NULL_AFTER_BACKFILL if event.backfilled else NOT_NULL_NO_BACKFILL
    report.add(rule.id, event, f"{event.table}.{event.column}")
