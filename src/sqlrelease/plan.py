"""The release plan: an ordered list of releases, each a name and a target.

The plan lives in a TOML file under version control::

    [[release]]
    name = "1.0.0"
    target = "3f2a9c1d7e44"          # one revision, or a list of heads

A release's range starts where the previous release ended (or at base) and ends
at its target. Resolving the plan against the history is a pure function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import tomlfile
from .errors import PlanError

if TYPE_CHECKING:
    from .history import History

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
NAME_MAX = 64
# Names the bundles folder uses for other things: archives, a build's staging and
# retired folders, and the approvals files of earlier versions.
RESERVED_ENDINGS = (".tar.gz", ".zip", ".tmp", ".old", ".approvals.json")
NAME_RULE = (
    f"a release name is 1 to {NAME_MAX} characters: letters, digits and . _ + -, starting with a letter or digit, "
    f"not ending in {', '.join(RESERVED_ENDINGS)}, and unlike any other release's name ignoring case"
)


def release_name_problem(name: object) -> str | None:
    """Why `name` cannot be a release name (it names a folder and files), or None."""
    if not isinstance(name, str) or not name:
        return "a release needs a `name` string"
    shown = name if len(name) <= 40 else name[:37] + "..."
    if len(name) > NAME_MAX:
        return f"release name {shown!r} is {len(name)} characters long, more than {NAME_MAX} ({NAME_RULE})"
    if not NAME_PATTERN.match(name):
        return f"release name {shown!r} is not allowed ({NAME_RULE})"
    if name.lower().endswith(RESERVED_ENDINGS):
        return f"release name {shown!r} ends like a file sqlrelease keeps beside bundles ({NAME_RULE})"
    return None
PLAN_HEADER = "# sqlrelease release plan: releases in apply order. Edit with `sqlrelease cut`.\n"


@dataclass(frozen=True)
class PlannedRelease:
    """A release as written in the plan file."""

    name: str
    targets: tuple[str, ...]
    line: int | None = None
    accept_irreversible: tuple[str, ...] = ()
    target_line: int | None = None  # where errors about the targets point
    accept_line: int | None = None


@dataclass(frozen=True)
class Plan:
    path: Path
    shown: str
    releases: tuple[PlannedRelease, ...]


@dataclass(frozen=True)
class Release:
    """A release resolved against the history: its range and migrations in apply order."""

    name: str
    previous: str | None
    start: tuple[str, ...]  # alembic_version before (empty: base)
    end: tuple[str, ...]  # alembic_version after
    revisions: tuple[str, ...]  # apply order
    line: int | None = None
    # Steps with an empty downgrade() whose downgrade may leave their (data) changes in place.
    accept_irreversible: frozenset[str] = frozenset()


def load_plan(path: Path, shown: str | None = None) -> Plan:
    """Read and validate the plan file's shape (not yet against the history)."""
    shown = shown or path.name
    if not path.exists():
        raise PlanError(
            "the release plan does not exist yet",
            path=shown,
            hint="`sqlrelease cut NAME` creates it with the first release; `sqlrelease init` creates it empty",
        )
    data, text = tomlfile.load(path, PlanError, shown)
    release_lines = [
        n for n, line in enumerate(text.splitlines(), start=1) if re.match(r"^\s*\[\[\s*release\s*\]\]", line)
    ]
    for key in data:
        if key != "release":
            raise PlanError(
                f"unknown table or key {key!r}",
                path=shown,
                line=tomlfile.line_of(text, rf"^\s*\[?\[?\s*{re.escape(key)}\b"),
                hint="the plan holds only [[release]] entries",
            )
    entries = data.get("release", [])
    if not isinstance(entries, list):
        raise PlanError("`release` must be an array of tables ([[release]])", path=shown, line=1)
    releases: list[PlannedRelease] = []
    seen: dict[str, tuple[str, int | None]] = {}  # lower-cased name -> (name, line)
    for index, entry in enumerate(entries):
        line = release_lines[index] if index < len(release_lines) else None

        def fail(message: str, key: str | None = None, hint: str | None = None) -> PlanError:
            at = tomlfile.key_line(text, key, after=line or 0) if key else None
            return PlanError(message, path=shown, line=at or line, hint=hint)

        if not isinstance(entry, dict):
            raise fail(
                f"`release` holds {type(entry).__name__} {entry!r}: each release is a [[release]] table",
                hint='write [[release]] with name = "1.0.0" and target = "REVISION"',
            )
        unknown = set(entry) - {"name", "target", "accept_irreversible"}
        if unknown:
            key = sorted(unknown)[0]
            raise fail(
                f"unknown key {key!r} in a release", key, "a release has `name`, `target` and `accept_irreversible`"
            )
        name = entry.get("name")
        problem = release_name_problem(name)
        if problem:
            raise fail(problem, "name")
        if name.lower() in seen:
            first, first_line = seen[name.lower()]
            same = "defined twice" if first == name else f"the same name as release {first!r} ignoring case"
            raise fail(f"release {name!r} is {same} (first at line {first_line})", "name",
                       hint="bundle folders of names that differ only in case collide on macOS and Windows")
        seen[name.lower()] = (name, line)
        target = entry.get("target")
        if isinstance(target, str):
            targets = (target,)
        elif isinstance(target, list) and target and all(isinstance(t, str) and t for t in target):
            targets = tuple(target)
        else:
            raise fail(f"release {name!r} needs a `target`: a revision id or a list of heads", "target")
        if len(set(targets)) != len(targets):
            raise fail(f"release {name!r} lists a target twice", "target")
        accepted = entry.get("accept_irreversible", [])
        if not isinstance(accepted, list) or not all(isinstance(a, str) and a for a in accepted):
            raise fail(f"release {name!r}: `accept_irreversible` must be a list of revision ids", "accept_irreversible")
        releases.append(
            PlannedRelease(
                name=name,
                targets=targets,
                line=line,
                accept_irreversible=tuple(accepted),
                target_line=tomlfile.key_line(text, "target", after=line or 0),
                accept_line=tomlfile.key_line(text, "accept_irreversible", after=line or 0) if accepted else None,
            )
        )
    return Plan(path=path, shown=shown, releases=tuple(releases))


