"""The fleet file: which databases there are, how to reach them, and in which waves to change them.

`fleet.toml` (any name; `--fleet FILE`)::

    [fleet]                       # optional settings
    bundles = "releases"          # bundle folders, relative to this file
    jobs = 8                      # targets worked on at once
    per_host = 4                  # of which at most this many on one server
    journal = "fleet-journal.jsonl"

    [[target]]
    name = "eu-1"
    url = "postgresql://app:${EU1_PASSWORD}@db-eu-1/app"   # password from the environment
    labels = { region = "eu", tier = "canary" }

    [[target]]
    name = "shop-7"
    url = "mariadb://app@shop-7/app"
    option_file = "~/.my.shop7.cnf"          # MySQL option file ([client] password=...)

    [[target]]
    name = "kiosk"
    path = "data/kiosk.db"                   # SQLite, relative to this file

    [[wave]]
    name = "canary"
    select = { tier = "canary" }
    failure_budget = 0                       # stop after the first failure (or "10%")

Passwords are never written here: a URL's password is `${ENV_VAR}`, or the
target names `password_env`, `password_command`, an `option_file` (MySQL), or
nothing (the client's own ~/.pgpass / ~/.my.cnf). Errors name file:line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import tomlfile, urls
from ..dialects import ALIASES, DIALECTS
from ..errors import ConfigError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,62}$")
ENV_REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
# SQLAlchemy backend name -> the dialect whose bundle files the target gets.
BACKENDS = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}
FLEET_DIALECTS = ("postgresql", "mysql", "sqlite")
SETTINGS = {"bundles": str, "jobs": int, "per_host": int, "journal": str, "connect_timeout": int, "lock_timeout": int}
TARGET_KEYS = {"name", "url", "path", "dialect", "labels", "password_env", "password_command", "option_file"}
WAVE_KEYS = {"name", "select", "failure_budget"}
DEFAULT_JOBS = 8
DEFAULT_PER_HOST = 4
DEFAULT_CONNECT_TIMEOUT = 10


class FleetError(ConfigError):
    """The fleet file or a --target is invalid (exit 2)."""

    kind = "fleet"


@dataclass(frozen=True)
class Target:
    """One database: its name, dialect, how to reach it, and its labels."""

    name: str
    dialect: str
    url: urls.DatabaseURL  # for SQLite, `database` is the file path
    labels: tuple[tuple[str, str], ...] = ()
    password_env: str | None = None
    password_command: str | None = None
    option_file: str | None = None
    line: int | None = None  # where the fleet file defines it

    @property
    def shown_url(self) -> str:
        """The URL as it may be printed: never with a password."""
        return urls.shown(self.url)

    @property
    def path(self) -> Path:
        """The database file (SQLite)."""
        return Path(self.url.database)

    @property
    def host(self) -> str:
        """Where the server runs: targets on one host share the per-host cap (SQLite files have none)."""
        if self.dialect == "sqlite":
            return f"file:{self.url.database}"
        socket = self.url.query.get("unix_socket") or self.url.query.get("host")
        return f"{self.url.host or socket or 'localhost'}:{self.url.port or ''}"

    def label(self, key: str) -> str | None:
        return dict(self.labels).get(key)

    def to_dict(self) -> dict:
        return {"name": self.name, "dialect": self.dialect, "url": self.shown_url, "labels": dict(self.labels)}


@dataclass(frozen=True)
class Selector:
    """label -> accepted values; a target matches when every label has one of its values."""

    labels: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def matches(self, target: Target) -> bool:
        return all(target.label(key) in values or (key == "name" and target.name in values) for key, values in self.labels)

    def __str__(self) -> str:
        return " ".join(f"{k}={'|'.join(v)}" for k, v in self.labels) or "every target"


@dataclass(frozen=True)
class Wave:
    """Targets changed together; the next wave starts only while failures stay within the budget."""

    name: str
    select: Selector
    failure_budget: int | str = 0  # a count, or "N%" of the wave's targets
    line: int | None = None

    def budget_for(self, size: int) -> int:
        """How many failures the wave tolerates with `size` targets."""
        if isinstance(self.failure_budget, str):
            return int(size * float(self.failure_budget[:-1]) / 100)
        return self.failure_budget


@dataclass(frozen=True)
class Fleet:
    path: Path | None
    targets: tuple[Target, ...]
    waves: tuple[Wave, ...] = ()
    bundles: Path | None = None
    jobs: int = DEFAULT_JOBS
    per_host: int = DEFAULT_PER_HOST
    journal: Path | None = None
    connect_timeout: int = DEFAULT_CONNECT_TIMEOUT
    lock_timeout: int | None = None

    def target(self, name: str) -> Target:
        for target in self.targets:
            if target.name == name:
                return target
        known = ", ".join(t.name for t in self.targets[:10]) or "none"
        raise FleetError(f"no target named {name!r}", hint=f"targets: {known}")


def parse_url(text: str, base: Path, *, allow_password: bool) -> tuple[str, object, str | None]:
    """A URL in SQLAlchemy's form -> (dialect, URL, password env var).

    The driver part is ignored (`postgresql+psycopg://` is `postgresql://`);
    `mariadb://` is dialect mysql; `sqlite:///relative/path` is relative to `base`.
    """
    # Not urls.parse: a fleet URL needs no installed driver (the native client connects), nor SQLAlchemy.
    shown = urls.mask(text)
    url = urls.split(text)
    backend = url.backend
    if backend not in BACKENDS:
        raise ValueError(f"{shown}: dialect {backend!r} is not supported by fleet (use postgresql://, mysql://, mariadb:// or sqlite:///path)")
    dialect = BACKENDS[backend]
    password_env = None
    if url.password is not None:
        reference = ENV_REFERENCE.match(str(url.password))
        if reference:
            password_env = reference.group(1)
        else:
            urls.remember(str(url.password))
        if not password_env and not allow_password:
            raise ValueError(
                f"{shown}: a password written in the fleet file; write ${{ENV_VAR}} instead, or use password_env, "
                "password_command, option_file, ~/.pgpass or ~/.my.cnf"
            )
        url = url.set(password=None) if password_env else url
    url = url.set(drivername=dialect if dialect != "mysql" else backend)
    if dialect == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError(f"{shown}: a SQLite target needs a file: sqlite:///path/to/file.db")
        url = url.set(database=str(_resolve(url.database, base)))
    elif not url.database:
        raise ValueError(f"{shown}: the URL names no database (…/DBNAME)")
    problem = DIALECTS[dialect].native_client.check_url(url)
    if problem:
        raise ValueError(f"{shown}: {problem}")
    return dialect, url, password_env


def _resolve(path: str, base: Path) -> Path:
    candidate = Path(os.path.expanduser(path))
    return candidate if candidate.is_absolute() else (base / candidate).resolve()


def parse_target_option(text: str, base: Path | None = None) -> Target:
    """`--target NAME=URL`: an ad-hoc target (a password typed here is used and masked, never written)."""
    name, sep, url = text.partition("=")
    if not sep or not url:
        raise FleetError(f"--target {urls.mask(text)!r}: expected NAME=URL, or the NAME of a target in the fleet file")
    if not NAME.match(name):
        raise FleetError(f"--target {name!r}: a target name may only use letters, digits and . _ -")
    try:
        dialect, parsed, password_env = parse_url(url, base or Path.cwd(), allow_password=True)
    except ValueError as exc:
        raise FleetError(f"--target {name}: {exc}") from None
    return Target(name=name, dialect=dialect, url=parsed, password_env=password_env)


def _table_lines(text: str, table: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if re.match(rf"^\s*\[\[\s*{table}\s*\]\]", line)]


def load_fleet(path: Path | str) -> Fleet:
    """Read and validate a fleet file; every error names file:line and what to write instead."""
    path = Path(path)
    shown = path.name if path.parent == Path(".") else str(path)
    data, text = tomlfile.load(path, FleetError, shown)
    base = path.resolve().parent

    def fail(message: str, line: int | None, hint: str | None = None) -> FleetError:
        return FleetError(message, path=shown, line=line, hint=hint)

    for key in data:
        if key not in ("fleet", "target", "wave"):
            raise fail(f"unknown table or key {key!r}", tomlfile.line_of(text, rf"^\s*\[?\[?\s*{re.escape(key)}\b"),
                       "a fleet file holds [fleet], [[target]] and [[wave]]")
    settings = _settings(data.get("fleet", {}), text, fail, base)
    targets = _targets(data.get("target", []), text, fail, base)
    waves = _waves(data.get("wave", []), text, fail)
    return Fleet(path=path, targets=tuple(targets), waves=tuple(waves), **settings)


def _settings(table, text: str, fail, base: Path) -> dict:
    section = tomlfile.line_of(text, r"^\s*\[fleet\]") or 1
    if not isinstance(table, dict):
        raise fail("[fleet] must be a table", section)
    settings: dict = {}
    for key, value in table.items():
        line = tomlfile.key_line(text, key, after=section) or section
        if key not in SETTINGS:
            raise fail(f"[fleet]: unknown setting {key!r}", line, f"known settings: {', '.join(sorted(SETTINGS))}")
        if not isinstance(value, SETTINGS[key]) or isinstance(value, bool):
            raise fail(f"[fleet] {key} must be {'a whole number' if SETTINGS[key] is int else 'a string'}", line)
        if SETTINGS[key] is int and value < 1:
            raise fail(f"[fleet] {key} must be at least 1", line)
        settings[key] = _resolve(value, base) if key in ("bundles", "journal") else value
    return settings


def _targets(entries, text: str, fail, base: Path) -> list[Target]:
    if not isinstance(entries, list):
        raise fail("`target` must be an array of tables ([[target]])", 1)
    lines = _table_lines(text, "target")
    targets: list[Target] = []
    seen: dict[str, int | None] = {}
    for index, entry in enumerate(entries):
        header = lines[index] if index < len(lines) else None
        end = lines[index + 1] if index + 1 < len(lines) else None

        def at(key: str) -> int | None:
            found = tomlfile.key_line(text, key, after=header or 0)
            return found if found and (end is None or found < end) else header

        unknown = sorted(set(entry) - TARGET_KEYS)
        if unknown:
            raise fail(f"unknown key {unknown[0]!r} in a target", at(unknown[0]), f"a target has {', '.join(sorted(TARGET_KEYS))}")
        target = _target(entry, at, fail, base)
        if target.name in seen:
            raise fail(f"target {target.name!r} is defined twice (first at line {seen[target.name]})", at("name"))
        seen[target.name] = header
        targets.append(target)
    return targets


def _target(entry: dict, at, fail, base: Path) -> Target:
    name = entry.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise fail("a target needs a `name`: letters, digits and . _ - (at most 100)", at("name"))
    for key in ("url", "path", "dialect", "password_env", "password_command", "option_file"):
        if key in entry and (not isinstance(entry[key], str) or not entry[key].strip()):
            raise fail(f"target {name}: `{key}` must be a non-empty string", at(key))
    if ("url" in entry) == ("path" in entry):
        raise fail(f"target {name}: give either `url` (a database URL) or `path` (a SQLite file)", at("url") if "url" in entry else at("name"))
    try:
        if "path" in entry:
            dialect, url, password_env = parse_url("sqlite:///" + str(_resolve(entry["path"], base)), base, allow_password=False)
        else:
            dialect, url, password_env = parse_url(entry["url"], base, allow_password=False)
    except ValueError as exc:
        raise fail(f"target {name}: {exc}", at("url") if "url" in entry else at("path")) from None
    named = entry.get("dialect")
    if named is not None and (BACKENDS.get(named) or ALIASES.get(named, named)) != dialect:
        raise fail(f"target {name}: dialect {entry['dialect']!r} does not match its URL ({dialect})", at("dialect"))
    sources = [k for k in ("password_env", "password_command", "option_file") if k in entry] + (["${...} in the url"] if password_env else [])
    if len(sources) > 1:
        raise fail(f"target {name}: give one password source, not {' and '.join(sources)}", at(sources[0]))
    if "password_env" in entry:
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", entry["password_env"]):
            raise fail(f"target {name}: password_env must be an environment variable name", at("password_env"))
        password_env = entry["password_env"]
    if dialect == "sqlite" and (password_env or "password_command" in entry or "option_file" in entry):
        raise fail(f"target {name}: a SQLite file has no password", at(sources[0]))
    if "option_file" in entry and dialect != "mysql":
        raise fail(f"target {name}: option_file is for MySQL/MariaDB targets (PostgreSQL reads ~/.pgpass or passfile=)", at("option_file"))
    labels = entry.get("labels", {})
    if not isinstance(labels, dict):
        raise fail(f"target {name}: `labels` must be a table, e.g. labels = {{ region = \"eu\" }}", at("labels"))
    for key, value in labels.items():
        if not LABEL.match(key) or key == "name":
            raise fail(f"target {name}: label {key!r}: letters, digits and _ . - (and not `name`)", at("labels"))
        if not isinstance(value, str) or not value or any(ord(c) < 32 for c in value):
            raise fail(f"target {name}: label {key} must be a non-empty string", at("labels"))
    option_file = str(_resolve(entry["option_file"], base)) if "option_file" in entry else None
    return Target(
        name=name,
        dialect=dialect,
        url=url,
        labels=tuple(sorted(labels.items())),
        password_env=password_env,
        password_command=entry.get("password_command"),
        option_file=option_file,
        line=at("name"),
    )


def parse_selector(items, where: str = "--select") -> Selector:
    """LABEL=VALUE items (a label given twice accepts either value) -> Selector."""
    labels: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = str(item).partition("=")
        if not sep or not LABEL.match(key) or not value:
            raise FleetError(f"{where} {item!r}: expected LABEL=VALUE, e.g. region=eu")
        labels.setdefault(key, []).append(value)
    return Selector(tuple(sorted((k, tuple(v)) for k, v in labels.items())))


def _waves(entries, text: str, fail) -> list[Wave]:
    if not isinstance(entries, list):
        raise fail("`wave` must be an array of tables ([[wave]])", 1)
    lines = _table_lines(text, "wave")
    waves: list[Wave] = []
    for index, entry in enumerate(entries):
        header = lines[index] if index < len(lines) else None

        def at(key: str) -> int | None:
            return tomlfile.key_line(text, key, after=header or 0) or header

        unknown = sorted(set(entry) - WAVE_KEYS)
        if unknown:
            raise fail(f"unknown key {unknown[0]!r} in a wave", at(unknown[0]), f"a wave has {', '.join(sorted(WAVE_KEYS))}")
        name = entry.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            raise fail("a wave needs a `name`: letters, digits and . _ -", at("name"))
        if any(w.name == name for w in waves):
            raise fail(f"wave {name!r} is defined twice", at("name"))
        select = entry.get("select", {})
        if isinstance(select, dict):
            items = [f"{k}={v}" for k, values in select.items() for v in (values if isinstance(values, list) else [values])]
        elif isinstance(select, list):
            items = select
        else:
            raise fail(f"wave {name}: `select` must be a table of labels, e.g. select = {{ tier = \"canary\" }}", at("select"))
        try:
            selector = parse_selector(items, f"wave {name}: select")
        except FleetError as exc:
            raise fail(exc.message, at("select")) from None
        budget = entry.get("failure_budget", 0)
        if isinstance(budget, bool) or not (
            (isinstance(budget, int) and budget >= 0) or (isinstance(budget, str) and re.match(r"^\d+(\.\d+)?%$", budget) and float(budget[:-1]) <= 100)
        ):
            raise fail(f"wave {name}: failure_budget must be a count (0, 1, ...) or a percentage like \"10%\"", at("failure_budget"))
        waves.append(Wave(name=name, select=selector, failure_budget=budget, line=header))
    return waves


def select_targets(fleet: Fleet, names=(), selector: Selector | None = None) -> list[Target]:
    """The targets named (all when none are) that match the selector, in fleet order."""
    chosen = [fleet.target(n) for n in dict.fromkeys(names)] if names else list(fleet.targets)
    if selector is not None:
        chosen = [t for t in chosen if selector.matches(t)]
    return chosen


@dataclass
class WavePlan:
    wave: Wave
    targets: list[Target] = field(default_factory=list)


def plan_waves(fleet: Fleet, targets: list[Target], only: str | None = None) -> list[WavePlan]:
    """Targets grouped by wave, in wave order; a target belongs to the first wave that selects it.

    Targets no wave selects form a last wave `rest` (failure budget 0). Without
    waves in the fleet file, all targets form one wave `all`.
    """
    if not fleet.waves:
        if only is not None:
            raise FleetError(f"--wave {only}: the fleet file defines no waves")
        return [WavePlan(Wave(name="all", select=Selector(), failure_budget="100%"), list(targets))]
    plans = [WavePlan(w) for w in fleet.waves]
    rest = WavePlan(Wave(name="rest", select=Selector(), failure_budget=0))
    for target in targets:
        home = next((p for p in plans if p.wave.select.matches(target)), rest)
        home.targets.append(target)
    if rest.targets:
        plans.append(rest)
    if only is not None:
        names = [p.wave.name for p in plans]
        if only not in names:
            raise FleetError(f"--wave {only}: no such wave", hint=f"waves: {', '.join(names)}")
        plans = [p for p in plans if p.wave.name == only]
    return plans
