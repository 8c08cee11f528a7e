#!/usr/bin/env python3
"""Real-history regression corpus: public Alembic histories, built into bundles, against online Alembic.

Each project below ships its Alembic history inside a package on the package
index. `fetch` (the only step that needs the package index) installs a pinned
version of each, with its own dependencies and sqlrelease's, into a virtualenv
of its own under the cache folder, because the migrations import their
project's package. `run` needs no network: for each project and dialect it
builds a sqlrelease project around the installed script folder (the project's
own env.py where it runs, the builtin environment otherwise), cuts a release
every 20 revisions (`sqlrelease cut`), builds each release with rehearsal on
throwaway PostgreSQL and MariaDB servers (tests/dbservers.py), and walks the
releases on two databases per dialect:

  A  each release's upgrade.sql applied with the native client
     (psql -v ON_ERROR_STOP=1, mariadb, sqlite3 -bail)
  B  `alembic upgrade <release target>` run online, with the project's own env.py
     (handed the connection in config.attributes, Alembic's recipe) where it runs,
     else with a standard one (the sample's); the report says which

  C  the same online Alembic again, at least a second after B

A pair (project, dialect, release) is good when the release builds, its
upgrade.sql applies, A equals B afterwards (schema, rows and alembic_version,
tests/dbtools.py full_dump; the values of a column are masked only where B and
C differ: what online Alembic computes anew each run, uuid4() ids or now()
times, cannot be asked of a bundle), upgrade.sql applied a second time refuses and
changes nothing (the guard), and downgrade.sql gives back the state before the
release (or refuses, changing nothing, when the bundle declares the release
irreversible) after which upgrade.sql applies again. A failed pair names its
stage and cause: for a build, the build error and `sqlrelease doctor`'s cause
and file:line for the release's failing revisions. After a failed pair, A is
rebuilt at the release's target with online Alembic, so later releases are
judged on their own. Where online Alembic itself fails (the project's own bug
on that dialect, or a history that does not start from an empty database), the
pair and the rest of that dialect are listed separately and not counted. A
downgrade.sql that fails or does not give back the state before is tried with
online `alembic downgrade` on a fresh database (online_downgrade_fails): the
pair is not counted only when online does no better (fails too in the same
state, or ends in the same state); otherwise it stays failed.

  python bench/corpus.py fetch                # once: needs the package index
  python bench/corpus.py run --out corpus.md  # offline; prints and writes the report
  python bench/corpus.py run --project optuna --dialect sqlite

The report gives CPU and wall time per project and the load average before and
after. The cache folder defaults to ~/.cache/sqlrelease-corpus
($SQLRELEASE_CORPUS_CACHE). Run it with the repository's virtualenv (the test
extras: psycopg, PyMySQL); the sqlrelease under test is this checkout's src/.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
DIALECTS = ("postgresql", "mysql", "sqlite")
EVERY = 20


@dataclass(frozen=True)
class Corpus:
    """One public history: where its package puts the Alembic script folder, and how to run it."""

    name: str
    requirement: str  # the pinned package, as pip takes it
    package: str  # the import package holding the script folder
    script_folder: str  # relative to that package's folder
    license: str
    # The first revision expects the schema that the project makes with create_all before it runs
    # Alembic: "module:attribute" of that MetaData. The corpus writes it as a first revision.
    base_metadata: str | None = None
    notes: str = ""


PROJECTS = (
    Corpus("mlflow", "mlflow==2.22.1", "mlflow", "store/db_migrations", "Apache-2.0",
           base_metadata="mlflow.store.tracking.dbmodels.initial_models:Base.metadata",
           notes="tracking store; mlflow creates initial_models with create_all, then runs Alembic"),
    Corpus("zenml", "zenml[local]==0.98.0", "zenml", "zen_stores/migrations", "Apache-2.0"),
    Corpus("octavia", "octavia==15.0.0", "octavia", "db/migration/alembic_migrations", "Apache-2.0"),
    Corpus("dagster", "dagster==1.10.0", "dagster", "_core/storage/alembic", "Apache-2.0"),
    Corpus("optuna", "optuna==4.5.0", "optuna", "storages/_rdb/alembic", "MIT"),
    Corpus("ironic", "ironic==39.0.0", "ironic", "db/sqlalchemy/alembic", "Apache-2.0"),
    Corpus("phoenix", "arize-phoenix==20.26.1", "phoenix", "db/migrations", "Elastic-2.0",
           notes="supports SQLite and PostgreSQL only"),
)
BY_NAME = {p.name: p for p in PROJECTS}


def _import(name: str):
    """A module of tests/ (dbservers, dbtools), imported by path: no pytest needed."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TESTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def cache_dir(given: str | None) -> Path:
    return Path(given or os.environ.get("SQLRELEASE_CORPUS_CACHE") or Path.home() / ".cache" / "sqlrelease-corpus")


