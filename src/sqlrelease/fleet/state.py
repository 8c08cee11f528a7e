"""What a target's status line means: its state among the releases (pure functions).

States, and the exit code each asks for (the highest wins):

    current      at the goal release                                   0
    behind       at an older release (or an empty database): apply it  1
    partial      stopped inside a release (MySQL/MariaDB)              2
    ahead        a revision no bundle knows, or past the goal          2
    unmanaged    no version table, but tables: set up by other means   2
    failed       the last apply failed (and nothing changed since)     2
    drifted      the schema differs from what the release expects      2
    locked       an apply is running on it right now                   3
    unreachable  could not connect or read its status                  3
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalog import Catalog, Position

STATES = ("current", "behind", "partial", "ahead", "unmanaged", "failed", "drifted", "locked", "unreachable")
EXIT_CODES = {
    "current": 0,
    "behind": 1,
    "partial": 2,
    "ahead": 2,
    "unmanaged": 2,
    "failed": 2,
    "drifted": 2,
    "locked": 3,
    "unreachable": 3,
}
NEEDS_A_PERSON = frozenset(s for s, code in EXIT_CODES.items() if code == 2)


def exit_code(states) -> int:
    """The exit code of a set of target states: the most serious one's."""
    return max((EXIT_CODES[s] for s in states), default=0)


@dataclass
class TargetStatus:
    """One target as `status` (or `apply`, before and after) sees it."""

    target: object  # inventory.Target
    state: str
    release: str | None = None  # the release the database is at (None: base, or unknown)
    versions: list[str] | None = None  # the version table's rows; None: no version table
    goal: str | None = None
    behind: int = 0  # releases to apply to reach the goal
    next: str | None = None  # the next bundle to apply
    position: Position | None = None
    detail: str = ""  # one line, plain words
    probe: dict = field(default_factory=dict)  # what the status query returned
    seconds: float = 0.0
    drift: dict | None = None  # with --drift: {"checked", "release", "differences"} or {"checked": False, "reason"}
    resume: dict | None = None  # partial: where an apply --resume continues (see resume_point)

    @property
    def revision(self) -> str | None:
        return ",".join(self.versions) if self.versions else None

    def to_dict(self) -> dict:
        data = {
            "name": self.target.name,
            "dialect": self.target.dialect,
            "state": self.state,
            "release": self.release,
            "revision": self.revision,
            "revisions": self.versions,
            "goal": self.goal,
            "behind": self.behind,
            "next": self.next,
            "detail": self.detail,
            "url": self.target.shown_url,
            "labels": dict(self.target.labels),
        }
        if self.position is not None and not self.position.complete:
            data["inside"] = {"release": self.position.inside, "done": self.position.done, "of": self.position.total}
        for key in ("user", "clock", "receipt", "lock"):
            if self.probe.get(key) is not None:
                data[key] = self.probe[key]
        if self.drift is not None:
            data["drift"] = self.drift
        if self.resume is not None:
            data["resume"] = self.resume
        return data


