"""`sqlrelease doctor`: which migrations render offline, and why the others do not.

`examine` renders every revision of a project, released or not, per dialect and
direction, and diagnoses each failure (diagnosis.py says why and what to do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import overrides, rehearse, servers
from ..diagnosis import CAUSES, diagnose, fix_without_server, function_def
from ..dialects import DIALECTS
from ..errors import RenderError
from ..plan import Release
from ..project import Project, choose_dialects, open_project
from ..render import render
from ..rendered import DOWNGRADE, UPGRADE, MigrationSQL


@dataclass
class Finding:
    """How one revision renders for one dialect and direction."""

    revision: str
    release: str | None  # None: not in any release yet
    source: str
    dialect: str
    direction: str
    status: str  # ok | irreversible | override | rehearse | fails
    cause: str | None = None
    summary: str | None = None
    line: int | None = None
    message: str | None = None
    fix: str | None = None

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source

    def to_dict(self) -> dict:
        return {
            "revision": self.revision,
            "release": self.release,
            "source": self.source,
            "line": self.line,
            "dialect": self.dialect,
            "direction": self.direction,
            "status": self.status,
            "cause": self.cause,
            "summary": self.summary,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every revision can be built: offline, rehearsed, overridden or accepted as irreversible."""
        return not any(f.status == "fails" for f in self.findings)

    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status != "ok"]

    def to_dict(self) -> dict:
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.status] = counts.get(finding.status, 0) + 1
        return {"ok": self.ok, "counts": dict(sorted(counts.items())), "findings": [f.to_dict() for f in self.findings]}


def examine(project, dialects, rehearsable=None) -> Report:
    """Render every revision of `project` per dialect and direction, and diagnose each failure.

    `rehearsable(dialect)` says whether a scratch database is available for it
    (default: the project's rehearsal settings). A valid override counts as
    built; a void one is reported as failing.
    """
    if rehearsable is None:
        rehearsable = lambda dialect: servers.available(project.config, dialect)  # noqa: E731
    found = overrides.status(project)
    overridden = {o.key for o in found if o.status == "valid"}
    history = project.history
    release_of = {rev: release.name for release in project.releases for rev in release.revisions}
    order = history.order(history.revisions)
    report = Report()
    for override in found:
        if override.status != "valid":
            report.findings.append(
                Finding(override.revision, release_of.get(override.revision), override.file, override.dialect,
                        override.direction, "fails", "override_" + override.status,
                        f"override is {override.status}", 1, override.problem,
                        "review the override against the migration and update its header, or delete it")
            )
    for name in dialects:
        up = render(project.config, history, DIALECTS[name], UPGRADE, order).migrations
        down = render(project.config, history, DIALECTS[name], DOWNGRADE, list(reversed(order))).migrations
        findings = [
            _finding(history, revision, release_of.get(revision), name, direction, sql, up[revision], overridden, rehearsable)
            for revision in order
            for direction, sql in ((UPGRADE, up[revision]), (DOWNGRADE, down[revision]))
        ]
        if rehearsable(name) and servers.available(project.config, name):
            _rehearsed(project, name, findings)
        report.findings.extend(findings)
    return report


def _finding(history, revision, release, dialect, direction, sql: MigrationSQL, up: MigrationSQL, overridden, rehearsable) -> Finding:
    path = history.revisions[revision].path
    finding = Finding(revision, release, history.source_path(revision), dialect, direction, "ok")
    if (revision, dialect, direction) in overridden:
        finding.status = "override"
        return finding
    if sql.failure is None:
        if direction == DOWNGRADE and not sql.statements and up.statements and up.failure is None:
            cause = CAUSES["no_downgrade"]
            finding.status, finding.cause, finding.summary, finding.fix = "irreversible", cause.code, "downgrade() does nothing", cause.fix
            finding.line = function_def(path, DOWNGRADE).lineno if function_def(path, DOWNGRADE) else None
        return finding
    diagnosis = diagnose(path, sql.failure, direction)
    finding.cause, finding.summary = diagnosis.cause.code, diagnosis.summary
    finding.line, finding.message, finding.fix = diagnosis.line, diagnosis.message, diagnosis.cause.fix
    if diagnosis.cause.rehearsable and rehearsable(dialect):
        finding.status = "rehearse"
    else:
        # A downgrade that cannot render makes its release irreversible; it does not stop the build.
        stops = direction == UPGRADE or diagnosis.cause.code == "process_exit"
        finding.status = "fails" if stops else "irreversible"
        finding.fix = fix_without_server(diagnosis.cause, dialect)
    return finding


def _rehearsed(project: Project, dialect: str, findings: list[Finding]) -> None:
    """Rehearse what doctor would have rehearsed, on a scratch database, and report the real outcome.

    The whole history runs up, then down, once; a step that fails there fails online too.
    """
    todo = {(f.revision, f.direction): f for f in findings if f.status == "rehearse"}
    if not todo:
        return
    history = project.history
    order = tuple(history.order(history.revisions))
    everything = Release("(doctor)", None, (), history.heads_of(order), order, frozenset())
    try:
        with rehearse.scratch_database(project.config, dialect) as scratch_url:
            recorded = rehearse.rehearse_release(project, everything, dialect, scratch_url, set(todo))
    except RenderError as exc:  # an upgrade failed on the scratch database: the rest was not reached
        found = todo.get((exc.revision, UPGRADE))
        if found is not None:
            _fails_online(found, exc.message.split(": ", 1)[-1], exc.line)
        return
    for key, sql in recorded.items():
        if sql.failure is not None and sql.failure.blocked_by is None:
            _fails_online(todo[key], sql.failure.cause, sql.failure.line)


def _fails_online(finding: Finding, message: str, line: int | None) -> None:
    cause = CAUSES["migration_error"]
    finding.status = "irreversible" if finding.direction == DOWNGRADE else "fails"
    finding.cause, finding.fix, finding.message, finding.line = cause.code, cause.fix, message, line
    finding.summary = f"{cause.summary} (it failed on the scratch database it was rehearsed on)"


def doctor(project: Path | str = ".", dialects=None) -> Report:
    """Render every revision, released or not, per dialect and direction, and diagnose what cannot render offline."""
    proj = open_project(project)
    return examine(proj, choose_dialects(proj, dialects))
