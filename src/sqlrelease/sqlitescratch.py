"""The in-memory SQLite database the expected schema is computed on, kept small.

SQLite reads its whole schema again on every ALTER TABLE: a RENAME (every batch
rebuild ends with one) parses the CREATE statement of every table and index in the
database, several times over. Applied to one database holding all of a history's
tables, the chain of releases cost the number of renames times the number of tables:
about 6 s CPU of the 1,000-revision benchmark's build (172 tables at the end), and
it grew with the square of the history.

So the scratch is two databases on one connection: `main`, where each file runs,
holds the tables the file can reach; the others wait, with their indexes and rows,
in an attached database, and come back before a file that can reach them. A file
reaches, without resolving its SQL:
- a table whose name, or one of whose indexes' names, it names: every word of the
  file counts (comments too), and a name counts when all its words are there;
- a table whose foreign keys name a name the file names (a RENAME rewrites them);
- every table, when the file or the database holds what reaches tables without
  naming them: views, triggers, temporary objects, reads of sqlite_master or PRAGMAs
  other than the two the bundles' guards make (one named table's row or columns),
  ATTACH, VACUUM, ANALYZE, REINDEX.
A table moves by running its stored CREATE statement and its indexes' in the other
database (SQLite stores them from the name on, so the stored text is the same),
copying its rows with their rowids, checking both, then dropping it where it was. A
table that cannot be copied exactly (AUTOINCREMENT, generated or hidden columns, a
column named like the rowid, a WITHOUT ROWID table whose probe fails, SQLite's own
tables, anything but CREATE TABLE) stays in `main`. Objects keep their text, rows
and rowids; only their places in sqlite_master change, which the schema query does
not read. tests/test_expected_scratch.py applies histories both ways and compares
every table's stored text and rows after each release; test_bench_history.py
compares the fingerprints with what `sqlite3 -bail` leaves.
"""

from __future__ import annotations

import functools
import re
import sqlite3

from . import schema

# The attached databases the tables no file reaches wait in (SQLite attaches at most 10 by default):
# moving a table in or out scans the catalog of both databases, so several small ones cost less than one
# large one. A file that names them reaches everything.
AWAY = "sqlrelease_away"
_SHARDS = 8

_DOT_COMMAND = re.compile(r"^\.(bail on|timeout \d+)$", re.M)
_WORD = re.compile(r"\w+")
# The only reads of the catalog that reach no table but the one they name (the bundles' guards make them).
_NAMED_READS = re.compile(r"sqlite_master where type = 'table' and name = '[^']*'|pragma_table_info\('[^']*'\)")
_REACHES_ALL = re.compile(
    r"\b(?:sqlite_\w*|pragma\w*|attach|detach|vacuum|analyze|reindex|temp|temporary|view|trigger|virtual|"
    + AWAY
    + r"\w*)\b"
)
# What outlives its file on the connection (settings, attached databases): after it, every table stays in main.
_LASTING = re.compile(r"\b(?:pragma\w*|attach|detach)\b")
# A name in any of SQLite's quotings.
_NAME = r"(?:\"(?:[^\"]|\"\")*\"|\[[^\]]*\]|`(?:[^`]|``)*`|'(?:[^']|'')*'|\w+)"
# A foreign key's table (SQLite allows no schema name there).
_REFERENCES = re.compile(r"\breferences\s+(" + _NAME + ")", re.I)
_REFERENCES_WORD = re.compile(r"\breferences\b", re.I)
# The table of an ALTER TABLE, and the word after it (only RENAME rewrites other tables: their foreign keys).
# No \b before "alter": the search then starts from the literal, 25 times faster, and "alter" inside a
# longer word only adds words to look for.
_ALTER = re.compile(r"alter\s+table\s+(" + _NAME + r"(?:\s*\.\s*" + _NAME + r")?)\s*(\w*)")
# Releases a table may stay in `main` without being reached before it is moved away.
_IDLE = 1


class ScratchFailure(Exception):
    """A release's files did not apply on the scratch database."""


@functools.lru_cache(maxsize=None)
def _words(name: str) -> frozenset[str]:
    return frozenset(_WORD.findall(name.lower()))


