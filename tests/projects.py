"""Small sqlrelease projects for tests, made from the sample or a test history.

`make_project(tmp_path, "branched")` copies `tests/histories/branched` into a
fresh project folder with a `[tool.sqlrelease]` table, so a test can build,
apply and inspect its bundles without touching the repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass
class CliResult:
    """What a command printed and how it exited, with subprocess.CompletedProcess's names."""

    returncode: int
    stdout: str
    stderr: str


# A new Python process shows warnings with these filters (no -W options); pytest's own
# filters and recording do not apply to what a user sees.
FRESH_PROCESS_WARNING_FILTERS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


def run_cli(*args: str, cwd: Path) -> CliResult:
    """Run `sqlrelease ARGS` in `cwd`, in this process, as a user would see it in a new one.

    What differs between a new process and this one is made the same: the working
    folder is `cwd` and first on sys.path (as with `python -m sqlrelease`); the
    environment has COLUMNS=80 and NO_COLOR=1, and what the command sets in it is
    undone afterwards; warnings print to stderr with a new process's filters; an
    unexpected exception prints its traceback to stderr and exits 1; modules
    imported from the project folder are forgotten afterwards. What a library keeps
    for the whole process (a warning shown once per process) stays shared: tests of
    that, and of the installed console script itself, use `run_installed`.
    """
    from click.testing import CliRunner

    from sqlrelease.cli import main

    runner = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1"})
    modules = set(sys.modules)
    with _working_folder(cwd), _own_environment(), warnings.catch_warnings():
        warnings.resetwarnings()
        for category in FRESH_PROCESS_WARNING_FILTERS:
            warnings.simplefilter("ignore", category)
        warnings.showwarning = _warning_to_stderr
        result = runner.invoke(main, list(args), prog_name="sqlrelease")
    _forget_modules_from(cwd, set(sys.modules) - modules)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(traceback.format_exception(result.exception))
    return CliResult(result.exit_code, result.stdout, stderr)


def run_installed(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the installed `sqlrelease` console script in a new process, end to end (`env` adds variables)."""
    script = Path(sys.executable).parent / "sqlrelease"
    assert script.exists(), f"{script} is missing: install the package (pip install -e '.[test]')"
    return subprocess.run(
        [str(script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "80", "NO_COLOR": "1", **(env or {})},
    )


@contextmanager
def _working_folder(folder: Path):
    before = os.getcwd()
    os.chdir(folder)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        os.chdir(before)


@contextmanager
def _own_environment():
    """What a command sets in os.environ (--rehearse-url does) ends with it, as with a process."""
    before = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


def _warning_to_stderr(message, category, filename, lineno, file=None, line=None) -> None:
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _forget_modules_from(folder: Path, names: set[str]) -> None:
    """A new process would import the project's own modules afresh; so must the next run here."""
    folder = folder.resolve()
    for name in names:
        path = getattr(sys.modules.get(name), "__file__", None)
        if path and Path(path).resolve().is_relative_to(folder):
            del sys.modules[name]


def add_migration(
    root: Path, revision: str, down: str | None, upgrade: str, downgrade: str, message: str = "step"
) -> Path:
    """Write one more Alembic revision file into a test project's history.

    `revision` and `message` are written as Python literals, so a test can give them
    any characters (quotes, newlines, NUL); the file name keeps only the safe ones.
    """

    def body(code: str) -> str:
        return textwrap.indent(textwrap.dedent(code).strip(), "    ")

    source = (
        f"{message!r}\nfrom alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = {revision!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade() -> None:\n{body(upgrade)}\n\n\ndef downgrade() -> None:\n{body(downgrade)}\n"
    )
    name = re.sub(r"[^A-Za-z0-9_]", "_", f"{revision}_{message.replace(' ', '_')}")[:60]
    path = root / "migrations" / "versions" / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return path


def add_release(root: Path, name: str, target: str) -> None:
    """Append a release to the test project's plan (names and targets written as TOML strings)."""
    with (root / "releases.toml").open("a", encoding="utf-8") as plan:
        plan.write(f"[[release]]\nname = {json.dumps(name)}\ntarget = {json.dumps(target)}\n")