def venv_python(cache: Path, project: Corpus) -> Path:
    return cache / "venvs" / project.name / "bin" / "python"


# -- fetch: the one step that needs the package index --------------------------


def sqlrelease_requirements() -> list[str]:
    """What sqlrelease and its database tools need, as pyproject.toml declares it (pytest aside)."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    test = [r for r in project["optional-dependencies"]["test"] if not r.startswith("pytest")]
    return [*project["dependencies"], *test]


def fetch(cache: Path, projects: list[Corpus]) -> int:
    """Install each project's pinned package, with sqlrelease's requirements, in a virtualenv of its own."""
    failed = 0
    for project in projects:
        python = venv_python(cache, project)
        folder = python.parent.parent
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        print(f"{project.name}: installing {project.requirement} into {folder}", file=sys.stderr, flush=True)
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
             project.requirement, *sqlrelease_requirements()],
            check=False,
        )
        if install.returncode != 0:
            print(f"{project.name}: pip install failed ({install.returncode})", file=sys.stderr)
            failed += 1
            continue
        freeze = subprocess.run([str(python), "-m", "pip", "freeze", "--disable-pip-version-check"],
                                capture_output=True, text=True, check=True)
        (folder / "freeze.txt").write_text(freeze.stdout)
        located = script_folder(cache, project)
        count = len(list((located / "versions").glob("*.py")))
        print(f"{project.name}: {count} revision files in {located}", file=sys.stderr)
    return 1 if failed else 0


def script_folder(cache: Path, project: Corpus) -> Path:
    """The installed package's Alembic script folder (found without importing the package)."""
    where = subprocess.run(
        [str(venv_python(cache, project)), "-c",
         "import importlib.util, sys; print(importlib.util.find_spec(sys.argv[1]).submodule_search_locations[0])",
         project.package],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    return Path(where) / project.script_folder


# -- the worker: runs inside a project's virtualenv, where its migrations import --------


def worker(argv: list[str]) -> int:
    """`_graph SCRIPT` prints the revisions base first; `_online ONLINE VERSIONS URL REV...` upgrades online
    (`_online_down ...` downgrades to REV: a bundle's failed downgrade, tried with online Alembic)."""
    from alembic import command
    from alembic.script import ScriptDirectory

    dbtools = _import("dbtools")
    if argv[0] == "_graph":
        config = dbtools.alembic_config(argv[1], "sqlite://")
        revisions = list(ScriptDirectory.from_config(config).walk_revisions())[::-1]
        graph = [{"revision": r.revision, "parents": sorted({*r._all_down_revisions, *(r.dependencies and r._resolved_dependencies or ())})}
                 for r in revisions]
        print(json.dumps(graph))
        return 0
    if argv[0] in ("_online", "_online_down"):
        environment, migrations, online, url, *targets = argv[1:]
        move = command.upgrade if argv[0] == "_online" else command.downgrade
        try:
            if environment == "project":
                _online_with_project_env(Path(migrations), url, targets, move)
            else:
                config = dbtools.alembic_config(online, url)
                # The history's own versions/ folder, run by a standard env.py (the sample's).
                config.set_main_option("version_locations", str(Path(migrations) / "versions"))
                for target in targets:
                    move(config, target)
        except BaseException as exc:  # the project's own failure on this dialect: reported, not raised
            print(f"{type(exc).__name__}: {' '.join(str(exc).split())[:400]}", file=sys.stderr)
            return 1
        return 0
    raise SystemExit(f"unknown worker command {argv[0]!r}")


def _online_with_project_env(migrations: Path, url: str, targets, move=None) -> None:
    """`alembic upgrade` with the project's own env.py and ini, handing it the connection (Alembic's recipe)."""
    import sqlalchemy
    from alembic import command
    from alembic.config import Config

    ini = migrations / "alembic.ini"
    config = Config(str(ini)) if ini.exists() else Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
    try:
        for target in targets:
            with engine.connect() as connection:
                config.attributes["connection"] = connection
                (move or command.upgrade)(config, target)
                connection.commit()  # what env.py left open (some env.py files commit themselves)
    finally:
        engine.dispose()


# -- a sqlrelease project around an installed history -------------------------------


BASE_REVISION = '''"""corpus base: the schema {project} creates with create_all before it runs Alembic

Written by bench/corpus.py; the history's first revision is pointed at it.
"""
from alembic import op

from {module} import {root}

revision = "corpus_base"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    {attribute}.create_all(op.get_bind())


def downgrade():
    {attribute}.drop_all(op.get_bind())
'''

PYPROJECT = """[tool.sqlrelease]
script_location = "migrations"
plan = "releases.toml"
bundles = "releases"
dialects = [{dialects}]
stamp = "inline"
environment = "{environment}"
"""


@dataclass
class Layout:
    """A project folder (template, copied per dialect), its releases and how its env.py did."""

    root: Path
    releases: list[dict]  # {"name", "targets", "revisions"} in order
    environment: str
    env_problem: str = ""
    online: str = "project"  # the env.py online Alembic runs with: the project's, or a standard one
    online_problem: str = ""


class Runner:
    """Runs commands in a project's virtualenv: sqlrelease from this checkout, and the worker."""

    def __init__(self, python: Path) -> None:
        self.python = python
        self.env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "NO_COLOR": "1", "COLUMNS": "200"}

    def sqlrelease(self, root: Path, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.python), "-m", "sqlrelease", *args, "-C", str(root)], cwd=root, env=self.env,
                              capture_output=True, text=True, timeout=timeout, check=False)

    def worker(self, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.python), str(Path(__file__).resolve()), *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout, check=False)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return (lines[-1] if lines else "(no output)")[:300]


