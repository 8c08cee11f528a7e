"""PostgreSQL, applied with psql."""

from .base import Dialect, check_text, refuse


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


DIALECT = Dialect(
    name="postgresql",
    title="PostgreSQL",
    url="postgresql://",
    transactional_ddl=True,
    client="psql",
    apply_command='psql -v ON_ERROR_STOP=1 -X -q -d "$DATABASE_URL" -f {file}',
    string_literal=string_literal,
    filters=(("dollar_quote", dollar_quote), ("psql_argument", psql_argument)),
    notes=(
        "The whole file runs in one transaction: a failure anywhere leaves the database as it was.",
        "The file sets ON_ERROR_STOP itself; keep `-v ON_ERROR_STOP=1` so the exit code is non-zero on failure.",
    ),
)
