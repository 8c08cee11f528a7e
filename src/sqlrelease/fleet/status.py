"""`status`: which release every target is at, read in parallel with the status query.

Each target gets the same read-only query a DBA can run by hand; its JSON line
is classified against the bundles. The databases one server holds for one login
are read in a few client sessions, each moving from database to database (psql
`\\connect`, `USE`, sqlite3 `.open`), instead of a client start per database: on
a fleet of many small databases the starts cost more than the reads. A database
a shared session does not answer is read again with a client of its own, which
says why.
"""

from __future__ import annotations

import itertools
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
SCHEMA_READ = "schema_read"  # the key of the line that says a conditional schema query ran


@lru_cache(maxsize=None)
def _status_query(dialect: str, version_table: str, receipts: str | None, progress: str | None = None) -> str:
    return statusquery.status_query(DIALECTS[dialect], version_table, receipts, progress)


@lru_cache(maxsize=None)
def _schema_query(dialect: str, schema_name: str | None, excluded: tuple[str, ...]) -> str:
    return schema.query(DIALECTS[dialect], schema_name, excluded)


@lru_cache(maxsize=None)
def _schema_unless_at(dialect: str, versions: frozenset, status: str, schema_name: str | None, excluded: tuple[str, ...]) -> str:
    marker = DIALECTS[dialect].native_client.echo(json.dumps({"sqlrelease_status": 1, SCHEMA_READ: True}))
    return statusquery.schema_unless_at(DIALECTS[dialect], sorted(versions), status, _schema_query(dialect, schema_name, excluded), marker.rstrip("\n"))


def status_query(dialect: str, catalog: Catalog, with_schema: bool | frozenset = False) -> str:
    """The hand-runnable status query of `dialect` for the bundles of `catalog`; `with_schema`:
    followed by the schema query, so one client run reads both; a set of revisions: the schema query
    only where the versions read are not exactly these (dialects whose client can decide that,
    `schema_unless_at`; for the others, no schema query)."""
    manifest = catalog.last.manifest
    query = _status_query(dialect, catalog.last.version_table, manifest.get("receipts"), manifest.get("progress"))
    if with_schema is True:
        query += _schema_query(dialect, catalog.version_table[0], tuple(catalog.bookkeeping()))
    elif with_schema and schema_unless_at(dialect):
        query = _schema_unless_at(dialect, with_schema, query, catalog.version_table[0], tuple(catalog.bookkeeping()))
    return query


def schema_unless_at(dialect: str) -> bool:
    """Whether the status query of `dialect` can be followed by the schema query only where the
    versions are not a given set (the others read a schema with a status query of its own)."""
    return statusquery.has_schema_unless_at(dialect)


def read_probe(stdout: str) -> dict | None:
    """The status query's JSON line (lines merged, should a client split one); None when it printed none."""
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
    if found is not None and "has_versions" in found:  # SQLite: versions read by a statement of their own
        if not found.pop("has_versions"):
            found["versions"] = None
        elif found.get("versions") is None:
            del found["versions"]  # the table is there but its read failed (locked): no answer
    return found


Answer = tuple  # (the status query's answer or None, why not, seconds)


def probe(target, catalog: Catalog, secrets: Secrets, timeout: int, with_schema: bool | frozenset = False) -> Answer:
    """Run the status query on a target: (its answer, or None and why not, seconds). When the schema
    query ran too (`with_schema`, see `status_query`) the answer's "schema" holds its rows."""
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
    return _answer(target, outcome.stdout.splitlines(), outcome.exit_code == 0, outcome.first_error, with_schema, outcome.seconds)


def _answer(target, lines: list[str], ok: bool, error: Callable[[], str], with_schema: bool | frozenset, seconds: float) -> Answer:
    """A target's answer from the lines its status query (and schema query) printed; `ok`: the
    client got through them (PostgreSQL and MySQL stop at an error; SQLite reads on past a missing table).
    The answer holds "schema" only when the schema query ran."""
    answer = read_probe("\n".join(lines))
    if answer is None or (not ok and target.dialect != "sqlite"):
        return None, error(), seconds
    if target.dialect == "sqlite" and "versions" not in answer:
        return None, error(), seconds
    if answer.pop(SCHEMA_READ, False) or with_schema is True:
        answer["schema"] = schema.rows(lines)
    return answer, "", seconds


MARK = "sqlrelease_target"


def _session(target, secrets: Secrets, timeout: int) -> tuple | None:
    """What targets must share to be read in one client session (one server, one login), or None:
    this one is read on its own."""
    native = DIALECTS[target.dialect].native_client
    if native.switch is None or (target.dialect == "sqlite" and not target.path.exists()):
        return None
    try:
        password = secrets.password(target)
    except PasswordError:
        return None
    if native.switch(target.url, timeout=timeout) is None:
        return None
    url = target.url
    return (target.dialect, url.host, url.port, url.username, tuple(sorted(url.query.items())),
            str(target.option_file), password)


def _mark(line: str) -> int | None:
    """The position in a shared session whose answer the next lines are, when `line` says so."""
    if not line.startswith('{"' + MARK):
        return None
    try:
        mark = json.loads(line)[MARK]
    except (ValueError, KeyError, TypeError):
        return None
    return mark if isinstance(mark, int) else None


