"""Running the native clients (psql, mariadb, sqlite3) the way a bundle README tells a DBA to.

Everything the tool does to a database goes through one of these runs: the
bundle's own files for `apply`, the status query for `status`. How each client
is started (its command line, where the password goes) is its dialect's
knowledge (`dialects/<name>.py`); this module runs it and reads what it printed.
Passwords reach the client only through its environment (PGPASSWORD,
MYSQL_PWD), never its command line or a file; the client's own sources
(~/.pgpass, passfile=, ~/.my.cnf, an option file) work as they do by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..dialects import DIALECTS, client
from ..dialects.client import ClientMissing, Invocation
from .passwords import Secrets

OUTPUT_TAIL = 2000  # characters of client output kept for reports and the journal

__all__ = ["ClientMissing", "Invocation", "Outcome", "apply_invocation", "client_binary", "query_invocation", "run", "schema_with_every_status",
           "run_session", "session_invocation"]


def client_binary(dialect: str) -> str:
    """The client program for a dialect: $SQLRELEASE_PSQL etc., else the one on PATH."""
    return DIALECTS[dialect].native_client.program()


def schema_with_every_status(dialect: str) -> bool:
    """Whether a drift check reads this dialect's schema in every status run (a local file), where it
    cannot read it only when the versions are not the goal's."""
    return DIALECTS[dialect].native_client.schema_with_every_status


def apply_invocation(target, file: Path, password: str | None, *, timeout: int, variables=None) -> Invocation:
    """How the bundle README runs `file` on this target, with this connection."""
    native = DIALECTS[target.dialect].native_client
    return native.apply(target.url, file, password, timeout=timeout, variables=variables, option_file=target.option_file)


def session_invocation(target, files: list[Path], password: str | None, *, timeout: int, variables=None, token: str) -> Invocation:
    """How the bundle README runs each of `files` on this target, all in one client session, in order,
    stopping at the first failure; the line `TOKEN n` says the n-th ran completely (see `Client`)."""
    native = DIALECTS[target.dialect].native_client
    return native.apply_session(target.url, files, password, timeout=timeout, variables=variables,
                                option_file=target.option_file, token=token)


def query_invocation(target, query: str, password: str | None, *, timeout: int) -> Invocation:
    """A read-only query (the status query) on this target, printing its JSON line(s)."""
    native = DIALECTS[target.dialect].native_client
    return native.query(target.url, query, password, timeout=timeout, option_file=target.option_file)


@dataclass
class Outcome:
    """What a client run did: exit code, seconds, and its output (masked, tail only)."""

    exit_code: int
    seconds: float
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def tail(self) -> str:
        text = (self.stderr.strip() or self.stdout.strip())
        return text[-OUTPUT_TAIL:]

    def first_error(self) -> str:
        """The line that says what went wrong, for a one-line report."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        for pattern in (r"ERROR|Error|error:|FATAL", r"failed|refused|denied|sqlrelease guard|sqlrelease lock"):
            for line in lines:
                if re.search(pattern, line) and "NOTICE" not in line:
                    return line[:500]
        return (lines[-1] if lines else f"exit code {self.exit_code}")[:500]


def run(invocation: Invocation, secrets: Secrets, *, timeout: float | None = None) -> Outcome:
    """Run a client; its output comes back with every known secret masked."""
    code, out, err, seconds = client.run(invocation, timeout)
    return Outcome(code, seconds, secrets.mask(out.decode("utf-8", "replace")), secrets.mask(err.decode("utf-8", "replace")))


def run_session(invocation: Invocation, secrets: Secrets) -> tuple[Outcome, list[tuple[float, str]]]:
    """Run a client and note when each line of its output arrived: (its outcome, with stdout empty;
    the stdout lines, masked, each with the seconds since the start at which it came)."""
    code, lines, err, seconds = client.run_stamped(invocation)
    stamped = [(at, secrets.mask(line.decode("utf-8", "replace").rstrip("\r\n"))) for at, line in lines]
    return Outcome(code, seconds, "", secrets.mask(err.decode("utf-8", "replace"))), stamped
