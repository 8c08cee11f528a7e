"""Runaway migrations and failures that must be one line (issue 11, section 5).

A migration that exits, interrupts or never ends is a failure of that migration,
named with its file and line; a plan, disk or server that cannot be used is one
line and exit 2, never a traceback; passwords never show.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from projects import REPO, SHARED_BASE
from sqlrelease import api
from sqlrelease.cli import main
from sqlrelease.config import TIMEOUT_ENV
from sqlrelease.errors import RenderError

REVISION = "2b0000000002"
READS_ROWS = """
bind = op.get_bind()
rows = bind.execute(sa.text("SELECT id, name FROM teams ORDER BY id")).fetchall()
"""


@pytest.fixture(autouse=True)
def no_leaked_timeout(monkeypatch):
    """--timeout sets an environment variable for the process; put it back after each test."""
    monkeypatch.setenv(TIMEOUT_ENV, "")


def project_with(tmp_path: Path, upgrade: str, downgrade: str = "op.drop_table('extra')", module: str = "",
                 env_py: str | None = None, settings: str = "") -> Path:
    """A project with the shared `teams` release (1.0.0) and release 1.1.0 holding one migration
    whose upgrade() body (after creating table `extra`), downgrade() body and module code are given."""
    root = tmp_path / "project"
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    for shared in ("env.py", "script.py.mako"):
        shutil.copy(REPO / "migrations" / shared, root / "migrations" / shared)
    if env_py is not None:
        (root / "migrations" / "env.py").write_text(env_py)
    shutil.copy(SHARED_BASE, versions / SHARED_BASE.name)
    (versions / f"0002_{REVISION}_runaway.py").write_text(
        textwrap.dedent('''\
            """a migration that misbehaves"""
            import sys
            import time

            from alembic import op
            import sqlalchemy as sa

            revision = "2b0000000002"
            down_revision = "1a0000000001"
            branch_labels = None
            depends_on = None
            ''') + textwrap.dedent(module) + "\n\ndef upgrade() -> None:\n"
        "    op.create_table('extra', sa.Column('id', sa.Integer, primary_key=True))\n"
        + textwrap.indent(textwrap.dedent(upgrade).strip(), "    ") + "\n\n\ndef downgrade() -> None:\n"
        + textwrap.indent(textwrap.dedent(downgrade).strip(), "    ") + "\n"
    )
    (root / "releases.toml").write_text(
        '[[release]]\nname = "1.0.0"\ntarget = "1a0000000001"\n\n[[release]]\nname = "1.1.0"\ntarget = "2b0000000002"\n'
    )
    (root / "pyproject.toml").write_text(
        '[tool.sqlrelease]\nscript_location = "migrations"\ndialects = ["sqlite"]\n' + settings
    )
    return root


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line(result, code: int, *expected: str) -> str:
    """The one `error:` line of a refused command (progress lines aside), its exit code, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.output.strip().splitlines() if not line.startswith(("rendering ", "rehearsing "))]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for text in expected:
        assert text in lines[0], (text, lines[0])
    return lines[0]


MIGRATION = f"migrations/versions/0002_{REVISION}_runaway.py"


# -- migrations that end the process -------------------------------------------------------


@pytest.mark.parametrize("call, shown", [("sys.exit(0)", "SystemExit: 0"), ("sys.exit(3)", "SystemExit: 3"),
                                         ("raise SystemExit('bye')", "SystemExit: bye"),
                                         ("sys.exit()", "SystemExit: (no message)")])
@pytest.mark.parametrize("direction", ["upgrade", "downgrade"])
def test_sys_exit_in_a_migration_is_a_named_failure_of_that_migration(tmp_path, call, shown, direction):
    root = project_with(tmp_path, call if direction == "upgrade" else "pass", call if direction == "downgrade" else "op.drop_table('extra')")
    line = one_line(run("build", "-q", "-C", root), 1, f"{MIGRATION}:", "release 1.1.0", f"revision {REVISION}",
                    f"{direction}() cannot render offline (process_exit)", shown)
    assert "raise an exception that says what is wrong" in line
    assert not (root / "releases").exists() or not (root / "releases" / "1.1.0").exists()


