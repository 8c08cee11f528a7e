"""Changing data: every row of a table, data migrations, and SQL that scratch rows decided."""

from __future__ import annotations

from ..events import MigrationRead, RowsDeleted, RowsUpdated
from ..rule import Example, Rule, register, statement_sha256, visits
from ..sql import data_count

UPDATE_WITHOUT_WHERE = Rule(
    "update-without-where", "error", "updates every row of a table",
    "an UPDATE without WHERE changes every row, including rows the migration's author never saw",
    "add a WHERE clause that selects exactly the rows to change (e.g. WHERE col IS NULL)",
    examples=(
        Example(("UPDATE recruits SET personal_email_address = lower(github_name) || '@example.com';",), fires=True),
        Example(("UPDATE recruits SET personal_email_address = 'x' WHERE personal_email_address IS NULL;",), fires=False),
        Example(("UPDATE recruits SET note = 'where it all began';",), fires=True,
                note="a WHERE inside a string literal does not count"),
    ),
)
DELETE_WITHOUT_WHERE = Rule(
    "delete-without-where", "error", "deletes every row of a table",
    "a DELETE without WHERE (or a TRUNCATE) removes every row",
    "add a WHERE clause, or copy the rows elsewhere first",
    examples=(
        Example(("DELETE FROM products;",), fires=True),
        Example(("TRUNCATE TABLE products;",), fires=True),
        Example(("DELETE FROM products WHERE price = 0;",), fires=False),
    ),
)
DATA_MIGRATION = Rule(
    "data-migration", "info", "changes data",
    "data changes depend on what each server holds and are often not undone by the downgrade",
    "read the statements; make them idempotent and check their effect on a copy of production",
    examples=(
        Example(("INSERT INTO products (name, price) VALUES ('tea', 3);",), fires=True),
        Example(("CREATE TABLE products (id INTEGER, name VARCHAR(50));",), fires=False),
        Example(("CREATE TABLE _alembic_tmp_products (id INTEGER, name VARCHAR(80));",
                 "INSERT INTO _alembic_tmp_products (id, name) SELECT products.id, products.name FROM products;"),
                dialect="sqlite", fires=False, note="the copy of a batch-mode rebuild is not a data change"),
    ),
    downgrades=False,
)
DATA_DEPENDENT = Rule(
    "data-dependent", "error", "has SQL computed from a scratch database's rows",
    "the rehearsal read rows of the scratch database to decide these statements (none at all when it had no rows): "
    "on a real server the migration would read other rows and do something else",
    "write the step as set-based SQL in the migration (op.execute with INSERT/UPDATE ... SELECT), "
    "or supply a reviewed override: overrides/<revision>.<dialect>.<upgrade|downgrade>.sql",
    downgrades=False,
)
VOLATILE_VALUES = Rule(
    "volatile-values", "error", "has values the migration computed while it ran",
    "the upgrade was run twice (rehearsed on a scratch database, or rendered offline again because its source "
    "calls uuid4(), now() or random) and these literals differed (an id from uuid4(), a time from now(), "
    "a random pick): the bundle holds the build's values, so every server gets the same 'unique' id "
    "and the build's time, and each build writes new values (check then reports drift)",
    "compute the values in SQL, set-based (op.execute with INSERT ... SELECT using the database's own "
    "gen_random_uuid()/UUID()/CURRENT_TIMESTAMP), or supply a reviewed override: "
    "overrides/<revision>.<dialect>.upgrade.sql",
    downgrades=False,
)
register(UPDATE_WITHOUT_WHERE, DELETE_WITHOUT_WHERE, DATA_MIGRATION, DATA_DEPENDENT, VOLATILE_VALUES)


@visits(RowsUpdated)
def update(event: RowsUpdated, report) -> None:
    if not event.where:
        report.add(UPDATE_WITHOUT_WHERE.id, event, event.table)


@visits(RowsDeleted)
def delete(event: RowsDeleted, report) -> None:
    if not event.where:
        report.add(DELETE_WITHOUT_WHERE.id, event, event.table)


@visits(MigrationRead)
def data_migration(event: MigrationRead, report) -> None:
    """Once per migration and dialect: its statements change data."""
    if event.data:
        index, statement = event.first_data
        detail = f"{event.data} data statement(s)" if event.data > 1 else "1 data statement"
        report.add(DATA_MIGRATION.id, event, detail, statement_sha256("\n".join(event.statements)),
                   index=index, statement=statement)


@visits(MigrationRead)
def data_dependent(event: MigrationRead, report) -> None:
    """Rehearsed SQL that the scratch database's rows decided (either direction): once per migration and dialect."""
    if not event.data_dependent and event.downgrade_dependent is None:
        return
    parts, hashed = [], []
    if event.data_dependent:
        parts.append(_detail("upgrade", event.data))
        hashed += event.statements
    if event.downgrade_dependent is not None:
        parts.append(_detail("downgrade", data_count(event.downgrade_dependent)))
        hashed += ["-- downgrade", *event.downgrade_dependent]
    index, statement = event.first_data if event.data_dependent and event.first_data else (None, "")
    report.add(DATA_DEPENDENT.id, event, "; ".join(parts), statement_sha256("\n".join(hashed)), index=index, statement=statement)


@visits(MigrationRead)
def volatile_values(event: MigrationRead, report) -> None:
    """Upgrade SQL holding values that differed between two runs of it: once per migration and dialect."""
    if not event.volatile:
        return
    shown = ", ".join(v if len(v) <= 60 else v[:57] + "..." for v in event.volatile)
    where = next(((i, s) for i, s in enumerate(event.statements, 1) if event.volatile[0] in s), (None, ""))
    report.add(VOLATILE_VALUES.id, event, f"upgrade: differed between two runs: {shown}",
               statement_sha256("\n".join(event.statements)), index=where[0], statement=where[1])


def _detail(direction: str, data: int) -> str:
    if data == 0:
        return f"{direction}: no data statement (the scratch database's rows gave none)"
    return f"{direction}: {data} data statement(s)"
