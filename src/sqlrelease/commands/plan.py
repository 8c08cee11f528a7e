"""The release plan's verbs: `cut` (append a release) and `plan` (releases with their bundle status)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .. import approval, inputs
from .. import bundle as bundles
from ..config import load_config
from ..errors import PlanError
from ..plan import Plan, PlannedRelease, Release, append_release, load_plan, release_name_problem, resolve, unreleased

if TYPE_CHECKING:
    from ..project import Progress, Project


@dataclass
class ReleaseStatus:
    name: str
    previous: str | None
    start: list[str]
    end: list[str]
    bundle: str
    status: str  # missing | current | stale | tampered
    reasons: list[str]
    migrations: list[dict]
    review: str = "unreviewed"  # unreviewed | approved by ... | approval void: ...

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "previous": self.previous,
            "from": self.start,
            "to": self.end,
            "bundle": self.bundle,
            "status": self.status,
            "reasons": self.reasons,
            "migrations": self.migrations,
            "review": self.review,
        }


@dataclass
class PlanReport:
    plan: str
    releases: list[ReleaseStatus]
    unreleased: list[str]
    heads: list[str]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "plan": self.plan,
            "releases": [r.to_dict() for r in self.releases],
            "unreleased": self.unreleased,
            "heads": self.heads,
            "warnings": self.warnings,
        }


def plan_status(project: Path | str = ".") -> PlanReport:
    """The releases in apply order with their ranges, migrations and bundle status.

    The status is cheap (nothing is rendered): `tampered` when the bundle fails
    verification, `stale` when its manifest no longer matches the plan, the
    migration sources, the dialects or the generator versions; `sqlrelease check`
    compares the full bytes. When every bundle is current by the inputs its
    manifest records (see inputs.py), the report comes from the manifests and the
    history is not loaded.
    """
    config = load_config(project)
    plan = load_plan(config.plan, config.relative(config.plan))
    state = inputs.recorded_state(config, plan, visit=lambda content: approval.review_status(content).text())
    if state.current:
        return _recorded_report(config, plan, state)
    from ..project import open_project  # here: when the records settle it, no history is loaded

    proj = open_project(project)
    statuses = []
    for release in proj.releases:
        folder = proj.bundle_dir(release)
        status, reasons = _bundle_status(proj, release, folder)
        statuses.append(
            ReleaseStatus(
                name=release.name,
                previous=release.previous,
                start=list(release.start),
                end=list(release.end),
                bundle=proj.config.relative(folder),
                status=status,
                reasons=reasons,
                migrations=[
                    {"revision": r, "message": proj.history.revisions[r].message} for r in release.revisions
                ],
                review=approval.review_status(folder).text() if folder.exists() else "unreviewed",
            )
        )
    pending = unreleased(proj.releases, proj.history)
    heads = list(proj.history.heads())
    return PlanReport(proj.plan.shown, statuses, pending, heads, _warnings(pending, heads))


def _recorded_report(config, plan: Plan, state: inputs.RecordedState) -> PlanReport:
    """Every bundle current by its recorded inputs: the releases as their manifests record them."""
    statuses = [
        ReleaseStatus(
            name=recorded.name,
            previous=recorded.manifest["previous_release"],
            start=list(recorded.manifest["from"]),
            end=list(recorded.manifest["to"]),
            bundle=config.relative(recorded.folder),
            status="current",
            reasons=[],
            migrations=[{"revision": m["revision"], "message": m["message"]} for m in recorded.manifest["migrations"]],
            review=recorded.seen,
        )
        for recorded in state.bundles
    ]
    return PlanReport(plan.shown, statuses, [], state.heads, _warnings([], state.heads))


def _warnings(pending: list[str], heads: list[str]) -> list[str]:
    warnings = []
    if pending:
        warnings.append(f"{len(pending)} revision(s) belong to no release: {', '.join(pending)}")
    if len(heads) > 1:
        warnings.append(f"the history has {len(heads)} unmerged heads: {', '.join(heads)}")
    return warnings


def _bundle_status(proj: Project, release: Release, folder: Path) -> tuple[str, list[str]]:
    if not folder.exists():
        return "missing", []
    verification = bundles.verify(folder)
    if not verification.ok:
        reasons = [f"altered: {p}" for p in verification.altered]
        reasons += [f"missing: {p}" for p in verification.missing]
        reasons += [f"extra: {p}" for p in verification.extra]
        return "tampered", reasons + verification.problems
    manifest = json.loads((folder / bundles.MANIFEST).read_text(encoding="utf-8"))
    reasons = []
    if manifest.get("from") != list(release.start) or manifest.get("to") != list(release.end):
        reasons.append("the release's range changed in the plan")
    if [m["revision"] for m in manifest.get("migrations", [])] != list(release.revisions):
        reasons.append("the release holds other migrations now")
    for entry in manifest.get("migrations", []):
        revision = entry.get("revision")
        if revision in proj.history.revisions and entry.get("source_sha256") != proj.history.source_sha256(revision):
            reasons.append(f"migration {entry.get('source')} was edited after the bundle was built")
    # The manifest lists dialects alphabetically; compare as sets of names.
    from ..project import choose_dialects

    if sorted(manifest.get("dialects") or []) != sorted(choose_dialects(proj, None)):
        reasons.append("the configured dialects changed")
    if manifest.get("stamp") != proj.config.stamp:
        reasons.append("the stamp mode changed")
    if manifest.get("generator") != bundles.generator_versions():
        reasons.append("built with other versions of sqlrelease, alembic or sqlalchemy")
    return ("stale", reasons) if reasons else ("current", [])


def cut(project: Path | str = ".", name: str = "", revisions: Iterable[str] = (), progress: Progress | None = None) -> Release:
    """Append a release named `name` at the given revisions, or at the current head.

    Creates the plan file when it does not exist yet (the first release)."""
    from ..project import open_project, quiet

    progress = progress or quiet
    proj = open_project(project, new_plan=True)
    problem = release_name_problem(name)
    if problem:
        raise PlanError(problem)
    for existing in proj.plan.releases:
        if existing.name.lower() == name.lower():
            what = "exists already" if existing.name == name else f"differs from release {existing.name!r} only in case"
            raise PlanError(
                f"release {name!r} {what}", path=proj.plan.shown, line=existing.line, hint="choose a new name"
            )
    targets = list(revisions)
    if not targets:
        heads = list(proj.history.heads())
        if len(heads) > 1:
            raise PlanError(
                f"the history has {len(heads)} unmerged heads ({', '.join(heads)})",
                path=proj.plan.shown,
                release=name,
                hint=f"merge them with `{proj.history.command} merge`, or name the targets: --revision A --revision B",
            )
        targets = heads
    if not targets:
        raise PlanError("the history has no revisions yet", hint=f"create one with `{proj.history.command} revision`")
    try:
        resolved = tuple(proj.history.resolve(t) for t in targets)
    except PlanError as exc:
        raise PlanError(exc.message, path=proj.plan.shown, release=name, hint=exc.hint) from None
    candidate = Plan(proj.plan.path, proj.plan.shown, proj.plan.releases + (PlannedRelease(name, resolved),))
    # Validates ancestry and "has new migrations" exactly as loading the plan would.
    release = resolve(candidate, proj.history)[-1]
    if not proj.plan.path.exists():
        proj.plan.path.parent.mkdir(parents=True, exist_ok=True)
        progress(f"created {proj.plan.shown}, the release plan")
    append_release(proj.plan, name, resolved)
    return release
