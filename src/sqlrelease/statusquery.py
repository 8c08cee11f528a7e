"""The status query: read-only SQL that prints, as one JSON line, which release a database is at.

One template per dialect (`templates/status/<dialect>.sql.j2`). Every bundle
ships it as `<dialect>/status.sql`, so a DBA at an air-gapped site can run it
with the native client and send back the line; `sqlrelease status` runs the
very same text on every target and reads the same line.
"""

from __future__ import annotations

import json

from .templates import FOLDER, macros, render

DIALECTS_WITH_STATUS = frozenset(p.stem.removesuffix(".sql") for p in (FOLDER / "status").glob("*.sql.j2"))


def has_status_query(dialect: str) -> bool:
    """Whether `dialect` has a status query (the fleet drives its client)."""
    return dialect in DIALECTS_WITH_STATUS


def status_query(dialect, version_table: str, receipts: str | None, progress: str | None) -> str:
    """The status query of `dialect` (a Dialect) for a version table (`schema.table` or `table`),
    reading the last receipt from `receipts` and statement progress from `progress` (None: none)."""
    schema, _, table = version_table.rpartition(".")
    # `dialect` selects the template environment whose filters escape for that dialect.
    return render(
        f"status/{dialect.name}.sql.j2", dialect=dialect, version_table=version_table, schema=schema or None,
        table=table, receipts=f"{schema}.{receipts}" if receipts and schema else receipts, receipts_name=receipts,
        progress=f"{schema}.{progress}" if progress and schema else progress, progress_name=progress,
        bookkeeping=[name for name in (table, receipts, progress) if name],
    )


DIALECTS_WITH_SCHEMA_UNLESS_AT = frozenset(p.name.removesuffix(".sql.j2") for p in (FOLDER / "status" / "unless_at").glob("*.sql.j2"))


def has_schema_unless_at(dialect: str) -> bool:
    """Whether `dialect`'s client can run the schema query after the status query only when the
    versions it read are not a given set (psql's \\if)."""
    return dialect in DIALECTS_WITH_SCHEMA_UNLESS_AT


def schema_unless_at(dialect, versions: list[str], status_query: str, schema_query: str, marker: str) -> str:
    """`dialect`'s status query followed by `schema_query`, preceded by `marker` (a line that says the
    schema was read), only where the versions it read are not exactly `versions`."""
    goal = "[" + ", ".join(json.dumps(v) for v in sorted(versions)) + "]"  # as PostgreSQL's json_agg writes them
    around = macros(f"status/unless_at/{dialect.name}.sql.j2", dialect)
    return str(around.before(goal)) + status_query + str(around.after(schema_query, marker))
