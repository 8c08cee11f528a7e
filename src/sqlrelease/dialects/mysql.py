"""MySQL and MariaDB, applied with the mariadb (or mysql) client."""

import re

from .base import Dialect, check_text, normal_type as plain_type
from .client import Client, Invocation, check_token, fed_in_turn, check_variables, environment

# URL query parameters a MariaDB/MySQL target may carry, and the client option each becomes.
URL_PARAMETERS = {
    "charset": "--default-character-set",
    "unix_socket": "--socket",
    "ssl_ca": "--ssl-ca",
    "ssl_cert": "--ssl-cert",
    "ssl_key": "--ssl-key",
}


def string_literal(value: object) -> str:
    """'...' with quotes doubled and backslashes doubled (MySQL reads a backslash as an escape).

    With NO_BACKSLASH_ESCAPES in sql_mode a doubled backslash stays two characters: the
    value then differs, but nothing can end the string early either way.
    """
    value = str(value)
    check_text("mysql", value)
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def normal_type(text: str) -> str:
    """MariaDB reports `int(11)`, MySQL 8 `int`: integer display widths say nothing about the column."""
    return re.sub(r"\b(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)", r"\1", plain_type(text))


def check_url(url) -> str | None:
    """What the mariadb client could not take from this URL, or None."""
    unknown = sorted(set(url.query) - set(URL_PARAMETERS))
    if unknown:
        return f"URL parameter {unknown[0]!r} is not understood (known: {', '.join(sorted(URL_PARAMETERS))})"
    return None


def _argv(url, timeout: int, option_file, extra=()) -> list[str]:
    argv = [CLIENT.program()]
    if option_file:
        argv.append(f"--defaults-extra-file={option_file}")  # must come first
    if url.host:
        argv.append(f"--host={url.host}")
    if url.port:
        argv.append(f"--port={url.port}")
    if url.username:
        argv.append(f"--user={url.username}")
    argv.append(f"--connect-timeout={timeout}")
    for key, value in sorted(url.query.items()):
        argv.append(f"{URL_PARAMETERS[key]}={value}")
    return [*argv, *extra, f"--database={url.database}"]


def _apply_argv(url, timeout: int, option_file, variables) -> list[str]:
    variables = dict(variables or {})
    check_variables(variables)
    extra = []
    if variables:
        # One SET: a client takes one --init-command. The values are plain (check_variables).
        extra.append("--init-command=SET " + ", ".join(f"@{n} = '{v}'" for n, v in sorted(variables.items())))
    return _argv(url, timeout, option_file, extra)


def apply_invocation(url, file, password, *, timeout: int, variables=None, option_file=None) -> Invocation:
    """`mariadb --database=DB < FILE`, as the bundle README says; variables as @user variables
    (`--init-command=SET @name = 'value'`), which the files read."""
    return Invocation(tuple(_apply_argv(url, timeout, option_file, variables)), environment({"MYSQL_PWD": password}), stdin_file=file)


def apply_session(url, files, password, *, timeout: int, variables=None, option_file=None, token: str) -> Invocation:
    """The files one after another on the stdin of one `mariadb --database=DB`, a marker line before the
    first and after each: the client stops at the first error (`source` would read on). The client
    prints only at its end, so each marker carries the server's clock. An error's "at line N" counts
    lines of the whole input: `Invocation.file_at` says which file and line that is."""
    check_token(token)
    # The column is named by the token too: the client prints the name above the value, and a line
    # holding the token is never taken for a file's output.
    fed = fed_in_turn(files, lambda n: f"SELECT CONCAT('{token} {n} ', UNIX_TIMESTAMP(NOW(6))) AS `{token}`;")
    return Invocation(tuple(_apply_argv(url, timeout, option_file, variables)), environment({"MYSQL_PWD": password}), stdin_parts=fed)


def query_invocation(url, text: str, password, *, timeout: int, option_file=None, application="sqlrelease status") -> Invocation:
    """A query on stdin, its rows printed raw without column names."""
    argv = _argv(url, timeout, option_file, ["--batch", "--skip-column-names", "--raw"])
    return Invocation(tuple(argv), environment({"MYSQL_PWD": password}), stdin_text=text)


def switch_database(url, *, timeout: int = 0) -> str | None:
    """`USE db` in the same connection (the client reads the name itself: plain names only)."""
    name = str(url.database or "")
    return f"USE `{name}`;\n" if re.fullmatch(r"[A-Za-z0-9_$]+", name) else None


def echo(text: str) -> str:
    return f"SELECT {string_literal(text)};\n"


CLIENT = Client(
    programs=("mariadb", "mysql"),
    override="SQLRELEASE_MYSQL",
    apply=apply_invocation,
    query=query_invocation,
    apply_session=apply_session,
    check_url=check_url,
    switch=switch_database,
    echo=echo,
)


DIALECT = Dialect(
    name="mysql",
    title="MySQL / MariaDB",
    url="mysql://",
    transactional_ddl=False,
    steps=True,
    client="mariadb (or mysql)",
    apply_command="mariadb --database=DBNAME < {file}",
    status_command='mariadb --batch --skip-column-names --raw --database=DBNAME < {file}',
    string_literal=string_literal,
    native_client=CLIENT,
    normal_type=normal_type,
    notes=(
        "MySQL and MariaDB commit every DDL statement at once: a failure leaves the migrations before it applied.",
        "Safe however the file is fed (`< file`, `source file`, `\\. file`, `--force`, `mysql -f`): a refused guard"
        " or a failed statement makes the session read-only, so no later statement changes anything, and only a"
        " bundle file whose guard passes makes it writable again. With --force or source the client prints an error"
        " for every later statement and exits 0: the first error says why.",
    ),
    # MySQL's DROP CHECK is a syntax error on MariaDB; DROP CONSTRAINT drops a check constraint on
    # both (MySQL 8.0.19+, MariaDB 10.2+).
    rewrites=((r"^(ALTER TABLE \S+ )DROP CHECK ", r"\1DROP CONSTRAINT "),),
    steps_notes=(
        "upgrade.sql moves alembic_version after every migration, so after a failure it names the last migration"
        " that completed; resume with the script in mysql/steps/ that follows it (each step refuses to run at"
        " any other version), then the later steps.",
        "Every migration statement goes to the server in one packet with its progress record in sqlrelease_progress,"
        " so a client killed mid-statement leaves the statements that ran recorded (the server finishes the one"
        " it was running). A step script skips the statements recorded as done and continues with the next;"
        " upgrade.sql refuses to run again on a release that stopped part-way. `sqlrelease status` names the"
        " statement and the exact command; `sqlrelease apply --resume` runs the same step scripts.",
        "downgrade.sql moves alembic_version after every migration it undoes, but there are no downgrade steps:"
        " after a failed downgrade, alembic_version names the last migration still applied; finish by hand from"
        " the failed statement (the comment above it names the migration) or restore from a backup.",
    ),
    no_steps_notes=(
        "In separate stamp mode upgrade.sql leaves alembic_version alone, so after a failure it does not show"
        " how far the file got: the error names the line, the comment above it names the migration that failed,"
        " and the ones before it are applied. There are no step scripts in this mode;"
        ' build with stamp = "inline" for bundles that can be resumed.',
    ),
)
