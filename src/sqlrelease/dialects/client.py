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
    stdin_parts: tuple = ()  # fed on stdin one after another: files (Path) and statements (str)

    def shown(self) -> str:
        """The command line as a DBA would type it (never holds a password)."""
        text = shlex.join(self.argv)
        if self.stdin_parts:
            parts = [f"cat {shlex.quote(str(p))}" if isinstance(p, Path) else f"echo {shlex.quote(p)}" for p in self.stdin_parts]
            return "{ " + "; ".join(parts) + "; } | " + text
        return f"{text} < {shlex.quote(str(self.stdin_file))}" if self.stdin_file else text

    def stdin_bytes(self) -> bytes | None:
        """What the client reads on stdin when it is fed text or parts (None: a file, or nothing)."""
        if self.stdin_parts:
            return b"".join(_part(p) for p in self.stdin_parts)
        return self.stdin_text.encode("utf-8") if self.stdin_text is not None else None

    def file_at(self, line: int) -> tuple[Path, int] | None:
        """The file fed in stdin_parts, and the line in it, that line `line` of stdin came from."""
        first = 1
        for part in self.stdin_parts:
            count = _part(part).count(b"\n")
            if line < first + count:
                return (part, line - first + 1) if isinstance(part, Path) else None
            first += count
        return None


def _part(part) -> bytes:
    """A part of stdin as fed: a file's bytes or a statement, ending with a line break."""
    data = Path(part).read_bytes() if isinstance(part, Path) else part.encode("utf-8")
    return data if data.endswith(b"\n") else data + b"\n"


def run(invocation: Invocation, timeout: float | None = None) -> tuple[int, bytes, bytes, float]:
    """Start the client and wait for it: (exit code, stdout, stderr, seconds). A client that cannot
    start exits 127; one past `timeout` is killed and exits 124."""
    import subprocess  # here: the verbs that only read bundles or the plan start no client

    env = {**os.environ, **dict(invocation.env)}
    started = time.monotonic()
    stdin = open(invocation.stdin_file, "rb") if invocation.stdin_file else None
    fed = invocation.stdin_bytes()
    try:
        proc = subprocess.run(
            invocation.argv,
            input=fed,
            stdin=stdin if stdin is not None else (None if fed is not None else subprocess.DEVNULL),
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


def run_stamped(invocation: Invocation) -> tuple[int, list[tuple[float, bytes]], bytes, float]:
    """Start the client and wait for it: (exit code, its stdout lines each with the seconds since the
    start at which it arrived, stderr, seconds). For clients that print as they go (psql), the arrival
    of a line tells when the work before it ended. A client that cannot start exits 127."""
    import subprocess
    import threading

    env = {**os.environ, **dict(invocation.env)}
    started = time.monotonic()
    fed = invocation.stdin_bytes()
    stdin = open(invocation.stdin_file, "rb") if invocation.stdin_file else None
    try:
        proc = subprocess.Popen(
            invocation.argv,
            stdin=stdin if stdin is not None else (subprocess.PIPE if fed is not None else subprocess.DEVNULL),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
    except OSError as exc:
        return 127, [], str(exc).encode(), time.monotonic() - started
    finally:
        if stdin is not None:
            stdin.close()
    err: list[bytes] = []
    helpers = [threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)]
    if proc.stdin is not None:
        helpers.append(threading.Thread(target=_feed, args=(proc.stdin, fed), daemon=True))
    for helper in helpers:
        helper.start()
    lines = [(time.monotonic() - started, line) for line in proc.stdout]
    code = proc.wait()
    for helper in helpers:
        helper.join()
    return code, lines, b"".join(err), time.monotonic() - started


def _feed(pipe, data: bytes) -> None:
    try:
        pipe.write(data)
    except (BrokenPipeError, OSError):
        pass  # the client stopped reading (an error ended it): what it said is in its output
    finally:
        try:
            pipe.close()
        except OSError:
            pass


def fed_in_turn(files, mark: Callable[[int], str]) -> tuple:
    """Invocation.stdin_parts that feed several files to one client, one after another, with the
    statement `mark(0)` before the first and `mark(n)` after the n-th."""
    parts: list = [mark(0)]
    for number, file in enumerate(files, start=1):
        parts += [Path(file), mark(number)]
    return tuple(parts)


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


def check_token(token: str) -> str:
    """The token of a session's marker lines: made by the tool, letters and digits only, so it needs no
    quoting in any client's command or SQL, and a file's output cannot know it."""
    if not re.fullmatch(r"[a-z0-9]{8,64}", token):
        raise ValueError(f"session token {token!r}: only 8 to 64 lowercase letters and digits")
    return token


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
    sqlite3 parameters). `apply_session(url, files, password, timeout=, variables=,
    option_file=, token=)` runs several files in order in one client session, as
    `apply` runs each, stopping at the first failure, and prints the line
    `TOKEN 0` before the first and `TOKEN n` after the n-th has run completely (with
    the client's or server's clock after it, as seconds, where the client does not
    print as it goes). `url` is any object with host, port, username, database
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
    apply_session: Callable[..., Invocation] | None = None
    check_url: Callable[[object], str | None] = lambda url: None
    switch: Callable[..., str | None] | None = None
    echo: Callable[[str], str] | None = None
    resolve: Callable[[str], str] | None = None
    # The database is a local file: reading its schema in every status run costs less (~1 ms) than
    # starting the client again for it where files are to run (~4 ms), so the drift check always reads it.
    schema_with_every_status: bool = False

    def program(self) -> str:
        return find_program(self.programs, self.override, self.resolve)


def environment(pairs: dict[str, str | None]) -> tuple[tuple[str, str], ...]:
    """Sorted environment pairs, leaving out those without a value."""
    return tuple(sorted((k, v) for k, v in pairs.items() if v is not None))
