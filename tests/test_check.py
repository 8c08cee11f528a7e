"""`sqlrelease check`: CI proves the committed bundles are what the history renders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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
    """The repo's own CI: a stale releases/ fails here (end to end, with the installed script).
    --render: sqlrelease's own code changes without a new version, which no manifest records."""
    completed = run_installed("check", "--render", "-q", "-C", str(REPO), cwd=REPO)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "check passed" in completed.stdout
    assert "checked by rendering every bundle (--render)" in completed.stdout


def test_the_repository_sample_records_the_inputs_it_is_built_from():
    """README command 1 rebuilds the sample: a committed bundle whose manifest records stale inputs
    (a template added without rebuilding releases/) is rewritten there, and the quick check renders
    everything instead. `--render` above passes such a bundle with a warning; this does not."""
    report = api.check(REPO)
    assert report.exit_code == 0
    assert report.method == "inputs", report.rendered_because


def test_freshly_built_bundles_pass(project: Path):
    result = run(project)
    assert result.exit_code == 0, result.output
    assert "check passed: 4 bundle(s)" in result.output


def test_a_comment_appended_to_a_released_migration_fails_naming_it(project: Path):
    with open(project / FIRST, "a", encoding="utf-8") as source:
        source.write("# an innocent comment\n")
    # --full: the source digest is in every SQL file's receipt, so more than 12 files differ
    result = run(project, "--full")
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


# -- nothing changed: current by the recorded inputs, nothing rendered --------------------


def test_nothing_changed_is_settled_by_the_recorded_inputs_as_a_render_would(project: Path):
    result = run(project)
    assert result.exit_code == 0, result.output
    assert "checked by the inputs the manifests record, nothing rendered" in result.output
    recorded, rendered = api.check(project), api.check(project, render=True)
    assert (recorded.method, rendered.method, rendered.rendered_because) == ("inputs", "render", "--render")
    same = ("releases", "findings", "unreleased", "heads", "exit_code")
    assert {k: v for k, v in recorded.to_dict().items() if k in same} == {k: v for k, v in rendered.to_dict().items() if k in same}


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _override(root: Path) -> None:
    import hashlib

    from sqlrelease import overrides

    revision = "b7c03e5d9a12"  # in 1.1.0
    migration = next((root / "migrations/versions").glob(f"*_{revision}_*.py"))
    sha = hashlib.sha256(migration.read_bytes()).hexdigest()
    (root / "overrides").mkdir()
    (root / f"overrides/{revision}.postgresql.upgrade.sql").write_text(overrides.header(sha) + "ALTER TABLE department RENAME TO departments;\n")


def _waiver(root: Path) -> None:
    (root / "review").mkdir()
    (root / "review/waivers.toml").write_text(
        '[[waiver]]\nrule = "data-change"\nrevision = "9e07d3b5c8a1"\nstatement_sha256 = "00"\nreason = "ok"\nby = "alice"\n'
    )


