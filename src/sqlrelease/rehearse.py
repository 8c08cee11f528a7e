"""Rehearsal: SQL for migrations that need a database, recorded while they run on a scratch one.

Some migrations cannot render offline: they read rows, reflect the schema, use
batch mode without `copy_from`, or refuse `--sql` on purpose. For those, a
scratch database of the same dialect is brought to the release's start by the
same history (online, as `alembic upgrade` would), then the release's
migrations run online while every statement that changes schema or data is
recorded with its parameters rendered as literals. Reads run but are not
written; a read of a user table (not the catalog) marks the recorded SQL as
data-dependent, because scratch data is not production data.

The scratch database is a temporary SQLite file for sqlite. For postgresql and
mysql it is a temporary database created on a server the user names, with
`--rehearse-url DIALECT=URL`, the environment variable
`SQLRELEASE_REHEARSE_URL_<DIALECT>`, or `[tool.sqlrelease.rehearse]` in
pyproject.toml (the environment keeps passwords out of the repository).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy import event
from sqlalchemy.pool import NullPool

from . import batch, urls
from .diagnosis import diagnose
from .dialects import DIALECTS
from .errors import RenderError, ServerError
from .render import alembic_config_for_render, failure_of, run_env_py, stopped_in
from .timelimit import limit
from .volatile import AGAIN_AFTER, flag
from .rendered import DOWNGRADE, UPGRADE, Failure, MigrationSQL
from .servers import available, how_to_name_a_server, url, wanted

def needs_rehearsal(project, revision: str, direction: str, sql: MigrationSQL) -> bool:
    if sql.origin != "offline":
        return False
    if revision in wanted(project.config):
        return True
    if sql.failure is None:
        return False
    return diagnose(project.history.revisions[revision].path, sql.failure, direction).cause.rehearsable


def fill(project, releases, dialect: str, upgrade: dict, downgrade: dict, progress=lambda message: None) -> None:
    """Replace, in place, the offline SQL of revisions that need rehearsal with rehearsed SQL."""
    for release in releases:
        targets = {
            (revision, direction)
            for revision in release.revisions
            for direction, rendered in ((UPGRADE, upgrade), (DOWNGRADE, downgrade))
            if needs_rehearsal(project, revision, direction, rendered[revision])
        }
        if not targets:
            continue
        if not available(project.config, dialect):
            continue  # build reports the offline failure, whose fix names --rehearse-url
        progress(f"rehearsing {dialect}: release {release.name}, {len({r for r, _ in targets})} migration(s)")
        with scratch_database(project.config, dialect) as scratch_url:
            first = _rehearse(project, release, dialect, scratch_url, targets)
        recorded = first.recorded
        unchecked = first.unchecked()
        if unchecked:
            # The second run could not follow the downgrades (one failed, or left the database so
            # that an upgrade failed): it runs on a fresh scratch database instead, so it always runs.
            progress(f"rehearsing {dialect}: release {release.name}, its upgrades again on a fresh scratch database")
            with scratch_database(project.config, dialect) as scratch_url:
                again = _rehearse(project, release, dialect, scratch_url, {(r, UPGRADE) for r in unchecked},
                                  not_before=(first.started or 0.0) + AGAIN_AFTER)
            second = {r: again.recorded[(r, UPGRADE)].statements for r in unchecked
                      if (r, UPGRADE) in again.recorded and again.recorded[(r, UPGRADE)].failure is None}
            flag(recorded, unchecked, second)
        for (revision, direction), sql in recorded.items():
            (upgrade if direction == UPGRADE else downgrade)[revision] = sql


@contextmanager
def scratch_database(config, dialect: str):
    """A fresh, empty database of `dialect`; dropped (or deleted) afterwards."""
    if dialect == "sqlite":
        folder = tempfile.mkdtemp(prefix="sqlrelease-rehearsal-")
        try:
            yield f"sqlite:///{Path(folder) / 'scratch.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    server_url = url(config, dialect)
    if server_url is None:
        raise RenderError(f"no server to rehearse {dialect} migrations on", dialect=dialect,
                          hint=f"name a server with {how_to_name_a_server(dialect)}")
    name = f"sqlrelease_rehearsal_{uuid.uuid4().hex[:12]}"
    with _server_errors(server_url, dialect, "create a scratch database"):
        server = sa.create_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                                  connect_args=_connect_args(server_url, dialect))
        with server.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            with server.connect() as connection:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        except sa.exc.SQLAlchemyError as exc:
            warnings.warn(f"could not drop the scratch database {name} on {urls.shown(server_url)}: "
                          f"{_driver_message(exc)}", stacklevel=1)
        server.dispose()


CONNECT_TIMEOUT = 15  # seconds; a server that does not answer is an error, not a hang


def _connect_args(server_url, dialect: str) -> dict:
    if dialect in ("postgresql", "mysql") and "connect_timeout" not in server_url.query:
        return {"connect_timeout": CONNECT_TIMEOUT}
    return {}


def _driver_message(exc: BaseException) -> str:
    """The driver's own words, on one line, passwords hidden."""
    original = getattr(exc, "orig", None) or exc
    text = " ".join(str(original).split()) or type(original).__name__
    return urls.mask(text if len(text) <= 300 else text[:297] + "...")


