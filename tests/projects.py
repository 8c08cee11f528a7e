"""Small sqlrelease projects for tests, made from the sample or a test history.

`make_project(tmp_path, "branched")` copies `tests/histories/branched` into a
fresh project folder with a `[tool.sqlrelease]` table, so a test can build,
apply and inspect its bundles without touching the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HISTORIES = Path(__file__).resolve().parent / "histories"
NAMES = ("sample", "branched", "data_migration", "constraints", "irreversible", "expand_contract", "table_rebuild")


SHARED_BASE = HISTORIES / "_shared" / "0001_1a0000000001_create_teams.py"


def copy_history(history: str, destination: Path) -> Path:
    """An Alembic script directory at `destination` holding test history `history`.

    Test histories keep only versions/ and their plan; they share the sample's
    env.py and script.py.mako, unless a history brings its own env.py (one that
    shows an env.py problem). The per-cause histories (one migration that shows
    a cause) all build on the same first revision, `teams` with two rows, kept
    once in histories/_shared/.
    """
    shutil.copytree(HISTORIES / history, destination, ignore=shutil.ignore_patterns("__pycache__"))
    for shared in ("env.py", "script.py.mako"):
        if not (destination / shared).exists():
            shutil.copy(REPO / "migrations" / shared, destination / shared)
    versions = destination / "versions"
    if any("1a0000000001" in path.read_text() for path in versions.glob("*.py")):
        shutil.copy(SHARED_BASE, versions / SHARED_BASE.name)
    return destination


def make_project(
    tmp_path: Path,
    history: str = "sample",
    *,
    dialects=("postgresql", "mysql", "sqlite"),
    stamp: str = "inline",
    environment: str = "project",
    folder: str = "project",
) -> Path:
    """A project folder holding `history` (its migrations and release plan)."""
    root = tmp_path / folder
    root.mkdir(parents=True)
    if history == "sample":
        shutil.copy(REPO / "alembic.ini", root / "alembic.ini")
        shutil.copytree(REPO / "migrations", root / "migrations", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(REPO / "releases.toml", root / "releases.toml")
        location = 'alembic_ini = "alembic.ini"'
    else:
        copy_history(history, root / "migrations")
        (root / "migrations" / "releases.toml").rename(root / "releases.toml")
        location = 'script_location = "migrations"'
        if (root / "migrations" / "alembic.ini").exists():  # a history that shows what env.py does with it
            (root / "migrations" / "alembic.ini").rename(root / "alembic.ini")
            location = 'alembic_ini = "alembic.ini"'
    dialect_list = ", ".join(f'"{d}"' for d in dialects)
    (root / "pyproject.toml").write_text(
        "[tool.sqlrelease]\n"
        f"{location}\n"
        'plan = "releases.toml"\n'
        'bundles = "releases"\n'
        f"dialects = [{dialect_list}]\n"
        f'stamp = "{stamp}"\n'
        f'environment = "{environment}"\n',
        encoding="utf-8",
    )
    return root


def script_location(root: Path) -> Path:
    """What to hand Alembic for online runs of the project's history."""
    return root / "alembic.ini" if (root / "alembic.ini").exists() else root / "migrations"


def release_names(root: Path) -> list[str]:
    from sqlrelease.plan import load_plan

    return [r.name for r in load_plan(root / "releases.toml").releases]


def sql(root: Path, release: str, dialect: str, kind: str) -> Path:
    """A bundle's SQL file: kind is upgrade, downgrade, stamp or steps/<name>."""
    return root / "releases" / release / dialect / f"{kind}.sql"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the real `sqlrelease` command in `cwd`, as a user types it."""
    return subprocess.run(
        [sys.executable, "-m", "sqlrelease", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "80", "NO_COLOR": "1"},
    )
