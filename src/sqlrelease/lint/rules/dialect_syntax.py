"""Raw SQL (op.execute) written for one dialect, rendered the same for every dialect.

Alembic and SQLAlchemy render their own constructs in each dialect's syntax, so the
syntax below only reaches a dialect's file through text the migration wrote itself.
"""

from __future__ import annotations

import re

from ..events import MigrationRead
from ..rule import Example, Rule, register, visits
from ..sql import LITERALS

DIALECT_SYNTAX = Rule(
    "dialect-syntax", "error", "runs raw SQL whose syntax means something else, or nothing, on this dialect",
    "op.execute() text is sent as written to every dialect: `||` is a logical OR on MySQL/MariaDB (an UPDATE "
    "that concatenates fails with ERROR 1292 once rows exist, or stores 0 and 1), double quotes make a string "
    "there, and ILIKE, `::` casts, backticks and UPDATE/DELETE ... LIMIT are syntax errors where they are not native",
    "write the statement per dialect (if op.get_context().dialect.name == \"mysql\": ...), or build it from "
    "SQLAlchemy constructs (sa.func.concat, column.ilike(), sa.cast()) that render each dialect's own syntax",
    examples=(
        Example(("UPDATE recruits SET email = lower(github_name) || '@example.com' WHERE email IS NULL;",),
                dialect="mysql", fires=True),
        Example(("UPDATE recruits SET email = lower(github_name) || '@example.com' WHERE email IS NULL;",),
                dialect="postgresql", fires=False, note="string concatenation there"),
        Example(("UPDATE recruits SET email = CONCAT(lower(github_name), '@example.com') WHERE email IS NULL;",),
                dialect="mysql", fires=False),
        Example(("UPDATE recruits SET note = 'a || b' WHERE note IS NULL;",), dialect="mysql", fires=False,
                note="inside a string literal"),
        Example(('UPDATE "recruits" SET "email" = NULL WHERE id = 1;',), dialect="mysql", fires=True),
        Example(("DELETE FROM recruits WHERE name ILIKE 'test%';",), dialect="sqlite", fires=True),
        Example(("UPDATE recruits SET id_number = id::text WHERE id_number IS NULL;",), dialect="mysql", fires=True),
        Example(("UPDATE recruits SET email = NULL WHERE email = '' LIMIT 100;",), dialect="postgresql", fires=True),
        Example(("UPDATE recruits SET email = NULL WHERE email = '' LIMIT 100;",), dialect="mysql", fires=False),
        Example(("DELETE FROM recruits WHERE id IN (SELECT id FROM recruits ORDER BY id LIMIT 100);",),
                dialect="postgresql", fires=False, note="LIMIT in a subquery is PostgreSQL's too"),
        Example(("UPDATE `recruits` SET email = NULL WHERE id = 1;",), dialect="postgresql", fires=True),
    ),
)
register(DIALECT_SYNTAX)

PIPES = re.compile(r"\|\|")
CAST = re.compile(r"::\s*[A-Za-z_]")
DOUBLE_QUOTED = re.compile(r'"[^"]*"')
BACKTICKED = re.compile(r"`[^`]*`")
LIMITED_CHANGE = re.compile(r"^\s*(?:UPDATE|DELETE)\b.*\bLIMIT\s+\d+", re.I | re.S)
PARENTHESISED = re.compile(r"\([^()]*\)")  # innermost: emptied until none is left

# (pattern, the dialects where it means something else, what it means there, its clue: text, upper
# case, that a statement must hold for the pattern to find anything in it)
FOREIGN = (
    (PIPES, ("mysql",), "`||` is a logical OR on MySQL/MariaDB, not concatenation", "||"),
    (PIPES, ("mssql",), "`||` is no operator on SQL Server", "||"),
    (re.compile(r"\bILIKE\b", re.I), ("mysql", "sqlite", "mssql", "oracle"), "ILIKE exists only on PostgreSQL", "ILIKE"),
    (CAST, ("mysql", "sqlite", "mssql", "oracle"), "`::` casts exist only on PostgreSQL", "::"),
    (DOUBLE_QUOTED, ("mysql",), "double quotes make a string on MySQL/MariaDB, not an identifier", '"'),
    (BACKTICKED, ("postgresql", "mssql", "oracle"), "backtick quoting exists only on MySQL/MariaDB (and SQLite)", "`"),
    (LIMITED_CHANGE, ("postgresql", "mssql", "oracle"), "UPDATE/DELETE ... LIMIT is MySQL syntax", "LIMIT"),
)


@visits(MigrationRead)
def foreign_syntax(event: MigrationRead, report) -> None:
    foreign = [(pattern, meaning) for pattern, dialects, meaning, _ in FOREIGN if report.dialect in dialects]
    if not foreign:
        return
    clues = tuple({clue for _, dialects, _, clue in FOREIGN if report.dialect in dialects})
    for index, statement in enumerate(event.statements, start=1):
        # Blanking strings and comments only takes text away (and writes '' where it did, which no
        # pattern finds): a statement without any clue has nothing to find, and most statements (every
        # CREATE TABLE among them) are not worth blanking. Upper case compares as the patterns' re.I
        # does for ASCII text only (re.I takes U+212A KELVIN SIGN for a k), so other text is read whole.
        if statement.isascii():
            upper = statement.upper()
            if not any(clue in upper for clue in clues):
                continue
        code = LITERALS.sub("''", statement)  # what strings and comments say does not count
        for pattern, meaning in foreign:
            # Emptying parentheses only removes text: no LIMIT in the whole statement, none outside them
            # (emptying them took a fifth of linting a release).
            found = pattern.search(code)
            if found and pattern is LIMITED_CHANGE:
                found = pattern.search(_outside_parentheses(code))
            if found:
                report.add(DIALECT_SYNTAX.id, event, meaning, index=index, statement=statement)
                break


def _outside_parentheses(code: str) -> str:
    """`code` with every parenthesised part emptied: a subquery's LIMIT is not the statement's."""
    while True:
        emptied = PARENTHESISED.sub("()", code)
        if emptied == code:
            return code
        code = emptied
