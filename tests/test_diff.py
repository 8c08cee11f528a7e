"""`sqlrelease diff`: what changes between two releases, and committed against rendered."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from projects import run_installed, sql
from sqlrelease import api
from sqlrelease.cli import main






def run(root: Path, *args: str, env=None):
    result = CliRunner().invoke(main, ["diff", "-C", str(root), *args], env=env)
    assert "Traceback" not in result.output
    return result


def test_two_releases_differ_in_their_sql(built: Path):
    result = run(built, "1.0.0", "1.1.0", "--dialect", "postgresql")
    assert result.exit_code == 1
    assert "--- releases/1.0.0/postgresql/upgrade.sql" in result.output
    assert "+++ releases/1.1.0/postgresql/upgrade.sql" in result.output
    assert "mysql/" not in result.output
    assert "manifest.json" not in result.output  # SQL only
    assert "\x1b[" not in result.output  # not a terminal: plain


def test_all_dialects_by_default_in_review_order(built: Path):
    diffs = api.diff_releases(built, "1.1.0", "1.2.0", files=True)
    paths = [d.path for d in diffs]
    assert paths.index("mysql/upgrade.sql") < paths.index("mysql/downgrade.sql") < paths.index("mysql/stamp.sql")
    assert {p.split("/")[0] for p in paths} == {"postgresql", "mysql", "sqlite"}


def test_by_default_only_the_migrations_statements_are_compared(built: Path):
    """Headers, guards and version-table changes differ between any two bundles: by default the
    diff shows what the migrations do; --files shows the whole files."""
    statements = run(built, "1.1.0", "1.2.0", "-d", "postgresql")
    assert statements.exit_code == 1
    assert "--- releases/1.1.0/postgresql/upgrade.sql (migrations' statements)" in statements.output
    assert "+-- 9e07d3b5c8a1 add recruits.personal_email_address (nullable)" in statements.output
    assert "+ALTER TABLE recruits ADD COLUMN personal_email_address VARCHAR(255);" in statements.output
    assert "-- e61a7c9d0b58" in statements.output and "stamp.sql" not in statements.output
    assert "sqlrelease guard" not in statements.output and "alembic_version" not in statements.output
    files = run(built, "1.1.0", "1.2.0", "-d", "postgresql", "--files")
    assert "sqlrelease guard" in files.output and "stamp.sql" in files.output
    assert len(statements.output.splitlines()) * 3 < len(files.output.splitlines())


def test_a_release_against_itself_has_no_difference(built: Path):
    assert run(built, "1.2.0", "1.2.0").exit_code == 0


def test_an_unbuilt_release_is_rendered_in_memory(project: Path):
    shutil.rmtree(project / "releases/1.3.0")
    diffs = api.diff_releases(project, "1.2.0", "1.3.0", "sqlite", files=True)
    assert diffs and diffs[0].new_name.endswith("(rendered, not built)")


def test_against_build_shows_a_hand_edit(project: Path):
    assert run(project, "--against-build").exit_code == 0
    path = sql(project, "1.2.0", "mysql", "downgrade")
    path.write_text(path.read_text(encoding="utf-8").replace("DROP", "DROP /* hand */", 1), encoding="utf-8")
    result = run(project, "--against-build", "1.2.0")
    assert result.exit_code == 1
    assert "--- releases/1.2.0/mysql/downgrade.sql (committed)" in result.output
    assert "+++ releases/1.2.0/mysql/downgrade.sql (rendered)" in result.output
    assert run(project, "--against-build", "1.1.0").exit_code == 0


def test_colour_in_a_terminal_and_none_with_no_color(built: Path):
    # The console is made when the command runs, so the run's environment decides.
    coloured = run(built, "1.0.0", "1.1.0", "-d", "sqlite", env={"FORCE_COLOR": "1", "TERM": "xterm-256color", "NO_COLOR": None})
    assert "\x1b[" in coloured.output


def test_no_color_is_plain(tmp_path: Path, built: Path):
    # End to end: the console reads NO_COLOR when the process starts.
    completed = run_installed("diff", "-C", str(built), "1.0.0", "1.1.0", cwd=tmp_path, env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert completed.returncode == 1
    assert "\x1b[" not in completed.stdout


def test_usage_and_unknown_release(built: Path):
    assert run(built, "1.0.0").exit_code == 2
    result = run(built, "1.0.0", "9.9.9")
    assert result.exit_code == 2 and "no release named '9.9.9'" in result.output
    assert run(built, "1.0.0", "1.1.0", "--dialect", "db2").exit_code == 2
