"""The examples/ projects, driven exactly as a new user drives them.

For each example (a Flask-Migrate app and a plain `alembic init` project): copy it,
`sqlrelease init` with no configuration edits, cut three releases, build, then apply
the bundles with psql, mariadb and sqlite3 to real servers left at different
releases, see a wrong release refused, roll back, bring a server made by other means
under version control with baseline.sql, and `check` a clone of the project elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from dbtools import alembic_version, apply_sql, schema_snapshot
from projects import REPO
from sqlrelease import api
from sqlrelease.cli import main

EXAMPLES = REPO / "examples"
pytestmark = pytest.mark.db

# Each example: its folder, and the releases a user cuts (name, target; None: the head).
FLASK = ("flask_app", [("1.0.0", "1a2b3c4d5e02"), ("1.1.0", "1a2b3c4d5e05"), ("1.2.0", None)])
ALEMBIC = ("alembic_app", [("1.0.0", "5c0a00000001"), ("1.1.0", "5c0a00000002"), ("1.2.0", None)])


def sqlrelease(*args: str, cwd: Path):
    """`sqlrelease ARGS` typed in `cwd`, run in-process."""
    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(before)
    return result


def new_user(tmp_path: Path, example: tuple, edit=None) -> Path:
    """The example copied (and changed by `edit`), then: init, cut three releases, build. No configuration edits."""
    folder, releases = example
    root = tmp_path / folder
    shutil.copytree(EXAMPLES / folder, root, ignore=shutil.ignore_patterns("__pycache__", "*.db", "releases"))
    if edit is not None:
        edit(root)
    for args in (("init",), *(("cut", name, *(("-r", rev) if rev else ())) for name, rev in releases), ("build",)):
        result = sqlrelease(*args, cwd=root)
        assert result.exit_code == 0, f"sqlrelease {' '.join(args)}:\n{result.output}"
    for name, _ in releases:
        assert sqlrelease("verify", f"releases/{name}", cwd=root).exit_code == 0
    return root


def apply(db, root: Path, release: str, kind: str = "upgrade"):
    return apply_sql(db, root / "releases" / release / db.dialect / f"{kind}.sql")


def applied(db, root: Path, *releases: str) -> None:
    for release in releases:
        result = apply(db, root, release)
        assert result.returncode == 0, f"{release} on {db.dialect}:\n{result.stderr}"


def run(db, *statements: str) -> list:
    engine = sa.create_engine(db.url)
    try:
        with engine.begin() as connection:
            rows = []
            for statement in statements:
                result = connection.execute(sa.text(statement))
                rows = [tuple(r) for r in result] if result.returns_rows else rows
            return rows
    finally:
        engine.dispose()


def tables(db) -> dict:
    return schema_snapshot(db.url)["tables"]


def columns(db, table: str) -> dict[str, dict]:
    """{column name: its snapshot (type, nullable, ...)}"""
    return {c["name"]: c for c in tables(db)[table]["columns"]}


def clone_and_check(tmp_path: Path, root: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "releases"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)
    clone = tmp_path / "elsewhere" / root.name
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True, capture_output=True)
    shutil.rmtree(root)  # a clone that still read the original's migrations would fail now
    checked = sqlrelease("check", cwd=clone)
    assert checked.exit_code == 0, checked.output


def refused_unchanged(db, root: Path, release: str, kind: str = "upgrade") -> None:
    before = schema_snapshot(db.url), alembic_version(db.url)
    result = apply(db, root, release, kind)
    assert result.returncode != 0
    # A refusal, or (a release run again where it is applied) "nothing to do": both change nothing.
    assert "sqlrelease guard:" in result.stderr or "sqlrelease: nothing to do:" in result.stderr
    assert (schema_snapshot(db.url), alembic_version(db.url)) == before


def test_flask_migrate_example(tmp_path, make_db):
    root = new_user(tmp_path, FLASK)
    config = (root / "pyproject.toml").read_text()
    assert 'environment = "builtin"' in config and "Flask-Migrate layout" in config
    # SQLite's table rebuilds (the rename, NOT NULL after the backfill) read as what they are.
    findings = api.lint_project(root)
    found = {(f.release, f.revision, f.dialect, f.rule) for f in findings if f.direction == "upgrade"}
    assert ("1.1.0", "1a2b3c4d5e04", "sqlite", "rename-column") in found
    assert ("1.2.0", "1a2b3c4d5e08", "sqlite", "not-null-after-backfill") in found
    assert not {f for f in found if f[3] in ("drop-column", "not-null-no-backfill")}
    # Rolling 1.2.0 back drops the column with the addresses: the review says so.
    assert {(f.revision, f.rule, f.severity) for f in findings if f.direction == "downgrade" and f.release == "1.2.0"} >= {
        ("1a2b3c4d5e06", "drop-column", "warning")}

    # PostgreSQL stays at 1.0.0 with its rows; a wrong release is refused there.
    pg = make_db("postgresql")
    applied(pg, root, "1.0.0")
    run(pg, "INSERT INTO department (id, name, address) VALUES (1, 'Research', 'Building 7')")
    refused_unchanged(pg, root, "1.2.0")
    assert alembic_version(pg.url) == {"1a2b3c4d5e02"}

    # MariaDB goes to 1.1.0, gets recruits, then 1.2.0 backfills and requires their addresses.
    maria = make_db("mysql")
    applied(maria, root, "1.0.0")
    run(maria, "INSERT INTO department (id, name, address) VALUES (1, 'Research', 'Building 7')")
    applied(maria, root, "1.1.0")
    assert run(maria, "SELECT name, location FROM departments") == [("Research", "Building 7")]
    run(maria, "INSERT INTO recruits (first_name, surname, github_name, id_number) VALUES "
               "('Ada', 'Lovelace', 'ALovelace', 'ID-1'), ('Alan', 'Turing', NULL, 'ID-2')")
    applied(maria, root, "1.2.0")
    assert run(maria, "SELECT personal_email_address FROM recruits ORDER BY id") == [
        ("alovelace@recruits.example.com",), ("id-2@recruits.example.com",)]
    assert not columns(maria, "recruits")["personal_email_address"]["nullable"]
    # Roll 1.2.0 back: the column goes, the recruits stay.
    result = apply(maria, root, "1.2.0", "downgrade")
    assert result.returncode == 0, result.stderr
    assert alembic_version(maria.url) == {"1a2b3c4d5e05"}
    assert "personal_email_address" not in columns(maria, "recruits")
    assert run(maria, "SELECT count(*) FROM recruits") == [(2,)]

    # SQLite all the way, with rows in recruits before the table rebuilds of 1.2.0.
    lite = make_db("sqlite")
    applied(lite, root, "1.0.0", "1.1.0")
    run(lite, "INSERT INTO recruits (first_name, surname, github_name, id_number) VALUES ('Ada', 'Lovelace', 'ALovelace', 'ID-1')")
    applied(lite, root, "1.2.0")
    assert run(lite, "SELECT personal_email_address FROM recruits") == [("alovelace@recruits.example.com",)]
    assert alembic_version(lite.url) == {"1a2b3c4d5e08"}

    # A server made by other means (db.create_all(), as the tutorials do in development),
    # brought under version control with the last release's baseline.sql in one step; the
    # baseline of an earlier release is refused once the server records one.
    made = make_db("sqlite")
    created = subprocess.run(
        [sys.executable, "-c", "from app import app, db\nwith app.app_context(): db.create_all()"],
        cwd=root, capture_output=True, text=True, env={**os.environ, "DATABASE_URL": made.url},
    )
    assert created.returncode == 0, created.stderr
    result = apply(made, root, "1.2.0", "baseline")
    assert result.returncode == 0, result.stderr
    assert "baseline.sql of release 1.2.0 done" in result.stdout
    assert alembic_version(made.url) == {"1a2b3c4d5e08"}
    refused_unchanged(made, root, "1.2.0")
    refused = apply(made, root, "1.1.0", "baseline")
    # 1.1.0's bundle knows no later release: it names the revision it found, and changes nothing.
    assert refused.returncode != 0 and "this server is at 1a2b3c4d5e08 (no release up to 1.1.0)" in refused.stderr
    assert "needs an empty database" in refused.stderr and "nothing was changed" in refused.stderr
    assert alembic_version(made.url) == {"1a2b3c4d5e08"}

    clone_and_check(tmp_path, root)


def test_alembic_init_example(tmp_path, make_db):
    root = new_user(tmp_path, ALEMBIC)
    assert "script_location = %(here)s/alembic" in (root / "alembic.ini").read_text()

    pg = make_db("postgresql")
    applied(pg, root, "1.0.0")
    run(pg, "INSERT INTO students (id, first_name, last_name) VALUES (1, 'Marie', 'Curie')")
    applied(pg, root, "1.1.0", "1.2.0")
    assert run(pg, "SELECT first_name, email FROM scholars") == [("Marie", None)]
    assert "students" not in tables(pg)
    result = apply(pg, root, "1.2.0", "downgrade")
    assert result.returncode == 0, result.stderr
    assert run(pg, "SELECT first_name FROM students") == [("Marie",)]

    maria = make_db("mysql")
    applied(maria, root, "1.0.0", "1.1.0")
    refused_unchanged(maria, root, "1.0.0")  # applied already: the guard refuses it
    assert sorted(columns(maria, "students")) == ["email", "first_name", "id", "last_name"]

    lite = make_db("sqlite")
    applied(lite, root, "1.0.0", "1.1.0", "1.2.0")
    run(lite, "INSERT INTO scholars (id, first_name, last_name) VALUES (1, 'Marie', 'Curie')")
    for release in ("1.2.0", "1.1.0"):
        result = apply(lite, root, release, "downgrade")
        assert result.returncode == 0, result.stderr
    assert sorted(columns(lite, "students")) == ["first_name", "id", "last_name"]
    assert run(lite, "SELECT first_name FROM students") == [("Marie",)]
    assert alembic_version(lite.url) == {"5c0a00000001"}

    made = make_db("postgresql")
    run(made, "CREATE TABLE scholars (id SERIAL PRIMARY KEY, first_name VARCHAR(50) NOT NULL, "
              "last_name VARCHAR(50) NOT NULL, email VARCHAR(120))")
    for release in ("1.0.0", "1.1.0", "1.2.0"):
        result = apply(made, root, release, "stamp")
        assert result.returncode == 0, result.stderr
    assert alembic_version(made.url) == {"5c0a00000003"}

    clone_and_check(tmp_path, root)


def test_a_backfill_that_concatenates_with_pipes_is_found_before_mariadb_fails_on_it(tmp_path, make_db):
    """The tutorials' backfill, `lower(github_name) || '@...'` for every dialect: lint names the MySQL
    statement, and MariaDB (where || is a logical OR) fails on it as soon as recruits has rows."""
    backfill = "migrations/versions/1a2b3c4d5e07_backfill_recruits_personal_email_address.py"

    def pipes_everywhere(root: Path) -> None:
        path = root / backfill
        path.write_text(path.read_text().replace("if op.get_context().dialect.name == 'mysql':", "if False:"))

    root = new_user(tmp_path, FLASK, pipes_everywhere)
    found = [(f.dialect, f.rule, f.severity) for f in api.lint_project(root, ["1.2.0"]) if f.rule == "dialect-syntax"]
    assert found == [("mysql", "dialect-syntax", "error")]

    rows = ("INSERT INTO recruits (first_name, surname, github_name, id_number) VALUES "
            "('Ada', 'Lovelace', 'ALovelace', 'ID-1')")
    maria, pg = make_db("mysql"), make_db("postgresql")
    for db in (maria, pg):
        applied(db, root, "1.0.0", "1.1.0")
        run(db, rows)
    failed = apply(maria, root, "1.2.0")
    assert failed.returncode != 0 and "1292" in failed.stderr  # Truncated incorrect DOUBLE value
    applied(pg, root, "1.2.0")
    assert run(pg, "SELECT personal_email_address FROM recruits") == [("alovelace@recruits.example.com",)]
