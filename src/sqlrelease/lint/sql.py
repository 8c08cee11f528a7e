"""Reading SQL statements without parsing them fully: anchored regular expressions on
the leading keywords, and a few helpers for identifiers and column definitions.

Nothing here builds sqlparse's token tree, so linting a release costs about as
much as reading it (see bench/lint_benchmark.py).
"""

from __future__ import annotations

import re

BATCH_PREFIX = "_alembic_tmp_"

NAME = r'(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$#]+)'
IDENT = rf"({NAME}(?:\s*\.\s*{NAME})*)"
FLAGS = re.I | re.S
LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
KEYWORD = re.compile(r"\w+")
CREATE_TABLE = re.compile(
    rf"CREATE\s+(?:(?:GLOBAL\s+|LOCAL\s+)?(?:TEMP|TEMPORARY)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{IDENT}\s*\(", FLAGS
)
CREATE_INDEX = re.compile(
    rf"CREATE\s+(UNIQUE\s+)?(?:CLUSTERED\s+|NONCLUSTERED\s+)?INDEX\s+(CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    rf"(?:{NAME}\s+)?ON\s+(?:ONLY\s+)?{IDENT}",
    FLAGS,
)
DROP_TABLE = re.compile(rf"DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{IDENT}", FLAGS)
DROP_INDEX_CONCURRENTLY = re.compile(r"DROP\s+INDEX\s+CONCURRENTLY\b", FLAGS)
ALTER_TABLE = re.compile(rf"ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?{IDENT}\s+", FLAGS)
RENAME_TABLE = re.compile(rf"RENAME\s+TO\s+{IDENT}", FLAGS)
RENAME_COLUMN = re.compile(rf"RENAME\s+(?:COLUMN\s+)?{IDENT}\s+TO\s+{IDENT}", FLAGS)
DROP_COLUMN = re.compile(rf"DROP\s+COLUMN\s+(?:IF\s+EXISTS\s+)?{IDENT}", FLAGS)
PG_TYPE = re.compile(rf"ALTER\s+(?:COLUMN\s+)?{IDENT}\s+(?:SET\s+DATA\s+)?TYPE\b", FLAGS)
PG_NOT_NULL = re.compile(rf"ALTER\s+(?:COLUMN\s+)?{IDENT}\s+SET\s+NOT\s+NULL\b", FLAGS)
PG_OTHER = re.compile(rf"ALTER\s+(?:COLUMN\s+)?{NAME}\s+(?:SET|DROP|ADD|RESET|OPTIONS)\b", FLAGS)
RESTATE = re.compile(rf"(?:ALTER\s+COLUMN|MODIFY(?:\s+COLUMN)?)\s+{IDENT}\s+(.*)", FLAGS)  # mssql, mysql, oracle
CHANGE = re.compile(rf"CHANGE\s+(?:COLUMN\s+)?{IDENT}\s+{IDENT}\s+(.*)", FLAGS)
ADD_CONSTRAINT_UNIQUE = re.compile(rf"ADD\s+(?:CONSTRAINT\s+{NAME}\s+)?UNIQUE\b", FLAGS)
ADD_COLUMN = re.compile(
    rf"ADD\s+(?!(?:CONSTRAINT|INDEX|KEY|UNIQUE|PRIMARY|FOREIGN|CHECK|FULLTEXT|SPATIAL|DEFAULT)\b)(?:COLUMN\s+)?{IDENT}\s+(.*)",
    FLAGS,
)
NOT_NULL = re.compile(r"\bNOT\s+NULL\b", re.I)
DEFAULT = re.compile(r"\bDEFAULT\s+(?!NULL\b)", re.I)  # a default other than NULL
WITH_VALUES = re.compile(r"\bWITH\s+VALUES\b", re.I)
NO_TYPE = re.compile(r"\s*(?:NOT\s+NULL|NULL|DEFAULT)\b", re.I)  # Oracle's MODIFY col NULL / NOT NULL / DEFAULT ...
TERMINATOR = re.compile(r"[\s;]+$")
MYSQL_RENAME = re.compile(rf"RENAME\s+TABLE\s+{IDENT}\s+TO\s+{IDENT}", FLAGS)
SP_RENAME = re.compile(r"EXEC(?:UTE)?\s+sp_rename\s+N?'([^']+)'\s*,\s*N?'?([^',;]+?)'?\s*(,\s*N?'COLUMN')?\s*;?\s*$", FLAGS)
UPDATE = re.compile(rf"UPDATE\s+(?:ONLY\s+)?{IDENT}", FLAGS)
DELETE = re.compile(rf"DELETE\s+(?:FROM\s+)?(?:ONLY\s+)?{IDENT}", FLAGS)
INSERT = re.compile(rf"INSERT\s+(?:IGNORE\s+)?INTO\s+{IDENT}", FLAGS)
TRUNCATE = re.compile(rf"TRUNCATE\s+(?:TABLE\s+)?{IDENT}", FLAGS)
WHERE = re.compile(r"\bWHERE\b", re.I)
LITERALS = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.S)
SET_TARGETS = re.compile(rf"(?:\bSET\s+|,\s*){IDENT}\s*=", re.I)
UNIQUE_CONSTRAINT = re.compile(r"\bCONSTRAINT\s+(\S+)\s+UNIQUE", re.I)
DDL = {"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMENT", "GRANT", "REVOKE"}
DATA = {"INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "REPLACE", "UPSERT"}

_UNQUOTE = str.maketrans("", "", '"`[] \t\n')


def name(identifier: str) -> str:
    """An identifier as compared: quotes removed, lower case."""
    return identifier.translate(_UNQUOTE).lower()


def bare(table: str) -> str:
    """A table name without its schema."""
    return table.rsplit(".", 1)[-1]


def start_of(statement: str) -> int:
    """Where the statement's first keyword begins, after comments and blanks."""
    return LEADING.match(statement).end()


def keyword(statement: str, start: int) -> str:
    """The statement's first keyword, upper case ("" when it has none)."""
    match = KEYWORD.match(statement, start)
    return match.group(0).upper() if match else ""


def is_batch_copy(statement: str, start: int) -> bool:
    """An INSERT into batch mode's temporary table: the copy of a rebuild, not a data change."""
    target = INSERT.match(statement, start)
    return target is not None and name(target.group(1)).startswith(BATCH_PREFIX)


def data_count(statements) -> int:
    """INSERT/UPDATE/DELETE/... statements, batch copies excepted."""
    count = 0
    for statement in statements:
        start = start_of(statement)
        if keyword(statement, start) in DATA and not is_batch_copy(statement, start):
            count += 1
    return count


def has_where(statement: str) -> bool:
    match = WHERE.search(statement)
    if match is None:
        return False
    head = statement[: match.start()]
    if "--" not in head and "/*" not in head and head.count("'") % 2 == 0:
        return True  # an even number of quotes before it: not inside a string ('' escapes count twice)
    return WHERE.search(LITERALS.sub(" ", statement)) is not None


_SPECIAL = re.compile(r"['\"`(),]")  # what split_items looks at; it jumps over the rest


def split_items(text: str, start: int = 0) -> list[str]:
    """The comma-separated items of `text` from `start`, up to the parenthesis that closes the list (or the end)."""
    items, depth, begin, quote, position = [], 0, start, None, start
    while True:
        if quote:  # inside a quoted name or string: up to the same quote
            i = text.find(quote, position)
            if i < 0:
                break
            quote, position = None, i + 1
            continue
        match = _SPECIAL.search(text, position)
        if match is None:
            break
        i = match.start()
        ch, position = text[i], i + 1
        if ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                items.append(text[begin:i])
                return items
            depth -= 1
        elif depth == 0:  # a comma
            items.append(text[begin:i])
            begin = i + 1
    items.append(text[begin:])
    return items


# Compiled once: columns_of and type_of run for every column of every CREATE TABLE a release reads.
PLAIN_NAME = re.compile(IDENT, re.S)
COLUMN_ITEM = re.compile(IDENT + r"\s*(.*)", re.S)
TABLE_ITEM = re.compile(r"(?:CONSTRAINT|PRIMARY|FOREIGN|UNIQUE|CHECK|INDEX|KEY)\b", re.I)
UNIQUE_WORD = re.compile(r"\bUNIQUE\b", re.I)
TYPE = re.compile(
    r"\s*([A-Za-z_][\w ]*?(?:\([^)]*\))?)(?=\s+(?:NOT|NULL|DEFAULT|PRIMARY|UNIQUE|REFERENCES|CHECK|COLLATE|GENERATED|"
    r"AUTO\w*|IDENTITY|COMMENT|CHARACTER|CHARSET)\b|\s*$)",
    re.I,
)
BATCH_COPY = re.compile(rf"INSERT\s+INTO\s+{IDENT}\s*\(", FLAGS)
SELECT_LIST = re.compile(r"\)\s*SELECT\s+(.*?)\s+FROM\s", FLAGS)


def copy_renames(statement: str) -> dict[str, str]:
    """A batch copy's renamed columns, {old: new}: `INSERT INTO tmp (a, new) SELECT t.a, t.old FROM t`."""
    target = BATCH_COPY.match(statement, start_of(statement))
    if not target:
        return {}
    columns = split_items(statement, target.end())
    select = SELECT_LIST.search(statement, target.end())
    if not select:
        return {}
    sources = split_items(select.group(1))
    renames = {}
    for column, source in zip(columns, sources):
        plain = PLAIN_NAME.fullmatch(source.strip())
        if plain:
            old, new = name(plain.group(1)).rpartition(".")[2], name(column)
            if old != new:
                renames[old] = new
    return renames


def columns_of(statement: str, start: int) -> dict[str, str]:
    """Column name -> definition of a CREATE TABLE whose body opens at `start` (after the parenthesis).

    Table-level UNIQUE constraints are gathered under the key "".
    """
    items = split_items(statement, start)
    columns = {}
    for item in items:
        item = item.strip()
        match = COLUMN_ITEM.match(item)
        if not match or TABLE_ITEM.match(item):
            if UNIQUE_WORD.search(item):
                columns.setdefault("", "")
                columns[""] += " " + " ".join(item.split())
            continue
        columns[name(match.group(1))] = " ".join(match.group(2).split())
    return columns


def words(definition: str) -> str:
    """A column definition with its string literals and comments blanked, to look for keywords in."""
    return LITERALS.sub("''", definition)


def type_of(definition: str) -> str:
    """The type a column definition states, upper case, e.g. "VARCHAR(255)"."""
    definition = TERMINATOR.sub("", definition)
    match = TYPE.match(definition)
    return " ".join((match.group(1) if match else definition.split(" ", 1)[0]).upper().split())


def not_null(definition: str) -> bool:
    return NOT_NULL.search(words(definition)) is not None


def has_default(definition: str) -> bool:
    return DEFAULT.search(words(definition)) is not None