@contextmanager
def _server_errors(server_url, dialect: str, doing: str):
    """A rehearsal server that cannot be reached or used becomes one line naming it (password hidden)."""
    try:
        yield
    except (sa.exc.SQLAlchemyError, ImportError, OSError) as exc:
        raise ServerError(
            f"cannot {doing} on the {dialect} rehearsal server {urls.shown(server_url)}: {_driver_message(exc)}",
            dialect=dialect,
            hint=f"check its host, port, user, password and database; the server is named by {how_to_name_a_server(dialect)}",
        ) from None


def rehearse_release(project, release, dialect: str, scratch_url: str, targets) -> dict:
    """Run `release` online on the scratch database; {(revision, direction): MigrationSQL} for `targets`.

    After the release's downgrades, its upgrades run a second time (see `_RehearsalEnvironment.again`):
    values a migration computes while it runs (uuid4(), now(), random) differ between the two runs,
    and the recorded upgrade names them in `volatile`. When that second run cannot follow the
    downgrades, `fill` runs it on a fresh scratch database.
    """
    return _rehearse(project, release, dialect, scratch_url, targets).recorded


def _rehearse(project, release, dialect: str, scratch_url: str, targets, not_before: float | None = None):
    """The rehearsal environment after its run. With `not_before` (a time.monotonic() value), the
    check run: only the upgrades, the release's first one starting no earlier, and a failing step
    ends it quietly (the first run already succeeded; this one only looks for values that differ)."""
    history = project.history
    before = [r for r in history.order(history.ancestors(release.start))] if release.start else []
    steps = [(r, UPGRADE) for r in before] + [(r, UPGRADE) for r in release.revisions]
    if not_before is None:
        steps += [(r, DOWNGRADE) for r in reversed(release.revisions)]
    batch.install()
    engine = sa.create_engine(scratch_url, poolclass=NullPool)
    try:
        with _server_errors(sa.make_url(scratch_url), dialect, "connect to the scratch database"):
            connection = engine.connect()
        with connection:
            recorder = _Recorder(DIALECTS[dialect], connection.dialect)
            event.listen(connection, "before_cursor_execute", recorder.before_cursor_execute)
            environment = _RehearsalEnvironment(project, connection, steps, set(targets), recorder, scratch_url)
            environment.preparing = set(before)
            if not_before is None:
                environment.again = list(release.revisions)
            else:
                environment.checking, environment.not_before = True, not_before

            def builtin() -> None:
                environment.configure(target_metadata=None)
                with environment.begin_transaction():
                    environment.run_migrations()

            with environment:
                run_env_py(project.config, history, f"rehearsing {dialect} release {release.name}", builtin, dialect,
                           label=f"rehearsing {dialect}")
            return environment
    finally:
        engine.dispose()


