"""Per-dialect knowledge: one module per dialect, each registering one `Dialect`.

A dialect knows the SQLAlchemy URL that selects it for offline rendering, whether
its DDL is transactional, what its client needs between statements, the exact
client command lines a DBA runs, and (in `templates/<name>.sql.j2`) its guard and
version-table SQL. Adding a dialect means adding a module here and a template.
"""

from __future__ import annotations

from .base import Dialect
from . import mssql, mysql, oracle, postgresql, sqlite

DIALECTS: dict[str, Dialect] = {
    d.name: d for d in (postgresql.DIALECT, mysql.DIALECT, sqlite.DIALECT, mssql.DIALECT, oracle.DIALECT)
}

__all__ = ["DIALECTS", "Dialect", "get"]


def get(name: str) -> Dialect:
    return DIALECTS[name]
