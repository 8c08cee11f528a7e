"""The tutorial's dev/prod drift exercise, caught before the failure instead of at line N of a script.

Someone renames, drops or adds a column by hand on one server. The manifest of
every release records the schema expected after it (built by applying the
bundles to a scratch database: a SQLite file, and here PostgreSQL and MariaDB
scratch databases on the test servers); `status --drift` reads each target's
live schema with its own client and names every difference, and `apply`
refuses a drifted target before it runs anything. On the real servers.
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from dbtools import DIALECTS, alembic_version, apply_sql, full_dump, run_alembic_online, schema_snapshot
from projects import REPO, make_project, script_location
from sqlrelease import api, build, schema
from sqlrelease.cli import main

RELEASES = ("1.0.0", "1.1.0", "1.2.0", "1.3.0")
HEAD = {"1.0.0": "8d41e6a0c2f9", "1.1.0": "c4b8e1f3a906", "1.2.0": "e61a7c9d0b58", "1.3.0": "74c2b9e5f3d0"}
ALL = '["postgresql", "mysql", "sqlite"]'


@pytest.fixture(scope="module")
def sample(tmp_path_factory, postgres_server, mariadb_server):
    """The sample, built with the expected schema of all three dialects (scratch databases on the
    test servers, named the way a project names its rehearsal servers)."""
    root = make_project(tmp_path_factory.mktemp("fleet-drift"))
    with open(root / "pyproject.toml", "a", encoding="utf-8") as config:
        config.write(f"expected_schema = {ALL}\n")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SQLRELEASE_REHEARSE_URL_POSTGRESQL", postgres_server.admin_url)
        env.setenv("SQLRELEASE_REHEARSE_URL_MYSQL", mariadb_server.admin_url)
        build(root)
        assert api.check(root).exit_code == 0  # the same bytes again: fingerprints are deterministic
    return root


def fresh(make_db, dialect: str):
    db = make_db(dialect)
    if dialect == "sqlite":
        db.path.touch()
    return db


def at(db, root, last: str) -> None:
    for release in RELEASES[: RELEASES.index(last) + 1]:
        result = apply_sql(db, root / "releases" / release / db.dialect / "upgrade.sql")
        assert result.returncode == 0, result.stderr


def run(*args: str, root, tmp_path, bundles=None):
    result = CliRunner().invoke(main, [*args, "--bundles", str(bundles or root / "releases"), "--json"],
                                env={"SQLRELEASE_JOURNAL": str(tmp_path / "journal.jsonl")})
    assert result.exit_code in (0, 1, 2, 3), result.output
    return result.exit_code, json.loads(result.output)["targets"][0]


def _described(manifests, dialect: str, table: str) -> dict:
    """The description of `table` after the last of `manifests`, from the newest that has it."""
    entries = [m["expected_schema"][dialect] for m in manifests][::-1]
    return schema.description(entries, table, entries[0]["digests"][table])


def test_every_manifest_records_the_schema_each_release_expects(sample):
    manifests = [json.loads((sample / "releases" / r / "manifest.json").read_text()) for r in RELEASES]
    for dialect in ("postgresql", "mysql", "sqlite"):
        entries = [m["expected_schema"][dialect] for m in manifests]
        assert all(e["fingerprint"] and e["format"] == 2 for e in entries), dialect
        fingerprints = [e["fingerprint"] for e in entries]
        assert len(set(fingerprints[:3])) == 3 and fingerprints[3] == fingerprints[2]  # 1.3.0 changes data only
        # Every manifest has a digest of every table, and describes the tables its release adds or changes.
        assert entries[3]["digests"] == entries[2]["digests"] and entries[3]["changed"] == {}
        assert set(entries[0]["changed"]) == set(entries[0]["digests"])  # the first describes all
        assert "recruits" in entries[2]["changed"] and set(entries[2]["changed"]) < set(entries[2]["digests"])
        before = entries[0]["digests"]
        assert "recruits" not in before or "chat_name" not in _described(manifests[:1], dialect, "recruits")["columns"]
        assert set(_described(manifests, dialect, "recruits")["columns"]) >= {"chat_name", "github_name", "personal_email_address"}
        assert "alembic_version" not in entries[-1]["digests"] and "sqlrelease_receipts" not in entries[-1]["digests"]
    # what each dialect itself reports, normalised: MariaDB's int(11) is an int
    assert _described(manifests, "mysql", "recruits")["columns"]["id"] == {"type": "int", "nullable": False}
    recruits = _described(manifests, "postgresql", "recruits")
    assert recruits["columns"]["chat_name"] == {"type": "character varying(64)", "nullable": True}
    assert recruits["unique"] == [
        {"name": "uq_recruits_id_number", "columns": ["id_number"]},
        {"name": "uq_recruits_personal_email_address", "columns": ["personal_email_address"]},
    ]


def test_with_only_the_latest_bundle_a_changed_table_is_named_and_where_its_description_is(sample, make_db, tmp_path):
    """A DBA with only some bundle folders: the manifest of the release a server is at names every
    table that differs (digests); the columns are named when the bundle that last changed the table is
    at hand too."""
    db = fresh(make_db, "sqlite")
    at(db, sample, "1.3.0")
    assert apply_sql(db, "ALTER TABLE recruits RENAME COLUMN chat_name TO chatname").returncode == 0
    only = tmp_path / "only"
    shutil.copytree(sample / "releases" / "1.3.0", only / "1.3.0")
    code, target = run("status", "--target", f"t={db.url}", "--drift", root=sample, tmp_path=tmp_path, bundles=only)
    assert (code, target["state"]) == (2, "drifted"), target
    assert target["drift"]["differences"] == [
        "table recruits: differs (how: the bundle of the release that last changed it describes it; add it to --bundles)"
    ]
    shutil.copytree(sample / "releases" / "1.2.0", only / "1.2.0")  # the release that last changed recruits
    code, target = run("status", "--target", f"t={db.url}", "--drift", root=sample, tmp_path=tmp_path, bundles=only)
    assert target["drift"]["differences"] == [
        "column recruits.chat_name: expected, missing", "column recruits.chatname: not expected, found (varchar(64))"
    ]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_servers_applied_by_hand_or_by_alembic_have_no_drift(sample, make_db, tmp_path, dialect):
    by_hand, online = fresh(make_db, dialect), fresh(make_db, dialect)
    at(by_hand, sample, "1.2.0")
    run_alembic_online(script_location(sample), online.url, "upgrade", HEAD["1.2.0"])
    for db in (by_hand, online):
        code, target = run("status", "--target", f"t={db.url}", "--drift", root=sample, tmp_path=tmp_path)
        assert (code, target["state"]) == (1, "behind"), target
        assert target["drift"] == {"checked": True, "release": "1.2.0", "differences": []}
    empty = fresh(make_db, dialect)  # an empty database expects no tables
    code, target = run("status", "--target", f"t={empty.url}", "--drift", root=sample, tmp_path=tmp_path)
    assert target["state"] == "behind" and target["drift"]["differences"] == []


# The exercise: (release the server is at, what is done by hand, the differences status names).
EXERCISE = {
    "renamed": ("1.1.0", "ALTER TABLE recruits RENAME COLUMN chat_name TO chatname",
                ["column recruits.chat_name: expected, missing", "column recruits.chatname: not expected, found"]),
    "dropped": ("1.1.0", "ALTER TABLE recruits DROP COLUMN github_name", ["column recruits.github_name: expected, missing"]),
    "added": ("1.0.0", "ALTER TABLE department ADD COLUMN phone VARCHAR(20)", ["column department.phone: not expected, found"]),
}
REPAIR = {
    "renamed": "ALTER TABLE recruits RENAME COLUMN chatname TO chat_name",
    "dropped": "ALTER TABLE recruits ADD COLUMN github_name VARCHAR(39)",
    "added": "ALTER TABLE department DROP COLUMN phone",
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("change", sorted(EXERCISE))
def test_a_column_changed_by_hand_is_reported_before_apply(sample, make_db, tmp_path, dialect, change):
    release, by_hand, expected = EXERCISE[change]
    db = fresh(make_db, dialect)
    at(db, sample, release)
    assert apply_sql(db, by_hand).returncode == 0
    code, target = run("status", "--target", f"t={db.url}", "--drift", root=sample, tmp_path=tmp_path)
    assert (code, target["state"], target["release"]) == (2, "drifted", release), target
    found = target["drift"]["differences"]
    assert len(found) == len(expected) and all(f.startswith(e) for f, e in zip(found, expected)), found
    assert expected[0] in target["detail"]
    # without --drift status only reads the version: the server looks merely behind
    code, target = run("status", "--target", f"t={db.url}", root=sample, tmp_path=tmp_path)
    assert target["state"] == "behind" and "drift" not in target

    before = full_dump(db.url)
    code, target = run("apply", "--target", f"t={db.url}", root=sample, tmp_path=tmp_path)
    assert (code, target["outcome"], target["state"]) == (2, "refused", "drifted"), target
    assert expected[0] in target["detail"] and "--ignore-drift" in target["detail"]
    assert target["ran"] == []  # refused before any file ran: the database is as it was
    assert full_dump(db.url) == before

    assert apply_sql(db, REPAIR[change]).returncode == 0  # the DBA repairs the drift; now it applies
    code, target = run("apply", "--target", f"t={db.url}", root=sample, tmp_path=tmp_path)
    assert (code, target["outcome"]) == (0, "applied"), target
    code, target = run("status", "--target", f"t={db.url}", "--drift", root=sample, tmp_path=tmp_path)
    assert (target["state"], target["drift"]["differences"]) == ("current", [])



@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_apply_skips_a_current_drifted_server_without_reading_its_schema(sample, make_db, tmp_path, dialect):
    """apply refuses drift only where it would run something: a server already at the goal has
    nothing to run and is skipped (the version read alone); status --drift still names the difference."""
    db = fresh(make_db, dialect)
    at(db, sample, "1.3.0")
    assert apply_sql(db, "ALTER TABLE departments ADD COLUMN phone VARCHAR(20)").returncode == 0
    code, target = run("apply", "--target", f"t={db.url}", root=sample, tmp_path=tmp_path)
    assert (code, target["outcome"], target["ran"]) == (0, "skipped", []), target
    code, target = run("status", "--target", f"t={db.url}", "--drift", root=sample, tmp_path=tmp_path)
    assert (code, target["state"]) == (2, "drifted") and "departments.phone" in target["detail"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_apply_reads_the_schema_in_the_same_client_run_as_the_status(sample, make_db, tmp_path, monkeypatch, dialect):
    """The drift check costs no client run of its own: the status run reads the schema too (psql \\if
    and MariaDB prepared statements: only where the versions are not the goal's; SQLite always)."""
    from test_fleet import counting_clients, starts

    drifted, clean = fresh(make_db, dialect), fresh(make_db, dialect)
    for db in (drifted, clean):
        at(db, sample, "1.0.0")
    assert apply_sql(drifted, "ALTER TABLE department ADD COLUMN phone VARCHAR(20)").returncode == 0
    log = counting_clients(tmp_path, monkeypatch)
    code, target = run("apply", "--target", f"t={drifted.url}", root=sample, tmp_path=tmp_path)
    assert (code, target["outcome"], target["state"]) == (2, "refused", "drifted"), target
    assert starts(log) == {dialect: 1}  # the status run only
    code, target = run("apply", "--target", f"t={clean.url}", root=sample, tmp_path=tmp_path)
    assert (code, target["outcome"]) == (0, "applied"), target
    assert starts(log) == {dialect: 2}  # the status run (schema included), and the files' session

@pytest.mark.parametrize("dialect", DIALECTS)
def test_ignore_drift_applies_anyway_and_a_kept_column_survives(sample, make_db, tmp_path, dialect):
    db = fresh(make_db, dialect)
    at(db, sample, "1.0.0")
    assert apply_sql(db, "ALTER TABLE department ADD COLUMN phone VARCHAR(20)").returncode == 0
    code, target = run("apply", "--target", f"t={db.url}", "--ignore-drift", root=sample, tmp_path=tmp_path)
    assert (code, target["outcome"]) == (0, "applied"), target
    assert alembic_version(db.url) == {HEAD["1.3.0"]}
    code, target = run("status", "--target", f"t={db.url}", "--drift", root=sample, tmp_path=tmp_path)
    assert target["state"] == "drifted" and target["drift"]["differences"][0].startswith(
        "column departments.phone: not expected, found")


def test_types_nullability_keys_and_indexes_are_compared_too(sample, make_db, tmp_path):
    db = fresh(make_db, "postgresql")
    at(db, sample, "1.3.0")
    for statement in (
        "ALTER TABLE recruits ALTER COLUMN chat_name TYPE VARCHAR(80)",
        "ALTER TABLE recruits ALTER COLUMN surname DROP NOT NULL",
        "ALTER TABLE recruits DROP CONSTRAINT uq_recruits_id_number",
        "CREATE INDEX ix_recruits_surname ON recruits (surname)",
    ):
        assert apply_sql(db, statement).returncode == 0
    code, target = run("status", "--target", f"t={db.url}", "--drift", root=sample, tmp_path=tmp_path)
    assert code == 2 and target["state"] == "drifted"
    assert target["drift"]["differences"] == [
        "column recruits.chat_name: type character varying(64) expected, found character varying(80)",
        "column recruits.surname: NOT NULL expected, found nullable",
        "unique constraint uq_recruits_id_number on recruits (id_number): expected, missing",
        "index ix_recruits_surname on recruits (surname): not expected, found",
    ]


def test_without_a_recorded_schema_nothing_is_compared_and_the_reason_is_given(make_db, tmp_path):
    # The sample's committed bundles record only SQLite's schema (no scratch server where they are built).
    bundles = tmp_path / "bundles"
    shutil.copytree(REPO / "releases", bundles)
    manifest = json.loads((bundles / "1.3.0" / "manifest.json").read_text())
    assert manifest["expected_schema"]["postgresql"]["fingerprint"] is None
    assert manifest["expected_schema"]["postgresql"]["reason"].startswith("no fingerprint: no scratch server")
    assert manifest["expected_schema"]["sqlite"]["fingerprint"]
    db = fresh(make_db, "postgresql")
    result = apply_sql(db, bundles / "1.0.0" / "postgresql" / "upgrade.sql")
    assert result.returncode == 0, result.stderr
    assert apply_sql(db, "ALTER TABLE employees ADD COLUMN nickname VARCHAR(20)").returncode == 0
    runner = CliRunner()
    result = runner.invoke(main, ["status", "--target", f"t={db.url}", "--bundles", str(bundles), "--drift", "--json"],
                           env={"SQLRELEASE_JOURNAL": str(tmp_path / "j.jsonl")})
    target = json.loads(result.output)["targets"][0]
    assert target["state"] == "behind" and target["drift"]["checked"] is False
    assert "no bundle records an expected postgresql schema" in target["drift"]["reason"]


def test_listing_a_server_dialect_without_its_server_is_an_error_not_other_bytes(tmp_path, monkeypatch):
    monkeypatch.delenv("SQLRELEASE_REHEARSE_URL_POSTGRESQL", raising=False)
    root = make_project(tmp_path, dialects=("postgresql", "sqlite"))
    with open(root / "pyproject.toml", "a", encoding="utf-8") as config:
        config.write('expected_schema = ["postgresql", "sqlite"]\n')
    result = CliRunner().invoke(main, ["build", "-C", str(root)])
    assert result.exit_code == 2, result.output
    assert "expected_schema lists postgresql, but no postgresql server is named" in result.output
    assert "--rehearse-url postgresql=URL" in result.output
    assert not (root / "releases").exists()
    result = CliRunner().invoke(main, ["check", "-C", str(root)])
    assert result.exit_code == 2 and "expected_schema lists postgresql" in result.output


def test_an_expected_schema_setting_that_cannot_work_names_the_line(tmp_path):
    root = make_project(tmp_path, dialects=("postgresql", "sqlite"))
    with open(root / "pyproject.toml", "a", encoding="utf-8") as config:
        config.write('expected_schema = ["mysql"]\n')
    result = CliRunner().invoke(main, ["build", "-C", str(root)])
    assert result.exit_code == 2 and "pyproject.toml:8:" in result.output
    assert "lists mysql, which is not among the dialects built" in result.output
