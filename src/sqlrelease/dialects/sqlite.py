"""SQLite, applied with sqlite3 -bail."""

from functools import partial

from .base import Dialect, standard_string

# SQLite strings know no backslash escapes: doubling the quote is all.
string_literal = partial(standard_string, "sqlite")


DIALECT = Dialect(
    name="sqlite",
    title="SQLite",
    url="sqlite://",
    transactional_ddl=True,
    client="sqlite3",
    apply_command="sqlite3 -bail DATABASE_FILE < {file}",
    string_literal=string_literal,
    notes=(
        "The whole file runs in one transaction; with -bail a failure ends the client and nothing is kept.",
        "The file turns on .bail itself, because without it sqlite3 would go on after an error.",
    ),
)
