"""Per-dialect knowledge: one module per dialect, each registering one `Dialect`.

A dialect knows the SQLAlchemy URL that selects it for offline rendering, whether
its DDL is transactional, what its client needs between statements, the exact
client command lines a DBA runs, and (in `templates/<name>.sql.j2`) its guard and
version-table SQL. Adding a dialect means adding a module here and a template.
"""

from __future__ import annotations

from ..errors import ConfigError
from .base import Dialect
from . import mssql, mysql, oracle, postgresql, sqlite

DIALECTS: dict[str, Dialect] = {
    d.name: d for d in (postgresql.DIALECT, mysql.DIALECT, sqlite.DIALECT, mssql.DIALECT, oracle.DIALECT)
}

# Names people use for a dialect; each means the canonical name it maps to.
ALIASES: dict[str, str] = {
    "postgres": "postgresql",
    "pg": "postgresql",
    "pgsql": "postgresql",
    "psql": "postgresql",
    "mariadb": "mysql",
    "sqlite3": "sqlite",
    "sqlserver": "mssql",
}

__all__ = ["ALIASES", "DIALECTS", "Dialect", "canonical", "get"]


def get(name: str) -> Dialect:
    return DIALECTS[canonical(name)]


def canonical(name: str, what: str = "dialect") -> str:
    """The canonical dialect name for `name` or one of its aliases (`postgres` -> `postgresql`).

    An unknown name is a ConfigError naming `what` and suggesting the nearest name."""
    key = name.strip().lower()
    if key in DIALECTS:
        return key
    if key in ALIASES:
        return ALIASES[key]
    import difflib  # here: only a misspelt name needs it

    near = difflib.get_close_matches(key, [*DIALECTS, *ALIASES], n=1, cutoff=0.6)
    suggestion = f"did you mean {ALIASES.get(near[0], near[0])}? " if near else ""
    raise ConfigError(f"{what}: unknown dialect {name!r}", hint=f"{suggestion}choose from {', '.join(DIALECTS)}")
