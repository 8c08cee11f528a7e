"""`apply`: bring targets to a release by running the bundles' own files with the native clients.

1. Read every selected target's status as `status` reads it (read-only; a
   server's databases in shared sessions); targets at the goal are done here,
   before any migration session is opened.
2. Work out each target's files: the upgrade.sql (and, for bundles built with
   stamp = "separate", stamp.sql) of every release from where it is to the goal,
   or with `allow_downgrade` the downgrade.sql back to it.
3. Verify every bundle those files come from (checksums, and the approval when
   required) before touching any database, each bundle once per run. A target
   with files to run whose schema differs from what its release expects (drift)
   is refused here too, unless told to go on (only those targets' schemas are read).
4. Run wave after wave; within a wave, targets in parallel (bounded, per host),
   each one's files in order in one client session (one client start and one server
   connection per target, not per file), stopping that target at its first failure. One
   target's failure never stops or undoes another's; a wave that exceeds its
   failure budget starts no further targets, and no later wave starts.
"""

from __future__ import annotations

import datetime
import os
import re
import secrets as random_ids
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import bundle as bundles
from . import clients
from .catalog import BundleInfo, Catalog
from .inventory import Fleet, Selector, Wave, plan_waves, select_targets
from .journal import Journal, default_path
from .passwords import PasswordError, Secrets
from .runner import run_all
from .state import TargetStatus, exit_code
from .status import goal_index, read_all, schema_unless_at, target_status

# What a target's run ended as, and the state it leaves the target in (for the exit code).
OUTCOME_STATES = {
    "applied": "current",
    "skipped": "current",
    "would apply": "behind",
    "not started": "behind",
    "refused": None,  # keeps the state that made it refuse
    "failed": "failed",
    "unreachable": "unreachable",
    "locked": "locked",
}
WAVE_FAILURES = frozenset({"failed", "refused", "unreachable", "locked"})


@dataclass(frozen=True)
class Step:
    """One bundle file to run on a target."""

    release: str
    kind: str  # upgrade | downgrade | stamp
    path: Path
    sha256: str
    shown: str  # path as printed: <bundle folder>/<dialect>/<kind>.sql
    size: int = 0  # bytes, as the manifest records them: how long the file may take, roughly


