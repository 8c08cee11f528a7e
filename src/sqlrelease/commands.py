"""The verbs of sqlrelease, usable from Python with the same behaviour as the CLI.

Each verb wires the library together: config and plan, rendering, bundles.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import bundle as bundles
from . import review
from . import overrides, rehearse
from .config import Config, load_config
from .dialects import DIALECTS
from .doctor import diagnose, fix_without_server
from .errors import ConfigError, PlanError, RenderError
from .history import History
from .plan import PLAN_HEADER, Plan, Release, append_release, load_plan, resolve, unreleased
from .render import DOWNGRADE, UPGRADE, MigrationSQL, render
from .sqlscript import Irreversible, VersionTable

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class Project:
    """A project's configuration, history, plan and resolved releases."""

    config: Config
    history: History
    plan: Plan
    releases: list[Release]

    def release(self, name: str) -> Release:
        for release in self.releases:
            if release.name == name:
                return release
        known = ", ".join(r.name for r in self.releases) or "none"
        raise PlanError(f"no release named {name!r} in the plan (releases: {known})", path=self.plan.shown)

    def bundle_dir(self, release: Release) -> Path:
        return self.config.bundles / release.name


def open_project(project: Path | str = ".", *, new_plan: bool = False) -> Project:
    """The project containing `project`; with `new_plan`, a missing plan file is an empty plan."""
    config = load_config(project)
    history = History.load(config)
    shown = config.relative(config.plan)
    if new_plan and not config.plan.exists():
        plan = Plan(config.plan, shown, ())
    else:
        plan = load_plan(config.plan, shown)
    return Project(config, history, plan, resolve(plan, history))


# -- rendering ---------------------------------------------------------------


def render_releases(project: Project, releases: list[Release], dialects: Iterable[str], progress: Progress = _quiet):
    """Render the given releases: one pass per dialect and direction, sliced into releases."""
    dialects = list(dialects)
    upgrade_order = [rev for release in releases for rev in release.revisions]
    downgrade_order = [rev for release in reversed(releases) for rev in reversed(release.revisions)]
    upgrade: dict[str, dict[str, MigrationSQL]] = {}
    downgrade: dict[str, dict[str, MigrationSQL]] = {}
    version_table = VersionTable(project.config.version_table or "alembic_version", project.config.version_table_schema)
    for name in dialects:
        progress(f"rendering {name}: {len(upgrade_order)} migrations, upgrade and downgrade")
        up = render(project.config, project.history, DIALECTS[name], UPGRADE, upgrade_order)
        down = render(project.config, project.history, DIALECTS[name], DOWNGRADE, downgrade_order)
        upgrade[name] = overrides.apply(project, name, UPGRADE, up.migrations, upgrade_order)
        downgrade[name] = overrides.apply(project, name, DOWNGRADE, down.migrations, downgrade_order)
        rehearse.fill(project, releases, name, upgrade[name], downgrade[name], progress)
        version_table = VersionTable(up.version_table, up.version_table_schema)
    result = {}
    for release in releases:
        irreversible = _irreversible(project, release, dialects, upgrade, downgrade)
        result[release.name] = bundles.ReleaseSQL(
            release=release,
            upgrade={d: {r: upgrade[d][r] for r in release.revisions} for d in dialects},
            downgrade={d: {r: downgrade[d][r] for r in release.revisions} for d in dialects},
            version_table=version_table,
            irreversible=irreversible,
        )
    return result


def _irreversible(project: Project, release: Release, dialects, upgrade, downgrade) -> tuple[Irreversible, ...]:
    """Steps whose downgrade deliberately raises or does nothing; other render failures are errors."""
    found: dict[str, str] = {}
    for revision in release.revisions:
        for name in dialects:
            up, down = upgrade[name][revision], downgrade[name][revision]
            if up.failure:
                raise _render_error(project, release, revision, name, UPGRADE, up)
            if down.failure and down.failure.deliberate:
                found.setdefault(revision, f"downgrade() raises {down.failure.cause}")
            elif down.failure:
                raise _render_error(project, release, revision, name, DOWNGRADE, down)
            elif not down.statements and (up.statements or up.data_dependent):
                # A rehearsed step that read rows may have written nothing on the scratch database;
                # on a real server it changes rows all the same, and nothing puts them back.
                found.setdefault(revision, "downgrade() does nothing")
    for revision in sorted(release.accept_irreversible):
        if revision in found and found[revision].startswith("downgrade() raises"):
            raise PlanError(
                f"accept_irreversible names {revision}, whose downgrade() raises; only an empty downgrade can be accepted",
                path=project.plan.shown,
                line=release.line,
                release=release.name,
            )
    return tuple(
        Irreversible(revision, reason, revision in release.accept_irreversible)
        for revision, reason in found.items()
    )


