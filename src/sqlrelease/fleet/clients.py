"""Running the native clients (psql, mariadb, sqlite3) the way a bundle README tells a DBA to.

Everything the tool does to a database goes through one of these command
lines: the bundle's own files for `apply`, the status query for `status`.
Passwords reach the client only through its environment (PGPASSWORD,
MYSQL_PWD), never its command line or a file; the client's own sources
(~/.pgpass, passfile=, ~/.my.cnf, an option file) work as they do by hand.
"""

from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .passwords import Secrets

OUTPUT_TAIL = 2000  # characters of client output kept for reports and the journal
# URL query parameters a MariaDB/MySQL target may carry, and the client option each becomes.
MYSQL_PARAMETERS = {
    "charset": "--default-character-set",
    "unix_socket": "--socket",
    "ssl_ca": "--ssl-ca",
    "ssl_cert": "--ssl-cert",
    "ssl_key": "--ssl-key",
}
CLIENT_ENV = {"postgresql": "SQLRELEASE_PSQL", "mysql": "SQLRELEASE_MYSQL", "sqlite": "SQLRELEASE_SQLITE3"}


class ClientMissing(Exception):
    """The native client of a dialect is not installed."""


def _newest_debian_psql() -> str | None:
    """The psql Debian's pg_wrapper would run for a remote connection: the newest installed version.

    /usr/bin/psql on Debian is a Perl wrapper that costs ~35 ms per start and,
    given a connection string instead of --host, may point psql at a local
    cluster's port; its manual says psql always runs from the newest version.
    """
    def version(path: str) -> float:
        try:
            return float(Path(path).parent.parent.name)
        except ValueError:
            return 0.0

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"), key=version)
    return found[-1] if found else None


def client_binary(dialect: str) -> str:
    """The client program for a dialect: $SQLRELEASE_PSQL etc., else the one on PATH."""
    override = os.environ.get(CLIENT_ENV[dialect])
    if override:
        return override
    names = {"postgresql": ["psql"], "mysql": ["mariadb", "mysql"], "sqlite": ["sqlite3"]}[dialect]
    for name in names:
        found = shutil.which(name)
        if not found:
            continue
        if dialect == "postgresql" and os.path.basename(os.path.realpath(found)) == "pg_wrapper":
            found = _newest_debian_psql() or found
        return found
    raise ClientMissing(f"{' or '.join(names)} is not installed (or set {CLIENT_ENV[dialect]} to its path)")


