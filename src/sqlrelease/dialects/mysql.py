from .base import Dialect

DIALECT = Dialect(
    name="mysql",
    title="MySQL / MariaDB",
    url="mysql://",
    transactional_ddl=False,
    steps=True,
    client="mariadb (or mysql)",
    apply_command="mariadb --database=DBNAME < {file}",
    notes=(
        "MySQL and MariaDB commit every DDL statement at once: a failure leaves the migrations before it applied.",
        "alembic_version is moved after every migration, so after a failure it names the last migration that completed; "
        "resume with the script in mysql/steps/ that follows it (each step refuses to run at any other version).",
        "Do not pass --force: the client must stop at the first error.",
    ),
)
