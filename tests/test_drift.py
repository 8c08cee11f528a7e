"""Servers that drifted, and applies that broke off halfway.

Someone added, renamed or dropped a column by hand since the last release;
the DBA applies the next bundle anyway.  It either succeeds and keeps every
row, or fails.  On PostgreSQL and SQLite a failure leaves schema and rows
exactly as they were.  On MariaDB, whose DDL commits as it goes, the version
table names the last migration that completed, and after repairing the drift
the DBA resumes with the bundle's ``mysql/steps/`` scripts and reaches the
release's schema, the same as ``alembic upgrade`` online.  A psql killed
mid-apply leaves nothing applied.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
import sqlalchemy as sa

from dbtools import DIALECTS, alembic_version, apply_sql, full_dump, run_alembic_online, schema_snapshot
from projects import make_project, script_location, sql
from sqlrelease import build

SEED = {
    "1.0.0": [
        "INSERT INTO department (name, address) VALUES ('Research', '1 Lab Road')",
        "INSERT INTO employees (full_name, email, created_at) VALUES ('Ada', 'ada@example.com', '2024-01-02 03:04:05')",
    ],
    "1.1.0": [
        "INSERT INTO recruits (first_name, surname, github_name, id_number) VALUES ('Grace', 'Hopper', 'GHopper', 'ID-1')",
    ],
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("drift"))
    build(root)
    return root


def _run(db, script) -> None:
    result = apply_sql(db, script)
    assert result.returncode == 0, f"{script}:\n{result.stderr}"


def _at_release(db, root, last: str) -> None:
    """The server as it stood after `last`, with rows added along the way."""
    for release in ("1.0.0", "1.1.0", "1.2.0", "1.3.0"):
        _run(db, sql(root, release, db.dialect, "upgrade"))
        for statement in SEED.get(release, []):
            _run(db, statement)
        if release == last:
            return


def _rows(db, query: str) -> list[tuple]:
    engine = sa.create_engine(db.url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(query))]
    finally:
        engine.dispose()


def _manifest(root, release) -> dict:
    return json.loads((root / "releases" / release / "manifest.json").read_text())


def _resume_mariadb(db, root, release: str, make_db) -> None:
    """After repairing the drift, run the step scripts after the last completed one."""
    revisions = [m["revision"] for m in _manifest(root, release)["migrations"]]
    (current,) = alembic_version(db.url)
    steps = sorted((root / "releases" / release / "mysql" / "steps").glob("*.sql"),
                   key=lambda p: int(p.name.split("-")[0]))
    assert [p.stem.split("-", 1)[1] for p in steps] == revisions
    for step in steps[revisions.index(current) + 1:]:
        _run(db, step)
    online = make_db("mysql")
    for head in _manifest(root, release)["to"]:
        run_alembic_online(script_location(root), online.url, "upgrade", head)
    assert alembic_version(db.url) == alembic_version(online.url)
    assert schema_snapshot(db.url) == schema_snapshot(online.url)


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_column_added_by_hand_survives_the_next_release(sample, db):
    _at_release(db, sample, "1.0.0")
    _run(db, "ALTER TABLE department ADD COLUMN phone VARCHAR(20)")
    _run(db, "UPDATE department SET phone = '555-0100'")
    _run(db, sql(sample, "1.1.0", db.dialect, "upgrade"))
    assert alembic_version(db.url) == {"c4b8e1f3a906"}
    assert _rows(db, "SELECT name, location, phone FROM departments") == [("Research", "1 Lab Road", "555-0100")]


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_column_added_by_hand_to_a_table_the_release_rebuilds(sample, db):
    # 1.1.0 adds employees.department_id. PostgreSQL and MariaDB alter the table in
    # place; SQLite copies it, and the copy would know only the migration's columns.
    _at_release(db, sample, "1.0.0")
    _run(db, "ALTER TABLE employees ADD COLUMN nickname VARCHAR(20)")
    _run(db, "UPDATE employees SET nickname = 'countess'")
    before = full_dump(db.url)
    result = apply_sql(db, sql(sample, "1.1.0", db.dialect, "upgrade"))
    if db.dialect != "sqlite":
        assert result.returncode == 0, result.stderr
        assert _rows(db, "SELECT full_name, nickname FROM employees") == [("Ada", "countess")]
        return
    assert result.returncode != 0
    assert "migration 5a6d2c8e0f47 rebuilds table employees and would drop columns it does not know: nickname;" in result.stderr
    assert "nothing was changed" in result.stderr
    assert full_dump(db.url) == before


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_column_renamed_by_hand_fails_cleanly_or_resumes(sample, db, make_db):
    # 1.1.0 renames department, then renames its column address: gone by hand.
    _at_release(db, sample, "1.0.0")
    _run(db, "ALTER TABLE department RENAME COLUMN address TO addr")
    before = full_dump(db.url)
    result = apply_sql(db, sql(sample, "1.1.0", db.dialect, "upgrade"))
    assert result.returncode != 0
    if db.dialect != "mysql":
        assert full_dump(db.url) == before
        return
    # The table rename (step 1) committed; the column rename (step 2) failed.
    assert alembic_version(db.url) == {"b7c03e5d9a12"}
    _run(db, "ALTER TABLE departments CHANGE addr address VARCHAR(200) NULL")
    _resume_mariadb(db, sample, "1.1.0", make_db)
    assert _rows(db, "SELECT name, location FROM departments") == [("Research", "1 Lab Road")]


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_column_dropped_by_hand_fails_cleanly_or_resumes(sample, db, make_db):
    # 1.2.0 backfills personal_email_address from github_name: dropped by hand.
    _at_release(db, sample, "1.1.0")
    _run(db, "ALTER TABLE recruits DROP COLUMN github_name")
    before = full_dump(db.url)
    result = apply_sql(db, sql(sample, "1.2.0", db.dialect, "upgrade"))
    assert result.returncode != 0
    assert "github_name" in result.stderr
    if db.dialect != "mysql":
        assert full_dump(db.url) == before
        return
    # Step 1 (add the nullable column) committed; the backfill (step 2) failed.
    assert alembic_version(db.url) == {"9e07d3b5c8a1"}
    _run(db, "ALTER TABLE recruits ADD COLUMN github_name VARCHAR(39) NULL")
    _run(db, "UPDATE recruits SET github_name = 'GHopper'")
    _resume_mariadb(db, sample, "1.2.0", make_db)
    assert _rows(db, "SELECT surname, personal_email_address FROM recruits") == [
        ("Hopper", "ghopper@recruits.invalid")
    ]


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_psql_killed_mid_apply_leaves_nothing_applied(sample, pg_db, tmp_path):
    _at_release(pg_db, sample, "1.0.0")
    before = full_dump(pg_db.url)
    text = sql(sample, "1.1.0", "postgresql", "upgrade").read_text()
    assert text.count("\nCOMMIT;") == 1
    slow = tmp_path / "upgrade-slow.sql"
    # Every migration has run inside the transaction when the client dies.
    slow.write_text(text.replace("\nCOMMIT;", "\nSELECT pg_sleep(3);\nCOMMIT;"))
    psql = subprocess.Popen([*pg_db.client_argv(), "-f", str(slow)], env={**os.environ, **pg_db.client_env()},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sessions = (f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{pg_db.name}' "
                "AND pid <> pg_backend_pid() AND query LIKE 'SELECT pg_sleep%'")
    try:
        _wait_for(lambda: _rows(pg_db, sessions) == [(1,)], 30, "psql to reach the sleep")
    finally:
        psql.send_signal(signal.SIGKILL)
        psql.wait()
    # The server notices the lost client when the sleep ends, then rolls back.
    gone = (f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{pg_db.name}' "
            "AND pid <> pg_backend_pid()")
    _wait_for(lambda: _rows(pg_db, gone) == [(0,)], 30, "the killed session to end")
    assert full_dump(pg_db.url) == before
    _run(pg_db, sql(sample, "1.1.0", "postgresql", "upgrade"))
    assert alembic_version(pg_db.url) == {"c4b8e1f3a906"}


@pytest.fixture(scope="module")
def rebuild(tmp_path_factory):
    """A history whose 1.1.0 rebuilds `items` in batch mode on every dialect."""
    root = make_project(tmp_path_factory.mktemp("rebuild"), "table_rebuild")
    build(root)
    return root


def _items_at(db, root, release: str) -> None:
    _run(db, sql(root, "1.0.0", db.dialect, "upgrade"))
    _run(db, "INSERT INTO items (id, name) VALUES (1, 'lamp')")
    if release == "1.1.0":
        _run(db, sql(root, "1.1.0", db.dialect, "upgrade"))


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
@pytest.mark.parametrize("direction", ["upgrade", "downgrade"])
def test_table_rebuild_refuses_columns_it_would_drop(rebuild, db, direction):
    # The copy knows the migration's columns only; a column added by hand would
    # vanish with the old table, on every dialect, so the bundle refuses first.
    _items_at(db, rebuild, "1.0.0" if direction == "upgrade" else "1.1.0")
    _run(db, "ALTER TABLE items ADD COLUMN note VARCHAR(20)")
    _run(db, "UPDATE items SET note = 'fragile'")
    before = full_dump(db.url)
    result = apply_sql(db, sql(rebuild, "1.1.0", db.dialect, direction))
    assert result.returncode != 0
    assert "migration 6f3a90c4e8b2 rebuilds table items and would drop columns it does not know: note;" in result.stderr
    assert f"nothing was changed ({direction}.sql of release 1.1.0;" in result.stderr
    assert full_dump(db.url) == before


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_table_rebuild_runs_when_the_table_is_as_the_migration_knows_it(rebuild, db):
    _items_at(db, rebuild, "1.1.0")
    assert _rows(db, "SELECT id, name, price FROM items") == [(1, "lamp", None)]
    _run(db, sql(rebuild, "1.1.0", db.dialect, "downgrade"))
    assert _rows(db, "SELECT id, name FROM items") == [(1, "lamp")]


@pytest.mark.parametrize("dialect", ["mssql", "oracle"])
def test_table_rebuild_guard_on_servers_checked_as_text(tmp_path, dialect):
    root = make_project(tmp_path, "table_rebuild", dialects=(dialect,))
    build(root)
    text = sql(root, "1.1.0", dialect, "upgrade").read_text()
    guard = text.index("would drop columns it does not know")
    assert guard < text.index("_alembic_tmp_items")  # the copy starts after the guard
    known = "('ID', 'NAME')" if dialect == "oracle" else "(N'id', N'name')"  # N'': SQL Server's unicode strings
    assert f"NOT IN {known}" in text
    if dialect == "mssql":
        assert "THROW 50003, @rebuild_message, 1;" in text
    else:
        assert "RAISE_APPLICATION_ERROR(-20004," in text
