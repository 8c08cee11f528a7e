"""Every verb is usable from Python with the CLI's behaviour: the same files, the same refusals."""

import shutil

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig

from projects import make_project, run_cli
from sqlrelease import build, cut, init, plan_status, verify
from sqlrelease.errors import ConfigError, PlanError


def test_init_cut_build_verify_plan_from_python(tmp_path):
    created = init(tmp_path)
    assert set(created) == {"alembic.ini", "migrations/", "pyproject.toml", "releases.toml"}
    command.revision(AlembicConfig(str(tmp_path / "alembic.ini")), message="first", rev_id="bbbb00000001")

    release = cut(tmp_path, "1.0.0")
    assert (release.name, release.start, release.end) == ("1.0.0", (), ("bbbb00000001",))
    assert [r.name for r in plan_status(tmp_path).releases] == ["1.0.0"]
    assert plan_status(tmp_path).releases[0].status == "missing"

    built = build(tmp_path)
    assert [(b.release, b.bundle, b.written) for b in built] == [("1.0.0", "releases/1.0.0", True)]
    assert [b.written for b in build(tmp_path)] == [False]
    assert verify(tmp_path / "releases" / "1.0.0").ok
    assert plan_status(tmp_path).releases[0].status == "current"


def test_python_and_cli_builds_give_the_same_bytes(tmp_path):
    by_api = make_project(tmp_path, "branched", folder="api")
    by_cli = make_project(tmp_path, "branched", folder="cli")
    build(by_api)
    assert run_cli("build", "-q", cwd=by_cli).returncode == 0

    def files(root):
        return {p.relative_to(root): p.read_bytes() for p in (root / "releases").rglob("*") if p.is_file()}

    assert files(by_api) == files(by_cli)


def test_the_cli_tunes_the_garbage_collector_for_its_build_only_and_python_callers_keep_theirs(tmp_path, monkeypatch):
    import gc

    from sqlrelease import api

    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    before = gc.get_threshold()
    seen_by_python: set = set()
    build(root, progress=lambda message: seen_by_python.add(gc.get_threshold()))
    assert seen_by_python == {before}  # the library leaves a caller's process as it is

    seen_by_cli: list = []

    def recording_build(*args, **kwargs):
        seen_by_cli.append(gc.get_threshold())
        return api_build(*args, **kwargs)

    api_build = api.build
    monkeypatch.setattr(api, "build", recording_build)
    assert run_cli("build", "-q", cwd=root).returncode == 0
    assert len(seen_by_cli) == 1 and seen_by_cli[0] != before and seen_by_cli[0][0] > before[0]
    assert gc.get_threshold() == before  # and puts them back when the command ends


def test_plan_status_matches_plan_json(tmp_path):
    import json

    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    build(root, ["1.0.0"])
    from_cli = json.loads(run_cli("plan", "--json", cwd=root).stdout)
    assert plan_status(root).to_dict() == from_cli
    assert [r["status"] for r in from_cli["releases"]] == ["current", "missing"]


def test_build_selects_releases_and_dialects(tmp_path):
    root = make_project(tmp_path, "data_migration")
    built = build(root, ["1.1.0"], ["sqlite"])
    assert [b.release for b in built] == ["1.1.0"]
    assert sorted(p.name for p in (root / "releases").iterdir()) == ["1.1.0"]
    assert sorted(p.name for p in (root / "releases" / "1.1.0").iterdir() if p.is_dir()) == ["sqlite"]


