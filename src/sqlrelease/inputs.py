"""What decides a bundle's bytes, as digests its manifest records; and whether the committed
bundles still match them, so that `check` and `plan` can say "current" without rendering.

A bundle's bytes follow from its migrations' sources (the manifest lists each with
its sha256), the generator versions (recorded as `generator`) and the inputs here,
recorded as `inputs`:

- `files`: alembic.ini and env.py, by path, with their sha256;
- `config`: the [tool.sqlrelease] settings that shape rendering (not the rehearsal
  server URLs, which hold passwords and decide nothing for offline SQL);
- `plan`: the plan entries up to and including this release (name, targets,
  accepted irreversible steps): they decide the range;
- `overrides`: the override files for this release's revisions, with their sha256;
- `waivers`: the waivers for this release's revisions (they show in REVIEW.md);
- `templates`: sqlrelease's SQL and document templates;
- `version_folders`: where the history's revision files live, so that a revision
  file no bundle records (unreleased, or a second file with a released id) is seen.

`recorded_state` holds when every bundle of the plan verifies, records inputs equal to
the current ones, and every revision file on disk is one its manifest records with
the same sha256: then rendering again would give the same bytes. Anything else, or
what it cannot see, is the full render's to decide:

- rehearsed migrations: their SQL came from a server (its version, the scratch rows),
  so bundles holding them are always rendered again;
- code that env.py or the migrations import from the application or from packages
  other than Alembic and SQLAlchemy is not recorded: when migration SQL depends on it,
  check with `--render` (as CI does);
- a development install of sqlrelease whose code changed without a new version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from . import bundle as bundles
from . import overrides, review, templates
from .config import Config
from .plan import Plan

if TYPE_CHECKING:
    from .history import History

# Not revision files, by Alembic's rule: editor lock files and package markers.
_NOT_REVISIONS = (".#", "__init__")


def _digest(value) -> str:
    """sha256 of `value` as canonical JSON."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _file_sha256(path: Path | str) -> str | None:
    try:
        return hashlib.sha256(bundles.read_bytes(str(path))).hexdigest()
    except OSError:
        return None


# Config fields that decide no bundle's bytes: where things are kept (their contents are
# recorded on their own), how long rendering may take, and the rehearsal server URLs
# (they hold passwords; bundles with rehearsed migrations are always rendered again).
NOT_DECIDING = {"root", "plan", "bundles", "waivers", "timeout", "rehearse"}


def config_digest(config: Config) -> str:
    """The [tool.sqlrelease] settings that decide bytes (paths relative to the project).

    Every setting counts unless NOT_DECIDING names it, so that a setting added later
    is recorded until someone decides it decides nothing."""
    settings = {}
    for field in dataclasses.fields(config):
        if field.name in NOT_DECIDING:
            continue
        value = getattr(config, field.name)
        settings[field.name] = config.relative(value) if isinstance(value, Path) else value
    settings["dialects"] = sorted(config.dialects)
    settings["rehearse_revisions"] = sorted(dict(config.rehearse).get("revisions", ()))
    return _digest(settings)


def plan_digest(plan: Plan, release: str) -> str:
    """The plan entries up to and including `release`: together they decide its range."""
    digests = plan_digests(plan)
    return digests[release] if release in digests else _digest(_plan_entries(plan))


def plan_digests(plan: Plan) -> dict[str, str]:
    """`plan_digest` of every release of the plan, in one pass (not one per release: the plan of a
    long history has hundreds). The digest of a list's canonical JSON is fed entry by entry."""
    digests = {}
    running = hashlib.sha256(b"[")
    for number, entry in enumerate(_plan_entries(plan)):
        text = json.dumps(entry, sort_keys=True, ensure_ascii=False)
        running.update(((", " if number else "") + text).encode("utf-8"))
        ended = running.copy()
        ended.update(b"]")
        digests.setdefault(entry["name"], ended.hexdigest())
    return digests


