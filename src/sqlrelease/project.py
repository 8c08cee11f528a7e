"""The opened project: its configuration, history, plan and resolved releases, and
the rendering of releases into SQL (one pass per dialect and direction).

Everything above this module (bundles, the verbs, the CLI) starts from a
`Project`; nothing here knows about bundle files, review or the CLI.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from . import overrides, servers, volatile
from .config import Config, load_config
from .diagnosis import diagnose, fix_without_server
from .dialects import DIALECTS, canonical
from .errors import ConfigError, PlanError, RenderError
from .plan import Plan, Release, load_plan, resolve
from .rendered import DOWNGRADE, UPGRADE, Bookkeeping, Irreversible, MigrationSQL, ReleaseSQL, VersionTable

if TYPE_CHECKING:
    from .history import History

# history, render and rehearse import Alembic and SQLAlchemy: they are imported where a
# project is opened or rendered, so that verbs which do neither (a check that the
# recorded inputs settle, verify) start without them.

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    """Progress that goes nowhere."""


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
    from .history import History

    history = History.load(config)
    shown = config.relative(config.plan)
    if new_plan and not config.plan.exists():
        plan = Plan(config.plan, shown, ())
    else:
        plan = load_plan(config.plan, shown)
    return Project(config, history, plan, resolve(plan, history))


# -- rendering ---------------------------------------------------------------


def render_releases(
    project: Project, releases: list[Release], dialects: Iterable[str], progress: Progress = quiet, jobs: int = 1
):
    """Render the given releases: one pass per dialect and direction (in `jobs` worker
    processes when there is enough to do), sliced into releases."""
    from . import rehearse
    from .render import Pass, render_passes

    dialects = list(dialects)
    upgrade_order = tuple(rev for release in releases for rev in release.revisions)
    downgrade_order = tuple(rev for release in reversed(releases) for rev in reversed(release.revisions))
    upgrade: dict[str, dict[str, MigrationSQL]] = {}
    downgrade: dict[str, dict[str, MigrationSQL]] = {}
    version_table = VersionTable(project.config.version_table or "alembic_version", project.config.version_table_schema)
    for name in dialects:
        progress(f"rendering {name}: {len(upgrade_order)} migrations, upgrade and downgrade")
    passes = [
        Pass(DIALECTS[name], direction, order)
        for name in dialects
        for direction, order in ((UPGRADE, upgrade_order), (DOWNGRADE, downgrade_order))
    ]
    rendered_at = time.monotonic()
    rendered = iter(render_passes(project.config, project.history, passes, jobs))
    for name in dialects:
        up, down = next(rendered), next(rendered)
        upgrade[name] = overrides.apply(project, name, UPGRADE, up.migrations, upgrade_order)
        downgrade[name] = overrides.apply(project, name, DOWNGRADE, down.migrations, downgrade_order)
        rehearse.fill(project, releases, name, upgrade[name], downgrade[name], progress)
        # Offline upgrades whose source calls uuid4(), now(), random...: rendered again, only those.
        volatile.recheck_offline(project.config, project.history, name, upgrade[name], upgrade_order, rendered_at)
        version_table = VersionTable(up.version_table, up.version_table_schema)
    result = {}
    for release in releases:
        irreversible = _irreversible(project, release, dialects, upgrade, downgrade)
        result[release.name] = ReleaseSQL(
            release=release,
            upgrade={d: {r: upgrade[d][r] for r in release.revisions} for d in dialects},
            downgrade={d: {r: downgrade[d][r] for r in release.revisions} for d in dialects},
            version_table=version_table,
            irreversible=irreversible,
            bookkeeping=Bookkeeping(project.config.receipts, project.config.lock_timeout),
            known=_known_releases(project, release),
        )
    return result


def _known_releases(project: Project, release: Release) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The plan's releases up to and including `release`, as (name, end)."""
    names = [r.name for r in project.releases]
    upto = project.releases[: names.index(release.name) + 1] if release.name in names else [release]
    return tuple((r.name, tuple(r.end)) for r in upto)


