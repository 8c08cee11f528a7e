"""What a bundle's SQL files say to the DBA: guard messages, labels and notes.

Plain text, the same for every dialect; the dialect templates turn it into string
literals (`| sql_string`) or comments (`| comment`). Anything that came from a
history, plan or migration is made printable here (one line, hidden characters
shown as escapes), so a message can neither break a client's output nor fool it.
MariaDB and MySQL show at most 192 characters of an error: the words that matter
come first.
"""

from __future__ import annotations

from dataclasses import dataclass

from .terminal import printable


def versions_text(versions) -> str:
    """How a set of alembic_version rows reads in messages."""
    versions = list(versions)
    return ",".join(versions) if versions else "none"


def label(kind: str, release: str) -> str:
    """Which file speaks: `upgrade.sql of release 1.2.0`, `steps/2-abc.sql of release 1.2.0`."""
    return printable(f"{kind}.sql of release {release}")


REFUSED = "sqlrelease guard:"  # a server at a version this file does not start from
NOTHING_TO_DO = "sqlrelease: nothing to do:"  # the file's work is done already on this server


@dataclass(frozen=True)
class GuardText:
    """What a guard says, in release words where the bundle knows them.

    The found version is only known when the file runs, so the SQL picks its words:
    `states` maps each version the bundle can name (versions joined by commas) to
    words, `none` is for an empty or missing version table, and any other version is
    shown as it is, followed by `unknown`. `done` is the version at which this file's
    work is already done (None: an empty version table): the file then says
    `done_message` instead of refusing.
    """

    before: str  # ... the found words come here ...
    after: str
    states: tuple[tuple[str, str], ...]
    none: str
    unknown: str
    done: str | None
    done_message: str


def state_words(release: str, versions) -> str:
    return f"release {release} ({versions_text(versions)})"


NAMED_RELEASES = 10  # the releases up to this one that a guard names: where a server can plausibly be


def named_releases(releases) -> list:
    """The (name, end) a bundle's guards name, of the plan's releases up to and including its own.

    The last NAMED_RELEASES only: naming every earlier release made every file of every bundle
    grow with the length of the history (hundreds of WHEN lines a guard in a long one). A server
    further behind is shown by its revision, with words that say so (`unknown_words`).
    """
    return list(releases)[-NAMED_RELEASES:]


def known_states(releases, history, release) -> dict[str, str]:
    """Versions a bundle of `release` can name: the recent releases up to it (`named_releases`),
    and each migration inside it.

    `releases` is the plan's (name, end) up to and including `release`; later ones are not
    known when the bundle is built, and naming them would change it afterwards.
    """
    states = {",".join(sorted(end)): state_words(name, end) for name, end in named_releases(releases)}
    total = len(release.revisions)
    rows = history.heads_along(release.start, release.revisions)
    for number, heads in enumerate(rows[1:-1], start=1):
        states.setdefault(
            ",".join(sorted(heads)),
            f"partway through release {release.name} ({versions_text(heads)}, {number} of {total} migrations)",
        )
    return states


NO_RELEASE = "no release (no alembic_version rows)"


def unknown_words(release: str, releases=()) -> str:
    """What follows a version the guard cannot name. `releases`: the plan's (name, end) up to
    `release`; when the guard leaves older ones unnamed, the words say where its names begin."""
    releases = list(releases)
    named = named_releases(releases)
    if len(named) == len(releases):
        return f" (no release up to {release})"
    return (
        f" (no release from {named[0][0]} up to {release}: older, later or hand-edited; sqlrelease status names it)"
    )


def guard_text(
    label: str, release: str, expected, done, states: dict[str, str], done_message: str, releases=()
) -> GuardText:
    """What the guard of the file `label` says; it needs `expected` and its work is done at `done`.
    `releases`: the plan's (name, end) up to `release` (see `unknown_words`)."""
    key = ",".join(sorted(expected))
    needs = states.get(key, versions_text(expected)) if expected else "an empty database (no alembic_version rows)"
    return GuardText(
        before=f"{REFUSED} this server is at ",
        after=printable(f"; {label} needs {needs}; nothing was changed"),
        states=tuple(sorted(states.items())),
        none=NO_RELEASE,
        unknown=printable(unknown_words(release, releases)),
        done=",".join(sorted(done)) if done else None,
        done_message=printable(f"{NOTHING_TO_DO} {done_message}"),
    )


def done_words(states: dict[str, str], versions) -> str:
    return states.get(",".join(sorted(versions)), versions_text(versions)) if versions else NO_RELEASE


def finished(label: str, now: str, next_step: str | None = None) -> str:
    """The one line a file prints when it ran to the end."""
    text = f"sqlrelease: {label} done: this server is at {now}"
    return printable(text + (f"; {next_step}" if next_step else ""))


def moving(label: str, table: str, old: str, new: str) -> str:
    """What a version update says when it did not touch exactly one row (the count follows)."""
    return printable(f"sqlrelease: {label}: moving {table} from {old} to {new}")


