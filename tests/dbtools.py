"""Helpers for tests that run against real databases with the real clients.

The story every such test tells: build SQL, apply it the way a DBA would
(``apply_sql`` runs psql / mariadb / sqlite3), then look at the database
(``schema_snapshot``, ``full_dump``, ``alembic_version``) or move it with
Alembic itself (``run_alembic_online``) to compare.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy.pool import NullPool

DIALECTS = ("postgresql", "mysql", "sqlite")


@dataclass(frozen=True)
class Database:
    """One empty test database and how to reach it.

    ``name`` is the database name on the server, or the file path for SQLite.
    """

    dialect: str  # "postgresql" | "mysql" | "sqlite"
    url: str  # SQLAlchemy URL with driver
    name: str
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def path(self) -> Path:
        """The database file (SQLite only)."""
        if self.dialect != "sqlite":
            raise AttributeError(f"a {self.dialect} database has no file")
        return Path(self.name)

    def client_argv(self) -> list[str]:
        """The command line a DBA runs to apply a script read from stdin."""
        if self.dialect == "postgresql":
            return ["psql", "-v", "ON_ERROR_STOP=1", "-X", "-q",
                    "-h", str(self.host), "-p", str(self.port), "-U", str(self.user), "-d", self.name]
        if self.dialect == "mysql":
            return ["mariadb", "-h", str(self.host), "-P", str(self.port), "-u", str(self.user), self.name]
        if self.dialect == "sqlite":
            return ["sqlite3", "-bail", self.name]
        raise ValueError(f"unknown dialect {self.dialect!r}")

    def client_env(self) -> dict[str, str]:
        """Environment additions the client needs (a password, never on the command line)."""
        if self.password is None:
            return {}
        if self.dialect == "postgresql":
            return {"PGPASSWORD": self.password}
        if self.dialect == "mysql":
            return {"MYSQL_PWD": self.password}
        return {}


def _script_text(path_or_text: str | bytes | os.PathLike) -> str:
    """A PathLike, or a str naming an existing file, is read; any other str is the SQL itself."""
    if isinstance(path_or_text, bytes):
        return path_or_text.decode("utf-8")
    if isinstance(path_or_text, os.PathLike):
        return Path(path_or_text).read_text(encoding="utf-8")
    if "\n" not in path_or_text and len(path_or_text) < 4096 and Path(path_or_text).is_file():
        return Path(path_or_text).read_text(encoding="utf-8")
    return path_or_text


# How a DBA can hand a file to the mariadb / mysql client (FEEDS[how](path) -> options, stdin).
MYSQL_FEEDS = {
    "stdin": lambda path: ([], Path(path).read_text(encoding="utf-8")),
    "force": lambda path: (["--force"], Path(path).read_text(encoding="utf-8")),
    "source": lambda path: (["-e", f"source {path}"], ""),
    "backslash-dot": lambda path: ([], f"\\. {path}\n"),
}


def apply_sql(db: Database, path_or_text: str | bytes | os.PathLike, *, timeout: float = 300,
              feed: str = "stdin") -> subprocess.CompletedProcess:
    """Feed a script to the dialect's real client on stdin, as a DBA would.

    ``feed`` (MySQL only) names another way a DBA runs a file: ``force``
    (``--force < file``), ``source`` (``-e "source file"``), ``backslash-dot``
    (``\\. file`` typed into the client).  Never raises on a non-zero exit: the
    caller asserts on ``returncode``, ``stdout`` and ``stderr`` (text).
    """
    env = {**os.environ, **db.client_env()}
    options: list[str] = []
    text = _script_text(path_or_text)
    if feed != "stdin":
        if db.dialect != "mysql":
            raise ValueError(f"feed {feed!r} is a mariadb client way; {db.dialect} reads stdin")
        options, text = MYSQL_FEEDS[feed](path_or_text)
    return subprocess.run(
        db.client_argv() + options,
        input=text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        timeout=timeout,
        check=False,
    )



class Databases:
    """Fresh databases per dialect for scripts (pytest has ``make_db``); server ones dropped by ``drop_all``.

    ``servers`` maps "postgresql"/"mysql" to a started ``dbservers.Server``;
    SQLite databases are files in ``folder``.
    """

    def __init__(self, servers: dict, folder: Path) -> None:
        self.servers = servers
        self.folder = folder
        self.created: list[tuple] = []

    def new(self, dialect: str) -> Database:
        import uuid

        name = f"sqlr_{uuid.uuid4().hex[:16]}"
        if dialect == "sqlite":
            path = self.folder / f"{name}.sqlite3"
            return Database(dialect="sqlite", url=f"sqlite:///{path}", name=str(path))
        server = self.servers[dialect]
        url = server.create_database(name)
        self.created.append((server, name))
        return Database(dialect=dialect, url=url, name=name, host=server.host, port=server.port,
                        user=server.user, password=server.password)

    def drop_all(self) -> None:
        for server, name in reversed(self.created):
            server.drop_database(name)
        self.created.clear()

# ---------------------------------------------------------------------------
# Looking at a database
# ---------------------------------------------------------------------------


def _engine(url: str) -> sqlalchemy.Engine:
    # NullPool: no connection outlives the helper, so DROP DATABASE never waits.
    return sqlalchemy.create_engine(url, poolclass=NullPool)


def _squash(text: Any) -> str | None:
    """Whitespace collapsed, redundant outer parentheses removed."""
    if text is None:
        return None
    s = " ".join(str(text).split())
    while s.startswith("(") and s.endswith(")") and _balanced(s[1:-1]):
        s = s[1:-1].strip()
    return s


def _balanced(s: str) -> bool:
    depth = 0
    quote = None
    for ch in s:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _default(value: Any) -> str | None:
    s = _squash(value)
    # MariaDB reports DEFAULT NULL for nullable columns that have no default.
    return None if s is None or s.upper() == "NULL" else s


def _type(type_: Any, dialect: sqlalchemy.Dialect) -> str:
    try:
        compiled = type_.compile(dialect=dialect)
    except Exception:  # NullType and friends: reflection could not name it
        compiled = repr(type_)
    return " ".join(compiled.upper().split())


def _plain(value: Any) -> Any:
    """Reflection extras (dialect options, FK options) as sorted plain data."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return _squash(value)


