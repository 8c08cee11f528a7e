"""`sqlrelease doctor` names why a migration cannot render offline, where, and how to fix it."""

import json

import pytest
from click.testing import CliRunner

from dbtools import apply_sql, full_dump, run_alembic_online, schema_snapshot
from projects import make_project, script_location, sql
from sqlrelease.cli import main
from sqlrelease.api import build, doctor
from sqlrelease.errors import RenderError

# history -> (dialect, direction, cause, line in the second revision's file)
CAUSES = {
    "reads_rows": [("postgresql", "upgrade", "reads_rows", 24), ("mysql", "upgrade", "reads_rows", 24),
                   ("sqlite", "upgrade", "reads_rows", 24)],
    "reflects_schema": [("postgresql", "upgrade", "reflects_schema", 18), ("mysql", "upgrade", "reflects_schema", 18),
                        ("sqlite", "upgrade", "reflects_schema", 18)],
    "sqlite_alter_constraint": [("sqlite", "upgrade", "sqlite_alter_constraint", 18),
                                ("sqlite", "downgrade", "sqlite_alter_constraint", 22)],
    "batch_without_copy_from": [("sqlite", "upgrade", "batch_without_copy_from", 18),
                                ("sqlite", "downgrade", "batch_without_copy_from", 23)],
    "unrenderable_type": [("mysql", "upgrade", "unrenderable_type", 19), ("sqlite", "upgrade", "unrenderable_type", 19)],
    "mysql_varchar_length": [("mysql", "upgrade", "mysql_varchar_length", 18)],
    "alter_column_existing_type": [("mysql", "upgrade", "alter_column_existing_type", 18),
                                   ("mysql", "downgrade", "alter_column_existing_type", 22)],
    # On SQLite, Alembic refuses the ALTER before it looks at the name: batch mode is the fix there.
    "unnamed_constraint": [("postgresql", "upgrade", "unnamed_constraint", 18), ("mysql", "upgrade", "unnamed_constraint", 18),
                           ("sqlite", "upgrade", "sqlite_alter_constraint", 18),
                           ("sqlite", "downgrade", "sqlite_alter_constraint", 22)],
    "unnamed_foreign_key": [("postgresql", "downgrade", "unnamed_constraint", 23), ("mysql", "downgrade", "unnamed_constraint", 23),
                            ("sqlite", "upgrade", "sqlite_alter_constraint", 19),
                            ("sqlite", "downgrade", "sqlite_alter_constraint", 23)],
    "offline_bind": [("postgresql", "upgrade", "offline_bind", 18), ("mysql", "upgrade", "offline_bind", 18),
                     ("sqlite", "upgrade", "offline_bind", 18), ("postgresql", "downgrade", "offline_bind", 27),
                     ("mysql", "downgrade", "offline_bind", 27), ("sqlite", "downgrade", "offline_bind", 27)],
    "migration_error": [("postgresql", "upgrade", "migration_error", 18), ("mysql", "upgrade", "migration_error", 18),
                        ("sqlite", "upgrade", "migration_error", 18), ("postgresql", "downgrade", "migration_error", 22),
                        ("mysql", "downgrade", "migration_error", 22), ("sqlite", "downgrade", "migration_error", 22)],
    "refuses_offline": [("postgresql", "upgrade", "refuses_offline", 19), ("mysql", "upgrade", "refuses_offline", 19),
                        ("sqlite", "upgrade", "refuses_offline", 19)],
}


@pytest.mark.parametrize("history", sorted(CAUSES))
def test_doctor_names_each_cause_with_file_and_line(tmp_path, history):
    root = make_project(tmp_path, history)
    report = doctor(root)
    problems = {(f.dialect, f.direction): f for f in report.problems()}
    for dialect, direction, cause, line in CAUSES[history]:
        finding = problems[(dialect, direction)]
        assert (finding.cause, finding.line) == (cause, line), finding
        assert finding.source.startswith("migrations/versions/0002_") and finding.fix
        assert finding.release == "1.1.0"
    # the first revision renders everywhere; nothing is reported that was not expected
    assert {(d, dr) for d, dr, _, _ in CAUSES[history]} == set(problems)