def _plan_entries(plan: Plan) -> list[dict]:
    return [
        {"name": p.name, "targets": list(p.targets), "accept_irreversible": sorted(p.accept_irreversible)}
        for p in plan.releases
    ]


def waivers_digest(config: Config, revisions: Iterable[str], waivers=None) -> str | None:
    """The waivers of `revisions` (from `waivers`, else the project's waivers file)."""
    wanted = set(revisions)
    # Every field of a waiver shows in REVIEW.md or decides what it covers.
    found = sorted(
        json.dumps(dataclasses.asdict(w), sort_keys=True)
        for w in (review.load_waivers(config) if waivers is None else waivers)
        if w.revision in wanted
    )
    return _digest(found) if found else None


def release_inputs(
    config: Config, plan: Plan, release: str, revisions, files: Iterable[str], version_folders, shared: dict | None = None
) -> dict:
    """The `inputs` a manifest records for `release`. `files` (alembic.ini, env.py) and
    `version_folders` are paths relative to the project: from the history when building,
    from the manifest when checking. `shared` (a dict kept across the releases of one run)
    holds what is the same for every release, computed once: the files' digests, the
    settings' digest, the waivers."""
    shared = {} if shared is None else shared

    def once(key, compute):
        if key not in shared:
            shared[key] = compute()
        return shared[key]

    return {
        "files": {path: once(("file", path), lambda: _file_sha256(config.root / path)) for path in sorted(files)},
        "config": once("config", lambda: config_digest(config)),
        "plan": once("plan", lambda: plan_digests(plan)).get(release) or plan_digest(plan, release),
        "overrides": overrides.files_for(config, revisions),
        "waivers": waivers_digest(config, revisions, once("waivers", lambda: review.load_waivers(config))),
        "templates": templates.digest(),
        "version_folders": sorted(version_folders),
    }


def history_paths(config: Config, history: "History") -> tuple[list[str], list[str]]:
    """(alembic.ini and env.py, the version folders) of the project, relative to it."""
    files = [Path(history.script.dir) / "env.py"]
    if config.alembic_ini is not None:
        files.append(config.alembic_ini)
    return [_relative(config, p) for p in files], [_relative(config, Path(p)) for p in history.version_folders()]


def _relative(config: Config, path: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), config.root.resolve())).as_posix()


# -- are the committed bundles current? ------------------------------------------------


@dataclass
class RecordedBundle:
    name: str
    folder: Path
    manifest: dict
    seen: object = None  # what `recorded_state`'s `visit` made of the bundle as read (`plan`: its review)


@dataclass
class RecordedState:
    """The plan's bundles as their manifests record them, when those records still hold."""

    bundles: list[RecordedBundle] = field(default_factory=list)
    heads: list[str] = field(default_factory=list)
    unplanned: list[Path] = field(default_factory=list)  # bundle folders of no release in the plan
    reason: str | None = None  # why the records do not settle it (then: render)

    @property
    def current(self) -> bool:
        return self.reason is None


def recorded_state(config: Config, plan: Plan, visit: Callable[[bundles.BundleContent], object] | None = None) -> RecordedState:
    """Whether every bundle of `plan` is current by its recorded inputs, without loading the history.
    `visit` is called with each bundle as read (its checksums computed): what it returns is kept
    as the bundle's `seen`, so that a caller needs not read the bundle again, nor keep it."""
    state = RecordedState(unplanned=unplanned_bundles(config, plan))
    previous = None
    sources: dict[str, str] = {}  # every revision file a bundle records -> its sha256
    graph: dict[str, list[str]] = {}  # revision -> its down revisions
    folders: set[str] = set()
    shared: dict = {}  # what every release's inputs share, computed once
    for planned in plan.releases:
        folder = config.bundles / planned.name
        shown = config.relative(folder)
        problem, content = _bundle_problem(config, plan, planned.name, previous, folder, shown, shared)
        if problem:
            state.reason = problem
            return state
        manifest = content.manifest()
        for entry in manifest["migrations"]:
            sources[entry["source"]] = entry["source_sha256"]
            graph[entry["revision"]] = list(entry.get("down_revisions") or ())
        folders.update(manifest["inputs"]["version_folders"])
        state.bundles.append(RecordedBundle(planned.name, folder, manifest, visit(content) if visit else None))
        previous = planned.name
    on_disk = revision_files(config, folders)
    for path in sorted(set(on_disk) - set(sources)):
        state.reason = f"{path} is a revision file no bundle records (unreleased, or new)"
        return state
    for path in sorted(sources):
        if on_disk.get(path) is None:
            state.reason = f"{path}, recorded by a bundle, is gone"
            return state
        if on_disk[path] != sources[path]:
            state.reason = f"{path} changed since its bundle was built"
            return state
    built_on = {down for downs in graph.values() for down in downs}
    state.heads = sorted(rev for rev in graph if rev not in built_on)
    return state


