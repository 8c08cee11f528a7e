"""SQLite, applied with sqlite3 -bail."""

import re
from functools import partial

from .base import Dialect, standard_string
from .client import Client, Invocation, check_token, fed_in_turn, check_variables

# SQLite strings know no backslash escapes: doubling the quote is all.
string_literal = partial(standard_string, "sqlite")


def check_url(url) -> str | None:
    return "a SQLite URL takes no parameters" if url.query else None


def _apply_argv(url, timeout: int, variables) -> list[str]:
    variables = dict(variables or {})
    check_variables(variables)
    # The busy wait comes first: `.parameter set` reads the schema, and a database another apply is
    # committing to would fail it at once (the file's own `.timeout` is not read yet).
    argv = [CLIENT.program(), "-bail", "-cmd", f".timeout {max(1, timeout) * 1000}"]
    for name, value in sorted(variables.items()):
        argv += ["-cmd", f".parameter set @{name} '{value}'"]
    return [*argv, str(url.database)]


def apply_invocation(url, file, password=None, *, timeout: int = 0, variables=None, option_file=None) -> Invocation:
    """`sqlite3 -bail FILE < SCRIPT`, as the bundle README says; variables as parameters
    (`-cmd ".parameter set @name 'value'"`), which the files read as @name."""
    return Invocation(tuple(_apply_argv(url, timeout, variables)), (), stdin_file=file)


def apply_session(url, files, password=None, *, timeout: int = 0, variables=None, option_file=None, token: str) -> Invocation:
    """The files one after another on the stdin of one `sqlite3 -bail DB`, a marker line before the first
    and after each: -bail stops at the first error. sqlite3 prints only at its end, so each marker
    carries the clock (seconds since 1970, to the millisecond). An error's "near line N" counts lines
    of the whole input: `Invocation.file_at` says which file and line that is."""
    check_token(token)
    fed = fed_in_turn(files, lambda n: f"SELECT '{token} {n} ' || ((julianday('now') - 2440587.5) * 86400.0);")
    return Invocation(tuple(_apply_argv(url, timeout, variables)), (), stdin_parts=fed)


def query_invocation(url, text: str, password=None, *, timeout: int = 0, option_file=None, application="") -> Invocation:
    """A query on stdin, read-only: it never writes, and never creates a file that is not there.

    `.timeout` makes it wait for a writer's lock instead of failing at once."""
    argv = (CLIENT.program(), "-readonly", "-cmd", f".timeout {max(1, timeout) * 1000}", str(url.database))
    return Invocation(argv, (), stdin_text=text)


def switch_database(url, *, timeout: int = 0) -> str | None:
    """`.open --readonly FILE` in the same sqlite3, and its busy wait again (it belongs to the
    connection `.open` replaced). A name the dot-command would not take literally: None."""
    path = str(url.database)
    if re.search(r"['\"\\\s]", path):
        return None
    return f".open --readonly '{path}'\n.timeout {max(1, timeout) * 1000}\n"


def echo(text: str) -> str:
    return f".print '{text}'\n" if "'" not in text else f"SELECT {string_literal(text)};\n"


CLIENT = Client(
    programs=("sqlite3",),
    override="SQLRELEASE_SQLITE3",
    apply=apply_invocation,
    query=query_invocation,
    apply_session=apply_session,
    check_url=check_url,
    switch=switch_database,
    echo=echo,
    schema_with_every_status=True,
)


DIALECT = Dialect(
    name="sqlite",
    title="SQLite",
    url="sqlite://",
    transactional_ddl=True,
    client="sqlite3",
    apply_command="sqlite3 -bail DATABASE_FILE < {file}",
    status_command='sqlite3 -readonly DATABASE_FILE < {file}',
    string_literal=string_literal,
    native_client=CLIENT,
    notes=(
        "The whole file runs in one transaction; with -bail a failure ends the client and nothing is kept.",
        "The file turns on .bail itself, because without it sqlite3 would go on after an error.",
    ),
)
