"""Changing a column's type."""

from __future__ import annotations

from ..events import ColumnTypeChanged
from ..rule import Example, Rule, register, visits

COLUMN_TYPE_CHANGE = Rule(
    "column-type-change", "warning", "changes a column's type",
    "the table may be rewritten under an exclusive lock, and values that do not convert make it fail",
    "check every value converts; on large tables add a new column, backfill, and switch over",
    examples=(
        Example(("ALTER TABLE employees ALTER COLUMN salary TYPE NUMERIC(12, 2);",), fires=True),
        Example(("ALTER TABLE employees MODIFY salary DECIMAL(12, 2) NULL;",), dialect="mysql",
                downgrade=("ALTER TABLE employees MODIFY salary INTEGER NULL;",), fires=True),
        Example(("ALTER TABLE employees ALTER COLUMN salary SET DEFAULT 0;",), fires=False),
    ),
)
register(COLUMN_TYPE_CHANGE)


@visits(ColumnTypeChanged)
def type_change(event: ColumnTypeChanged, report) -> None:
    column = f"{event.table}.{event.column}"
    if event.restated_as is not None:
        detail = f"{column} restated as {event.restated_as}"
    elif event.before is not None:
        detail = f"{column}: {event.before} -> {event.after}"
    else:
        detail = column
    report.add(COLUMN_TYPE_CHANGE.id, event, detail)
