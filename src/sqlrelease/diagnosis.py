"""Diagnosis: why a migration cannot render offline, and what its author can do (pure).

`diagnose` turns a render failure into a named cause with the fix a migration
author can make, from the exception Alembic or SQLAlchemy raised and a look at
the migration's source (`ast`) at the failing line. Rendering and rehearsal
(to decide what to rehearse), `build` (in its errors) and the `doctor` verb
all use it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .rendered import DOWNGRADE, Failure
from .servers import how_to_name_a_server


@dataclass(frozen=True)
class Cause:
    """A known reason a migration cannot render offline."""

    code: str
    summary: str
    fix: str
    rehearsable: bool = False  # runs online against a scratch database, so rehearsal can produce its SQL


CAUSES = {
    c.code: c
    for c in (
        Cause(
            "reads_rows",
            "reads rows from the database (op.get_bind().execute(...)), which offline mode has not got",
            "write the change as SQL that does not need the rows (INSERT ... SELECT, UPDATE ... WHERE), "
            "or supply an override; sqlrelease can rehearse it on a scratch database",
            rehearsable=True,
        ),
        Cause(
            "offline_bind",
            "asks op.get_bind() for what only a live connection has (str(bind.engine.url), the server version); "
            "offline the bind is a mock connection without them",
            "tell dialects apart with `op.get_context().dialect.name` (e.g. == \"sqlite\"), which works offline; "
            "sqlrelease can rehearse it on a scratch database",
            rehearsable=True,
        ),
        Cause(
            "reflects_schema",
            "reflects the live schema (sa.inspect(bind), Table(autoload_with=...)), which offline mode cannot",
            "state the schema the migration expects instead of looking it up; sqlrelease can rehearse it on a scratch database",
            rehearsable=True,
        ),
        Cause(
            "sqlite_alter_constraint",
            "alters a constraint outside batch mode; SQLite has no ALTER for constraints",
            "wrap the operation in `with op.batch_alter_table(table, copy_from=sa.Table(...)) as batch:`; "
            "batch mode also needs the constraint to have a name (see naming_convention in MetaData)",
        ),
        Cause(
            "batch_without_copy_from",
            "uses batch mode without copy_from, so Alembic must reflect the table from a live database",
            "pass copy_from=sa.Table(name, sa.MetaData(), *columns) describing the table as it is before the change; "
            "sqlrelease can rehearse it on a scratch database",
            rehearsable=True,
        ),
        Cause(
            "unrenderable_type",
            "uses a type this dialect cannot render",
            "use a portable type, or `type.with_variant(...)` per dialect (e.g. CITEXT().with_variant(sa.String(255), 'mysql'))",
        ),
        Cause(
            "mysql_varchar_length",
            "uses VARCHAR without a length, which MySQL/MariaDB require",
            "give the String a length: sa.String(255)",
        ),
        Cause(
            "alter_column_existing_type",
            "calls alter_column without existing_type, which this dialect needs to restate the column",
            "pass existing_type= (and existing_nullable=, existing_server_default=) as the column is before the change",
        ),
        Cause(
            "unnamed_constraint",
            "drops or creates a constraint without a name",
            "name the constraint (see naming_convention in MetaData) and use that name in drop_constraint",
        ),
        Cause(
            "refuses_offline",
            "raises on purpose in offline mode (context.is_offline_mode())",
            "write an offline branch that emits the SQL, or supply an override; sqlrelease can rehearse it on a scratch database",
            rehearsable=True,
        ),
        Cause(
            "no_downgrade",
            "has no working downgrade (it raises or does nothing)",
            "write a downgrade() that undoes the upgrade, or accept it in the plan with accept_irreversible",
        ),
        Cause(
            "migration_error",
            "raises an error that has nothing to do with offline mode, so it fails online (alembic upgrade) too",
            "fix the migration at the line shown (e.g. a name this SQLAlchemy or Alembic version does not have, "
            "or a wrong argument); `alembic upgrade` on a scratch database raises the same error",
        ),
        Cause(
            "process_exit",
            "ends the process (sys.exit(), SystemExit or KeyboardInterrupt), which would stop Alembic or sqlrelease "
            "without a word",
            "raise an exception that says what is wrong instead of exiting; to behave differently offline, test "
            "`context.is_offline_mode()`",
        ),
        Cause(
            "unknown",
            "fails to render offline",
            "run `alembic upgrade --sql` over this revision to see the traceback; the migration must not need a live database",
        ),
    )
}


@dataclass(frozen=True)
class Diagnosis:
    cause: Cause
    message: str  # the exception, as raised
    line: int | None
    detail: str = ""  # e.g. the type that does not render

    @property
    def summary(self) -> str:
        return f"{self.cause.summary}{f' ({self.detail})' if self.detail else ''}"


_READ_CALLS = {"fetchall", "fetchone", "fetchmany", "scalar", "scalars", "scalar_one", "first", "one", "all", "mappings"}
_REFLECT_CALLS = {"inspect", "reflect", "get_columns", "get_indexes", "get_foreign_keys", "has_table", "get_table_names"}
# Offline, op.get_bind() is SQLAlchemy's MockConnection: it has .dialect, .name and .engine (itself),
# but no URL, pool or server; these of its missing attributes execute SQL, so they read rows.
_MOCK_ATTRIBUTE = re.compile(r"'MockConnection' object has no attribute '(\w+)'")
_EXECUTE_ATTRIBUTES = {"exec_driver_sql", "scalar", "scalars", "stream", "stream_scalars"}
# Errors of plain Python (or SQLAlchemy's argument checks) that say nothing about offline mode.
_PLAIN_ERRORS = {"AttributeError", "TypeError", "NameError", "UnboundLocalError", "KeyError", "IndexError",
                 "ValueError", "ImportError", "ModuleNotFoundError", "ZeroDivisionError", "ArgumentError"}
_OFFLINE_WORDS = ("MockConnection", "NoneType", "offline", "as_sql", "--sql", "literal")
_CONSTRAINT_OPS = {"drop_constraint", "create_unique_constraint", "create_foreign_key", "create_check_constraint", "create_primary_key"}


@lru_cache(maxsize=256)
def _parse(path: str, mtime: float):
    source = Path(path).read_text(encoding="utf-8")
    return ast.parse(source), source


def _statement_at(path: Path, line: int | None) -> ast.AST | None:
    """The innermost statement of the migration file covering `line`."""
    if line is None:
        return None
    try:
        tree, _ = _parse(str(path), path.stat().st_mtime)
    except (OSError, SyntaxError):
        return None
    found = None
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or node.lineno):
            if found is None or (node.lineno >= found.lineno and (node.end_lineno or 0) <= (found.end_lineno or 0)):
                found = node
    return found


def function_def(path: Path, name: str) -> ast.FunctionDef | None:
    """The top-level function `name` of the migration file, or None."""
    try:
        tree, _ = _parse(str(path), path.stat().st_mtime)
    except (OSError, SyntaxError):
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def _calls(node: ast.AST | None) -> list[ast.Call]:
    if node is None:
        return []
    return [n for n in ast.walk(node) if isinstance(n, ast.Call)]


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _unnamed_constraint(calls: list[ast.Call]) -> bool:
    for call in calls:
        if _call_name(call) in _CONSTRAINT_OPS:
            first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "constraint_name"), None)
            if isinstance(first, ast.Constant) and first.value is None:
                return True
    return False


def _checks_offline(function: ast.AST | None) -> bool:
    return any(_call_name(c) == "is_offline_mode" for c in _calls(function))


def diagnose(path: Path, failure: Failure, direction: str) -> Diagnosis:
    """Name the cause of `failure` of the migration in `path` and the fix its author can make."""
    message = failure.cause
    # Matched against the whole message: a long table name can push the words that tell past the cut.
    kind, _, text = (failure.full or message).partition(": ")
    if message.startswith("the file has no "):
        return Diagnosis(CAUSES["no_downgrade" if direction == DOWNGRADE else "migration_error"], message, None, message)
    plain = kind in _PLAIN_ERRORS or failure.plain
    if failure.context is not None and plain:
        # Raised while handling another error (in a `finally:` or `except:`): that one may be the cause,
        # e.g. a reflection that failed offline, after which the cleanup tripped over a missing name.
        hidden = diagnose(path, failure.context, direction)
        if hidden.cause.code not in ("migration_error", "unknown"):
            return hidden
    statement = _statement_at(path, failure.line)
    calls = _calls(statement)
    names = {_call_name(c) for c in calls}
    function = function_def(path, direction)

    def found(code: str, detail: str = "") -> Diagnosis:
        return Diagnosis(CAUSES[code], message, failure.line, detail)

    if kind in ("SystemExit", "KeyboardInterrupt"):
        return found("process_exit", f"{message} at {path.name}:{failure.line}" if failure.line else message)
    if "No support for ALTER of constraints in SQLite" in text:
        # Checked first: on SQLite, naming an unnamed constraint only leads here; batch mode is the fix.
        return found("sqlite_alter_constraint", "the constraint has no name either" if _unnamed_constraint(calls) else "")
    if _unnamed_constraint(calls) or "it has no name" in text or "must have a name" in text:
        return found("unnamed_constraint")
    if "batch mode with dialect" in text and "copy_from" in text:
        return found("batch_without_copy_from")
    if kind == "NoInspectionAvailable" or names & _REFLECT_CALLS or "autoload_with" in ast.dump(statement or ast.Pass()):
        return found("reflects_schema")
    if "VARCHAR requires a length" in text:
        return found("mysql_varchar_length")
    if "existing type" in text or "existing_type" in text:
        return found("alter_column_existing_type")
    if kind in ("UnsupportedCompilationError", "CompileError"):
        match = re.search(r"element of type (\w+)", text)
        return found("unrenderable_type", match.group(1) if match else "")
    if failure.deliberate and _checks_offline(function) and isinstance(statement, ast.Raise):
        return found("refuses_offline")
    mock = _MOCK_ATTRIBUTE.search(text)
    if mock and mock.group(1) not in _EXECUTE_ATTRIBUTES:
        return found("offline_bind", f"it has no .{mock.group(1)}")
    if "'NoneType'" in text and "server_version_info" in ast.dump(statement or ast.Pass()):
        return found("offline_bind", "its .server_version_info is None")
    if "get_bind" in names or names & _READ_CALLS or "'NoneType'" in text:
        return found("reads_rows")
    if direction == DOWNGRADE and failure.deliberate and isinstance(statement, ast.Raise):
        return found("no_downgrade")
    if failure.raised_in == "project" and "offline" in text.lower():
        return found("refuses_offline", "raised in the project's helper code the migration calls")
    if plain and not any(word in text for word in _OFFLINE_WORDS):
        return found("migration_error", f"{kind} at {path.name}:{failure.line}" if failure.line else kind)
    if failure.deliberate and _checks_offline(function):
        return found("refuses_offline")
    return found("unknown")


def fix_without_server(cause: Cause, dialect: str) -> str:
    """A cause's fix where no server to rehearse on is named: for a rehearsable cause, how to name one."""
    if not cause.rehearsable:
        return cause.fix
    return f"{cause.fix} (give it a {dialect} server with {how_to_name_a_server(dialect)})"