class SqliteScratch:
    """An in-memory SQLite database, driven by Python's sqlite3 module, holding only what each file reaches.

    `small=False` keeps every table in `main` (the plain database, as `sqlite3 -bail` has it).
    """

    def __init__(self, small: bool = True) -> None:
        self._small = small
        self._shards = [f"{AWAY}{number}" for number in range(_SHARDS)] if small else []
        self._held: dict[str, int] = dict.fromkeys(self._shards, 0)  # objects in each shard
        self._idle: dict[str, int] = {}  # table: files applied since one last reached it
        self._pinned: set[tuple] = set()  # (table, CREATE statement) that cannot be moved
        self._refs: dict[str, tuple[frozenset[str], ...] | None] = {}  # CREATE statement: its tables' names' words
        self._keys: dict[str, str] = {}  # CREATE TABLE statement: the columns its rows are copied by

    def __enter__(self):
        self._connection = sqlite3.connect(":memory:", isolation_level=None)
        if self._small:
            for shard in self._shards:
                self._connection.execute(f"ATTACH ':memory:' AS {shard}")
        return self

    def __exit__(self, *exc) -> None:
        self._connection.close()

    def apply(self, text: str, upcoming: str = "") -> None:
        """Run one file (its dot-commands left out), with the tables it reaches in `main`.

        `upcoming`: the files that come next, if known: the tables they name stay in `main` (moving a
        table away and back costs more than keeping it there for one more file).
        """
        script = _DOT_COMMAND.sub("", text)
        if self._shards and (self._small or self.waiting()):
            self._arrange(script, upcoming)
        try:
            self._connection.executescript(script)
        except sqlite3.Error as exc:
            raise ScratchFailure(str(exc)) from None

    def waiting(self) -> set[str]:
        """The tables waiting outside `main` (none when the scratch is not kept small)."""
        return {table for shard in self._shards for table in self._tables(shard)}

    def catalog(self, schema_name: str | None) -> dict[str, tuple]:
        """Each table's rows of sqlite_master (its CREATE statement and its indexes'), by table, wherever it waits."""
        if schema_name:
            query = f'SELECT tbl_name, type, name, sql FROM "{schema_name}".sqlite_master ORDER BY 1, 2, 3'
        else:
            query = " UNION ALL ".join(
                f"SELECT tbl_name, type, name, sql FROM {database}.sqlite_master" for database in ["main", *self._shards]
            ) + " ORDER BY 1, 2, 3"
        found: dict[str, list] = {}
        for table, *row in self._connection.execute(query):
            found.setdefault(table, []).append(tuple(row))
        return {table: tuple(rows) for table, rows in found.items()}

    def gather(self, tables: set[str]) -> None:
        """Bring those of `tables` that wait outside `main` back, for the schema query, which reads `main`'s
        catalog only. A table a release changed may wait already: with separate stamp files, the one it
        changed in upgrade.sql is moved away before stamp.sql, which does not name it."""
        if not self._shards or tables <= {name for (name,) in self._connection.execute("SELECT tbl_name FROM main.sqlite_master")}:
            return  # all there (inline stamps: every time), found with one query instead of one per shard
        away = {t: (shard, rows) for shard in self._shards for t, rows in self._tables(shard).items() if t in tables}
        if away:
            self._connection.execute("BEGIN")
            self._take_back(away)
            self._connection.execute("COMMIT")

    def read(self, query: str) -> list[dict]:
        """The rows the schema query's statements return (`schema.rows`), in order."""
        lines: list[str] = []
        statement = ""
        for line in query.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                if statement.strip() and not all(l.strip().startswith("--") or not l.strip() for l in statement.splitlines()):
                    lines.extend(str(row[0]) for row in self._connection.execute(statement))
                statement = ""
        return schema.rows_from_values(lines)

    # -- keeping `main` small ------------------------------------------------------------------

    def _tables(self, database: str) -> dict[str, list[tuple[str, str, str | None]]]:
        found: dict[str, list] = {}
        for kind, name, table, sql in self._connection.execute(
            f"SELECT type, name, tbl_name, sql FROM {database}.sqlite_master ORDER BY rowid"
        ):
            found.setdefault(table, []).append((kind, name, sql))
        return found

    def _reaches_all(self, lowered: str) -> bool:
        unnamed = _NAMED_READS.sub(" ", lowered)
        if _LASTING.search(unnamed):
            self._small = False  # from this file on, as a plain database
            return True
        if _REACHES_ALL.search(unnamed):
            return True
        # Views and triggers (kept in main) reach tables by their own SQL, temporary objects outlive their file.
        held = "SELECT 1 FROM main.sqlite_master WHERE type IN ('view', 'trigger') UNION ALL SELECT 1 FROM temp.sqlite_master"
        return self._connection.execute(held).fetchone() is not None

    def _foreign_tables(self, sql: str | None) -> tuple[frozenset[str], ...] | None:
        """The words of each table a CREATE statement's foreign keys name; None when they cannot be told."""
        if sql is None:
            return ()
        if sql not in self._refs:
            targets = _REFERENCES.findall(sql)
            self._refs[sql] = (
                tuple(_words(target) for target in targets)
                if len(targets) == len(_REFERENCES_WORD.findall(sql))
                else None
            )
        return self._refs[sql]

    def _reached(self, table: str, rows, words: set[str], renamed: set[str]) -> bool:
        if any(_words(name) <= words for _, name, _ in rows):
            return True
        for _, _, sql in rows:
            targets = self._foreign_tables(sql)
            if targets is None or any(target <= renamed for target in targets):
                return True
        return False

    def _arrange(self, script: str, upcoming: str) -> None:
        lowered = script.lower()
        here = self._tables("main")
        away = {table: (shard, rows) for shard in self._shards for table, rows in self._tables(shard).items()}
        if self._reaches_all(lowered):
            wanted = set(here) | set(away)
        else:
            words = set(_WORD.findall(lowered))
            renamed = _renamed(lowered, words)
            wanted = {t for t, rows in here.items() if self._reached(t, rows, words, renamed)}
            wanted |= {t for t, (_, rows) in away.items() if self._reached(t, rows, words, renamed)}
        soon = set(_WORD.findall(upcoming.lower()))
        self._connection.execute("BEGIN")
        for table, rows in here.items():
            named_soon = any(_words(name) <= soon for _, name, _ in rows)
            idle = 0 if table in wanted or named_soon else self._idle.get(table, 0) + 1
            self._idle[table] = idle
            if self._small and idle >= _IDLE and self._movable(table, rows, "main"):
                shard = min(self._shards, key=self._held.__getitem__)
                if self._move(table, rows, "main", shard):
                    self._held[shard] += len(rows)
        self._take_back({table: place for table, place in away.items() if table in wanted})
        self._connection.execute("COMMIT")

    def _take_back(self, away: dict[str, tuple[str, list]]) -> None:
        """Move the waiting tables `away` ({table: (shard, catalog rows)}) back to `main`."""
        for table, (shard, rows) in away.items():
            self._idle[table] = 0
            self._held[shard] -= len(rows)
            if not self._move(table, rows, shard, "main"):
                raise RuntimeError(f"the scratch database could not take table {table} back")

    def _movable(self, table: str, rows, database: str) -> bool:
        create = rows[0][2] if rows and rows[0][0] == "table" else None
        key = (table, create)
        if key in self._pinned:
            return False
        movable = (
            create is not None
            and create.startswith("CREATE TABLE ")
            and not table.lower().startswith("sqlite_")
            and "autoincrement" not in create.lower()
            and all(kind == "index" and (sql is None or sql.startswith(("CREATE INDEX ", "CREATE UNIQUE INDEX "))) for kind, _, sql in rows[1:])
            and not any(
                hidden or name.lower() in ("rowid", "oid", "_rowid_")
                for name, hidden in self._connection.execute(
                    "SELECT name, hidden FROM pragma_table_xinfo(?, ?)", (table, database)
                )
            )
        )
        if not movable:
            self._pinned.add(key)
        return movable

    def _move(self, table: str, rows, source: str, target: str) -> bool:
        """Move a table, its indexes and rows from `source` to `target`; False (nothing moved) when the copy differs."""
        connection, quoted, create = self._connection, _quote(table), rows[0][2]
        connection.execute("SAVEPOINT sqlrelease_move")
        try:
            connection.execute(f"CREATE TABLE {target}." + create[len("CREATE TABLE "):])
            keys = self._keys.get(create) or self._keys.setdefault(create, self._row_keys(table, source))
            connection.execute(f"INSERT INTO {target}.{quoted} ({keys}) SELECT {keys} FROM {source}.{quoted}")
            for _, _, sql in rows[1:]:
                if sql is not None:
                    prefix = "CREATE UNIQUE INDEX " if sql.startswith("CREATE UNIQUE INDEX ") else "CREATE INDEX "
                    connection.execute(prefix + f"{target}." + sql[len(prefix):])
            # The copy holds the same stored statements and as many rows (its rows are the same values: the
            # columns' affinities are the same, and applying one twice changes no value).
            same = connection.execute(_SAME.format(source=source, target=target, table=quoted), (table, table)).fetchone()[0]
        except sqlite3.Error:
            same = False
        if not same:
            connection.execute("ROLLBACK TO sqlrelease_move")
            connection.execute("RELEASE sqlrelease_move")
            self._pinned.add((table, create))
            return False
        connection.execute(f"DROP TABLE {source}.{quoted}")
        connection.execute("RELEASE sqlrelease_move")
        return True

    def _row_keys(self, table: str, source: str) -> str:
        """The columns to copy a table's rows by: its rowid too, unless it is a WITHOUT ROWID table."""
        columns = ", ".join(
            _quote(name) for (name,) in self._connection.execute("SELECT name FROM pragma_table_info(?, ?)", (table, source))
        )
        try:
            self._connection.execute(f"SELECT rowid FROM {source}.{_quote(table)} LIMIT 0")
        except sqlite3.OperationalError:  # WITHOUT ROWID: its primary key is among the columns
            return columns
        return "rowid, " + columns


_SAME = (
    "SELECT (SELECT group_concat(type || ':' || name || ':' || quote(sql), char(10)) FROM"
    " (SELECT * FROM {target}.sqlite_master WHERE tbl_name = ? ORDER BY rowid))"
    " IS (SELECT group_concat(type || ':' || name || ':' || quote(sql), char(10)) FROM"
    " (SELECT * FROM {source}.sqlite_master WHERE tbl_name = ? ORDER BY rowid))"
    " AND (SELECT count(*) FROM {target}.{table}) = (SELECT count(*) FROM {source}.{table})"
)


def _renamed(lowered: str, words: set[str]) -> set[str]:
    """The words of the tables a file may rename, or rename a column of (every word, when its ALTERs cannot be told)."""
    found = _ALTER.findall(lowered)
    if len(found) != lowered.count("alter"):
        return words
    return {word for table, after in found if after == "rename" for word in _WORD.findall(table)}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
