"""The schema each release expects: its bundles applied to a scratch database, then read back.

For every dialect listed in `expected_schema` ([tool.sqlrelease]; SQLite by
default), the upgrade.sql of every release (and stamp.sql, in separate stamp
mode) is applied in plan order to one empty scratch database, and after each
release the schema query (`templates/schema/`) reads what the release left: the
release's expected schema, which its manifest records and `status --drift`
compares targets with. Same files, same schema: it is as deterministic as the
SQL itself.

SQLite needs no server: its scratch database is an in-memory one run through
Python's sqlite3 module (the files' only dot-commands, `.bail on` and
`.timeout`, are left out: the module stops at the first error by itself). In
memory, not a temporary file: the SQL means the same, and each release's COMMIT
then writes no journal and syncs no file (about 0.4 s CPU of 6 at 1,000 revisions).
It holds in `main` only the tables each file reaches, the others waiting in
attached databases (sqlitescratch.py): every ALTER TABLE makes SQLite parse the
whole schema of its database again.
PostgreSQL and MySQL/MariaDB need their rehearsal server (servers.py) and
native client wherever bundles are built or checked, which is why they are
recorded only when listed; a dialect that is not records why not, the same way
on every machine.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

from . import schema, servers, urls
from .dialects import DIALECTS, Dialect
from .dialects.client import ClientMissing, run
from .errors import ConfigError, ServerError, SqlreleaseError
from .rehearse import scratch_database
from .sqlitescratch import ScratchFailure, SqliteScratch

def not_listed(dialect: str) -> dict:
    """Why a dialect's expected schema is not recorded (the same words on every machine)."""
    if DIALECTS[dialect].native_client is None:
        return schema.absent(f"no fingerprint: not supported for {DIALECTS[dialect].title} yet")
    return schema.absent(
        f"no fingerprint: no scratch server (expected_schema in [tool.sqlrelease] does not list {dialect}; "
        "listing it needs its rehearsal server wherever bundles are built and checked)"
    )


def expected_schemas(
    config,
    chain: list[tuple[str, dict[str, list[str]]]],
    dialects: list[str],
    excluded: list[str],
    schema_name: str | None,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, dict[str, dict]]:
    """{release: {dialect: manifest entry}} for the releases of `chain`, in plan order.

    `chain` lists every release from the first one on: (name, {dialect: texts to
    apply, in order}); a release whose texts are None could not be rendered, and
    neither it nor any release after it gets a fingerprint.
    """
    result: dict[str, dict[str, dict]] = {name: {} for name, _ in chain}
    for dialect in dialects:
        if dialect not in config.expected_schema:
            for name, _ in chain:
                result[name][dialect] = not_listed(dialect)
            continue
        progress(f"recording the expected schema ({dialect}) of {len(chain)} release(s) on a scratch database")
        for name, entry in _apply_chain(config, DIALECTS[dialect], chain, excluded, schema_name).items():
            result[name][dialect] = entry
    return result


def _apply_chain(config, dialect: Dialect, chain, excluded, schema_name) -> dict[str, dict]:
    entries: dict[str, dict] = {}
    stopped: str | None = None
    previous: dict[str, str] | None = None  # the release before's table digests
    with _scratch(config, dialect, schema_name) as scratch:
        reader = _SchemaReader(scratch, dialect, schema_name, excluded)
        ahead: list[str] | None = None  # the next release's files, made early
        for index, (name, texts) in enumerate(chain):
            if stopped is None and texts is None:
                stopped = f"no fingerprint: release {name} (or one before it) could not be rendered"
            elif stopped is None:
                files = ahead if ahead is not None else texts[dialect.name]
                ahead = _ahead(chain, index + 1, dialect.name)
                try:
                    for number, text in enumerate(files):
                        scratch.apply(text, "\n".join([*files[number + 1 :], *(ahead or [])]))
                    tables, unchanged = reader.read()
                except ScratchFailure:
                    stopped = f"no fingerprint: the files of release {name} failed on an empty scratch database"
                else:
                    entries[name] = schema.recorded(tables, previous, unchanged)
                    previous = entries[name]["digests"]
                    continue
            entries[name] = schema.absent(stopped)
    return entries


def _ahead(chain, index: int, dialect: str) -> list[str] | None:
    """A release's files, asked for one release early so the scratch knows which tables to keep at hand
    (a hint: None when there is no such release or its files cannot be made, which its turn then says)."""
    if index >= len(chain) or chain[index][1] is None:
        return None
    try:
        return chain[index][1][dialect]
    except SqlreleaseError:
        return None