def resolve(plan: Plan, history: "History") -> list[Release]:
    """Each planned release with its range, checked against the history."""
    resolved: list[Release] = []
    applied: frozenset[str] = frozenset()
    start: tuple[str, ...] = ()  # the version table's rows after the releases before
    previous: PlannedRelease | None = None
    for planned in plan.releases:
        def fail(message: str, hint: str | None = None, line: int | None = None) -> PlanError:
            line = line or planned.target_line or planned.line
            return PlanError(message, path=plan.shown, line=line, release=planned.name, hint=hint)

        try:
            targets = tuple(history.resolve(t) for t in planned.targets)
        except PlanError as exc:
            raise fail(exc.message, exc.hint) from None
        # Walk down to what earlier releases applied, not through it: each release costs its own size.
        reach = history.ancestors(targets, applied)
        new = reach - applied
        for target in targets:
            if any(other != target and target in history.ancestors([other]) for other in targets):
                raise fail(f"target {target} is an ancestor of another target", "list only heads")
        if not set(start) <= reach:  # the previous release's heads are what a descendant reaches first
            full = history.ancestors(targets)
            missing = sorted(history.heads_of(applied - full) or applied - full)
            raise fail(
                f"target does not descend from release {previous.name}'s target (misses {', '.join(missing)})",
                "a release must build on everything released before it",
            )
        revisions = history.order(new)
        if not revisions:
            raise fail("has no new migrations since the previous release", "remove it or move its target")
        try:
            accepted = frozenset(history.resolve(a) for a in planned.accept_irreversible)
        except PlanError as exc:
            raise fail(f"accept_irreversible: {exc.message}", exc.hint, planned.accept_line) from None
        outside = sorted(accepted - set(revisions))
        if outside:
            raise fail(f"accept_irreversible names {', '.join(outside)}, which is not in this release", line=planned.accept_line)
        resolved.append(
            Release(
                name=planned.name,
                previous=previous.name if previous else None,
                start=start,
                end=history.heads_after(start, revisions),
                revisions=tuple(revisions),
                line=planned.line,
                accept_irreversible=accepted,
            )
        )
        applied = applied | new
        start = resolved[-1].end
        previous = planned
    return resolved


def unreleased(releases: list[Release], history: "History") -> list[str]:
    """Revisions that belong to no release, in apply order."""
    released = set().union(*(r.revisions for r in releases)) if releases else set()
    return history.order(set(history.revisions) - released)


def append_release(plan: Plan, name: str, targets: tuple[str, ...]) -> None:
    """Append a release to the plan file (created with a header when missing), keeping its comments and layout."""
    target = targets[0] if len(targets) == 1 else list(targets)
    tomlfile.edit(
        plan.path,
        lambda document: tomlfile.append_table(document, "release", {"name": name, "target": target}),
        header=PLAN_HEADER,
        error=PlanError,
        shown=plan.shown,
    )