def _by_name(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda d: (d.get("name") or "", repr(d)))


def _reflect(call, *args, default=None):
    try:
        return call(*args)
    except NotImplementedError:
        return default


def _table_snapshot(insp: sqlalchemy.Inspector, table: str, dialect: sqlalchemy.Dialect) -> dict:
    columns = []
    for col in insp.get_columns(table):
        entry = {
            "name": col["name"],
            "type": _type(col["type"], dialect),
            "nullable": bool(col["nullable"]),
            "default": _default(col.get("default")),
            "autoincrement": col.get("autoincrement") is True,
        }
        for extra in ("computed", "identity", "comment"):
            if col.get(extra) is not None:
                entry[extra] = _plain(col[extra])
        columns.append(entry)

    pk = insp.get_pk_constraint(table) or {}
    indexes = [
        {
            "name": ix["name"],
            "columns": list(ix.get("column_names") or []),
            "expressions": [_squash(e) for e in ix.get("expressions") or []],
            "unique": bool(ix.get("unique")),
            "dialect_options": _plain(ix.get("dialect_options") or {}),
        }
        for ix in insp.get_indexes(table)
    ]
    uniques = [
        {"name": uc["name"], "columns": list(uc["column_names"])}
        for uc in _reflect(insp.get_unique_constraints, table, default=[])
    ]
    fks = [
        {
            "name": fk["name"],
            "columns": list(fk["constrained_columns"]),
            "referred_schema": fk.get("referred_schema"),
            "referred_table": fk["referred_table"],
            "referred_columns": list(fk["referred_columns"]),
            "options": _plain(fk.get("options") or {}),
        }
        for fk in insp.get_foreign_keys(table)
    ]
    checks = [
        {"name": ck["name"], "sqltext": _squash(ck["sqltext"])}
        for ck in _reflect(insp.get_check_constraints, table, default=[])
    ]
    options = {
        k: v for k, v in (_reflect(insp.get_table_options, table, default={}) or {}).items()
        # the AUTO_INCREMENT counter moves with data, it is not schema
        if "auto_increment" not in k.lower()
    }
    comment = (_reflect(insp.get_table_comment, table, default={}) or {}).get("text")
    return {
        "columns": sorted(columns, key=lambda c: c["name"]),
        "primary_key": {"name": pk.get("name"), "columns": list(pk.get("constrained_columns") or [])},
        "indexes": _by_name(indexes),
        "unique_constraints": _by_name(uniques),
        "foreign_keys": _by_name(fks),
        "check_constraints": _by_name(checks),
        "options": _plain(options),
        "comment": comment,
    }