def _render_error(project: Project, release: Release, revision: str, dialect: str, direction: str, sql: MigrationSQL):
    failure = sql.failure
    diagnosis = diagnose(project.history.revisions[revision].path, failure, direction)
    fix = diagnosis.cause.fix if rehearse.available(project.config, dialect) else fix_without_server(diagnosis.cause, dialect)
    return RenderError(
        f"{direction}() cannot render offline ({diagnosis.cause.code}): it {diagnosis.summary}; raised {failure.cause}",
        path=project.history.source_path(revision),
        line=failure.line,
        release=release.name,
        revision=revision,
        dialect=dialect,
        hint=f"fix: {fix}; `sqlrelease doctor` lists every migration that cannot render",
    )


# -- verbs -------------------------------------------------------------------


@dataclass
class Built:
    release: str
    bundle: str
    written: bool  # False: the bundle already held exactly these bytes
    dialects: tuple[str, ...] = ()  # what the bundle holds now
    dropped: tuple[str, ...] = ()  # dialects the bundle held before and no longer does

    def to_dict(self) -> dict:
        return {
            "release": self.release,
            "bundle": self.bundle,
            "status": "written" if self.written else "unchanged",
            "dialects": list(self.dialects),
            "dropped": list(self.dropped),
        }


def _select(project: Project, names: Iterable[str]) -> list[Release]:
    names = list(names)
    if not names:
        return list(project.releases)
    wanted = {project.release(n).name for n in names}
    return [r for r in project.releases if r.name in wanted]


def _dialects(project: Project, dialects: Iterable[str] | None) -> list[str]:
    chosen = list(dialects or project.config.dialects)
    for name in chosen:
        if name not in DIALECTS:
            raise ConfigError(f"unknown dialect {name!r}", hint=f"choose from {', '.join(DIALECTS)}")
    return sorted(set(chosen), key=list(DIALECTS).index)


def render_bundles(project: Project, names: Iterable[str] = (), dialects=None, progress: Progress = _quiet):
    """Bundle bytes for the selected releases, in memory: {release name: {path: bytes}}."""
    releases = _select(project, names)
    rendered = render_releases(project, releases, _dialects(project, dialects), progress)
    waivers = review.load_waivers(project.config)
    return {
        release.name: bundles.bundle_files(rendered[release.name], project.history, project.config.stamp, waivers)
        for release in releases
    }


def build(
    project: Path | str = ".",
    names: Iterable[str] = (),
    dialects=None,
    progress: Progress = _quiet,
    *,
    drop_other_dialects: bool = False,
) -> list[Built]:
    """Write the bundles of the named releases (all when none are named).

    Without `dialects` a bundle gets the configured dialects. With `dialects`, a
    bundle that exists keeps the other dialects it holds, rendered again, unless
    `drop_other_dialects`. Everything is rendered before anything is written, and
    each bundle is replaced atomically, so a failed build leaves the previous
    bundles as they were.
    """
    proj = open_project(project)
    releases = _select(proj, names)
    wanted = {
        release.name: _bundle_dialects(proj, release, dialects, dialects is not None and not drop_other_dialects, progress)
        for release in releases
    }
    files: dict[str, dict[str, bytes]] = {}
    for chosen in dict.fromkeys(wanted.values()):  # releases that get the same dialects render together
        group = [name for name, its in wanted.items() if its == chosen]
        files.update(render_bundles(proj, group, chosen, progress))
    built = []
    for release in releases:
        folder = proj.bundle_dir(release)
        dropped = tuple(d for d in _held_dialects(folder) if d not in wanted[release.name])
        written = bundles.write_bundle(folder, files[release.name])
        built.append(Built(release.name, proj.config.relative(folder), written, wanted[release.name], dropped))
    return built


def _bundle_dialects(proj: Project, release: Release, dialects, keep: bool, progress: Progress) -> tuple[str, ...]:
    """The dialects `release`'s bundle is built with: those asked for, and with `keep`
    also those its existing bundle holds, so that building one dialect loses no other."""
    chosen = _dialects(proj, dialects)
    held = _held_dialects(proj.bundle_dir(release))
    others = [d for d in held if d not in chosen] if keep else []
    if others:
        progress(
            f"{proj.config.relative(proj.bundle_dir(release))} holds {', '.join(others)} too: rendering "
            f"{'it' if len(others) == 1 else 'them'} again to keep the bundle whole "
            f"(--drop-other-dialects removes {'it' if len(others) == 1 else 'them'})"
        )
    return tuple(_dialects(proj, chosen + others))


def _held_dialects(folder: Path) -> list[str]:
    """The dialect folders an existing bundle holds, in the order of DIALECTS."""
    if not folder.is_dir():
        return []
    return [name for name in DIALECTS if (folder / name).is_dir()]


