"""Drift: whether a target's schema is the one its release expects.

Each manifest records, per dialect, the schema expected after its release
(expected.py, at build time). `status --drift` (and `apply`, before it changes
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
    """The tables a target at `position` should have, or None and why they are not known."""
    if position is None or not position.complete:
        return None, "not compared: the database is not at a release"
    if position.index < 0:
        if catalog.releases[0].previous is None:
            return {}, ""  # before the first release that starts at base: no tables of its own
        return None, f"not compared: the database is at release {position.release}, which has no bundle here"
    release = catalog.releases[position.index]
    entry = release.expected_schema(dialect)
    if entry is None:
        return None, f"not compared: bundle {release.name} records no expected schema (built before sqlrelease recorded it)"
    if entry.get("format") != schema.FORMAT:
        return None, f"not compared: bundle {release.name} records its schema in another format ({entry.get('format')})"
    if not entry.get("fingerprint"):
        return None, f"not compared: bundle {release.name}: {entry.get('reason', 'no fingerprint')}"
    return entry["tables"], ""


def compare(catalog: Catalog, status, rows: list[dict] | None) -> dict:
    """The drift report of a classified target whose schema query printed `rows`."""
    if rows is None:
        return {"checked": False, "reason": "not compared: the schema could not be read"}
    tables, why = expected(catalog, status.position, status.target.dialect)
    if tables is None:
        return {"checked": False, "reason": why}
    found = schema.normalise(rows, DIALECTS[status.target.dialect].normal_type)
    release = status.release or "base"
    if schema.fingerprint(found) == schema.fingerprint(tables):
        return {"checked": True, "release": release, "differences": []}
    return {"checked": True, "release": release, "differences": schema.differences(tables, found)}


def mark(status, report: dict) -> None:
    """A target whose schema differs from its release's is drifted (unless something more urgent holds)."""
    status.drift = report
    differences = report.get("differences")
    if not differences or status.state not in ("current", "behind", "failed"):
        return
    shown = "; ".join(differences[:SHOWN]) + (f"; and {len(differences) - SHOWN} more" if len(differences) > SHOWN else "")
    status.state = "drifted"
    status.detail = f"the schema differs from what release {report['release']} expects: {shown} ({status.detail})"
