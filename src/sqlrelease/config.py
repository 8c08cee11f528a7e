"""The `[tool.sqlrelease]` table of a project's pyproject.toml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import tomlfile
from .dialects import DIALECTS
from .errors import ConfigError
from .sqlnames import identifier_problem

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
}


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

    def relative(self, path: Path) -> str:
        """`path` relative to the project root, with forward slashes (as written in bundles)."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


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
        if key != "dialects" and not isinstance(value, str):
            raise fail(key, f"must be a string, not {type(value).__name__}")

    settings = {**DEFAULTS, **table}
    dialects = settings["dialects"]
    if not isinstance(dialects, list) or not dialects or not all(isinstance(d, str) for d in dialects):
        raise fail("dialects", "must be a non-empty list of dialect names", f"choose from {', '.join(DIALECTS)}")
    for name in dialects:
        if name not in DIALECTS:
            raise fail("dialects", f"unknown dialect {name!r}", f"choose from {', '.join(DIALECTS)}")
    if len(set(dialects)) != len(dialects):
        raise fail("dialects", "lists a dialect twice")
    for key in ("version_table", "version_table_schema"):
        problem = identifier_problem(key, settings[key], dialects) if key in settings else None
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
    )
