"""MySQL and MariaDB, applied with the mariadb (or mysql) client."""

from .base import Dialect, check_text


def string_literal(value: object) -> str:
    """'...' with quotes doubled and backslashes doubled (MySQL reads a backslash as an escape).

    With NO_BACKSLASH_ESCAPES in sql_mode a doubled backslash stays two characters: the
    value then differs, but nothing can end the string early either way.
    """
    value = str(value)
    check_text("mysql", value)
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


DIALECT = Dialect(
    name="mysql",
    title="MySQL / MariaDB",
    url="mysql://",
    transactional_ddl=False,
    steps=True,
    client="mariadb (or mysql)",
    apply_command="mariadb --database=DBNAME < {file}",
    string_literal=string_literal,
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
        " any other version).",
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
