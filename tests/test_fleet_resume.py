"""A MariaDB apply killed part-way, then resumed: it must succeed every time.

MySQL and MariaDB commit DDL statement by statement, so a client killed inside a
migration leaves some of its statements applied while the version table still
names the migration before. Every statement goes to the server in one packet
with its progress record, so the server records exactly which statements ran,
even when the client died while one was running (the server finishes it).
`status` shows such a target as partial (migration k of n, the statement it
continues from, the exact resume command); `apply --resume`, or the step
scripts fed to the client by hand, continue from the first statement not
recorded as done. upgrade.sql fed to the client again still refuses.

The kill points: while a statement waits for a table lock (the server drops
it), while a long statement runs (the server finishes it), and at times spread
over the whole run. Afterwards the schema and the version table are compared
with a server that was never interrupted.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from dbtools import alembic_version, apply_sql, schema_snapshot
from projects import REPO
from sqlrelease.cli import main

HEAD = "74c2b9e5f3d0"
ROWS_DOUBLINGS = 16  # 65,536 recruits: the backfill and the table rebuilds take a moment


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    folder = tmp_path_factory.mktemp("resume") / "bundles"
    shutil.copytree(REPO / "releases", folder)
    return folder


def _engine(db):
    return sa.create_engine(db.url, poolclass=sa.pool.NullPool)


def _sql(db, *statements: str) -> list:
    engine = _engine(db)
    try:
        with engine.begin() as conn:
            rows = []
            for statement in statements:
                result = conn.execute(sa.text(statement))
                rows = [tuple(r) for r in result] if result.returns_rows else rows
            return rows
    finally:
        engine.dispose()


def _hand(db, path) -> subprocess.CompletedProcess:
    result = apply_sql(db, path)
    assert result.returncode == 0, f"{path}: {result.stderr}"
    return result


def at_1_1_0_with_rows(make_db, bundles):
    db = make_db("mysql")
    for release in ("1.0.0", "1.1.0"):
        _hand(db, bundles / release / "mysql" / "upgrade.sql")
    _sql(db, "INSERT INTO recruits (first_name, surname, github_name, id_number) VALUES ('Grace', 'Hopper', 'GHopper', 'ID')")
    for _ in range(ROWS_DOUBLINGS):
        _sql(db, "INSERT INTO recruits (first_name, surname, github_name, id_number) "
                 "SELECT first_name, surname, CONCAT('gh-', id + (SELECT MAX(id) FROM recruits)), "
                 "CONCAT('ID-', id + (SELECT MAX(id) FROM recruits)) FROM recruits")
    return db


MEASURED: dict = {}  # made once per test session: the reference schema, the uninterrupted run's seconds


def _reference_snapshot(make_db, bundles) -> dict:
    """The schema of a server brought to the last release without interruption."""
    if "reference" not in MEASURED:
        db = make_db("mysql")
        for release in ("1.0.0", "1.1.0", "1.2.0", "1.3.0"):
            _hand(db, bundles / release / "mysql" / "upgrade.sql")
        MEASURED["reference"] = schema_snapshot(db.url)
    return MEASURED["reference"]


def _client(db, path, tmp_path) -> subprocess.Popen:
    """The DBA's `mariadb DB < upgrade.sql`, left running."""
    return subprocess.Popen(
        db.client_argv(), stdin=open(path, "rb"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, **db.client_env()},
    )


def _sessions(db) -> int:
    """Other sessions on the test database (the killed client's lives on until its statement ends)."""
    return _sql(db, f"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '{db.name}' AND ID <> CONNECTION_ID()")[0][0]


