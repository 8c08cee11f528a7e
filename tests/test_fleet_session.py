"""A target several releases behind gets all its files in one client session, on the real servers.

`apply` runs every file a target needs in one psql / mariadb / sqlite3 run, in
order (psql -f A -f B ..., the files one after another on mariadb's and
sqlite3's stdin), with a marker line after each, and stops at the first failure.
The target must end where a DBA running the files one by one would leave it, with
a receipt per release, and the journal must say per file what became of it.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy

from dbtools import alembic_version, apply_sql
from sqlrelease import fleet
from test_fleet import HEAD, RELEASES, bundles, counting_clients, hand_apply, new_db, starts, write_fleet  # noqa: F401

# A trigger that refuses the first version move of release 1.2.0 (9e07d3b5c8a1), so the 2nd of the
# files 1.1.0, 1.2.0, 1.3.0 fails at that statement whatever ran before it; nothing in 1.1.0 touches it.
REFUSE_1_2_0 = {
    "postgresql": [
        "CREATE FUNCTION no_1_2_0() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.version_num = '9e07d3b5c8a1' THEN RAISE EXCEPTION 'no 1.2.0 here'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER no_1_2_0 BEFORE UPDATE ON alembic_version FOR EACH ROW EXECUTE FUNCTION no_1_2_0()",
    ],
    "mysql": [
        "CREATE TRIGGER no_1_2_0 BEFORE UPDATE ON alembic_version FOR EACH ROW BEGIN "
        "IF NEW.version_num = '9e07d3b5c8a1' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no 1.2.0 here'; END IF; END",
    ],
    "sqlite": [
        "CREATE TRIGGER no_1_2_0 BEFORE UPDATE ON alembic_version WHEN NEW.version_num = '9e07d3b5c8a1' "
        "BEGIN SELECT RAISE(ABORT, 'no 1.2.0 here'); END",
    ],
}


def execute(url: str, *statements: str) -> None:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def receipts(url: str) -> list[tuple]:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sqlalchemy.text("SELECT release_name, run_id FROM sqlrelease_receipts ORDER BY id"))]
    finally:
        engine.dispose()


def journal(tmp_path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_a_target_three_releases_behind_gets_its_files_in_one_client_session(make_db, bundles, tmp_path, monkeypatch, dialect):
    db = new_db(make_db, dialect)
    hand_apply(db, bundles, "1.0.0")  # by hand: no run id
    path = write_fleet(tmp_path, {"t": db.url}, bundles=bundles)
    inventory, names, catalog = fleet.open_fleet(path, project=None)
    log = counting_clients(tmp_path, monkeypatch)
    report = fleet.fleet_apply(inventory, catalog, names=names)
    # one client run reads the status, one runs the three files (one by one would be 1 + 3)
    assert starts(log) == {dialect: 2}
    run = report.targets[0]
    assert (run.outcome, run.state, run.release_after) == ("applied", "current", "1.3.0"), run.detail
    assert alembic_version(db.url) == {HEAD["1.3.0"]}
    assert receipts(db.url) == [("1.0.0", None)] + [(r, report.run) for r in RELEASES[1:]]
    entry = journal(tmp_path)[-1]
    assert entry["outcome"] == "applied" and entry["run"] == report.run
    files = entry["files"]
    assert [(f["file"], f["outcome"], f["exit_code"]) for f in files] == [
        (f"{r}/{dialect}/upgrade.sql", "applied", 0) for r in RELEASES[1:]]
    assert [f["sha256"] for f in files] == [catalog.get(r).manifest["files"][f"{dialect}/upgrade.sql"]["sha256"] for r in RELEASES[1:]]
    assert all(f["seconds"] is not None and 0 <= f["seconds"] <= entry["seconds"] for f in files)
    # each file's own output, the marker lines taken out: the last line each file prints says it is done
    for release, f in zip(RELEASES[1:], files):
        assert f"upgrade.sql of release {release} done" in f["output"], f
        assert release not in "".join(g["output"] for g in files if g is not f).replace(f"release {release} (", ""), f


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_a_failure_in_the_second_of_three_files_keeps_the_first_and_never_runs_the_third(make_db, bundles, tmp_path, dialect):
    db = new_db(make_db, dialect)
    hand_apply(db, bundles, "1.0.0")
    execute(db.url, *REFUSE_1_2_0[dialect])
    path = write_fleet(tmp_path, {"t": db.url}, bundles=bundles)
    inventory, names, catalog = fleet.open_fleet(path, project=None)
    report = fleet.fleet_apply(inventory, catalog, names=names, ignore_drift=True)
    run = report.targets[0]
    assert run.outcome == "failed"
    assert run.detail.startswith(f"1.2.0/{dialect}/upgrade.sql failed") and "no 1.2.0 here" in run.detail, run.detail
    # The error names the file and line: psql itself (psql:FILE:LINE:); for the clients that counted
    # lines of all they were fed on stdin, apply says which file and line that is.
    if dialect == "postgresql":
        assert "1.2.0/postgresql/upgrade.sql:" in run.detail, run.detail
    else:
        update = next(n for n, line in enumerate((bundles / "1.2.0" / dialect / "upgrade.sql").read_text().splitlines(), start=1)
                      if line.startswith("UPDATE alembic_version SET version_num = '9e07d3b5c8a1'"))
        assert f"(line {update} of 1.2.0/{dialect}/upgrade.sql)" in run.detail, run.detail
    assert [r[0] for r in receipts(db.url)] == ["1.0.0", "1.1.0"]  # 1.1.0 stayed; 1.3.0 never ran
    files = journal(tmp_path)[-1]["files"]
    assert [(f["release"], f["outcome"]) for f in files] == [("1.1.0", "applied"), ("1.2.0", "failed"), ("1.3.0", "not run")]
    assert files[0]["exit_code"] == 0 and files[1]["exit_code"] not in (0, None) and files[2]["exit_code"] is None
    assert "no 1.2.0 here" in files[1]["output"] and files[2]["output"] == "" and files[2]["seconds"] is None
    if dialect == "mysql":
        # MariaDB committed the first statement of 1.2.0 (its DDL) before the refused version move:
        # the target stopped inside the release, as the same files fed by hand leave it.
        assert alembic_version(db.url) == {HEAD["1.1.0"]} and run.state == "partial", run.after.detail
    else:
        assert alembic_version(db.url) == {HEAD["1.1.0"]} and run.state == "failed"
        assert run.after.release == "1.1.0"


def test_a_sessions_markers_cannot_be_forged_by_what_a_file_prints(make_db, bundles, tmp_path):
    """The marker lines carry a token made for the run: lines a file prints that look like markers
    (another token, or this one followed by something else) are not taken for one."""
    from sqlrelease.fleet import apply, clients

    run_steps = [apply.Step("1.1.0", "upgrade", bundles / "1.1.0/sqlite/upgrade.sql", "", "1.1.0/sqlite/upgrade.sql")]
    outcome = clients.Outcome(1, 2.0, "", "Error: near line 9: boom")
    lines = [(0.1, "abcdef0123456789 0"), (0.2, "0000000000000000 1"), (0.3, "abcdef0123456789 1 x")]
    files = apply._files_run(run_steps, "abcdef0123456789", outcome, lines)
    assert [(f["outcome"], f["exit_code"]) for f in files] == [("failed", 1)]
    assert "0000000000000000 1" in "\n".join(line for _, line in lines) and "boom" in files[0]["output"]
