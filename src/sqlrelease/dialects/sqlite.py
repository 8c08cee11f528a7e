from .base import Dialect

DIALECT = Dialect(
    name="sqlite",
    title="SQLite",
    url="sqlite://",
    transactional_ddl=True,
    client="sqlite3",
    apply_command="sqlite3 -bail DATABASE_FILE < {file}",
    notes=(
        "The whole file runs in one transaction; with -bail a failure ends the client and nothing is kept.",
        "The file turns on .bail itself, because without it sqlite3 would go on after an error.",
    ),
)
