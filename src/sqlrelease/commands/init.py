"""`sqlrelease init`: add sqlrelease to a project (and Alembic to an empty folder)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from .. import tomlfile
from ..config import load_config
from ..errors import ConfigError
from ..history import alembic_command, as_alembic_runs, load_script
from ..plan import PLAN_HEADER

# Written into [tool.sqlrelease] for a Flask-Migrate layout (`flask db init`).
FLASK_MIGRATE = (
    "Flask-Migrate layout: alembic.ini lives in the script folder, and env.py needs the",
    "application (current_app), which exists only under `flask db`. The built-in offline",
    "environment renders the same SQL as env.py's offline mode, without the app.",
)


def init(folder: Path | str = ".", script_location: str | None = None) -> list[str]:
    """Add `[tool.sqlrelease]` and an empty plan to a project. Returns the files created or changed.

    Without alembic.ini the Alembic script folder is `script_location`, else the one
    folder holding env.py and versions/, else a new Alembic environment is created.
    A project that has the table already but no plan file gets only the plan file.
    """
    root = Path(folder).resolve()
    root.mkdir(parents=True, exist_ok=True)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
    if "[tool.sqlrelease]" in text:
        return [_init_plan(root, script_location)]
    ini = root / "alembic.ini"
    changed = []
    if script_location is None and not ini.exists():
        script_location = _find_script_location(root)
    if script_location is not None and not (root / script_location).is_dir():
        raise ConfigError(f"--script-location {script_location}: not a folder", hint="give the folder holding env.py and versions/")
    if script_location is None and not ini.exists():
        _create_alembic_environment(root)
        changed += ["alembic.ini", "migrations/"]
    settings = {"alembic_ini": "alembic.ini"} if ini.exists() else {}
    flask = script_location is not None and alembic_command(root / script_location) == "flask db"
    if flask and (root / script_location / "alembic.ini").is_file():
        settings["alembic_ini"] = f"{Path(script_location).as_posix()}/alembic.ini"
    if script_location is not None:
        settings["script_location"] = Path(script_location).as_posix()
    tomlfile.edit(pyproject, lambda document: _add_table(document, settings, flask), header="", error=ConfigError, shown="pyproject.toml")
    changed.append("pyproject.toml")
    plan = root / "releases.toml"
    if not plan.exists():
        plan.write_text(PLAN_HEADER, encoding="utf-8")
        changed.append("releases.toml")
    return changed


def _add_table(document, location: dict, flask: bool) -> None:
    """`[tool.sqlrelease]` with the defaults spelled out, after whatever the file holds; for a
    Flask-Migrate layout the built-in environment, with comment lines saying why."""
    import tomlkit

    table = tomlkit.table()
    if flask:
        for line in FLASK_MIGRATE:
            table.add(tomlkit.comment(line))
    for key, value in location.items():
        table[key] = value
    table["plan"] = "releases.toml"
    table["bundles"] = "releases"
    table["dialects"] = ["postgresql", "mysql", "sqlite"]
    table["stamp"] = "inline"
    table["stamp"].comment('or "separate": upgrade.sql leaves the version table to stamp.sql')
    if flask:
        table["environment"] = "builtin"
        table["environment"].comment("env.py needs the Flask app (see above)")
    else:
        table["environment"] = "project"
        table["environment"].comment('or "builtin" when env.py cannot run without the app or a database')
    tool = document.get("tool")
    if tool is None:
        if document.body and not tomlkit.dumps(document).endswith("\n\n"):
            document.add(tomlkit.nl())
        tool = tomlkit.table(is_super_table=True)
        document.append("tool", tool)
    tool.append("sqlrelease", table)


def next_step(folder: Path | str = ".") -> str:
    """What a user does after `init`, in the project's own words (`flask db revision` or `alembic revision`)."""
    config = load_config(folder)
    with as_alembic_runs(config):
        script_dir = load_script(config).dir
    return f"write migrations with `{alembic_command(script_dir)} revision`, then `sqlrelease cut NAME`"




def _init_plan(root: Path, script_location: str | None) -> str:
    """`init` where [tool.sqlrelease] exists: create the missing plan file, or refuse."""
    if script_location is not None:
        raise ConfigError(
            "this project has a [tool.sqlrelease] table already",
            path="pyproject.toml",
            hint="set script_location in that table instead of passing --script-location",
        )
    config = load_config(root)
    shown = config.relative(config.plan)
    if config.plan.exists():
        raise ConfigError(
            f"this project has a [tool.sqlrelease] table and a release plan ({shown}) already",
            path="pyproject.toml",
            hint="cut a release with `sqlrelease cut NAME`",
        )
    config.plan.parent.mkdir(parents=True, exist_ok=True)
    config.plan.write_text(PLAN_HEADER, encoding="utf-8")
    return shown


# Folders never searched for an Alembic script folder: tooling, not the project's own code.
NOT_SEARCHED = {"node_modules", "site-packages", "__pycache__", "venv", "build", "dist"}


def _find_script_location(root: Path) -> str | None:
    """The project's one Alembic script folder (env.py and versions/), or None when it has none."""
    found = _script_folders(root, depth=3)
    if len(found) > 1:
        raise ConfigError(
            f"there is no alembic.ini and several Alembic script folders: {', '.join(found)}",
            hint=f"choose one: sqlrelease init --script-location {found[0]}",
        )
    if found:
        return found[0]
    if (root / "migrations").exists():
        raise ConfigError(
            "there is a migrations/ folder but no alembic.ini, and no folder holds both env.py and versions/",
            hint="pass the Alembic script folder: sqlrelease init --script-location DIR",
        )
    return None


def _script_folders(folder: Path, depth: int, root: Path | None = None) -> list[str]:
    root = root or folder
    if (folder / "env.py").is_file() and (folder / "versions").is_dir():
        return [folder.relative_to(root).as_posix()]
    if depth == 0:
        return []
    found = []
    for child in sorted(folder.iterdir()):
        if child.is_dir() and not child.name.startswith(".") and child.name not in NOT_SEARCHED:
            if not (child / "pyvenv.cfg").exists():
                found += _script_folders(child, depth - 1, root)
    return found


def _create_alembic_environment(root: Path) -> None:
    """alembic.ini and migrations/ as `alembic init` makes them, with a local SQLite URL."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    ini = root / "alembic.ini"
    cfg = AlembicConfig(str(ini))
    with contextlib.redirect_stdout(io.StringIO()):
        command.init(cfg, str(root / "migrations"))
    ini_text = ini.read_text(encoding="utf-8")
    ini_text = ini_text.replace("driver://user:pass@localhost/dbname", "sqlite:///app.db")
    # Relative to the ini, as `alembic init migrations` writes it: an absolute path
    # would send every clone of the project to this checkout's migrations.
    ini_text = re.sub(r"(?m)^script_location\s*=.*$", "script_location = %(here)s/migrations", ini_text, count=1)
    ini.write_text(ini_text, encoding="utf-8")
