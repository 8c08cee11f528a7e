"""`sqlrelease check`: CI proves the committed bundles are what the history renders."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from projects import REPO, run_installed, sql
from sqlrelease import api
from sqlrelease.cli import main

FIRST = "migrations/versions/0001_3f2a9c1e7b40_create_employees.py"
HEAD = "74c2b9e5f3d0"


def run(root: Path, *args: str):
    result = CliRunner().invoke(main, ["check", "-q", "-C", str(root), *args])
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result






def add_unreleased_revision(root: Path) -> None:
    (root / "migrations/versions/0011_aa11bb22cc33_add_employees_nickname.py").write_text(
        '"""add employees.nickname"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        'revision = "aa11bb22cc33"\n'
        f'down_revision = "{HEAD}"\n'
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n"
        '    op.add_column("employees", sa.Column("nickname", sa.String(50)))\n\n\n'
        "def downgrade():\n"
        '    op.drop_column("employees", "nickname")\n',
        encoding="utf-8",
    )


def test_the_repository_sample_passes_check():
    """The repo's own CI: a stale releases/ fails here (end to end, with the installed script)."""
    completed = run_installed("check", "-q", "-C", str(REPO), cwd=REPO)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "check passed" in completed.stdout


def test_freshly_built_bundles_pass(project: Path):
    result = run(project)
    assert result.exit_code == 0, result.output
    assert "check passed: 4 bundle(s)" in result.output


def test_a_comment_appended_to_a_released_migration_fails_naming_it(project: Path):
    with open(project / FIRST, "a", encoding="utf-8") as source:
        source.write("# an innocent comment\n")
    result = run(project)
    assert result.exit_code == 1
    assert f"{FIRST} was edited after release 1.0.0 was built" in result.output
    assert "+++ releases/1.0.0/manifest.json (rendered)" in result.output
    report = api.check(project)
    assert report.findings[0].kind == "source-edited"
    assert report.findings[0].file == FIRST and report.findings[0].revision == "3f2a9c1e7b40"


def test_a_hand_edited_upgrade_sql_fails_with_a_diff(project: Path):
    path = sql(project, "1.1.0", "postgresql", "upgrade")
    path.write_text(path.read_text(encoding="utf-8") + "DROP TABLE employees;\n", encoding="utf-8")
    result = run(project)
    assert result.exit_code == 1
    assert "releases/1.1.0/postgresql/upgrade.sql was edited by hand" in result.output
    assert "--- releases/1.1.0/postgresql/upgrade.sql (committed)" in result.output
    assert "-DROP TABLE employees;" in result.output
    assert "OK      releases/1.0.0" in result.output


def test_an_unreleased_revision_warns_and_fails_with_strict(project: Path):
    add_unreleased_revision(project)
    result = run(project)
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "aa11bb22cc33" in result.output
    strict = run(project, "--strict")
    assert strict.exit_code == 1
    assert "check failed" in strict.output


def test_a_release_without_its_bundle_fails(project: Path):
    import shutil

    shutil.rmtree(project / "releases/1.2.0")
    result = run(project)
    assert result.exit_code == 1
    assert "MISSING" in result.output and "release 1.2.0 has no bundle" in result.output


def test_an_extra_file_and_an_unplanned_bundle_fail(project: Path):
    (project / "releases/1.0.0/notes.txt").write_text("hello\n", encoding="utf-8")
    (project / "releases/0.9.0").mkdir()
    report = api.check(project)
    kinds = {f.kind for f in report.findings}
    assert {"file-extra", "bundle-unplanned"} <= kinds
    assert report.exit_code == 1


def test_a_missing_file_fails(project: Path):
    (project / "releases/1.3.0/sqlite/stamp.sql").unlink()
    report = api.check(project)
    assert [f.file for f in report.findings if f.kind == "file-missing"] == ["releases/1.3.0/sqlite/stamp.sql"]


def test_other_generator_versions_are_named(project: Path):
    path = project / "releases/1.0.0/manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["generator"]["alembic"] = "0.0.1"
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    messages = [f.message for f in api.check(project).findings if f.kind == "generator-changed"]
    assert messages and "alembic 0.0.1 -> " in messages[0]


