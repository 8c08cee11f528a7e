"""Projects work as their layout made them, without hand-editing the configuration.

Flask-Migrate's `flask db init` layout, a folder `sqlrelease init` set up and that is
then cloned elsewhere, an env.py that relies on the working directory, and the names
people give dialects.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from projects import REPO, make_project
from sqlrelease import api
from sqlrelease.cli import main
from sqlrelease.config import load_config
from sqlrelease.errors import RenderError

FIRST_MIGRATION = '''\
"""create employees

Revision ID: aaaa00000001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "aaaa00000001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("employees", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(100)))


def downgrade():
    op.drop_table("employees")
'''

FLASK_APP = '''\
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///app.db"
db = SQLAlchemy(app)
migrate = Migrate(app, db)
'''


def cli(*args: str, cwd: Path | None = None):
    """`sqlrelease ARGS` in-process, from `cwd`."""
    before = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(before)


def flask_project(tmp_path: Path) -> Path:
    """A Flask app whose migrations/ folder `flask db init` made, holding one migration."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "app.py").write_text(FLASK_APP)
    flask = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "init"], cwd=root, capture_output=True, text=True
    )
    assert flask.returncode == 0, flask.stderr
    (root / "migrations" / "versions" / "aaaa00000001_create_employees.py").write_text(FIRST_MIGRATION)
    return root


def test_flask_migrate_layout_builds_after_init_alone(tmp_path):
    root = flask_project(tmp_path)
    assert "fileConfig(config.config_file_name)" in (root / "migrations" / "env.py").read_text()

    result = cli("init", cwd=root)
    assert result.exit_code == 0, result.output
    assert "`flask db revision`" in result.output
    table = (root / "pyproject.toml").read_text()
    assert table.startswith("[tool.sqlrelease]\n")  # a new pyproject.toml has no blank first line
    assert "Flask-Migrate layout" in table and "current_app" in table
    assert 'alembic_ini = "migrations/alembic.ini"' in table
    assert 'environment = "builtin"' in table

    assert cli("cut", "1.0.0", cwd=root).exit_code == 0
    built = cli("build", cwd=root)
    assert built.exit_code == 0, built.output
    upgrade = (root / "releases" / "1.0.0" / "postgresql" / "upgrade.sql").read_text()
    assert "CREATE TABLE employees" in upgrade
    assert cli("check", cwd=root).exit_code == 0

    # Hints speak the project's command: `flask db history`, not `alembic history`.
    (root / "releases.toml").write_text('[[release]]\nname = "1.0.0"\ntarget = "zzz"\n')
    refused = cli("plan", cwd=root)
    assert refused.exit_code == 2 and "`flask db history`" in refused.output


def test_flask_env_py_gets_a_config_file_name_and_leaves_logging_alone(tmp_path):
    """environment = "project" runs Flask-Migrate's env.py: its unguarded fileConfig() works,
    and what it does to logging is undone; only the app context it needs is missing."""
    root = flask_project(tmp_path)
    api.init(root)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('environment = "builtin"', 'environment = "project"'))
    api.cut(root, "1.0.0")
    root_logger = logging.getLogger()
    handlers, level = list(root_logger.handlers), root_logger.level
    alembic_level = logging.getLogger("alembic").level

    with pytest.raises(RenderError) as failed:
        api.build(root, dialects=["sqlite"])
    assert "application context" in str(failed.value)  # past fileConfig(): no TypeError any more
    assert "TypeError" not in str(failed.value)
    assert root_logger.handlers == handlers and root_logger.level == level
    assert logging.getLogger("alembic").level == alembic_level
    assert not logging.getLogger("sqlrelease.anything").disabled


OLD_ENV_PY = '''\
import os
import sys
from logging.config import fileConfig

from alembic import context

sys.path.append(os.getcwd())  # the project's own modules, as many env.py files do
import projectsettings  # noqa: E402  (lives in the project root)

config = context.config
fileConfig(config.config_file_name)  # Alembic's older template: no None check


def run_migrations_offline():
    context.configure(url=projectsettings.URL, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_offline()
'''

LOGGING_INI = '''\
[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os

[loggers]
keys = root,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = INFO
handlers = console
qualname =

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = PROJECT-LOG %(levelname)s %(message)s
'''


def test_env_py_that_relies_on_the_working_directory_runs_from_anywhere(tmp_path, capfd):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    (root / "migrations" / "env.py").write_text(OLD_ENV_PY)
    (root / "projectsettings.py").write_text('URL = "sqlite://"\n')
    (root / "alembic.ini").write_text(LOGGING_INI)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('script_location = "migrations"', 'alembic_ini = "alembic.ini"'))
    (root / "docs").mkdir()
    cwd, path = os.getcwd(), list(sys.path)

    from_subfolder = cli("build", cwd=root / "docs")
    assert from_subfolder.exit_code == 0, from_subfolder.output
    with_c = cli("check", "-C", str(root), cwd=tmp_path)
    assert with_c.exit_code == 0, with_c.output

    assert os.getcwd() == cwd and sys.path == path  # both restored
    sys.modules.pop("projectsettings", None)
    # The project's logging configuration never reached our output.
    assert "PROJECT-LOG" not in capfd.readouterr().err


def test_init_in_an_empty_folder_writes_a_relative_script_location_that_clones_keep(tmp_path):
    origin = tmp_path / "origin"
    assert cli("init", str(origin)).exit_code == 0
    ini = (origin / "alembic.ini").read_text()
    assert "script_location = %(here)s/migrations\n" in ini
    assert str(tmp_path) not in ini and str(tmp_path) not in (origin / "pyproject.toml").read_text()
    assert not (origin / "pyproject.toml").read_text().startswith("\n")
    (origin / "migrations" / "versions" / "aaaa00000001_create_employees.py").write_text(FIRST_MIGRATION)
    assert cli("cut", "1.0.0", "-C", str(origin)).exit_code == 0
    assert cli("build", "-C", str(origin)).exit_code == 0

    def git(*args, cwd):
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@t"}
        subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)

    git("init", "-q", cwd=origin)
    git("add", "-A", cwd=origin)
    git("commit", "-q", "-m", "project", cwd=origin)
    git("clone", "-q", str(origin), str(tmp_path / "clone"), cwd=tmp_path)
    # The origin is gone: a clone that still read its migrations would fail.
    shutil.rmtree(origin)
    checked = cli("check", "-C", str(tmp_path / "clone"))
    assert checked.exit_code == 0, checked.output


def test_dialect_aliases_mean_their_dialect_and_typos_get_the_right_name(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("postgres", "mariadb", "sqlite3"))
    assert load_config(root).dialects == ("postgresql", "mysql", "sqlite")
    built = cli("build", "1.0.0", "-d", "pg", "-d", "mariadb", "--drop-other-dialects", "-C", str(root))
    assert built.exit_code == 0, built.output
    bundle = root / "releases" / "1.0.0"
    assert sorted(p.name for p in bundle.iterdir() if p.is_dir()) == ["mysql", "postgresql"]
    assert cli("diff", "1.0.0", "1.1.0", "-d", "postgres", "-C", str(root)).exit_code == 1

    typo = cli("build", "-d", "postgre", "-C", str(root))
    assert typo.exit_code == 2
    assert "unknown dialect 'postgre'" in typo.output and "did you mean postgresql?" in typo.output
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"mariadb"', '"mariadbb"'))
    bad = cli("plan", "-C", str(root))
    assert bad.exit_code == 2 and "pyproject.toml:" in bad.output and "did you mean mysql?" in bad.output