def removing(label: str, table: str, old: str) -> str:
    return printable(f"sqlrelease: {label}: removing {old} from {table}")


def rebuild_refusal(rebuild, revision: str, label: str) -> tuple[str, str]:
    """What a refused table rebuild says, around the list of columns found in SQL.

    The columns come first after the revision: MariaDB cuts error text at 192 characters.
    """
    return (
        printable(
            f"sqlrelease guard: migration {revision} rebuilds table {rebuild.table} "
            "and would drop columns it does not know: "
        ),
        printable(
            f"; nothing was changed ({label}; to keep them, list them in the migration copy_from, or move them out first)"
        ),
    )


def cannot_downgrade(release: str, refused) -> str:
    """Why a release's downgrade.sql refuses to run: its irreversible steps, ids before reasons."""
    ids = ", ".join(i.revision for i in refused)
    reasons = "; ".join(f"{i.revision}: {i.reason}" for i in refused)
    return printable(
        f"sqlrelease: release {release} cannot be downgraded: irreversible "
        f"step{'s' if len(refused) > 1 else ''} {ids}; nothing was changed, restore from a backup "
        f"instead ({reasons})"
    )


def accepted_irreversible(irreversible) -> str:
    return printable(
        f"{irreversible.revision} cannot be undone ({irreversible.reason}); the plan accepts that its changes stay."
    )


SEPARATE_STAMP_NOTE = "Stamp mode is separate: this file does not change the version table; run stamp.sql afterwards."
STAMP_NOTE = (
    "This file changes only the version table, for a server whose schema was brought to this release by other means."
)


def step_note(number: int, total: int, revision: str) -> str:
    return (
        f"step {number} of {total}: only migration {revision}; resume a failed or interrupted upgrade.sql here "
        "(on MySQL/MariaDB the statements recorded as done in sqlrelease_progress are skipped)"
    )


def started(release: str, dialect: str, step: str) -> str:
    """upgrade.sql on a server where its first migration ran in part (the version table cannot show it)."""
    return printable(
        f"sqlrelease guard: this server stopped inside release {release}, in its first migration; "
        f"resume with {dialect}/steps/{step}.sql (sqlrelease apply --resume); nothing was changed"
    )


def resuming(label: str, revision: str) -> str:
    """What a step script says when it continues a migration: followed by the count done, 'of N ...'."""
    return printable(f"sqlrelease: {label} resumes migration {revision}: its statements 1 to ")


def cannot_skip(label: str, revision: str, number: int) -> str:
    return printable(
        f"sqlrelease: {label}: statement {number} of migration {revision} is recorded as done but cannot be skipped "
        f"(the server cannot prepare it); apply the rest of this migration by hand; nothing was changed"
    )


def lock_refusal(label: str, timeout: int) -> tuple[str, str]:
    """What a script says when another session holds the database's apply lock, before and after
    who holds it (first: MariaDB shows only 192 characters)."""
    return (
        "sqlrelease lock: another session (",
        printable(f") holds the apply lock of this database; {label} waited {timeout} s and changed nothing, run it again when that one is done"),
    )


def source_digest(release, history) -> str:
    """The sha256 that names the exact migration sources of a release: one line per migration,
    `<revision> <sha256 of its file>`, in apply order. Receipts and the manifest carry it."""
    import hashlib

    lines = "".join(f"{revision} {history.source_sha256(revision)}\n" for revision in release.revisions)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


_ALREADY = {
    "upgrade": "release {release} is applied already",
    "downgrade": "release {release} is rolled back already",
    "stamp": "release {release} is stamped already",
    "baseline": "release {release} is recorded already",
    "step": "this step of release {release} is applied already",
}


def already(kind: str, release: str, now: str) -> str:
    """What a file says when its work is done on this server already (after NOTHING_TO_DO)."""
    return f"{_ALREADY[kind].format(release=release)}: this server is at {now}"


def did_not_complete(label: str) -> str:
    """The last line of a MySQL file the client ran on after an error (--force, source)."""
    return printable(f"sqlrelease: {label} did not complete: the first error above says why; nothing after it changed anything")


def stamp_next(release: str) -> str:
    return f"run stamp.sql of release {release} next"


UNSTAMPED = "sqlrelease_unstamped"


def unstamped(label: str, release: str) -> str:
    """Why a separate-mode upgrade.sql refuses to run where it ran and was not stamped."""
    return printable(
        f"{REFUSED} {label} ran here already and stamp.sql did not follow ({UNSTAMPED} exists): "
        f"run stamp.sql of release {release}; nothing was changed"
    )


BASELINE_NOTE = (
    "This file marks a server whose schema is at this release already (made by db.create_all(), a restore, a copy)"
    " as being at it: it refuses unless the version table is empty or absent, and changes nothing else."
)
UNSTAMPED_NOTE = (
    f"Stamp mode is separate: this file does not change the version table; it leaves a table {UNSTAMPED} that"
    " stamp.sql removes, and refuses to run again while it is there. Run stamp.sql afterwards."
)
