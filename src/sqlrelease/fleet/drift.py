"""Drift: whether a target's schema is the one its release expects.

Each manifest records, per dialect, the schema expected after its release
(expected.py, at build time): its fingerprint, a digest of every table, and the
description of the tables the release adds or changes. A table whose digest
differs is compared column by column with the description in the newest bundle
at hand that has it, or else named as differing. `status --drift` (and `apply`, before it changes
anything) reads the target's live schema with the same schema query and names
every difference; a target whose schema differs is `drifted`. Nothing is
compared where nothing is recorded: the check says why (a dialect built without
a scratch server, a target stopped inside a release, bundles from before
sqlrelease recorded schemas).
"""

from __future__ import annotations

from .. import schema
from ..dialects import DIALECTS
from .catalog import Catalog

SHOWN = 3  # differences named in the one-line detail; --json lists all


def expected(catalog: Catalog, position, dialect: str) -> tuple[dict | None, str]:
    """What the manifest of the release a target at `position` is at records of its schema (a
    `schema.recorded` entry; {} before the first release), or None and why nothing is known."""
    if position is None or not position.complete:
        return None, "not compared: the database is not at a release"
    if position.index < 0:
        if catalog.releases[0].previous is None:
            return {"format": schema.FORMAT, "fingerprint": schema.fingerprint({}), "digests": {}}, ""  # no tables yet
        return None, f"not compared: the database is at release {position.release}, which has no bundle here"
    release = catalog.releases[position.index]
    entry = release.expected_schema(dialect)
    if entry is None:
        return None, f"not compared: bundle {release.name} records no expected schema (built before sqlrelease recorded it)"
    if entry.get("format") not in (1, schema.FORMAT):
        return None, f"not compared: bundle {release.name} records its schema in another format ({entry.get('format')})"
    if not entry.get("fingerprint"):
        return None, f"not compared: bundle {release.name}: {entry.get('reason', 'no fingerprint')}"
    return entry, ""


def compare(catalog: Catalog, status, rows: list[dict] | None) -> dict:
    """The drift report of a classified target whose schema query printed `rows`."""
    if rows is None:
        return {"checked": False, "reason": "not compared: the schema could not be read"}
    dialect = status.target.dialect
    entry, why = expected(catalog, status.position, dialect)
    if entry is None:
        return {"checked": False, "reason": why}
    found = schema.normalise(rows, DIALECTS[dialect].normal_type)
    release = status.release or "base"
    # A table's description is in the manifest of the release that last changed it: this one or an
    # earlier bundle of the chain at hand, newest first.
    earlier = catalog.releases[: status.position.index + 1][::-1]
    entries = [e for e in (r.expected_schema(dialect) for r in earlier) if e]
    differences = schema.drift(entry, found, lambda table, digest: schema.description(entries, table, digest))
    return {"checked": True, "release": release, "differences": differences}


def mark(status, report: dict) -> None:
    """A target whose schema differs from its release's is drifted (unless something more urgent holds)."""
    status.drift = report
    differences = report.get("differences")
    if not differences or status.state not in ("current", "behind", "failed"):
        return
    shown = "; ".join(differences[:SHOWN]) + (f"; and {len(differences) - SHOWN} more" if len(differences) > SHOWN else "")
    status.state = "drifted"
    status.detail = f"the schema differs from what release {report['release']} expects: {shown} ({status.detail})"
