from .base import Dialect

DIALECT = Dialect(
    name="mysql",
    title="MySQL / MariaDB",
    url="mysql://",
    transactional_ddl=False,
    client="mariadb (or mysql)",
    apply_command="mariadb --database=DBNAME < {file}",
    notes=(
        "MySQL and MariaDB commit every DDL statement at once: a failure leaves the migrations before it applied.",
        "alembic_version is moved after every migration, so after a failure it names the last migration that completed; "
        "the per-migration scripts in mysql/steps/ resume from there.",
        "Do not pass --force: the client must stop at the first error.",
    ),
)
