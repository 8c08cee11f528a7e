"""`sqlrelease diff`: the SQL difference between two releases, or committed bundles against a fresh rendering."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .. import bundle as bundles
from ..diff import diff_files, sql_only, statement_files
from ..project import Progress, choose_dialects, open_project, quiet, render_releases, select_releases
from .build import render_bundles


def diff_releases(project: Path | str, old: str, new: str, dialect: str | None = None, files: bool = False):
    """The SQL difference between two releases: the statements of their migrations per dialect and
    direction (rendered from the history), or with `files` their whole bundle SQL files (headers,
    guards, version-table changes; a bundle not built yet is rendered in memory)."""
    proj = open_project(project)
    releases = [proj.release(old), proj.release(new)]
    if dialect is not None:
        [dialect] = choose_dialects(proj, [dialect])
    if not files:
        chosen = choose_dialects(proj, [dialect] if dialect else None)
        messages = {rev: r.message for rev, r in proj.history.revisions.items()}
        (a, a_sql), (b, b_sql) = (
            (proj.config.relative(proj.bundle_dir(r)), statement_files(render_releases(proj, [r], chosen)[r.name], messages))
            for r in releases
        )
        return diff_files(a_sql, b_sql, a, b, "(migrations' statements)", "(migrations' statements)")
    unbuilt = [r.name for r in releases if not proj.bundle_dir(r).is_dir()]
    rendered = render_bundles(proj, unbuilt) if unbuilt else {}
    sides = []
    for release in releases:
        folder = proj.bundle_dir(release)
        if release.name in rendered:
            sides.append((proj.config.relative(folder), "(rendered, not built)", rendered[release.name]))
        else:
            sides.append((proj.config.relative(folder), "", bundles.read_files(folder)))
    (old_name, old_note, old_files), (new_name, new_note, new_files) = sides
    return diff_files(
        sql_only(old_files, dialect), sql_only(new_files, dialect), old_name, new_name, old_note, new_note
    )


def diff_build(project: Path | str = ".", names: Iterable[str] = (), progress: Progress = quiet):
    """Committed bundles against freshly rendered ones: [(release name, FileDiff)]."""
    proj = open_project(project)
    rendered = render_bundles(proj, names, progress=progress)
    found = []
    for release in select_releases(proj, names):
        folder = proj.bundle_dir(release)
        shown = proj.config.relative(folder)
        committed = bundles.read_files(folder) if folder.is_dir() else {}
        for item in diff_files(committed, rendered[release.name], shown, shown, "(committed)", "(rendered)"):
            found.append((release.name, item))
    return found
