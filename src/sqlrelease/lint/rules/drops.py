"""Dropping tables and columns: the data goes with them."""

from __future__ import annotations

from ..events import ColumnDropped, ColumnLeftOutOfCopy, ReleaseRead, TableDropped
from ..rule import Example, Rule, register, visits
from ..sql import bare

DROP_TABLE = Rule(
    "drop-table", "error", "drops a table",
    "every row of the table is lost, and application versions still reading it fail",
    "keep the table until no deployed version uses it; back it up or copy its rows first",
    examples=(
        Example(("DROP TABLE legacy_orders;",), fires=True),
        Example(("CREATE TABLE scratch (id INTEGER);", "DROP TABLE scratch;"), fires=True,
                note="even a table created in the same release: a server may have rows in it by then"),
        Example(("ALTER TABLE orders RENAME TO orders_archive;",), fires=False),
    ),
)
DROP_COLUMN = Rule(
    "drop-column", "error", "drops a column",
    "the column's data is lost, and application versions still reading it fail",
    "stop using the column in one release, drop it in a later one; back up the data first",
    examples=(
        Example(("ALTER TABLE recruits DROP COLUMN chat_name;",), fires=True),
        Example(("ALTER TABLE recruits ADD COLUMN chat_name VARCHAR(50);",), fires=False),
        Example(("CREATE TABLE _alembic_tmp_departments (id INTEGER NOT NULL, location VARCHAR(120), PRIMARY KEY (id));",
                 "INSERT INTO _alembic_tmp_departments (id, location) SELECT departments.id, departments.address FROM departments;",
                 "DROP TABLE departments;", "ALTER TABLE _alembic_tmp_departments RENAME TO departments;"),
                downgrade=("CREATE TABLE _alembic_tmp_departments (id INTEGER NOT NULL, address VARCHAR(120), PRIMARY KEY (id));",
                           "INSERT INTO _alembic_tmp_departments (id, address) SELECT departments.id, departments.location FROM departments;",
                           "DROP TABLE departments;", "ALTER TABLE _alembic_tmp_departments RENAME TO departments;"),
                dialect="sqlite", fires=False, note="a SQLite rebuild whose copy reads address into location renames it"),
    ),
)
DROP_AND_CREATE = Rule(
    "drop-and-create", "error", "drops a table and creates one with the same columns",
    "this is how autogenerate renders a rename: the new table starts empty and the old rows are lost",
    "replace the drop and create with op.rename_table() (and op.alter_column(new_column_name=...))",
    examples=(
        Example(
            ("DROP TABLE department;", "CREATE TABLE departments (id INTEGER NOT NULL, name VARCHAR(50), PRIMARY KEY (id));"),
            downgrade=("DROP TABLE departments;", "CREATE TABLE department (id INTEGER NOT NULL, name VARCHAR(50), PRIMARY KEY (id));"),
            fires=True,
        ),
        Example(("ALTER TABLE department RENAME TO departments;",), fires=False),
    ),
)
register(DROP_TABLE, DROP_COLUMN, DROP_AND_CREATE)


@visits(TableDropped)
def drop_table(event: TableDropped, report) -> None:
    report.add(DROP_TABLE.id, event, event.table)


@visits(ColumnDropped)
def drop_column(event: ColumnDropped, report) -> None:
    report.add(DROP_COLUMN.id, event, f"{event.table}.{event.column}")


@visits(ColumnLeftOutOfCopy)
def column_left_out(event: ColumnLeftOutOfCopy, report) -> None:
    if not event.missed_by_copy_from:  # the other case is copy-from-incomplete (rebuilds.py)
        report.add(DROP_COLUMN.id, event, f"the copy of {event.table} leaves out {event.column}")


@visits(ReleaseRead)
def drop_and_create(event: ReleaseRead, report) -> None:
    """Dropped tables whose columns reappear in a table created in the same release."""
    for dropped in event.dropped:
        columns = report.restored(dropped.revision, bare(dropped.table))
        if not columns:
            continue
        wanted = {c for c in columns if c}
        for other, created in event.created.items():
            if {c for c in created if c} == wanted:
                report.add(DROP_AND_CREATE.id, dropped,
                           f"{dropped.table} is dropped and {other} created with the same columns ({', '.join(sorted(wanted))})")
                break