def doctor(project: Path | str = ".", dialects=None):
    """Render every revision, released or not, per dialect and direction, and diagnose what cannot render offline."""
    from . import doctor as diagnosis

    proj = open_project(project)
    return diagnosis.examine(proj, _dialects(proj, dialects))


def verify(folder: Path | str) -> bundles.Verification:
    """Check a bundle folder against its SHA256SUMS and manifest; needs no project."""
    return bundles.verify(Path(folder), str(folder))


def check(project: Path | str = ".", strict: bool = False, progress: Progress = _quiet):
    """Render every bundle in memory and compare it byte for byte with the committed bundles."""
    from . import check as checks

    proj = open_project(project)
    return checks.check_project(proj, render_bundles(proj, progress=progress), strict)


def diff_releases(project: Path | str, old: str, new: str, dialect: str | None = None):
    """The SQL difference between two releases' bundles; a bundle not built yet is rendered in memory."""
    from . import diff as diffs

    proj = open_project(project)
    releases = [proj.release(old), proj.release(new)]
    if dialect is not None:
        _dialects(proj, [dialect])
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
    return diffs.diff_files(
        diffs.sql_only(old_files, dialect), diffs.sql_only(new_files, dialect), old_name, new_name, old_note, new_note
    )


def diff_build(project: Path | str = ".", names: Iterable[str] = (), progress: Progress = _quiet):
    """Committed bundles against freshly rendered ones: [(release name, FileDiff)]."""
    from . import diff as diffs

    proj = open_project(project)
    rendered = render_bundles(proj, names, progress=progress)
    found = []
    for release in _select(proj, names):
        folder = proj.bundle_dir(release)
        shown = proj.config.relative(folder)
        committed = bundles.read_files(folder) if folder.is_dir() else {}
        for item in diffs.diff_files(committed, rendered[release.name], shown, shown, "(committed)", "(rendered)"):
            found.append((release.name, item))
    return found


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
    compares the full bytes.
    """
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
                review=review.review_status(folder).text() if folder.exists() else "unreviewed",
            )
        )
    pending = unreleased(proj.releases, proj.history)
    heads = list(proj.history.heads())
    warnings = []
    if pending:
        warnings.append(f"{len(pending)} revision(s) belong to no release: {', '.join(pending)}")
    if len(heads) > 1:
        warnings.append(f"the history has {len(heads)} unmerged heads: {', '.join(heads)}")
    return PlanReport(proj.plan.shown, statuses, pending, heads, warnings)


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
    if sorted(manifest.get("dialects") or []) != sorted(_dialects(proj, None)):
        reasons.append("the configured dialects changed")
    if manifest.get("stamp") != proj.config.stamp:
        reasons.append("the stamp mode changed")
    if manifest.get("generator") != bundles.generator_versions():
        reasons.append("built with other versions of sqlrelease, alembic or sqlalchemy")
    return ("stale", reasons) if reasons else ("current", [])


def cut(project: Path | str = ".", name: str = "", revisions: Iterable[str] = (), progress: Progress = _quiet) -> Release:
    """Append a release named `name` at the given revisions, or at the current head.

    Creates the plan file when it does not exist yet (the first release)."""
    proj = open_project(project, new_plan=True)
    for existing in proj.plan.releases:
        if existing.name == name:
            raise PlanError(
                f"release {name!r} exists already", path=proj.plan.shown, line=existing.line, hint="choose a new name"
            )
    targets = list(revisions)
    if not targets:
        heads = list(proj.history.heads())
        if len(heads) > 1:
            raise PlanError(
                f"the history has {len(heads)} unmerged heads ({', '.join(heads)})",
                path=proj.plan.shown,
                release=name,
                hint="merge them with `alembic merge`, or name the targets: --revision A --revision B",
            )
        targets = heads
    if not targets:
        raise PlanError("the history has no revisions yet", hint="create one with `alembic revision`")
    try:
        resolved = tuple(proj.history.resolve(t) for t in targets)
    except PlanError as exc:
        raise PlanError(exc.message, path=proj.plan.shown, release=name, hint=exc.hint) from None
    from .plan import PlannedRelease

    candidate = Plan(proj.plan.path, proj.plan.shown, proj.plan.releases + (PlannedRelease(name, resolved),))
    # Validates name, ancestry and "has new migrations" exactly as loading the plan would.
    from .plan import NAME_PATTERN

    if not NAME_PATTERN.match(name):
        raise PlanError(f"release name {name!r} may only use letters, digits and . _ + -")
    release = resolve(candidate, proj.history)[-1]
    if not proj.plan.path.exists():
        proj.plan.path.parent.mkdir(parents=True, exist_ok=True)
        progress(f"created {proj.plan.shown}, the release plan")
    append_release(proj.plan, name, resolved)
    return release


def init(folder: Path | str = ".", script_location: str | None = None) -> list[str]:
    """Add `[tool.sqlrelease]` and an empty plan to a project. Returns the files created or changed.

    Without alembic.ini the Alembic script folder is `script_location`, else the one
    folder holding env.py and versions/, else a new Alembic environment is created.
    A project that has the table already but no plan file gets only the plan file.
    """
    root = Path(folder).resolve()
    root.mkdir(parents=True, exist_ok=True)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
    if "[tool.sqlrelease]" in text:
        return [_init_plan(root, script_location)]
    ini = root / "alembic.ini"
    changed = []
    if script_location is None and not ini.exists():
        script_location = _find_script_location(root)
    if script_location is not None and not (root / script_location).is_dir():
        raise ConfigError(f"--script-location {script_location}: not a folder", hint="give the folder holding env.py and versions/")
    if script_location is None and not ini.exists():
        _create_alembic_environment(root)
        changed += ["alembic.ini", "migrations/"]
    location = 'alembic_ini = "alembic.ini"\n' if ini.exists() else ""
    if script_location is not None:
        location += f'script_location = "{Path(script_location).as_posix()}"\n'
    table = (
        "\n[tool.sqlrelease]\n"
        f"{location}"
        'plan = "releases.toml"\n'
        'bundles = "releases"\n'
        'dialects = ["postgresql", "mysql", "sqlite"]\n'
        'stamp = "inline"            # or "separate": upgrade.sql leaves the version table to stamp.sql\n'
        'environment = "project"     # or "builtin" when env.py cannot run without the app or a database\n'
    )
    if text and not text.endswith("\n"):
        text += "\n"
    pyproject.write_text(text + table, encoding="utf-8")
    changed.append("pyproject.toml")
    plan = root / "releases.toml"
    if not plan.exists():
        plan.write_text(PLAN_HEADER, encoding="utf-8")
        changed.append("releases.toml")
    return changed


def _init_plan(root: Path, script_location: str | None) -> str:
    """`init` where [tool.sqlrelease] exists: create the missing plan file, or refuse."""
    if script_location is not None:
        raise ConfigError(
            "this project has a [tool.sqlrelease] table already",
            path="pyproject.toml",
            hint="set script_location in that table instead of passing --script-location",
        )
    config = load_config(root)
    shown = config.relative(config.plan)
    if config.plan.exists():
        raise ConfigError(
            f"this project has a [tool.sqlrelease] table and a release plan ({shown}) already",
            path="pyproject.toml",
            hint="cut a release with `sqlrelease cut NAME`",
        )
    config.plan.parent.mkdir(parents=True, exist_ok=True)
    config.plan.write_text(PLAN_HEADER, encoding="utf-8")
    return shown


# Folders never searched for an Alembic script folder: tooling, not the project's own code.
NOT_SEARCHED = {"node_modules", "site-packages", "__pycache__", "venv", "build", "dist"}


def _find_script_location(root: Path) -> str | None:
    """The project's one Alembic script folder (env.py and versions/), or None when it has none."""
    found = _script_folders(root, depth=3)
    if len(found) > 1:
        raise ConfigError(
            f"there is no alembic.ini and several Alembic script folders: {', '.join(found)}",
            hint=f"choose one: sqlrelease init --script-location {found[0]}",
        )
    if found:
        return found[0]
    if (root / "migrations").exists():
        raise ConfigError(
            "there is a migrations/ folder but no alembic.ini, and no folder holds both env.py and versions/",
            hint="pass the Alembic script folder: sqlrelease init --script-location DIR",
        )
    return None


def _script_folders(folder: Path, depth: int, root: Path | None = None) -> list[str]:
    root = root or folder
    if (folder / "env.py").is_file() and (folder / "versions").is_dir():
        return [folder.relative_to(root).as_posix()]
    if depth == 0:
        return []
    found = []
    for child in sorted(folder.iterdir()):
        if child.is_dir() and not child.name.startswith(".") and child.name not in NOT_SEARCHED:
            if not (child / "pyvenv.cfg").exists():
                found += _script_folders(child, depth - 1, root)
    return found


def _create_alembic_environment(root: Path) -> None:
    """alembic.ini and migrations/ as `alembic init` makes them, with a local SQLite URL."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    ini = root / "alembic.ini"
    cfg = AlembicConfig(str(ini))
    with contextlib.redirect_stdout(io.StringIO()):
        command.init(cfg, str(root / "migrations"))
    ini_text = ini.read_text(encoding="utf-8")
    ini_text = ini_text.replace("driver://user:pass@localhost/dbname", "sqlite:///app.db")
    ini.write_text(ini_text, encoding="utf-8")