def test_doctor_reports_irreversible_steps_without_failing(tmp_path):
    root = make_project(tmp_path, "irreversible")
    report = doctor(root, ["postgresql"])
    assert report.ok
    found = {(f.revision, f.status, f.cause, f.line) for f in report.problems()}
    assert found == {("c81f5a3e9d27", "irreversible", "no_downgrade", 30), ("6e2a8c0b5f94", "irreversible", "no_downgrade", 31)}


def test_doctor_covers_unreleased_revisions_and_prints_json(tmp_path):
    root = make_project(tmp_path, "mysql_varchar_length")
    (root / "releases.toml").write_text('[[release]]\nname = "1.0.0"\ntarget = "1a0000000001"\n')
    result = CliRunner().invoke(main, ["doctor", "-C", str(root), "--json", "-d", "mysql"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    (finding,) = [f for f in data["findings"] if f["status"] != "ok"]
    assert finding["release"] is None and finding["cause"] == "mysql_varchar_length"
    assert finding["source"].endswith("0002_7a0000000007_team_motto.py") and finding["line"] == 18


def test_sample_renders_everywhere(tmp_path):
    report = doctor(make_project(tmp_path))
    assert report.ok and {f.status for f in report.findings} == {"ok", "irreversible"}


def test_build_error_carries_the_same_diagnosis(tmp_path):
    root = make_project(tmp_path, "alter_column_existing_type", dialects=("mysql",))
    with pytest.raises(RenderError) as caught:
        build(root)
    error = caught.value
    assert (error.revision, error.line, error.dialect, error.release) == ("8b0000000008", 18, "mysql", "1.1.0")
    assert "(alter_column_existing_type)" in error.message and "existing_type=" in error.hint


def test_unnamed_constraint_on_sqlite_is_fixed_by_batch_mode_not_by_a_name(tmp_path):
    # create_foreign_key(None, ...) on SQLite raises "No support for ALTER of constraints": naming the
    # constraint alone only leads to the same error, so the fix is batch mode (with a name).
    root = make_project(tmp_path, "unnamed_foreign_key", dialects=("sqlite",))
    report = doctor(root)
    findings = {f.direction: f for f in report.problems()}
    assert set(findings) == {"upgrade", "downgrade"}
    for finding in findings.values():
        # A downgrade that cannot render makes the release irreversible; an upgrade stops the build.
        assert finding.cause == "sqlite_alter_constraint"
        assert finding.status == ("fails" if finding.direction == "upgrade" else "irreversible")
        assert "No support for ALTER of constraints in SQLite" in finding.message
        assert "the constraint has no name either" in finding.summary
        assert "batch_alter_table" in finding.fix and "name" in finding.fix
    with pytest.raises(RenderError) as caught:
        build(root)
    assert "(sqlite_alter_constraint)" in caught.value.message and "batch_alter_table" in caught.value.hint


def test_asking_the_offline_bind_for_its_url_is_its_own_cause(tmp_path, monkeypatch):
    # CTFd-style `url = str(op.get_bind().engine.url)`, in the statement or through a `bind` variable.
    monkeypatch.delenv("SQLRELEASE_REHEARSE_URL_POSTGRESQL", raising=False)
    root = make_project(tmp_path, "offline_bind", dialects=("postgresql",))
    findings = doctor(root).problems()
    assert {(f.direction, f.cause, f.status) for f in findings} == {("upgrade", "offline_bind", "fails"),
                                                                     ("downgrade", "offline_bind", "irreversible")}
    for finding in findings:
        assert "'MockConnection' object has no attribute 'url'" in finding.message
        assert "it has no .url" in finding.summary
        assert "op.get_context().dialect.name" in finding.fix and "live database" not in finding.fix
    with pytest.raises(RenderError) as caught:
        build(root)
    assert "(offline_bind)" in caught.value.message and "op.get_context().dialect.name" in caught.value.hint


def test_offline_bind_is_rehearsed_and_applies_like_online(tmp_path, make_db):
    # On the scratch connection str(bind.engine.url) works, so the migration's SQLite branch is recorded.
    root = make_project(tmp_path, "offline_bind", dialects=("sqlite",))
    assert {f.status for f in doctor(root).problems()} == {"rehearse"}
    build(root)
    manifest = json.loads((root / "releases" / "1.1.0" / "manifest.json").read_text())
    assert manifest["migrations"][0]["rendered"] == {"sqlite/upgrade": "rehearsed", "sqlite/downgrade": "rehearsed"}
    assert "ALTER TABLE teams ADD COLUMN motto VARCHAR(100);" in sql(root, "1.1.0", "sqlite", "upgrade").read_text()
    bundled, online = make_db("sqlite"), make_db("sqlite")
    for release in ("1.0.0", "1.1.0"):
        assert apply_sql(bundled, sql(root, release, "sqlite", "upgrade")).returncode == 0
    run_alembic_online(script_location(root), online.url, "upgrade", "c2000000000c")
    assert schema_snapshot(bundled.url) == schema_snapshot(online.url)
    assert full_dump(bundled.url)["tables"] == full_dump(online.url)["tables"]
    assert apply_sql(bundled, sql(root, "1.1.0", "sqlite", "downgrade")).returncode == 0
    run_alembic_online(script_location(root), online.url, "downgrade", "1a0000000001")
    assert schema_snapshot(bundled.url) == schema_snapshot(online.url)


def test_a_plain_python_error_is_not_blamed_on_offline_mode(tmp_path, make_db):
    # sa.Variant does not exist and drop_column() misses an argument: neither is about offline mode.
    root = make_project(tmp_path, "migration_error", dialects=("sqlite",))
    findings = {f.direction: f for f in doctor(root).problems()}
    upgrade, downgrade = findings["upgrade"], findings["downgrade"]
    assert upgrade.message == "AttributeError: module 'sqlalchemy' has no attribute 'Variant'"
    assert downgrade.message.startswith("TypeError: drop_column() missing 1 required positional argument")
    for finding, line in ((upgrade, 18), (downgrade, 22)):
        assert finding.cause == "migration_error" and finding.line == line
        # not rehearsed: it fails online as well (a downgrade that fails makes the release irreversible)
        assert finding.status == ("fails" if finding is upgrade else "irreversible")
        assert "nothing to do with offline mode" in finding.summary and "fails online" in finding.summary
        assert f"0002_d3000000000d_team_motto.py:{line}" in finding.summary
        assert "live database" not in finding.fix
    with pytest.raises(RenderError) as caught:
        build(root)
    assert "(migration_error)" in caught.value.message
    # and indeed online Alembic fails on the same line
    db = make_db("sqlite")
    with pytest.raises(AttributeError, match="Variant"):
        run_alembic_online(script_location(root), db.url, "upgrade", "d3000000000d")


def test_doctor_output_has_no_memory_addresses(tmp_path):
    # SQLAlchemy's message for an unnamed DROP CONSTRAINT carries `<... object at 0x7f...>`: same inputs, same bytes.
    root = make_project(tmp_path, "unnamed_foreign_key", dialects=("postgresql",))
    runs = [CliRunner().invoke(main, ["doctor", "-C", str(root), *flags]) for flags in ([], [], ["--json"])]
    assert runs[0].output == runs[1].output
    assert all(" at 0x" not in run.output for run in runs)
    (finding,) = [f for f in json.loads(runs[2].output)["findings"] if f["status"] != "ok"]
    assert finding["message"] == (
        "CompileError: Can't emit DROP CONSTRAINT for constraint ForeignKeyConstraint("
        "<sqlalchemy.sql.base.ReadOnlyColumnCollection object>, None, table=Table('teams', MetaData(), schema=None)); "
        "it has no name"
    )


def test_a_rehearsable_cause_without_a_server_says_how_to_give_one(tmp_path, monkeypatch):
    monkeypatch.delenv("SQLRELEASE_REHEARSE_URL_POSTGRESQL", raising=False)
    root = make_project(tmp_path, "reads_rows", dialects=("postgresql",))
    (finding,) = doctor(root).problems()
    assert finding.status == "fails" and finding.cause == "reads_rows"
    assert finding.fix.endswith(
        "(give it a postgresql server with --rehearse-url postgresql=URL, the environment variable "
        'SQLRELEASE_REHEARSE_URL_POSTGRESQL=URL, or postgresql = "URL" in [tool.sqlrelease.rehearse])'
    )
