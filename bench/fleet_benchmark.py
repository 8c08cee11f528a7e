#!/usr/bin/env python3
"""Benchmark `sqlrelease status` and `apply` over a fleet against the loops DBAs write today.

Sets up a fleet (default: 150 PostgreSQL databases on one local server, 30
MariaDB databases on another, 20 SQLite files) at mixed releases of a synthetic
history (bench/history.py's generator: 120 migrations of mixed table, column,
index, constraint and data steps in 12 releases), then times, each --repeats
times, with the wall clock, the CPU of the processes started (user+sys of
every child, reaped) and the CPU the database servers spent:

  status   (a) sqlrelease status --json
           (b) a sequential loop of `alembic current`, one per target (what an
               Alembic user runs today; timed on --alembic-sample targets and
               extrapolated, --alembic-all for every target)
           (c) a hand-written parallel loop: xargs -P JOBS over one
               `psql -c` / `mariadb -e` / `sqlite3` SELECT of the version table per target
  apply    (d) sqlrelease apply (every target to the last release)
           (e) a sequential loop of psql -f / mariadb < / sqlite3 < over each
               target's files, in order
           (f) xargs -P JOBS over a hand-written list of those commands (one
               line per target, its files joined with &&)
           (g) sqlrelease apply again, every target already current (no-op)

Medians are reported with min and max, with the CPU of the clients and of the servers. Targets:
(a) at least 20x faster than (b) and within 1.5x of (c); (d) at least
2x faster than (e) and within 1.2x of (f); (g) under 3 seconds. Before each
apply the fleet is put back to its mixed releases (PostgreSQL: CREATE DATABASE
... TEMPLATE; MariaDB: a dump of the release's state; SQLite: a copied file),
untimed. The loops use the same client binaries as sqlrelease.

--only runs some parts: status (a, c), alembic (b), apply (d, e, f), noop (g;
the fleet is brought to the last release first, untimed). --baseline times
another sqlrelease program (say an install of main) beside this one, turn about,
on the same fleet, for status, apply and the no-op: on a loaded machine an A/B pair
says more than two runs an hour apart.

  python bench/fleet_benchmark.py                       # full size
  python bench/fleet_benchmark.py --pg 20 --mariadb 5 --sqlite 5 --repeats 1   # a quick run
  python bench/fleet_benchmark.py --only noop --repeats 7 --baseline /tmp/main/.venv/bin/sqlrelease
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench"), str(REPO / "tests"), str(REPO / "src")]

import history  # noqa: E402  the synthetic history generator (bench/history.py)
from benchmark import compile_bytecode  # noqa: E402
import dbservers  # noqa: E402  throwaway PostgreSQL / MariaDB servers

from sqlrelease.fleet import clients  # noqa: E402

PARTS = ("status", "alembic", "apply", "noop")
TARGETS = {"status_vs_alembic": 20.0, "status_vs_hand": 1.5, "apply_vs_sequential": 2.0, "apply_vs_xargs": 1.2, "noop_seconds": 3.0}
ONLINE_ENV = '''\
"""Online environment: what an Alembic project uses for `alembic current`."""
from alembic import context
from sqlalchemy import create_engine, pool

url = context.get_x_argument(as_dictionary=True)["url"]
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
'''


@dataclass
class Target:
    name: str
    dialect: str
    database: str  # database name, or file path
    start: int  # releases applied at the start (0: an empty database)
    url: str  # for the fleet file
    driver_url: str  # for `alembic current`


def server_cpu(server) -> float:
    """Seconds of CPU the server process spent so far, its exited children (PostgreSQL backends) included."""
    pid = server.pid()
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Sample:
    wall: float
    cpu: float  # children's user+sys
    server: float  # the servers' CPU
    load: float  # 1-minute load average before the run


def timed(argv, servers, *, stdin=None, env=None, check_codes=(0,)) -> Sample:
    load = os.getloadavg()[0]
    before_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    before_server = sum(server_cpu(s) for s in servers)
    start = time.perf_counter()
    proc = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    wall = time.perf_counter() - start
    after_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in check_codes:
        raise SystemExit(f"{shlex.join(map(str, argv))[:200]} exited {proc.returncode}:\n{proc.stderr.decode()[-2000:]}")
    cpu = (after_cpu.ru_utime - before_cpu.ru_utime) + (after_cpu.ru_stime - before_cpu.ru_stime)
    return Sample(wall, cpu, sum(server_cpu(s) for s in servers) - before_server, load)


# -- the fleet ---------------------------------------------------------------------


class Fleet:
    def __init__(self, work: Path, releases: Path, names: list[str], pg, maria) -> None:
        self.work, self.releases, self.names, self.pg, self.maria = work, releases, names, pg, maria
        self.targets: list[Target] = []
        self.psql = clients.client_binary("postgresql")
        self.mariadb = clients.client_binary("mysql")
        self.sqlite3 = clients.client_binary("sqlite")

    # command lines exactly as the bundle README writes them
    def apply_command(self, t: Target, release: str) -> str:
        path = self.releases / release / t.dialect / "upgrade.sql"
        if t.dialect == "postgresql":
            return shlex.join([self.psql, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-h", self.pg.host, "-p", str(self.pg.port), "-U", self.pg.user, "-d", t.database, "-f", str(path)])
        if t.dialect == "mysql":
            return shlex.join([self.mariadb, "-h", self.maria.host, "-P", str(self.maria.port), "-u", self.maria.user, f"--database={t.database}"]) + f" < {shlex.quote(str(path))}"
        return shlex.join([self.sqlite3, "-bail", t.database]) + f" < {shlex.quote(str(path))}"

    def version_command(self, t: Target) -> str:
        query = "SELECT version_num FROM alembic_version"
        if t.dialect == "postgresql":
            return shlex.join([self.psql, "-X", "-A", "-t", "-h", self.pg.host, "-p", str(self.pg.port), "-U", self.pg.user, "-d", t.database, "-c", query])
        if t.dialect == "mysql":
            return shlex.join([self.mariadb, "-N", "-B", "-h", self.maria.host, "-P", str(self.maria.port), "-u", self.maria.user, f"--database={t.database}", "-e", query])
        return shlex.join([self.sqlite3, t.database, query])

    def target_lines(self) -> list[str]:
        """Per target, its files in order joined with && (what a DBA writes for xargs)."""
        return [" && ".join(self.apply_command(t, r) for r in self.names[t.start:]) for t in self.targets if t.start < len(self.names)]

    def run_sql(self, t: Target, release: str) -> None:
        subprocess.run(["sh", "-c", self.apply_command(t, release)], check=True, stdout=subprocess.DEVNULL)


def setup(args, work: Path, releases: Path, names: list[str], pg, maria) -> Fleet:
    fleet = Fleet(work, releases, names, pg, maria)
    states = len(names) + 1  # 0 .. all releases applied
    templates = {}
    for state in range(states):  # one database per state and dialect, brought there by hand
        for dialect in ("postgresql", "mysql", "sqlite"):
            name = f"tpl_{dialect[:2]}_{state}"
            if dialect == "postgresql":
                pg.create_database(name)
                db = name
            elif dialect == "mysql":
                maria.create_database(name)
                db = name
            else:
                db = str(work / f"{name}.db")
                Path(db).touch()
            t = Target(name, dialect, db, state, "", "")
            for release in names[:state]:
                fleet.run_sql(t, release)
            templates[(dialect, state)] = db
    fleet.templates = templates
    counter = 0
    for dialect, count in (("postgresql", args.pg), ("mysql", args.mariadb), ("sqlite", args.sqlite)):
        for i in range(count):
            counter += 1
            start = (counter * 5) % states  # mixed: every release, and empty databases
            name = f"{dialect[:2]}{i:03d}"
            if dialect == "sqlite":
                db = str(work / f"{name}.db")
                url = f"sqlite:///{db}"
                driver = url
            else:
                db = f"fleet_{name}"
                server = pg if dialect == "postgresql" else maria
                driver = server.url_for(db)
                url = driver.replace("+psycopg", "").replace("+pymysql", "").replace("?charset=utf8mb4", "")
            fleet.targets.append(Target(name, dialect, db, start, url, driver))
    (work / "fleet.toml").write_text(
        f'[fleet]\nbundles = "{releases}"\njournal = "{work / "journal.jsonl"}"\njobs = {args.jobs}\nper_host = {args.jobs}\n\n'
        + "".join(f'[[target]]\nname = "{t.name}"\nurl = "{t.url}"\n\n' for t in fleet.targets),
        encoding="utf-8")
    return fleet


def reset(fleet: Fleet) -> None:
    """Put every target back to its starting release (untimed).

    PostgreSQL copies a template database, SQLite a file; MariaDB has no template
    databases (and a table copy loses foreign keys), so its targets get their
    starting releases' files again, by hand, in parallel.
    """
    from concurrent.futures import ThreadPoolExecutor

    pg_sql = []
    maria = []
    for t in fleet.targets:
        if t.dialect == "postgresql":
            pg_sql.append(f"DROP DATABASE IF EXISTS {t.database} WITH (FORCE);")
            pg_sql.append(f"CREATE DATABASE {t.database} TEMPLATE {fleet.templates[('postgresql', t.start)]};")
        elif t.dialect == "mysql":
            fleet.maria.drop_database(t.database)
            fleet.maria.create_database(t.database)
            maria.append(t)
        else:
            shutil.copyfile(fleet.templates[("sqlite", t.start)], t.database)

    def rebuild(t: Target) -> None:
        for release in fleet.names[: t.start]:
            fleet.run_sql(t, release)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(rebuild, maria))
    if pg_sql:
        subprocess.run([fleet.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", fleet.pg.host, "-p", str(fleet.pg.port), "-U", fleet.pg.user, "-d", "postgres"],
                       input="\n".join(pg_sql).encode(), check=True)


def all_current(fleet: Fleet, sqlrelease: str) -> bool:
    proc = subprocess.run([sqlrelease, "status", "--fleet", str(fleet.work / "fleet.toml"), "--json"], capture_output=True, check=False)
    return proc.returncode == 0


# -- measuring -----------------------------------------------------------------


def alembic_loop(fleet: Fleet, sample: list[Target], project: Path) -> Sample:
    """One `alembic current` per target, one after another."""
    ini = project / "alembic_online.ini"
    lines = [shlex.join([str(Path(sys.executable).parent / "alembic"), "-c", str(ini), "-x", f"url={t.driver_url}", "current"]) for t in sample]
    script = fleet.work / "alembic_loop.sh"
    script.write_text("\n".join(lines) + "\n")
    return timed(["bash", str(script)], [fleet.pg, fleet.maria])


def xargs(fleet: Fleet, lines: list[str], name: str, jobs: int) -> Sample:
    path = fleet.work / name
    path.write_text("\n".join(lines) + "\n")
    with open(path, "rb") as stdin:
        return timed(["xargs", "-d", "\n", "-P", str(jobs), "-n", "1", "sh", "-c"], [fleet.pg, fleet.maria], stdin=stdin, check_codes=(0, 123))


def sequential(fleet: Fleet, lines: list[str], name: str) -> Sample:
    path = fleet.work / name
    path.write_text("\n".join(f"{line} || true" for line in lines) + "\n")
    return timed(["bash", str(path)], [fleet.pg, fleet.maria])


def summary(samples: list[Sample]) -> dict:
    walls = [s.wall for s in samples]
    return {
        "wall_mean": statistics.mean(walls),
        "wall_median": statistics.median(walls),
        "wall_min": min(walls),
        "wall_max": max(walls),
        "cpu_mean": statistics.mean(s.cpu for s in samples),
        "cpu_median": statistics.median(s.cpu for s in samples),
        "server_cpu_mean": statistics.mean(s.server for s in samples),
        "server_cpu_median": statistics.median(s.server for s in samples),
        "load_mean": statistics.mean(s.load for s in samples),
        "repeats": len(samples),
    }


def parts(text: str) -> tuple[str, ...]:
    """The --only value: known part names, comma-separated."""
    chosen = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in chosen if p not in PARTS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown part(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(PARTS)}")
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--pg", type=int, default=150, help="PostgreSQL databases (default 150)")
    parser.add_argument("--mariadb", type=int, default=30, help="MariaDB databases (default 30)")
    parser.add_argument("--sqlite", type=int, default=20, help="SQLite files (default 20)")
    parser.add_argument("--revisions", type=int, default=120)
    parser.add_argument("--releases", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1, help="history seed (default 1)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=8, help="parallel targets, for sqlrelease and xargs -P (default 8); "
                        "sqlrelease's per-host cap is set to the same, since xargs -P runs that many on the one server")
    parser.add_argument("--alembic-sample", type=int, default=20, help="targets `alembic current` is timed on (extrapolated)")
    parser.add_argument("--alembic-all", action="store_true", help="time `alembic current` on every target")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--only", type=parts, default=PARTS, metavar="PART,...",
                        help=f"run only these parts, comma-separated, of: {', '.join(PARTS)} (default: all)")
    parser.add_argument("--baseline", type=Path, metavar="SQLRELEASE",
                        help="another sqlrelease program, timed beside this one (turn about) for status, apply and the no-op")
    args = parser.parse_args()
    if args.baseline is not None and not os.access(args.baseline, os.X_OK):
        parser.error(f"--baseline {args.baseline}: not an executable program")

    sqlrelease = str(Path(sys.executable).parent / "sqlrelease")
    compile_bytecode()  # as installed from a wheel
    work = Path(tempfile.mkdtemp(prefix="sqlrelease-fleet-bench-"))
    os.chmod(work, 0o755)
    servers = dbservers.Servers()
    try:
        print(f"machine: {os.cpu_count()} CPUs; load {os.getloadavg()}; work in {work}", flush=True)
        project = work / "history"
        project.mkdir()
        history.TYPES = [t for t in history.TYPES if t != "sa.Text()"]  # MariaDB cannot index TEXT without a length
        plan = history.generate(project, args.revisions, args.releases, ["postgresql", "mysql", "sqlite"], args.seed).releases
        (project / "migrations" / "env_online.py").write_text(ONLINE_ENV)
        (project / "alembic_online.ini").write_text(f"[alembic]\nscript_location = {project / 'migrations'}\npath_separator = os\n")
        from sqlrelease import api

        api.build(project)
        # alembic current loads env.py: the online one
        shutil.copy(project / "migrations" / "env_online.py", project / "migrations" / "env.py")
        names = [name for name, _ in plan]
        print(f"history: {args.revisions} migrations in {len(names)} releases; starting servers", flush=True)
        pg, maria = servers.postgres(), servers.mariadb()
        fleet = setup(args, work, project / "releases", names, pg, maria)
        print(f"fleet: {len(fleet.targets)} targets ({args.pg} PostgreSQL, {args.mariadb} MariaDB, {args.sqlite} SQLite); psql {fleet.psql}", flush=True)
        results = measure(args, fleet, project, sqlrelease)
        report(results, args)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2) + "\n")
    finally:
        servers.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def measure(args, fleet: Fleet, project: Path, sqlrelease: str) -> dict:
    fleet_file = str(fleet.work / "fleet.toml")
    tools = {"": sqlrelease, "baseline ": str(args.baseline)} if args.baseline else {"": sqlrelease}

    def tool_status(program: str) -> list[str]:
        return [program, "status", "--fleet", fleet_file, "--json"]

    def tool_apply(program: str) -> list[str]:
        return [program, "apply", "--fleet", fleet_file, "--json", "--quiet"]

    samples: dict[str, list[Sample]] = {}
    reset(fleet)
    hand_status = [fleet.version_command(t) for t in fleet.targets]
    xargs(fleet, hand_status, "status_lines.txt", args.jobs)  # warm up: a new database's first connection fills caches
    sample = []
    if "alembic" in args.only:
        step = max(1, len(fleet.targets) // args.alembic_sample)
        sample = fleet.targets if args.alembic_all else fleet.targets[::step][: args.alembic_sample]
    for repeat in range(args.repeats if {"status", "alembic"} & set(args.only) else 0):
        said = [f"repeat {repeat + 1}:"]
        if "status" in args.only:
            # alternate which goes first, so neither always meets warmer caches
            order = [("status_hand", None)] + [(f"{label}status", program) for label, program in tools.items()]
            for kind, program in order[repeat % len(order):] + order[: repeat % len(order)]:
                if program is None:
                    got = xargs(fleet, hand_status, "status_lines.txt", args.jobs)
                else:
                    got = timed(tool_status(program), [fleet.pg, fleet.maria], check_codes=(1,))
                samples.setdefault(kind, []).append(got)
                said.append(f"{kind} {got.wall:.2f}s")
        if sample:
            alembic = alembic_loop(fleet, sample, project)
            scale = len(fleet.targets) / len(sample)
            samples.setdefault("alembic", []).append(Sample(alembic.wall * scale, alembic.cpu * scale, alembic.server * scale, alembic.load))
            said.append(f"alembic current {samples['alembic'][-1].wall:.1f}s")
        print(", ".join(said), flush=True)
    lines = fleet.target_lines()
    for repeat in range(args.repeats if "apply" in args.only else 0):
        kinds = ("apply", "apply_xargs", "apply_sequential") + (("baseline apply",) if args.baseline else ())
        for kind in kinds[repeat % len(kinds):] + kinds[: repeat % len(kinds)]:
            reset(fleet)
            xargs(fleet, hand_status, "status_lines.txt", args.jobs)  # the same warm caches for every contender
            if kind.endswith("apply"):
                got = timed(tool_apply(tools["baseline " if kind.startswith("baseline") else ""]), [fleet.pg, fleet.maria])
            elif kind == "apply_xargs":
                got = xargs(fleet, lines, "apply_lines.txt", args.jobs)
            else:
                got = sequential(fleet, lines, "apply_sequential.sh")
            samples.setdefault(kind, []).append(got)
            if not all_current(fleet, sqlrelease):
                raise SystemExit(f"{kind}: not every target reached the last release")
        print(f"repeat {repeat + 1}: " + ", ".join(f"{kind} {samples[kind][-1].wall:.1f}s (CPU {samples[kind][-1].cpu:.1f}s, server {samples[kind][-1].server:.1f}s)" for kind in kinds), flush=True)
    if "noop" in args.only:
        if not all_current(fleet, sqlrelease):
            timed(tool_apply(sqlrelease), [fleet.pg, fleet.maria])  # untimed: bring every target to the last release
        order = [(f"{label}noop", program) for label, program in tools.items()]
        for repeat in range(args.repeats):
            said = [f"repeat {repeat + 1}:"]
            for kind, program in order[repeat % len(order):] + order[: repeat % len(order)]:
                got = timed(tool_apply(program), [fleet.pg, fleet.maria])
                samples.setdefault(kind, []).append(got)
                said.append(f"{kind} {got.wall:.2f}s (CPU {got.cpu:.2f}s, server {got.server:.2f}s, load {got.load:.1f})")
            print(" ".join(said), flush=True)
    results = {k: summary(v) for k, v in samples.items()}
    if sample:
        results["alembic"]["sample"] = len(sample)
    results["setup"] = {"targets": len(fleet.targets), "pg": args.pg, "mariadb": args.mariadb, "sqlite": args.sqlite,
                        "revisions": args.revisions, "releases": args.releases, "jobs": args.jobs, "cpus": os.cpu_count(),
                        "only": list(args.only), "baseline": str(args.baseline) if args.baseline else None}
    return results


LABELS = {
    "status": "(a) sqlrelease status",
    "baseline status": "(a') baseline sqlrelease status",
    "alembic": "(b) alembic current loop (extrap.)",
    "status_hand": "(c) xargs psql -c / mariadb -e",
    "apply": "(d) sqlrelease apply",
    "baseline apply": "(d') baseline sqlrelease apply",
    "apply_sequential": "(e) sequential psql -f / mariadb <",
    "apply_xargs": "(f) xargs -P over the command list",
    "noop": "(g) sqlrelease apply, no-op",
    "baseline noop": "(g') baseline apply, no-op",
}


def report(results: dict, args) -> None:
    print()
    print(f"{'measurement':<34}{'wall median':>12}{'min':>8}{'max':>8}{'CPU':>8}{'server':>8}{'total':>8}{'load':>6}  n")
    for key, label in LABELS.items():
        if key not in results:
            continue
        r = results[key]
        total = r["cpu_median"] + r["server_cpu_median"]
        print(f"{label:<34}{r['wall_median']:>12.2f}{r['wall_min']:>8.2f}{r['wall_max']:>8.2f}{r['cpu_median']:>8.2f}"
              f"{r['server_cpu_median']:>8.2f}{total:>8.2f}{r['load_mean']:>6.1f}  {r['repeats']}")

    def cpu(key: str) -> float:  # client and server CPU: what a loaded machine shares out
        return results[key]["cpu_median"] + results[key]["server_cpu_median"]

    def wall(key: str) -> float:
        return results[key]["wall_median"]

    checks = [
        ("status: alembic loop / sqlrelease", ("alembic", "status"), ">=", TARGETS["status_vs_alembic"]),
        ("status: sqlrelease / hand xargs", ("status", "status_hand"), "<=", TARGETS["status_vs_hand"]),
        ("apply: sequential / sqlrelease", ("apply_sequential", "apply"), ">=", TARGETS["apply_vs_sequential"]),
        ("apply: sqlrelease / xargs", ("apply", "apply_xargs"), "<=", TARGETS["apply_vs_xargs"]),
        ("no-op apply seconds", ("noop",), "<=", TARGETS["noop_seconds"]),
        ("no-op: baseline / this", ("baseline noop", "noop"), None, None),
        ("apply: baseline / this", ("baseline apply", "apply"), None, None),
        ("apply: sequential / baseline", ("apply_sequential", "baseline apply"), None, None),
        ("status: baseline / this", ("baseline status", "status"), None, None),
    ]
    ratios = []
    for label, keys, op, target in checks:
        if not all(k in results for k in keys):
            continue
        if len(keys) == 1:
            ratios.append((label, wall(keys[0]), cpu(keys[0]), op, target))
        else:
            ratios.append((label, wall(keys[0]) / wall(keys[1]), cpu(keys[0]) / cpu(keys[1]), op, target))
    print()
    print(f"{'(medians)':<36}{'wall':>8}{'CPU':>8}")
    for label, value, by_cpu, op, target in ratios:
        if op is None:
            print(f"{label:<36}{value:>8.2f}{by_cpu:>8.2f}")
            continue
        ok = value >= target if op == ">=" else value <= target
        print(f"{label:<36}{value:>8.2f}{by_cpu:>8.2f}  target {op} {target:<5} {'OK' if ok else 'MISSED'} (wall)")
    results["ratios"] = {label: {"wall": value, "cpu": by_cpu} for label, value, by_cpu, _, _ in ratios}

if __name__ == "__main__":
    sys.exit(main())