def _bundle_problem(config: Config, plan: Plan, name: str, previous, folder: Path, shown: str, shared: dict):
    """(why the bundle of release `name` cannot count as current by its records, its content as read)."""
    if not folder.is_dir():
        return f"release {name} has no bundle", None
    content = bundles.open_bundle(folder)
    if not bundles.verify(content, shown, release=name).ok:
        return f"{shown} does not verify", None
    manifest = content.manifest()  # parsed once, by verify
    recorded = manifest.get("inputs")
    if not isinstance(recorded, dict):
        return f"{shown} records no inputs (built by an earlier sqlrelease)", None
    if manifest.get("previous_release") != previous:
        return f"{shown} follows another release in the plan", None
    if sorted(manifest.get("dialects") or []) != sorted(config.dialects):
        return f"{shown} holds other dialects than [tool.sqlrelease] names", None
    if any(origin == "rehearsed" for m in manifest["migrations"] for origin in m.get("rendered", {}).values()):
        return f"{shown} holds rehearsed migrations (their SQL came from a server)", None
    if manifest.get("generator") != bundles.generator_versions():
        return f"{shown} was built with other versions of sqlrelease, alembic or sqlalchemy", None
    revisions = [m["revision"] for m in manifest["migrations"]]
    current = release_inputs(
        config, plan, name, revisions, recorded.get("files", {}), recorded.get("version_folders", []), shared
    )
    for key in current:
        if recorded.get(key) != current[key]:
            return f"{describe(key, recorded.get(key), current[key])} changed since {shown} was built", None
    return None, content


def describe(key: str, recorded, current) -> str:
    """A changed input named in words: which files, when it is files."""
    if key in ("files", "overrides") and isinstance(recorded, dict):
        changed = sorted(p for p in set(recorded) | set(current) if recorded.get(p) != current.get(p))
        return ", ".join(changed) or key
    return {
        "config": "[tool.sqlrelease]",
        "plan": "the plan",
        "waivers": "the waivers",
        "templates": "sqlrelease's templates",
        "version_folders": "the version folders",
    }.get(key, key)


def revision_files(config: Config, folders: Iterable[str]) -> dict[str, str]:
    """Every revision file below the version folders (path relative to the project -> sha256)."""
    found = {}
    for folder in sorted(folders):
        top = os.path.normpath(config.root / folder)
        for directory, subfolders, names in os.walk(top):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            shown = Path(folder, os.path.relpath(directory, top)).as_posix()  # strings: a thousand files, no resolve()
            for name in names:
                if name.endswith(".py") and not name.startswith(_NOT_REVISIONS):
                    found[posixpath.normpath(f"{shown}/{name}")] = _file_sha256(os.path.join(directory, name))
    return found


def unplanned_bundles(config: Config, plan: Plan) -> list[Path]:
    """Bundle folders in the bundles folder that belong to no release of the plan."""
    if not config.bundles.is_dir():
        return []
    planned = {r.name for r in plan.releases}
    return [
        child
        for child in sorted(config.bundles.iterdir())
        if child.is_dir() and not child.name.startswith(".") and child.name not in planned
    ]