CHANGES = {
    "env.py": (lambda root: _append(root / "migrations/env.py", "# reviewed\n"), "migrations/env.py changed since releases/1.0.0"),
    "alembic.ini": (lambda root: _append(root / "alembic.ini", "# reviewed\n"), "alembic.ini changed since releases/1.0.0"),
    "settings": (
        lambda root: _append(root / "pyproject.toml", 'version_table = "alembic_version"\n'),
        "[tool.sqlrelease] changed since releases/1.0.0",
    ),
    "plan": (
        lambda root: (root / "releases.toml").write_text((root / "releases.toml").read_text().replace('accept_irreversible = ["74c2b9e5f3d0"]', "")),
        "the plan changed since releases/1.3.0",
    ),
    "override": (_override, "overrides/b7c03e5d9a12.postgresql.upgrade.sql changed since releases/1.1.0"),
    "waiver": (_waiver, "the waivers changed since releases/1.2.0"),
    "new revision": (add_unreleased_revision, "0011_aa11bb22cc33_add_employees_nickname.py is a revision file no bundle records"),
    "edited migration": (lambda root: _append(root / FIRST, "# reviewed\n"), f"{FIRST} changed since its bundle was built"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_input_that_changed_renders_every_bundle_and_says_why(project: Path, change):
    make, why = CHANGES[change]
    make(project)
    report = api.check(project)
    assert report.method == "render"
    assert why in report.rendered_because, report.rendered_because
    result = run(project)
    assert f"checked by rendering every bundle ({report.rendered_because})" in result.output


def test_an_input_that_changed_nothing_but_itself_is_named_and_is_a_warning(project: Path):
    """A comment in env.py: the SQL is the same bytes, so (as with other generator versions) the
    bundles need not be rebuilt; the check renders every time until they are, and says why."""
    _append(project / "migrations/env.py", "# reviewed\n")
    report = api.check(project)
    assert (report.exit_code, report.method, report.diffs) == (0, "render", [])
    assert {(f.kind, f.severity) for f in report.findings} == {("inputs-changed", "warning")}
    assert all("migrations/env.py changed since" in f.message and "byte-identical" in f.message for f in report.findings)
    assert api.check(project, strict=True).exit_code == 1


def test_an_input_that_changed_the_sql_is_an_error_naming_it(project: Path):
    _append(project / "pyproject.toml", 'receipts = "our_receipts"\n')  # every script writes its receipt there
    report = api.check(project)
    assert report.exit_code == 1
    assert [f.kind for f in report.findings if f.severity == "error"] == ["inputs-changed"] * 4
    assert "[tool.sqlrelease] changed since releases/1.0.0 was built; rebuild it" in report.findings[0].message


def test_other_templates_render_every_bundle(project: Path, monkeypatch):
    from sqlrelease import templates

    monkeypatch.setattr(templates, "digest", lambda: "0" * 64)
    assert "sqlrelease's templates changed since releases/1.0.0" in api.check(project).rendered_because


def test_other_generator_versions_render_every_bundle(project: Path, monkeypatch):
    from sqlrelease import bundle

    monkeypatch.setattr(bundle, "generator_versions", lambda: {"sqlrelease": "9", "alembic": "9", "sqlalchemy": "9"})
    assert "built with other versions" in api.check(project).rendered_because


def test_a_bundle_that_records_no_inputs_is_rendered(project: Path):
    from sqlrelease import bundle

    folder = project / "releases/1.2.0"
    files = bundle.read_files(folder)
    manifest = json.loads(files[bundle.MANIFEST])
    del manifest["inputs"]  # as sqlrelease wrote manifests before it recorded them
    files[bundle.MANIFEST] = (json.dumps(manifest, indent=2) + "\n").encode()
    files[bundle.SUMS] = bundle.sums_text({k: v for k, v in files.items() if k != bundle.SUMS}).encode()
    for path, data in files.items():
        (folder / path).write_bytes(data)
    report = api.check(project)
    assert "releases/1.2.0 records no inputs" in report.rendered_because
    assert report.exit_code == 1  # the rendering records them: the manifest differs


def test_bundles_holding_rehearsed_migrations_are_always_rendered(tmp_path):
    from projects import make_project

    root = make_project(tmp_path, "reads_rows", dialects=("sqlite",))  # SQLite rehearses on a temporary file
    api.build(root)
    report = api.check(root)
    assert report.exit_code == 0
    assert "holds rehearsed migrations" in report.rendered_because


def test_plan_from_the_recorded_inputs_is_the_plan_from_the_history(project: Path, monkeypatch):
    from sqlrelease import inputs

    recorded = api.plan_status(project).to_dict()
    monkeypatch.setattr(inputs, "recorded_state", lambda config, plan, **_: inputs.RecordedState(reason="forced"))
    assert api.plan_status(project).to_dict() == recorded


def test_unmerged_heads_are_a_warning_naming_how_to_merge_whichever_check_ran(tmp_path):
    from projects import make_project

    root = make_project(tmp_path, "branched", dialects=("sqlite",))  # depends_on leaves Alembic two heads
    api.build(root)
    for render, method in ((False, "inputs"), (True, "render")):
        report = api.check(root, render=render)
        (heads,) = [f for f in report.findings if f.kind == "heads"]
        assert report.method == method
        assert "2 unmerged heads" in heads.message and "(merge them with `alembic merge`)" in heads.message
        assert report.heads == ["3d8c5a2e7f19", "b50e4f1a8c62"]
