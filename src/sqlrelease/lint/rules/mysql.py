"""MySQL and MariaDB commit every DDL statement on its own."""

from __future__ import annotations

from ..events import MigrationRead
from ..rule import Example, Rule, register, statement_sha256, visits
from ..sql import DDL, keyword, start_of

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
        Example(("CREATE TABLE recruits (id INTEGER NOT NULL AUTO_INCREMENT, email VARCHAR(255), PRIMARY KEY (id));",
                 "CREATE INDEX ix_recruits_email ON recruits (email);"), dialect="mysql", fires=False,
                note="a first release that only creates: a failed run leaves new, empty objects to drop and run again"),
    ),
)
register(MYSQL_MULTI_DDL)


@visits(MigrationRead)
def multi_ddl(event: MigrationRead, report) -> None:
    if report.dialect == "mysql" and event.ddl > 1 and not _only_creates_from_empty(event, report):
        report.add(MYSQL_MULTI_DDL.id, event, f"{event.ddl} DDL statements",
                   statement_sha256("\n".join(event.statements)), index=None, statement=event.statements[0])


def _only_creates_from_empty(event: MigrationRead, report) -> bool:
    """A migration of a release that starts from an empty database and only creates tables and indexes."""
    if report.release_sql.release.start:
        return False
    words = [keyword(s, start_of(s)) for s in event.statements]
    return all(word == "CREATE" for word in words if word in DDL)