class _SchemaReader:
    """The scratch database's normalised schema after each release.

    Where the scratch can list its catalog (SQLite: sqlite_master), only the tables whose catalog
    rows changed since the last read are read again: a SQLite table's description comes from its
    own CREATE statement and its indexes' alone, and reading every table after every release grew
    with the square of the history. Elsewhere every table is read each time.
    """

    def __init__(self, scratch, dialect: Dialect, schema_name: str | None, excluded) -> None:
        self._scratch, self._dialect, self._schema, self._excluded = scratch, dialect, schema_name, list(excluded)
        self._catalog: dict | None = None
        self._tables: dict = {}

    def read(self) -> tuple[dict, set[str]]:
        """(the schema, the tables known to be as at the last read)."""
        catalog = self._scratch.catalog(self._schema) if hasattr(self._scratch, "catalog") else None
        same: set[str] = set()
        if catalog is not None and self._catalog is not None:
            same = {t for t, rows in catalog.items() if t in self._tables and self._catalog.get(t) == rows}
        if catalog is not None:
            self._scratch.gather(set(catalog) - same)  # where the query reads them
        rows = self._scratch.read(schema.query(self._dialect, self._schema, [*self._excluded, *same]))
        fresh = schema.normalise(rows, self._dialect.normal_type)
        tables = {t: fresh[t] if t in fresh else self._tables[t] for t in sorted(set(fresh) | same)}
        self._catalog, self._tables = catalog, tables
        return tables, same


def _scratch(config, dialect: Dialect, schema_name: str | None):
    if dialect.name == "sqlite":
        # Kept small (sqlitescratch.py) unless the files name a schema: the catalog is then read there.
        return SqliteScratch(small=schema_name is None)
    if servers.url(config, dialect.name) is None:
        raise ConfigError(
            f"expected_schema lists {dialect.name}, but no {dialect.name} server is named to apply the bundles on",
            hint=f"name one with {servers.how_to_name_a_server(dialect.name)}, or remove {dialect.name} from expected_schema",
        )
    return _ServerScratch(config, dialect)


class _ServerScratch:
    """A scratch database on the rehearsal server, driven by the dialect's native client."""

    def __init__(self, config, dialect: Dialect) -> None:
        self._config, self._dialect = config, dialect

    def __enter__(self):
        self._context = scratch_database(self._config, self._dialect.name)
        url = urls.split(self._context.__enter__())
        self._password, self._url = url.password, url.set(password=None)
        problem = self._dialect.native_client.check_url(self._url)
        if problem:
            self._context.__exit__(None, None, None)
            raise ConfigError(f"the {self._dialect.name} rehearsal server's URL: {problem}")
        self._folder = tempfile.TemporaryDirectory(prefix="sqlrelease-schema-")
        return self

    def __exit__(self, *exc) -> None:
        self._folder.cleanup()
        self._context.__exit__(*exc)

    def _run(self, make, *args, **kwargs) -> tuple[int, str, str]:
        try:
            invocation = make(self._url, *args, self._password, timeout=15, **kwargs)
        except ClientMissing as exc:
            raise ConfigError(f"expected_schema lists {self._dialect.name}: {exc}") from None
        code, out, err, _ = run(invocation, timeout=600)
        if code == 127:
            raise ServerError(f"cannot run {invocation.argv[0]} on the {self._dialect.name} scratch database: {err.decode()}")
        return code, out.decode("utf-8", "replace"), urls.mask(err.decode("utf-8", "replace"))

    def apply(self, text: str, upcoming: str = "") -> None:
        """Run one file with the native client (`upcoming` is for SqliteScratch only)."""
        path = Path(self._folder.name) / "script.sql"
        path.write_text(text, encoding="utf-8")
        code, _, err = self._run(self._dialect.native_client.apply, path)
        if code != 0:
            raise ScratchFailure(err)

    def read(self, query: str) -> list[dict]:
        code, out, err = self._run(self._dialect.native_client.query, query)
        if code != 0:
            last = err.strip().splitlines()[-1] if err.strip() else f"exit {code}"
            raise ServerError(f"the schema query failed on the {self._dialect.name} scratch database: {last}")
        return schema.rows(out.splitlines())