@dataclass
class TargetRun:
    """One target's part in a run."""

    before: TargetStatus
    steps: list[Step] = field(default_factory=list)
    outcome: str = "not started"
    detail: str = ""
    wave: str = ""
    files: list[dict] = field(default_factory=list)  # what ran: path, sha256, exit code, seconds, output tail
    after: TargetStatus | None = None
    seconds: float = 0.0
    commands: list[str] = field(default_factory=list)  # dry run: the exact command lines

    @property
    def target(self):
        return self.before.target

    @property
    def state(self) -> str:
        """The state the target is left in."""
        if self.after is not None:
            return self.after.state
        return OUTCOME_STATES.get(self.outcome) or self.before.state

    @property
    def release_after(self) -> str | None:
        if self.after is not None:
            return self.after.release
        return self.before.goal if self.outcome in ("applied", "skipped") else self.before.release

    def to_dict(self) -> dict:
        return {
            "name": self.target.name,
            "dialect": self.target.dialect,
            "wave": self.wave,
            "outcome": self.outcome,
            "state": self.state,
            "from": self.before.release,
            "release": self.release_after,
            "goal": self.before.goal,
            "detail": self.detail,
            "files": [s.shown for s in self.steps],
            "ran": self.files,
            "commands": self.commands,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class WaveResult:
    name: str
    targets: int
    budget: int
    failures: int = 0
    stopped: bool = False

    def to_dict(self) -> dict:
        return {"name": self.name, "targets": self.targets, "failure_budget": self.budget, "failures": self.failures, "stopped": self.stopped}


@dataclass
class ApplyReport:
    run: str
    goal: str
    bundles: str
    dry_run: bool
    targets: list[TargetRun] = field(default_factory=list)
    waves: list[WaveResult] = field(default_factory=list)
    bundle_problems: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return exit_code(t.state for t in self.targets)

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for run in self.targets:
            counts[run.outcome] = counts.get(run.outcome, 0) + 1
        return counts

    def to_dict(self) -> dict:
        return {
            "run": self.run,
            "goal": self.goal,
            "bundles": self.bundles,
            "dry_run": self.dry_run,
            "counts": self.counts,
            "exit_code": self.exit_code,
            "waves": [w.to_dict() for w in self.waves],
            "bundle_problems": self.bundle_problems,
            "targets": [t.to_dict() for t in self.targets],
        }


def new_run_id() -> str:
    """Sortable and unique enough: UTC time and 6 random hex digits."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + random_ids.token_hex(3)


def _step(info: BundleInfo, dialect: str, kind: str, catalog: Catalog) -> Step:
    relative = f"{dialect}/{kind}.sql"
    entry = info.manifest.get("files", {}).get(relative, {})
    return Step(info.name, kind, info.file(dialect, kind), entry.get("sha256", ""), f"{info.folder.name}/{relative}",
                int(entry.get("bytes") or 0))


def _resume_steps(status: TargetStatus, catalog: Catalog, goal: int) -> tuple[list[Step], str, str]:
    """A target stopped inside a release: the step scripts from the migration it stopped in (each
    skips the statements recorded as done), then upgrade.sql of every later release to the goal."""
    resume, dialect = status.resume, status.target.dialect
    index = catalog.index(resume["release"])
    if index > goal:
        return [], "refused", f"partial: {status.detail}; it stopped inside release {resume['release']}, past the goal"
    info = catalog.releases[index]
    steps = []
    for number in range(resume["migration"], resume["of"] + 1):
        path = catalog.step(index, number, dialect)
        if path is None:
            return [], "refused", f"partial: bundle {info.name} has no {dialect} step scripts to resume with"
        steps.append(_step(info, dialect, path[len(dialect) + 1 : -len(".sql")], catalog))
    for later in catalog.releases[index + 1 : goal + 1]:
        if not later.has(dialect):
            return [], "refused", f"bundle {later.name} has no {dialect} files"
        steps.append(_step(later, dialect, "upgrade", catalog))
        if later.manifest.get("stamp") == "separate":
            steps.append(_step(later, dialect, "stamp", catalog))
    return steps, "would apply", ""


def plan_steps(status: TargetStatus, catalog: Catalog, goal: int, allow_downgrade: bool,
               resume: bool = False) -> tuple[list[Step], str, str]:
    """(files to run, outcome if none run, why) for a target in state `status`; `resume`: continue a
    target that stopped inside a release (partial) from the first statement not recorded as done."""
    state, dialect = status.state, status.target.dialect
    if state == "partial" and status.resume is not None:
        if resume:
            return _resume_steps(status, catalog, goal)
        return [], "refused", f"partial: {status.detail}"
    if state == "current":
        return [], "skipped", f"already at release {status.release}"
    if state in ("unreachable", "locked"):
        return [], state, status.detail
    if state == "drifted":
        return [], "refused", f"drifted: {status.detail}; repair the schema, or pass --ignore-drift to apply anyway"
    if state in ("unmanaged", "partial") or (state == "ahead" and status.position is None):
        return [], "refused", f"{state}: {status.detail}"
    position = status.position
    if position.index > goal:
        releases = catalog.releases[goal + 1 : position.index + 1][::-1]
        if not allow_downgrade:
            return [], "refused", (
                f"at release {status.release}, past the goal {catalog.releases[goal].name}; going back runs "
                f"downgrade.sql of {', '.join(r.name for r in releases)}: pass --allow-downgrade to do that"
            )
        kinds = ["downgrade"]
    else:
        releases = catalog.releases[position.index + 1 : goal + 1]
        kinds = ["upgrade"]
    steps = []
    for info in releases:
        if not info.has(dialect):
            return [], "refused", f"bundle {info.name} has no {dialect} files"
        if kinds == ["downgrade"] and info.manifest.get("downgrade") == "refuses":
            return [], "refused", f"release {info.name} cannot be downgraded (irreversible steps; see its README)"
        steps.append(_step(info, dialect, kinds[0], catalog))
        if kinds == ["upgrade"] and info.manifest.get("stamp") == "separate":
            steps.append(_step(info, dialect, "stamp", catalog))
    return steps, "would apply", ""


def verify_bundles(infos: list[BundleInfo], require_approval: bool, pubkeys=()) -> dict[str, str]:
    """release -> what is wrong with its bundle (checksums, approval); empty when all are fine."""
    problems = {}
    for info in infos:
        result = bundles.verify(info.folder)
        if not result.ok:
            what = [f"altered {p}" for p in result.altered] + [f"missing {p}" for p in result.missing]
            what += [f"extra {p}" for p in result.extra] + result.problems
            problems[info.name] = f"bundle {info.folder.name} fails verification: {', '.join(what)}"
            continue
        if require_approval:
            from ..approval import review_status  # only here: approvals need the crypto libraries

            status = review_status(info.folder, pubkeys)
            if status.status != "approved" or not status.ok:
                why = "; ".join(status.problems) or status.text()
                problems[info.name] = f"bundle {info.folder.name} is not approved as required: {why}"
    return problems


Progress = Callable[[str, object], None]  # (event, payload): "start" n, "done" TargetRun, "wave" name


@dataclass
class _Context:
    fleet: Fleet
    catalog: Catalog
    goal: int
    secrets: Secrets
    journal: Journal
    run: str
    progress: Progress | None
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The marker lines between a session's files carry it: no file's output can know it.
    token: str = field(default_factory=lambda: random_ids.token_hex(8))


def _execute(ctx: _Context, run: TargetRun) -> TargetRun:
    """Run a target's files in order in one client session; it stops at the first failure."""
    started = time.monotonic()
    target = run.target
    try:
        password = ctx.secrets.password(target)
    except PasswordError as exc:
        run.outcome, run.detail = "unreachable", str(exc)
        return run
    invocation = _session(ctx, run, password)
    outcome, lines = clients.run_session(invocation, ctx.secrets)
    run.files = _files_run(run.steps, ctx.token, outcome, lines)
    failed = next((f for f in run.files if f["outcome"] != "applied"), None)
    if failed is None and outcome.ok:
        run.outcome = "applied"
        run.detail = f"{len(run.steps)} file(s): {run.steps[0].shown}" + (f" ... {run.steps[-1].shown}" if len(run.steps) > 1 else "")
    else:
        failed = failed or run.files[-1]
        run.outcome = "failed"
        run.detail = f"{failed['file']} failed (exit {outcome.exit_code}): {_where(outcome.first_error(), invocation, run.steps)}"
    run.seconds = time.monotonic() - started
    if run.outcome == "failed":
        # What the failure left: nothing (one transaction), or a release stopped part-way (MySQL).
        run.after = target_status(target, ctx.catalog, ctx.goal, ctx.secrets, ctx.fleet.connect_timeout)
        if run.after.state in ("current", "behind"):
            run.after.state = "failed"
            run.after.detail = f"{run.detail}; the database is still {run.after.detail}"
    _journal(ctx, run)
    return run


def _files_run(steps: list[Step], token: str, outcome: clients.Outcome, lines: list[tuple[float, str]]) -> list[dict]:
    """What became of each file of a session, from the marker lines between them (`TOKEN n`: the n-th
    ran completely): the files before the first without its marker were applied, that one failed,
    the later ones did not run. A file's seconds: from the marker before it to its own (the
    client's or server's clock where the marker carries one, else when the marker arrived); the
    failed file's: the rest of the session (connecting and ending included). Its output: the lines
    between the markers, and what the client said on stderr about it (the lines naming the file;
    the others belong to the file the session ended in)."""
    pattern = re.compile(rf"^{re.escape(token)} (\d+)(?: ([0-9.]+))?$")
    marks: dict[int, float] = {}
    output: dict[int, list[str]] = {}
    for at, line in lines:
        found = pattern.match(line.strip())
        if found and int(found.group(1)) == len(marks):  # in order only: a gap means a file did not finish
            marks[len(marks)] = float(found.group(2)) if found.group(2) else at
        elif token not in line:  # the rest of what a marker statement printed (a column name) is not a file's
            output.setdefault(len(marks), []).append(line)
    done = max(0, len(marks) - 1)  # files that ran completely
    if done == len(steps) and not outcome.ok:
        done -= 1  # the client failed after the last marker: the last file's work is not known to be complete
    last = min(done + 1, len(steps))
    errors: dict[int, list[str]] = {}
    for line in outcome.stderr.splitlines():
        named = next((n for n, s in enumerate(steps, start=1) if str(s.path) in line), last)
        errors.setdefault(named, []).append(line)
    files = []
    for number, step in enumerate(steps, start=1):
        if number <= done:
            state, code, seconds = "applied", 0, marks[number] - marks[number - 1]
        elif number == done + 1:
            ran = sum(f["seconds"] for f in files)
            state, code, seconds = "failed", outcome.exit_code or 1, max(0.0, outcome.seconds - ran)
        else:
            state, code, seconds = "not run", None, None
        text = "\n".join(errors.get(number, [])).strip() or "\n".join(output.get(number, [])).strip()
        files.append({
            "release": step.release,
            "file": step.shown,
            "sha256": step.sha256,
            "outcome": state,
            "exit_code": code,
            "seconds": round(seconds, 3) if seconds is not None else None,
            "output": text[-clients.OUTPUT_TAIL:],
        })
    return files


def _where(error: str, invocation: clients.Invocation, steps: list[Step]) -> str:
    """A client's error line, with the file and line it means where the client counted lines of all the
    files fed to it in turn ("at line 812" -> "line 40 of 1.2.0/mysql/upgrade.sql")."""
    found = re.search(r"\bline (\d+)", error)
    place = invocation.file_at(int(found.group(1))) if found and invocation.stdin_parts else None
    if place is None:
        return error
    shown = next((s.shown for s in steps if s.path == place[0]), str(place[0]))
    return f"{error} (line {place[1]} of {shown})"


def _journal(ctx: _Context, run: TargetRun) -> None:
    versions_after = run.after.versions if run.after is not None else sorted(
        ctx.catalog.releases[ctx.goal].end if run.outcome == "applied" else (run.before.versions or [])
    )
    ctx.journal.write({
        "run": ctx.run,
        "target": run.target.name,
        "dialect": run.target.dialect,
        "url": run.target.shown_url,
        "at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "from": run.before.release,
        "goal": run.before.goal,
        "outcome": run.outcome,
        "error": run.detail if run.outcome == "failed" else None,
        "versions_before": run.before.versions,
        "versions_after": versions_after,
        "seconds": round(run.seconds, 3),
        "files": run.files,
    })


def fleet_apply(
    fleet: Fleet,
    catalog: Catalog,
    *,
    names=(),
    selector: Selector | None = None,
    to: str | None = None,
    wave: str | None = None,
    jobs: int | None = None,
    per_host: int | None = None,
    dry_run: bool = False,
    allow_downgrade: bool = False,
    require_approval: bool = False,
    pubkeys=(),
    progress: Progress | None = None,
    secrets: Secrets | None = None,
    ignore_drift: bool = False,
    resume: bool = False,
) -> ApplyReport:
    """Bring the selected targets to release `to` (default: the last bundle); see the module docstring.

    A target whose schema differs from what its release expects (drift) is refused before anything
    runs, unless `ignore_drift`. A target that stopped inside a release (partial) is refused unless
    `resume`: then its step scripts continue from the first statement not recorded as done.
    Bundles read from archives are unpacked into a temporary folder for the run (not for a dry run,
    whose commands show them where `tar xzf` beside the archive puts them)."""
    packed = [info for info in catalog.releases if info.archive is not None]
    if dry_run or not packed:
        return _apply(fleet, catalog, names, selector, to, wave, jobs, per_host, dry_run, allow_downgrade,
                      require_approval, pubkeys, progress, secrets, ignore_drift, resume)
    shown = {info.name: info.folder for info in packed}
    try:
        with tempfile.TemporaryDirectory(prefix="sqlrelease-apply-") as unpacked:
            catalog.unpack(packed, Path(unpacked))
            return _apply(fleet, catalog, names, selector, to, wave, jobs, per_host, dry_run, allow_downgrade,
                          require_approval, pubkeys, progress, secrets, ignore_drift, resume)
    finally:
        for info in packed:
            info.folder = shown[info.name]


def _apply(fleet, catalog, names, selector, to, wave, jobs, per_host, dry_run, allow_downgrade, require_approval,
           pubkeys, progress, secrets, ignore_drift, resume) -> ApplyReport:
    goal = goal_index(catalog, to)
    targets = select_targets(fleet, names, selector)
    waves = plan_waves(fleet, targets, wave)
    in_waves = [t for w in waves for t in w.targets]
    ctx = _Context(fleet, catalog, goal, secrets or Secrets(), Journal(None if dry_run else (fleet.journal or default_path())), new_run_id(), progress)
    report = ApplyReport(run=ctx.run, goal=catalog.releases[goal].name, bundles=str(catalog.folder), dry_run=dry_run)
    jobs, per_host = jobs or fleet.jobs, per_host or fleet.per_host
    # Only a target with files to run can be refused for drift, so its schema is read: where the client
    # can tell, in the same session as its status, unless it is at the goal; the others, below.
    def read_schema(target) -> bool | frozenset:
        if ignore_drift or not catalog.records_schema(target.dialect):
            return False
        if schema_unless_at(target.dialect):
            return catalog.releases[goal].end
        return clients.schema_with_every_status(target.dialect)

    runs = {t.name: TargetRun(before=b) for t, b in zip(in_waves, _statuses(ctx, in_waves, jobs, per_host, read_schema))}
    for plan in waves:
        for target in plan.targets:
            runs[target.name].wave = plan.wave.name
    for run in runs.values():
        run.steps, run.outcome, run.detail = plan_steps(run.before, catalog, goal, allow_downgrade, resume)
    if not ignore_drift:
        compared = [t for t in in_waves if runs[t.name].steps and catalog.records_schema(t.dialect) and runs[t.name].before.drift is None]
        for target, status in zip(compared, _statuses(ctx, compared, jobs, per_host, lambda t: True)):
            run = runs[target.name]
            run.before = status
            run.steps, run.outcome, run.detail = plan_steps(status, catalog, goal, allow_downgrade, resume)
    needed = {s.release for run in runs.values() for s in run.steps}
    report.bundle_problems = verify_bundles([i for i in catalog.releases if i.name in needed], require_approval, pubkeys)
    for run in runs.values():
        bad = [report.bundle_problems[s.release] for s in run.steps if s.release in report.bundle_problems]
        if bad:
            run.outcome, run.detail = "refused", bad[0]
    report.targets = [runs[t.name] for t in in_waves]
    if dry_run:
        for run in report.targets:
            run.commands = _commands(ctx, run)
        return report
    stopped = None
    for plan in waves:
        if stopped is None:
            result = _run_wave(ctx, plan.wave, [runs[t.name] for t in plan.targets], jobs, per_host)
            report.waves.append(result)
            stopped = result if result.stopped else None
        for target in plan.targets:
            run = runs[target.name]
            if run.outcome == "would apply":  # never started: its wave, or an earlier one, ran out of budget
                run.outcome = "not started"
                run.detail = (
                    f"wave {stopped.name} stopped after {stopped.failures} failure(s) (failure budget {stopped.budget})"
                )
    return report


def _statuses(ctx: _Context, targets: list, jobs: int, per_host: int, with_schema) -> list[TargetStatus]:
    """The targets' status as `status` reads it (a server's databases in shared sessions); compared with
    the schema their release expects where `with_schema(target)` (see `status.status_query`) read it."""
    timeout = ctx.fleet.connect_timeout
    answers = read_all(targets, ctx.catalog, ctx.secrets, timeout, jobs=jobs, per_host=per_host, with_schema=with_schema)
    return [target_status(t, ctx.catalog, ctx.goal, ctx.secrets, timeout, check_drift=a[0] is not None and "schema" in a[0], answer=a)
            for t, a in zip(targets, answers)]


def _session(ctx: _Context, run: TargetRun, password: str | None) -> clients.Invocation:
    """The one client run of a target's files: each file as its bundle README runs it, in order."""
    return clients.session_invocation(run.target, [s.path for s in run.steps], password, timeout=ctx.fleet.connect_timeout,
                                      variables=_variables(ctx), token=ctx.token)


def _commands(ctx: _Context, run: TargetRun) -> list[str]:
    """The exact command line the run would use (no password: it goes through the environment)."""
    return [_session(ctx, run, None).shown()] if run.steps else []


def _variables(ctx: _Context) -> dict[str, str]:
    """What the run tells the files through client variables: the run id for their receipts."""
    return {"sqlrelease_run_id": ctx.run}


def _longest_first(runs: list[TargetRun]) -> list[TargetRun]:
    """The order targets start in: those with nothing to run first (refused ones count against the
    budget at once, as before), then the most SQL first, so that no long chain starts last and
    finishes alone while the other workers idle (fleet order among equals)."""
    return sorted(runs, key=lambda r: (r.outcome == "would apply", -sum(s.size for s in r.steps)))


def _run_wave(ctx: _Context, wave: Wave, runs: list[TargetRun], jobs: int, per_host: int) -> WaveResult:
    result = WaveResult(wave.name, len(runs), wave.budget_for(len(runs)))
    if ctx.progress:
        ctx.progress("wave", (wave.name, sum(1 for r in runs if r.outcome == "would apply")))

    def work(run: TargetRun) -> TargetRun:
        if run.outcome == "would apply":
            return _execute(ctx, run)
        return run

    def done(run: TargetRun, _result) -> None:
        if run.outcome in WAVE_FAILURES:
            result.failures += 1
        if ctx.progress and run.steps:
            ctx.progress("done", run)

    run_all(_longest_first(runs), work, host=lambda r: r.target.host, jobs=jobs, per_host=per_host, done=done,
            keep_going=lambda: result.failures <= result.budget)
    result.stopped = result.failures > result.budget
    return result
