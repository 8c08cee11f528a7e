"""The local journal of `apply`: one JSON line per target and run, never a secret.

Each line: run id, target, dialect, URL (password masked), when, from and to
release, the outcome, and per file of the target's one client session its path,
sha256, outcome (applied, failed, not run), exit code, seconds and the tail of
what the client printed for it (masked); see `apply._files_run`. `status` reads the last line of each
target to tell a target whose last apply failed.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

ENV = "SQLRELEASE_JOURNAL"
READ_LIMIT = 4 * 1024 * 1024  # status reads the journal's last 4 MiB


def default_path() -> Path:
    """$SQLRELEASE_JOURNAL, else $XDG_STATE_HOME/sqlrelease/journal.jsonl (~/.local/state/...)."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "sqlrelease" / "journal.jsonl"


class Journal:
    """Appends entries (thread-safe); each is one line, written with one call."""

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()

    def write(self, entry: dict) -> None:
        if self.path is None:
            return
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)


def last_entries(path: Path | None) -> dict[str, dict]:
    """The newest journal entry of each target name (from the journal's tail)."""
    if path is None or not Path(path).is_file():
        return {}
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - READ_LIMIT))
        data = handle.read()
    lines = data.decode("utf-8", "replace").splitlines()
    if size > READ_LIMIT:
        lines = lines[1:]  # the first line may be cut
    latest: dict[str, dict] = {}
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("target"), str):
            latest[entry["target"]] = entry
    return latest
