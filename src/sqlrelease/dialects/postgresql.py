"""PostgreSQL, applied with psql."""

import glob
import os
import re
from pathlib import Path

from .base import Dialect, UnsafeText, check_text, refuse
from .client import Client, Invocation, check_token, check_variables, environment


def string_literal(value: object) -> str:
    """A literal that reads the same whatever standard_conforming_strings says.

    Plain '...' with quotes doubled; a value holding a backslash is written as an
    escape string, E'...', whose backslashes are doubled, because a server (and psql)
    with standard_conforming_strings off would read '\\' as an escape.
    """
    value = str(value)
    if "\0" in value:
        raise refuse("postgresql", value, "it contains NUL, which PostgreSQL text cannot hold")
    quoted = value.replace("'", "''")
    if "\\" in quoted:
        return "E'" + quoted.replace("\\", "\\\\") + "'"
    return "'" + quoted + "'"


def dollar_quote(body: str, tag: str = "sqlrelease") -> str:
    """`body` between dollar quotes whose tag does not occur in it, so nothing inside can close them."""
    candidate, number = tag, 0
    while f"${candidate}$" in body:
        number += 1
        candidate = f"{tag}{number}"
    return f"${candidate}$\n{body}\n${candidate}$"


def psql_argument(text: object) -> str:
    """A psql meta-command argument (`\\echo`): single-quoted, so `:name` and backquotes stay text."""
    text = str(text)
    check_text("postgresql", text, one_line=True)  # a line break would end the meta-command
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _newest_debian_psql(found: str) -> str:
    """The psql Debian's pg_wrapper would run for a remote connection: the newest installed version.

    /usr/bin/psql on Debian is a Perl wrapper that costs ~35 ms per start and,
    given a connection string instead of --host, may point psql at a local
    cluster's port; its manual says psql always runs from the newest version.
    """
    if os.path.basename(os.path.realpath(found)) != "pg_wrapper":
        return found

    def version(path: str) -> float:
        try:
            return float(Path(path).parent.parent.name)
        except ValueError:
            return 0.0

    installed = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"), key=version)
    return installed[-1] if installed else found


def _conninfo_value(value: str) -> str:
    """A libpq keyword/value value: bare when it can be, else quoted with ' and \\ escaped."""
    if re.match(r"^[A-Za-z0-9._/:@+,-]+$", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def conninfo(url) -> str:
    """libpq keyword/value connection string of a URL, without its password (that goes in PGPASSWORD)."""
    parts = []
    for key, value in (("host", url.host), ("port", url.port), ("dbname", url.database), ("user", url.username)):
        if value is not None:
            parts.append(f"{key}={_conninfo_value(str(value))}")
    for key, value in sorted(url.query.items()):
        for item in value if isinstance(value, tuple) else (value,):
            parts.append(f"{key}={_conninfo_value(str(item))}")
    return " ".join(parts)


def _environment(password, timeout: int, application: str):
    return environment({"PGCONNECT_TIMEOUT": str(timeout), "PGAPPNAME": application, "PGPASSWORD": password})


def _apply_argv(url, password, timeout: int, variables, files: list) -> Invocation:
    variables = dict(variables or {})
    check_variables(variables)
    argv = [CLIENT.program(), "-v", "ON_ERROR_STOP=1", "-X", "-q"]
    for name, value in sorted(variables.items()):
        argv += ["-v", f"{name}={value}"]
    argv += ["-d", conninfo(url), *files]
    application = f"sqlrelease apply {variables.get('sqlrelease_run_id', '')}".strip()
    return Invocation(tuple(argv), _environment(password, timeout, application))


def apply_invocation(url, file, password, *, timeout: int, variables=None, option_file=None) -> Invocation:
    """`psql -v ON_ERROR_STOP=1 -X -q -f FILE`, as the bundle README says; variables as `-v name=value`."""
    return _apply_argv(url, password, timeout, variables, ["-f", str(file)])


def apply_session(url, files, password, *, timeout: int, variables=None, option_file=None, token: str) -> Invocation:
    """`psql -v ON_ERROR_STOP=1 -X -q -c '\\echo TOKEN 0' -f A -c '\\echo TOKEN 1' -f B ...`: psql runs its -c
    and -f in the order given, in one session, and stops at the first error. psql prints as it goes, so
    the marker lines carry no clock: when each arrives says when its file ended."""
    check_token(token)
    argv = ["-c", f"\\echo {token} 0"]
    for number, file in enumerate(files, start=1):
        argv += ["-f", str(file), "-c", f"\\echo {token} {number}"]
    return _apply_argv(url, password, timeout, variables, argv)


def query_invocation(url, text: str, password, *, timeout: int, option_file=None, application="sqlrelease status") -> Invocation:
    """A query on stdin, its rows printed unaligned without headers (`psql -A -t`)."""
    argv = [CLIENT.program(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo(url)]
    return Invocation(tuple(argv), _environment(password, timeout, application), stdin_text=text)


def switch_database(url, *, timeout: int = 0) -> str | None:
    """`\\connect` to url's database: a new connection from the same psql, its password (and timeout)
    from the same environment; the conninfo names every parameter, so nothing comes from the last one."""
    try:
        return "\\connect " + psql_argument(conninfo(url)) + "\n"
    except UnsafeText:
        return None


def echo(text: str) -> str:
    return "\\echo " + psql_argument(text) + "\n"


CLIENT = Client(
    programs=("psql",),
    override="SQLRELEASE_PSQL",
    apply=apply_invocation,
    query=query_invocation,
    apply_session=apply_session,
    switch=switch_database,
    echo=echo,
    resolve=_newest_debian_psql,
)


DIALECT = Dialect(
    name="postgresql",
    title="PostgreSQL",
    url="postgresql://",
    transactional_ddl=True,
    client="psql",
    apply_command='psql -v ON_ERROR_STOP=1 -X -q -d "$DATABASE_URL" -f {file}',
    status_command='psql -X -q -A -t -d "$DATABASE_URL" -f {file}',
    string_literal=string_literal,
    filters=(("dollar_quote", dollar_quote), ("psql_argument", psql_argument)),
    native_client=CLIENT,
    notes=(
        "The whole file runs in one transaction: a failure anywhere leaves the database as it was.",
        "The file sets ON_ERROR_STOP itself; keep `-v ON_ERROR_STOP=1` so the exit code is non-zero on failure.",
    ),
)
