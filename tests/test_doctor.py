"""`sqlrelease doctor` names why a migration cannot render offline, where, and how to fix it."""

import json

import pytest
from click.testing import CliRunner

from projects import make_project
from sqlrelease.cli import main
from sqlrelease.commands import build, doctor
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
        assert finding.cause == "sqlite_alter_constraint" and finding.status == "fails"
        assert "No support for ALTER of constraints in SQLite" in finding.message
        assert "the constraint has no name either" in finding.summary
        assert "batch_alter_table" in finding.fix and "name" in finding.fix
    with pytest.raises(RenderError) as caught:
        build(root)
    assert "(sqlite_alter_constraint)" in caught.value.message and "batch_alter_table" in caught.value.hint
