"""Fixtures for tests against real PostgreSQL, MariaDB and SQLite.

* ``postgres_server`` / ``mariadb_server`` (session): a throwaway server,
  started on first use and stopped at the end of the session; or the server
  named by ``SQLRELEASE_TEST_POSTGRES_URL`` / ``SQLRELEASE_TEST_MYSQL_URL``.
* ``pg_db`` / ``mysql_db`` / ``sqlite_db`` (function): a fresh empty database,
  a ``dbtools.Database``; dropped afterwards.
* ``db``: one of those by dialect name.  A test that asks for ``db`` runs
  once per dialect, or for the dialects it names with
  ``@pytest.mark.parametrize("db", ["postgresql", "sqlite"], indirect=True)``.
* ``make_db``: a factory, ``make_db("mysql")``, for tests needing several.

Every test using these is marked ``db``.  When a server is unavailable the
test is skipped locally; with ``CI=true`` any skip of a ``db`` test is turned
into a failure, so CI cannot go green without having run it.  The only
exception is a skip requested by a ``skip``/``skipif`` marker on the test:
that decision is written in the test itself.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dbservers  # noqa: E402
from dbtools import DIALECTS, Database  # noqa: E402

POSTGRES_URL_ENV = "SQLRELEASE_TEST_POSTGRES_URL"
MYSQL_URL_ENV = "SQLRELEASE_TEST_MYSQL_URL"
DB_FIXTURES = frozenset(
    {"postgres_server", "mariadb_server", "pg_db", "mysql_db", "sqlite_db", "db", "make_db"}
)
CLIENTS = {"postgresql": "psql", "mysql": "mariadb", "sqlite": "sqlite3"}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "db: needs a real database server or client; with CI=true a skip of it is a failure",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test asking for ``db`` without naming dialects runs on all of them."""
    if "db" not in metafunc.fixturenames:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        if "db" in names:
            return
    metafunc.parametrize("db", DIALECTS, indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DB_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def _marker_skip_reasons(item: pytest.Item) -> set[str]:
    reasons = set()
    for mark in item.iter_markers("skip"):
        reasons.add(mark.kwargs.get("reason") or (mark.args[0] if mark.args else "unconditional skip"))
    for mark in item.iter_markers("skipif"):
        if "reason" in mark.kwargs:
            reasons.add(mark.kwargs["reason"])
    return reasons


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if (
        in_ci()
        and report.skipped
        and not hasattr(report, "wasxfail")
        and item.get_closest_marker("db") is not None
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        if reason not in _marker_skip_reasons(item):
            report.outcome = "failed"
            report.longrepr = (
                f"database test skipped in CI (CI=true), which counts as a failure: {reason}"
            )


def _unavailable(what: str, exc: BaseException | str) -> None:
    pytest.skip(f"{what} unavailable: {exc}")


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for the whole session (started on first use)."""
    url = os.environ.get(POSTGRES_URL_ENV)
    try:
        server = dbservers.connect_postgres(url) if url else dbservers.start_postgres()
    except dbservers.ServerUnavailable as exc:
        _unavailable("PostgreSQL", exc)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mariadb_server():
    """A MariaDB server for the whole session (started on first use)."""
    url = os.environ.get(MYSQL_URL_ENV)
    try:
        server = dbservers.connect_mysql(url) if url else dbservers.start_mariadb()
    except dbservers.ServerUnavailable as exc:
        _unavailable("MariaDB", exc)
    try:
        yield server
    finally:
        server.stop()


def _require_client(dialect: str) -> None:
    client = CLIENTS[dialect]
    if shutil.which(client) is None:
        _unavailable(f"{dialect} client", f"{client} is not on PATH")


@pytest.fixture
def make_db(request: pytest.FixtureRequest, tmp_path: Path):
    """Factory: ``make_db(dialect)`` returns a new empty ``Database``; all are dropped afterwards."""
    created: list[tuple[dbservers.Server, str]] = []
    count = 0

    def make(dialect: str) -> Database:
        nonlocal count
        count += 1
        _require_client(dialect)
        if dialect == "sqlite":
            path = tmp_path / f"db{count}.sqlite3"
            return Database(dialect="sqlite", url=f"sqlite:///{path}", name=str(path))
        if dialect == "postgresql":
            server = request.getfixturevalue("postgres_server")
        elif dialect == "mysql":
            server = request.getfixturevalue("mariadb_server")
        else:
            raise ValueError(f"unknown dialect {dialect!r}; expected one of {DIALECTS}")
        name = f"sqlr_{uuid.uuid4().hex[:16]}"
        url = server.create_database(name)
        created.append((server, name))
        return Database(dialect=dialect, url=url, name=name, host=server.host, port=server.port,
                        user=server.user, password=server.password)

    yield make
    for server, name in reversed(created):
        server.drop_database(name)


@pytest.fixture
def pg_db(make_db) -> Database:
    return make_db("postgresql")


@pytest.fixture
def mysql_db(make_db) -> Database:
    return make_db("mysql")


@pytest.fixture
def sqlite_db(make_db) -> Database:
    return make_db("sqlite")


@pytest.fixture
def db(request: pytest.FixtureRequest, make_db) -> Database:
    """A fresh database of the dialect given by (indirect) parametrization."""
    dialect = getattr(request, "param", None)
    if dialect not in DIALECTS:
        raise ValueError(f"db fixture needs a dialect parameter in {DIALECTS}, got {dialect!r}")
    return make_db(dialect)


# -- the sample, built once per test module ------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The sample with its bundles built; tests copy it (`project`) before changing anything."""
    from projects import make_project
    from sqlrelease import api

    root = make_project(tmp_path_factory.mktemp("built"))
    api.build(root)
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built sample."""
    root = tmp_path / "project"
    shutil.copytree(built, root)
    return root
