"""Offline rendering: the SQL each migration emits, per dialect and direction.

One pass per dialect and direction runs the project's `env.py` (or a built-in
offline environment) through Alembic's `EnvironmentContext` in `--sql` mode. The
environment is ours: it forces the dialect, literal binds and the output buffer,
and its `run_migrations` calls each revision's `upgrade()` / `downgrade()`
itself, so every statement Alembic emits is captured as emitted and attributed
to its revision. Alembic's own version-table SQL and BEGIN/COMMIT are not
captured: bundles write guarded equivalents of their own.
"""

from __future__ import annotations

import functools
import logging
import logging.config
import math
import pickle
import re
import sysconfig
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from alembic.operations import Operations
from alembic.runtime.environment import EnvironmentContext

from . import batch, urls, workers
from .config import Config
from .dialects import Dialect
from .errors import ConfigError, Interrupted, RenderError, SqlreleaseError
from .sqlnames import identifier_problem
from .history import History, alembic_config, as_alembic_runs, migration_output
from .rendered import Failure, MigrationSQL
from .timelimit import TimeLimitExceeded, limit


@dataclass
class Rendering:
    """The result of one pass: statements per revision, and the version table env.py asked for."""

    dialect: str
    direction: str
    migrations: dict[str, MigrationSQL] = field(default_factory=dict)
    version_table: str = "alembic_version"
    version_table_schema: str | None = None
    # Warnings the migrations raised, as (text, category, file shown, line): shown by `show_warnings`.
    warnings: list[tuple[str, type, str, int]] = field(default_factory=list)


class _Capture:
    """The output buffer handed to Alembic: keeps what is written while a migration runs."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.statements: list[str] | None = None

    def write(self, text: str) -> int:
        # Alembic writes one statement per call (static_output); outside a
        # migration it writes BEGIN/COMMIT and version-table SQL, which we drop.
        if self.statements is not None:
            statement = text.strip()
            if statement and statement != self.dialect.separator:
                self.statements.append(self.dialect.clean(statement))
        return len(text)

    def flush(self) -> None:
        pass


class _OfflineEnvironment(EnvironmentContext):
    """An EnvironmentContext that renders a fixed list of migrations offline."""

    def __init__(self, config: Config, history: History, dialect: Dialect, direction: str, revisions) -> None:
        super().__init__(alembic_config_for_render(config), history.script, as_sql=True)
        self.project_config = config
        self.history = history
        self.dialect = dialect
        self.direction = direction
        self.revisions = list(revisions)
        self.capture = _Capture(dialect)
        self.result = Rendering(dialect=dialect.name, direction=direction)
        self.timeout = config.timeout
        if config.version_table:
            self.result.version_table = config.version_table
        self.result.version_table_schema = config.version_table_schema
        self._ran = False

    def configure(self, *args, **kw):  # noqa: D401 - same contract as Alembic's
        # Whatever env.py says about where to connect, offline rendering targets our dialect.
        for key in ("connection", "url", "dialect_name", "output_buffer"):
            kw.pop(key, None)
        for key in ("version_table", "version_table_schema"):
            if kw.get(key):
                setattr(self.result, key, self._checked(key, kw[key]))
        kw["literal_binds"] = True  # bind placeholders are unusable in a script
        return super().configure(*args, url=self.dialect.url, output_buffer=self.capture, **kw)

    def _checked(self, key: str, name):
        """A version table name env.py gave, refused with env.py's line when it cannot go into SQL unquoted."""
        problem = identifier_problem(key, name, self.project_config.dialects)
        if problem:
            env_py = (Path(self.history.script.dir) / "env.py").resolve()
            calls = [f for f in traceback.extract_stack() if Path(f.filename).resolve() == env_py]
            raise ConfigError(
                f"context.configure({key}=...): {problem}",
                path=self.project_config.relative(env_py),
                line=calls[-1].lineno if calls else None,
                hint="bundles write it unquoted into every statement that reads or moves the version",
            )
        return name

    def run_migrations(self, **kw) -> None:
        if self._ran:  # env.py for several databases calls this more than once
            return
        self._ran = True
        context = self.get_context()
        with Operations.context(context):
            for revision in self.revisions:
                self.result.migrations[revision] = self._render_one(revision, kw)

    def _render_one(self, revision: str, kw: dict) -> MigrationSQL:
        module = self.history.module(revision)
        function = getattr(module, self.direction, None)
        path = self.history.revisions[revision].path
        if function is None:
            missing = f"the file has no {self.direction}() function"
            return MigrationSQL(revision, failure=Failure(missing, full=missing))
        self.capture.statements = statements = []
        shown = self.history.source_path(revision)
        try:
            with stopped_in(shown, path, revision, self.dialect.name, f"{self.direction}()"), \
                    limit(self.timeout, f"{self.direction}() of revision {revision}"), \
                    batch.recording(lambda: len(statements)) as rebuilds, \
                    _warnings_named(shown, path, revision, self.result.warnings):
                function(**kw)
        except RenderError:  # a time limit or an interrupt: the build stops here
            raise
        except (Exception, SystemExit) as exc:  # any failure of user code is reported, not raised; sys.exit() too
            return MigrationSQL(revision, tuple(statements), failure=failure_of(exc, path))
        finally:
            self.capture.statements = None
        return MigrationSQL(revision, tuple(statements), rebuilds=tuple(rebuilds))


