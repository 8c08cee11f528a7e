"""`sqlrelease build`: render releases and write their bundles.

`each_bundle` makes each bundle's bytes (rendering, the risk report, the bundle
format) one after the other; `check` and `diff` compare those bytes, `build` writes
each as it comes (`render_bundles` holds them all).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
import shutil
from typing import Iterable, Iterator

from .. import approval, inputs, lint, review, workers
from .. import bundle as bundles
from ..dialects import DIALECTS
from ..errors import SqlreleaseError
from ..expected import expected_schemas
from ..project import Progress, Project, choose_dialects, open_project, quiet, render_releases, select_releases
from ..plan import Release


MIN_PARALLEL_ASSEMBLY = 500  # migrations in the releases built, below which they are assembled in this process


@dataclass
class Built:
    release: str
    bundle: str
    written: bool  # False: the bundle already held exactly these bytes
    dialects: tuple[str, ...] = ()  # what the bundle holds now
    dropped: tuple[str, ...] = ()  # dialects the bundle held before and no longer does
    discarded: tuple[str, ...] = ()  # files of the old bundle edited by hand (or added to it): replaced
    voided: tuple[str, ...] = ()  # who had approved the old bundle's bytes: their approvals no longer apply
    notes: tuple[str, ...] = ()  # what the release engineer must look at (rehearsed SQL that rows decided)

    def to_dict(self) -> dict:
        return {
            "release": self.release,
            "bundle": self.bundle,
            "status": "written" if self.written else "unchanged",
            "dialects": list(self.dialects),
            "dropped": list(self.dropped),
            "discarded": list(self.discarded),
            "voided": list(self.voided),
            "notes": list(self.notes),
        }


def _notes(files: dict[str, bytes]) -> tuple[str, ...]:
    """Steps whose SQL the run that made it decided: the scratch database's rows, or values computed while
    the migration ran (rehearsed, or rendered offline)."""
    manifest = json.loads(files["manifest.json"])
    notes = []
    for m in manifest["migrations"]:
        if m.get("data_dependent"):
            notes.append(
                f"{m['revision']}: the rehearsed SQL of {', '.join(m['data_dependent'])} depends on the scratch database's "
                "rows (it read them, or looped until they said stop); review it in REVIEW.md, write the step as "
                "set-based SQL, or supply an override")
        if m.get("volatile"):
            notes.append(
                f"{m['revision']}: the SQL of {', '.join(m['volatile'])} holds values the migration computed "
                "while it ran (they differed between two runs of it: uuid4(), now(), random); every server would get "
                "the build's values and each build writes new ones; compute them in SQL (set-based "
                "INSERT ... SELECT with the database's own uuid/now functions) or supply an override")
    return tuple(notes)


def render_bundles(
    project: Project, names: Iterable[str] = (), dialects=None, progress: Progress = quiet, jobs: int | None = None
) -> dict[str, dict[str, bytes]]:
    """Bundle bytes for the selected releases, in memory: {release name: {path: bytes}} (see `each_bundle`)."""
    return dict(each_bundle(project, names, dialects, progress, jobs))


def each_bundle(
    project: Project, names: Iterable[str] = (), dialects=None, progress: Progress = quiet, jobs: int | None = None
) -> Iterator[tuple[str, dict[str, bytes]]]:
    """(release name, {path: bytes}) of each selected release in plan order, as each is assembled,
    so that a caller can write it and let it go (build holds one bundle at a time, not all).

    `jobs`: worker processes for rendering and assembling (default: the number of
    cores); the bytes are the same for any number.

    The manifest of each records the schema expected after it (expected.py), made by applying
    every release's files from the first on: releases before the selected ones are rendered too
    (not written), and one that cannot be rendered costs the later ones their fingerprint, not
    the build.
    """
    jobs = max(1, jobs if jobs is not None else workers.default_jobs())
    releases = select_releases(project, names)
    chosen = choose_dialects(project, dialects)
    rendered = render_releases(project, releases, chosen, progress, jobs)
    # The scratch chain's upgrade files of the selected releases, which their bundles take back. Every
    # other file is made when its bundle is assembled: all of them held at once grew with the history.
    made: dict[str, dict] = {}
    expected = _expected(project, releases, rendered, made, chosen, progress, jobs)
    waivers = review.load_waivers(project.config)
    paths, folders = inputs.history_paths(project.config, project.history)
    shared: dict = {}  # what every release's recorded inputs share, computed once

    def assemble(release) -> dict[str, bytes]:
        # Taken out, not looked up: in this process a release's SQL is let go once its bundle is made.
        release_sql = rendered.pop(release.name)
        release_scripts = bundles.bundle_scripts(release_sql, project.history, project.config.stamp, made.pop(release.name, None))
        report = review.review_document(release_sql, project.history, lint.lint_release(release_sql, waivers=waivers))
        recorded = inputs.release_inputs(project.config, project.plan, release.name, release.revisions, paths, folders, shared)
        return bundles.bundle_files(
            release_sql, project.history, project.config.stamp, report, recorded, expected[release.name], release_scripts
        )

    # Assembling a release costs about a tenth of rendering it: workers pay off for many releases only.
    many = sum(len(r.revisions) for r in releases) >= MIN_PARALLEL_ASSEMBLY
    for release, bundle in zip(releases, workers.forked_imap(assemble, releases, jobs if many else 1)):
        yield release.name, bundle


def _expected(project: Project, releases, rendered, made, chosen, progress: Progress, jobs: int) -> dict[str, dict]:
    """Each selected release's expected schema per dialect (see each_bundle); the chain's files of the
    selected releases are left in `made`."""
    recorded = [d for d in chosen if d in project.config.expected_schema]
    last = max(project.releases.index(r) for r in releases)
    earlier = [r for r in project.releases[:last] if r.name not in rendered]
    extra = {}
    if recorded and earlier:
        try:
            extra = render_releases(project, earlier, recorded, quiet, jobs)
        except SqlreleaseError:
            extra = {}
    chain = []
    for r in project.releases[: last + 1]:
        release_sql = rendered.get(r.name) or extra.get(r.name)
        chain.append((r.name, None if release_sql is None else _ChainTexts(project, release_sql, made if r.name in rendered else None)))
    any_release = rendered[releases[0].name]
    return expected_schemas(
        project.config, chain, chosen, bundles.bookkeeping_tables(any_release), any_release.version_table.schema, progress
    )


class _ChainTexts:
    """A release's upgrade texts of a dialect (`bundles.upgrade_texts`), made when the scratch chain
    asks for them; a selected release's files are kept in `made` for its bundle."""

    def __init__(self, project: Project, release_sql, made: dict | None) -> None:
        self._project, self._release_sql, self._made = project, release_sql, made

    def __getitem__(self, dialect: str) -> list[str]:
        stamp = self._project.config.stamp
        found = bundles.chain_scripts(self._release_sql, self._project.history, stamp, dialect)
        if self._made is not None:
            self._made.setdefault(self._release_sql.release.name, {}).update(found)
        return bundles.upgrade_texts(found, stamp)[dialect]


