"""The revision graph of an Alembic script directory, as plain data.

Alembic's `ScriptDirectory` loads the revision files; everything sqlrelease needs
from the graph (ancestors, apply order, which revisions are heads after a set of
migrations ran) is computed here from that data, so a release range can start
from several heads, which the Alembic CLI cannot do.
"""

from __future__ import annotations

import ast
import hashlib
import heapq
import logging
import os
import re
import sys
import traceback
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from .config import Config
from .errors import HistoryError, PlanError
from .sqlnames import revision_problem
from .timelimit import TimeLimitExceeded, limit


@dataclass(frozen=True)
class Revision:
    """One migration file."""

    id: str
    down: tuple[str, ...]
    depends_on: tuple[str, ...]
    message: str
    path: Path
    branch_labels: tuple[str, ...]

    @cached_property
    def parents(self) -> tuple[str, ...]:
        """What must be applied first: down revisions and dependencies."""
        return self.down + tuple(d for d in self.depends_on if d not in self.down)

    @property
    def is_merge(self) -> bool:
        return len(self.down) > 1


@contextmanager
def migration_output():
    """What revision files and env.py print goes to stderr: stdout carries results (and --json)."""
    with redirect_stdout(sys.stderr):
        yield


def alembic_config(config: Config) -> AlembicConfig:
    """An Alembic `Config` for the project, without touching logging or stdout."""
    if config.alembic_ini is not None:
        cfg = AlembicConfig(str(config.alembic_ini))
    else:
        cfg = AlembicConfig()
        cfg.set_main_option("path_separator", "os")
    if config.script_location is not None:
        cfg.set_main_option("script_location", str(config.script_location))
    elif cfg.get_main_option("script_location"):
        location = cfg.get_main_option("script_location")
        # Alembic resolves %(here)s; plain relative paths are relative to the ini file.
        if not Path(location).is_absolute() and config.alembic_ini is not None:
            cfg.set_main_option("script_location", str(config.alembic_ini.parent / location))
    return cfg


@contextmanager
def as_alembic_runs(config: Config):
    """Run the project's own code (revision files, env.py) as the Alembic CLI would.

    Alembic runs from the project root: env.py may read `os.getcwd()` or rely on
    `prepend_sys_path = .`, and `fileConfig()` replaces the process's logging.
    Inside, the working directory is the root and the root is on sys.path;
    afterwards the working directory, sys.path and the logging configuration are
    what they were, whichever folder the command ran from (`-C`, a subfolder).
    """
    cwd, path = os.getcwd(), list(sys.path)
    saved_logging = _logging_state()
    os.chdir(config.root)
    sys.path.insert(0, str(config.root))
    try:
        yield
    finally:
        os.chdir(cwd)
        sys.path[:] = path
        _restore_logging(saved_logging)