def _conninfo_value(value: str) -> str:
    """A libpq keyword/value value: bare when it can be, else quoted with ' and \\ escaped."""
    if re.match(r"^[A-Za-z0-9._/:@+,-]+$", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def postgres_conninfo(url) -> str:
    """libpq keyword/value connection string of a URL, without its password."""
    parts = []
    for key, value in (("host", url.host), ("port", url.port), ("dbname", url.database), ("user", url.username)):
        if value is not None:
            parts.append(f"{key}={_conninfo_value(str(value))}")
    for key, value in sorted(url.query.items()):
        for item in value if isinstance(value, tuple) else (value,):
            parts.append(f"{key}={_conninfo_value(str(item))}")
    return " ".join(parts)


def check_url(dialect: str, url) -> str | None:
    """What is wrong with a URL for this dialect's client, or None."""
    if dialect == "mysql":
        unknown = sorted(set(url.query) - set(MYSQL_PARAMETERS))
        if unknown:
            return f"URL parameter {unknown[0]!r} is not understood (known: {', '.join(sorted(MYSQL_PARAMETERS))})"
    if dialect == "sqlite" and url.query:
        return "a SQLite URL takes no parameters"
    return None


@dataclass(frozen=True)
class Invocation:
    """One client run: its command line, extra environment, and the file fed on stdin (if any)."""

    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    stdin_file: Path | None = None
    stdin_text: str | None = None

    def shown(self) -> str:
        """The command line as a DBA would type it (never holds a password)."""
        text = shlex.join(self.argv)
        return f"{text} < {shlex.quote(str(self.stdin_file))}" if self.stdin_file else text


def _connection_env(target, password: str | None, timeout: int, application: str) -> dict[str, str]:
    env: dict[str, str] = {}
    if target.dialect == "postgresql":
        env["PGCONNECT_TIMEOUT"] = str(timeout)
        env["PGAPPNAME"] = application
        if password is not None:
            env["PGPASSWORD"] = password
    elif target.dialect == "mysql" and password is not None:
        env["MYSQL_PWD"] = password
    return env


def _mysql_argv(target, timeout: int) -> list[str]:
    url = target.url
    argv = [client_binary("mysql")]
    if target.option_file:
        argv.append(f"--defaults-extra-file={target.option_file}")  # must come first
    if url.host:
        argv.append(f"--host={url.host}")
    if url.port:
        argv.append(f"--port={url.port}")
    if url.username:
        argv.append(f"--user={url.username}")
    argv.append(f"--connect-timeout={timeout}")
    for key, value in sorted(url.query.items()):
        argv.append(f"{MYSQL_PARAMETERS[key]}={value}")
    argv.append(f"--database={url.database}")
    return argv


def apply_invocation(target, file: Path, password: str | None, *, timeout: int, run_id: str = "") -> Invocation:
    """How the bundle README runs `file` on this target, with this connection."""
    # The run id reaches the receipt through a client variable (by hand it is simply not set);
    # it is made of letters, digits and '-' (new_run_id), so it needs no quoting.
    env = _connection_env(target, password, timeout, f"sqlrelease apply {run_id}".strip())
    if target.dialect == "postgresql":
        argv = [client_binary("postgresql"), "-v", "ON_ERROR_STOP=1", "-X", "-q"]
        argv += ["-v", f"sqlrelease_run={run_id}"] if run_id else []
        argv += ["-d", postgres_conninfo(target.url), "-f", str(file)]
        return Invocation(tuple(argv), tuple(sorted(env.items())))
    if target.dialect == "mysql":
        argv = _mysql_argv(target, timeout)
        if run_id:
            argv.insert(-1, f"--init-command=SET @sqlrelease_run_id = '{run_id}'")
        return Invocation(tuple(argv), tuple(sorted(env.items())), stdin_file=file)
    # The busy wait comes first: `.parameter set` reads the schema, and a database another apply is
    # committing to would fail it at once (the file's own `.timeout` is not read yet).
    argv = [client_binary("sqlite"), "-bail", "-cmd", _sqlite_busy_wait(timeout)]
    argv += ["-cmd", f".parameter set @sqlrelease_run_id '{run_id}'"] if run_id else []
    return Invocation((*argv, str(target.path)), (), stdin_file=file)


def status_invocation(target, query: str, password: str | None, *, timeout: int) -> Invocation:
    """The read-only status query on this target, printing its JSON line(s)."""
    env = _connection_env(target, password, timeout, "sqlrelease status")
    if target.dialect == "postgresql":
        argv = [client_binary("postgresql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", postgres_conninfo(target.url)]
        return Invocation(tuple(argv), tuple(sorted(env.items())), stdin_text=query)
    if target.dialect == "mysql":
        argv = _mysql_argv(target, timeout)
        argv[-1:-1] = ["--batch", "--skip-column-names", "--raw"]
        return Invocation(tuple(argv), tuple(sorted(env.items())), stdin_text=query)
    # -readonly: status never writes, and never creates a file that is not there. The busy wait:
    # while an apply commits, a read fails at once without one.
    return Invocation((client_binary("sqlite"), "-readonly", "-cmd", _sqlite_busy_wait(timeout), str(target.path)), (),
                      stdin_text=query)


def _sqlite_busy_wait(timeout: int) -> str:
    """sqlite3's dot command to wait up to `timeout` seconds for a locked database (its connect timeout)."""
    return f".timeout {int(timeout) * 1000}"


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
    seconds = time.monotonic() - started
    return Outcome(code, seconds, secrets.mask(out.decode("utf-8", "replace")), secrets.mask(err.decode("utf-8", "replace")))
