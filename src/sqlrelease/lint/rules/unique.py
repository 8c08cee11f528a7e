"""Unique constraints and indexes on tables that may hold rows."""

from __future__ import annotations

import re

from ..events import ColumnAdded, IndexCreated, UniqueConstraintAdded
from ..rule import Example, Rule, register, visits

UNIQUE_ON_EXISTING_TABLE = Rule(
    "unique-on-existing-table", "warning", "adds a unique constraint or index to an existing table",
    "duplicates already on a server make it fail, and building the index locks the table",
    "check for duplicates first (SELECT col, count(*) ... HAVING count(*) > 1); on PostgreSQL build the index CONCURRENTLY and attach it",
    examples=(
        Example(("ALTER TABLE recruits ADD CONSTRAINT uq_recruits_email UNIQUE (personal_email_address);",), fires=True),
        Example(("CREATE UNIQUE INDEX ix_recruits_email ON recruits (personal_email_address);",), fires=True),
        Example(("CREATE TABLE recruits (id INTEGER, email VARCHAR(255));",
                 "ALTER TABLE recruits ADD CONSTRAINT uq_recruits_email UNIQUE (email);"), fires=False),
    ),
)
register(UNIQUE_ON_EXISTING_TABLE)

_UNIQUE = re.compile(r"\bUNIQUE\b", re.I)


@visits(IndexCreated)
def unique_index(event: IndexCreated, report) -> None:
    if event.unique and event.existing:
        report.add(UNIQUE_ON_EXISTING_TABLE.id, event, f"unique index on {event.table}")


@visits(UniqueConstraintAdded)
def unique_constraint(event: UniqueConstraintAdded, report) -> None:
    if not event.existing:
        return
    if event.constraint is None:
        report.add(UNIQUE_ON_EXISTING_TABLE.id, event, f"unique constraint on {event.table}")
    else:
        report.add(UNIQUE_ON_EXISTING_TABLE.id, event, f"{event.table} gains unique constraint {event.constraint}")


@visits(ColumnAdded)
def unique_column(event: ColumnAdded, report) -> None:
    if event.existing and not event.copied and _UNIQUE.search(event.definition):
        report.add(UNIQUE_ON_EXISTING_TABLE.id, event, f"unique column {event.table}.{event.column}")
