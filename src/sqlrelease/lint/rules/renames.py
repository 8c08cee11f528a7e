"""Renaming tables and columns: running application versions still use the old names."""

from __future__ import annotations

from ..events import ColumnRenamed, TableRenamed
from ..rule import Example, Rule, register, visits

RENAME_TABLE = Rule(
    "rename-table", "warning", "renames a table",
    "application versions still using the old name fail as soon as this runs",
    "deploy code that works with both names first, or add a view with the old name",
    examples=(
        Example(("ALTER TABLE department RENAME TO departments;",), fires=True),
        Example(("RENAME TABLE department TO departments;",), dialect="mysql", fires=True),
        Example(("CREATE TABLE department (id INTEGER);", "ALTER TABLE department RENAME TO departments;"), fires=False,
                note="a table created earlier in the same release has no users yet"),
    ),
    downgrades=False,
)
RENAME_COLUMN = Rule(
    "rename-column", "warning", "renames a column",
    "application versions still using the old name fail as soon as this runs",
    "deploy code that works with both names first, or add the new column, copy, and drop later",
    examples=(
        Example(("ALTER TABLE departments RENAME address TO location;",), fires=True),
        Example(("ALTER TABLE departments CHANGE address location VARCHAR(100) NULL;",), dialect="mysql", fires=True),
        Example(("ALTER TABLE departments ADD COLUMN location VARCHAR(100);",), fires=False),
    ),
    downgrades=False,
)
register(RENAME_TABLE, RENAME_COLUMN)


@visits(TableRenamed)
def rename_table(event: TableRenamed, report) -> None:
    if event.existing:
        report.add(RENAME_TABLE.id, event, f"{event.old} -> {event.new}")


@visits(ColumnRenamed)
def rename_column(event: ColumnRenamed, report) -> None:
    if event.existing:
        report.add(RENAME_COLUMN.id, event, f"{event.table}.{event.old} -> {event.new}")