_WARNED: set = set()  # warnings already shown in this process (one per revision, line and text)


@contextmanager
def _warnings_named(shown: str, path: Path, revision: str, caught: list):
    """Warnings raised while a migration renders, kept in `caught` named by the migration's file:line.

    SQLAlchemy and Alembic warn from their own code, so the user would see a
    warning naming a library file. Re-issued from the migration's own line (by
    `show_warnings`), it names what to look at, and rendering the same migration
    for five dialects shows it once.
    """

    def keep(message, category, filename, lineno, file=None, line=None) -> None:
        own = [f for f in traceback.extract_stack() if Path(f.filename).resolve() == path.resolve()]
        text = f"revision {revision}: {' '.join(str(message).split())}"
        caught.append((text, category, shown, own[-1].lineno if own else 0))

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = keep
        yield


def show_warnings(rendering: Rendering) -> None:
    """Issue the pass's warnings from the migrations' lines, each once per process
    (the process's own filters decide how they show)."""
    for text, category, shown, line in rendering.warnings:
        if (text, category, line) not in _WARNED:
            _WARNED.add((text, category, line))
            warnings.warn_explicit(text, category, shown, line)


# `from alembic import context` proxies to the installed environment; Alembic keys
# that set-up by class, so ours shares the one of the class it extends.
_OfflineEnvironment._setups[_OfflineEnvironment] = EnvironmentContext._setups[EnvironmentContext]


def alembic_config_for_render(config: Config):
    """The Alembic config env.py sees: the project's ini and its real file name.

    env.py files written from Alembic's older template call
    `fileConfig(config.config_file_name)` without a None check; `run_env_py`
    keeps that call from reconfiguring the logging of the process that renders.
    """
    cfg = alembic_config(config)
    _ = cfg.file_config  # read the ini now: a broken one fails here, not inside env.py
    return cfg


def line_in(exc: BaseException, path: Path) -> int | None:
    """The line of `path` the exception passed through last (where a migration stopped), if any."""
    own = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == path.resolve()]
    return own[-1].lineno if own else None


@contextmanager
def stopped_in(shown: str, path: Path, revision: str | None, dialect: str, what: str):
    """A time limit or an interrupt inside user code (a migration, env.py) becomes an error
    naming the file and line it stopped at; it ends the whole build, not just this migration."""
    try:
        yield
    except (TimeLimitExceeded, KeyboardInterrupt) as exc:
        line = line_in(exc, path)
        where = dict(path=shown, line=line, revision=revision, dialect=dialect)
        if isinstance(exc, KeyboardInterrupt):
            raise Interrupted(f"interrupted in {what} at {shown}:{line or '?'}", **where) from None
        raise RenderError(
            f"{exc}; stopped at {shown}:{line or '?'}",
            hint="a loop that never ends, or a wait for something offline rendering never gives? If it only needs "
            "longer, raise the limit: --timeout SECONDS, or timeout = SECONDS in [tool.sqlrelease] (0: none)",
            **where,
        ) from None


# Packages whose code is never the project's: an error raised inside them is the library's.
_LIBRARIES = ("alembic", "sqlalchemy", "sqlrelease")


@functools.lru_cache(maxsize=1)
def _library_folders() -> tuple[Path, ...]:
    import alembic
    import sqlalchemy

    return (Path(alembic.__file__).resolve().parent, Path(sqlalchemy.__file__).resolve().parent,
            Path(__file__).resolve().parent, Path(sysconfig.get_paths()["stdlib"]).resolve())


def _raised_in(filename: str, path: Path) -> str:
    """"migration" (its own file), "library" (Alembic, SQLAlchemy, Python), or "project" (its helpers)."""
    if filename.startswith("<"):
        return "library"
    where = Path(filename).resolve()
    if where == path.resolve():
        return "migration"
    if any(where.is_relative_to(folder) for folder in _library_folders()):
        return "library"
    return "project"


def _plain(exc: BaseException) -> bool:
    """A built-in Python error or a subclass of one (json's JSONDecodeError is a ValueError)."""
    return any(klass.__module__ == "builtins" and klass not in (Exception, BaseException)
               for klass in type(exc).__mro__) and not type(exc).__module__.startswith(_LIBRARIES)