class _RehearsalEnvironment(EnvironmentContext):
    """An online EnvironmentContext on the scratch connection that runs a fixed list of steps.

    The scratch database looks like what online Alembic gives a migration: the version
    table exists and holds the heads applied so far, and each migration runs in
    Alembic's own per-migration transaction handling, so `autocommit_block()` works.
    """

    def __init__(self, project, connection, steps, targets, recorder, scratch_url) -> None:
        cfg = alembic_config_for_render(project.config)
        cfg.set_main_option("sqlalchemy.url", scratch_url.replace("%", "%%"))
        # Alembic's recipe for sharing a connection: env.py files that follow it (asyncio ones
        # among them) run on ours instead of making an engine of their own.
        cfg.attributes["connection"] = connection
        super().__init__(cfg, project.history.script, as_sql=False)
        self.project, self.connection, self.steps = project, connection, steps
        self.preparing: set[str] = set()  # revisions that bring the scratch database to the release's start
        self.again: list[str] = []  # the release's revisions, upgraded a second time after its downgrades
        self.targets, self.recorder = targets, recorder
        self.recorded: dict[tuple[str, str], MigrationSQL] = {}
        self.started: float | None = None  # time.monotonic() when the release's first migration started
        self.checked = False  # whether the second run compared the release's upgrades (see unchecked)
        self.checking = False  # this is the second run, on a fresh database (see _rehearse)
        self.not_before = 0.0
        self._ran = False

    def configure(self, *args, **kw):  # noqa: D401 - same contract as Alembic's
        for key in ("connection", "url", "dialect_name", "output_buffer", "as_sql"):
            kw.pop(key, None)
        return super().configure(*args, connection=self.connection, **kw)

    def run_migrations(self, **kw) -> None:
        if self._ran:
            return
        self._ran = True
        context = self.get_context()
        versions = _VersionTable(context, self.project.history)
        with Operations.context(context), _autocommit_recorded(context, self.recorder):
            versions.create()
            started = None
            for position, (revision, direction) in enumerate(self.steps):
                if started is None and revision not in self.preparing:
                    time.sleep(max(0.0, self.not_before - time.monotonic()))
                    started = self.started = time.monotonic()
                failed = self._step(context, revision, direction, kw)
                if failed:  # a downgrade that fails: nothing below it can be rehearsed
                    for below, way in self.steps[position + 1:]:
                        if (below, way) in self.targets:
                            blocked = Failure(f"not rehearsed: the downgrade of {revision} fails before it",
                                              blocked_by=revision)
                            self.recorded[(below, way)] = MigrationSQL(below, failure=blocked, origin="rehearsed")
                    return
                versions.moved(revision, direction)
            self._run_again(context, versions, started, kw)

    def _run_again(self, context, versions, started, kw) -> None:
        """The release's upgrades once more, on the database its downgrades gave back; targets whose
        statements differ from the first run get the differing values in `volatile`.

        Running twice is what tells a value the migration computed (an id from uuid4(), a time from
        now(), a random pick) from one it was given: nothing else about the two runs differs. The
        second run starts at least a second after the first, so that times at a precision of
        seconds differ too. It is a check, never a failure: if it cannot run here, `unchecked()` says
        which upgrades `fill` runs again on a fresh scratch database.
        """
        wanted = self.unchecked()
        if not wanted:
            return
        time.sleep(max(0.0, AGAIN_AFTER - (time.monotonic() - (started or 0.0))))
        second: dict[str, list[str]] = {}
        for revision in self.again:
            self.recorder.start()
            try:
                with limit(self.project.config.timeout, f"upgrade() of revision {revision} (rehearsal, second run)"), \
                        batch.recording(self.recorder.position), context.begin_transaction(_per_migration=True):
                    self.project.history.module(revision).upgrade(**kw)
            except RenderError:  # a time limit or an interrupt
                raise
            except (Exception, SystemExit):  # the downgrades did not give back what the upgrade needs
                return
            finally:
                statements, _ = self.recorder.stop()
            second[revision] = statements
            versions.moved(revision, UPGRADE)
        flag(self.recorded, wanted, second)
        self.checked = True

    def unchecked(self) -> list[str]:
        """The release's rehearsed upgrades (recorded without failure) that no second run compared yet."""
        if self.checked or self.checking:
            return []
        return [r for r in self.again if (r, UPGRADE) in self.targets and self.recorded.get((r, UPGRADE))
                and self.recorded[(r, UPGRADE)].failure is None]

    def _step(self, context, revision: str, direction: str, kw) -> bool:
        """Run one migration; record it when it is a target. True when a downgrade failed."""
        history = self.project.history
        record = (revision, direction) in self.targets
        self.recorder.start() if record else self.recorder.stop()
        path = history.revisions[revision].path
        try:
            with stopped_in(history.source_path(revision), path, revision, self.recorder.dialect.name,
                            f"{direction}() (rehearsal)"), \
                    limit(self.project.config.timeout, f"{direction}() of revision {revision} (rehearsal)"), \
                    batch.recording(self.recorder.position) as rebuilds, \
                    context.begin_transaction(_per_migration=True):
                getattr(history.module(revision), direction)(**kw)
        except RenderError:  # a time limit or an interrupt
            raise
        except (Exception, SystemExit) as exc:
            if self.checking:  # the second run is a check, never a failure: nothing gets flagged
                return True
            failure = failure_of(exc, history.revisions[revision].path)
            if record:
                self.recorded[(revision, direction)] = MigrationSQL(revision, failure=failure, origin="rehearsed")
            if direction == DOWNGRADE:
                return True
            if record or revision not in self.preparing:
                what = f"rehearsal of {direction}() failed on the scratch database"
            else:
                what = (f"{direction}() failed while the scratch database was brought to the release's start, "
                        f"before the migrations to rehearse ({', '.join(sorted({r for r, _ in self.targets}))}) could run")
            raise RenderError(
                f"{what}: {failure.cause}",
                path=history.source_path(revision),
                line=failure.line,
                revision=revision,
                hint="the migration fails online too; fix it or supply an override",
            ) from None
        finally:
            statements, data_dependent = self.recorder.stop()
        if record:
            self.recorded[(revision, direction)] = MigrationSQL(
                revision, tuple(statements), origin="rehearsed", data_dependent=data_dependent,
                rebuilds=tuple(rebuilds),
            )
        return False