def probe_together(targets: list, catalog: Catalog, secrets: Secrets, timeout: int, with_schema: Callable[[object], bool | frozenset]) -> dict[int, Answer]:
    """Read the status of several databases of one server (one login) in one client session:
    the first is opened as `probe` opens it, the session moves to each next (psql `\\connect`,
    `USE`, `.open`), and a line between the answers says whose the next lines are. Returns
    {position: answer} for the targets read completely; a target whose answer is missing or
    cut short (the client stops at the first error) is left out, to be read on its own."""
    first = targets[0]
    native = DIALECTS[first.dialect].native_client
    parts = []
    for n, target in enumerate(targets):
        # The line first: it ends the previous answer even when this database cannot be reached.
        parts.append(native.echo(json.dumps({MARK: n})))
        if n:
            parts.append(native.switch(target.url, timeout=timeout))
        parts.append(status_query(target.dialect, catalog, with_schema(target)))
    try:
        invocation = clients.query_invocation(first, "".join(parts), secrets.password(first), timeout=timeout)
    except (PasswordError, clients.ClientMissing):
        return {}
    outcome = clients.run(invocation, secrets, timeout=timeout * 3 + 10 + len(targets))
    pieces: dict[int, list[str]] = {}
    for line in outcome.stdout.splitlines():
        mark = _mark(line)
        if mark is not None:
            pieces[mark] = []
        elif pieces:
            pieces[max(pieces)].append(line)
    found = {}
    seconds = outcome.seconds / len(targets)
    for n, target in enumerate(targets):
        # Complete: the next target's line came after it, or it is the last and the client ended well
        # (sqlite3 reads on past an error: it exits 1 where a table is missing, which its answer says).
        ok = (n + 1) in pieces or (n == len(targets) - 1 and outcome.ok)
        if n in pieces and (ok or (target.dialect == "sqlite" and n == len(targets) - 1 and outcome.exit_code == 1)):
            answer = _answer(target, pieces[n], ok, outcome.first_error, with_schema(target), seconds)
            if answer[0] is not None:
                found[n] = answer
    return found


def read_all(targets: list, catalog: Catalog, secrets: Secrets, timeout: int, *, jobs: int, per_host: int,
             with_schema: Callable[[object], bool | frozenset] = lambda t: False, done: Callable[[int, Answer], None] | None = None) -> list[Answer]:
    """Every target's status answer, read in parallel: the databases one server holds for one login
    in a few client sessions (at most `per_host` at once, each reading its share in turn), the
    others, and any a shared session did not answer, each with a client of its own. `with_schema(target)`:
    whether (or unless at which versions) the schema query follows the status query, see `status_query`."""
    answers: dict[int, Answer] = {}
    groups: dict[tuple, list[int]] = {}
    alone = []
    for dialect, schema_too in {(t.dialect, with_schema(t)) for t in targets}:
        status_query(dialect, catalog, schema_too)  # rendered here once: the workers, starting together, each rendered it
    for index, target in enumerate(targets):
        key = _session(target, secrets, timeout)
        if key is None:
            alone.append(index)
        else:
            groups.setdefault(key, []).append(index)
    shares = []
    for members in groups.values():
        if len(members) == 1:
            alone.extend(members)
            continue
        count = min(len(members), jobs, per_host if targets[members[0]].dialect != "sqlite" else jobs)
        shares.append([members[start::count] for start in range(count)])
    # Every server's first session, then every server's second...: all servers read at once,
    # rather than the first server's sessions taking every job while the others wait.
    chunks = [chunk for round_ in itertools.zip_longest(*shares) for chunk in round_ if chunk]

    def together(chunk: list[int]) -> dict[int, Answer]:
        found = probe_together([targets[i] for i in chunk], catalog, secrets, timeout, with_schema)
        return {chunk[n]: answer for n, answer in found.items()}

    def record(index: int, answer: Answer) -> None:
        answers[index] = answer
        if done is not None:
            done(index, answer)

    run_all(chunks, together, host=lambda chunk: targets[chunk[0]].host, jobs=jobs, per_host=per_host,
            done=lambda _chunk, found: [record(i, a) for i, a in found.items()])
    alone += [i for chunk in chunks for i in chunk if i not in answers]
    run_all(sorted(alone), lambda i: probe(targets[i], catalog, secrets, timeout, with_schema(targets[i])),
            host=lambda i: targets[i].host, jobs=jobs, per_host=per_host, done=record)
    return [answers[i] for i in range(len(targets))]


def target_status(
    target, catalog: Catalog, goal_index: int, secrets: Secrets, timeout: int, last: dict | None = None,
    check_drift: bool = False, answer: Answer | None = None,
) -> TargetStatus:
    """Probe (unless `answer` holds what its status query answered) and classify one target; `last` is
    its newest journal entry (a failed apply shows); `check_drift`: compare its schema with the one its
    release expects."""
    with_schema = check_drift and catalog.records_schema(target.dialect)
    found, problem, seconds = answer if answer is not None else probe(target, catalog, secrets, timeout, with_schema)
    answer = found
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
    goal = goal_index(catalog, to)
    targets = select_targets(fleet, names, selector)
    secrets = secrets or Secrets()
    last = journal.last_entries(fleet.journal or journal.default_path())
    report = StatusReport(goal=catalog.releases[goal].name, bundles=str(catalog.folder))
    found: dict[int, TargetStatus] = {}

    def settle(index: int, answer: Answer) -> None:
        target = targets[index]
        found[index] = target_status(target, catalog, goal, secrets, fleet.connect_timeout, last.get(target.name), check_drift, answer)
        if progress:
            progress(found[index])

    read_all(targets, catalog, secrets, fleet.connect_timeout, jobs=jobs or fleet.jobs, per_host=per_host or fleet.per_host,
             with_schema=lambda t: check_drift and catalog.records_schema(t.dialect), done=settle)
    report.targets = [found[i] for i in range(len(targets))]
    return report
