"""Batch-mode table rebuilds: a copy of the table, and the columns the copy knows."""

from __future__ import annotations

from ..events import ColumnLeftOutOfCopy, TableRebuilt
from ..rule import Example, Rule, register, visits

TABLE_REBUILD = Rule(
    "table-rebuild", "info", "rebuilds a table (batch mode copy)",
    "the table is copied row by row under lock; constraints that the old rows violate make it fail",
    "check the copy keeps every column you need and that old rows satisfy the new definition",
    examples=(
        Example(("CREATE TABLE _alembic_tmp_teams (id INTEGER NOT NULL, name VARCHAR(80), PRIMARY KEY (id));",
                 "INSERT INTO _alembic_tmp_teams (id, name) SELECT teams.id, teams.name FROM teams;",
                 "DROP TABLE teams;", "ALTER TABLE _alembic_tmp_teams RENAME TO teams;"), dialect="sqlite", fires=True),
        Example(("ALTER TABLE teams ADD COLUMN city VARCHAR(80);",), dialect="sqlite", fires=False),
    ),
    downgrades=False,
)
COPY_FROM_INCOMPLETE = Rule(
    "copy-from-incomplete", "error", "rebuilds a table from a copy_from that misses one of its columns",
    "the copy would drop the column's data, so the bundle's guard refuses to run on every server that has it",
    "add the column to the Table passed as copy_from; to drop it, call batch_op.drop_column() as well",
)
register(TABLE_REBUILD, COPY_FROM_INCOMPLETE)


@visits(TableRebuilt)
def table_rebuild(event: TableRebuilt, report) -> None:
    report.add(TABLE_REBUILD.id, event, f"{event.table} is copied into a new table")


@visits(ColumnLeftOutOfCopy)
def copy_from_incomplete(event: ColumnLeftOutOfCopy, report) -> None:
    if event.missed_by_copy_from:  # otherwise the copy drops the column on purpose: drop-column (drops.py)
        report.add(COPY_FROM_INCOMPLETE.id, event,
                   f"copy_from of {event.table} misses {event.column}, which the table has before this migration")