class _VersionTable:
    """The scratch database's alembic_version, kept as online Alembic keeps it (never recorded)."""

    def __init__(self, context, history) -> None:
        self.context, self.history = context, history
        name, schema = context.version_table, context.version_table_schema
        self.table = sa.Table(name, sa.MetaData(), sa.Column("version_num", sa.String(32), nullable=False),
                              sa.PrimaryKeyConstraint("version_num", name=f"{name}_pkc"), schema=schema)
        self.heads: set[str] = set()

    def create(self) -> None:
        self.table.create(self.context.connection, checkfirst=True)

    def moved(self, revision: str, direction: str) -> None:
        applied = self.history.ancestors(self.heads) if self.heads else frozenset()
        applied = applied | {revision} if direction == UPGRADE else applied - {revision}
        self.heads = set(self.history.heads_of(applied))
        connection = self.context.connection
        connection.execute(self.table.delete())
        if self.heads:
            connection.execute(self.table.insert(), [{"version_num": head} for head in sorted(self.heads)])


@contextmanager
def _autocommit_recorded(context, recorder):
    """`autocommit_block()` runs as online, and the recording says COMMIT ... BEGIN around it.

    On a dialect with transactional DDL (PostgreSQL) the bundle runs in one transaction;
    the statements of the block must run outside it, as the offline path writes them.
    """
    real = context.autocommit_block

    @contextmanager
    def recorded_block():
        if context.impl.transactional_ddl:
            recorder.control("COMMIT;")
        with real():
            yield
        if context.impl.transactional_ddl:
            recorder.control("BEGIN;")

    context.autocommit_block = recorded_block
    try:
        yield
    finally:
        del context.autocommit_block


