"""Throwaway PostgreSQL and MariaDB servers for the real-database tests.

Each server lives in its own temporary directory (data, socket, logs, pid
file), listens on 127.0.0.1 only, on a free port, with password-less access,
and is thrown away by ``stop()``.  Nothing here installs software: the CI
script (``.ci/run``) installs MariaDB; PostgreSQL's binaries are expected in
``/usr/lib/postgresql/<version>/bin``.

The temporary directories are created under ``$SQLRELEASE_DBSERVERS_DIR``
(default: the system temp dir) so that the CI script can find and kill
leftovers by their pid files if a test run is killed.

Usable as a script to get servers for manual work::

    python tests/dbservers.py postgres mariadb

This module must stay importable without SQLAlchemy (only ``create_database``
and friends import it) so that the script works with any Python 3.
"""

from __future__ import annotations

import argparse
import atexit
import glob
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

BASE_DIR_ENV = "SQLRELEASE_DBSERVERS_DIR"
PG_BINDIR_ENV = "SQLRELEASE_PG_BINDIR"
PREFERRED_PG_VERSION = "15"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
# A database name we are willing to paste into CREATE/DROP DATABASE.
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ServerUnavailable(RuntimeError):
    """A server cannot be started or reached; the message says why."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listened on a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_dir() -> Path:
    return Path(os.environ.get(BASE_DIR_ENV) or tempfile.gettempdir())


def _make_server_dir(prefix: str) -> Path:
    parent = base_dir()
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no {path.name})"
    return "\n".join(text.splitlines()[-lines:])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class Server:
    """What every server offers the fixtures; subclasses fill in the details."""

    dialect: str  # "postgresql" or "mysql", the SQLAlchemy dialect name
    driver: str
    host: str = "127.0.0.1"
    port: int
    user: str
    password: str | None = None
    admin_database: str = ""

    def __init__(self) -> None:
        self._engine = None

    # -- URLs ---------------------------------------------------------------
    def url_for(self, database: str) -> str:
        """SQLAlchemy URL (with driver) of ``database`` on this server."""
        auth = self.user if self.password is None else f"{self.user}:{_quote(self.password)}"
        query = "?charset=utf8mb4" if self.dialect == "mysql" else ""
        return f"{self.dialect}+{self.driver}://{auth}@{self.host}:{self.port}/{database}{query}"

    @property
    def admin_url(self) -> str:
        return self.url_for(self.admin_database)

    # -- databases ----------------------------------------------------------
    def _admin_engine(self):
        if self._engine is None:
            import sqlalchemy
            from sqlalchemy.pool import NullPool

            self._engine = sqlalchemy.create_engine(
                self.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool
            )
        return self._engine

    def _admin_execute(self, *statements: str) -> None:
        import sqlalchemy

        with self._admin_engine().connect() as conn:
            for statement in statements:
                conn.execute(sqlalchemy.text(statement))

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        _check_db_name(name)
        if self.dialect == "mysql":
            self._admin_execute(
                f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        else:
            self._admin_execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, even if a test left connections open."""
        _check_db_name(name)
        if self.dialect == "mysql":
            # An idle connection holds no metadata lock; an open transaction
            # would make DROP wait forever, so bound the wait.
            self._admin_execute("SET SESSION lock_wait_timeout = 20", f"DROP DATABASE IF EXISTS {name}")
        else:
            self._admin_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def check_connection(self, timeout: int = 5) -> None:
        """Raise ServerUnavailable unless the admin URL accepts a connection."""
        import sqlalchemy
        from sqlalchemy.pool import NullPool

        engine = sqlalchemy.create_engine(
            self.admin_url, poolclass=NullPool, connect_args={"connect_timeout": timeout}
        )
        try:
            with engine.connect() as conn:
                conn.execute(sqlalchemy.text("SELECT 1"))
        except Exception as exc:  # any driver error means "not usable"
            raise ServerUnavailable(f"cannot connect to {self.describe()}: {exc}") from exc
        finally:
            engine.dispose()

    # -- lifecycle ------------------------------------------------------------
    def describe(self) -> str:
        return f"{self.dialect} server at {self.host}:{self.port}"

    def stop(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _check_db_name(name: str) -> None:
    if not _DB_NAME.match(name):
        raise ValueError(f"not a safe database name: {name!r}")


# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------


def postgres_bindir() -> Path:
    """Directory of initdb/pg_ctl: $SQLRELEASE_PG_BINDIR, else version 15, else the newest."""
    if os.environ.get(PG_BINDIR_ENV):
        return Path(os.environ[PG_BINDIR_ENV])
    preferred = Path(f"/usr/lib/postgresql/{PREFERRED_PG_VERSION}/bin")
    if (preferred / "initdb").exists():
        return preferred
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    raise ServerUnavailable(
        "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin "
        f"(set {PG_BINDIR_ENV} to the directory holding initdb and pg_ctl)"
    )


def _check_traversable_by_others(path: Path) -> None:
    """initdb runs as user postgres: every parent of its directory must let it pass."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            raise ServerUnavailable(
                f"{parent} is not traversable by user postgres (mode {stat.filemode(mode)}); "
                f"point {BASE_DIR_ENV} to a directory like /tmp"
            )


class PostgresServer(Server):
    dialect = "postgresql"
    driver = "psycopg"
    user = "postgres"
    admin_database = "postgres"

    def __init__(self, directory: Path, port: int, bindir: Path, run_as: list[str]) -> None:
        super().__init__()
        self.directory = directory
        self.datadir = directory / "data"
        self.socket_dir = directory
        self.log_file = directory / "postgres.log"
        self.port = port
        self.bindir = bindir
        self._run_as = run_as
        self._stopped = False

    def _run(self, *argv: str, timeout: float = START_TIMEOUT) -> subprocess.CompletedProcess:
        # pg_ctl's server child inherits our stdout; a pipe would keep run()
        # waiting for it, so the output goes to a file.
        out_path = self.directory / "pg_ctl.out"
        with open(out_path, "w") as out:
            proc = subprocess.run(
                [*self._run_as, *argv],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        proc.stdout = out_path.read_text(errors="replace")
        return proc

    def _start(self) -> None:
        bin_ = str(self.bindir)
        init = self._run(
            f"{bin_}/initdb", "-D", str(self.datadir), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions",
        )
        if init.returncode != 0:
            raise ServerUnavailable(f"initdb failed ({init.returncode}):\n{init.stdout}")
        options = " ".join([
            "-c listen_addresses=127.0.0.1",
            f"-c port={self.port}",
            f"-c unix_socket_directories={self.socket_dir}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=50",
        ])
        start = self._run(
            f"{bin_}/pg_ctl", "start", "-D", str(self.datadir), "-l", str(self.log_file),
            "-w", "-t", str(int(START_TIMEOUT)), "-o", options,
        )
        if start.returncode != 0:
            raise ServerUnavailable(
                f"pg_ctl start failed ({start.returncode}):\n{start.stdout}\n{_tail(self.log_file)}"
            )

    def pid(self) -> int | None:
        try:
            return int((self.datadir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        super().stop()
        pid = self.pid()
        if pid is not None:
            try:
                self._run(
                    f"{self.bindir}/pg_ctl", "stop", "-D", str(self.datadir), "-m", "fast",
                    "-w", "-t", str(int(STOP_TIMEOUT)), timeout=STOP_TIMEOUT + 10,
                )
            except subprocess.TimeoutExpired:
                pass
            if _pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
                _wait_until(lambda: not _pid_alive(pid), STOP_TIMEOUT)
        shutil.rmtree(self.directory, ignore_errors=True)


def start_postgres(attempts: int = 3) -> PostgresServer:
    """Start a throwaway PostgreSQL server (trust auth, user ``postgres``)."""
    bindir = postgres_bindir()
    run_as: list[str] = []
    if os.geteuid() == 0:
        # initdb and postgres refuse to run as root.
        if shutil.which("runuser") is None:
            raise ServerUnavailable("running as root but runuser is missing")
        run_as = ["runuser", "-u", "postgres", "--"]
        base_dir().mkdir(parents=True, exist_ok=True)
        _check_traversable_by_others(base_dir())
    last_error: ServerUnavailable | None = None
    for _ in range(attempts):
        directory = _make_server_dir("sqlrelease-pg-")
        if os.geteuid() == 0:
            try:
                shutil.chown(directory, "postgres", "postgres")
            except LookupError as exc:
                shutil.rmtree(directory, ignore_errors=True)
                raise ServerUnavailable("running as root but there is no user postgres") from exc
        server = PostgresServer(directory, free_port(), bindir, run_as)
        try:
            server._start()
        except (ServerUnavailable, subprocess.TimeoutExpired) as exc:
            log = _tail(server.log_file)
            server.stop()
            last_error = exc if isinstance(exc, ServerUnavailable) else ServerUnavailable(str(exc))
            if "already in use" in log or "could not bind" in log:
                continue  # another process took the port between free_port() and bind
            raise last_error from exc
        atexit.register(server.stop)
        return server
    assert last_error is not None
    raise last_error


# ---------------------------------------------------------------------------
# MariaDB
# ---------------------------------------------------------------------------

MARIADB_USER = "sqlrelease"


class MariaDBServer(Server):
    dialect = "mysql"
    driver = "pymysql"
    user = MARIADB_USER

    def __init__(self, directory: Path, port: int) -> None:
        super().__init__()
        self.directory = directory
        self.datadir = directory / "data"
        self.socket = directory / "mariadb.sock"
        self.pid_file = directory / "mariadb.pid"
        self.log_file = directory / "mariadb.log"
        self.port = port
        self._process: subprocess.Popen | None = None
        self._stopped = False

    def _socket_client(self, sql: str, timeout: float = 10) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.socket}", "-u", "root", "-e", sql],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, check=False,
        )

    def _start(self) -> None:
        install = subprocess.run(
            ["mariadb-install-db", "--no-defaults", "--user=root", f"--datadir={self.datadir}",
             "--skip-test-db", "--auth-root-authentication-method=socket"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=START_TIMEOUT,
            check=False,
        )
        if install.returncode != 0:
            raise ServerUnavailable(
                f"mariadb-install-db failed ({install.returncode}):\n{install.stdout}\n{install.stderr}"
            )
        with open(self.log_file, "w") as log:
            self._process = subprocess.Popen(
                ["mariadbd", "--no-defaults", "--user=root", f"--datadir={self.datadir}",
                 f"--socket={self.socket}", f"--port={self.port}", "--bind-address=127.0.0.1",
                 f"--pid-file={self.pid_file}", "--character-set-server=utf8mb4",
                 "--collation-server=utf8mb4_unicode_ci", "--skip-name-resolve",
                 "--innodb-flush-log-at-trx-commit=0", "--innodb-buffer-pool-size=64M",
                 "--skip-log-bin"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in pytest must not kill it before stop()
            )

        def ready() -> bool:
            if self._process.poll() is not None:
                return True
            return self._socket_client("SELECT 1", timeout=5).returncode == 0

        if not _wait_until(ready, START_TIMEOUT, interval=0.1) or self._process.poll() is not None:
            raise ServerUnavailable(f"mariadbd did not come up:\n{_tail(self.log_file)}")
        # mariadb-install-db gives root@localhost unix_socket auth only, so
        # root cannot log in over TCP; tests and clients use this user instead.
        grant = self._socket_client(
            f"CREATE USER '{MARIADB_USER}'@'%'; "
            f"GRANT ALL PRIVILEGES ON *.* TO '{MARIADB_USER}'@'%' WITH GRANT OPTION; "
            f"CREATE USER '{MARIADB_USER}'@'localhost'; "
            f"GRANT ALL PRIVILEGES ON *.* TO '{MARIADB_USER}'@'localhost' WITH GRANT OPTION;"
        )
        if grant.returncode != 0:
            raise ServerUnavailable(f"cannot create user {MARIADB_USER}: {grant.stderr}")

    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return self._process.pid if self._process and self._process.poll() is None else None

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        super().stop()
        pid = self.pid()
        if pid is not None and _pid_alive(pid):
            os.kill(pid, signal.SIGTERM)
            gone = _wait_until(lambda: not self.pid_file.exists(), STOP_TIMEOUT)
            if not gone and _pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
        if self._process is not None:
            try:
                self._process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_mariadb(attempts: int = 3) -> MariaDBServer:
    """Start a throwaway MariaDB server; user ``sqlrelease`` without password over TCP."""
    missing = [name for name in ("mariadbd", "mariadb-install-db", "mariadb") if shutil.which(name) is None]
    if missing:
        raise ServerUnavailable(
            f"MariaDB not installed ({', '.join(missing)} missing); install it with: "
            "apt-get install -y --no-install-recommends mariadb-server-core mariadb-client-core"
        )
    last_error: ServerUnavailable | None = None
    for _ in range(attempts):
        server = MariaDBServer(_make_server_dir("sqlrelease-mariadb-"), free_port())
        try:
            server._start()
        except (ServerUnavailable, subprocess.TimeoutExpired) as exc:
            log = _tail(server.log_file)
            server.stop()
            last_error = exc if isinstance(exc, ServerUnavailable) else ServerUnavailable(str(exc))
            if "already in use" in log or "Can't start server: Bind" in log:
                continue
            raise last_error from exc
        atexit.register(server.stop)
        return server
    assert last_error is not None
    raise last_error


# ---------------------------------------------------------------------------
# Servers given from outside
# ---------------------------------------------------------------------------


class ExternalServer(Server):
    """An existing server named by a SQLAlchemy URL; ``stop()`` leaves it running."""

    def __init__(self, url: str) -> None:
        super().__init__()
        from sqlalchemy.engine import make_url

        self._url = make_url(url)
        backend = self._url.get_backend_name()
        self.dialect = "mysql" if backend in ("mysql", "mariadb") else backend
        if self.dialect not in ("postgresql", "mysql"):
            raise ValueError(f"unsupported server URL {url!r}")
        self.driver = self._url.get_driver_name()
        self.host = self._url.host or "127.0.0.1"
        self.port = self._url.port or (5432 if self.dialect == "postgresql" else 3306)
        self.user = self._url.username or ""
        self.password = self._url.password
        self.admin_database = self._url.database or ("postgres" if self.dialect == "postgresql" else "")

    def url_for(self, database: str) -> str:
        return self._url.set(database=database).render_as_string(hide_password=False)


def connect_postgres(url: str) -> ExternalServer:
    server = ExternalServer(url)
    if server.dialect != "postgresql":
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    server.check_connection()
    return server


def connect_mysql(url: str) -> ExternalServer:
    server = ExternalServer(url)
    if server.dialect != "mysql":
        raise ValueError(f"not a MySQL/MariaDB URL: {url!r}")
    server.check_connection()
    return server


class Servers:
    """Starts servers on demand and stops all of them on exit::

        with Servers() as servers:
            pg = servers.postgres()
            db_url = pg.create_database("scratch")
    """

    def __init__(self) -> None:
        self._started: list[Server] = []

    def postgres(self) -> PostgresServer:
        server = start_postgres()
        self._started.append(server)
        return server

    def mariadb(self) -> MariaDBServer:
        server = start_mariadb()
        self._started.append(server)
        return server

    def stop(self) -> None:
        while self._started:
            self._started.pop().stop()

    def __enter__(self) -> "Servers":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Start throwaway database servers on 127.0.0.1 for manual testing; "
        "they run until Enter or Ctrl-C, then are stopped and their data deleted.",
    )
    parser.add_argument("kinds", nargs="+", choices=["postgres", "mariadb"], help="servers to start")
    parser.add_argument(
        "--database", metavar="NAME", help="also create this database on every started server"
    )
    args = parser.parse_args(argv)
    env_names = {"postgres": "SQLRELEASE_TEST_POSTGRES_URL", "mariadb": "SQLRELEASE_TEST_MYSQL_URL"}
    with Servers() as servers:
        for kind in args.kinds:
            started = time.monotonic()
            try:
                server = servers.postgres() if kind == "postgres" else servers.mariadb()
            except ServerUnavailable as exc:
                print(f"{kind}: {exc}", file=sys.stderr)
                return 1
            url = server.admin_url
            if args.database:
                url = server.create_database(args.database)
            print(f"{kind} started in {time.monotonic() - started:.1f}s")
            print(f"  export {env_names[kind]}='{server.admin_url}'")
            print(f"  {url}")
        print("Press Enter or Ctrl-C to stop.", flush=True)
        try:
            sys.stdin.readline()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
