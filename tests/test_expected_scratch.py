"""The expected schema's SQLite scratch keeps in `main` only the tables a file reaches (sqlitescratch.py).

Each history here is applied three times: kept small (with and without the next file told as
upcoming), and whole (every table in `main`, the plain database `sqlite3 -bail` has). After every
file all must hold the same stored CREATE statements (tables, indexes, views, triggers), the same
rows with the same rowids and the same AUTOINCREMENT counters, and a file that fails must fail
every way. Each history also checks that tables did wait
outside `main`, so no comparison passes because nothing moved. test_bench_history.py compares the
fingerprints with what `sqlite3 -bail` leaves, on whole synthetic histories.
"""

import re
import sys
from pathlib import Path

import pytest

from projects import release_names, sql
from sqlrelease import build
from sqlrelease.sqlitescratch import ScratchFailure, SqliteScratch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import history  # noqa: E402  (bench/history.py)


def _state(scratch: SqliteScratch):
    connection = scratch._connection  # the test reads the databases as they are
    databases = [name for _, name, _ in connection.execute("PRAGMA database_list") if name != "temp"]
    objects, rows, sequences = [], {}, []
    for database in databases:
        for kind, name, table, sql in connection.execute(f"SELECT type, name, tbl_name, sql FROM {database}.sqlite_master"):
            if name == "sqlite_sequence":
                sequences += connection.execute(f"SELECT name, seq FROM {database}.sqlite_sequence").fetchall()
            elif not name.startswith("sqlite_autoindex"):
                objects.append((kind, name, table, sql))
            if kind == "table" and name != "sqlite_sequence":
                quoted = '"' + name.replace('"', '""') + '"'
                try:
                    found = connection.execute(f"SELECT rowid, * FROM {database}.{quoted}").fetchall()
                except Exception:  # WITHOUT ROWID
                    found = connection.execute(f"SELECT * FROM {database}.{quoted}").fetchall()
                rows[name] = sorted(found, key=repr)
    return sorted(objects, key=repr), rows, sorted(sequences)


def _both(files: list[str]) -> tuple[list, set[str]]:
    """The states after each file (or 'failed'), the same both ways (and kept small with the next file
    told as upcoming); and the tables that waited away."""
    runs, waited = [], set()
    for small, told in ((True, False), (True, True), (False, False)):
        states = []
        with SqliteScratch(small) as scratch:
            for number, text in enumerate(files):
                if small and not told:
                    waited |= scratch.waiting()
                try:
                    scratch.apply(text, "".join(files[number + 1 : number + 2]) if told else "")
                except ScratchFailure:
                    states.append("failed")
                    break
                states.append(_state(scratch))
        runs.append(states)
    assert runs[0] == runs[1] == runs[2]
    return runs[0], waited


def _sql(state, name):
    return next(sql for kind, found, _, sql in state[0] if found == name)


def test_a_rename_rewrites_the_foreign_keys_of_tables_that_wait_away():
    states, waited = _both([
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);"
        " CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));"
        " INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (5, 1);",
        "CREATE TABLE unrelated (y TEXT);",
        "ALTER TABLE parent RENAME TO mother;",
        "CREATE TABLE later (z TEXT);",
        "ALTER TABLE mother RENAME COLUMN id TO mid;",
        # created and renamed in one file: a waiting table's dangling reference follows the rename
        "CREATE TABLE kid (a INTEGER REFERENCES foo (id));",
        "CREATE TABLE other (b TEXT);",
        "CREATE TABLE foo (id INTEGER PRIMARY KEY); ALTER TABLE foo RENAME TO bar;",
    ])
    assert {"child", "kid"} <= waited
    assert 'REFERENCES "mother" (mid)' in _sql(states[-1], "child")
    assert 'REFERENCES "bar" (id)' in _sql(states[-1], "kid")


def test_names_and_rows_of_waiting_tables_decide_failures_as_in_one_database():
    # an index name taken by a waiting table's index; a unique index over duplicate rows
    states, waited = _both([
        "CREATE TABLE z (a TEXT); CREATE INDEX ix_shared ON z (a); CREATE TABLE d (a INTEGER); INSERT INTO d VALUES (1), (1);",
        "CREATE TABLE w (b TEXT);",
        "CREATE INDEX ix_shared ON w (b);",
    ])
    assert states[-1] == "failed" and "z" in waited
    states, waited = _both([
        "CREATE TABLE d (a INTEGER); INSERT INTO d VALUES (1), (1);",
        "CREATE TABLE e (b TEXT);",
        "CREATE UNIQUE INDEX ux_d ON d (a);",
    ])
    assert states[-1] == "failed" and "d" in waited


