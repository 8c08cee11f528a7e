"""MySQL and MariaDB commit every DDL statement on its own."""

from __future__ import annotations

from ..events import MigrationRead
from ..rule import Example, Rule, register, statement_sha256, visits

MYSQL_MULTI_DDL = Rule(
    "mysql-multi-ddl", "warning", "runs several DDL statements on MySQL",
    "MySQL commits each DDL statement on its own: a failure part way leaves the migration half applied",
    "split the migration so each has one DDL statement, or be ready to finish it by hand",
    examples=(
        Example(("ALTER TABLE recruits ADD COLUMN email VARCHAR(255) NULL;",
                 "CREATE INDEX ix_recruits_email ON recruits (email);"), dialect="mysql", fires=True),
        Example(("ALTER TABLE recruits ADD COLUMN email VARCHAR(255) NULL;",
                 "CREATE INDEX ix_recruits_email ON recruits (email);"), dialect="postgresql", fires=False,
                note="PostgreSQL runs the bundle in one transaction"),
    ),
)
register(MYSQL_MULTI_DDL)


@visits(MigrationRead)
def multi_ddl(event: MigrationRead, report) -> None:
    if report.dialect == "mysql" and event.ddl > 1:
        report.add(MYSQL_MULTI_DDL.id, event, f"{event.ddl} DDL statements",
                   statement_sha256("\n".join(event.statements)), index=None, statement=event.statements[0])
