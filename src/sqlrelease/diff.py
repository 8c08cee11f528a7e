"""Differences between bundles, as unified diffs of their files.

Two uses: the SQL difference between two releases (what changes from one release
to the next: by default the migrations' own statements, or the whole bundle
files), and committed bundle files against freshly rendered ones (what
`sqlrelease check` reports as drift). Both compare `{path: bytes}` mappings;
reading folders and rendering happen in the callers (commands/diff.py).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .bundle import MANIFEST, README, SQL_KINDS, SUMS

# Review order: the SQL a DBA runs first, then the documents describing it.
_TAIL = (README, MANIFEST, SUMS)


@dataclass(frozen=True)
class FileDiff:
    """The difference of one bundle file between an old and a new side."""

    path: str
    old_name: str
    new_name: str
    change: str  # changed | missing (only in old) | added (only in new)
    lines: tuple[str, ...]  # unified diff lines, without line ends

    def shown(self, limit: int | None) -> tuple[list[str], int]:
        """The first `limit` lines (all when None) and how many were left out."""
        if limit is None or len(self.lines) <= limit:
            return list(self.lines), 0
        return list(self.lines[:limit]), len(self.lines) - limit

    def to_dict(self, limit: int | None = None) -> dict:
        lines, left_out = self.shown(limit)
        return {
            "path": self.path,
            "change": self.change,
            "old": self.old_name,
            "new": self.new_name,
            "diff": "\n".join(lines),
            "lines_left_out": left_out,
        }


def review_order(path: str) -> tuple:
    """Sort key: SQL files per dialect (upgrade, downgrade, stamp, steps) before README, manifest, sums."""
    if path in _TAIL:
        return (1, _TAIL.index(path), path)
    dialect, _, rest = path.partition("/")
    kind = rest.removesuffix(".sql")
    rank = SQL_KINDS.index(kind) if kind in SQL_KINDS else len(SQL_KINDS)
    return (0, dialect, rank, rest)


def _text(data: bytes) -> list[str]:
    return data.decode("utf-8", "replace").splitlines()


def file_diff(path: str, old: bytes | None, new: bytes | None, old_name: str, new_name: str) -> FileDiff | None:
    """The unified diff of one file; None when both sides hold the same bytes."""
    if old == new:
        return None
    change = "missing" if new is None else "added" if old is None else "changed"
    lines = list(
        difflib.unified_diff(
            _text(old or b""),
            _text(new or b""),
            fromfile=old_name if old is not None else "/dev/null",
            tofile=new_name if new is not None else "/dev/null",
            lineterm="",
        )
    )
    if not lines:  # same text, different bytes: line ends or a final newline
        lines = [f"--- {old_name}", f"+++ {new_name}", "@@ the files differ only in line ends or a final newline @@"]
    return FileDiff(path, old_name, new_name, change, tuple(lines))


def diff_files(
    old: dict[str, bytes], new: dict[str, bytes], old_folder: str, new_folder: str, old_note: str = "", new_note: str = ""
) -> list[FileDiff]:
    """Every file that differs between two `{path: bytes}` mappings, in review order.

    Files are named `<folder>/<path>`, followed by the note (e.g. "(committed)") when given.
    """
    old_note, new_note = (f" {old_note}" if old_note else ""), (f" {new_note}" if new_note else "")
    diffs = []
    for path in sorted(set(old) | set(new), key=review_order):
        found = file_diff(
            path, old.get(path), new.get(path), f"{old_folder}/{path}{old_note}", f"{new_folder}/{path}{new_note}"
        )
        if found:
            diffs.append(found)
    return diffs


def sql_only(files: dict[str, bytes], dialect: str | None = None) -> dict[str, bytes]:
    """The SQL files of a bundle, keyed by `<dialect>/<kind>.sql`; one dialect when given."""
    return {
        path: data
        for path, data in files.items()
        if path.endswith(".sql") and (dialect is None or path.split("/", 1)[0] == dialect)
    }


def statement_files(release_sql, messages: dict[str, str]) -> dict[str, bytes]:
    """A release's migrations' own statements, `{<dialect>/<direction>.sql: text}`, in the order they
    run: each migration under a `-- <revision> <message>` line, without the bundle's header, guard
    and version-table changes, so that two releases compare by what their migrations do."""
    files = {}
    for direction in ("upgrade", "downgrade"):
        for dialect, migrations in getattr(release_sql, direction).items():
            order = release_sql.release.revisions if direction == "upgrade" else tuple(reversed(release_sql.release.revisions))
            parts = []
            for revision in order:
                migration = migrations.get(revision)
                statements = migration.statements if migration else ()
                parts.append(f"-- {revision} {messages.get(revision, '')}".rstrip())
                parts += [statement.rstrip() for statement in statements] or ["-- (no statements)"]
                parts.append("")
            files[f"{dialect}/{direction}.sql"] = "\n".join(parts).encode("utf-8")
    return files


def line_style(line: str) -> str | None:
    """The colour a terminal shows a unified diff line in."""
    if line.startswith(("---", "+++")):
        return "bold"
    if line.startswith("@@"):
        return "cyan"
    if line.startswith("+"):
        return "green"
    if line.startswith("-"):
        return "red"
    return None