def _scrubbed(exc: BaseException) -> str:
    message = " ".join(str(exc).split()) or "(no message)"
    # Same inputs, same bytes: drop what differs from run to run, memory addresses in reprs
    # (`<... object at 0x7f...>`) and SQLAlchemy's id-numbered anonymous names (`%(140... param)s`).
    message = re.sub(r" at 0x[0-9a-fA-F]+", "", message)
    message = re.sub(r"\b0x[0-9a-fA-F]{8,}\b", "0x...", message)
    return re.sub(r"%\(\d+ ([^)]*)\)s", r"%(\1)s", message)


def failure_of(exc: BaseException, path: Path) -> Failure:
    """What a migration's exception says, with the line of `path` it came from; the same bytes every run."""
    frames = traceback.extract_tb(exc.__traceback__)
    line = line_in(exc, path)
    raised_in = _raised_in(frames[-1].filename, path) if frames else "library"
    # sys.exit() in a migration is a failure, never a deliberate refusal (not an irreversible step).
    deliberate = isinstance(exc, Exception) and raised_in == "migration"
    full = _scrubbed(exc)
    message = full if len(full) <= 300 else full[:297] + "..."
    # An error raised while handling another (e.g. in a `finally:`) may hide the real cause.
    context = exc.__context__
    hidden = failure_of(context, path) if context is not None and not exc.__suppress_context__ else None
    return Failure(cause=f"{type(exc).__name__}: {message}", line=line, deliberate=deliberate,
                   raised_in=raised_in, plain=_plain(exc), full=f"{type(exc).__name__}: {full}", context=hidden)


@contextmanager
def quiet_alembic():
    """Alembic's INFO logging off while rendering (its progress lines are not ours to print)."""
    logger = logging.getLogger("alembic")
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)


def render(config: Config, history: History, dialect: Dialect, direction: str, revisions) -> Rendering:
    """Render `revisions` (in the order given) for one dialect and direction, in one pass."""
    rendering = _render(config, history, dialect, direction, revisions)
    show_warnings(rendering)
    return rendering


def _render(config: Config, history: History, dialect: Dialect, direction: str, revisions) -> Rendering:
    batch.install()  # same bytes every time, and table rebuilds reported
    environment = _OfflineEnvironment(config, history, dialect, direction, revisions)
    script = history.script
    with environment:
        run_env_py(config, history, f"rendering {dialect.name} {direction}", lambda: _builtin_env(environment),
                   dialect=dialect.name, label=f"{dialect.name} {direction}")
    missing = [r for r in revisions if r not in environment.result.migrations]
    if missing:
        raise RenderError(
            f"env.py did not call context.run_migrations() in offline mode ({len(missing)} migrations not rendered)",
            path=config.relative(Path(script.dir) / "env.py"),
            dialect=dialect.name,
            hint="make run_migrations_offline() call context.run_migrations(), or set environment = \"builtin\"",
        )
    return environment.result


_BUILTIN_HINT = 'or set environment = "builtin" in [tool.sqlrelease] (sqlrelease\'s own minimal env.py)'


def run_env_py(config: Config, history: History, what: str, builtin, dialect: str | None = None,
               label: str | None = None) -> None:
    """Run the project's env.py (or `builtin`, per the config) inside the environment entered by the caller.

    What env.py and the migrations print goes to stderr (stdout is for our results and
    --json); its logging configuration is not applied (fileConfig is a no-op meanwhile);
    its failures, exits included, become one RenderError that names the common causes.
    """
    env_py = Path(history.script.dir) / "env.py"
    with as_alembic_runs(config), quiet_alembic(), migration_output(), _logging_config_ignored():
        try:
            with stopped_in(config.relative(env_py), env_py, None, dialect or "", "env.py"), \
                    limit(config.timeout, f"env.py ({label or what})"):
                if config.environment == "builtin":
                    builtin()
                else:
                    history.script.run_env()
        except SqlreleaseError:
            raise
        except (Exception, SystemExit) as exc:
            raise _env_py_error(config, history, exc, what, dialect) from None


