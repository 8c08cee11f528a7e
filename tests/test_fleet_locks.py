"""Two applies on one database cannot interleave, and every script leaves a receipt.

Each bundle script takes the database's apply lock for its whole run (PostgreSQL:
an advisory lock of its transaction; MySQL/MariaDB: GET_LOCK; SQLite: the write
lock of BEGIN IMMEDIATE) and records what it did in sqlrelease_receipts together
with the version change. Proven here with real concurrent sessions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import sqlalchemy
from click.testing import CliRunner

from dbtools import alembic_version, apply_sql, schema_snapshot
from projects import make_project
from sqlrelease import build
from sqlrelease.cli import main

RELEASES = ("1.0.0", "1.1.0", "1.2.0", "1.3.0")
HEAD = {"1.0.0": "8d41e6a0c2f9", "1.3.0": "74c2b9e5f3d0"}
PG_LOCK = "SELECT pg_advisory_xact_lock(1936813170, 1)"


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    """The sample built with a 2-second lock wait, so a refusal comes quickly."""
    root = make_project(tmp_path_factory.mktemp("locks"))
    with open(root / "pyproject.toml", "a", encoding="utf-8") as config:
        config.write("lock_timeout = 2\n")
    build(root)
    return root / "releases"


def fresh(make_db, dialect: str):
    db = make_db(dialect)
    if dialect == "sqlite":
        db.path.touch()
    return db


def cli(*args: str, bundles, tmp_path):
    result = CliRunner().invoke(main, [*args, "--bundles", str(bundles), "--json"], env={"SQLRELEASE_JOURNAL": str(tmp_path / "j.jsonl")})
    return result.exit_code, json.loads(result.output)


def receipts(url: str) -> list[tuple]:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sqlalchemy.text(
                "SELECT release_name, script, from_revisions, to_revisions, source_digest, applied_by, run_id FROM sqlrelease_receipts ORDER BY id"))]
    finally:
        engine.dispose()


def test_receipts_name_release_script_range_sources_user_and_run(make_db, bundles, tmp_path):
    db = fresh(make_db, "postgresql")
    assert apply_sql(db, bundles / "1.0.0" / "postgresql" / "upgrade.sql").returncode == 0  # by hand: no run id
    code, report = cli("apply", "--target", f"eu={db.url}", bundles=bundles, tmp_path=tmp_path)
    assert code == 0
    run = report["run"]
    rows = receipts(db.url)
    manifests = {r: json.loads((bundles / r / "manifest.json").read_text()) for r in RELEASES}
    assert [(r[0], r[1], r[3]) for r in rows] == [(name, "upgrade", manifests[name]["to"][0]) for name in RELEASES]
    assert [r[4] for r in rows] == [manifests[name]["source_digest"] for name in RELEASES]
    assert rows[0][2] == "" and rows[1][2] == HEAD["1.0.0"]
    assert {r[5] for r in rows} == {db.user}
    assert [r[6] for r in rows] == [None, run, run, run]
    code, report = cli("apply", "--target", f"eu={db.url}", "--to", "1.2.0", "--allow-downgrade", bundles=bundles, tmp_path=tmp_path)
    assert code == 0 and receipts(db.url)[-1][:4] == ("1.3.0", "downgrade", HEAD["1.3.0"], manifests["1.2.0"]["to"][0])
    code, report = cli("status", "--target", f"eu={db.url}", bundles=bundles, tmp_path=tmp_path)
    assert report["targets"][0]["receipt"]["script"] == "downgrade"


def test_a_held_lock_makes_apply_refuse_and_status_say_locked(make_db, postgres_server, bundles, tmp_path):
    db = fresh(make_db, "postgresql")
    assert apply_sql(db, bundles / "1.0.0" / "postgresql" / "upgrade.sql").returncode == 0
    engine = sqlalchemy.create_engine(db.url)
    holder = engine.connect()
    holder.execute(sqlalchemy.text(PG_LOCK))  # another apply, mid-transaction
    try:
        code, report = cli("status", "--target", f"eu={db.url}", bundles=bundles, tmp_path=tmp_path)
        target = report["targets"][0]
        assert code == 3 and target["state"] == "locked" and target["lock"]["pid"] > 0
        code, report = cli("apply", "--target", f"eu={db.url}", bundles=bundles, tmp_path=tmp_path)
        assert code == 3 and report["targets"][0]["outcome"] == "locked"  # seen before any file runs
        by_hand = apply_sql(db, bundles / "1.1.0" / "postgresql" / "upgrade.sql")  # the file itself waits, then refuses
        assert by_hand.returncode != 0
        assert "sqlrelease lock: another session (pid" in by_hand.stderr and "waited 2 s and changed nothing" in by_hand.stderr
        assert alembic_version(db.url) == {HEAD["1.0.0"]}
    finally:
        holder.close()  # a session that ends leaves no lock behind
        engine.dispose()
    code, report = cli("status", "--target", f"eu={db.url}", bundles=bundles, tmp_path=tmp_path)
    assert report["targets"][0]["state"] == "behind"
    code, report = cli("apply", "--target", f"eu={db.url}", bundles=bundles, tmp_path=tmp_path)
    assert code == 0 and alembic_version(db.url) == {HEAD["1.3.0"]}


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_two_applies_at_once_never_interleave(make_db, bundles, tmp_path, dialect):
    db, reference = fresh(make_db, dialect), fresh(make_db, dialect)
    for release in RELEASES:
        assert apply_sql(reference, bundles / release / dialect / "upgrade.sql").returncode == 0
    command = [sys.executable, "-m", "sqlrelease", "apply", "--target", f"t={db.url}", "--bundles", str(bundles), "--json"]
    env = {**os.environ, "SQLRELEASE_JOURNAL": str(tmp_path / "journal.jsonl")}
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    outcomes = []
    for proc in (first, second):
        out, err = proc.communicate(timeout=300)
        outcomes.append(json.loads(out)["targets"][0])
    applied = [o for o in outcomes if o["outcome"] == "applied"]
    refused = [o for o in outcomes if o["outcome"] != "applied"]
    # Both may find the work done by the other; never both doing the same release.
    rows = receipts(db.url)
    assert sorted(r[0] for r in rows) == sorted(RELEASES), rows  # each release ran exactly once
    assert alembic_version(db.url) == {HEAD["1.3.0"]}
    assert schema_snapshot(db.url) == schema_snapshot(reference.url)
    for other in refused:
        # Refused: it read the database while the other apply was between two statements (inside
        # a release on MySQL, or its schema already a step further than its version): it changed nothing.
        assert other["outcome"] in ("failed", "skipped", "locked", "refused"), other
        if other["outcome"] == "refused":
            assert other["detail"].startswith(("partial:", "drifted:")), other
        if other["outcome"] == "failed":
            assert "sqlrelease guard" in other["detail"] or "sqlrelease: nothing to do" in other["detail"] or "sqlrelease lock" in other["detail"] or "locked" in other["detail"], other
    assert len(applied) >= 1


def test_the_mysql_lock_is_released_at_the_end_of_the_file_not_only_with_the_session(make_db, bundles):
    # A DBA who sources several files in one session must not hold the lock between them.
    db = fresh(make_db, "mysql")
    upgrade = bundles / "1.0.0" / "mysql" / "upgrade.sql"
    result = apply_sql(db, f"source {upgrade}\nSELECT CONCAT('free=', IS_FREE_LOCK(CONCAT('sqlrelease.', MD5(DATABASE()))));\n")
    assert result.returncode == 0, result.stderr
    assert "free=1" in result.stdout
    assert alembic_version(db.url) == {HEAD["1.0.0"]}


def test_sqlite_waits_lock_timeout_seconds_for_another_writer(make_db, bundles):
    # The bundles were built with lock_timeout = 2: sqlite3 waits that long for the write lock.
    db = fresh(make_db, "sqlite")
    assert ".timeout 2000\n" in (bundles / "1.0.0" / "sqlite" / "upgrade.sql").read_text()
    holder = sqlalchemy.create_engine(db.url).raw_connection()
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        result = apply_sql(db, bundles / "1.0.0" / "sqlite" / "upgrade.sql")
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode != 0 and "database is locked" in result.stderr
    assert 1.8 <= waited < 30
    assert alembic_version(db.url) is None