def _loggers() -> dict[str, logging.Logger]:
    found = {name: lg for name, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    found[""] = logging.getLogger()
    return found


def _logging_state() -> dict:
    return {
        "disable": logging.root.manager.disable,
        "loggers": {n: (lg.level, list(lg.handlers), lg.propagate, lg.disabled) for n, lg in _loggers().items()},
    }


def _restore_logging(state: dict) -> None:
    """Undo what env.py's fileConfig()/basicConfig() did: levels, handlers, propagation, disabled loggers."""
    logging.disable(state["disable"])
    saved = state["loggers"]
    for name, logger in _loggers().items():
        level, handlers, propagate, disabled = saved.get(name, (logging.NOTSET, [], True, False))
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate, logger.disabled = propagate, disabled


FLASK_ENV = re.compile(r"^\s*(from\s+flask\s+import|import\s+flask\b)", re.MULTILINE)


def alembic_command(script_dir: Path | str) -> str:
    """How the project runs Alembic: `flask db` when env.py is Flask-Migrate's, else `alembic`."""
    env_py = Path(script_dir) / "env.py"
    try:
        text = env_py.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "alembic"
    return "flask db" if FLASK_ENV.search(text) else "alembic"


def load_script(config: Config) -> ScriptDirectory:
    cfg = alembic_config(config)
    try:
        return ScriptDirectory.from_config(cfg)
    except CommandError as exc:
        raise HistoryError(f"cannot load the Alembic script directory: {exc}", hint="check alembic_ini / script_location") from None


class History:
    """The revisions of a script directory and the graph between them."""

    def __init__(self, script: ScriptDirectory, root: Path, timeout: float | None = None) -> None:
        self.script = script
        self.root = root
        declared = _declared_revisions(script)
        for path, (revision, line) in sorted(declared.items()):
            _check_revision_id(revision, path, line, root)
        _refuse_duplicates(declared, root)
        try:
            with limit(timeout, "reading the revision files"), migration_output():  # revision files may print
                scripts = list(script.walk_revisions())
        except CommandError as exc:
            raise HistoryError(f"the Alembic history is inconsistent: {exc}") from None
        except (Exception, SystemExit, KeyboardInterrupt, TimeLimitExceeded) as exc:  # a revision file that fails to import
            raise _import_error(exc, script, root) from None
        revmap = script.revision_map
        self.revisions: dict[str, Revision] = {}
        for sc in scripts:  # ids computed at import time were not seen in the source
            _check_revision_id(sc.revision, Path(sc.path), None, root)
            deps = tuple(r.revision for r in revmap.get_revisions(sc.dependencies)) if sc.dependencies else ()
            self.revisions[sc.revision] = Revision(
                id=sc.revision,
                down=_as_tuple(sc.down_revision),
                depends_on=deps,
                message=(sc.doc or "").strip().splitlines()[0] if sc.doc else "",
                path=Path(sc.path),
                branch_labels=tuple(sorted(sc.branch_labels or ())),
            )
        self.children: dict[str, list[str]] = {rid: [] for rid in self.revisions}
        for rev in self.revisions.values():
            for parent in rev.down:
                if parent in self.children:
                    self.children[parent].append(rev.id)
        self._order = {rid: i for i, rid in enumerate(self.order(self.revisions))}
        self._sha256: dict[str, str] = {}
        self._paths: dict[str, str] = {}
        self._folders: dict[Path, Path] = {}  # each version folder, resolved once (see _resolved)

    @classmethod
    def load(cls, config: Config) -> "History":
        with as_alembic_runs(config):  # revision files import as they would under Alembic
            return cls(load_script(config), config.root, config.timeout)

    @property
    def command(self) -> str:
        """The project's Alembic command line, for hints: `alembic` or `flask db`."""
        return alembic_command(self.script.dir)

    def module(self, revision: str):
        """The imported Python module of a revision file."""
        return self.script.get_revision(revision).module

    def resolve(self, ident: str) -> str:
        """A full revision id from an id, unique prefix, `heads`/`head`, or branch label."""
        if ident in self.revisions:
            return ident
        try:
            found = self.script.revision_map.get_revisions(ident)
        except Exception as exc:  # alembic raises several kinds for bad identifiers
            raise PlanError(f"unknown revision {ident!r}: {exc}", hint=f"see `{self.command} history` for valid ids") from None
        ids = [r.revision for r in found if r is not None]
        if len(ids) != 1:
            raise PlanError(
                f"{ident!r} names {len(ids)} revisions ({', '.join(sorted(ids)) or 'none'})",
                hint="give one revision id per target",
            )
        return ids[0]

    def heads(self) -> tuple[str, ...]:
        """Current heads of the history: revisions nothing builds on."""
        return tuple(sorted(rid for rid, kids in self.children.items() if not kids))

    def ancestors(self, revisions, applied: frozenset[str] = frozenset()) -> frozenset[str]:
        """Everything that must be applied to reach `revisions`, them included.

        With `applied` (a set closed under ancestry, such as what earlier releases
        applied), the walk does not go below it: the result holds the new revisions
        and the members of `applied` it reached first, so a release costs its own
        size, not the history's.
        """
        seen: set[str] = set()
        stack = list(revisions)
        while stack:
            rid = stack.pop()
            if rid in seen:
                continue
            seen.add(rid)
            if rid not in applied:
                stack.extend(self.revisions[rid].parents)
        return frozenset(seen)

    def heads_of(self, applied) -> tuple[str, ...]:
        """What `alembic_version` holds once exactly `applied` has been applied.

        A revision stays a row until a revision built on it is applied, by down
        revision or by `depends_on`: Alembic's version table treats a dependency
        like a down revision (upgrading to it replaces the dependency's row),
        although `alembic heads` still lists the dependency as a head.
        """
        applied = set(applied)
        built_on = {parent for rid in applied for parent in self.revisions[rid].parents}
        return tuple(sorted(applied - built_on))

    def heads_after(self, heads, added) -> tuple[str, ...]:
        """`heads_of(applied | added)`, from `heads` = `heads_of(applied)`, in the time `added` takes.

        Holds when `applied` is closed under ancestry and every parent of `added`
        is in `applied` or `added` (a release's new migrations on top of the ones
        before it): nothing applied builds on an added revision, so the rows that
        go are the heads the added revisions build on.
        """
        added = set(added)
        built_on = {parent for rid in added for parent in self.revisions[rid].parents}
        return tuple(sorted((set(heads) | added) - built_on))

    def heads_along(self, start, revisions) -> list[tuple[str, ...]]:
        """The version table's rows before and after each of `revisions` (in apply order) is
        applied on top of `start` (the rows before the first): len(revisions) + 1 tuples."""
        rows = [tuple(start)]
        for revision in revisions:
            rows.append(self.heads_after(rows[-1], (revision,)))
        return rows

    def order(self, revisions) -> list[str]:
        """`revisions` in apply order: parents first, ties broken by revision id for stable output."""
        wanted = set(revisions)
        pending = {rid: sum(1 for p in self.revisions[rid].parents if p in wanted) for rid in wanted}
        dependants: dict[str, list[str]] = {rid: [] for rid in wanted}
        for rid in wanted:
            for parent in self.revisions[rid].parents:
                if parent in wanted:
                    dependants[parent].append(rid)
        ready = sorted(rid for rid, n in pending.items() if n == 0)  # a sorted list is a heap
        result = []
        while ready:
            rid = heapq.heappop(ready)
            result.append(rid)
            for child in dependants[rid]:
                pending[child] -= 1
                if pending[child] == 0:
                    heapq.heappush(ready, child)
        if len(result) != len(wanted):
            raise HistoryError("the revision graph has a cycle")
        return result

    def version_folders(self) -> list[Path]:
        """The folders Alembic reads revision files from (absolute)."""
        from alembic.util import coerce_resource_to_filename

        locations = self.script.version_locations
        if not locations:
            return [Path(self.script.dir, "versions").absolute()]
        return [Path(coerce_resource_to_filename(location)).absolute() for location in locations]

    def source_sha256(self, revision: str) -> str:
        """The sha256 of the revision file (read once, when first asked)."""
        if revision not in self._sha256:
            self._sha256[revision] = hashlib.sha256(self.revisions[revision].path.read_bytes()).hexdigest()
        return self._sha256[revision]

    def source_path(self, revision: str) -> str:
        """The revision file as errors and bundles show it (resolved once)."""
        if revision not in self._paths:
            self._paths[revision] = _shown(_resolved(self.revisions[revision].path, self._folders), self._resolved_root)
        return self._paths[revision]

    @cached_property
    def _resolved_root(self) -> Path:
        return self.root.resolve()


def _resolved(path: Path, folders: dict[Path, Path]) -> Path:
    """`path.resolve()`, each folder resolved once in `folders`: a file that is no symbolic link
    resolves to its folder's resolved path and its name. (Resolving every revision file asked the
    system about each folder of its path again: most of the time a long history's paths took.)"""
    if path.is_symlink():
        return path.resolve()
    if path.parent not in folders:
        folders[path.parent] = path.parent.resolve()
    return folders[path.parent] / path.name


def _shown(path: Path, root: Path) -> str:
    """`path` (resolved) as errors and bundles show it: relative to `root` (resolved), else its name."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _declared_revisions(script: ScriptDirectory) -> dict[Path, tuple[str, int]]:
    """`revision = "..."` of every file in the version folders: file -> (id, line).

    Read from the source, not from Alembic, which keeps one file per id and only
    warns about the others. A file whose id is not a plain string is left to Alembic.
    """
    found: dict[Path, tuple[str, int]] = {}
    # Alembic's default, when alembic.ini names no version_locations: versions/ in the script folder.
    locations = script.version_locations or [Path(script.dir) / "versions"]
    for folder in sorted({Path(v).resolve() for v in locations}):
        if not folder.is_dir():
            continue
        files = folder.rglob("*.py") if script.recursive_version_locations else folder.glob("*.py")
        for path in sorted(files):
            if path.name.startswith((".#", "__init__")):
                continue
            declared = _declared_revision(path)
            if declared is not None:
                found[path] = declared
    return found


# `revision = "3f2a9c1e7b40"` as Alembic writes it: read without parsing the file.
_PLAIN_REVISION = re.compile(
    r"""^revision[ \t]*(?::[^=\n]*)?=[ \t]*(?:"([^"\\\n]*)"|'([^'\\\n]*)')[ \t]*(?:#.*)?$""", re.MULTILINE
)


