"""Risk analysis of a release's rendered statements (pure functions).

Each statement is classified by a few anchored regular expressions on its
leading keywords; nothing here builds sqlparse's full token tree, so linting a
release costs about as much as reading it (see bench/lint_benchmark.py).
A finding names its rule, severity, release, migration, dialect and statement,
says why the statement is risky and how to make it safe, and carries the sha256
that a waiver binds to.

"Existing table" means a table not created earlier in the same release: the
release's SQL is all we read, so anything else may hold rows on a server.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Iterable

SEVERITIES = ("info", "warning", "error")
BATCH_PREFIX = "_alembic_tmp_"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    why: str
    fix: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "drop-table", "error", "drops a table",
            "every row of the table is lost, and application versions still reading it fail",
            "keep the table until no deployed version uses it; back it up or copy its rows first",
        ),
        Rule(
            "drop-column", "error", "drops a column",
            "the column's data is lost, and application versions still reading it fail",
            "stop using the column in one release, drop it in a later one; back up the data first",
        ),
        Rule(
            "drop-and-create", "error", "drops a table and creates one with the same columns",
            "this is how autogenerate renders a rename: the new table starts empty and the old rows are lost",
            "replace the drop and create with op.rename_table() (and op.alter_column(new_column_name=...))",
        ),
        Rule(
            "column-type-change", "warning", "changes a column's type",
            "the table may be rewritten under an exclusive lock, and values that do not convert make it fail",
            "check every value converts; on large tables add a new column, backfill, and switch over",
        ),
        Rule(
            "rename-table", "warning", "renames a table",
            "application versions still using the old name fail as soon as this runs",
            "deploy code that works with both names first, or add a view with the old name",
        ),
        Rule(
            "rename-column", "warning", "renames a column",
            "application versions still using the old name fail as soon as this runs",
            "deploy code that works with both names first, or add the new column, copy, and drop later",
        ),
        Rule(
            "not-null-no-backfill", "error", "makes a column of an existing table NOT NULL without a backfill",
            "rows that hold NULL (or any row, for a new column without a default) make the statement fail",
            "add the column nullable, backfill it with an UPDATE earlier in the release, then set NOT NULL; or give it a server default",
        ),
        Rule(
            "not-null-after-backfill", "info", "makes a column of an existing table NOT NULL after a backfill",
            "it fails on any server where rows written after the backfill still hold NULL, and scans the table under lock",
            "check the backfill covers every row on every server; keep application versions writing the column",
        ),
        Rule(
            "unique-on-existing-table", "warning", "adds a unique constraint or index to an existing table",
            "duplicates already on a server make it fail, and building the index locks the table",
            "check for duplicates first (SELECT col, count(*) ... HAVING count(*) > 1); on PostgreSQL build the index CONCURRENTLY and attach it",
        ),
        Rule(
            "index-not-concurrent", "warning", "creates an index on an existing table without CONCURRENTLY",
            "on PostgreSQL a plain CREATE INDEX blocks writes to the table until it is built",
            "use postgresql_concurrently=True inside op.get_context().autocommit_block()",
        ),
        Rule(
            "concurrently-in-transaction", "error", "uses CONCURRENTLY inside a transaction",
            "PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY inside a transaction block, and the bundle runs in one",
            "move the index to its own release applied outside a transaction, or build it without CONCURRENTLY",
        ),
        Rule(
            "update-without-where", "error", "updates every row of a table",
            "an UPDATE without WHERE changes every row, including rows the migration's author never saw",
            "add a WHERE clause that selects exactly the rows to change (e.g. WHERE col IS NULL)",
        ),
        Rule(
            "delete-without-where", "error", "deletes every row of a table",
            "a DELETE without WHERE (or a TRUNCATE) removes every row",
            "add a WHERE clause, or copy the rows elsewhere first",
        ),
        Rule(
            "data-migration", "info", "changes data",
            "data changes depend on what each server holds and are often not undone by the downgrade",
            "read the statements; make them idempotent and check their effect on a copy of production",
        ),
        Rule(
            "data-dependent", "error", "has SQL computed from a scratch database's rows",
            "the rehearsal read rows of the scratch database to decide these statements (none at all when it had no rows): "
            "on a real server the migration would read other rows and do something else",
            "write the step as set-based SQL in the migration (op.execute with INSERT/UPDATE ... SELECT), "
            "or supply a reviewed override: overrides/<revision>.<dialect>.<upgrade|downgrade>.sql",
        ),
        Rule(
            "table-rebuild", "info", "rebuilds a table (batch mode copy)",
            "the table is copied row by row under lock; constraints that the old rows violate make it fail",
            "check the copy keeps every column you need and that old rows satisfy the new definition",
        ),
        Rule(
            "copy-from-incomplete", "error", "rebuilds a table from a copy_from that misses one of its columns",
            "the copy would drop the column's data, so the bundle's guard refuses to run on every server that has it",
            "add the column to the Table passed as copy_from; to drop it, call batch_op.drop_column() as well",
        ),
        Rule(
            "irreversible", "warning", "cannot be undone",
            "the step has no downgrade: rolling the release back does not restore what it changed",
            "back up the affected data before applying, or write a downgrade",
        ),
        Rule(
            "mysql-multi-ddl", "warning", "runs several DDL statements on MySQL",
            "MySQL commits each DDL statement on its own: a failure part way leaves the migration half applied",
            "split the migration so each has one DDL statement, or be ready to finish it by hand",
        ),
    )
}


@dataclass(frozen=True)
class Waiver:
    """A reviewer's acceptance of one finding, bound to the rule and the statement's sha256."""

    rule: str
    revision: str
    sha256: str
    reason: str
    by: str = ""
    dialect: str | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    release: str
    revision: str
    dialect: str | None  # None: the whole migration, every dialect
    statement: int | None  # 1-based, in the migration's statements; None: the whole migration
    detail: str
    excerpt: str
    sha256: str  # of the statement, or of the migration's statements for migration-wide findings
    waiver: Waiver | None = None

    @property
    def why(self) -> str:
        return RULES[self.rule].why

    @property
    def fix(self) -> str:
        return RULES[self.rule].fix

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "release": self.release,
            "revision": self.revision,
            "dialect": self.dialect,
            "statement": self.statement,
            "detail": self.detail,
            "excerpt": self.excerpt,
            "why": self.why,
            "fix": self.fix,
            "sha256": self.sha256,
            "waived": self.waived,
            "waiver": None if self.waiver is None else {"reason": self.waiver.reason, "by": self.waiver.by},
        }


# -- classifying statements ---------------------------------------------------

_NAME = r'(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$#]+)'
_IDENT = rf"({_NAME}(?:\s*\.\s*{_NAME})*)"
_FLAGS = re.I | re.S
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
_KEYWORD = re.compile(r"\w+")
_CREATE_TABLE = re.compile(
    rf"CREATE\s+(?:(?:GLOBAL\s+|LOCAL\s+)?(?:TEMP|TEMPORARY)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_IDENT}\s*\(", _FLAGS
)
_CREATE_INDEX = re.compile(
    rf"CREATE\s+(UNIQUE\s+)?(?:CLUSTERED\s+|NONCLUSTERED\s+)?INDEX\s+(CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    rf"(?:{_NAME}\s+)?ON\s+(?:ONLY\s+)?{_IDENT}",
    _FLAGS,
)
_DROP_TABLE = re.compile(rf"DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_IDENT}", _FLAGS)
_DROP_INDEX_CONCURRENTLY = re.compile(r"DROP\s+INDEX\s+CONCURRENTLY\b", _FLAGS)
_ALTER_TABLE = re.compile(rf"ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?{_IDENT}\s+", _FLAGS)
_RENAME_TABLE = re.compile(rf"RENAME\s+TO\s+{_IDENT}", _FLAGS)
_RENAME_COLUMN = re.compile(rf"RENAME\s+(?:COLUMN\s+)?{_IDENT}\s+TO\s+{_IDENT}", _FLAGS)
_DROP_COLUMN = re.compile(rf"DROP\s+COLUMN\s+(?:IF\s+EXISTS\s+)?{_IDENT}", _FLAGS)
_PG_TYPE = re.compile(rf"ALTER\s+(?:COLUMN\s+)?{_IDENT}\s+(?:SET\s+DATA\s+)?TYPE\b", _FLAGS)
_PG_NOT_NULL = re.compile(rf"ALTER\s+(?:COLUMN\s+)?{_IDENT}\s+SET\s+NOT\s+NULL\b", _FLAGS)
_PG_OTHER = re.compile(rf"ALTER\s+(?:COLUMN\s+)?{_NAME}\s+(?:SET|DROP|ADD|RESET|OPTIONS)\b", _FLAGS)
_RESTATE = re.compile(rf"(?:ALTER\s+COLUMN|MODIFY(?:\s+COLUMN)?)\s+{_IDENT}\s+(.*)", _FLAGS)  # mssql, mysql, oracle
_CHANGE = re.compile(rf"CHANGE\s+(?:COLUMN\s+)?{_IDENT}\s+{_IDENT}\s+(.*)", _FLAGS)
_ADD_CONSTRAINT_UNIQUE = re.compile(rf"ADD\s+(?:CONSTRAINT\s+{_NAME}\s+)?UNIQUE\b", _FLAGS)
_ADD_COLUMN = re.compile(
    rf"ADD\s+(?!(?:CONSTRAINT|INDEX|KEY|UNIQUE|PRIMARY|FOREIGN|CHECK|FULLTEXT|SPATIAL|DEFAULT)\b)(?:COLUMN\s+)?{_IDENT}\s+(.*)",
    _FLAGS,
)
_NOT_NULL = re.compile(r"\bNOT\s+NULL\b", re.I)
_DEFAULT = re.compile(r"\bDEFAULT\s+(?!NULL\b)", re.I)  # a default other than NULL
_WITH_VALUES = re.compile(r"\bWITH\s+VALUES\b", re.I)
_NO_TYPE = re.compile(r"\s*(?:NOT\s+NULL|NULL|DEFAULT)\b", re.I)  # Oracle's MODIFY col NULL / NOT NULL / DEFAULT ...
_TERMINATOR = re.compile(r"[\s;]+$")
_MYSQL_RENAME = re.compile(rf"RENAME\s+TABLE\s+{_IDENT}\s+TO\s+{_IDENT}", _FLAGS)
_SP_RENAME = re.compile(r"EXEC(?:UTE)?\s+sp_rename\s+N?'([^']+)'\s*,\s*N?'?([^',;]+?)'?\s*(,\s*N?'COLUMN')?\s*;?\s*$", _FLAGS)
_UPDATE = re.compile(rf"UPDATE\s+(?:ONLY\s+)?{_IDENT}", _FLAGS)
_DELETE = re.compile(rf"DELETE\s+(?:FROM\s+)?(?:ONLY\s+)?{_IDENT}", _FLAGS)
_INSERT = re.compile(rf"INSERT\s+(?:IGNORE\s+)?INTO\s+{_IDENT}", _FLAGS)
_TRUNCATE = re.compile(rf"TRUNCATE\s+(?:TABLE\s+)?{_IDENT}", _FLAGS)
_WHERE = re.compile(r"\bWHERE\b", re.I)
_LITERALS = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.S)
_SET_TARGETS = re.compile(rf"(?:\bSET\s+|,\s*){_IDENT}\s*=", re.I)
_DDL = {"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMENT", "GRANT", "REVOKE"}
_DATA = {"INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "REPLACE", "UPSERT"}


_UNQUOTE = str.maketrans("", "", '"`[] \t\n')


def name(identifier: str) -> str:
    """An identifier as compared: quotes removed, lower case."""
    return identifier.translate(_UNQUOTE).lower()


def _bare(table: str) -> str:
    return table.rsplit(".", 1)[-1]


def statement_sha256(statement: str) -> str:
    return hashlib.sha256(statement.encode("utf-8")).hexdigest()


def excerpt(statement: str, limit: int = 160) -> str:
    text = " ".join(statement[: limit * 4].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _has_where(statement: str) -> bool:
    match = _WHERE.search(statement)
    if match is None:
        return False
    head = statement[: match.start()]
    if "--" not in head and "/*" not in head and head.count("'") % 2 == 0:
        return True  # an even number of quotes before it: not inside a string ('' escapes count twice)
    return _WHERE.search(_LITERALS.sub(" ", statement)) is not None


def _columns(statement: str, start: int) -> dict[str, str]:
    """Column name -> definition of a CREATE TABLE whose body opens at `start` (after the parenthesis)."""
    items, depth, begin, quote = [], 0, start, None
    for i in range(start, len(statement)):
        ch = statement[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                items.append(statement[begin:i])
                break
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(statement[begin:i])
            begin = i + 1
    columns = {}
    for item in items:
        item = item.strip()
        match = re.match(_IDENT + r"\s*(.*)", item, re.S)
        if not match or re.match(r"(?:CONSTRAINT|PRIMARY|FOREIGN|UNIQUE|CHECK|INDEX|KEY)\b", item, re.I):
            if re.search(r"\bUNIQUE\b", item, re.I):
                columns.setdefault("", "")
                columns[""] += " " + " ".join(item.split())
            continue
        columns[name(match.group(1))] = " ".join(match.group(2).split())
    return columns


@dataclass
class _State:
    """What the statements before the current one did, within one release and dialect."""

    created: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> columns (created in this release)
    dropped: list[tuple[str, str, int, str]] = field(default_factory=list)  # table, revision, index, statement
    backfilled: dict[str, list[str]] = field(default_factory=dict)  # table -> UPDATE statements
    set_columns: dict[str, tuple[int, set[str]]] = field(default_factory=dict)  # table -> (updates read, columns set)
    # (bare table, column) added with a default: ADD COLUMN writes the default into every existing row.
    # (SET DEFAULT, MODIFY ... DEFAULT and ADD DEFAULT ... FOR never touch existing rows.)
    filled: set[tuple[str, str]] = field(default_factory=set)
    columns: dict[tuple[str, str], str] = field(default_factory=dict)  # (bare table, column) -> definition, as last stated


class _Linter:
    def __init__(self, release_sql, dialect: str) -> None:
        self.release_sql = release_sql
        self.release = release_sql.release.name
        self.dialect = dialect
        self.state = _State()
        self.rebuilds = ()  # of the migration being read
        self.findings: list[Finding] = []

    def add(self, rule: str, revision: str, index: int | None, statement: str, detail: str, digest: str | None = None):
        self.findings.append(
            Finding(
                rule=rule,
                severity=RULES[rule].severity,
                release=self.release,
                revision=revision,
                dialect=self.dialect,
                statement=index,
                detail=_TERMINATOR.sub("", detail),  # a definition taken to the statement's end
                excerpt=excerpt(statement),
                sha256=digest or statement_sha256(statement),
            )
        )

    def existing(self, table: str) -> bool:
        return table not in self.state.created and _bare(table) not in self.state.created

    # One release, one dialect, all migrations in order.
    def run(self) -> list[Finding]:
        for revision, migration in self.release_sql.upgrade[self.dialect].items():
            self.migration(revision, migration.statements, migration.rebuilds, getattr(migration, "data_dependent", False))
        self.drop_and_create()
        return self.findings

    def migration(self, revision: str, statements, rebuilds=(), data_dependent=False) -> None:
        self.rebuilds = rebuilds
        ddl = data = 0
        first_data = None
        rebuilt: set[str] = set()
        for index, statement in enumerate(statements, start=1):
            start = _LEADING.match(statement).end()
            keyword = _KEYWORD.match(statement, start)
            word = keyword.group(0).upper() if keyword else ""
            if word in _DDL:
                ddl += 1
            if word in _DATA:
                target = _INSERT.match(statement, start)
                if target is None or not name(target.group(1)).startswith(BATCH_PREFIX):
                    data += 1
                    first_data = first_data or (index, statement)
            handler = _HANDLERS.get(word)
            if handler is not None:
                handler(self, revision, index, statement, start, rebuilt)
        if data:
            digest = statement_sha256("\n".join(statements))
            self.add("data-migration", revision, first_data[0], first_data[1],
                     f"{data} data statement(s)" if data > 1 else "1 data statement", digest)
        if self.dialect == "mysql" and ddl > 1:
            self.add("mysql-multi-ddl", revision, None, statements[0], f"{ddl} DDL statements",
                     statement_sha256("\n".join(statements)))
        downgrade = self.release_sql.downgrade.get(self.dialect, {}).get(revision)
        downgrade = downgrade if getattr(downgrade, "data_dependent", False) else None
        if data_dependent or downgrade is not None:
            self.data_dependent(revision, statements, data, first_data, data_dependent, downgrade)

    def data_dependent(self, revision, statements, data, first_data, upgrade_dependent, downgrade) -> None:
        """Rehearsed SQL that the scratch database's rows decided (either direction): once per migration and dialect."""
        parts, hashed = [], []
        if upgrade_dependent:
            parts.append(_dependent_detail("upgrade", data))
            hashed += statements
        if downgrade is not None:
            parts.append(_dependent_detail("downgrade", _data_count(downgrade.statements)))
            hashed += ["-- downgrade"] + list(downgrade.statements)
        index, statement = first_data if upgrade_dependent and first_data else (None, "")
        self.add("data-dependent", revision, index, statement, "; ".join(parts), statement_sha256("\n".join(hashed)))

    def create(self, revision, index, statement, start, rebuilt) -> None:
        match = _CREATE_TABLE.match(statement, start)
        if match:
            table = name(match.group(1))
            columns = _columns(statement, match.end())
            if _bare(table).startswith(BATCH_PREFIX):
                original = _bare(table)[len(BATCH_PREFIX):]
                rebuilt.add(original)
                self.rebuild(revision, index, statement, original, columns)
            else:
                self.state.created[_bare(table)] = columns
            return
        match = _CREATE_INDEX.match(statement, start)
        if match:
            unique, concurrently, table = match.group(1), match.group(2), name(match.group(3))
            if concurrently and self.dialect == "postgresql":
                self.add("concurrently-in-transaction", revision, index, statement, f"index on {table}")
            if self.existing(table):
                if unique:
                    self.add("unique-on-existing-table", revision, index, statement, f"unique index on {table}")
                if self.dialect == "postgresql" and not concurrently:
                    self.add("index-not-concurrent", revision, index, statement, f"index on {table}")

    def rebuild(self, revision, index, statement, table, columns) -> None:
        """A batch-mode copy: compare the new definition with the one the downgrade restores."""
        self.add("table-rebuild", revision, index, statement, f"{table} is copied into a new table")
        before = self.state.created.get(table) or self.restored(revision, table)
        # The columns the copy knows (copy_from), as the renderer saw them; statement indexes here count from 1.
        known = [r for r in self.rebuilds if _bare(r.table) == table and r.index < index]
        known = {c.lower() for c in known[-1].columns} if known else None

        def left_out(column: str) -> None:
            if known is not None and column.lower() not in known:
                self.add("copy-from-incomplete", revision, index, statement,
                         f"copy_from of {table} misses {column}, which the table has before this migration")
            else:
                self.add("drop-column", revision, index, statement, f"the copy of {table} leaves out {column}")

        if before is None:
            # The downgrade re-adds with ALTER what the copy left out (SQLite can add, not drop, columns).
            for column in self.readded(revision, table):
                left_out(column)
            return
        for column, definition in columns.items():
            if not column:
                continue
            old = before.get(column)
            if old is None:
                # A column the copy adds: the INSERT ... SELECT leaves it out, so its default fills every row.
                if _DEFAULT.search(_words(definition)):
                    self.state.filled.add((_bare(table), column))
                elif _NOT_NULL.search(_words(definition)):
                    self.add("not-null-no-backfill", revision, index, statement, f"new column {table}.{column} is NOT NULL")
                continue
            if _NOT_NULL.search(_words(definition)) and not _NOT_NULL.search(_words(old)):
                # The INSERT ... SELECT copies each NULL as NULL: the new column's DEFAULT does not apply.
                self.not_null(revision, index, statement, table, column)
            if _type(definition) != _type(old):
                self.add("column-type-change", revision, index, statement, f"{table}.{column}: {_type(old)} -> {_type(definition)}")
        for column in before:
            if column and column not in columns:
                left_out(column)
        old_unique = set(re.findall(r"\bCONSTRAINT\s+(\S+)\s+UNIQUE", before.get("", ""), re.I))
        for constraint in re.findall(r"\bCONSTRAINT\s+(\S+)\s+UNIQUE", columns.get("", ""), re.I):
            if constraint not in old_unique and self.existing(table):
                self.add("unique-on-existing-table", revision, index, statement, f"{table} gains unique constraint {constraint}")

    def restored(self, revision: str, table: str) -> dict[str, str] | None:
        """The table's columns before `revision`, from the CREATE TABLE its downgrade runs."""
        downgrade = self.release_sql.downgrade.get(self.dialect, {}).get(revision)
        for statement in downgrade.statements if downgrade else ():
            match = _CREATE_TABLE.match(statement, _LEADING.match(statement).end())
            if match and name(match.group(1)) in (table, BATCH_PREFIX + table) or (
                match and _bare(name(match.group(1))) in (table, BATCH_PREFIX + table)
            ):
                return _columns(statement, match.end())
        return None

    def readded(self, revision: str, table: str) -> list[str]:
        """Columns of `table` that the downgrade of `revision` adds back with ALTER TABLE ... ADD."""
        downgrade = self.release_sql.downgrade.get(self.dialect, {}).get(revision)
        columns = []
        for statement in downgrade.statements if downgrade else ():
            match = _ALTER_TABLE.match(statement, _LEADING.match(statement).end())
            if match and _bare(name(match.group(1))) == table:
                add = _ADD_COLUMN.match(statement, match.end())
                if add:
                    columns.append(name(add.group(1)))
        return columns

    def not_null(self, revision, index, statement, table, column) -> None:
        """An existing column becomes NOT NULL: only an earlier UPDATE, or adding it with a default, filled its NULLs.

        A DEFAULT in the same statement (MySQL MODIFY, a batch copy) or set before it (SET DEFAULT,
        ADD DEFAULT ... FOR) applies to rows inserted later, never to the NULLs already there.
        """
        backfill = column in self.set_columns(table) or column in self.set_columns(_bare(table))
        if backfill or (_bare(table), column) in self.state.filled:
            self.add("not-null-after-backfill", revision, index, statement, f"{table}.{column}")
        else:
            self.add("not-null-no-backfill", revision, index, statement, f"{table}.{column}")

    def known(self, revision: str, table: str, column: str) -> str | None:
        """The column's definition before this statement: as stated earlier in the release, or as the downgrade restores it."""
        bare = _bare(table)
        if (bare, column) in self.state.columns:
            return self.state.columns[(bare, column)]
        created = self.state.created.get(bare)
        if created and column in created:
            return created[column]
        downgrade = self.release_sql.downgrade.get(self.dialect, {}).get(revision)
        found = None
        for statement in downgrade.statements if downgrade else ():
            match = _ALTER_TABLE.match(statement, _LEADING.match(statement).end())
            if not match or _bare(name(match.group(1))) != bare:
                continue
            pos = match.end()
            if _PG_TYPE.match(statement, pos) or _PG_OTHER.match(statement, pos):
                continue
            change = _CHANGE.match(statement, pos)
            restate = None if change else _RESTATE.match(statement, pos)
            if change and name(change.group(2)) == column:
                definition = change.group(3)
            elif restate and name(restate.group(1)) == column:
                definition = restate.group(2)
            else:
                continue
            definition = _TERMINATOR.sub("", definition)
            if not _NO_TYPE.match(definition):
                found = definition  # the last one: what the downgrade leaves, so what the upgrade found
        return found

    def restate(self, revision, index, statement, table, column, definition, new=None) -> None:
        """MySQL MODIFY / CHANGE, MSSQL ALTER COLUMN, Oracle MODIFY: a column stated again, whole or in part.

        The statement says what the column becomes, not what it was: compare it with what is known
        of the column before (see `known`). Unknown, a NOT NULL restatement counts as making the
        column NOT NULL (CHANGE excepted: that is a rename), and any other one as a type change.
        """
        definition = _TERMINATOR.sub("", definition)
        words = _words(definition)
        old = self.known(revision, table, column)
        not_null = _NOT_NULL.search(words) is not None
        if old is not None:
            was_nullable = not _NOT_NULL.search(_words(old))
        else:
            was_nullable = new is None
        if not_null and was_nullable:
            self.not_null(revision, index, statement, table, new or column)
        if _NO_TYPE.match(words):
            return  # Oracle: nullability or default only
        if old is not None:
            if _type(old) != _type(definition):
                self.add("column-type-change", revision, index, statement, f"{table}.{column}: {_type(old)} -> {_type(definition)}")
        elif new is None and not not_null:
            self.add("column-type-change", revision, index, statement, f"{table}.{column} restated as {excerpt(definition, 60)}")
        self.state.columns[(_bare(table), new or column)] = definition

    def set_columns(self, table: str) -> set[str]:
        """Columns that UPDATEs so far in the release assign; each UPDATE is read once."""
        updates = self.state.backfilled.get(table, [])
        done, columns = self.state.set_columns.get(table, (0, set()))
        for update in updates[done:]:
            columns.update(name(target) for target in _SET_TARGETS.findall(update))
        self.state.set_columns[table] = (len(updates), columns)
        return columns

    def drop(self, revision, index, statement, start, rebuilt) -> None:
        if _DROP_INDEX_CONCURRENTLY.match(statement, start) and self.dialect == "postgresql":
            self.add("concurrently-in-transaction", revision, index, statement, "drop index")
            return
        match = _DROP_TABLE.match(statement, start)
        if match:
            table = name(match.group(1))
            if _bare(table) in rebuilt:
                return  # the batch copy replaces it
            self.add("drop-table", revision, index, statement, table)
            self.state.dropped.append((table, revision, index, statement))

    def alter(self, revision, index, statement, start, rebuilt) -> None:
        match = _ALTER_TABLE.match(statement, start)
        if not match:
            return
        table, pos = name(match.group(1)), match.end()
        existing = self.existing(table)
        rename = _RENAME_TABLE.match(statement, pos)
        if rename:
            new = name(rename.group(1))
            if _bare(table).startswith(BATCH_PREFIX):
                return
            if existing:
                self.add("rename-table", revision, index, statement, f"{table} -> {new}")
            else:
                self.state.created[_bare(new)] = self.state.created.get(_bare(table), {})
            return
        rename = _RENAME_COLUMN.match(statement, pos)
        if rename:
            if existing:
                self.add("rename-column", revision, index, statement, f"{table}.{name(rename.group(1))} -> {name(rename.group(2))}")
            return
        drop = _DROP_COLUMN.match(statement, pos)
        if drop:
            self.add("drop-column", revision, index, statement, f"{table}.{name(drop.group(1))}")
            return
        if _ADD_CONSTRAINT_UNIQUE.match(statement, pos):
            if existing:
                self.add("unique-on-existing-table", revision, index, statement, f"unique constraint on {table}")
            return
        add = _ADD_COLUMN.match(statement, pos)
        if add:
            column, definition = name(add.group(1)), _TERMINATOR.sub("", add.group(2))
            words = _words(definition)
            self.state.columns[(_bare(table), column)] = definition
            if _DEFAULT.search(words):
                # SQL Server fills existing rows of a nullable new column only WITH VALUES.
                if self.dialect != "mssql" or _NOT_NULL.search(words) or _WITH_VALUES.search(words):
                    self.state.filled.add((_bare(table), column))
            elif existing and _NOT_NULL.search(words):
                self.add("not-null-no-backfill", revision, index, statement, f"new column {table}.{column} is NOT NULL without a default")
            if existing and re.search(r"\bUNIQUE\b", definition, re.I):
                self.add("unique-on-existing-table", revision, index, statement, f"unique column {table}.{column}")
            return
        if not existing:
            return
        pg = _PG_NOT_NULL.match(statement, pos)
        if pg:
            self.not_null(revision, index, statement, table, name(pg.group(1)))
            return
        pg = _PG_TYPE.match(statement, pos)
        if pg:
            self.add("column-type-change", revision, index, statement, f"{table}.{name(pg.group(1))}")
            return
        if _PG_OTHER.match(statement, pos):
            return  # SET DEFAULT among them: it fills no existing row
        change = _CHANGE.match(statement, pos)
        if change:
            old, new = name(change.group(1)), name(change.group(2))
            if old != new:
                self.add("rename-column", revision, index, statement, f"{table}.{old} -> {new}")
            self.restate(revision, index, statement, table, old, change.group(3), new)
            return
        restate = _RESTATE.match(statement, pos)
        if restate:
            self.restate(revision, index, statement, table, name(restate.group(1)), restate.group(2))

    def rename(self, revision, index, statement, start, rebuilt) -> None:
        match = _MYSQL_RENAME.match(statement, start)
        if match and self.existing(name(match.group(1))):
            self.add("rename-table", revision, index, statement, f"{name(match.group(1))} -> {name(match.group(2))}")

    def execute(self, revision, index, statement, start, rebuilt) -> None:
        match = _SP_RENAME.match(statement, start)
        if not match:
            return
        old, new, column = name(match.group(1)), name(match.group(2)), match.group(3)
        if column:
            table = old.rsplit(".", 1)[0]
            if self.existing(table):
                self.add("rename-column", revision, index, statement, f"{old} -> {new}")
        elif self.existing(old):
            self.add("rename-table", revision, index, statement, f"{old} -> {new}")

    def update(self, revision, index, statement, start, rebuilt) -> None:
        match = _UPDATE.match(statement, start)
        if match:
            self.state.backfilled.setdefault(name(match.group(1)), []).append(statement)
        if not _has_where(statement):
            self.add("update-without-where", revision, index, statement, name(match.group(1)) if match else "")

    def delete(self, revision, index, statement, start, rebuilt) -> None:
        match = _DELETE.match(statement, start)
        if not _has_where(statement):
            self.add("delete-without-where", revision, index, statement, name(match.group(1)) if match else "")

    def truncate(self, revision, index, statement, start, rebuilt) -> None:
        match = _TRUNCATE.match(statement, start)
        self.add("delete-without-where", revision, index, statement, name(match.group(1)) if match else "")

    def drop_and_create(self) -> None:
        """Dropped tables whose columns reappear in a table created in the same release."""
        for table, revision, index, statement in self.state.dropped:
            columns = self.restored(revision, _bare(table))
            if not columns:
                continue
            wanted = {c for c in columns if c}
            for other, created in self.state.created.items():
                if {c for c in created if c} == wanted:
                    self.add("drop-and-create", revision, index, statement,
                             f"{table} is dropped and {other} created with the same columns ({', '.join(sorted(wanted))})")
                    break


