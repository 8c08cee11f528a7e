"""How a dialect's native client is found and started: the parts every dialect shares.

Each dialect module says how its own client is driven (command line, where a
password goes, what it prints); this module holds what they have in common: the
command line as data (`Invocation`), and finding the program (`find_program`).
Nothing here starts a process: `fleet` runs invocations, and the build runs them
on a scratch database.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


class ClientMissing(Exception):
    """The native client of a dialect is not installed."""


@dataclass(frozen=True)
class Invocation:
    """One client run: its command line, extra environment, and the file or text fed on stdin.

    A password is only ever in `env` (PGPASSWORD, MYSQL_PWD), never in `argv`,
    so `shown()` never holds one.
    """

    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    stdin_file: Path | None = None
    stdin_text: str | None = None

    def shown(self) -> str:
        """The command line as a DBA would type it (never holds a password)."""
        text = shlex.join(self.argv)
        return f"{text} < {shlex.quote(str(self.stdin_file))}" if self.stdin_file else text


def run(invocation: Invocation, timeout: float | None = None) -> tuple[int, bytes, bytes, float]:
    """Start the client and wait for it: (exit code, stdout, stderr, seconds). A client that cannot
    start exits 127; one past `timeout` is killed and exits 124."""
    import subprocess  # here: the verbs that only read bundles or the plan start no client

    env = {**os.environ, **dict(invocation.env)}
    started = time.monotonic()
    stdin = open(invocation.stdin_file, "rb") if invocation.stdin_file else None
    try:
        proc = subprocess.run(
            invocation.argv,
            input=invocation.stdin_text.encode("utf-8") if invocation.stdin_text is not None else None,
            stdin=stdin if stdin is not None else (None if invocation.stdin_text is not None else subprocess.DEVNULL),
            capture_output=True,
            env=env,
            timeout=timeout,
            check=False,
        )
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = 124, exc.stdout or b"", (exc.stderr or b"") + f"\nstopped after {timeout:.0f} s".encode()
    except OSError as exc:
        code, out, err = 127, b"", str(exc).encode()
    finally:
        if stdin is not None:
            stdin.close()
    return code, out, err, time.monotonic() - started


def find_program(names: tuple[str, ...], override: str, resolve: Callable[[str], str] | None = None) -> str:
    """The client program: $`override` when set, else the first of `names` on PATH.

    `resolve` lets a dialect replace what PATH found (Debian's psql wrapper).
    """
    chosen = os.environ.get(override)
    if chosen:
        return chosen
    # Once per PATH: a fleet run asks for every target, and searching PATH is a stat per folder.
    return _on_path(names, resolve, os.environ.get("PATH"), override)


@functools.lru_cache(maxsize=64)
def _on_path(names: tuple[str, ...], resolve, path: str | None, override: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return resolve(found) if resolve else found
    raise ClientMissing(f"{' or '.join(names)} is not installed (or set {override} to its path)")


SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.:-]*$")


def check_variables(variables: dict[str, str]) -> None:
    """Client variables (run id, statement numbers) are made by the tool: plain names and values only,
    so they need no quoting on any client's command line."""
    for name, value in variables.items():
        if not re.match(r"^[a-z_][a-z0-9_]*$", name) or not SAFE_VALUE.match(value):
            raise ValueError(f"client variable {name}={value!r}: only letters, digits and _ . : - may be passed")


@dataclass(frozen=True)
class Client:
    """A dialect's native client: its program and how a bundle file or a query is run with it.

    `apply(url, file, password, timeout=, variables=, option_file=)` runs a bundle
    file as its README says; `query(url, text, password, timeout=, option_file=,
    application=)` feeds a read-only query on stdin and prints its rows plainly.
    `variables` reach the file as client variables (psql -v, @user variables,
    sqlite3 parameters). `url` is any object with host, port, username, database
    and query (a SQLite file is its `database`).

    One session can read several databases of a server in turn (`status` reads a
    fleet so, instead of starting a client per database): `switch(url, timeout=)`
    is the client text that moves the session opened by `query` to `url`'s database
    (None: this one cannot be reached so), `echo(text)` the text that prints `text`
    as one line between the answers.
    """

    programs: tuple[str, ...]
    override: str  # the environment variable that names the program's path instead
    apply: Callable[..., Invocation]
    query: Callable[..., Invocation]
    check_url: Callable[[object], str | None] = lambda url: None
    switch: Callable[..., str | None] | None = None
    echo: Callable[[str], str] | None = None
    resolve: Callable[[str], str] | None = None

    def program(self) -> str:
        return find_program(self.programs, self.override, self.resolve)


def environment(pairs: dict[str, str | None]) -> tuple[tuple[str, str], ...]:
    """Sorted environment pairs, leaving out those without a value."""
    return tuple(sorted((k, v) for k, v in pairs.items() if v is not None))
