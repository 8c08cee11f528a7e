"""The risk report: what a reviewer is told about each migration's statements."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from projects import add_migration, add_release, make_project
from sqlrelease import api, lint
from sqlrelease.rendered import MigrationSQL

DIALECTS = ("postgresql", "mysql", "sqlite")


def findings_of(root: Path, names=(), dialects=DIALECTS) -> list[lint.Finding]:
    from sqlrelease import api

    return api.lint_project(root, names, dialects)


def rules(findings, revision=None, dialect=None) -> set[str]:
    return {
        f.rule
        for f in findings
        if (revision is None or f.revision == revision) and (dialect is None or f.dialect in (dialect, None))
    }


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("sample"))
    return root, findings_of(root)


# -- the sample history ------------------------------------------------------------


def test_the_rename_release_shows_both_renames_on_every_dialect(sample):
    _, findings = sample
    for dialect in DIALECTS:
        assert "rename-table" in rules(findings, "b7c03e5d9a12", dialect)
        assert "rename-column" in rules(findings, "1e9f4a7b6c35", dialect)


def test_the_email_release_shows_not_null_after_its_backfill_and_the_unique_constraint(sample):
    _, findings = sample
    for dialect in DIALECTS:
        found = rules(findings, "e61a7c9d0b58", dialect)
        assert "not-null-after-backfill" in found, dialect
        assert "unique-on-existing-table" in found, dialect
        assert "not-null-no-backfill" not in found
    assert "data-migration" in rules(findings, "2d5f8a4c1b73")
    assert "update-without-where" not in rules(findings, "2d5f8a4c1b73")


def test_sqlite_batch_copy_is_a_rebuild_not_a_drop_or_a_lossy_rename(sample):
    _, findings = sample
    sqlite = rules(findings, "e61a7c9d0b58", "sqlite")
    assert "table-rebuild" in sqlite
    assert not {"drop-table", "drop-and-create", "rename-table"} & sqlite


def test_lowercasing_every_email_is_an_update_without_where_and_irreversible(sample):
    _, findings = sample
    found = rules(findings, "74c2b9e5f3d0")
    assert {"update-without-where", "irreversible", "data-migration"} <= found


def test_a_table_created_in_the_same_release_is_not_existing(sample):
    _, findings = sample
    # 1.1.0 creates recruits with a unique constraint: nothing to warn about there.
    assert "unique-on-existing-table" not in rules(findings, "c4b8e1f3a906")


# -- a history that makes the classic mistakes ---------------------------------------


@pytest.fixture(scope="module")
def mistakes(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("mistakes"), "constraints")
    add_migration(
        root, "ab12cd34ef56", "93b0d7e5a1c6",
        """
        op.create_table("squads", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(80), nullable=False))
        op.drop_table("teams")
        """,
        """
        op.create_table("teams", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(80), nullable=False))
        op.drop_table("squads")
        """,
        "rename teams the autogenerate way",
    )
    add_migration(
        root, "cd34ef56ab12", "ab12cd34ef56",
        'op.add_column("players", sa.Column("rating", sa.Integer(), nullable=True))',
        'op.drop_column("players", "rating")',
        "add rating",
    )
    add_migration(
        root, "ef56ab12cd34", "cd34ef56ab12",
        'op.alter_column("players", "rating", nullable=False, existing_type=sa.Integer())',
        'op.alter_column("players", "rating", nullable=True, existing_type=sa.Integer())',
        "require rating",
    )
    add_release(root, "1.2.0", "ef56ab12cd34")
    return root, findings_of(root, ["1.1.0", "1.2.0"], ("postgresql", "mysql"))


def test_drop_and_create_with_the_same_columns_is_a_probable_rename(mistakes):
    _, findings = mistakes
    found = [f for f in findings if f.rule == "drop-and-create"]
    assert {f.dialect for f in found} == {"postgresql", "mysql"}
    assert "squads" in found[0].detail and "teams" in found[0].detail
    assert "drop-table" in rules(findings, "ab12cd34ef56")


def test_not_null_without_backfill_is_an_error(mistakes):
    _, findings = mistakes
    found = [f for f in findings if f.rule == "not-null-no-backfill"]
    assert {f.dialect for f in found} == {"postgresql", "mysql"}
    assert all(f.severity == "error" and f.revision == "ef56ab12cd34" for f in found)


def test_plain_create_index_on_an_existing_table_on_postgresql(mistakes):
    _, findings = mistakes
    assert "index-not-concurrent" in rules(findings, "93b0d7e5a1c6", "postgresql")
    assert "index-not-concurrent" not in {f.rule for f in findings if f.dialect == "mysql"}


# -- single statements -------------------------------------------------------------------


def lint_statements(*statements: str, dialect: str = "postgresql", downgrade: tuple[str, ...] = ()):
    release_sql = SimpleNamespace(
        release=SimpleNamespace(name="r", start=("000",), revisions=("aaa",)),
        upgrade={dialect: {"aaa": MigrationSQL("aaa", tuple(statements))}},
        downgrade={dialect: {"aaa": MigrationSQL("aaa", downgrade)}},
        irreversible=(),
    )
    return lint.lint_release(release_sql)


@pytest.mark.parametrize(
    "statement, dialect, expected",
    [
        ("DELETE FROM audit_log;", "postgresql", "delete-without-where"),
        ("TRUNCATE TABLE audit_log;", "postgresql", "delete-without-where"),
        ("update t set a = 1", "postgresql", "update-without-where"),
        ("-- tidy\nUPDATE t SET a = 'no WHERE here';", "postgresql", "update-without-where"),
        ("ALTER TABLE t DROP COLUMN legacy;", "postgresql", "drop-column"),
        ("ALTER TABLE t ALTER COLUMN n TYPE BIGINT;", "postgresql", "column-type-change"),
        ("ALTER TABLE t MODIFY n BIGINT NULL;", "mysql", "column-type-change"),
        ("CREATE INDEX CONCURRENTLY ix_t_a ON t (a);", "postgresql", "concurrently-in-transaction"),
        ("CREATE UNIQUE INDEX ix_t_a ON t (a);", "postgresql", "unique-on-existing-table"),
        ("ALTER TABLE t ADD COLUMN c INTEGER NOT NULL;", "postgresql", "not-null-no-backfill"),
        ("EXEC sp_rename 't.a', b, 'COLUMN';", "mssql", "rename-column"),
        ("RENAME TABLE a TO b;", "mysql", "rename-table"),
    ],
)
def test_statement_rules(statement, dialect, expected):
    assert expected in {f.rule for f in lint_statements(statement, dialect=dialect)}


def test_where_inside_a_string_or_comment_does_not_count():
    assert "update-without-where" not in {f.rule for f in lint_statements("UPDATE t SET a = 1 WHERE a IS NULL")}
    assert "update-without-where" in {f.rule for f in lint_statements("UPDATE t SET a = 'x WHERE y' /* WHERE */")}


def test_a_new_column_with_a_default_is_safe():
    assert lint_statements("ALTER TABLE t ADD COLUMN c INTEGER DEFAULT 0 NOT NULL;") == []


def test_mysql_migration_with_several_ddl_statements():
    found = lint_statements("ALTER TABLE t ADD COLUMN c INTEGER;", "CREATE INDEX ix ON t (c);", dialect="mysql")
    assert "mysql-multi-ddl" in {f.rule for f in found}
    assert "mysql-multi-ddl" not in {f.rule for f in lint_statements("ALTER TABLE t ADD COLUMN c INTEGER;", dialect="mysql")}


def test_every_finding_says_why_and_how_to_fix(sample):
    _, findings = sample
    assert findings
    for f in findings:
        assert f.why and f.fix and f.severity in lint.SEVERITIES and len(f.sha256) == 64


def test_sqlite_batch_copy_that_leaves_a_column_out_is_a_drop_column(tmp_path):
    root = make_project(tmp_path, "constraints", dialects=("sqlite",))
    add_migration(
        root, "ab12cd34ef56", "93b0d7e5a1c6",
        """
        with op.batch_alter_table("players") as batch:
            batch.drop_column("country_code")
        """,
        """
        with op.batch_alter_table("players") as batch:
            batch.add_column(sa.Column("country_code", sa.String(2), nullable=True))
        """,
        "drop country code",
    )
    add_release(root, "1.2.0", "ab12cd34ef56")
    found = [f for f in findings_of(root, ["1.2.0"], ("sqlite",)) if f.rule == "drop-column"]
    assert found and found[0].detail == "the copy of players leaves out country_code"


def test_a_copy_from_that_misses_a_column_is_an_error_not_a_drop(tmp_path):
    # The copy would lose `colour`; the bundle's rebuild guard refuses to run, and lint says why first.
    root = make_project(tmp_path, "table_rebuild", dialects=("sqlite",))
    add_migration(
        root, "c0c0c0c0c0c1", "6f3a90c4e8b2",
        'op.add_column("items", sa.Column("colour", sa.String(10)))',
        'op.drop_column("items", "colour")',
        "add colour",
    )
    add_migration(
        root, "c0c0c0c0c0c2", "c0c0c0c0c0c1",
        """
        items = sa.Table(
            "items", sa.MetaData(),
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("name", sa.String(80), nullable=False),
            sa.Column("price", sa.Integer()),
        )
        with op.batch_alter_table("items", recreate="always", copy_from=items) as batch:
            batch.alter_column("price", existing_type=sa.Integer(), type_=sa.BigInteger())
        """,
        """
        items = sa.Table(
            "items", sa.MetaData(),
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("name", sa.String(80), nullable=False),
            sa.Column("price", sa.BigInteger()),
            sa.Column("colour", sa.String(10)),
        )
        with op.batch_alter_table("items", recreate="always", copy_from=items) as batch:
            batch.alter_column("price", existing_type=sa.BigInteger(), type_=sa.Integer())
        """,
        "widen price",
    )
    add_release(root, "1.2.0", "c0c0c0c0c0c2")
    found = [f for f in findings_of(root, ["1.2.0"], ("sqlite",)) if f.revision == "c0c0c0c0c0c2"]
    assert [(f.rule, f.severity, f.detail) for f in found if f.rule in ("copy-from-incomplete", "drop-column")] == [
        ("copy-from-incomplete", "error", "copy_from of items misses colour, which the table has before this migration")
    ]


def test_details_carry_no_statement_terminator():
    for dialect, statement, detail in [
        ("mysql", "ALTER TABLE t MODIFY d DATETIME(6);", "t.d restated as DATETIME(6)"),
        ("mssql", "ALTER TABLE t ALTER COLUMN d DATETIME2 ;\n", "t.d restated as DATETIME2"),
        ("oracle", "ALTER TABLE t MODIFY d TIMESTAMP", "t.d restated as TIMESTAMP"),
    ]:
        (found,) = lint_statements(statement, dialect=dialect)
        assert (found.rule, found.detail) == ("column-type-change", detail)


# -- NOT NULL on an existing column: only an UPDATE (or a column added with a default) fills its NULLs ---------


@pytest.mark.parametrize(
    "dialect, statements",
    [
        # MariaDB: ERROR 1265 Data truncated for column 's' on a NULL row; the DEFAULT fills nothing.
        ("mysql", ("ALTER TABLE t MODIFY s VARCHAR(9) NOT NULL DEFAULT 'x';",)),
        ("postgresql", ("ALTER TABLE t ALTER COLUMN s SET DEFAULT 'x';", "ALTER TABLE t ALTER COLUMN s SET NOT NULL;")),
        ("postgresql", ("ALTER TABLE t ALTER COLUMN s SET NOT NULL;", "ALTER TABLE t ALTER COLUMN s SET DEFAULT 'x';")),
        ("mssql", ("ALTER TABLE t ADD DEFAULT 'x' FOR s;", "ALTER TABLE t ALTER COLUMN s VARCHAR(9) NOT NULL;")),
        ("mssql", ("ALTER TABLE t ALTER COLUMN s VARCHAR(9) NOT NULL;", "ALTER TABLE t ADD DEFAULT 'x' FOR s;")),
        ("oracle", ("ALTER TABLE t MODIFY s DEFAULT 'x'", "ALTER TABLE t MODIFY s NOT NULL")),
        # SQL Server leaves existing rows NULL when it adds a nullable column with a default (no WITH VALUES).
        ("mssql", ("ALTER TABLE t ADD s VARCHAR(9) NULL DEFAULT 'x';", "ALTER TABLE t ALTER COLUMN s VARCHAR(9) NOT NULL;")),
    ],
)
def test_a_default_never_fills_the_nulls_of_an_existing_column(dialect, statements):
    found = lint_statements(*statements, dialect=dialect)
    assert [f.rule for f in found if f.rule.startswith("not-null")] == ["not-null-no-backfill"]
    assert "column-type-change" not in {f.rule for f in found}


@pytest.mark.parametrize(
    "dialect, statements",
    [
        ("mysql", ("UPDATE t SET s = 'x' WHERE s IS NULL;", "ALTER TABLE t MODIFY s VARCHAR(9) NOT NULL DEFAULT 'x';")),
        ("postgresql", ("UPDATE t SET s = 'x' WHERE s IS NULL;", "ALTER TABLE t ALTER COLUMN s SET NOT NULL;")),
        ("mssql", ("UPDATE t SET s = 'x' WHERE s IS NULL;", "ALTER TABLE t ALTER COLUMN s VARCHAR(9) NOT NULL;")),
        ("oracle", ("UPDATE t SET s = 'x' WHERE s IS NULL", "ALTER TABLE t MODIFY s NOT NULL")),
        # A column added with a default gets it in every existing row.
        ("postgresql", ("ALTER TABLE t ADD COLUMN s VARCHAR(9) DEFAULT 'x';", "ALTER TABLE t ALTER COLUMN s SET NOT NULL;")),
        ("mysql", ("ALTER TABLE t ADD COLUMN s VARCHAR(9) DEFAULT 'x';", "ALTER TABLE t MODIFY s VARCHAR(9) NOT NULL;")),
        ("mssql", ("ALTER TABLE t ADD s VARCHAR(9) NULL DEFAULT 'x' WITH VALUES;", "ALTER TABLE t ALTER COLUMN s VARCHAR(9) NOT NULL;")),
    ],
)
def test_not_null_after_an_update_or_a_column_added_with_a_default_is_after_backfill(dialect, statements):
    found = lint_statements(*statements, dialect=dialect)
    assert [f.rule for f in found if f.rule.startswith("not-null")] == ["not-null-after-backfill"]
    assert "column-type-change" not in {f.rule for f in found}


def test_a_sqlite_batch_copy_into_not_null_default_copies_the_nulls():
    # INSERT INTO the copy SELECTs the old values: a NULL row fails the NOT NULL, whatever the default.
    copy = (
        "CREATE TABLE _alembic_tmp_t (\n\tid INTEGER NOT NULL, \n\ts VARCHAR(9) DEFAULT 'x' NOT NULL, \n\tPRIMARY KEY (id)\n);",
        "INSERT INTO _alembic_tmp_t (id, s) SELECT t.id, t.s \nFROM t;",
        "DROP TABLE t;",
        "ALTER TABLE _alembic_tmp_t RENAME TO t;",
    )
    back = (
        "CREATE TABLE _alembic_tmp_t (\n\tid INTEGER NOT NULL, \n\ts VARCHAR(9), \n\tPRIMARY KEY (id)\n);",
        "INSERT INTO _alembic_tmp_t (id, s) SELECT t.id, t.s \nFROM t;",
        "DROP TABLE t;",
        "ALTER TABLE _alembic_tmp_t RENAME TO t;",
    )
    found = lint_statements(*copy, dialect="sqlite", downgrade=back)
    assert [f.rule for f in found if f.rule.startswith("not-null")] == ["not-null-no-backfill"]


@pytest.mark.parametrize(
    "dialect, upgrade, downgrade, expected",
    [
        # Dropping NOT NULL restates the same type: not a type change.
        ("mysql", "ALTER TABLE t MODIFY s VARCHAR(9) NULL DEFAULT 'x';", "ALTER TABLE t MODIFY s VARCHAR(9) NOT NULL DEFAULT 'x';", []),
        ("mssql", "ALTER TABLE t ALTER COLUMN s VARCHAR(9) NULL;", "ALTER TABLE t ALTER COLUMN s VARCHAR(9) NOT NULL;", []),
        # A new type for a column that was NOT NULL already: a type change, not a NOT NULL change.
        ("mysql", "ALTER TABLE t MODIFY n BIGINT NOT NULL;", "ALTER TABLE t MODIFY n INTEGER NOT NULL;", ["column-type-change"]),
        ("mssql", "ALTER TABLE t ALTER COLUMN n BIGINT NOT NULL;", "ALTER TABLE t ALTER COLUMN n INTEGER NOT NULL;", ["column-type-change"]),
        ("mysql", "ALTER TABLE t MODIFY s VARCHAR(9) NOT NULL;", "ALTER TABLE t MODIFY s VARCHAR(9) NULL;", ["not-null-no-backfill"]),
        # Oracle's MODIFY s DEFAULT ... sets a default; it restates no type.
        ("oracle", "ALTER TABLE t MODIFY s DEFAULT 'x'", "ALTER TABLE t MODIFY s DEFAULT NULL", []),
    ],
)
def test_a_restated_column_is_compared_with_what_the_downgrade_restores(dialect, upgrade, downgrade, expected):
    found = lint_statements(upgrade, dialect=dialect, downgrade=(downgrade,))
    assert [f.rule for f in found if f.direction == "upgrade"] == expected


def test_type_change_detail_names_old_and_new_type():
    found, back = lint_statements("ALTER TABLE t MODIFY n BIGINT NOT NULL;", dialect="mysql", downgrade=("ALTER TABLE t MODIFY n INTEGER NOT NULL;",))
    assert found.detail == "t.n: INTEGER -> BIGINT" and found.direction == "upgrade"
    # The downgrade narrows the type back: a risk of its own, at most a warning.
    assert (back.detail, back.direction, back.severity) == ("t.n: BIGINT -> INTEGER", "downgrade", "warning")


ALL_DIALECTS = ("postgresql", "mysql", "sqlite", "mssql", "oracle")


@pytest.fixture(scope="module")
def require_with_default(tmp_path_factory):
    """A nullable column made NOT NULL with a server default, then nullable again, on every dialect."""
    root = make_project(tmp_path_factory.mktemp("require"), "constraints", dialects=ALL_DIALECTS)
    add_migration(
        root, "aa00000000a1", "93b0d7e5a1c6",
        'op.add_column("players", sa.Column("s", sa.String(9), nullable=True))',
        'op.drop_column("players", "s")',
        "add s",
    )
    add_release(root, "1.2.0", "aa00000000a1")
    add_migration(
        root, "aa00000000a2", "aa00000000a1",
        """
        with op.batch_alter_table("players") as batch:
            batch.alter_column("s", existing_type=sa.String(9), nullable=False, server_default="x")
        """,
        """
        with op.batch_alter_table("players") as batch:
            batch.alter_column("s", existing_type=sa.String(9), nullable=True, server_default=None)
        """,
        "require s",
    )
    add_migration(
        root, "aa00000000a3", "aa00000000a2",
        """
        with op.batch_alter_table("players") as batch:
            batch.alter_column("s", existing_type=sa.String(9), nullable=True, existing_server_default="x")
        """,
        """
        with op.batch_alter_table("players") as batch:
            batch.alter_column("s", existing_type=sa.String(9), nullable=False, existing_server_default="x")
        """,
        "relax s",
    )
    add_release(root, "1.3.0", "aa00000000a3")
    return findings_of(root, ["1.3.0"], ALL_DIALECTS)


def test_not_null_with_a_server_default_is_no_backfill_on_every_dialect(require_with_default):
    found = [f for f in require_with_default if f.revision == "aa00000000a2"]
    assert {f.dialect for f in found if f.rule == "not-null-no-backfill"} == set(ALL_DIALECTS)
    assert not [f for f in found if f.rule in ("not-null-after-backfill", "column-type-change")]


def test_dropping_not_null_is_no_type_change_on_any_dialect(require_with_default):
    found = {(f.dialect, f.rule) for f in require_with_default if f.revision == "aa00000000a3" and f.direction == "upgrade"}
    assert found == {("sqlite", "table-rebuild")}


# -- rehearsed SQL that the scratch database's rows decided --------------------------------------


def test_a_step_computed_from_scratch_rows_is_an_error(tmp_path):
    # reads_rows 2b0000000002 reads teams with op.get_bind() and inserts one slug per row it saw.
    root = make_project(tmp_path, "reads_rows", dialects=("sqlite",))
    found = [f for f in findings_of(root, ["1.1.0"], ("sqlite",)) if f.rule == "data-dependent"]
    assert [(f.revision, f.dialect, f.severity, f.statement) for f in found] == [("2b0000000002", "sqlite", "error", 2)]
    assert found[0].detail == "upgrade: 2 data statement(s)"
    assert "INSERT INTO team_slugs" in found[0].excerpt and "override" in found[0].fix


def test_an_empty_step_from_an_empty_scratch_database_is_still_an_error(tmp_path):
    # No teams on the scratch database: the rehearsal records only CREATE TABLE team_slugs.
    root = make_project(tmp_path, "reads_rows", dialects=("sqlite",))
    first = next((root / "migrations" / "versions").glob("0001_*.py"))
    first.write_text(first.read_text().replace('[{"id": 1, "name": "Owls"}, {"id": 2, "name": "O\'Neill Rovers"}]', "[]"))
    findings = [f for f in findings_of(root, ["1.1.0"], ("sqlite",)) if f.direction == "upgrade"]
    assert rules(findings, "2b0000000002") == {"data-dependent"}
    (found,) = findings
    assert (found.severity, found.statement, found.excerpt) == ("error", None, "")
    assert found.detail == "upgrade: no data statement (the scratch database's rows gave none)"


def test_a_reviewed_override_replaces_the_data_dependent_step(tmp_path):
    from sqlrelease import overrides
    from sqlrelease.project import open_project

    root = make_project(tmp_path, "reads_rows", dialects=("sqlite",))
    folder = root / "overrides"
    folder.mkdir()
    (folder / "2b0000000002.sqlite.upgrade.sql").write_text(
        overrides.header(open_project(root).history.source_sha256("2b0000000002"))
        + "CREATE TABLE team_slugs (team_id INTEGER NOT NULL PRIMARY KEY, slug VARCHAR(50) NOT NULL);\n"
        + "INSERT INTO team_slugs (team_id, slug) SELECT id, replace(lower(name), ' ', '-') FROM teams;\n"
    )
    assert "data-dependent" not in rules(findings_of(root, ["1.1.0"], ("sqlite",)))


def test_a_data_dependent_downgrade_is_named_too():
    release_sql = SimpleNamespace(
        release=SimpleNamespace(name="r", start=("000",), revisions=("aaa",)),
        upgrade={"sqlite": {"aaa": MigrationSQL("aaa", ("UPDATE t SET a = 1 WHERE a IS NULL;",))}},
        downgrade={"sqlite": {"aaa": MigrationSQL("aaa", ("UPDATE t SET a = NULL WHERE id IN (3, 4);",), origin="rehearsed", data_dependent=True)}},
        irreversible=(),
    )
    (found,) = [f for f in lint.lint_release(release_sql) if f.rule == "data-dependent"]
    assert (found.statement, found.detail) == (None, "downgrade: 1 data statement(s)")
