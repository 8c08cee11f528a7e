"""A bundle does exactly what ``alembic upgrade`` does online, release after release.

For every test history and every real dialect, a DBA applies each release's
``upgrade.sql`` with the real client to database A while Alembic runs the same
range online on database B; after each release both must hold the same schema,
the same rows and the same ``alembic_version``.  Rows are added between
releases (the same rows on A and B) and must come through the sample's renames
and its ``personal_email_address`` steps.  Then the ``downgrade.sql`` files run
in reverse and must give back each earlier release's schema and rows, or, for
a release that cannot be downgraded, refuse and change nothing.
"""

from __future__ import annotations

import json

import pytest

from dbtools import DIALECTS, alembic_version, apply_sql, dump_diff, full_dump, run_alembic_online, schema_snapshot
from projects import NAMES, make_project, release_names, script_location, sql
from sqlrelease import build

# Rows a user writes once a release is live, in SQL every dialect accepts.
# They go to both databases, so the online run sees the same data.
ROWS_AFTER = {
    ("sample", "1.0.0"): [
        "INSERT INTO department (name, address) VALUES ('Research', '1 Lab Road')",
        "INSERT INTO employees (full_name, email, created_at) "
        "VALUES ('Ada Lovelace', 'Ada.Lovelace@Example.COM', '2024-01-02 03:04:05')",
    ],
    ("sample", "1.1.0"): [
        "UPDATE employees SET department_id = (SELECT id FROM departments WHERE name = 'Research')",
        "INSERT INTO recruits (first_name, surname, chat_name, github_name, id_number) "
        "VALUES ('Grace', 'Hopper', 'grace', 'GHopper', 'ID-001')",
        "INSERT INTO recruits (first_name, surname, chat_name, github_name, id_number) "
        "VALUES ('Alan', 'Turing', NULL, NULL, 'ID-002')",
    ],
    ("constraints", "1.0.0"): [
        "INSERT INTO teams (name) VALUES ('Owls')",
        "INSERT INTO players (team_id, nickname, score) VALUES ((SELECT id FROM teams), 'hoot', 7)",
        "INSERT INTO players (team_id) VALUES ((SELECT id FROM teams))",
    ],
    ("table_rebuild", "1.0.0"): [
        "INSERT INTO items (id, name) VALUES (1, 'lamp')",
        "INSERT INTO items (id, name) VALUES (2, 'desk')",
    ],
    ("irreversible", "1.0.0"): [
        "INSERT INTO documents (title, body, legacy_code) VALUES ('  Padded title  ', 'text', 'L-1')",
    ],
}


def _column(dump: dict, table: str, column: str) -> list:
    return sorted(row[column] for row in dump["rows"][table])


# What the user's rows must look like after a release (on top of A == B).
EXPECTED_AFTER = {
    ("sample", "1.1.0"): lambda d: _column(d, "departments", "location") == ["1 Lab Road"]
    and _column(d, "employees", "department_id") == [d["rows"]["departments"][0]["id"]],
    ("sample", "1.2.0"): lambda d: _column(d, "recruits", "personal_email_address")
    == ["ghopper@recruits.invalid", "id-002@recruits.invalid"]
    and _column(d, "recruits", "surname") == ["Hopper", "Turing"],
    ("sample", "1.3.0"): lambda d: _column(d, "employees", "email") == ["ada.lovelace@example.com"]
    and _column(d, "departments", "location") == ["1 Lab Road"]
    and len(d["rows"]["recruits"]) == 2,
    ("constraints", "1.1.0"): lambda d: _column(d, "players", "country_code") == ["XX", "XX"]
    and _column(d, "players", "nickname") == ["hoot", "rookie"],
    ("irreversible", "1.1.0"): lambda d: _column(d, "documents", "title") == ["Padded title"],
    ("data_migration", "1.1.0"): lambda d: len(d["rows"]["products"]) == 4,
    ("table_rebuild", "1.1.0"): lambda d: _column(d, "items", "name") == ["desk", "lamp"],
}


def _lower_employee_emails(dump: dict) -> dict:
    rows = [{**r, "email": r["email"].lower()} for r in dump["rows"].get("employees", [])]
    return {**dump, "rows": {**dump["rows"], "employees": rows}} if "employees" in dump["rows"] else dump


# Data changes the plan accepts as permanent: once the release is downgraded,
# every earlier state is expected with this change applied.
ACCEPTED_DATA_LOSS = {("sample", "1.3.0"): _lower_employee_emails}


def _apply(db, script) -> None:
    result = apply_sql(db, script)
    assert result.returncode == 0, f"{script}:\n{result.stderr}"


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
@pytest.mark.parametrize("history", NAMES)
def test_bundles_match_online_alembic_up_and_down(tmp_path, history, db, make_db):
    root = make_project(tmp_path, history, dialects=(db.dialect,))
    build(root)
    online = make_db(db.dialect)
    releases = release_names(root)
    states = [full_dump(db.url)]  # the database before each release, then after the last

    for release in releases:
        manifest = json.loads((root / "releases" / release / "manifest.json").read_text())
        _apply(db, sql(root, release, db.dialect, "upgrade"))
        # Online Alembic cannot start a range at several heads, but upgrading to
        # each target head from wherever B stands reaches the same rows.
        for head in manifest["to"]:
            run_alembic_online(script_location(root), online.url, "upgrade", head)
        assert alembic_version(db.url) == set(manifest["to"]) == alembic_version(online.url)
        for statement in ROWS_AFTER.get((history, release), []):
            _apply(db, statement)
            _apply(online, statement)
        dump, online_dump = full_dump(db.url), full_dump(online.url)
        assert dump == online_dump, f"{history} {release}: bundle and online Alembic differ\n" + dump_diff(online_dump, dump)
        check = EXPECTED_AFTER.get((history, release))
        assert check is None or check(dump), f"{history} {release}: rows not as expected: {dump['rows']}"
        states.append(dump)

    for index in range(len(releases) - 1, -1, -1):
        release = releases[index]
        manifest = json.loads((root / "releases" / release / "manifest.json").read_text())
        before = full_dump(db.url)
        result = apply_sql(db, sql(root, release, db.dialect, "downgrade"))
        if manifest["downgrade"] == "refuses":
            refused = [m["revision"] for m in manifest["migrations"] if not m["reversible"]]
            assert result.returncode != 0, f"{release} downgrade.sql ran although it must refuse"
            assert f"release {release} cannot be downgraded" in result.stderr, result.stderr
            assert all(revision in result.stderr for revision in refused), result.stderr
            assert full_dump(db.url) == before
            break
        assert result.returncode == 0, f"{release} downgrade.sql:\n{result.stderr}"
        loss = ACCEPTED_DATA_LOSS.get((history, release))
        if loss is not None:
            states[: index + 1] = [loss(state) for state in states[: index + 1]]
        after = full_dump(db.url)
        assert after == states[index], (
            f"{history}: downgrading {release} does not give back the state before it\n" + dump_diff(states[index], after)
        )
    else:
        assert schema_snapshot(db.url)["tables"] == {}