def _declared_revision(path: Path) -> tuple[str, int] | None:
    """The revision id a file declares and its line; None when it declares none as a plain string."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    text = data.decode("utf-8", "replace")
    plain = list(_PLAIN_REVISION.finditer(text))
    if len(plain) == 1:  # (an id computed at import time is checked again once Alembic has loaded it)
        match = plain[0]
        revision = match.group(1) if match.group(1) is not None else match.group(2)
        return revision, text.count("\n", 0, match.start()) + 1
    try:  # escapes, several assignments, odd layouts: let Python read it
        tree = ast.parse(data, filename=str(path))
    except (SyntaxError, ValueError):
        return None  # Alembic's import names the line that fails
    for node in tree.body:
        revision = _assigned_revision(node)
        if revision is not None:
            return revision, node.lineno
    return None


def _assigned_revision(node: ast.stmt) -> str | None:
    """The string of a module-level `revision = "..."` (or `revision: str = "..."`), else None."""
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign):
        targets = [node.target]
    else:
        return None
    named = any(isinstance(target, ast.Name) and target.id == "revision" for target in targets)
    value = node.value
    return value.value if named and isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _check_revision_id(revision, path: Path, line: int | None, root: Path) -> None:
    problem = revision_problem(revision)
    if problem:
        raise HistoryError(
            problem,
            path=_shown(path, root),
            line=line,
            hint="revision ids go into the SQL, comments and file names of every bundle; "
            "give the migration an id like Alembic's (12 hex digits) before it is released",
        )


def _refuse_duplicates(declared: dict[Path, tuple[str, int]], root: Path) -> None:
    """Two files with one revision id: Alembic would silently use one of them."""
    by_id: dict[str, list[tuple[Path, int]]] = {}
    for path, (revision, line) in sorted(declared.items()):
        by_id.setdefault(revision, []).append((path, line))
    for revision, files in sorted(by_id.items()):
        if len(files) > 1:
            (first, first_line), (second, second_line) = files[0], files[1]
            also = f" and {len(files) - 2} more" if len(files) > 2 else ""
            raise HistoryError(
                f"revision id {revision!r} is declared by two files: {_shown(first, root)}:{first_line} "
                f"and this one{also}; Alembic would use only one of them",
                path=_shown(second, root),
                line=second_line,
                hint="give the newer migration its own id (`alembic revision` makes one) and point its down_revision at the other",
            )


def _import_error(exc: BaseException, script: ScriptDirectory, root: Path) -> HistoryError:
    """A revision file that cannot be imported, named with the line that failed."""
    found = _failing_line(exc, script)
    if isinstance(exc, TimeLimitExceeded):
        hint = (
            "importing the file ran past the time limit: a loop or a wait at module level? If it only needs "
            "longer, raise the limit with --timeout SECONDS or timeout in [tool.sqlrelease]"
        )
    elif isinstance(exc, (SystemExit, KeyboardInterrupt)):
        hint = "the file ends the process when imported; Alembic imports every revision file to read the history"
    elif isinstance(exc, ImportError):
        hint = (
            f"the migration needs module {exc.name or '?'}, which is not importable here: install it or add its "
            "folder to PYTHONPATH (or prepend_sys_path in alembic.ini), or make the migration stand alone"
        )
    else:
        hint = "Alembic imports every revision file to read the history; fix the error there"
    return HistoryError(
        f"cannot load this revision file: {type(exc).__name__}: {exc}",
        path=_shown(found[0], root.resolve()) if found else None,
        line=found[1] if found else None,
        hint=hint,
    )


def _failing_line(exc: BaseException, script: ScriptDirectory) -> tuple[Path, int | None] | None:
    """The revision file and line where importing it failed: the deepest frame inside the
    script directory or its version locations (an application module it imports is not
    the revision file), or a syntax error's own position."""
    folders = [Path(script.dir).resolve(), *(Path(v).resolve() for v in script.version_locations or ())]

    def inside(filename: str | None) -> bool:
        if not filename or filename.startswith("<"):
            return False
        path = Path(filename).resolve()
        return any(path.is_relative_to(folder) for folder in folders)

    if isinstance(exc, SyntaxError) and inside(exc.filename):
        return Path(exc.filename), exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if inside(f.filename)]
    return (Path(frames[-1].filename), frames[-1].lineno) if frames else None


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)
