"""The `[tool.sqlrelease]` table of a project's pyproject.toml."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import os

from . import tomlfile
from .dialects import DIALECTS, canonical
from .errors import ConfigError
from .sqlnames import identifier_problem
from .timelimit import DEFAULT_SECONDS

STAMP_MODES = ("inline", "separate")
ENVIRONMENTS = ("project", "builtin")
DEFAULTS = {
    "plan": "releases.toml",
    "bundles": "releases",
    "dialects": ["postgresql", "mysql", "sqlite"],
    "stamp": "inline",
    "environment": "project",
}
KNOWN_KEYS = {
    "rehearse",
    "alembic_ini",
    "script_location",
    "plan",
    "bundles",
    "dialects",
    "stamp",
    "environment",
    "version_table",
    "version_table_schema",
    "waivers",
    "timeout",
    "receipts",
    "lock_timeout",
    "expected_schema",
}
TIMEOUT_ENV = "SQLRELEASE_TIMEOUT"  # set by --timeout; overrides [tool.sqlrelease] timeout
RECEIPTS = "sqlrelease_receipts"
LOCK_TIMEOUT = 10


@dataclass(frozen=True)
class Config:
    """Where a project keeps its Alembic history, plan and bundles, and how to build them."""

    root: Path
    alembic_ini: Path | None
    script_location: Path | None
    plan: Path
    bundles: Path
    dialects: tuple[str, ...]
    stamp: str
    environment: str
    version_table: str | None = None
    version_table_schema: str | None = None
    waivers: str = "review/waivers.toml"  # reviewers' accepted findings, relative to root
    rehearse: tuple = ()  # [tool.sqlrelease.rehearse] as sorted (key, value) pairs
    timeout: float | None = DEFAULT_SECONDS  # seconds a migration may take to render or rehearse; None: no limit
    receipts: str | None = RECEIPTS  # the receipt table every script writes to; None: switched off
    lock_timeout: int = LOCK_TIMEOUT  # seconds a script waits for another apply's lock on the database
    # Dialects whose expected schema after each release the manifest records (sqlite: a scratch file;
    # the others need their rehearsal server at build and check time).
    expected_schema: tuple[str, ...] = ("sqlite",)

    def relative(self, path: Path) -> str:
        """`path` relative to the project root, with forward slashes (as written in bundles)."""
        try:
            return path.resolve().relative_to(self._resolved_root).as_posix()
        except ValueError:
            return path.as_posix()

    @functools.cached_property
    def _resolved_root(self) -> Path:
        # Resolved once per configuration: `check` names hundreds of paths relative to it.
        return self.root.resolve()


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` whose pyproject.toml has `[tool.sqlrelease]`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "[tool.sqlrelease]" in candidate.read_text(encoding="utf-8", errors="replace"):
            return folder
    raise ConfigError(
        f"no pyproject.toml with a [tool.sqlrelease] table at or above {start.name or start}",
        hint="run `sqlrelease init` in the project, or pass --project DIR",
    )


def load_config(project: Path | str = ".") -> Config:
    """Read and validate `[tool.sqlrelease]` of the project containing `project`."""
    root = find_root(Path(project))
    shown = "pyproject.toml"
    data, text = tomlfile.load(root / "pyproject.toml", ConfigError, shown)
    table = data.get("tool", {}).get("sqlrelease")
    section = tomlfile.line_of(text, r"^\s*\[tool\.sqlrelease\]") or 0
    if not isinstance(table, dict):
        raise ConfigError("[tool.sqlrelease] must be a table", path=shown, line=section)

    def fail(key: str, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(
            f"tool.sqlrelease.{key}: {message}",
            path=shown,
            line=tomlfile.key_line(text, key, after=section) or section,
            hint=hint,
        )

    for key in table:
        if key not in KNOWN_KEYS:
            raise fail(key, "unknown setting", f"known settings: {', '.join(sorted(KNOWN_KEYS))}")
    for key, value in table.items():
        if key == "rehearse":  # a table: scratch database URL per dialect, `revisions` always rehearsed
            if not isinstance(value, dict):
                raise fail(key, "must be a table, e.g. [tool.sqlrelease.rehearse] postgresql = \"postgresql+psycopg://...\"")
            continue
        if key == "receipts" and value is False:  # receipts switched off
            continue
        if key == "lock_timeout":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3600:
                raise fail(key, "must be a number of seconds from 0 to 3600", "how long a script waits for another apply's lock")
            continue
        if key in ("timeout", "expected_schema"):
            continue
        if key != "dialects" and not isinstance(value, str):
            raise fail(key, f"must be a string, not {type(value).__name__}")

    settings = {**DEFAULTS, **table}
    dialects = settings["dialects"]
    if not isinstance(dialects, list) or not dialects or not all(isinstance(d, str) for d in dialects):
        raise fail("dialects", "must be a non-empty list of dialect names", f"choose from {', '.join(DIALECTS)}")
    try:
        dialects = [canonical(name) for name in dialects]  # aliases (postgres, mariadb) mean their dialect
    except ConfigError as exc:
        raise fail("dialects", exc.message.removeprefix("dialect: "), exc.hint) from None
    if len(set(dialects)) != len(dialects):
        raise fail("dialects", "lists a dialect twice")
    for key in ("version_table", "version_table_schema", "receipts"):
        problem = identifier_problem(key, settings[key], dialects) if settings.get(key) not in (None, False) else None
        if problem:
            raise fail(key, problem, "bundles write it unquoted into every statement that reads or moves the version")
    if settings["stamp"] not in STAMP_MODES:
        raise fail("stamp", f"must be one of {', '.join(STAMP_MODES)}, not {settings['stamp']!r}")
    if settings["environment"] not in ENVIRONMENTS:
        raise fail(
            "environment",
            f"must be one of {', '.join(ENVIRONMENTS)}, not {settings['environment']!r}",
            "use 'builtin' when env.py cannot run without the application or a database",
        )

    alembic_ini = root / settings["alembic_ini"] if "alembic_ini" in settings else None
    script_location = root / settings["script_location"] if "script_location" in settings else None
    if alembic_ini is None and script_location is None:
        if (root / "alembic.ini").is_file():
            alembic_ini = root / "alembic.ini"
        else:
            raise fail("alembic_ini", "neither alembic_ini nor script_location is set, and there is no alembic.ini")
    if alembic_ini is not None and not alembic_ini.is_file():
        raise fail("alembic_ini", f"{settings['alembic_ini']} does not exist")
    if script_location is not None and not script_location.is_dir():
        raise fail("script_location", f"{settings['script_location']} is not a folder")

    expected_schema = _expected_schema(settings.get("expected_schema"), dialects, fail)
    _check_paths(root, settings, alembic_ini, script_location, fail)
    timeout = _timeout(settings.get("timeout", DEFAULT_SECONDS), fail)
    return Config(
        root=root,
        alembic_ini=alembic_ini,
        script_location=script_location,
        plan=root / settings["plan"],
        bundles=root / settings["bundles"],
        dialects=tuple(dialects),
        stamp=settings["stamp"],
        environment=settings["environment"],
        version_table=settings.get("version_table"),
        version_table_schema=settings.get("version_table_schema"),
        waivers=settings.get("waivers", "review/waivers.toml"),
        rehearse=tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in settings.get("rehearse", {}).items())),
        timeout=timeout,
        receipts=settings.get("receipts", RECEIPTS) or None,
        lock_timeout=settings.get("lock_timeout", LOCK_TIMEOUT),
        expected_schema=expected_schema,
    )


def _expected_schema(configured, dialects: list[str], fail) -> tuple[str, ...]:
    """The dialects whose expected schema the manifests record: by default SQLite (a scratch file is
    always at hand); others only when listed, since they need a scratch server wherever bundles are
    built or checked. `false` or [] records none."""
    if configured is None:
        return ("sqlite",) if "sqlite" in dialects else ()
    if configured is False:
        return ()
    if not isinstance(configured, list) or not all(isinstance(d, str) for d in configured):
        raise fail("expected_schema", "must be a list of dialect names, e.g. [\"sqlite\", \"postgresql\"], or false")
    try:
        chosen = [canonical(name) for name in configured]
    except ConfigError as exc:
        raise fail("expected_schema", exc.message.removeprefix("dialect: "), exc.hint) from None
    for name in chosen:
        if name not in dialects:
            raise fail("expected_schema", f"lists {name}, which is not among the dialects built ({', '.join(dialects)})")
        if DIALECTS[name].native_client is None:
            raise fail("expected_schema", f"{name}: recording its expected schema is not supported yet",
                       "postgresql, mysql and sqlite are")
    return tuple(sorted(set(chosen), key=list(DIALECTS).index))


def _timeout(configured, fail) -> float | None:
    """Seconds a migration may run while rendering or rehearsing: --timeout (through the
    environment), else `timeout` in [tool.sqlrelease], else the default; 0 means no limit."""
    rule = "must be a number of seconds (0: no limit)"
    if os.environ.get(TIMEOUT_ENV):
        try:
            value = float(os.environ[TIMEOUT_ENV])
        except ValueError:
            raise ConfigError(f"--timeout {os.environ[TIMEOUT_ENV]!r} {rule}") from None
    elif isinstance(configured, (int, float)) and not isinstance(configured, bool):
        value = float(configured)
    else:
        raise fail("timeout", f"{rule}, not {configured!r}")
    if value < 0 or value != value or value == float("inf"):
        raise fail("timeout", f"{rule}, not {value:g}")
    return value or None


def _check_paths(root: Path, settings: dict, alembic_ini: Path | None, script_location: Path | None, fail) -> None:
    """Files the tool writes stay inside the project, and bundles in a folder of their own."""
    for key in ("plan", "waivers", "bundles"):
        if key in settings:
            problem = _inside_problem(root, settings[key], folder=key == "bundles")
            if problem:
                raise fail(key, problem)
    problem = _bundles_overlap(root, root / settings["bundles"], alembic_ini, script_location, settings)
    if problem:
        raise fail("bundles", problem)


def _inside_problem(root: Path, value: str, folder: bool) -> str | None:
    """Why `value` is not a path inside the project (for `bundles`: a folder strictly inside it), or None."""
    example = '"releases"' if folder else '"releases.toml"'
    rule = f"must be a relative path to a {'folder' if folder else 'file'} inside the project, such as {example}"
    parts = Path(value).parts
    if not value.strip() or Path(value).is_absolute() or ".." in parts or value.strip() in (".", "./"):
        return f"{value!r} {rule}"
    target = (root / value).resolve()
    if not target.is_relative_to(root.resolve()) or target == root.resolve():
        return f"{value!r} {rule} (it leads to {target} through a symlink)"
    if folder and target.exists() and not target.is_dir():
        return f"{value!r} is a file, not a folder (bundles are folders in it)"
    if not folder and target.is_dir():
        return f"{value!r} is a folder, not a file"
    return None


def _bundles_overlap(root: Path, bundles: Path, alembic_ini: Path | None, script_location: Path | None, settings) -> str | None:
    """Why the bundles folder would overlap what the project keeps elsewhere, or None: builds replace its sub-folders."""
    folder = bundles.resolve()
    scripts = script_location or _ini_script_location(alembic_ini)
    if scripts is not None:
        scripts = scripts.resolve()
        if folder == scripts or folder.is_relative_to(scripts) or scripts.is_relative_to(folder):
            return f"{settings['bundles']!r} overlaps the Alembic script folder {_shown(root, scripts)}: keep bundles in a folder of their own, such as \"releases\""
    kept = [root / "pyproject.toml", root / settings["plan"], root / settings.get("waivers", "review/waivers.toml")]
    if alembic_ini is not None:
        kept.append(alembic_ini)
    for path in kept:
        if path.resolve().is_relative_to(folder):
            return f"{settings['bundles']!r} holds {_shown(root, path.resolve())}: keep bundles in a folder of their own, such as \"releases\""
    return None


def _ini_script_location(alembic_ini: Path | None) -> Path | None:
    """The script folder alembic.ini names (relative to the ini file, %(here)s expanded), if it can be read."""
    import configparser

    if alembic_ini is None:
        return None
    parser = configparser.ConfigParser(defaults={"here": str(alembic_ini.parent)})
    try:
        parser.read(alembic_ini, encoding="utf-8")
        location = parser.get("alembic", "script_location", fallback=None)
    except (configparser.Error, UnicodeDecodeError):
        return None
    if not location or ":" in location and not Path(location).is_absolute():  # a package resource, package:folder
        return None
    path = Path(location)
    return path if path.is_absolute() else alembic_ini.parent / path


def _shown(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return str(path)