def _json_or_none(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def lay_out(project: Corpus, cache: Path, work: Path, runner: Runner) -> Layout:
    """The project folder: the installed script folder copied, a plan cut every EVERY revisions."""
    root = work / project.name / "template"
    migrations = root / "migrations"
    shutil.copytree(script_folder(cache, project), migrations, ignore=shutil.ignore_patterns("__pycache__"))
    if project.base_metadata:
        _add_base_revision(project, migrations / "versions")
    # Online runs: the sample's standard env.py over the same versions/ folder.
    online = root / "online"
    online.mkdir()
    shutil.copy(REPO / "migrations" / "env.py", online / "env.py")
    shutil.copy(REPO / "migrations" / "script.py.mako", online / "script.py.mako")

    graph_run = runner.worker("_graph", str(migrations))
    if graph_run.returncode != 0:
        raise RuntimeError(f"{project.name}: cannot read the history: {_last_line(graph_run.stderr)}")
    graph = json.loads(graph_run.stdout)
    order = [node["revision"] for node in graph]
    parents = {node["revision"]: node["parents"] for node in graph}
    releases, done = [], set()
    for index, end in enumerate(range(EVERY, len(order) + EVERY, EVERY), 1):
        prefix = order[:end]
        below = {p for r in prefix for p in parents[r]}
        targets = [r for r in prefix if r not in below]
        releases.append({"name": f"{index}.0.0", "targets": targets, "revisions": [r for r in prefix if r not in done]})
        done.update(prefix)

    layout = Layout(root, releases, "project")
    # Online Alembic with the project's own env.py where it runs (it may name constraints through
    # target_metadata's naming convention), else with a standard one; tried on SQLite, first revision.
    probe_db = root / "probe.sqlite3"
    probe = runner.worker("_online", "project", str(migrations), str(online), f"sqlite:///{probe_db}", order[0])
    reached = _sqlite_versions(probe_db)
    probe_db.unlink(missing_ok=True)
    if probe.returncode != 0:
        layout.online, layout.online_problem = "standard", _last_line(probe.stderr)
    elif reached != {order[0]}:  # it ran, but on a database of its own choosing (its settings, not the URL)
        layout.online, layout.online_problem = "standard", "env.py does not migrate the database it is given"
    _write_pyproject(root, DIALECTS, "project")
    for release in releases:
        cut = runner.sqlrelease(root, "cut", release["name"], *[a for t in release["targets"] for a in ("-r", t)])
        if cut.returncode != 0:
            raise RuntimeError(f"{project.name}: sqlrelease cut {release['name']} failed: {_last_line(cut.stderr)}")
    # The project's own env.py where it runs here; else the builtin environment, and why.
    probe = runner.sqlrelease(root, "doctor", "-d", "sqlite", "--json")
    data = _json_or_none(probe.stdout)
    if probe.returncode not in (0, 1) or data is None or "error" in data:
        layout.environment = "builtin"
        layout.env_problem = (data or {}).get("error", {}).get("message") or _last_line(probe.stderr or probe.stdout)
        _write_pyproject(root, DIALECTS, "builtin")
    return layout


def _sqlite_versions(path: Path) -> set[str] | None:
    """What alembic_version holds in a SQLite file (None: no such table or file)."""
    import sqlite3

    if not path.exists():
        return None
    with sqlite3.connect(path) as connection:
        try:
            return {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
        except sqlite3.Error:
            return None


def _add_base_revision(project: Corpus, versions: Path) -> None:
    module, _, attribute = project.base_metadata.partition(":")
    text = BASE_REVISION.format(project=project.name, module=module, root=attribute.split(".")[0], attribute=attribute)
    (versions / "0000_corpus_base.py").write_text(text)
    first = re.compile(r"^(down_revision\b[^=\n]*=\s*)None\s*$", re.MULTILINE)
    roots = [path for path in versions.glob("*.py") if path.name != "0000_corpus_base.py" and first.search(path.read_text())]
    if len(roots) != 1:
        raise RuntimeError(f"{project.name}: expected one first revision, found {len(roots)}")
    roots[0].write_text(first.sub(r'\1"corpus_base"', roots[0].read_text(), count=1))


def _write_pyproject(root: Path, dialects, environment: str) -> None:
    listed = ", ".join(f'"{d}"' for d in dialects)
    (root / "pyproject.toml").write_text(PYPROJECT.format(dialects=listed, environment=environment))


# -- walking the releases of one project and dialect ----------------------------------


@dataclass
class Pair:
    """The verdict on one release of one project for one dialect."""

    project: str
    dialect: str
    release: str
    status: str  # good | failed | online_fails
    stage: str = ""  # build | apply | compare | guard | downgrade | reupgrade | online
    cause: str = ""
    doctor: list[str] = field(default_factory=list)  # doctor's failing findings for the release's revisions
    masked: dict = field(default_factory=dict)  # {table: [column]} masked in the comparison (differ between online runs)
    volatile: list[str] = field(default_factory=list)  # steps the bundle flags as holding run-time values


def _dump(db) -> dict:
    """tests/dbtools.py full_dump: schema, every table's rows and alembic_version."""
    return _import("dbtools").full_dump(db.url)


MASK = "<differs between two online runs>"


def volatile_columns(one: dict, other: dict) -> dict[str, list[str]]:
    """Columns whose values differ between two online Alembic runs of the same release (ids from
    uuid4(), times from now(), random picks): {table: [column]}. Only these are masked: a value
    online Alembic itself gives differently each time cannot be expected of a bundle."""
    found = {}
    for table, rows in one["rows"].items():
        others = other["rows"].get(table, [])
        columns = sorted({c for row in [*rows, *others] for c in row})
        differing = [c for c in columns
                     if sorted(map(repr, (r.get(c) for r in rows))) != sorted(map(repr, (r.get(c) for r in others)))]
        if differing:
            found[table] = differing
    return found


def masked(dump: dict, volatile: dict[str, list[str]]) -> dict:
    """`dump` with the volatile columns' values replaced by MASK, rows sorted again."""
    rows = {
        table: sorted(({k: MASK if k in volatile.get(table, ()) else v for k, v in row.items()} for row in table_rows),
                      key=repr)
        for table, table_rows in dump["rows"].items()
    }
    return {**dump, "rows": rows}


class Walk:
    """One project and dialect: bundles applied to database A, online Alembic on database B."""

    def __init__(self, project: Corpus, layout: Layout, dialect: str, runner: Runner, dbs, rehearse_url: str | None):
        self.project, self.layout, self.dialect, self.runner, self.dbs = project, layout, dialect, runner, dbs
        self.dbtools = _import("dbtools")
        self.root = layout.root.parent / dialect
        shutil.copytree(layout.root, self.root)
        _write_pyproject(self.root, [dialect], layout.environment)
        self.rehearse = ["--rehearse-url", f"{dialect}={rehearse_url}"] if rehearse_url else []
        self.online_dir = self.root / "online"
        # A after a downgrade.sql that failed ("fails") or did not give back the state before ("mismatch"),
        # to compare with online `alembic downgrade` (online_downgrade_fails)
        self.downgrade_outcome, self.after_downgrade = None, None

    def online(self, db, targets, verb: str = "_online") -> str | None:
        """Online `alembic upgrade` of `db` to each target; the error's last line, or None."""
        run = self.runner.worker(verb, self.layout.online, str(self.root / "migrations"), str(self.online_dir),
                                 db.url, *targets)
        return None if run.returncode == 0 else _last_line(run.stderr)

    def doctor(self) -> dict[str, list[str]]:
        """revision -> doctor's failing findings ("direction: cause file:line"), or a note under ''."""
        run = self.runner.sqlrelease(self.root, "doctor", "--json", *self.rehearse)
        data = _json_or_none(run.stdout)
        if data is None:
            return {"": [f"doctor --json printed no valid JSON (exit {run.returncode}): {_last_line(run.stdout)}"]}
        if "error" in data:
            return {"": [f"doctor: {data['error']['message']}"]}
        found: dict[str, list[str]] = {}
        for f in data["findings"]:
            if f["status"] == "fails":
                where = f"{f['source']}:{f['line']}" if f["line"] else f["source"]
                found.setdefault(f["revision"], []).append(f"{f['direction']}: {f['cause']} {where}")
        return found

    def run(self) -> list[Pair]:
        pairs: list[Pair] = []
        doctor = self.doctor()
        # B and C: online Alembic twice, C at least a second after B, to tell which values it computes itself.
        a, b, c = self.dbs.new(self.dialect), self.dbs.new(self.dialect), self.dbs.new(self.dialect)
        online_error = None
        previous = ["base"]
        for release in self.layout.releases:
            release = {**release, "previous": previous}
            previous = release["targets"]
            pair = Pair(self.project.name, self.dialect, release["name"], "good")
            pairs.append(pair)
            if online_error is None:
                online_error = self.online(b, release["targets"])
                online_at = time.monotonic()
                if online_error:
                    online_error = f"release {release['name']}: {online_error}"
            if online_error:
                pair.status, pair.stage, pair.cause = "online_fails", "online", online_error
                continue
            failure = self.judge(release, a, (b, c, online_at), doctor, pair)
            if failure and pair.stage == "downgrade" and self.online_downgrade_fails(release, pair):
                pair.status = "online_fails"
                a = self.dbs.new(self.dialect)
                if self.online(a, release["targets"]):
                    online_error = f"release {release['name']}: online Alembic cannot rebuild database A"
            elif failure:
                pair.status = "failed"
                a = self.dbs.new(self.dialect)  # A again at the target, by online Alembic
                if self.online(a, release["targets"]):
                    online_error = f"release {release['name']}: online Alembic cannot rebuild database A"
        return pairs

    def online_downgrade_fails(self, release: dict, pair: Pair) -> bool:
        """Whether online `alembic downgrade` to the previous release does no better than downgrade.sql
        did: when downgrade.sql failed, online fails too and stops in the same state; when it ran but
        did not give back the state before, online ends in the same state (or fails). Then the pair's
        cause says so and it is not counted. A downgrade online Alembic performs correctly that the
        bundle does not (or stops elsewhere) stays a failed pair."""
        outcome, after = self.downgrade_outcome, self.after_downgrade
        self.downgrade_outcome = self.after_downgrade = None
        if outcome is None or len(release["previous"]) != 1:
            return False
        scratch = self.dbs.new(self.dialect)
        if self.online(scratch, release["targets"]):
            return False
        error = self.online(scratch, release["previous"], "_online_down")
        same = masked(after, pair.masked) == masked(_dump(scratch), pair.masked)
        if outcome == "fails":
            if error and same:
                pair.cause = f"downgrade.sql: {pair.cause}; online `alembic downgrade` fails too, in the same state: {error}"[:500]
                return True
            pair.cause += ("; online `alembic downgrade` " + ("fails too, but stops in another state" if error else "succeeds"))
            return False
        if error:
            pair.cause += f"; online `alembic downgrade` fails: {error}"[:500]
            return True
        if same:
            pair.cause += "; online `alembic downgrade` ends in the same state (the project's downgrade does not undo it all)"
            return True
        pair.cause += "; online `alembic downgrade` ends in another state"
        return False

    def online_twice(self, release: dict, b, c, online_at: float, pair: Pair):
        """C brought to the release like B (a second later at least); B's dump masked where they differ."""
        time.sleep(max(0.0, 1.05 - (time.monotonic() - online_at)))
        error = self.online(c, release["targets"])
        if error:
            return None, error
        online = _dump(b)
        pair.masked = volatile_columns(online, _dump(c))
        return masked(online, pair.masked), None

    def judge(self, release: dict, a, online_dbs, doctor, pair: Pair) -> bool:
        """Build, apply and compare one release; True when it failed (pair says where and why)."""
        dbtools = self.dbtools
        name = release["name"]

        def failed(stage: str, cause: str) -> bool:
            pair.stage, pair.cause = stage, cause
            return True

        before = _dump(a)
        build = self.runner.sqlrelease(self.root, "build", name, "--json", "-q", *self.rehearse)
        data = _json_or_none(build.stdout)
        if build.returncode != 0:
            pair.doctor = [f"{r} {finding}" for r in release["revisions"] for finding in doctor.get(r, [])] + doctor.get("", [])
            error = (data or {}).get("error") if isinstance(data, dict) else None
            if error:
                where = f" {error['file']}:{error['line']}" if error.get("file") else ""
                return failed("build", f"{error['message']}{where}"[:400])
            return failed("build", f"exit {build.returncode}: {_last_line(build.stderr)}")
        bundle = self.root / "releases" / name
        upgrade, downgrade = bundle / self.dialect / "upgrade.sql", bundle / self.dialect / "downgrade.sql"
        applied = dbtools.apply_sql(a, upgrade)
        if applied.returncode != 0:
            return failed("apply", _last_line(applied.stderr))
        online, error = self.online_twice(release, *online_dbs, pair)
        if error:
            return failed("online", f"online Alembic's second run fails: {error}")
        manifest = json.loads((bundle / "manifest.json").read_text())
        pair.volatile = [f"{m['revision']} {key}" for m in manifest["migrations"] for key in m.get("volatile", ())]
        after = _dump(a)
        if masked(after, pair.masked) != online:
            diff = [line for line in dbtools.dump_diff(online, masked(after, pair.masked), limit=12).splitlines()[2:]
                    if line[:1] in "+-"]
            return failed("compare", "differs from online Alembic: " + " | ".join(diff)[:300])
        again = dbtools.apply_sql(a, upgrade)
        if again.returncode == 0 or _dump(a) != after:
            return failed("guard", "upgrade.sql applied twice did not refuse without changes")
        down = dbtools.apply_sql(a, downgrade)
        if manifest["downgrade"] == "refuses":
            if down.returncode == 0 or _dump(a) != after:
                return failed("downgrade", "declared irreversible, but downgrade.sql did not refuse without changes")
            return False
        if down.returncode != 0:
            self.downgrade_outcome, self.after_downgrade = "fails", _dump(a)
            return failed("downgrade", _last_line(down.stderr))
        if _dump(a) != before:
            self.downgrade_outcome, self.after_downgrade = "mismatch", _dump(a)
            return failed("downgrade", "downgrade.sql does not give back the state before the release")
        up_again = dbtools.apply_sql(a, upgrade)
        if up_again.returncode != 0 or masked(_dump(a), pair.masked) != online:
            return failed("reupgrade", "upgrade.sql after downgrade.sql: " + _last_line(up_again.stderr))
        return False


# -- the report ------------------------------------------------------------------


def _cpu() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def report(pairs: list[Pair], layouts: dict, timings: dict, load: tuple) -> str:
    """The markdown report: the table per project and dialect, then every failed and uncounted pair."""
    lines = ["| project | dialect | releases | good | failed | not counted (online Alembic fails) |",
             "|---|---|---|---|---|---|"]
    keys = sorted({(p.project, p.dialect) for p in pairs}, key=lambda k: (k[0], DIALECTS.index(k[1])))
    for project, dialect in keys:
        mine = [p for p in pairs if (p.project, p.dialect) == (project, dialect)]
        count = {s: sum(p.status == s for p in mine) for s in ("good", "failed", "online_fails")}
        lines.append(f"| {project} | {dialect} | {len(mine)} | {count['good']} | {count['failed']} | {count['online_fails']} |")
    counted = [p for p in pairs if p.status != "online_fails"]
    good = sum(p.status == "good" for p in counted)
    share = f"{100 * good / len(counted):.0f}%" if counted else "n/a"
    lines += ["", f"**{good} of {len(counted)} counted pairs good ({share})**; "
              f"{len(pairs) - len(counted)} pairs not counted because online Alembic fails.", ""]
    lines.append("Environment (sqlrelease; online Alembic): " + "; ".join(
        f"{name} {layout.environment}" + (f" (project env.py: {layout.env_problem})" if layout.env_problem else "")
        + f"; online {layout.online} env.py" + (f" (project env.py: {layout.online_problem})" if layout.online_problem else "")
        for name, layout in layouts.items()))
    lines.append("")
    lines.append("Time: " + "; ".join(f"{name} {cpu:.0f} s CPU, {wall:.0f} s wall" for name, (cpu, wall) in timings.items())
                 + f". Load average (1/5/15 min) before {load[0]}, after {load[1]}.")
    failed = [p for p in pairs if p.status == "failed"]
    if failed:
        lines += ["", "### Failed pairs", ""]
        for p in failed:
            lines.append(f"- {p.project} {p.dialect} {p.release}: **{p.stage}**: {p.cause}")
            lines += [f"  - doctor: {finding}" for finding in p.doctor]
    masks = {}
    for p in pairs:
        for table, columns in p.masked.items():
            masks.setdefault((p.project, p.dialect), {}).setdefault(table, set()).update(columns)
    if masks:
        lines += ["", "### Masked in the comparison: columns that differ between two online Alembic runs", ""]
        for (project, dialect), tables in sorted(masks.items()):
            shown = ", ".join(f"{t}.{c}" for t, cs in sorted(tables.items()) for c in sorted(cs))
            lines.append(f"- {project} {dialect}: {shown}")
    flagged = [p for p in pairs if p.volatile]
    if flagged:
        lines += ["", "### Bundles that flag values computed while a migration ran (manifest `volatile`)", ""]
        lines += [f"- {p.project} {p.dialect} {p.release} ({p.status}): {', '.join(p.volatile)}" for p in flagged]
    uncounted = [p for p in pairs if p.status == "online_fails"]
    if uncounted:
        lines += ["", "### Not counted: online Alembic fails", ""]
        for (project, dialect) in keys:
            causes: dict[str, list[str]] = {}
            for p in uncounted:
                if (p.project, p.dialect) == (project, dialect):
                    causes.setdefault(f"{p.stage}: {p.cause}", []).append(p.release)
            for cause, releases in causes.items():
                lines.append(f"- {project} {dialect}: releases {', '.join(releases)}: {cause}")
    return "\n".join(lines) + "\n"


def run(cache: Path, projects: list[Corpus], dialects: list[str], out: Path | None, keep: Path | None) -> int:
    dbservers, dbtools = _import("dbservers"), _import("dbtools")
    missing = [p.name for p in projects if not venv_python(cache, p).exists()]
    if missing:
        print(f"not fetched: {', '.join(missing)} (run: python bench/corpus.py fetch)", file=sys.stderr)
        return 2
    load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    pairs, layouts, timings = [], {}, {}
    work = Path(tempfile.mkdtemp(prefix="sqlrelease-corpus-", dir=keep))
    with dbservers.Servers() as servers:
        started = {}
        if "postgresql" in dialects:
            started["postgresql"] = servers.postgres()
        if "mysql" in dialects:
            started["mysql"] = servers.mariadb()
        dbs = dbtools.Databases(started, work)
        try:
            for project in projects:
                cpu, wall = _cpu(), time.monotonic()
                runner = Runner(venv_python(cache, project))
                print(f"{project.name}: laying out", file=sys.stderr, flush=True)
                layout = layouts[project.name] = lay_out(project, cache, work, runner)
                for dialect in dialects:
                    print(f"{project.name} {dialect}: {len(layout.releases)} releases", file=sys.stderr, flush=True)
                    server = started.get(dialect)
                    walked = Walk(project, layout, dialect, runner, dbs, server.admin_url if server else None).run()
                    for p in walked:
                        print(f"  {p.release}: {p.status} {p.stage} {p.cause}"[:200], file=sys.stderr, flush=True)
                    pairs += walked
                    dbs.drop_all()
                timings[project.name] = (_cpu() - cpu, time.monotonic() - wall)
        finally:
            dbs.drop_all()
            if keep is None:
                shutil.rmtree(work, ignore_errors=True)
    load_after = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    text = report(pairs, layouts, timings, (load_before, load_after))
    print(text)
    if out:
        out.write_text(text)
        out.with_suffix(".json").write_text(json.dumps([p.__dict__ for p in pairs], indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0].startswith("_"):
        return worker(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", help="cache folder (default: $SQLRELEASE_CORPUS_CACHE or ~/.cache/sqlrelease-corpus)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("fetch", "install the pinned packages (the only step that needs the package index)"),
                       ("run", "build, apply and compare; print the report (no network)")):
        command = sub.add_parser(name, help=text, description=text)
        command.add_argument("--project", action="append", choices=list(BY_NAME), help="only this project (repeatable)")
        if name == "run":
            command.add_argument("--dialect", action="append", choices=DIALECTS, help="only this dialect (repeatable)")
            command.add_argument("--out", type=Path, help="also write the report here (and the pairs as JSON beside it)")
            command.add_argument("--keep", type=Path, help="work in a new folder under this one and keep it")
    args = parser.parse_args(argv)
    cache = cache_dir(args.cache)
    projects = [BY_NAME[n] for n in args.project or BY_NAME]
    if args.command == "fetch":
        return fetch(cache, projects)
    return run(cache, projects, args.dialect or list(DIALECTS), args.out, args.keep)


if __name__ == "__main__":
    sys.exit(main())