def classify(target, probe: dict, catalog: Catalog, goal_index: int) -> TargetStatus:
    """The state of a target whose status query answered `probe`."""
    goal = catalog.releases[goal_index]
    status = TargetStatus(target=target, state="current", goal=goal.name, probe=probe)
    versions = probe.get("versions")
    status.versions = sorted(versions) if versions is not None else None
    # Progress rows without a version table: an apply stopped inside the very first migration (on
    # MySQL the version table is created after it), which is a partial apply, not a foreign schema.
    if versions is None and probe.get("tables") and not probe.get("progress"):
        status.state = "unmanaged"
        status.detail = (
            f"no {catalog.version_table[1]} table, but {probe['tables']} other table(s): set up by other means; "
            "stamp it with the stamp.sql of the release its schema matches"
        )
        return status
    position = catalog.locate(frozenset(versions or ()))
    if position is None and not versions:
        first = catalog.releases[0]
        status.state = "unmanaged"
        status.detail = (
            f"an empty database, but the first bundle in {catalog.folder.name}/ is {first.name}, which starts at "
            f"release {first.previous}: copy the bundles from the first release on"
        )
        return status
    if position is None:
        status.state = "ahead"
        status.detail = (
            f"{catalog.version_table[1]} = {status.revision or 'none'}, a revision in no bundle of {catalog.folder.name}/: "
            "the database is ahead of the package (or was changed by hand)"
        )
        return status
    status.position = position
    status.release = position.release
    chain = catalog.releases[position.index + 1 : goal_index + 1]
    status.behind = len(chain)
    status.next = chain[0].name if chain else None
    resume = resume_point(target, catalog, position, probe.get("progress") or [])
    if resume is not None:
        status.state = "partial"
        status.next = resume["release"]
        status.behind = goal_index - position.index
        status.resume = resume
        status.detail = resume_words(target, resume, catalog.version_table[1], status.revision)
    elif position.index > goal_index:
        status.state = "ahead"
        status.detail = f"at release {position.release}, past the goal {goal.name}"
    elif chain:
        status.state = "behind"
        at = f"at release {position.release}" if position.release else ("an empty database" if versions is None else "at base (empty version table)")
        status.detail = f"{at}; {len(chain)} release(s) to apply: {', '.join(r.name for r in chain)}"
    else:
        status.detail = f"at release {goal.name}"
    return status


def resume_point(target, catalog: Catalog, position, progress: list) -> dict | None:
    """Where an apply that stopped inside a release continues, or None when it did not stop inside one.

    The version table says which migrations completed; the progress table (MySQL/MariaDB) which
    statements of the next one ran: its row counts only when it names that next migration.
    """
    following = catalog.next_migration(position)
    if following is None:
        return None
    index, number = following
    release = catalog.releases[index]
    revision = release.migrations[number - 1]["revision"]
    row = next((r for r in progress if isinstance(r, dict) and r.get("revision") == revision), None)
    if position.complete and row is None:
        return None
    step = catalog.step(index, number, target.dialect)
    resume = {
        "release": release.name,
        "migration": number,
        "of": len(release.migrations),
        "revision": revision,
        "step": f"{release.folder.name}/{step}" if step else None,
        "statement": None,  # the statement it continues from (1: the migration's start)
        "statements": None,
        "interrupted": False,  # the statement before `statement` ran in part, or not at all: check it
    }
    if row is not None:
        started, done = int(row.get("statement") or 0), int(row.get("done") or 0)
        resume["statements"] = row.get("statements")
        resume["statement"] = started + done if done else max(started, 1)
        resume["interrupted"] = not done
    else:
        resume["statement"] = 1
    return resume


def resume_words(target, resume: dict, version_table: str, revision: str | None, by_hand: str | None = None) -> str:
    """One line: where the apply stopped, what may be half done, and the exact resume command."""
    where = f"stopped inside release {resume['release']}: migration {resume['migration']} of {resume['of']} ({resume['revision']})"
    if resume["statements"] and resume["statement"] > resume["statements"]:
        where += f", all {resume['statements']} statement(s) done, its version change not"
    elif resume["statements"]:
        where += f", continues at statement {resume['statement']} of {resume['statements']}"
    words = [f"{where} ({version_table} = {revision or 'none'})"]
    if resume["interrupted"]:
        words.append(
            f"statement {resume['statement']} was started and not recorded as done: it failed, or was stopped while it ran; "
            "if the server went down during it, it may have been applied in part (check what it changes, e.g. a column "
            "or index that exists already, or rows of a table without transactions); if it took effect, record it "
            f"(UPDATE sqlrelease_progress SET done = 1 WHERE revision = '{resume['revision']}') before resuming"
        )
    command = f"sqlrelease apply --resume --target {target.name}"
    if by_hand or resume["step"]:
        command += f" (by hand: {by_hand or resume['step']}, then the later steps and releases)"
    words.append(f"resume: {command}")
    return "; ".join(words)


def unreachable(target, goal: str | None, detail: str, seconds: float = 0.0) -> TargetStatus:
    return TargetStatus(target=target, state="unreachable", goal=goal, detail=detail, seconds=seconds)
