"""The reviewer's verbs: `lint` a project's releases, `waive` a finding, `approve` a built bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .. import bundle as bundles
from .. import lint
from ..diff import diff_files
from ..approval import APPROVALS, approve
from ..errors import InputError, ReviewError
from ..project import choose_dialects, open_project, render_releases, select_releases
from ..review import add_waivers, load_waivers
from .build import render_bundles


def lint_project(project: Path | str = ".", names: Iterable[str] = (), dialects=None) -> list[lint.Finding]:
    """Findings of the named releases (all when none are named), with the project's waivers applied."""
    proj = open_project(project)
    releases = select_releases(proj, names)
    chosen = choose_dialects(proj, dialects)
    rendered = render_releases(proj, releases, chosen)
    waivers = load_waivers(proj.config)
    return [f for release in releases for f in lint.lint_release(rendered[release.name], chosen, waivers)]


def waive(
    project: Path | str,
    release: str,
    rule: str,
    revision: str,
    reason: str,
    by: str = "",
    dialect: str | None = None,
    statement: int | None = None,
) -> list[lint.Waiver]:
    """Accept the findings of `rule` in `revision` of `release` (all dialects unless one is named)."""
    if rule not in lint.RULES:
        raise InputError(f"unknown rule {rule!r}", hint=f"rules: {', '.join(lint.RULES)}")
    if not reason.strip():
        raise InputError("a waiver needs a --reason")
    proj = open_project(project)
    revision = proj.history.resolve(revision)
    if dialect is not None:
        [dialect] = choose_dialects(proj, [dialect])
    wanted = proj.release(release)
    if revision not in wanted.revisions:
        holder = next((r.name for r in proj.releases if revision in r.revisions), None)
        raise InputError(
            f"revision {revision} is not in release {release}"
            + (f": it is in release {holder}" if holder else ": no release holds it yet"),
            release=release,
            revision=revision,
            hint=f"sqlrelease waive {holder} {rule} --revision {revision}" if holder else "cut a release that holds it first",
        )
    findings = lint_project(project, [release], [dialect] if dialect else None)
    matching = [
        f
        for f in findings
        if f.rule == rule and f.revision == revision and (statement is None or f.statement == statement)
    ]
    if not matching:
        present = sorted({f"{f.rule}" + (f" (statement {f.statement})" if f.statement else "") for f in findings if f.revision == revision})
        raise ReviewError(
            f"release {release}, revision {revision}: no {rule} finding to waive",
            hint=f"findings there: {', '.join(present)}" if present else "that migration has no findings",
        )
    return add_waivers(proj.config, release, matching, reason.strip(), by.strip(), every_dialect=dialect is None)


def approve_release(project: Path | str, release: str, by: str, key: Path | str | None = None, force: bool = False) -> dict:
    """Approve the built bundle of `release` as it is now.

    A bundle that `check` would call stale (other bytes than the history renders now: a
    migration, the plan or the configuration changed since the build) is refused unless
    `force`: the reviewer would approve SQL that the next build replaces."""
    proj = open_project(project)
    folder = proj.bundle_dir(proj.release(release))
    if not folder.is_dir():
        raise ReviewError(f"release {release} has no bundle at {proj.config.relative(folder)}", hint=f"sqlrelease build {release}")
    if not force:
        rendered = render_bundles(proj, [release])[release]
        differ = diff_files(bundles.read_files(folder), rendered, "", "")
        if differ:
            shown = proj.config.relative(folder)
            raise ReviewError(
                f"{shown} is stale: {', '.join(d.path for d in differ)} differ from what the history renders now; "
                "refusing to approve bytes the next build replaces",
                release=release,
                hint=f"see why with `sqlrelease check`, rebuild with `sqlrelease build {release}` and review it, "
                "or approve it as it is with --force",
            )
    approval = approve(folder, by, key, release)
    approval["file"] = proj.config.relative(folder / APPROVALS)
    return approval
