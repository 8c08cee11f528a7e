"""`sqlrelease check`: committed bundles against what the history renders now.

The caller renders every bundle in memory; this module compares those bytes
with the committed folders and says why they differ where that can be told,
most serious cause first: a migration edited after its release was built
(the approval no longer covers the source), a bundle file edited by hand,
missing or extra, a bundle never built, other generator versions, and plain
drift of the rendered bytes. It also reports revisions no release holds and
unmerged heads.

By default a check first asks whether the bundles are current by what their
manifests record (inputs.py): when every input that decides the bytes is as
recorded, nothing is rendered. Anything unrecorded or different, and `render=True`
(`check --render`, what CI runs), renders every bundle and compares the bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import archive, inputs
from .. import bundle as bundles
from ..config import Config, load_config
from ..errors import ConfigError
from ..plan import Plan, load_plan, unreleased

if TYPE_CHECKING:
    from ..diff import FileDiff
    from ..project import Progress, Project

ERROR = "error"
WARNING = "warning"

# Finding kinds, most serious first; reports list findings in this order.
KINDS = (
    "source-edited",  # a released migration's source differs from the manifest's sha256
    "file-edited",  # a bundle file no longer matches its recorded checksum
    "file-missing",
    "file-extra",
    "bundle-missing",  # a release in the plan without a bundle folder
    "bundle-unplanned",  # a bundle folder for no release in the plan
    "plan-changed",  # the release's range, migrations, dialects or stamp mode changed
    "generator-changed",  # other sqlrelease / alembic / sqlalchemy versions
    "inputs-changed",  # env.py, alembic.ini, settings, plan, overrides, waivers or templates changed
    "bytes-differ",  # rendered bytes differ and no cause above explains it
    "approval",  # with --require-approval: a bundle without a valid signed approval of its bytes
    "leftover",  # a staging or retired folder an interrupted build left in the bundles folder
    "archive-stale",  # releases/<name>.tar.gz (or .zip) is not the archive of the bundle as it is now
    "unreleased",
    "heads",
)

DIFF_LINES = 40  # per file, unless --full
# Bundle files that record the generator versions (and SHA256SUMS, which covers them); the rest is SQL and review.
GENERATOR_RECORDS = ("manifest.json", "SHA256SUMS", "README.md")
DIFF_FILES = 12  # per check, unless --full


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    message: str
    release: str | None = None
    file: str | None = None  # a migration source or a bundle file, relative to the project
    revision: str | None = None

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "release": self.release,
            "file": self.file,
            "revision": self.revision,
        }


@dataclass
class ReleaseCheck:
    release: str
    bundle: str
    status: str  # current | drift | missing
    diffs: list[FileDiff] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"release": self.release, "bundle": self.bundle, "status": self.status}


@dataclass
class CheckReport:
    releases: list[ReleaseCheck]
    findings: list[Finding]
    unreleased: list[str]
    heads: list[str]
    strict: bool = False
    # How the bundles were compared: "inputs" (their recorded inputs all hold; nothing
    # rendered) or "render" (rendered and compared byte for byte), and why it rendered.
    method: str = "render"
    rendered_because: str | None = None
    approval_exit: int = 0  # 3 an approval does not hold, 4 a required one is missing (as `verify`)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def exit_code(self) -> int:
        """0: bundles match; 1: drift (or, with strict, any warning); 3/4: approvals, as `verify`."""
        if any(f.kind != "approval" for f in self.errors) or (self.strict and self.warnings):
            return 1
        return self.approval_exit

    @property
    def diffs(self) -> list[tuple[str, FileDiff]]:
        return [(r.release, d) for r in self.releases for d in r.diffs]

    def to_dict(self, full: bool = False) -> dict:
        limit = None if full else DIFF_LINES
        diffs = self.diffs if full else self.diffs[:DIFF_FILES]
        return {
            "ok": self.exit_code == 0,
            "exit_code": self.exit_code,
            "strict": self.strict,
            "method": self.method,
            "rendered_because": self.rendered_because,
            "releases": [r.to_dict() for r in self.releases],
            "findings": [f.to_dict() for f in self.findings],
            "diffs": [{"release": name, **d.to_dict(limit)} for name, d in diffs],
            "diffs_left_out": len(self.diffs) - len(diffs),
            "unreleased": self.unreleased,
            "heads": self.heads,
        }


def check_project(project: Project, rendered: dict[str, dict[str, bytes]], strict: bool = False) -> CheckReport:
    """Compare `rendered` ({release: {path: bytes}}, every release) with the committed bundles."""
    from ..diff import diff_files  # here: a check by the recorded inputs compares no bytes

    findings: list[Finding] = []
    results = []
    for release in project.releases:
        folder = project.bundle_dir(release)
        shown = project.config.relative(folder)
        if not folder.is_dir():
            findings.append(
                Finding(
                    "bundle-missing",
                    ERROR,
                    f"release {release.name} has no bundle: {shown} does not exist (run `sqlrelease build {release.name}`)",
                    release.name,
                    shown,
                )
            )
            results.append(ReleaseCheck(release.name, shown, "missing"))
            continue
        committed = bundles.read_files(folder)
        diffs = diff_files(committed, rendered[release.name], shown, shown, "(committed)", "(rendered)")
        causes = release_causes(project, release, folder, committed, diffs, rendered[release.name]) if diffs else []
        findings += causes
        if causes and all(c.severity == WARNING for c in causes):
            diffs = []  # only recorded versions or inputs differ: the SQL is the same bytes
        results.append(ReleaseCheck(release.name, shown, "drift" if diffs else "current", diffs))
    findings += _bundle_folder_findings(project.config, project.plan)
    pending = unreleased(project.releases, project.history)
    heads = list(project.history.heads())
    findings += _graph_warnings(pending, heads, project.history.command)
    findings.sort(key=lambda f: KINDS.index(f.kind))
    return CheckReport(results, findings, pending, heads, strict)


def _graph_warnings(pending: list[str], heads: list[str], command: str) -> list[Finding]:
    """Revisions in no release, unmerged heads; `command` runs Alembic (`alembic`, `flask db`)."""
    found = []
    if pending:
        found.append(
            Finding(
                "unreleased",
                WARNING,
                f"{len(pending)} revision(s) belong to no release: {', '.join(pending)} "
                "(cut a release with `sqlrelease cut NAME`)",
            )
        )
    if len(heads) > 1:
        found.append(
            Finding(
                "heads",
                WARNING,
                f"the history has {len(heads)} unmerged heads: {', '.join(heads)} (merge them with `{command} merge`)",
            )
        )
    return found


def release_causes(project: Project, release, folder: Path, committed: dict[str, bytes], diffs, rendered=None) -> list[Finding]:
    """Why a committed bundle differs from its rendering (`rendered`, its files), as far as can be told."""
    name, shown = release.name, project.config.relative(folder)
    found: list[Finding] = []
    manifest = _manifest(committed)
    for entry in manifest.get("migrations", []):
        revision = entry.get("revision")
        if revision in project.history.revisions and entry.get("source_sha256") != project.history.source_sha256(revision):
            source = project.history.source_path(revision)
            found.append(
                Finding(
                    "source-edited",
                    ERROR,
                    f"{source} was edited after release {name} was built: its sha256 differs from the manifest, "
                    "so the reviewed bundle no longer matches the migration (revert the edit, or put the change "
                    "in a new revision)",
                    name,
                    source,
                    revision,
                )
            )
    verification = bundles.verify(folder, shown)
    for path in verification.altered:
        found.append(
            Finding("file-edited", ERROR, f"{shown}/{path} was edited by hand: it no longer matches its checksum", name, f"{shown}/{path}")
        )
    for problem in verification.problems:
        found.append(Finding("file-edited", ERROR, f"{shown}: {problem}", name, shown))
    for diff in diffs:
        if diff.change == "missing":  # only in the committed folder
            found.append(Finding("file-extra", ERROR, f"{shown}/{diff.path} is not part of the bundle", name, f"{shown}/{diff.path}"))
        elif diff.change == "added":  # only in the rendering
            found.append(Finding("file-missing", ERROR, f"{shown}/{diff.path} is missing from the bundle", name, f"{shown}/{diff.path}"))
    found += _plan_changes(project, release, manifest, shown)
    # Rebuilding when only the recorded generator versions or inputs would change (the SQL and
    # review are the same bytes) would void every approval for nothing: then they are warnings,
    # and --strict decides.
    recorded_only = not found and all(d.path in GENERATOR_RECORDS for d in diffs)
    found += _generator_changed(manifest.get("generator"), name, shown, recorded_only)
    if rendered is not None:
        found += _inputs_changed(manifest.get("inputs"), _manifest(rendered).get("inputs"), name, shown, recorded_only)
    if not found:
        paths = ", ".join(d.path for d in diffs)
        found.append(
            Finding(
                "bytes-differ",
                ERROR,
                f"{shown} differs from what the history renders now ({paths}); rebuild with `sqlrelease build {name}`",
                name,
                shown,
            )
        )
    return found


def _generator_changed(generator, name: str, shown: str, recorded_only: bool) -> list[Finding]:
    current = bundles.generator_versions()
    if not isinstance(generator, dict) or generator == current:
        return []
    changes = ", ".join(
        f"{tool} {generator.get(tool, '?')} -> {version}" for tool, version in current.items() if generator.get(tool) != version
    )
    if recorded_only:
        message = (
            f"{shown} was built with other versions ({changes}); its SQL files are byte-identical to "
            "what these versions render, so it need not be rebuilt"
        )
    else:
        message = (
            f"{shown} was built with other versions ({changes}); rebuild it with `sqlrelease build {name}` "
            "and review the difference, or install the versions the manifest records"
        )
    return [Finding("generator-changed", WARNING if recorded_only else ERROR, message, name, f"{shown}/{bundles.MANIFEST}")]


def _inputs_changed(recorded, current, name: str, shown: str, recorded_only: bool) -> list[Finding]:
    """Which recorded inputs differ from the current ones."""
    if not isinstance(recorded, dict) or not isinstance(current, dict):
        return []
    changed = [inputs.describe(key, recorded.get(key), current.get(key)) for key in current if recorded.get(key) != current.get(key)]
    if not changed:
        return []
    what = f"{', '.join(changed)} changed since {shown} was built"
    if recorded_only:
        message = (
            f"{what}; its SQL files are byte-identical to what renders now, so it need not be rebuilt "
            f"(rebuilding records the new inputs, and check then needs no rendering)"
        )
    else:
        message = f"{what}; rebuild it with `sqlrelease build {name}` and review the difference"
    return [Finding("inputs-changed", WARNING if recorded_only else ERROR, message, name, f"{shown}/{bundles.MANIFEST}")]


def _manifest(committed: dict[str, bytes]) -> dict:
    try:
        manifest = json.loads(committed.get(bundles.MANIFEST, b"{}"))
    except ValueError:
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _plan_changes(project: Project, release, manifest: dict, shown: str) -> list[Finding]:
    reasons = []
    if manifest.get("from") != list(release.start) or manifest.get("to") != list(release.end):
        reasons.append("its range changed in the plan")
    elif [m.get("revision") for m in manifest.get("migrations", [])] != list(release.revisions):
        reasons.append("it holds other migrations now")
    # The manifest lists dialects alphabetically; compare as sets of names.
    if "dialects" in manifest and sorted(manifest["dialects"] or []) != sorted(set(project.config.dialects)):
        reasons.append("the configured dialects changed")
    if "stamp" in manifest and manifest["stamp"] != project.config.stamp:
        reasons.append("the stamp mode changed")
    return [
        Finding("plan-changed", ERROR, f"{shown} was built for another plan or configuration: {reason}", release.name, shown)
        for reason in reasons
    ]


def _bundle_folder_findings(config: Config, plan: Plan) -> list[Finding]:
    """What the bundles folder holds besides current bundles: bundles of no release, stale archives,
    what an interrupted build left. The same whether the bundles were rendered or not."""
    found = _unplanned(config, plan) + _stale_archives(config, plan)
    for path in bundles.leftovers(config.bundles):
        shown = config.relative(path)
        found.append(Finding("leftover", WARNING, f"{shown} was left by an interrupted build or pack; "
                             "the next `sqlrelease build` removes it", None, shown))
    return found


def _stale_archives(config: Config, plan: Plan) -> list[Finding]:
    """Archives beside the bundle folders (`sqlrelease pack`) that no longer hold what the folder holds."""
    found = []
    for release in plan.releases:
        folder = config.bundles / release.name
        for suffix in archive.FORMATS.values():
            packed = folder.with_name(folder.name + suffix)
            if not folder.is_dir() or not packed.is_file():
                continue
            if packed.read_bytes() != bundles.archive_bytes(bundles.open_bundle(folder), suffix):
                shown = config.relative(packed)
                again = f"sqlrelease pack {release.name}" + (" --format zip" if suffix == ".zip" else "")
                found.append(Finding("archive-stale", WARNING, f"{shown} is not the archive of "
                                     f"{config.relative(folder)} as it is now (run `{again}`)", release.name, shown))
    return found


def _unplanned(config: Config, plan: Plan) -> list[Finding]:
    return [
        Finding(
            "bundle-unplanned",
            ERROR,
            f"{config.relative(child)} is the bundle of no release in {plan.shown} (remove it, or restore its release)",
            child.name,
            config.relative(child),
        )
        for child in inputs.unplanned_bundles(config, plan)
    ]


def check(
    project: Path | str = ".",
    strict: bool = False,
    progress: Progress | None = None,
    pubkeys=(),
    require_approval: bool = False,
    render: bool = False,
    jobs: int | None = None,
):
    """Whether the committed bundles are exactly what the history renders now.

    First by their recorded inputs (nothing rendered when all hold); with `render`,
    or when any input is unrecorded or different, by rendering every bundle in
    memory and comparing it byte for byte (in `jobs` worker processes, default: the
    number of cores). The report's `method` says which.

    With `require_approval`, every bundle also needs an approval of its current
    bytes signed by one of `pubkeys` (exit code 4 otherwise, 3 for an approval
    that does not hold)."""
    if require_approval and not pubkeys:
        raise ConfigError("--require-approval needs --pubkey KEY", hint="only a signature by a key you trust shows who approved")
    if require_approval:
        from .. import approval  # here: only approvals need it

        keys = approval.load_public_keys(pubkeys)
    else:
        keys = {}
    config = load_config(project)
    plan = load_plan(config.plan, config.relative(config.plan))
    state = None if render else inputs.recorded_state(config, plan)
    if state is not None and state.current:
        report = _recorded_report(config, plan, state, strict)
    else:
        # Here, not at the top: rendering (the history, Alembic, SQLAlchemy, lint) is not needed
        # when the recorded inputs settle it.
        from ..project import open_project, quiet
        from .build import render_bundles

        progress = progress or quiet

        proj = open_project(project)
        if state is not None:
            progress(f"rendering every bundle: {state.reason}")
        report = check_project(proj, render_bundles(proj, progress=progress, jobs=jobs), strict)
        report.rendered_because = state.reason if state is not None else "--render"
    if require_approval:
        _require_approvals(config, [r.name for r in plan.releases], report, keys)
    return report


def _recorded_report(config: Config, plan: Plan, state: inputs.RecordedState, strict: bool) -> CheckReport:
    """Every bundle current by its recorded inputs: the report a render would give."""
    results = [ReleaseCheck(b.name, config.relative(b.folder), "current") for b in state.bundles]
    command = _alembic_command(config, state) if len(state.heads) > 1 else ""  # only the heads warning names it
    findings = _bundle_folder_findings(config, plan) + _graph_warnings([], state.heads, command)
    findings.sort(key=lambda f: KINDS.index(f.kind))
    return CheckReport(results, findings, [], state.heads, strict, method="inputs")


def _alembic_command(config: Config, state: inputs.RecordedState) -> str:
    """How the project runs Alembic, read from the env.py the manifests record."""
    from ..history import alembic_command  # imports Alembic: only for the rare warning that needs it

    env_py = next((p for b in state.bundles for p in b.manifest["inputs"]["files"] if p.endswith("env.py")), None)
    return alembic_command((config.root / env_py).parent) if env_py else "alembic"


def _require_approvals(config: Config, names: list[str], report: CheckReport, keys: dict) -> None:
    from .. import approval
    codes = set()
    for name in names:
        folder = config.bundles / name
        if not folder.is_dir():
            continue  # reported as bundle-missing
        shown = config.relative(folder)
        status = approval.review_status(folder, keys, require=True)
        if status.ok:
            continue
        codes.add(status.exit_code)
        whys = status.problems + ([status.text()] if status.status == "void" else [])
        for why in whys + ([status.unapproved()] if status.unapproved() else []):
            report.findings.append(Finding("approval", ERROR, f"{shown}: {why}", name, shown))
    report.approval_exit = 3 if 3 in codes else 4 if codes else 0
    report.findings.sort(key=lambda f: KINDS.index(f.kind))
