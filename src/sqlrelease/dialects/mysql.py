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
        "Do not pass --force: the client must stop at the first error.",
    ),
    steps_notes=(
        "alembic_version is moved after every migration, so after a failure it names the last migration that completed; "
        "resume with the script in mysql/steps/ that follows it (each step refuses to run at any other version).",
    ),
    no_steps_notes=(
        "In separate stamp mode upgrade.sql leaves alembic_version alone, so after a failure it does not show"
        " how far the file got: the error names the line, the comment above it names the migration that failed,"
        " and the ones before it are applied. There are no step scripts in this mode;"
        ' build with stamp = "inline" for bundles that can be resumed.',
    ),
)