def _data_count(statements) -> int:
    """INSERT/UPDATE/DELETE/... statements, batch copies excepted (as the data-migration rule counts them)."""
    count = 0
    for statement in statements:
        start = _LEADING.match(statement).end()
        keyword = _KEYWORD.match(statement, start)
        if keyword and keyword.group(0).upper() in _DATA:
            target = _INSERT.match(statement, start)
            count += target is None or not name(target.group(1)).startswith(BATCH_PREFIX)
    return count


def _dependent_detail(direction: str, data: int) -> str:
    if data == 0:
        return f"{direction}: no data statement (the scratch database's rows gave none)"
    return f"{direction}: {data} data statement(s)"


def _words(definition: str) -> str:
    """A column definition with its string literals and comments blanked, to look for keywords in."""
    return _LITERALS.sub("''", definition)


def _type(definition: str) -> str:
    definition = _TERMINATOR.sub("", definition)
    match = re.match(r"\s*([A-Za-z_][\w ]*?(?:\([^)]*\))?)(?=\s+(?:NOT|NULL|DEFAULT|PRIMARY|UNIQUE|REFERENCES|CHECK|COLLATE|GENERATED|AUTO\w*|IDENTITY|COMMENT|CHARACTER|CHARSET)\b|\s*$)", definition, re.I)
    return " ".join((match.group(1) if match else definition.split(" ", 1)[0]).upper().split())