def _running(db, statement_start: str) -> int:
    return _sql(db, "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                    f"WHERE DB = '{db.name}' AND INFO LIKE '{statement_start}%' AND ID <> CONNECTION_ID()")[0][0]


def _wait_for_running(db, statement_start: str, client: subprocess.Popen, timeout: float = 60) -> bool:
    """True once the server shows the statement running; False if the client ended first.

    One connection polls every millisecond: a statement of a few hundred milliseconds can
    start and end between two polls that each open a new connection on a loaded machine.
    """
    query = sa.text("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                    "WHERE DB = :db AND INFO LIKE :info AND ID <> CONNECTION_ID()")
    deadline = time.monotonic() + timeout
    engine = _engine(db)
    try:
        with engine.connect() as conn:
            while time.monotonic() < deadline and client.poll() is None:
                if conn.execute(query, {"db": db.name, "info": f"{statement_start}%"}).scalar():
                    return True
                time.sleep(0.001)
    finally:
        engine.dispose()
    return False


def _killed_while_running(make_db, bundles, tmp_path, statement: str, attempts: int = 3):
    """A server at 1.1.0 whose client was killed while `statement` of 1.2.0 ran.

    Whether a poll lands inside a short statement is up to the scheduler on a loaded
    machine; when it missed, that run is not the case under test, so it is discarded
    (its client killed, its database dropped at teardown) and the setup made again.
    """
    for _ in range(attempts):
        db = at_1_1_0_with_rows(make_db, bundles)
        client = _client(db, bundles / "1.2.0" / "mysql" / "upgrade.sql", tmp_path)
        if _wait_for_running(db, statement, client):
            _kill_and_settle(db, client)
            return db
        client.kill()
        client.wait(timeout=30)
    pytest.fail(f"never saw {statement} running in {attempts} runs")


def _kill_and_settle(db, client: subprocess.Popen) -> None:
    client.send_signal(signal.SIGKILL)
    client.wait(timeout=30)
    deadline = time.monotonic() + 120
    while _sessions(db) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _sessions(db), "the killed client's session did not end"


def cli(*args: str, bundles, tmp_path):
    result = CliRunner().invoke(
        main, [*args, "--bundles", str(bundles), "--json"], env={"SQLRELEASE_JOURNAL": str(tmp_path / "j.jsonl")},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.output)


def target(db) -> str:
    url = f"mysql://{db.user}@{db.host}:{db.port}/{db.name}"
    return f"shop={url}"


def _status(db, bundles, tmp_path) -> dict:
    _code, report = cli("status", "--target", target(db), bundles=bundles, tmp_path=tmp_path)
    return report["targets"][0]


def _check_upgrade_still_refuses(db, bundles, status: dict) -> None:
    """upgrade.sql of the interrupted release, fed again by hand: refused, nothing changed."""
    if status["state"] != "partial":
        return
    before = (alembic_version(db.url), schema_snapshot(db.url))
    result = apply_sql(db, bundles / status["resume"]["release"] / "mysql" / "upgrade.sql")
    assert "sqlrelease guard:" in result.stderr, result.stderr
    assert (alembic_version(db.url), schema_snapshot(db.url)) == before


def _resume_and_check(db, bundles, tmp_path, status: dict, reference: dict, how: str) -> None:
    if how == "tool" or status["state"] != "partial":
        code, report = cli("apply", "--resume", "--target", target(db), bundles=bundles, tmp_path=tmp_path)
        assert code == 0, report
    else:
        resume = status["resume"]
        assert resume["command"].endswith(f"< {bundles / resume['step']}")
        steps = sorted((bundles / resume["release"] / "mysql" / "steps").glob("*.sql"), key=lambda p: int(p.name.split("-")[0]))
        for step in steps[resume["migration"] - 1:]:
            _hand(db, step)
        for release in ("1.2.0", "1.3.0"):
            if release > resume["release"]:
                _hand(db, bundles / release / "mysql" / "upgrade.sql")
    assert alembic_version(db.url) == {HEAD}
    assert schema_snapshot(db.url) == reference
    assert _sql(db, "SELECT COUNT(*), COUNT(personal_email_address), COUNT(DISTINCT personal_email_address) FROM recruits") \
        == [(2 ** ROWS_DOUBLINGS,) * 3]
    assert _sql(db, "SELECT COUNT(*) FROM sqlrelease_progress") == [(0,)]
    assert _status(db, bundles, tmp_path)["state"] == "current"


# The statements of release 1.2.0 a client is killed in while they run; the server finishes each.
RUNNING = [
    pytest.param("UPDATE recruits SET personal_email_address", 2, "tool", id="backfill-tool"),
    pytest.param("ALTER TABLE recruits MODIFY personal_email_address", 3, "hand", id="not-null-hand"),
    pytest.param("ALTER TABLE recruits ADD CONSTRAINT uq_recruits_personal_email_address", 3, "tool", id="unique-tool"),
]


@pytest.mark.parametrize("statement, migration, how", RUNNING)
def test_killed_while_a_statement_runs_resumes(make_db, bundles, tmp_path, statement, migration, how):
    reference = _reference_snapshot(make_db, bundles)
    db = _killed_while_running(make_db, bundles, tmp_path, statement)
    status = _status(db, bundles, tmp_path)
    assert status["state"] == "partial", status
    assert status["resume"]["migration"] == migration, status
    assert "sqlrelease apply --resume --target shop" in status["detail"]
    _check_upgrade_still_refuses(db, bundles, status)
    # Plain apply does not guess: it names the partial target and changes nothing.
    code, report = cli("apply", "--target", target(db), bundles=bundles, tmp_path=tmp_path)
    assert code == 2 and report["targets"][0]["outcome"] == "refused"
    _resume_and_check(db, bundles, tmp_path, status, reference, how)


def test_killed_while_waiting_for_a_table_lock_resumes(make_db, bundles, tmp_path):
    """ADD COLUMN waits for another session's lock on recruits; the client dies; the server drops
    the statement. Its row says started, not done: status says so, and resume runs it again."""
    reference = _reference_snapshot(make_db, bundles)
    db = at_1_1_0_with_rows(make_db, bundles)
    engine = _engine(db)
    holder = engine.connect()
    try:
        holder.execute(sa.text("START TRANSACTION"))
        holder.execute(sa.text("SELECT COUNT(*) FROM recruits")).all()
        client = _client(db, bundles / "1.2.0" / "mysql" / "upgrade.sql", tmp_path)
        assert _wait_for_running(db, "ALTER TABLE recruits ADD COLUMN", client)
        client.send_signal(signal.SIGKILL)
        client.wait(timeout=30)
        # The server notices the dead client while the statement waits, and drops the statement.
        deadline = time.monotonic() + 60
        while _running(db, "ALTER TABLE recruits ADD COLUMN") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(db, "ALTER TABLE recruits ADD COLUMN")
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()
    _kill_and_settle(db, client)
    status = _status(db, bundles, tmp_path)
    assert status["state"] == "partial", status
    assert status["resume"]["migration"] == 1 and status["resume"]["statement"] == 1 and status["resume"]["interrupted"]
    assert "may have been applied in part" in status["detail"]
    _resume_and_check(db, bundles, tmp_path, status, reference, "tool")


@pytest.mark.parametrize("fraction", [0.15, 0.5, 0.85])
def test_killed_at_any_time_resumes(make_db, bundles, tmp_path, fraction):
    """Kills spread over the run of upgrade.sql of 1.2.0 (timed on an uninterrupted run)."""
    reference = _reference_snapshot(make_db, bundles)
    if "seconds" not in MEASURED:
        timing = at_1_1_0_with_rows(make_db, bundles)
        started = time.monotonic()
        _hand(timing, bundles / "1.2.0" / "mysql" / "upgrade.sql")
        MEASURED["seconds"] = time.monotonic() - started
    whole = MEASURED["seconds"]
    db = at_1_1_0_with_rows(make_db, bundles)
    client = _client(db, bundles / "1.2.0" / "mysql" / "upgrade.sql", tmp_path)
    time.sleep(whole * fraction)
    _kill_and_settle(db, client)
    status = _status(db, bundles, tmp_path)
    assert status["state"] in ("partial", "behind", "current"), status
    _check_upgrade_still_refuses(db, bundles, status)
    _resume_and_check(db, bundles, tmp_path, status, reference, "tool" if fraction < 0.5 else "hand")


def test_a_statement_that_took_effect_unrecorded_is_named_with_what_to_check(make_db, bundles, tmp_path):
    """The one case the packet cannot cover: the server went down after the statement committed and
    before its row said done. Resume then fails on that statement, changing nothing else, and status
    says what to check and how to record it; after that, resume succeeds."""
    reference = _reference_snapshot(make_db, bundles)
    db = at_1_1_0_with_rows(make_db, bundles)
    for step in ("1-9e07d3b5c8a1", "2-2d5f8a4c1b73"):
        _hand(db, bundles / "1.2.0" / "mysql" / "steps" / f"{step}.sql")
    # What a crash right after statement 2 of migration 3 leaves: the constraint, and a row saying started.
    _sql(db, "ALTER TABLE recruits MODIFY personal_email_address VARCHAR(255) NOT NULL",
         "ALTER TABLE recruits ADD CONSTRAINT uq_recruits_personal_email_address UNIQUE (personal_email_address)",
         "INSERT INTO sqlrelease_progress VALUES ('e61a7c9d0b58', '1.2.0', 2, 2, 0)")
    status = _status(db, bundles, tmp_path)
    assert status["state"] == "partial" and status["resume"]["statement"] == 2 and status["resume"]["interrupted"]
    assert "UPDATE sqlrelease_progress SET done = 1 WHERE revision = 'e61a7c9d0b58'" in status["detail"]
    code, report = cli("apply", "--resume", "--target", target(db), bundles=bundles, tmp_path=tmp_path)
    assert code == 2, report
    assert "Duplicate key name" in report["targets"][0]["detail"], report
    assert alembic_version(db.url) == {"2d5f8a4c1b73"}
    _sql(db, "UPDATE sqlrelease_progress SET done = 1 WHERE revision = 'e61a7c9d0b58'")
    code, report = cli("apply", "--resume", "--target", target(db), bundles=bundles, tmp_path=tmp_path)
    assert code == 0, report
    assert alembic_version(db.url) == {HEAD}
    assert schema_snapshot(db.url) == reference


def test_stopped_inside_the_first_migration_of_an_empty_database_is_partial_not_unmanaged(make_db, bundles, tmp_path):
    """The version table is created after the first migration: a client stopped right after that
    migration's statement ran leaves its table and its progress row, and no version table yet."""
    db = make_db("mysql")
    script = (bundles / "1.0.0" / "mysql" / "upgrade.sql").read_text()
    packet_end = "UPDATE sqlrelease_progress SET done = 1 WHERE revision = '3f2a9c1e7b40' AND statement = 1$sqlrelease$\n"
    assert packet_end in script
    stopped = tmp_path / "stopped.sql"
    stopped.write_text(script[: script.index(packet_end) + len(packet_end)])  # the client's input ends here
    _hand(db, stopped)
    assert alembic_version(db.url) is None  # no version table yet
    status = _status(db, bundles, tmp_path)
    assert status["state"] == "partial", status
    assert status["resume"]["release"] == "1.0.0" and status["resume"]["migration"] == 1, status
    assert not status["resume"]["interrupted"], status
    again = apply_sql(db, bundles / "1.0.0" / "mysql" / "upgrade.sql")  # by hand: refused, nothing changed
    assert "stopped inside release 1.0.0" in again.stderr, again.stderr
    code, report = cli("apply", "--resume", "--target", target(db), bundles=bundles, tmp_path=tmp_path)
    assert code == 0, report
    assert alembic_version(db.url) == {HEAD}
    assert schema_snapshot(db.url) == _reference_snapshot(make_db, bundles)
    assert _status(db, bundles, tmp_path)["state"] == "current"