def test_rows_rowids_and_counters_survive_the_moves():
    states, waited = _both([
        "CREATE TABLE t (a TEXT, b INTEGER DEFAULT 7); INSERT INTO t (a) VALUES ('x'), ('y'), ('z'); DELETE FROM t WHERE a = 'y';"
        " ALTER TABLE t ADD COLUMN c TEXT NOT NULL DEFAULT 'd';"
        ' CREATE TABLE "Odd ""Name"" table" ("a b" TEXT UNIQUE, "ü" REAL); INSERT INTO "Odd ""Name"" table" VALUES (\'1\', 2);'
        " CREATE TABLE wr (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID; INSERT INTO wr VALUES ('k', x'00ff');"
        " CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT); INSERT INTO auto (v) VALUES ('a'), ('b'); DELETE FROM auto WHERE v = 'b';"
        " CREATE TABLE gen (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2)); INSERT INTO gen (a) VALUES (3);"
        " CREATE TABLE shadow (rowid TEXT, v TEXT); INSERT INTO shadow VALUES ('r', 'v');"
        " CREATE TABLE num (n NUMERIC, r REAL, i INTEGER); INSERT INTO num VALUES ('1.0', 2, '3'), ('x', 1e300, 4.5);",
        "CREATE TABLE unrelated (y TEXT);",
        # a batch rebuild of t (alembic's), then rows that take the next rowids
        "CREATE TABLE _alembic_tmp_t (a TEXT, b INTEGER DEFAULT 7, c TEXT NOT NULL DEFAULT 'd');"
        " INSERT INTO _alembic_tmp_t (a, b, c) SELECT a, b, c FROM t; DROP TABLE t; ALTER TABLE _alembic_tmp_t RENAME TO t;"
        " INSERT INTO t (a) VALUES ('w');"
        ' INSERT INTO "Odd ""Name"" table" VALUES (\'3\', 4); INSERT INTO wr VALUES (\'l\', NULL);'
        " INSERT INTO auto (v) VALUES ('c'); INSERT INTO gen (a) VALUES (4); INSERT INTO shadow VALUES ('s', 'w');"
        " INSERT INTO num VALUES (5, 6, 7);",
        "CREATE TABLE last (q TEXT);",
    ])
    assert {"t", "Odd \"Name\" table", "wr", "num"} <= waited
    assert not {"auto", "gen", "shadow"} & waited  # they cannot be copied exactly, so they stay
    assert sorted(states[-1][1]["auto"]) == [(1, 1, "a"), (3, 3, "c")]


@pytest.mark.parametrize("history", [
    # a view and a trigger reach tables they do not name
    [
        "CREATE TABLE a (x INTEGER); CREATE TABLE log (n INTEGER); CREATE VIEW v AS SELECT x FROM a;"
        " CREATE TRIGGER tr AFTER INSERT ON a BEGIN INSERT INTO log VALUES (new.x); END;",
        "CREATE TABLE b (y INTEGER);",
        "ALTER TABLE a RENAME TO a2; INSERT INTO a2 VALUES (1);",
    ],
    # a temporary table outlives its file
    ["CREATE TABLE a (x INTEGER);", "CREATE TEMP TABLE tt (x INTEGER);", "CREATE TABLE b (y INTEGER);", "INSERT INTO tt VALUES (1);"],
    # a setting outlives its file: with foreign keys on, a delete cascades into a table it does not name
    [
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p_id INTEGER REFERENCES p (id) ON DELETE CASCADE);"
        " INSERT INTO p VALUES (1); INSERT INTO c VALUES (1);",
        "CREATE TABLE u (y INTEGER);",
        "PRAGMA foreign_keys = ON;",
        "CREATE TABLE u2 (y INTEGER);",
        "DELETE FROM p;",
    ],
    # reads of the catalog that are not one named table's
    ["CREATE TABLE a (x INTEGER);", "CREATE TABLE b (y INTEGER);",
     "CREATE TABLE n AS SELECT count(*) AS tables FROM sqlite_master WHERE type = 'table';"],
])
def test_what_reaches_tables_without_naming_them_keeps_them_in_main(history):
    states, _ = _both(history)
    assert "failed" not in states


def test_the_guards_reads_reach_only_the_table_they_name():
    with SqliteScratch() as scratch:
        for text in ["CREATE TABLE alembic_version (v TEXT); CREATE TABLE t (a TEXT);",
                     "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version';"
                     " SELECT name FROM pragma_table_info('alembic_version');"]:
            scratch.apply(text)
        assert scratch.waiting() == {"t"}
        scratch.apply("SELECT count(*) FROM sqlite_master;")  # any other read of the catalog brings it back
        assert scratch.waiting() == set()


def test_a_synthetic_history_leaves_the_same_tables_and_rows_both_ways(tmp_path):
    """Alembic's own SQL (batch rebuilds, foreign keys, data steps): 200 revisions in 10 releases."""
    root = tmp_path / "synthetic"
    history.generate(root, 200, 10, ["sqlite"], 3)
    build(root)
    # The receipts' applied_at is the clock's: the same instant both ways.
    now = re.compile(r"strftime\('%Y-%m-%d %H:%M:%f', 'now'\)")
    files = [now.sub("'2000-01-01'", sql(root, name, "sqlite", "upgrade").read_text()) for name in release_names(root)]
    states, waited = _both(files)
    assert "failed" not in states and len(waited) > 10