def test_keyboard_interrupt_raised_by_a_migration_stops_the_build_naming_it(tmp_path):
    root = project_with(tmp_path, "raise KeyboardInterrupt")
    one_line(run("build", "-q", "-C", root), 130, f"{MIGRATION}:", f"revision {REVISION}",
             "interrupted in upgrade() at migrations/versions")


def test_sys_exit_at_import_is_one_line_naming_the_file(tmp_path):
    root = project_with(tmp_path, "pass", module="sys.exit(0)")
    one_line(run("plan", "-C", root), 2, f"{MIGRATION}:", "cannot load this revision file: SystemExit")


def test_sys_exit_in_env_py_is_one_line(tmp_path):
    env = (REPO / "migrations" / "env.py").read_text() + "\nimport sys\nsys.exit(4)\n"
    root = project_with(tmp_path, "pass", env_py=env)
    one_line(run("build", "-q", "-C", root), 1, "migrations/env.py:", "env.py failed", "SystemExit: 4")


# -- migrations that never end -------------------------------------------------------------


@pytest.mark.parametrize("body", ["while True:\n    pass", "time.sleep(3600)", "while True:\n    try:\n        time.sleep(1)\n    except Exception:\n        pass"])
def test_a_migration_that_never_ends_is_stopped_and_named(tmp_path, body):
    root = project_with(tmp_path, body)
    started = time.monotonic()
    line = one_line(run("build", "-q", "-C", root, "--timeout", "3"), 1, f"{MIGRATION}:",
                    f"upgrade() of revision {REVISION} did not finish within 3 s; stopped at {MIGRATION}:")
    assert time.monotonic() - started < 30
    assert "--timeout SECONDS, or timeout = SECONDS in [tool.sqlrelease]" in line


def test_the_time_limit_is_configurable_in_the_project_and_covers_every_rendering_verb(tmp_path):
    root = project_with(tmp_path, "while True:\n    pass", settings="timeout = 2\n")
    for verb in (["build"], ["check"], ["lint"], ["doctor"], ["diff", "1.0.0", "1.1.0"]):
        line = one_line(run(*verb, "-C", root), 1, "did not finish within 2 s")
        assert f"{MIGRATION}:" in line, verb
    refused = run("build", "-C", root, "--timeout", "-1")  # click's own usage error
    assert refused.exit_code == 2 and "Invalid value for '--timeout'" in refused.output
    (root / "pyproject.toml").write_text((root / "pyproject.toml").read_text().replace("timeout = 2", 'timeout = "soon"'))
    one_line(run("build", "-C", root), 2, "pyproject.toml:4:", "tool.sqlrelease.timeout", "must be a number of seconds")


def test_a_module_level_loop_is_stopped_while_the_history_is_read(tmp_path):
    root = project_with(tmp_path, "pass", module="while True:\n    pass")
    os.environ[TIMEOUT_ENV] = "2"  # the autouse fixture puts it back
    one_line(run("plan", "-C", root), 2, f"{MIGRATION}:", "did not finish within 2 s", "--timeout")


def test_a_rehearsal_that_never_ends_is_stopped_and_named(tmp_path):
    root = project_with(tmp_path, READS_ROWS + "while True:\n    pass")
    one_line(run("build", "-q", "-C", root, "--timeout", "3"), 1, f"{MIGRATION}:",
             f"upgrade() of revision {REVISION} (rehearsal) did not finish within 3 s")


def test_env_py_that_never_ends_is_stopped(tmp_path):
    env = (REPO / "migrations" / "env.py").read_text() + "\nwhile True:\n    pass\n"
    root = project_with(tmp_path, "pass", env_py=env)
    one_line(run("build", "-q", "-C", root, "--timeout", "2"), 1, "migrations/env.py:", "env.py (sqlite upgrade) did not finish")