_HANDLERS = {
    "CREATE": _Linter.create,
    "DROP": _Linter.drop,
    "ALTER": _Linter.alter,
    "RENAME": _Linter.rename,
    "EXEC": _Linter.execute,
    "EXECUTE": _Linter.execute,
    "UPDATE": _Linter.update,
    "DELETE": _Linter.delete,
    "TRUNCATE": _Linter.truncate,
}


# -- releases -------------------------------------------------------------------


def lint_release(release_sql, dialects: Iterable[str] | None = None, waivers: Iterable[Waiver] = ()) -> list[Finding]:
    """Findings for one release (a bundle.ReleaseSQL), in migration order, waivers applied."""
    chosen = [d for d in (dialects or sorted(release_sql.upgrade)) if d in release_sql.upgrade]
    order = {revision: i for i, revision in enumerate(release_sql.release.revisions)}
    findings: list[Finding] = []
    for dialect in chosen:
        findings += _Linter(release_sql, dialect).run()
    for item in release_sql.irreversible:
        sample = next(iter(release_sql.upgrade.values()), {}).get(item.revision)
        statements = sample.statements if sample else ()
        detail = item.reason + (" (accepted in the plan)" if item.accepted else "")
        findings.append(
            Finding("irreversible", RULES["irreversible"].severity, release_sql.release.name, item.revision, None,
                    None, detail, excerpt(statements[0]) if statements else "",
                    statement_sha256(item.revision + "\n" + item.reason))
        )
    findings.sort(key=lambda f: (order.get(f.revision, 0), f.dialect or "", f.statement or 0, f.rule))
    return apply_waivers(findings, waivers)


def apply_waivers(findings: list[Finding], waivers: Iterable[Waiver]) -> list[Finding]:
    index = {(w.rule, w.revision, w.sha256): w for w in waivers}
    return [replace(f, waiver=index.get((f.rule, f.revision, f.sha256))) for f in findings]


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


def failing(findings: Iterable[Finding], threshold: str) -> list[Finding]:
    """Unwaived findings at or above `threshold`."""
    return [f for f in findings if not f.waived and at_or_above(f.severity, threshold)]
