"""`status`: which release every target is at, read in parallel with the status query.

Each target gets the same read-only query a DBA can run by hand (one client
start, one connection); its JSON line is classified against the bundles.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from .. import schema, statusquery
from ..dialects import DIALECTS
from . import clients, drift, journal
from .catalog import Catalog
from .inventory import Fleet, Selector, select_targets
from .runner import run_all
from .passwords import PasswordError, Secrets
from .state import STATES, TargetStatus, classify, exit_code, resume_words, unreachable

Progress = Callable[[TargetStatus], None]


@lru_cache(maxsize=None)
def _status_query(dialect: str, version_table: str, receipts: str | None, progress: str | None = None) -> str:
    return statusquery.status_query(DIALECTS[dialect], version_table, receipts, progress)


@lru_cache(maxsize=None)
def _schema_query(dialect: str, schema_name: str | None, excluded: tuple[str, ...]) -> str:
    return schema.query(DIALECTS[dialect], schema_name, excluded)


def status_query(dialect: str, catalog: Catalog, with_schema: bool = False) -> str:
    """The hand-runnable status query of `dialect` for the bundles of `catalog`; `with_schema`:
    followed by the schema query, so one client run reads both."""
    manifest = catalog.last.manifest
    query = _status_query(dialect, catalog.last.version_table, manifest.get("receipts"), manifest.get("progress"))
    if with_schema:
        query += _schema_query(dialect, catalog.version_table[0], tuple(catalog.bookkeeping()))
    return query


def read_probe(stdout: str) -> dict | None:
    """The status query's JSON line(s), merged; None when it printed none."""
    found: dict | None = None
    for line in stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("sqlrelease_status") == 1:
            found = {**(found or {}), **data}
    if found is not None and "has_versions" in found:  # SQLite: the versions line is absent with the table
        if not found.pop("has_versions"):
            found["versions"] = None
    return found


def probe(target, catalog: Catalog, secrets: Secrets, timeout: int, with_schema: bool = False) -> tuple[dict | None, str, float]:
    """Run the status query on a target: (its answer, or None and why not, seconds). With
    `with_schema` the answer's "schema" holds the schema query's rows."""
    started = time.monotonic()
    if target.dialect == "sqlite" and not target.path.exists():
        return None, f"no such file {target.path} (to start a new database at base, create it empty: touch FILE)", 0.0
    try:
        password = secrets.password(target)
        query = status_query(target.dialect, catalog, with_schema)
        invocation = clients.query_invocation(target, query, password, timeout=timeout)
    except (PasswordError, clients.ClientMissing) as exc:
        return None, str(exc), time.monotonic() - started
    outcome = clients.run(invocation, secrets, timeout=timeout * 3 + 10)
    answer = read_probe(outcome.stdout)
    if answer is None or (outcome.exit_code != 0 and target.dialect != "sqlite"):
        return None, outcome.first_error(), outcome.seconds
    if target.dialect == "sqlite" and "versions" not in answer:
        return None, outcome.first_error(), outcome.seconds
    if with_schema:
        answer["schema"] = schema.rows(outcome.stdout.splitlines()) if outcome.exit_code == 0 or target.dialect == "sqlite" else None
    return answer, "", outcome.seconds


def target_status(
    target, catalog: Catalog, goal_index: int, secrets: Secrets, timeout: int, last: dict | None = None, check_drift: bool = False
) -> TargetStatus:
    """Probe and classify one target; `last` is its newest journal entry (a failed apply shows);
    `check_drift`: compare its schema with the one its release expects."""
    with_schema = check_drift and catalog.records_schema(target.dialect)
    answer, problem, seconds = probe(target, catalog, secrets, timeout, with_schema)
    if answer is None and target.dialect == "sqlite" and "database is locked" in problem:
        # SQLite's apply lock is its write lock: a reader waited `timeout` seconds for it.
        return TargetStatus(target=target, state="locked", goal=catalog.releases[goal_index].name, seconds=seconds,
                            detail=f"an apply holds the database's write lock (waited {timeout} s)")
    if answer is None:
        return unreachable(target, catalog.releases[goal_index].name, problem, seconds)
    status = classify(target, answer, catalog, goal_index)
    status.seconds = seconds
    if status.resume is not None and status.resume["step"]:
        # The exact command a DBA types to resume by hand: the step script, as the README runs a file.
        by_hand = clients.apply_invocation(target, catalog.folder / status.resume["step"], None, timeout=timeout).shown()
        status.resume["command"] = by_hand
        status.detail = resume_words(target, status.resume, catalog.version_table[1], status.revision, by_hand)
    lock = answer.get("lock")
    if lock:
        # An apply holds the database's lock now: what it finds later is not settled yet.
        who = ", ".join(f"{k} {v}" for k, v in lock.items() if v not in (None, ""))
        status.state = "locked"
        status.detail = f"an apply is running ({who}); {status.detail}"
    if last and last.get("outcome") == "failed" and last.get("versions_after") == status.versions and status.state in ("current", "behind"):
        status.state = "failed"
        status.detail = f"the last apply (run {last.get('run')}) failed: {last.get('error') or 'see the journal'}; {status.detail}"
    if check_drift:
        if with_schema:
            drift.mark(status, drift.compare(catalog, status, answer.get("schema")))
        else:
            status.drift = {"checked": False, "reason": f"not compared: no bundle records an expected {target.dialect} schema"}
    return status


@dataclass
class StatusReport:
    """Every selected target's status, in fleet order."""

    goal: str
    bundles: str
    targets: list[TargetStatus] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {state: n for state in STATES if (n := sum(1 for t in self.targets if t.state == state))}

    @property
    def exit_code(self) -> int:
        return exit_code(t.state for t in self.targets)

    def to_dict(self) -> dict:
        return {
            "goal": self.goal,
            "bundles": self.bundles,
            "counts": self.counts,
            "exit_code": self.exit_code,
            "targets": [t.to_dict() for t in self.targets],
        }


def goal_index(catalog: Catalog, to: str | None) -> int:
    return catalog.index(to) if to else len(catalog.releases) - 1


def fleet_status(
    fleet: Fleet,
    catalog: Catalog,
    *,
    names=(),
    selector: Selector | None = None,
    to: str | None = None,
    jobs: int | None = None,
    per_host: int | None = None,
    secrets: Secrets | None = None,
    progress: Progress | None = None,
    check_drift: bool = False,
) -> StatusReport:
    """Read the status of the selected targets in parallel (read-only); `check_drift`: compare
    each one's schema with what its release expects (a target that differs is drifted)."""
    index = goal_index(catalog, to)
    targets = select_targets(fleet, names, selector)
    secrets = secrets or Secrets()
    last = journal.last_entries(fleet.journal or journal.default_path())
    report = StatusReport(goal=catalog.releases[index].name, bundles=str(catalog.folder))
    found = run_all(
        targets,
        lambda t: target_status(t, catalog, index, secrets, fleet.connect_timeout, last.get(t.name), check_drift),
        host=lambda t: t.host,
        jobs=jobs or fleet.jobs,
        per_host=per_host or fleet.per_host,
        done=(lambda _t, s: progress(s)) if progress else None,
    )
    report.targets = [found[i] for i in range(len(targets))]
    return report
