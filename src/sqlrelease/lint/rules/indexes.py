"""Building indexes on PostgreSQL: locks, and CONCURRENTLY inside the bundle's transaction."""

from __future__ import annotations

from ..events import IndexCreated, IndexDroppedConcurrently
from ..rule import Example, Rule, register, visits

INDEX_NOT_CONCURRENT = Rule(
    "index-not-concurrent", "warning", "creates an index on an existing table without CONCURRENTLY",
    "on PostgreSQL a plain CREATE INDEX blocks writes to the table until it is built",
    "use postgresql_concurrently=True inside op.get_context().autocommit_block()",
    examples=(
        Example(("CREATE INDEX ix_employees_name ON employees (name);",), fires=True),
        Example(("CREATE INDEX ix_employees_name ON employees (name);",), dialect="mysql", fires=False,
                note="PostgreSQL only"),
    ),
)
CONCURRENTLY_IN_TRANSACTION = Rule(
    "concurrently-in-transaction", "error", "uses CONCURRENTLY inside a transaction",
    "PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY inside a transaction block, and the bundle runs in one",
    "move the index to its own release applied outside a transaction, or build it without CONCURRENTLY",
    examples=(
        Example(("CREATE INDEX CONCURRENTLY ix_employees_name ON employees (name);",), fires=True),
        Example(("DROP INDEX CONCURRENTLY ix_employees_name;",), fires=True),
        Example(("CREATE INDEX ix_employees_name ON employees (name);",), fires=False),
        Example(("COMMIT;", "CREATE INDEX CONCURRENTLY ix_employees_name ON employees (name);", "BEGIN;"), fires=False,
                note="inside op.get_context().autocommit_block(), which Alembic documents for this"),
    ),
)
register(INDEX_NOT_CONCURRENT, CONCURRENTLY_IN_TRANSACTION)


@visits(IndexCreated)
def create_index(event: IndexCreated, report) -> None:
    if report.dialect != "postgresql":
        return
    if event.concurrently:
        if not event.outside_transaction:
            report.add(CONCURRENTLY_IN_TRANSACTION.id, event, f"index on {event.table}")
    elif event.existing:
        report.add(INDEX_NOT_CONCURRENT.id, event, f"index on {event.table}")


@visits(IndexDroppedConcurrently)
def drop_index(event: IndexDroppedConcurrently, report) -> None:
    if not event.outside_transaction:
        report.add(CONCURRENTLY_IN_TRANSACTION.id, event, "drop index")