# As in render.py: `from alembic import context` finds the installed environment by class.
_RehearsalEnvironment._setups[_RehearsalEnvironment] = EnvironmentContext._setups[EnvironmentContext]


_READ = re.compile(r"^\s*(SELECT|WITH|SHOW|DESCRIBE|DESC|EXPLAIN|PRAGMA\s+[\w.]+\s*(\(|;|$))", re.IGNORECASE)
_QUERY = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)
_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
_CATALOG = re.compile(
    r"information_schema|pg_catalog|\bpg_\w+|sqlite_master|sqlite_schema|sqlite_temp_master|@@|alembic_version",
    re.IGNORECASE,
)
_BATCHED = re.compile(r"^\s*(UPDATE|DELETE)\b.*\bLIMIT\b", re.IGNORECASE | re.DOTALL)
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|`[^`]*`|%\((\w+)\)s|%s|%%|\?")


class _Recorder:
    """Keeps the statements that change schema or data, with parameters as literals."""

    def __init__(self, dialect, sa_dialect) -> None:
        self.dialect, self.sa_dialect = dialect, sa_dialect
        self.statements: list[str] | None = None
        self.data_dependent = False

    def start(self) -> None:
        self.statements, self.data_dependent = [], False

    def stop(self) -> tuple[list[str], bool]:
        statements, data_dependent = self.statements or [], self.data_dependent
        self.statements, self.data_dependent = None, False
        return statements, data_dependent

    def control(self, statement: str) -> None:
        """A transaction boundary the bundle must keep (around an autocommit block)."""
        if self.statements is not None:
            self.statements.append(statement)

    def position(self) -> int:
        """How many statements are recorded so far."""
        return len(self.statements or ())

    def before_cursor_execute(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.statements is None or _CONTROL.match(statement):
            return
        if _READ.match(statement):
            # SHOW/DESCRIBE/PRAGMA read the catalog (MySQL's reflection: SHOW FULL TABLES FROM db).
            if _QUERY.match(statement) and re.search(r"\bFROM\b", statement, re.IGNORECASE) \
                    and not _CATALOG.search(statement):
                self.data_dependent = True
            return
        if _BATCHED.match(statement):
            self.data_dependent = True  # how many rows a batch takes, and so how many batches, depends on the rows
        for params in (parameters if executemany else [parameters]):
            text = self.dialect.clean(self.literal_sql(statement, params).strip())
            text = text if text.endswith(";") else text + ";"
            if self.statements and self.statements[-1] == text:
                self.data_dependent = True  # a loop that ran until the rows said stop (e.g. rowcount 0)
            self.statements.append(text)

    def literal_sql(self, statement: str, params) -> str:
        paramstyle = self.sa_dialect.paramstyle
        positional = iter(params) if isinstance(params, (list, tuple)) else None

        def substitute(match: re.Match) -> str:
            token = match.group(0)
            if token[0] in "'\"`":
                return token
            if token == "%%":
                return "%" if paramstyle in ("format", "pyformat") else token
            if token == "?" and paramstyle != "qmark":
                return token
            if match.group(1) is not None:
                return self.literal(params[match.group(1)])
            if positional is None:
                return token
            return self.literal(next(positional))

        return _TOKENS.sub(substitute, statement)

    def literal(self, value) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            if self.dialect.name == "postgresql":
                return "true" if value else "false"
            return "1" if value else "0"
        if isinstance(value, (bytes, bytearray, memoryview)):
            hexed = bytes(value).hex()
            return f"'\\x{hexed}'" if self.dialect.name == "postgresql" else f"X'{hexed}'"
        processor = sa.literal(value).type.literal_processor(self.sa_dialect)
        if processor is not None:
            try:
                return processor(value)
            except Exception:  # a processor that cannot take the DBAPI-level value
                pass
        text = str(value).replace("'", "''")
        return f"'{text}'"
