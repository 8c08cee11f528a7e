"""Failures a user can act on.

Every expected failure is one of these exceptions. Each carries what is known of
where it happened (file and line, release, revision, dialect) and what to do, so
the CLI can print one line and exit non-zero without a traceback.
"""

from __future__ import annotations

from pathlib import Path


class SqlreleaseError(Exception):
    """Base class: an expected failure, with a message meant for users."""

    exit_code = 1
    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        path: str | Path | None = None,
        line: int | None = None,
        release: str | None = None,
        revision: str | None = None,
        dialect: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.path = str(path) if path is not None else None
        self.line = line
        self.release = release
        self.revision = revision
        self.dialect = dialect

    def location(self) -> str:
        """`file:line` where known, else ''."""
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        parts = []
        where = self.location()
        if where:
            parts.append(where + ":")
        context = []
        if self.release:
            context.append(f"release {self.release}")
        if self.revision:
            context.append(f"revision {self.revision}")
        if self.dialect:
            context.append(f"dialect {self.dialect}")
        if context:
            parts.append(", ".join(context) + ":")
        parts.append(self.message)
        text = " ".join(parts)
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "message": self.message,
            "hint": self.hint,
            "file": self.path,
            "line": self.line,
            "release": self.release,
            "revision": self.revision,
            "dialect": self.dialect,
        }


class ConfigError(SqlreleaseError):
    """`[tool.sqlrelease]` is missing or invalid."""

    exit_code = 2
    kind = "config"


class PlanError(SqlreleaseError):
    """The release plan file is malformed or does not fit the history."""

    exit_code = 2
    kind = "plan"


class HistoryError(SqlreleaseError):
    """The Alembic history cannot be loaded (bad script directory, broken revision file)."""

    exit_code = 2
    kind = "history"


class RenderError(SqlreleaseError):
    """A migration could not be rendered offline for a dialect."""

    kind = "render"


class Interrupted(RenderError):
    """Rendering or rehearsal was interrupted (Ctrl-C, or KeyboardInterrupt raised by a migration)."""

    exit_code = 130
    kind = "interrupted"


class BundleError(SqlreleaseError):
    """A bundle could not be written or read."""

    kind = "bundle"


class ReviewError(SqlreleaseError):
    """A waiver, approval or key could not be read, written or checked."""

    kind = "review"


class InputError(SqlreleaseError):
    """A value given on the command line or to the API cannot be used (a name, a key file, an unknown
    rule, a revision of another release)."""

    exit_code = 2
    kind = "input"


class WriteError(SqlreleaseError):
    """A file could not be written (a full disk, permissions); what was there before is unchanged."""

    exit_code = 2
    kind = "write"


class ServerError(SqlreleaseError):
    """A rehearsal server cannot be reached or used (host, port, user, password, database)."""

    exit_code = 2
    kind = "server"
