"""`sqlrelease check`: committed bundles against what the history renders now.

The caller renders every bundle in memory; this module compares those bytes
with the committed folders and says why they differ where that can be told,
most serious cause first: a migration edited after its release was built
(the approval no longer covers the source), a bundle file edited by hand,
missing or extra, a bundle never built, other generator versions, and plain
drift of the rendered bytes. It also reports revisions no release holds and
unmerged heads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import approval, archive
from .. import bundle as bundles
from .build import render_bundles
from ..diff import FileDiff, diff_files
from ..errors import ConfigError
from ..plan import unreleased
from ..project import Progress, Project, open_project, quiet

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
            "releases": [r.to_dict() for r in self.releases],
            "findings": [f.to_dict() for f in self.findings],
            "diffs": [{"release": name, **d.to_dict(limit)} for name, d in diffs],
            "diffs_left_out": len(self.diffs) - len(diffs),
            "unreleased": self.unreleased,
            "heads": self.heads,
        }


def check_project(project: Project, rendered: dict[str, dict[str, bytes]], strict: bool = False) -> CheckReport:
    """Compare `rendered` ({release: {path: bytes}}, every release) with the committed bundles."""
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
        causes = release_causes(project, release, folder, committed, diffs) if diffs else []
        findings += causes
        if causes and all(c.severity == WARNING for c in causes):
            diffs = []  # only the recorded generator versions differ: the SQL is the same bytes
        results.append(ReleaseCheck(release.name, shown, "drift" if diffs else "current", diffs))
    findings += _unplanned_bundles(project)
    findings += _stale_archives(project)
    for path in bundles.leftovers(project.config.bundles):
        shown = project.config.relative(path)
        findings.append(Finding("leftover", WARNING, f"{shown} was left by an interrupted build or pack; "
                                "the next `sqlrelease build` removes it", None, shown))
    pending = unreleased(project.releases, project.history)
    heads = list(project.history.heads())
    if pending:
        findings.append(
            Finding(
                "unreleased",
                WARNING,
                f"{len(pending)} revision(s) belong to no release: {', '.join(pending)} "
                "(cut a release with `sqlrelease cut NAME`)",
            )
        )
    if len(heads) > 1:
        findings.append(
            Finding(
                "heads",
                WARNING,
                f"the history has {len(heads)} unmerged heads: {', '.join(heads)} (merge them with `{project.history.command} merge`)",
            )
        )
    findings.sort(key=lambda f: KINDS.index(f.kind))
    return CheckReport(results, findings, pending, heads, strict)


def release_causes(project: Project, release, folder: Path, committed: dict[str, bytes], diffs) -> list[Finding]:
    """Why a committed bundle differs from its rendering, as far as can be told."""
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
    generator = manifest.get("generator")
    current = bundles.generator_versions()
    if isinstance(generator, dict) and generator != current:
        changes = ", ".join(
            f"{tool} {generator.get(tool, '?')} -> {version}"
            for tool, version in current.items()
            if generator.get(tool) != version
        )
        if not found and all(d.path in GENERATOR_RECORDS for d in diffs):
            # Rebuilding would change only where the versions are written and void every
            # approval for nothing: say so, and let --strict decide.
            found.append(
                Finding(
                    "generator-changed",
                    WARNING,
                    f"{shown} was built with other versions ({changes}); its SQL files are byte-identical to "
                    "what these versions render, so it need not be rebuilt",
                    name,
                    f"{shown}/{bundles.MANIFEST}",
                )
            )
            return found
        found.append(
            Finding(
                "generator-changed",
                ERROR,
                f"{shown} was built with other versions ({changes}); rebuild it with `sqlrelease build {name}` "
                "and review the difference, or install the versions the manifest records",
                name,
                f"{shown}/{bundles.MANIFEST}",
            )
        )
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


def _stale_archives(project: Project) -> list[Finding]:
    """Archives beside the bundle folders (`sqlrelease pack`) that no longer hold what the folder holds."""
    found = []
    for release in project.releases:
        folder = project.bundle_dir(release)
        for suffix in archive.FORMATS.values():
            packed = folder.with_name(folder.name + suffix)
            if not folder.is_dir() or not packed.is_file():
                continue
            if packed.read_bytes() != bundles.archive_bytes(bundles.open_bundle(folder), suffix):
                shown = project.config.relative(packed)
                again = f"sqlrelease pack {release.name}" + (" --format zip" if suffix == ".zip" else "")
                found.append(Finding("archive-stale", WARNING, f"{shown} is not the archive of "
                                     f"{project.config.relative(folder)} as it is now (run `{again}`)", release.name, shown))
    return found


def _unplanned_bundles(project: Project) -> list[Finding]:
    folder = project.config.bundles
    if not folder.is_dir():
        return []
    planned = {r.name for r in project.releases}
    found = []
    for child in sorted(folder.iterdir()):
        if child.is_dir() and not child.name.startswith(".") and child.name not in planned:
            shown = project.config.relative(child)
            found.append(
                Finding(
                    "bundle-unplanned",
                    ERROR,
                    f"{shown} is the bundle of no release in {project.plan.shown} (remove it, or restore its release)",
                    child.name,
                    shown,
                )
            )
    return found


def check(
    project: Path | str = ".",
    strict: bool = False,
    progress: Progress = quiet,
    pubkeys=(),
    require_approval: bool = False,
):
    """Render every bundle in memory and compare it byte for byte with the committed bundles.

    With `require_approval`, every bundle also needs an approval of its current
    bytes signed by one of `pubkeys` (exit code 4 otherwise, 3 for an approval
    that does not hold)."""
    if require_approval and not pubkeys:
        raise ConfigError("--require-approval needs --pubkey KEY", hint="only a signature by a key you trust shows who approved")
    keys = approval.load_public_keys(pubkeys) if require_approval else {}
    proj = open_project(project)
    report = check_project(proj, render_bundles(proj, progress=progress), strict)
    if require_approval:
        _require_approvals(proj, report, keys)
    return report


def _require_approvals(project: Project, report: CheckReport, keys: dict) -> None:
    codes = set()
    for release in project.releases:
        folder = project.bundle_dir(release)
        if not folder.is_dir():
            continue  # reported as bundle-missing
        shown = project.config.relative(folder)
        status = approval.review_status(folder, keys, require=True)
        if status.ok:
            continue
        codes.add(status.exit_code)
        whys = status.problems + ([status.text()] if status.status == "void" else [])
        for why in whys + ([status.unapproved()] if status.unapproved() else []):
            report.findings.append(Finding("approval", ERROR, f"{shown}: {why}", release.name, shown))
    report.approval_exit = 3 if 3 in codes else 4 if codes else 0
    report.findings.sort(key=lambda f: KINDS.index(f.kind))
