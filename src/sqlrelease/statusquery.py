"""The status query: read-only SQL that prints, as one JSON line, which release a database is at.

One template per dialect (`templates/status/<dialect>.sql.j2`). Every bundle
ships it as `<dialect>/status.sql`, so a DBA at an air-gapped site can run it
with the native client and send back the line; `sqlrelease status` runs the
very same text on every target and reads the same line.
"""

from __future__ import annotations

from .templates import FOLDER, render

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