def build(
    project: Path | str = ".",
    names: Iterable[str] = (),
    dialects=None,
    progress: Progress = quiet,
    *,
    drop_other_dialects: bool = False,
    jobs: int | None = None,
) -> list[Built]:
    """Write the bundles of the named releases (all when none are named).

    Without `dialects` a bundle gets the configured dialects. With `dialects`, a
    bundle that exists keeps the other dialects it holds, rendered again, unless
    `drop_other_dialects`. Each bundle is written to a temporary folder as soon as it
    is assembled (one bundle in memory at a time), and the folders replace the
    bundles only when every one is written, each atomically, so a failed build
    leaves the previous bundles as they were. `jobs`: worker processes for rendering (default: the
    number of cores).
    """
    proj = open_project(project)
    releases = select_releases(proj, names)
    wanted = {
        release.name: _bundle_dialects(proj, release, dialects, dialects is not None and not drop_other_dialects, progress)
        for release in releases
    }
    for done in bundles.clean_leftovers(proj.config.bundles):  # before staging: it removes temporary folders
        progress(done)
    staged: dict[str, tuple[Path | None, str, tuple[str, ...]]] = {}  # release: (staging, SHA256SUMS digest, notes)
    try:
        for chosen in dict.fromkeys(wanted.values()):  # releases that get the same dialects render together
            group = [name for name, its in wanted.items() if its == chosen]
            for name, files in each_bundle(proj, group, chosen, progress, jobs):
                staging = bundles.stage_bundle(proj.bundle_dir(_named(releases, name)), files)
                staged[name] = (staging, bundles.sha256(files.get(bundles.SUMS, b"")), _notes(files))
        return [_install(proj, release, staged[release.name], wanted[release.name], progress) for release in releases]
    finally:  # what was staged and not installed (a failure, an interrupt) goes
        for staging, _, _ in staged.values():
            if staging is not None and staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


