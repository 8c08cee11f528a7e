"""What every dialect module provides, and the text rules every dialect shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..errors import SqlreleaseError
from ..terminal import printable
from .client import Client


class UnsafeText(SqlreleaseError):
    """A value that a dialect cannot write as SQL text without changing what it means."""

    exit_code = 2
    kind = "unsafe-text"


def comment_text(text: object) -> str:
    """What may follow `-- ` on a line of any dialect's file: printable, and no `*/` to close a block comment."""
    return printable(text).replace("*/", "* /")


def refuse(dialect: str, value: str, why: str) -> UnsafeText:
    shown = printable(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return UnsafeText(
        f"{dialect}: cannot write {shown!r} as a SQL string: {why}",
        hint="rename what holds this text (a table, column or message) to plain characters",
    )


def check_text(dialect: str, value: str, *, one_line: bool = False) -> None:
    """Refuse what a dialect's client would not pass on unchanged inside a string literal."""
    if "\0" in value:
        raise refuse(dialect, value, "it contains NUL, which the client cannot send and SQL text cannot hold")
    if one_line and "\n" in value:
        # sqlcmd ends a batch at a line `GO`, SQL*Plus runs the buffer at a line `/`, even inside a string.
        raise refuse(dialect, value, "it spans lines, and this client reads some lines as commands")
    if "\r" in value:
        raise refuse(dialect, value, "it contains a carriage return, which the client drops at a line end")


def standard_string(dialect: str, value: object, *, prefix: str = "", one_line: bool = False) -> str:
    """A SQL-standard string literal: quotes doubled, nothing else special (SQLite, SQL Server, Oracle)."""
    value = str(value)
    check_text(dialect, value, one_line=one_line)
    return prefix + "'" + value.replace("'", "''") + "'"


def normal_type(text: str) -> str:
    """A column type as the catalog reports it, written one way: lower case, single spaces."""
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Dialect:
    name: str
    title: str
    url: str  # selects the SQLAlchemy dialect; offline rendering never connects
    transactional_ddl: bool
    client: str  # the client DBAs use, as named in the bundle README
    apply_command: str  # `{file}` and placeholders in CAPITALS the DBA fills in
    # The one function that writes any text as this dialect's string literal (templates: `| sql_string`).
    string_literal: Callable[[object], str]
    # The one function that makes any text safe after `-- ` in this dialect's files (templates: `| comment`).
    comment: Callable[[object], str] = comment_text
    separator: str | None = None  # a line after every statement (GO, /)
    notes: tuple[str, ...] = ()
    # DDL commits as it goes: bundles add one guarded script per migration to resume from
    # (inline stamp mode; in separate mode the version table does not follow the migrations).
    steps: bool = False
    steps_notes: tuple[str, ...] = ()  # how to resume with steps/, when they are written
    no_steps_notes: tuple[str, ...] = ()  # what a failure leaves when they are not
    strip_patterns: tuple[str, ...] = field(default=())
    # A column type from this dialect's catalog, written the same way on every server version.
    normal_type: Callable[[str], str] = normal_type
    # How `status`, `apply` and the build's scratch databases drive the native client (None: not yet).
    native_client: Client | None = None
    # How a DBA runs the bundle's read-only status query by hand (`{file}`); empty: none for this dialect.
    status_command: str = ""
    # More template filters this dialect's SQL needs (name, function), e.g. PostgreSQL's dollar quoting.
    filters: tuple[tuple[str, Callable], ...] = ()
    # (pattern, replacement): statements rewritten into a form every server of the dialect runs.
    rewrites: tuple[tuple[str, str], ...] = field(default=())

    def __hash__(self) -> int:
        # Equal dialects have equal names. Templates and their macros are looked up by dialect for
        # every block of every file; hashing all the fields above cost more than the lookups.
        return hash(self.name)

    @property
    def template(self) -> str:
        return f"{self.name}.sql.j2"

    def clean(self, statement: str) -> str:
        """Remove what Alembic's offline output leaves behind that this client cannot run."""
        for pattern in self.strip_patterns:
            statement = re.sub(pattern, "", statement)
        for pattern, replacement in self.rewrites:
            statement = re.sub(pattern, replacement, statement)
        return statement

    def notes_for(self, stamp: str) -> tuple[str, ...]:
        """What a DBA must know about this client, for bundles in stamp mode `stamp`."""
        if not self.steps:
            return self.notes
        return self.notes + (self.steps_notes if stamp == "inline" else self.no_steps_notes)

    def command(self, file: str) -> str:
        return self.apply_command.format(file=file)
