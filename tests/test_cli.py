"""A new user drives sqlrelease through its command line: init, cut, plan, build, verify."""

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig

from projects import copy_history, make_project, run_cli, run_installed

COMMANDS = ("init", "cut", "plan", "build", "verify")


def refused(result, *expected: str) -> str:
    """The one line a refused command prints: exit 2, no traceback, naming `expected`."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], (text, lines[0])
    return lines[0]


def plan_lines(root: Path, name: str) -> int:
    """Line of `name = "<name>"` in the project's releases.toml."""
    for number, line in enumerate((root / "releases.toml").read_text().splitlines(), start=1):
        if line.strip() == f'name = "{name}"':
            return number
    raise AssertionError(name)


@pytest.mark.parametrize("verb", COMMANDS)
def test_every_command_explains_itself(tmp_path, verb):
    result = run_cli(verb, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Usage: python -m sqlrelease {verb}" in result.stdout or f"sqlrelease {verb}" in result.stdout
    assert len(result.stdout.splitlines()) > 3


def test_top_level_help_lists_every_command(tmp_path):
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for verb in COMMANDS:
        assert verb in result.stdout


def test_init_in_an_empty_folder_then_revision_cut_build(tmp_path):
    # End to end, with the installed console script: the story a new user types.
    result = run_installed("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for path in ("alembic.ini", "migrations/env.py", "migrations/versions", "pyproject.toml", "releases.toml"):
        assert (tmp_path / path).exists(), path
    assert "[tool.sqlrelease]" in (tmp_path / "pyproject.toml").read_text()

    command.revision(AlembicConfig(str(tmp_path / "alembic.ini")), message="create widgets", rev_id="aaaa00000001")
    cut = run_installed("cut", "1.0.0", cwd=tmp_path)
    assert cut.returncode == 0, cut.stderr
    assert 'name = "1.0.0"' in (tmp_path / "releases.toml").read_text()
    assert 'target = "aaaa00000001"' in (tmp_path / "releases.toml").read_text()

    build = run_installed("build", "-q", cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    bundle = tmp_path / "releases" / "1.0.0"
    for dialect in ("postgresql", "mysql", "sqlite"):
        for kind in ("upgrade", "downgrade", "stamp"):
            assert (bundle / dialect / f"{kind}.sql").is_file()
    assert run_installed("verify", "releases/1.0.0", cwd=tmp_path).returncode == 0
    status = json.loads(run_installed("plan", "--json", cwd=tmp_path).stdout)
    assert [r["status"] for r in status["releases"]] == ["current"]


def test_init_twice_refuses(tmp_path):
    assert run_cli("init", cwd=tmp_path).returncode == 0
    refused(run_cli("init", cwd=tmp_path), "pyproject.toml", "[tool.sqlrelease]")


def test_init_in_an_existing_alembic_project_adds_only_config_and_plan(tmp_path):
    copy_history("data_migration", tmp_path / "migrations")
    (tmp_path / "migrations" / "releases.toml").unlink()
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    result = run_cli("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert set(after) - set(before) == {Path("releases.toml")}
    changed = {p for p in before if before[p] != after[p]}
    assert changed == {Path("pyproject.toml")}
    assert after[Path("pyproject.toml")].startswith(before[Path("pyproject.toml")])
    assert run_cli("cut", "1.0.0", cwd=tmp_path).returncode == 0
    assert run_cli("build", "-q", "--dialect", "sqlite", cwd=tmp_path).returncode == 0



def test_a_missing_plan_is_created_by_init_and_its_error_says_so(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    (root / "releases.toml").unlink()
    pyproject = (root / "pyproject.toml").read_bytes()
    refused(run_cli("plan", cwd=root), "releases.toml:", "does not exist", "sqlrelease cut NAME", "sqlrelease init")

    result = run_cli("init", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "created releases.toml" in result.stdout.splitlines()
    assert (root / "pyproject.toml").read_bytes() == pyproject
    assert run_cli("plan", cwd=root).returncode == 0
    refused(run_cli("init", cwd=root), "pyproject.toml", "release plan (releases.toml) already", "sqlrelease cut")


def test_cut_creates_a_missing_plan_with_the_first_release(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    (root / "releases.toml").unlink()
    result = run_cli("cut", "1.0.0", "-r", "8a3f6c0e1b94", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "created releases.toml, the release plan" in result.stdout
    assert 'target = "8a3f6c0e1b94"' in (root / "releases.toml").read_text()
    assert run_cli("build", "-q", cwd=root).returncode == 0
    assert (root / "releases" / "1.0.0" / "sqlite" / "upgrade.sql").is_file()


def _project_without_alembic_ini(root: Path, *folders: str) -> Path:
    for folder in folders:
        copy_history("data_migration", root / folder)
        (root / folder / "releases.toml").unlink()
    (root / "pyproject.toml").write_text('[project]\nname = "app"\n')
    return root


def test_init_without_alembic_ini_uses_the_one_alembic_script_folder(tmp_path):
    root = _project_without_alembic_ini(tmp_path, "app/db")
    result = run_cli("init", cwd=root)
    assert result.returncode == 0, result.stderr
    assert 'script_location = "app/db"' in (root / "pyproject.toml").read_text()
    assert not (root / "alembic.ini").exists() and not (root / "migrations").exists()
    assert run_cli("cut", "1.0.0", cwd=root).returncode == 0
    assert run_cli("build", "-q", "-d", "sqlite", cwd=root).returncode == 0


def test_init_with_several_script_folders_names_the_option_to_choose_one(tmp_path):
    root = _project_without_alembic_ini(tmp_path, "db", "old/db")
    refused(run_cli("init", cwd=root), "several Alembic script folders: db, old/db", "--script-location")
    assert "[tool.sqlrelease]" not in (root / "pyproject.toml").read_text()
    result = run_cli("init", "--script-location", "old/db", cwd=root)
    assert result.returncode == 0, result.stderr
    assert 'script_location = "old/db"' in (root / "pyproject.toml").read_text()


def test_init_with_a_migrations_folder_that_is_no_script_folder_names_the_option(tmp_path):
    (tmp_path / "migrations").mkdir()
    refused(run_cli("init", cwd=tmp_path), "migrations/", "no alembic.ini", "init --script-location DIR")


# -- cut refuses what would make a wrong plan ----------------------------------


def test_cut_refuses_a_duplicate_name(tmp_path):
    root = make_project(tmp_path, "data_migration")
    # The existing release is named by its [[release]] line.
    refused(run_cli("cut", "1.0.0", cwd=root), f"releases.toml:{plan_lines(root, '1.0.0') - 1}:", "'1.0.0'", "exists")


def test_cut_refuses_an_unknown_revision(tmp_path):
    root = make_project(tmp_path, "data_migration")
    before = (root / "releases.toml").read_bytes()
    refused(run_cli("cut", "2.0.0", "--revision", "deadbeef", cwd=root), "releases.toml", "2.0.0", "deadbeef")
    assert (root / "releases.toml").read_bytes() == before


def test_cut_refuses_a_target_that_does_not_descend_from_the_previous_release(tmp_path):
    root = make_project(tmp_path, "data_migration")
    refused(
        run_cli("cut", "2.0.0", "-r", "4e1b7a9c2d05", cwd=root),
        "releases.toml",
        "release 2.0.0",
        "does not descend from release 1.1.0",
    )


def test_cut_refuses_a_release_without_new_migrations(tmp_path):
    root = make_project(tmp_path, "data_migration")
    refused(run_cli("cut", "2.0.0", cwd=root), "releases.toml", "release 2.0.0", "no new migrations")


def test_cut_refuses_unmerged_heads_unless_named(tmp_path):
    root = make_project(tmp_path, "branched")
    plan = (root / "releases.toml").read_text()
    # Only the first release: the history now has unreleased branches ending in two heads.
    (root / "releases.toml").write_text(plan[: plan.index('[[release]]\nname = "1.1.0"')])
    line = refused(run_cli("cut", "1.1.0", cwd=root), "releases.toml", "release 1.1.0", "unmerged heads", "--revision")
    assert "3d8c5a2e7f19" in line and "b50e4f1a8c62" in line
    ok = run_cli("cut", "1.1.0", "-r", "6b3d9f2a0e84", "-r", "a9e15c7d3f60", cwd=root)
    assert ok.returncode == 0, ok.stderr
    assert 'target = ["6b3d9f2a0e84", "a9e15c7d3f60"]' in (root / "releases.toml").read_text()


# -- plan --json ------------------------------------------------------------------


def test_plan_json_tracks_bundle_status_from_missing_to_tampered(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))

    def statuses():
        result = run_cli("plan", "--json", cwd=root)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["releases"]

    releases = statuses()
    assert [(r["name"], r["from"], r["to"], r["bundle"]) for r in releases] == [
        ("1.0.0", [], ["8a3f6c0e1b94"], "releases/1.0.0"),
        ("1.1.0", ["8a3f6c0e1b94"], ["71e0a5d3c8b6"], "releases/1.1.0"),
    ]
    assert [r["status"] for r in releases] == ["missing", "missing"]
    assert [m["revision"] for m in releases[1]["migrations"]] == ["d26c9b4f7e13", "71e0a5d3c8b6"]

    assert run_cli("build", "-q", cwd=root).returncode == 0
    assert [r["status"] for r in statuses()] == ["current", "current"]

    migration = next((root / "migrations" / "versions").glob("0004_*.py"))
    migration.write_text(migration.read_text() + "\n# reviewed\n")
    releases = statuses()
    assert [r["status"] for r in releases] == ["current", "stale"]
    assert any(migration.name in reason for reason in releases[1]["reasons"])

    upgrade = root / "releases" / "1.0.0" / "sqlite" / "upgrade.sql"
    data = bytearray(upgrade.read_bytes())
    data[-2] ^= 1
    upgrade.write_bytes(bytes(data))
    releases = statuses()
    assert [r["status"] for r in releases] == ["tampered", "stale"]
    assert "altered: sqlite/upgrade.sql" in releases[0]["reasons"]


def test_plan_text_lists_releases_in_apply_order(tmp_path):
    root = make_project(tmp_path, "branched", dialects=("sqlite",))
    result = run_cli("plan", cwd=root)
    assert result.returncode == 0, result.stderr
    names = [line.split()[0] for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert names == ["1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0"]


# -- malformed plan and config files name their line ------------------------------------


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    "old, new, offset, expected",
    [
        ('target = "71e0a5d3c8b6"', 'target = "71e0a5d3c8b6', 1, ["not valid TOML"]),
        ('target = "71e0a5d3c8b6"', 'target = "71e0a5d3c8b6"\nowner = "me"', 2, ["unknown key 'owner'"]),
        ('target = "71e0a5d3c8b6"', "", -1, ["needs a `target`"]),
        ('name = "1.1.0"', 'name = "1.0.0"', 0, ["'1.0.0' is defined twice"]),
        ('target = "71e0a5d3c8b6"', 'target = "nosuchrev"', 1, ["release 1.1.0", "nosuchrev"]),
        ('target = "71e0a5d3c8b6"', 'target = "71e0a5d3c8b6"\naccept_irreversible = ["nosuchrev"]', 2,
         ["release 1.1.0", "accept_irreversible", "nosuchrev"]),
    ],
    ids=["bad-toml", "unknown-key", "missing-target", "duplicate-name", "unknown-revision", "unknown-accepted"],
)
def test_a_malformed_plan_names_its_line(tmp_path, old, new, offset, expected):
    """`offset`: the line named, relative to the `name = "1.1.0"` line."""
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    line = plan_lines(root, "1.1.0") + offset
    _replace(root / "releases.toml", old, new)
    refused(run_cli("build", cwd=root), f"releases.toml:{line}:", *expected)
    assert not (root / "releases").exists()


@pytest.mark.parametrize(
    "old, new, key, expected",
    [
        ('dialects = ["sqlite"]', 'dialects = ["sqlite", "db2"]', "dialects", "unknown dialect 'db2'"),
        ('stamp = "inline"', 'stamp = "later"', "stamp", "must be one of inline, separate"),
        ('stamp = "inline"', 'stamp = "inline"\nbundle_dir = "out"', "bundle_dir", "unknown setting"),
        ('environment = "project"', 'environment = "docker"', "environment", "builtin"),
    ],
    ids=["dialect", "stamp", "unknown-setting", "environment"],
)
def test_bad_config_names_its_pyproject_line(tmp_path, old, new, key, expected):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    pyproject = root / "pyproject.toml"
    _replace(pyproject, old, new)
    line = next(n for n, text in enumerate(pyproject.read_text().splitlines(), 1) if text.startswith(f"{key} ="))
    refused(run_cli("build", cwd=root), f"pyproject.toml:{line}:", expected)


def test_build_of_an_unknown_release_names_the_known_ones(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    refused(run_cli("build", "9.9.9", cwd=root), "releases.toml", "'9.9.9'", "1.0.0, 1.1.0")


def test_outside_a_project_says_how_to_start(tmp_path):
    refused(run_cli("plan", cwd=tmp_path), "sqlrelease init")


# -- build output: results on stdout, progress on stderr, each said once ---------------


def test_build_says_each_bundle_once_results_on_stdout_progress_on_stderr(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["wrote  releases/1.0.0", "wrote  releases/1.1.0"]
    assert "rendering sqlite" in result.stderr
    assert "releases/1.0.0" not in result.stderr and "wrote" not in result.stderr

    again = run_cli("build", "-q", cwd=root)
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout.splitlines() == ["unchanged  releases/1.0.0", "unchanged  releases/1.1.0"]

    as_json = run_cli("build", "--json", cwd=root)
    assert (as_json.returncode, as_json.stderr) == (0, "")
    assert [b["status"] for b in json.loads(as_json.stdout)["bundles"]] == ["unchanged", "unchanged"]


# -- a revision file that cannot be imported is named, with its line --------------------


def _add_line_after_imports(migration: Path, line: str) -> int:
    """Insert `line` after the revision file's `import sqlalchemy` line; its line number."""
    lines = migration.read_text().splitlines(keepends=True)
    at = next(n for n, text in enumerate(lines) if text.startswith("import sqlalchemy")) + 1
    lines.insert(at, line + "\n")
    migration.write_text("".join(lines))
    return at + 1


@pytest.mark.parametrize("verb", ["plan", "build", "check", "lint", "doctor"])
def test_a_migration_importing_a_missing_module_is_named_with_its_line(tmp_path, verb):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    migration = next((root / "migrations" / "versions").glob("0003_*.py"))
    line = _add_line_after_imports(migration, "import myapp_that_does_not_exist")
    refused(
        run_cli(verb, cwd=root),
        f"migrations/versions/{migration.name}:{line}:",
        "ModuleNotFoundError: No module named 'myapp_that_does_not_exist'",
        "PYTHONPATH",
    )


def test_a_failing_application_import_names_the_migration_line_not_the_application(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    (root / "myapp.py").write_text("VERSION = 1\nimport missing_dependency_of_myapp\n")
    migration = next((root / "migrations" / "versions").glob("0002_*.py"))
    line = _add_line_after_imports(migration, "import myapp")
    refused(
        run_cli("plan", cwd=root),
        f"migrations/versions/{migration.name}:{line}:",
        "No module named 'missing_dependency_of_myapp'",
        "needs module missing_dependency_of_myapp",
    )


# -- every command that renders takes --rehearse-url, and says how to name a server --------

RENDERING = ("build", "check", "lint", "doctor", "diff")


@pytest.mark.parametrize("verb", RENDERING)
def test_every_rendering_command_takes_rehearse_url(tmp_path, verb):
    result = run_cli(verb, "--help", cwd=tmp_path)
    assert "--rehearse-url DIALECT=URL" in result.stdout
    assert "SQLRELEASE_REHEARSE_URL_<DIALECT>" in result.stdout


def test_a_migration_that_needs_a_server_says_how_to_name_one(tmp_path, monkeypatch):
    monkeypatch.delenv("SQLRELEASE_REHEARSE_URL_POSTGRESQL", raising=False)
    root = make_project(tmp_path, "reads_rows", dialects=("postgresql",))
    result = run_cli("check", "-q", cwd=root)
    assert result.returncode == 1, result.stdout
    (line,) = result.stderr.strip().splitlines()
    for text in (
        "migrations/versions/0002_2b0000000002_team_slugs.py:",
        "(reads_rows)",
        "--rehearse-url postgresql=URL",
        "SQLRELEASE_REHEARSE_URL_POSTGRESQL=URL",
        "[tool.sqlrelease.rehearse]",
    ):
        assert text in line, (text, line)


def test_check_lint_doctor_and_diff_rehearse_on_the_server_build_was_given(tmp_path, make_db, monkeypatch):
    monkeypatch.delenv("SQLRELEASE_REHEARSE_URL_POSTGRESQL", raising=False)
    server = make_db("postgresql")  # rehearsals create and drop their own databases on it
    root = make_project(tmp_path, "reads_rows", dialects=("postgresql",))
    given = ("--rehearse-url", f"postgresql={server.url}")
    built = run_cli("build", "-q", *given, cwd=root)
    assert built.returncode == 0, built.stderr
    for verb in (("check", "-q"), ("lint",), ("diff", "--against-build")):
        without = run_cli(*verb, cwd=root)
        assert "cannot render offline (reads_rows)" in without.stderr, verb
        result = run_cli(*verb, *given, cwd=root)
        assert result.stderr == "", (verb, result.stderr)
        # lint exits 1 on its own findings (rehearsed SQL that read rows is an error to review)
        assert result.returncode == (1 if verb == ("lint",) else 0), (verb, result.stdout)
    lint = json.loads(run_cli("lint", "--json", *given, cwd=root).stdout)
    assert "error" not in lint and lint["findings"]
    doctor = run_cli("doctor", "--json", *given, cwd=root)
    assert doctor.returncode == 0, doctor.stdout
    assert {f["status"] for f in json.loads(doctor.stdout)["findings"] if f["revision"] == "2b0000000002"} >= {"rehearse"}


# -- build --dialect never drops a dialect from a bundle without saying so -------------------


def _bundle_dialects(root: Path, release: str) -> list[str]:
    manifest = json.loads((root / "releases" / release / "manifest.json").read_text())
    return sorted(manifest["dialects"])


def test_building_one_dialect_keeps_the_others_a_bundle_holds(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    assert run_cli("build", "1.0.0", "-d", "mysql", "-d", "mssql", cwd=root).returncode == 0
    before = {p: p.read_bytes() for p in (root / "releases" / "1.0.0").rglob("*") if p.is_file()}

    result = run_cli("build", "1.0.0", "-d", "mssql", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "releases/1.0.0 holds mysql too" in result.stderr and "--drop-other-dialects" in result.stderr
    # mysql was rendered again, to the same bytes: the bundle is unchanged and complete.
    assert result.stdout.splitlines() == ["unchanged  releases/1.0.0"]
    assert {p: p.read_bytes() for p in (root / "releases" / "1.0.0").rglob("*") if p.is_file()} == before
    assert _bundle_dialects(root, "1.0.0") == ["mssql", "mysql"]
    assert run_cli("verify", "releases/1.0.0", cwd=root).returncode == 0


def test_drop_other_dialects_confirms_and_every_drop_is_named(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    assert run_cli("build", "1.0.0", "-d", "mysql", "-d", "mssql", cwd=root).returncode == 0

    result = run_cli("build", "1.0.0", "-d", "mssql", "--drop-other-dialects", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["wrote  releases/1.0.0  (dropped mysql)"]
    assert _bundle_dialects(root, "1.0.0") == ["mssql"]
    assert not (root / "releases" / "1.0.0" / "mysql").exists()

    # Without --dialect the bundle gets the configured dialects, and says what it lost.
    as_json = json.loads(run_cli("build", "1.0.0", "--json", cwd=root).stdout)
    assert as_json["bundles"][0]["dialects"] == ["sqlite"] and as_json["bundles"][0]["dropped"] == ["mssql"]
    assert _bundle_dialects(root, "1.0.0") == ["sqlite"]

    usage = run_cli("build", "--drop-other-dialects", cwd=root)
    assert usage.returncode == 2 and "--drop-other-dialects goes with --dialect" in usage.stderr


def test_a_library_warning_names_the_migration_line_once(tmp_path):
    # Alembic warns from its own code; the user needs the migration's file:line, once for all dialects.
    # End to end: "once" is once per process, and a new process shows warnings with its own filters.
    root = make_project(tmp_path, "constraints", dialects=("postgresql", "mysql", "sqlite"))
    (path,) = (root / "migrations" / "versions").glob("0003_*.py")
    source = path.read_text()
    anchor = '    op.create_index("ix_players_nickname", "players", ["nickname"])\n'
    path.write_text(source.replace(anchor, anchor + '    op.alter_column("players", "score", existing_type=sa.Integer(), autoincrement=True)\n'))
    line = path.read_text().splitlines().index('    op.alter_column("players", "score", existing_type=sa.Integer(), autoincrement=True)') + 1
    result = run_installed("build", "-q", cwd=root)
    assert result.returncode == 0, result.stderr
    expected = f"migrations/versions/{path.name}:{line}: UserWarning: revision 93b0d7e5a1c6: autoincrement"
    assert result.stderr.count(expected) == 1, result.stderr


@pytest.mark.parametrize("args", [["plan"], ["check"], ["verify", "releases"], ["verify", "releases/1.1.0"]])
def test_lines_written_without_rich_are_what_rich_writes_to_a_pipe(project, monkeypatch, args):
    """Not in a terminal, `say` writes its lines itself (rich costs a tenth of a second to import);
    with TTY_COMPATIBLE set (empty: rich still sees no terminal) rich writes them: the same bytes,
    for OK lines, an altered bundle's lines on stdout and warnings on stderr."""
    readme = project / "releases" / "1.1.0" / "README.md"
    readme.write_text(readme.read_text() + "edited\t[red]by hand ✓ 表\n")  # a tab, markup, wide characters
    (project / "releases" / "stray").mkdir()  # check: a bundle of no release in the plan
    plain = run_cli(*args, cwd=project)
    monkeypatch.setenv("TTY_COMPATIBLE", "")
    through_rich = run_cli(*args, cwd=project)
    assert (plain.returncode, plain.stdout, plain.stderr) == (through_rich.returncode, through_rich.stdout, through_rich.stderr)
    assert plain.stdout.strip()