def _env_py_error(config: Config, history: History, exc: BaseException, what: str, dialect: str | None) -> RenderError:
    env_py = Path(history.script.dir) / "env.py"
    failure = failure_of(exc, env_py)
    failure = replace(failure, cause=urls.mask(failure.cause))  # a URL env.py built may carry a password
    text = failure.full
    if isinstance(exc, SystemExit):
        message = (f"env.py failed while {what}: {failure.cause} (it called sys.exit({exc.code}): it expects to be "
                   "run by the project's own command)")
        hint = f"make env.py run under plain Alembic (`alembic upgrade --sql`), {_BUILTIN_HINT}"
    elif "greenlet" in text or "async driver" in text or "asyncio" in text:
        message = f"env.py makes an asyncio engine while {what}: {failure.cause}"
        hint = ("let env.py use the connection sqlrelease hands it in config.attributes[\"connection\"] when it is set "
                f"(Alembic's recipe for sharing a connection), {_BUILTIN_HINT}")
    elif isinstance(exc, ImportError) and exc.name and failure.raised_in != "library":
        message = f"env.py imports the application ({exc.name}), which cannot be imported here: {failure.cause}"
        hint = ("make it importable here (install it, or add its folder with prepend_sys_path in alembic.ini), "
                f"{_BUILTIN_HINT}")
    else:
        message = f"env.py failed while {what}: {failure.cause}"
        hint = f"if env.py needs the application or a database, set environment = \"builtin\" in [tool.sqlrelease]"
    return RenderError(message, path=config.relative(env_py), line=failure.line, dialect=dialect, hint=hint)


@contextmanager
def _logging_config_ignored():
    """env.py's fileConfig() does nothing meanwhile: the project's logging must not take over ours."""
    real = logging.config.fileConfig
    logging.config.fileConfig = lambda *args, **kwargs: None
    try:
        yield
    finally:
        logging.config.fileConfig = real


def _builtin_env(environment: _OfflineEnvironment) -> None:
    """What a minimal offline env.py does, for projects whose own env.py cannot run here."""
    environment.configure(target_metadata=None, dialect_opts={"paramstyle": "named"})
    with environment.begin_transaction():
        environment.run_migrations()


# -- several passes, in worker processes ---------------------------------------------------

# Below this many migration renders (revisions x passes), starting worker processes
# costs more than it saves: the passes run in this process.
MIN_PARALLEL = 200
# Each pass is cut into chunks of at least this many revisions, enough of them to keep
# every worker busy to the end; a chunk runs env.py once more, which costs little.
MIN_CHUNK = 25


@dataclass(frozen=True)
class Pass:
    """One dialect and direction over `revisions`, in that order."""

    dialect: Dialect
    direction: str
    revisions: tuple[str, ...]


def render_passes(config: Config, history: History, passes: list[Pass], jobs: int = 1) -> list[Rendering]:
    """Render each pass, results in the order of `passes`, the same bytes however many `jobs`.

    With jobs > 1 the passes, cut into chunks of revisions, render in that many
    worker processes forked from this one after the history was loaded, so no
    worker loads it again. A migration renders the same on its own as after the
    ones before it (offline rendering keeps nothing from one migration for the
    next), so chunks joined in order are the pass. Warnings are shown here, once.
    """
    if jobs <= 1 or sum(len(p.revisions) for p in passes) < MIN_PARALLEL:
        return [render(config, history, p.dialect, p.direction, p.revisions) for p in passes]
    chunks = [
        (index, position, chunk)
        for index, p in enumerate(passes)
        for position, chunk in enumerate(_chunks(p, jobs, len(passes)))
    ]
    chunks.sort(key=lambda item: -len(item[2].revisions))  # longest first, for the workers to finish together

    def render_chunk(item: tuple[int, int, Pass]) -> Rendering:
        chunk = item[2]
        rendering = _render(config, history, chunk.dialect, chunk.direction, chunk.revisions)
        # Warnings travel back to be shown here; a warning class defined in a revision file cannot.
        rendering.warnings = [(t, c if _picklable(c) else UserWarning, s, n) for t, c, s, n in rendering.warnings]
        return rendering

    parts = workers.forked_map(render_chunk, chunks, jobs)
    results = [Rendering(dialect=p.dialect.name, direction=p.direction) for p in passes]
    for (index, _, _), part in sorted(zip(chunks, parts), key=lambda pair: pair[0][:2]):  # back in order
        result = results[index]
        result.migrations.update(part.migrations)
        result.version_table, result.version_table_schema = part.version_table, part.version_table_schema
        result.warnings += part.warnings
    for result in results:
        show_warnings(result)
    return results


def _chunks(render_pass: Pass, jobs: int, passes: int) -> list[Pass]:
    wanted = max(1, math.ceil(2 * jobs / passes))  # about two chunks per worker
    count = max(1, min(wanted, len(render_pass.revisions) // MIN_CHUNK))
    size = math.ceil(len(render_pass.revisions) / count)
    revisions = render_pass.revisions
    return [Pass(render_pass.dialect, render_pass.direction, revisions[i : i + size]) for i in range(0, len(revisions), size)]


def _picklable(category: type) -> bool:
    try:
        pickle.dumps(category)
        return True
    except Exception:  # a warning class defined in a revision file
        return False
