from .base import Dialect

DIALECT = Dialect(
    name="postgresql",
    title="PostgreSQL",
    url="postgresql://",
    transactional_ddl=True,
    client="psql",
    apply_command='psql -v ON_ERROR_STOP=1 -X -q -d "$DATABASE_URL" -f {file}',
    notes=(
        "The whole file runs in one transaction: a failure anywhere leaves the database as it was.",
        "The file sets ON_ERROR_STOP itself; keep `-v ON_ERROR_STOP=1` so the exit code is non-zero on failure.",
    ),
)