def test_json_shape(project: Path):
    with open(project / FIRST, "a", encoding="utf-8") as source:
        source.write("# edited\n")
    result = run(project, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) >= {"ok", "exit_code", "releases", "findings", "diffs", "unreleased", "heads"}
    assert data["ok"] is False and data["exit_code"] == 1
    assert data["findings"][0] == {
        "kind": "source-edited",
        "severity": "error",
        "message": data["findings"][0]["message"],
        "release": "1.0.0",
        "file": FIRST,
        "revision": "3f2a9c1e7b40",
    }
    assert {d["release"] for d in data["diffs"]} == {"1.0.0"}
    assert all({"path", "change", "diff", "lines_left_out"} <= set(d) for d in data["diffs"])


def test_long_diffs_are_bounded_unless_full(project: Path):
    path = sql(project, "1.0.0", "mysql", "upgrade")
    path.write_text(path.read_text(encoding="utf-8") + "".join(f"-- line {n}\n" for n in range(200)), encoding="utf-8")
    bounded = run(project)
    assert "more diff line(s) of mysql/upgrade.sql (--full shows all)" in bounded.output
    full = run(project, "--full")
    assert "-- line 199" in full.output and "more diff line(s)" not in full.output


def test_plan_errors_exit_2_without_a_traceback(project: Path):
    (project / "releases.toml").write_text('[[release]]\nname = "1.0.0"\ntarget = "nosuchrev"\n', encoding="utf-8")
    result = run(project)
    assert result.exit_code == 2
    assert "error:" in result.output
    completed = run_installed("check", "-C", str(project), cwd=project)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr


def test_batch_mode_recreates_render_the_same_bytes_in_every_process(project: Path):
    """Alembic gathers a recreated table's constraints from a set; bundles must not depend on it."""
    columns = "".join(f'sa.Column("c{n}", sa.String(20)), sa.UniqueConstraint("c{n}", name="uq_t_c{n}"), ' for n in range(6))
    (project / "migrations/versions/0011_bb11cc22dd33_batch_table.py").write_text(
        '"""batch recreate of a table with several constraints"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f'revision = "bb11cc22dd33"\ndown_revision = "{HEAD}"\nbranch_labels = None\ndepends_on = None\n\n'
        f'table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer(), primary_key=True), {columns})\n\n\n'
        "def upgrade():\n"
        '    op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("x", sa.Integer()))\n'
        '    with op.batch_alter_table("t", copy_from=table) as batch_op:\n'
        '        batch_op.alter_column("c0", existing_type=sa.String(20), type_=sa.String(40))\n\n\n'
        "def downgrade():\n"
        '    op.drop_table("t")\n',
        encoding="utf-8",
    )
    with open(project / "releases.toml", "a", encoding="utf-8") as plan:
        plan.write('[[release]]\nname = "1.4.0"\ntarget = "bb11cc22dd33"\n')
    # Separate processes: each has its own hash seed, so its own set order.
    assert run_installed("build", "-q", cwd=project).returncode == 0
    for _ in range(3):
        completed = run_installed("check", "-q", cwd=project)
        assert completed.returncode == 0, completed.stdout


def test_help_documents_exit_codes():
    result = CliRunner().invoke(main, ["check", "--help"])
    assert "Exit codes" in result.output and "--strict" in result.output


def test_other_generator_versions_with_byte_identical_sql_are_a_warning(project: Path, monkeypatch):
    """A bundle built by other alembic/SQLAlchemy versions whose SQL is the same bytes need not be
    rebuilt (a rebuild would void its approvals for nothing): a warning, which --strict fails on."""
    from sqlrelease import bundle

    real = bundle.generator_versions()
    monkeypatch.setattr(bundle, "generator_versions", lambda: {**real, "alembic": "0.0.1"})
    api.build(project, ["1.0.0"])
    monkeypatch.undo()
    report = api.check(project)
    found = [(f.kind, f.severity, f.release) for f in report.findings if f.kind != "unreleased"]
    assert found == [("generator-changed", "warning", "1.0.0")]
    assert "byte-identical" in report.findings[0].message and "alembic 0.0.1 -> " in report.findings[0].message
    assert report.exit_code == 0 and not report.diffs
    assert api.check(project, strict=True).exit_code == 1
