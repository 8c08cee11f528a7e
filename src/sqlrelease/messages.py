"""What a bundle's SQL files say to the DBA: guard messages, labels and notes.

Plain text, the same for every dialect; the dialect templates turn it into string
literals (`| sql_string`) or comments (`| comment`). Anything that came from a
history, plan or migration is made printable here (one line, hidden characters
shown as escapes), so a message can neither break a client's output nor fool it.
MariaDB and MySQL show at most 192 characters of an error: the words that matter
come first.
"""

from __future__ import annotations

from .terminal import printable


def versions_text(versions) -> str:
    """How a set of alembic_version rows reads in messages."""
    versions = list(versions)
    return ",".join(versions) if versions else "none"


def label(kind: str, release: str) -> str:
    """Which file speaks: `upgrade.sql of release 1.2.0`, `steps/2-abc.sql of release 1.2.0`."""
    return printable(f"{kind}.sql of release {release}")


def guard_refusal(label: str, table: str, expected) -> tuple[str, str]:
    """What a refused guard says, before and after the version it found."""
    return (
        printable(f"sqlrelease guard: {label} expects {table} = {versions_text(expected)}, found "),
        "; nothing was changed",
    )


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
    return f"step {number} of {total}: only migration {revision}; resume a failed upgrade.sql here"


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
