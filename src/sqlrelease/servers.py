"""Where rehearsal finds a server for its scratch databases.

In order: `--rehearse-url DIALECT=URL` on the command line (set for the process
by `use_urls`), the environment variable `SQLRELEASE_REHEARSE_URL_<DIALECT>`
(keeps passwords out of the repository), or `[tool.sqlrelease.rehearse]` in
pyproject.toml. SQLite needs none: its scratch database is a temporary file.
Every URL is parsed by `urls.parse` (one-line errors, password hidden).
"""

from __future__ import annotations

import os

from . import urls
from .dialects import DIALECTS, canonical
from .errors import ConfigError

ENV_PREFIX = "SQLRELEASE_REHEARSE_URL_"
# SQLAlchemy backend names a server URL may use, per dialect.
BACKENDS = {"mysql": ("mysql", "mariadb")}


def settings(config) -> dict:
    """[tool.sqlrelease.rehearse], with dialect aliases (postgres, mariadb) under their canonical names."""
    return {(key if key == "revisions" else canonical(key, "[tool.sqlrelease.rehearse]")): value for key, value in config.rehearse}


def url(config, dialect: str):
    """The server a scratch database for `dialect` is made on (a SQLAlchemy URL), or None."""
    variable = ENV_PREFIX + dialect.upper()
    if os.environ.get(variable):
        return _server_url(os.environ[variable], dialect, variable)
    if settings(config).get(dialect) is not None:
        return _server_url(settings(config)[dialect], dialect, f"[tool.sqlrelease.rehearse] {dialect}")
    return None


def _server_url(text, dialect: str, source: str):
    parsed = urls.parse(text, f"the {dialect} rehearsal server ({source})")
    if parsed.get_backend_name() not in BACKENDS.get(dialect, (dialect,)):
        raise ConfigError(
            f"the {dialect} rehearsal server ({source}) {urls.shown(parsed)} is a {parsed.get_backend_name()} URL",
            hint=f"give a {dialect} server for {dialect} rehearsals",
        )
    return parsed


def available(config, dialect: str) -> bool:
    return dialect == "sqlite" or url(config, dialect) is not None


def how_to_name_a_server(dialect: str) -> str:
    """The three ways to give a server to rehearse `dialect` on, for hints."""
    return (
        f"--rehearse-url {dialect}=URL, the environment variable {ENV_PREFIX}{dialect.upper()}=URL, "
        f'or {dialect} = "URL" in [tool.sqlrelease.rehearse]'
    )


def wanted(config) -> frozenset[str]:
    """Revisions the config asks to rehearse even when they render offline."""
    return frozenset(settings(config).get("revisions", ()))


def use_urls(pairs) -> None:
    """`DIALECT=URL` pairs given on the command line: the servers to rehearse on, for this process."""
    for pair in pairs:
        dialect, sep, value = pair.partition("=")
        if not sep or not value:
            raise ConfigError(
                f"--rehearse-url {urls.mask(pair)!r}: expected DIALECT=URL",
                hint=f"DIALECT is one of {', '.join(DIALECTS)}",
            )
        dialect = canonical(dialect, "--rehearse-url")
        _server_url(value, dialect, "--rehearse-url")
        os.environ[ENV_PREFIX + dialect.upper()] = value
