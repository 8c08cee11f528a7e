"""The real-database test infrastructure does what the other tests rely on.

Each dialect: a DBA's client creates what the snapshot then shows, a failing
statement stops the client with a non-zero exit, snapshots and dumps notice
changes but not the way a schema was made, Alembic runs online against the
same database, and in CI a database test cannot silently skip. And `run_cli`
runs a command in this process the way a new process would show it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from dbtools import (
    alembic_version,
    apply_sql,
    full_dump,
    run_alembic_online,
    schema_snapshot,
)
from projects import run_cli

HERE = Path(__file__).resolve().parent

CREATE_SHOP = """
CREATE TABLE customers (
    id INTEGER NOT NULL,
    email VARCHAR(100) NOT NULL,
    CONSTRAINT pk_customers PRIMARY KEY (id),
    CONSTRAINT uq_customers_email UNIQUE (email)
);
CREATE TABLE orders (
    id INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    CONSTRAINT pk_orders PRIMARY KEY (id),
    CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id),
    CONSTRAINT ck_orders_quantity CHECK (quantity > 0)
);
CREATE INDEX ix_orders_customer ON orders (customer_id);
"""


def shop_metadata() -> sa.MetaData:
    """The schema of CREATE_SHOP, declared with SQLAlchemy instead."""
    metadata = sa.MetaData()
    sa.Table(
        "customers", metadata,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("email", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.UniqueConstraint("email", name="uq_customers_email"),
    )
    sa.Table(
        "orders", metadata,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("customer_id", sa.Integer, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_orders_customer"),
        sa.CheckConstraint("quantity > 0", name="ck_orders_quantity"),
        sa.Index("ix_orders_customer", "customer_id"),
    )
    return metadata


def test_client_creates_what_snapshot_shows(db):
    result = apply_sql(db, CREATE_SHOP)
    assert result.returncode == 0, result.stderr

    tables = schema_snapshot(db.url)["tables"]
    assert sorted(tables) == ["customers", "orders"]
    orders = tables["orders"]
    assert [c["name"] for c in orders["columns"]] == ["customer_id", "id", "quantity"]
    assert orders["primary_key"]["columns"] == ["id"]
    assert [fk["name"] for fk in orders["foreign_keys"]] == ["fk_orders_customer"]
    assert orders["foreign_keys"][0]["referred_table"] == "customers"
    assert "ix_orders_customer" in [ix["name"] for ix in orders["indexes"]]
    assert [ck["name"] for ck in orders["check_constraints"]] == ["ck_orders_quantity"]
    assert [uc["name"] for uc in tables["customers"]["unique_constraints"]] == ["uq_customers_email"]


def test_script_given_as_file_is_applied(db, tmp_path):
    script = tmp_path / "upgrade.sql"
    script.write_text(CREATE_SHOP + "INSERT INTO customers (id, email) VALUES (1, 'a@example.org');\n")
    assert apply_sql(db, script).returncode == 0
    assert full_dump(db.url)["rows"]["customers"] == [{"email": "a@example.org", "id": 1}]


def test_failing_statement_stops_client_with_error(db):
    result = apply_sql(db, """
        CREATE TABLE before_error (id INTEGER PRIMARY KEY);
        INSERT INTO no_such_table VALUES (1);
        CREATE TABLE after_error (id INTEGER PRIMARY KEY);
    """)
    assert result.returncode != 0
    assert "no_such_table" in result.stderr
    # The client stopped at the error: what came after never ran.
    assert sorted(schema_snapshot(db.url)["tables"]) == ["before_error"]


def test_snapshot_ignores_how_schema_was_made(db, make_db):
    by_client = db
    by_sqlalchemy = make_db(db.dialect)
    assert apply_sql(by_client, CREATE_SHOP).returncode == 0
    engine = sa.create_engine(by_sqlalchemy.url)
    try:
        shop_metadata().create_all(engine)
    finally:
        engine.dispose()

    assert schema_snapshot(by_client.url) == schema_snapshot(by_sqlalchemy.url)


def test_snapshot_and_dump_notice_changes(db):
    assert apply_sql(db, CREATE_SHOP).returncode == 0
    assert apply_sql(db, "INSERT INTO customers (id, email) VALUES (1, 'a@example.org');").returncode == 0
    schema, dump = schema_snapshot(db.url), full_dump(db.url)
    assert full_dump(db.url) == dump  # deterministic

    assert apply_sql(db, "UPDATE customers SET email = 'b@example.org';").returncode == 0
    assert schema_snapshot(db.url) == schema
    assert full_dump(db.url) != dump

    assert apply_sql(db, "CREATE INDEX ix_customers_email2 ON customers (email);").returncode == 0
    assert schema_snapshot(db.url) != schema


def test_snapshot_sees_leftover_enum_type(pg_db):
    apply_sql(pg_db, "CREATE TYPE mood AS ENUM ('sad', 'happy');")
    assert schema_snapshot(pg_db.url)["enums"] == {"mood": ["sad", "happy"]}


# -- Alembic online ----------------------------------------------------------

ENV_PY = '''
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
'''

REVISION = '''
from alembic import op
import sqlalchemy as sa

revision = {revision!r}
down_revision = {down_revision!r}
branch_labels = None
depends_on = None


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''


def write_history(root: Path) -> Path:
    """Two revisions: create ``things``, then add a column and an index."""
    (root / "versions").mkdir(parents=True)
    (root / "env.py").write_text(ENV_PY)
    steps = [
        ("aaa001", None,
         'op.create_table("things", sa.Column("id", sa.Integer, primary_key=True),'
         ' sa.Column("name", sa.String(50), nullable=False))',
         'op.drop_table("things")'),
        ("bbb002", "aaa001",
         'op.add_column("things", sa.Column("note", sa.String(100)))\n'
         'op.create_index("ix_things_name", "things", ["name"])',
         'op.drop_index("ix_things_name", table_name="things")\n'
         'with op.batch_alter_table("things") as batch:\n'
         '    batch.drop_column("note")'),
    ]
    for revision, down, upgrade, downgrade in steps:
        (root / "versions" / f"{revision}.py").write_text(REVISION.format(
            revision=revision, down_revision=down,
            upgrade=textwrap.indent(upgrade, "    "), downgrade=textwrap.indent(downgrade, "    "),
        ))
    return root


def test_alembic_runs_online_and_version_is_read(db, tmp_path):
    history = write_history(tmp_path / "history")
    assert alembic_version(db.url) is None

    run_alembic_online(history, db.url, "upgrade", "aaa001")
    assert alembic_version(db.url) == {"aaa001"}
    at_first = schema_snapshot(db.url)

    run_alembic_online(history, db.url, "upgrade", "head")
    assert alembic_version(db.url) == {"bbb002"}
    columns = [c["name"] for c in schema_snapshot(db.url)["tables"]["things"]["columns"]]
    assert columns == ["id", "name", "note"]

    run_alembic_online(history, db.url, "downgrade", "aaa001")
    assert alembic_version(db.url) == {"aaa001"}
    assert schema_snapshot(db.url) == at_first

    run_alembic_online(history, db.url, "downgrade", "base")
    assert alembic_version(db.url) == set()
    assert sorted(schema_snapshot(db.url)["tables"]) == ["alembic_version"]


def test_alembic_ini_is_accepted(sqlite_db, tmp_path):
    history = write_history(tmp_path / "history")
    ini = tmp_path / "alembic.ini"
    ini.write_text(f"[alembic]\nscript_location = {history}\nsqlalchemy.url = sqlite:///nowhere\n")
    run_alembic_online(ini, sqlite_db.url, "upgrade", "head")
    assert alembic_version(sqlite_db.url) == {"bbb002"}


# -- CI: a database test never skips silently ------------------------------------

TINY_TESTS = '''
import pytest


def test_needs_postgres(pg_db):
    pass


@pytest.mark.skip(reason="explicitly not for this dialect")
def test_marked_skip(sqlite_db):
    pass


def test_not_a_db_test():
    pytest.skip("no database involved")
'''


def run_tiny_session(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    """pytest on TINY_TESTS with our conftest, PostgreSQL pointed at a closed port."""
    for name in ("conftest.py", "dbtools.py", "dbservers.py"):
        shutil.copy(HERE / name, tmp_path / name)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_tiny.py").write_text(TINY_TESTS)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["SQLRELEASE_TEST_POSTGRES_URL"] = "postgresql+psycopg://postgres@127.0.0.1:1/postgres"
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


def summary_counts(output: str) -> dict[str, int]:
    last = output.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", last)}


def test_unavailable_server_skips_locally(tmp_path):
    result = run_tiny_session(tmp_path, ci=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary_counts(result.stdout) == {"skipped": 3}
    assert "PostgreSQL unavailable" in result.stdout


def test_unavailable_server_fails_in_ci(tmp_path):
    result = run_tiny_session(tmp_path, ci="true")
    assert result.returncode == 1, result.stdout + result.stderr
    # Only the database test fails; deliberate skips stay skips.
    assert summary_counts(result.stdout) == {"skipped": 2, "error": 1}, result.stdout
    assert "database test skipped in CI" in result.stdout
    assert "test_needs_postgres" in result.stdout


# -- run_cli: in-process CLI runs show what a new process would show --------------------


def test_run_cli_shows_an_unexpected_exception_as_a_traceback_and_exit_1(tmp_path, monkeypatch):
    """`refused()` and friends assert that no traceback is printed: in process, an exception that
    escapes a command must still reach stderr, or those assertions could not fail."""
    from sqlrelease.cli import main

    def broken(*args, **kwargs):
        raise RuntimeError("a bug, not an expected failure")

    monkeypatch.setattr(main.commands["plan"], "callback", broken)
    result = run_cli("plan", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: a bug, not an expected failure" in result.stderr


def test_run_cli_runs_in_the_folder_and_undoes_what_the_command_set(tmp_path, monkeypatch):
    from sqlrelease.cli import main

    def sets_environment(*args, **kwargs):
        os.environ["SQLRELEASE_SET_BY_A_COMMAND"] = "1"
        print(os.getcwd(), os.environ["NO_COLOR"], os.environ["COLUMNS"])

    before = os.getcwd()
    monkeypatch.setattr(main.commands["plan"], "callback", sets_environment)
    result = run_cli("plan", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"{tmp_path} 1 80\n")
    assert "SQLRELEASE_SET_BY_A_COMMAND" not in os.environ
    assert os.getcwd() == before