def _irreversible(project: Project, release: Release, dialects, upgrade, downgrade) -> tuple[Irreversible, ...]:
    """Steps whose downgrade raises, cannot render, or does nothing; an upgrade that cannot render is an error.

    A downgrade that cannot render does not stop the release: its upgrade builds, and
    its downgrade.sql refuses, naming the step and why (an override is the way out).
    """
    found: dict[str, str] = {}
    for revision in release.revisions:
        for name in dialects:
            up, down = upgrade[name][revision], downgrade[name][revision]
            if up.failure:
                raise render_error(project, release, revision, name, UPGRADE, up)
            if down.failure and down.failure.blocked_by:
                continue  # not reached on the scratch database: the blocking step is named instead
            if down.failure and _stops_the_build(project, revision, down.failure):
                raise render_error(project, release, revision, name, DOWNGRADE, down)
            if down.failure:
                found.setdefault(revision, irreversible_reason(project, revision, down.failure))
            elif not down.statements and (up.statements or up.data_dependent):
                # A rehearsed step that read rows may have written nothing on the scratch database;
                # on a real server it changes rows all the same, and nothing puts them back.
                found.setdefault(revision, "downgrade() does nothing")
    for revision in sorted(release.accept_irreversible):
        if revision in found and found[revision] != "downgrade() does nothing":
            raise PlanError(
                f"accept_irreversible names {revision}, whose downgrade() raises or cannot render; only an empty downgrade can be accepted",
                path=project.plan.shown,
                line=release.line,
                release=release.name,
            )
    return tuple(
        Irreversible(revision, reason, revision in release.accept_irreversible)
        for revision, reason in found.items()
    )


def _stops_the_build(project: Project, revision: str, failure) -> bool:
    """A downgrade that ends the process (sys.exit) is a runaway, not a step that cannot be undone."""
    return diagnose(project.history.revisions[revision].path, failure, DOWNGRADE).cause.code == "process_exit"


def irreversible_reason(project: Project, revision: str, failure) -> str:
    """Why a step's downgrade cannot be part of the bundle, in the words the bundle and manifest show."""
    diagnosis = diagnose(project.history.revisions[revision].path, failure, DOWNGRADE)
    if diagnosis.cause.code == "no_downgrade":
        return failure.cause if failure.cause.startswith("the file has no") else f"downgrade() raises {failure.cause}"
    return f"downgrade() cannot render ({diagnosis.cause.code}): {failure.cause}"


def render_error(project: Project, release: Release, revision: str, dialect: str, direction: str, sql: MigrationSQL):
    failure = sql.failure
    diagnosis = diagnose(project.history.revisions[revision].path, failure, direction)
    fix = diagnosis.cause.fix if servers.available(project.config, dialect) else fix_without_server(diagnosis.cause, dialect)
    return RenderError(
        f"{direction}() cannot render offline ({diagnosis.cause.code}): it {diagnosis.summary}; raised {failure.cause}",
        path=project.history.source_path(revision),
        line=failure.line,
        release=release.name,
        revision=revision,
        dialect=dialect,
        hint=f"fix: {fix}; `sqlrelease doctor` lists every migration that cannot render",
    )


def select_releases(project: Project, names: Iterable[str]) -> list[Release]:
    """The named releases in plan order (all when none are named); an unknown name is a PlanError."""
    names = list(names)
    if not names:
        return list(project.releases)
    wanted = {project.release(n).name for n in names}
    return [r for r in project.releases if r.name in wanted]


def choose_dialects(project: Project, dialects: Iterable[str] | None) -> list[str]:
    """The given dialects (default: the configured ones), validated, in the order of DIALECTS."""
    chosen = [canonical(name, "--dialect") for name in (dialects or project.config.dialects)]
    return sorted(set(chosen), key=list(DIALECTS).index)