def test_the_time_limit_works_from_a_thread_too(tmp_path):
    """The API used from a worker thread, where no signal can be delivered."""
    root = project_with(tmp_path, "while True:\n    pass", settings="timeout = 2\n")
    caught = []
    worker = threading.Thread(target=lambda: caught.append(_build_error(root)))
    worker.start()
    worker.join(60)
    assert not worker.is_alive()
    assert isinstance(caught[0], RenderError) and "did not finish within 2 s" in str(caught[0])


def _build_error(root):
    try:
        api.build(root)
    except RenderError as exc:
        return exc
    return None


def test_no_limit_with_zero_and_the_default_is_generous(tmp_path):
    root = project_with(tmp_path, "time.sleep(1.5)", settings="timeout = 0\n")
    assert run("build", "-q", "-C", root).exit_code == 0
    from sqlrelease.config import load_config

    assert load_config(root).timeout is None
    (root / "pyproject.toml").write_text('[tool.sqlrelease]\nscript_location = "migrations"\ndialects = ["sqlite"]\n')
    assert load_config(root).timeout == 300


# -- one line, exit 2 ----------------------------------------------------------------------


@pytest.mark.parametrize("plan, expected", [
    ("release = [1, 2]\n", "`release` holds int 1: each release is a [[release]] table"),
    ('release = ["1.0.0"]\n', "`release` holds str '1.0.0'"),
    ("release = 5\n", "`release` must be an array of tables"),
])
def test_a_plan_of_the_wrong_shape_is_one_line(project, plan, expected):
    (project / "releases.toml").write_text(plan)
    one_line(run("build", "-C", project), 2, "releases.toml:", expected)
    one_line(run("plan", "-C", project), 2, expected)


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0, reason="mounting a small tmpfs needs Linux and root")
def test_a_full_disk_while_writing_a_bundle_is_one_line_and_keeps_the_previous_bundle(project, tmp_path):
    releases = project / "releases"
    saved = tmp_path / "saved"
    shutil.move(releases, saved)
    releases.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(releases)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        for child in saved.iterdir():
            shutil.copytree(child, releases / child.name)
        before = {p.relative_to(releases): p.read_bytes() for p in releases.rglob("*") if p.is_file()}
        stat = os.statvfs(releases)
        filler = stat.f_bavail * stat.f_frsize - 8192  # leave less than one bundle's worth
        with open(releases / "filler", "wb") as handle:
            handle.write(b"\0" * filler)
        source = next((project / "migrations" / "versions").glob("*2d5f8a4c1b73*.py"))
        source.write_text(source.read_text().replace("@recruits.invalid", "@example.invalid"))
        one_line(run("build", "-q", "-C", project, "1.2.0"), 2, "cannot write the bundle 1.2.0: No space left on device",
                 "the previous bundle is unchanged")
        (releases / "filler").unlink()
        after = {p.relative_to(releases): p.read_bytes() for p in releases.rglob("*") if p.is_file()}
        assert after == before
    finally:
        subprocess.run(["umount", str(releases)], check=False)


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0, reason="mounting a small tmpfs needs Linux and root")
def test_a_build_that_fails_at_a_later_bundle_replaces_no_earlier_one(project, tmp_path):
    """Bundles are written one by one as they are assembled (not all held in memory), into temporary
    folders that replace the bundles only when every one is written: release 1.0.0's new bundle fits
    on the disk, 1.2.0's does not, and 1.0.0's stays as it was, with nothing left behind."""
    releases = project / "releases"
    saved = tmp_path / "saved"
    shutil.move(releases, saved)
    releases.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(releases)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        for child in saved.iterdir():
            shutil.copytree(child, releases / child.name)
        before = {p.relative_to(releases): p.read_bytes() for p in releases.rglob("*") if p.is_file()}
        first = sum(-(-p.stat().st_size // 4096) * 4096 for p in (releases / "1.0.0").rglob("*") if p.is_file())
        stat = os.statvfs(releases)
        with open(releases / "filler", "wb") as handle:  # room for 1.0.0's bundle and a little more, not for 1.2.0's
            handle.write(b"\0" * (stat.f_bavail * stat.f_frsize - first - 16384))
        versions = project / "migrations" / "versions"
        for revision, old, new in (("3f2a9c1e7b40", '"""', '"""Changed: '), ("2d5f8a4c1b73", "@recruits.invalid", "@example.invalid")):
            source = next(versions.glob(f"*{revision}*.py"))
            source.write_text(source.read_text().replace(old, new, 1))
        one_line(run("build", "-q", "-C", project), 2, "cannot write the bundle 1.2.0: No space left on device")
        (releases / "filler").unlink()
        after = {p.relative_to(releases): p.read_bytes() for p in releases.rglob("*") if p.is_file()}
        assert after == before
        assert sorted(p.name for p in releases.iterdir()) == ["1.0.0", "1.1.0", "1.2.0", "1.3.0"]
    finally:
        subprocess.run(["umount", str(releases)], check=False)


# -- rehearsal servers that cannot be used: one line, exit 2, no password ---------------------

PASSWORD_USER, RIGHT, WRONG = "sqlr_pw", "Right-Secret-pw1", "WRONG-Secret-pw2"


def password_user(server) -> None:
    """A user that must give its password (PostgreSQL: a pg_hba.conf line for it; MariaDB: always)."""
    if server.dialect == "mysql":
        server._admin_execute(
            f"CREATE USER IF NOT EXISTS '{PASSWORD_USER}'@'%' IDENTIFIED BY '{RIGHT}'",
            f"GRANT ALL PRIVILEGES ON *.* TO '{PASSWORD_USER}'@'%'",
        )
        return
    datadir = getattr(server, "datadir", None)
    if datadir is None:
        pytest.skip("needs the throwaway PostgreSQL server, whose pg_hba.conf the test can change")
    hba = Path(datadir) / "pg_hba.conf"
    line = f"host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n"
    if line not in hba.read_text():
        hba.write_text(line + hba.read_text())
    server._admin_execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PASSWORD_USER}') THEN "
        f"CREATE ROLE {PASSWORD_USER} LOGIN CREATEDB PASSWORD '{RIGHT}'; END IF; END $$",
        "SELECT pg_reload_conf()",
    )


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
@pytest.mark.parametrize("wrong", ["password", "port", "host", "database", "user"])
def test_every_rehearsal_connection_failure_is_one_line_without_the_password(tmp_path, request, monkeypatch, dialect, wrong):
    from sqlalchemy.engine import make_url

    from projects import make_project

    server = request.getfixturevalue("postgres_server" if dialect == "postgresql" else "mariadb_server")
    good = make_url(server.admin_url)
    monkeypatch.setenv(f"SQLRELEASE_REHEARSE_URL_{dialect.upper()}", "")
    url = good.set(password=WRONG)
    expected = {"port": "Connection refused", "host": "nonexistent.invalid",
                "database": "no_such_database", "user": "no_such_user"}.get(wrong, "")
    if wrong == "password":
        password_user(server)
        url = url.set(username=PASSWORD_USER)
    elif wrong == "port":
        url = url.set(port=free_port())
    elif wrong == "host":
        url = url.set(host="nonexistent.invalid")
    elif wrong == "database":
        url = url.set(database="no_such_database")
    else:
        url = url.set(username="no_such_user")
    root = make_project(tmp_path, "reads_rows", dialects=(dialect,))
    text = url.render_as_string(hide_password=False)
    result = run("build", "-q", "-C", root, "--rehearse-url", f"{dialect}={text}")
    line = one_line(result, 2, f"cannot create a scratch database on the {dialect} rehearsal server", expected)
    assert WRONG not in result.output and "***" in line
    if wrong == "password":
        assert ("password authentication failed" if dialect == "postgresql" else "Access denied") in line
    # The right password works, so it was the password that was wrong.
    if wrong == "password":
        right = url.set(password=RIGHT).render_as_string(hide_password=False)
        assert run("build", "-q", "-C", root, "--rehearse-url", f"{dialect}={right}").exit_code == 0