# The receipts every bundle script writes: evidence of what ran, which stays when a
# downgrade undoes the schema. Snapshots leave it out unless asked (bookkeeping=True).
BOOKKEEPING = frozenset({"sqlrelease_receipts", "sqlrelease_progress"})


def _snapshot(conn: sqlalchemy.Connection, bookkeeping: bool = False) -> dict:
    insp = sqlalchemy.inspect(conn)
    dialect = conn.dialect
    snapshot: dict[str, Any] = {
        "tables": {
            t: _table_snapshot(insp, t, dialect)
            for t in sorted(insp.get_table_names())
            if bookkeeping or t not in BOOKKEEPING
        },
        "views": {
            v: _squash(_reflect(insp.get_view_definition, v)) for v in sorted(insp.get_view_names())
        },
    }
    if dialect.name == "postgresql":
        # Types and sequences outlive the tables that used them: a downgrade
        # that forgets them leaves the database changed.
        snapshot["enums"] = {e["name"]: list(e["labels"]) for e in insp.get_enums(schema="*")}
        snapshot["sequences"] = sorted(
            s for s in insp.get_sequence_names() if bookkeeping or not any(s.startswith(t + "_") for t in BOOKKEEPING)
        )
    return snapshot


def schema_snapshot(url: str) -> dict:
    """A sorted, comparable description of everything in the database's schema.

    Tables (``alembic_version`` included), columns, primary keys, indexes,
    unique/foreign-key/check constraints, table options, views, and on
    PostgreSQL enum types and sequences.
    """
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return _snapshot(conn)
    finally:
        engine.dispose()


def _row_key(row: dict) -> list:
    return [(v is None, type(v).__name__, str(v)) for _, v in sorted(row.items())]


def full_dump(url: str) -> dict:
    """``schema_snapshot`` plus ``rows``: every table's rows, sorted, as dicts."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            snapshot = _snapshot(conn)
            quote = conn.dialect.identifier_preparer.quote
            rows = {}
            for table in snapshot["tables"]:
                result = conn.execute(sqlalchemy.text(f"SELECT * FROM {quote(table)}"))
                table_rows = [dict(sorted(r._mapping.items())) for r in result]
                rows[table] = sorted(table_rows, key=_row_key)
            return {**snapshot, "rows": rows}
    finally:
        engine.dispose()


def alembic_version(url: str, table: str = "alembic_version") -> set[str] | None:
    """The revisions stamped in the version table, or None when it does not exist."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            if not sqlalchemy.inspect(conn).has_table(table):
                return None
            quote = conn.dialect.identifier_preparer.quote
            rows = conn.execute(sqlalchemy.text(f"SELECT version_num FROM {quote(table)}"))
            return {r[0] for r in rows}
    finally:
        engine.dispose()


def alembic_config(script_location_or_ini: str | os.PathLike, url: str):
    """An Alembic Config for a script directory or an alembic.ini, pointed at ``url``."""
    from alembic.config import Config

    location = Path(script_location_or_ini)
    if location.is_file():
        config = Config(str(location))
        # Read the ini, then hide its name: env.py's fileConfig() would turn on
        # Alembic's INFO logging for the rest of the process.
        _ = config.file_config
        config.config_file_name = None
    else:
        config = Config()
        config.set_main_option("script_location", str(location))
    # ConfigParser interpolation: a literal % (e.g. in a password) must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def run_alembic_online(script_location_or_ini: str | os.PathLike, url: str, direction: str,
                       target: str) -> None:
    """Run ``alembic upgrade|downgrade TARGET`` against a live database, in-process.

    Relies on the history's env.py reading ``sqlalchemy.url`` from the config
    in online mode, as Alembic's standard template does.
    """
    from alembic import command

    config = alembic_config(script_location_or_ini, url)
    if direction == "upgrade":
        command.upgrade(config, target)
    elif direction == "downgrade":
        command.downgrade(config, target)
    else:
        raise ValueError(f"direction must be 'upgrade' or 'downgrade', not {direction!r}")


def dump_diff(expected: dict, actual: dict, limit: int = 60) -> str:
    """Where two dumps differ, as a short unified diff for an assertion message."""
    import difflib
    import pprint

    lines = difflib.unified_diff(
        pprint.pformat(expected, width=110).splitlines(),
        pprint.pformat(actual, width=110).splitlines(),
        "expected",
        "actual",
        lineterm="",
        n=2,
    )
    return "\n".join(list(lines)[:limit])