def _named(releases: list[Release], name: str) -> Release:
    return next(r for r in releases if r.name == name)


def _install(proj: Project, release: Release, staged, dialects: tuple[str, ...], progress: Progress) -> Built:
    """Put a staged bundle in place (None: the folder holds these bytes already) and say what changed."""
    staging, sums_digest, notes = staged
    folder = proj.bundle_dir(release)
    dropped = tuple(d for d in _held_dialects(folder) if d not in dialects)
    moved = approval.migrate_legacy(folder)
    if moved:
        progress(moved)
    discarded, digest, approvers = _replaced(folder)
    if staging is not None:
        bundles.install_bundle(staging, folder)
    written = staging is not None
    # An approval names the digest (sha256 of SHA256SUMS): a rewrite that restores only hand-edited
    # files keeps it; new checksums void it.
    voided = approvers if written and sums_digest != digest else ()
    return Built(release.name, proj.config.relative(folder), written, dialects, dropped,
                 discarded if written else (), voided, notes)


def _replaced(folder: Path) -> tuple[tuple[str, ...], str | None, tuple[str, ...]]:
    """What rewriting the bundle in `folder` may lose: its hand-edited (or added) files, and its
    digest with who approved it."""
    if not folder.is_dir():
        return (), None, ()
    verification = bundles.verify(folder)
    discarded = tuple(sorted({*verification.altered, *verification.extra}))
    content = bundles.open_bundle(folder)
    digest = content.digest()
    entries = approval.read_approvals(content).entries
    approvers = tuple(dict.fromkeys(
        str(e.get("by")) for e in entries if isinstance(e, dict) and e.get("digest") == digest and digest
    ))
    return discarded, digest, approvers


def _bundle_dialects(proj: Project, release: Release, dialects, keep: bool, progress: Progress) -> tuple[str, ...]:
    """The dialects `release`'s bundle is built with: those asked for, and with `keep`
    also those its existing bundle holds, so that building one dialect loses no other."""
    chosen = choose_dialects(proj, dialects)
    held = _held_dialects(proj.bundle_dir(release))
    others = [d for d in held if d not in chosen] if keep else []
    if others:
        progress(
            f"{proj.config.relative(proj.bundle_dir(release))} holds {', '.join(others)} too: rendering "
            f"{'it' if len(others) == 1 else 'them'} again to keep the bundle whole "
            f"(--drop-other-dialects removes {'it' if len(others) == 1 else 'them'})"
        )
    return tuple(choose_dialects(proj, chosen + others))


def _held_dialects(folder: Path) -> list[str]:
    """The dialect folders an existing bundle holds, in the order of DIALECTS."""
    if not folder.is_dir():
        return []
    return [name for name in DIALECTS if (folder / name).is_dir()]