def test_refusals_are_exceptions_with_file_line_and_release(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    with pytest.raises(PlanError) as duplicate:
        cut(root, "1.0.0")
    assert duplicate.value.path == "releases.toml" and duplicate.value.line == 5
    with pytest.raises(PlanError) as unknown:
        cut(root, "2.0.0", ["nosuchrev"])
    assert unknown.value.release == "2.0.0" and "nosuchrev" in unknown.value.message
    with pytest.raises(PlanError, match="no new migrations"):
        cut(root, "2.0.0")
    with pytest.raises(PlanError, match="does not descend"):
        cut(root, "2.0.0", ["4e1b7a9c2d05"])
    with pytest.raises(ConfigError):
        init(root)
    with pytest.raises(ConfigError, match="sqlrelease init"):
        plan_status(tmp_path / "nowhere")


def test_verify_from_python_names_the_altered_file(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    build(root)
    away = shutil.copytree(root / "releases" / "1.0.0", tmp_path / "copy")
    path = away / "sqlite" / "upgrade.sql"
    path.write_bytes(path.read_bytes().replace(b"products", b"produkts", 1))
    result = verify(away)
    assert not result.ok
    assert result.altered == ["sqlite/upgrade.sql"]
    assert result.release == "1.0.0"


def test_a_revision_file_with_a_syntax_error_is_a_history_error_with_file_and_line(tmp_path):
    from sqlrelease.errors import HistoryError

    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    migration = next((root / "migrations" / "versions").glob("0004_*.py"))
    migration.write_text(migration.read_text() + "\ndef broken(:\n")
    with pytest.raises(HistoryError) as caught:
        plan_status(root)
    assert caught.value.path == f"migrations/versions/{migration.name}"
    assert caught.value.line == len(migration.read_text().splitlines())
    assert "SyntaxError" in caught.value.message


def test_cut_from_python_creates_a_missing_plan(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    (root / "releases.toml").unlink()
    said = []
    release = cut(root, "1.0.0", ["8a3f6c0e1b94"], said.append)
    assert release.end == ("8a3f6c0e1b94",)
    assert said == ["created releases.toml, the release plan"]
    assert [r.name for r in plan_status(root).releases] == ["1.0.0"]


def test_build_of_one_dialect_from_python_keeps_the_bundle_whole_unless_told(tmp_path):
    root = make_project(tmp_path, "data_migration")
    build(root, ["1.1.0"], ["sqlite", "mysql"])
    (kept,) = build(root, ["1.1.0"], ["mysql"])
    assert (kept.dialects, kept.dropped, kept.written) == (("mysql", "sqlite"), (), False)
    (dropped,) = build(root, ["1.1.0"], ["mysql"], drop_other_dialects=True)
    assert (dropped.dialects, dropped.dropped, dropped.written) == (("mysql",), ("sqlite",), True)
    assert sorted(p.name for p in (root / "releases" / "1.1.0").iterdir() if p.is_dir()) == ["mysql"]


# -- verbs are imported when first used ------------------------------------------------


def test_every_verb_of_the_api_is_the_function_its_module_defines():
    import ast
    import importlib
    from pathlib import Path

    from sqlrelease import api

    # The imports type checkers and readers see name every verb and where it lives...
    tree = ast.parse(Path(api.__file__).read_text(encoding="utf-8"))
    homes = {
        alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1
        for alias in node.names
    }
    assert sorted(homes) == sorted(api.__all__)
    # ... and what the API hands out on first use is that function.
    for name, module in homes.items():
        assert getattr(api, name) is getattr(importlib.import_module(f"sqlrelease.{module}"), name), name


# What these verbs must not import: rendering (alembic, sqlalchemy, jinja2, the lint rules, the
# project with its history), rich when the output is not a terminal (lines are written as they
# are), importlib.metadata (the versions are read from the dist-info folders), the archive
# modules (no archive is read), subprocess (no client runs) and ctypes (no time limit is set).
HEAVY = ("alembic", "sqlalchemy", "jinja2", "rich", "importlib.metadata", "sqlrelease.lint", "sqlrelease.project",
         "sqlrelease.history", "tarfile", "zipfile", "subprocess", "ctypes")
STARTS_LIGHT = f"""
import sys
from sqlrelease.cli import main
try:
    main(sys.argv[1:], prog_name="sqlrelease")
except SystemExit as exc:
    assert not exc.code, exc.code
print(sorted(m for m in {HEAVY!r} if m in sys.modules))
"""
# What makes rich (and so sqlrelease) see a terminal even when the output is a pipe.
TERMINAL_ENV = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES")


@pytest.mark.parametrize(
    "args", [["--help"], ["verify", "--help"], ["verify", "releases/1.0.0"], ["verify", "releases"], ["plan"], ["check"]]
)
def test_help_verify_and_an_unchanged_plan_or_check_start_without_rendering_rich_or_metadata(built, tmp_path, args):
    """What makes them start fast: nothing that renders is imported, nor rich, nor importlib.metadata
    (a new process, to see its modules). plan and check of bundles whose recorded inputs all hold
    need not load the history."""
    import os
    import subprocess
    import sys

    shutil.copytree(built, tmp_path / "project")
    env = {name: value for name, value in os.environ.items() if name not in TERMINAL_ENV}
    completed = subprocess.run(
        [sys.executable, "-c", STARTS_LIGHT, *args], cwd=tmp_path / "project", capture_output=True, text=True, env=env
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[-1] == "[]"
