#!/usr/bin/env python3
"""Benchmark sqlrelease against the honest floor and what users run today.

Generates a synthetic Alembic history shaped like real ones (bench/history.py:
default 1,000 revisions in 50 releases, for postgresql, mysql and sqlite) and
measures, each as a whole process, CPU time (user + sys, children included,
from wait4) and wall time, over --repeats interleaved repeats (median and
[min..max]), with the load average when each sample started:

  floor      the honest floor: one process loads the history once (one Alembic
             ScriptDirectory, every revision file imported once), then runs one
             offline pass per dialect and direction, exactly as
             `alembic upgrade base:head --sql` / `downgrade head:base --sql` do
             inside, into memory
  old floor  (--old-floor) the previous benchmark's floor: alembic.command per
             pass, which loads the whole history again for each of the passes
  anchor     the naive anchor: one `alembic upgrade base:head --sql` and one
             `alembic downgrade head:base --sql` CLI call per dialect
  loop       the per-release CLI loop a user would script: one `upgrade A:B --sql`
             and one `downgrade B:A --sql` call per release and dialect (timed on
             --loop-sample releases spread over the plan and extrapolated, which
             the output says; --loop-all runs every call)
  build      `sqlrelease build --all` into an empty releases/
  check      `sqlrelease check` with nothing changed (and `check --render`, the
             full render, when the installed sqlrelease has that flag)

It cross-checks that the floor does the same work: every statement the floor
renders (Alembic's version-table SQL and BEGIN/COMMIT aside) appears, in the
same order, in the bundles' upgrade.sql / downgrade.sql of the same dialect,
and the count matches the manifests' statement counts.

Then: start-up time of `sqlrelease --help`, `verify` and `plan` on the small
sample of this repository (and `plan` on the synthetic history); growth from
--revisions to --growth-to revisions (build and floor; the exponent
log(cpu_big / cpu_small) / log(big / small), 1.0 is linear) with the peak memory
of build there; and, when `sqlrelease build` has --jobs, the speed-up of
--jobs N over --jobs 1, measured, and estimated for an idle machine from how
the CPU time splits between the main process (serial: loading the history,
writing) and its workers (parallel): (serial + all) / (serial + parallel / cores).
build and check --render are timed with --jobs 1 (one process, as the floor).

  python bench/benchmark.py                                   # the full run (long)
  python bench/benchmark.py --revisions 200 --growth-to 0     # a quick look
  python bench/benchmark.py --json results.json               # also write every sample

CPU time is the number to compare on a shared machine: wall time stretches
with the load of other processes, which the load column shows.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import history  # noqa: E402  (bench/history.py, next to this file)

REPO = Path(__file__).resolve().parent.parent
DIALECT_URLS = {"postgresql": "postgresql://", "mysql": "mysql://", "sqlite": "sqlite://"}
DIRECTIONS = ("upgrade", "downgrade")
TARGETS = {
    "build_vs_floor": 1.15,  # CPU
    "growth_margin": 0.05,  # build's growth exponent at most this above the floor's
    "peak_mb": 200.0,  # build at --growth-to revisions
    "check_s": 0.5,  # check with nothing changed
    "startup_s": 0.3,  # --help, verify, plan
}
FULL_RENDER_FLAG = "--render"


def compile_bytecode() -> None:
    """Compile sqlrelease's bytecode once, as a wheel install does. With PYTHONDONTWRITEBYTECODE (set
    on this machine) an editable install would compile every module it imports again in every
    process timed, which is no cost a user pays."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "src" / "sqlrelease")], check=True,
                   stdout=subprocess.DEVNULL, env=env)


# -- measuring one process ---------------------------------------------------------


@dataclass
class Sample:
    cpu: float  # user + sys seconds of the process and the children it waited for
    wall: float
    peak_mb: float  # max RSS of the process (or its largest waited-for child)
    load: float  # 1-minute load average when it started
    output: str = field(default="", repr=False)


def run(args: list[str], cwd: Path, expect=(0,)) -> Sample:
    """Run `args` as a child process, reap it with wait4 to read its own CPU time and peak memory."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    text = output.decode(errors="replace")
    if code not in expect:
        sys.stdout.write(text[-4000:])
        raise SystemExit(f"{' '.join(args)} exited {code} (expected {expect})")
    return Sample(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, load, text)


def total(samples: list[Sample]) -> Sample:
    """Several processes run one after another, as one measurement."""
    return Sample(
        sum(s.cpu for s in samples),
        sum(s.wall for s in samples),
        max(s.peak_mb for s in samples),
        samples[0].load,
    )


@dataclass
class Series:
    label: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    def values(self, key: str) -> list[float]:
        return [getattr(s, key) for s in self.samples]

    def median(self, key: str = "cpu") -> float:
        return statistics.median(self.values(key))

    def spread(self, key: str) -> str:
        values = self.values(key)
        return f"{statistics.median(values):.2f} [{min(values):.2f}..{max(values):.2f}]"

    def row(self) -> str:
        loads = self.values("load")
        return (
            f"{self.label:<46} {self.spread('cpu'):<27} {self.spread('wall'):<27} "
            f"{max(self.values('peak_mb')):7.0f} {min(loads):5.2f}-{max(loads):<5.2f} {self.note}"
        )

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "note": self.note,
            "cpu_median": self.median("cpu"),
            "wall_median": self.median("wall"),
            "samples": [{k: v for k, v in asdict(s).items() if k != "output"} for s in self.samples],
        }


HEADER = f"{'measurement':<46} {'CPU s median [min..max]':<27} {'wall s median [min..max]':<27} {'peak MB':>7} load(1m)"


# -- the floor, run in a child process of this script ------------------------------------


def floor_child(root: Path, dialects: list[str], out: Path | None, reload_per_pass: bool) -> None:
    """One process: load the history once (or, for the old floor, once per pass), then one
    offline pass per dialect and direction, each into memory. Prints its phases as JSON."""
    import io
    import logging

    started = time.process_time()
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    logging.getLogger("alembic").setLevel(logging.WARNING)
    imported = time.process_time()
    config = Config(str(root / "alembic.ini"))
    script = ScriptDirectory.from_config(config)
    revisions = list(script.walk_revisions())  # imports every revision file, once
    loaded = time.process_time()
    sizes, passes = {}, {}
    for dialect in dialects:
        config.set_main_option("sqlalchemy.url", DIALECT_URLS[dialect])
        for direction in DIRECTIONS:
            begun = time.process_time()
            buffer = io.StringIO()
            config.output_buffer = buffer
            if reload_per_pass:
                if direction == "upgrade":
                    command.upgrade(config, "base:heads", sql=True)
                else:
                    command.downgrade(config, "heads:base", sql=True)
            else:
                _offline_pass(config, script, direction, EnvironmentContext)
            sizes[f"{dialect}/{direction}"] = len(buffer.getvalue())
            passes[f"{dialect}/{direction}"] = time.process_time() - begun
            if out is not None:
                (out / f"{dialect}.{direction}.sql").write_text(buffer.getvalue(), encoding="utf-8")
    done = time.process_time()
    print(json.dumps({
        "revisions": len(revisions),
        "import_s": imported - started,
        "load_s": loaded - imported,
        "render_s": done - loaded,
        "upgrade_s": sum(t for key, t in passes.items() if key.endswith("/upgrade")),
        "downgrade_s": sum(t for key, t in passes.items() if key.endswith("/downgrade")),
        "bytes": sizes,
    }))


def _offline_pass(config, script, direction: str, environment) -> None:
    """What `alembic.command.upgrade(cfg, "base:heads", sql=True)` (or downgrade heads:base) does,
    on the script directory already loaded instead of a new one."""
    if direction == "upgrade":
        start, destination = "base", "heads"

        def step(rev, context):
            return script._upgrade_revs(destination, rev)
    else:
        start, destination = "heads", "base"

        def step(rev, context):
            return script._downgrade_revs(destination, rev)

    with environment(config, script, fn=step, as_sql=True, starting_rev=start, destination_rev=destination):
        script.run_env()


# -- cross-check: the floor renders the statements the bundles hold -----------------------

_VERSION_TABLE = re.compile(r"\balembic_version\b", re.IGNORECASE)
# A migration's CREATE TABLE starts a line and holds no blank line; sqlrelease's own indented
# CREATE TABLE of its receipts table (inside a guard block, closed by `);`) must not match
# through to the next migration's table.
_CREATE_TABLE = re.compile(r"^(CREATE TABLE [^\n]*\(\n)((?:(?!\n\n).)*?)(\n\))", re.DOTALL | re.MULTILINE)
_RUNNING = re.compile(r"^-- Running (?:upgrade|downgrade) (\S*) -> ([^,\s]*)")


def canonical(text: str) -> str:
    """`text` with the named constraints of each CREATE TABLE sorted: Alembic's batch mode
    gathers a rebuilt table's constraints from a set, so their order changes from process to
    process, while sqlrelease puts them in a fixed order."""

    def sort(match: re.Match) -> str:
        items = [line.strip().rstrip(",").strip() for line in match.group(2).split("\n")]
        columns = [item for item in items if not item.startswith("CONSTRAINT ")]
        constraints = sorted(item for item in items if item.startswith("CONSTRAINT "))
        return match.group(1) + ",\n".join(columns + constraints) + match.group(3)

    return _CREATE_TABLE.sub(sort, text)


def floor_statements(text: str, direction: str) -> list[tuple[str, str]]:
    """(revision, statement) of each migration statement in Alembic's offline output: version-table
    SQL and BEGIN/COMMIT left out, whitespace collapsed. Alembic writes `-- Running upgrade A -> B`
    (or `downgrade B -> A`) before each migration's statements, each ending in `;` and a blank line."""
    found, revision = [], None
    for chunk in canonical(text).split(";\n\n"):
        lines = []
        for line in chunk.strip().splitlines():
            running = _RUNNING.match(line)
            if running:
                revision = running.group(2) if direction == "upgrade" else running.group(1)
            else:
                lines.append(line)
        statement = " ".join(" ".join(lines).split())
        if not statement or statement in ("BEGIN", "COMMIT") or _VERSION_TABLE.search(statement):
            continue
        found.append((revision, statement))
    return found


def cross_check(root: Path, out: Path, dialects: list[str], generated: history.Generated) -> list[str]:
    """Problems found comparing the floor's statements with the bundles' (empty: they agree).

    A release whose downgrade.sql refuses to run (an irreversible step not accepted) holds none of
    its statements, so its migrations' downgrade statements are left out of the comparison."""
    problems = []
    refused = {rev for name in generated.refused for rev in generated.members[name]}
    for dialect in dialects:
        for direction in DIRECTIONS:
            rendered = floor_statements((out / f"{dialect}.{direction}.sql").read_text(encoding="utf-8"), direction)
            statements = [(rev, s) for rev, s in rendered if direction == "upgrade" or rev not in refused]
            names = [name for name, _ in generated.releases]
            if direction == "downgrade":
                names = [n for n in reversed(names) if n not in generated.refused]
            text, counted = [], 0
            for name in names:
                manifest = json.loads((root / "releases" / name / "manifest.json").read_text(encoding="utf-8"))
                text.append((root / "releases" / name / dialect / f"{direction}.sql").read_text(encoding="utf-8"))
                counted += manifest["files"][f"{dialect}/{direction}.sql"]["statements"]
            bundle = " ".join(canonical("\n".join(text)).split())
            # The indexes a batch rebuild creates again come from a set too: a run of CREATE INDEX
            # statements of one migration may be in any order among themselves.
            position = start = 0
            previous = None
            for n, (revision, statement) in enumerate(statements):
                body = statement.rstrip(";").rstrip()
                index = (revision, body.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")))
                if not (index[1] and index == previous):
                    start = position
                previous = index
                found = bundle.find(body, start)
                if found < 0:
                    problems.append(f"{dialect} {direction}: statement {n + 1} of the floor is not in the bundles (in order): {body[:160]}")
                    break
                position = max(position, found + len(body))
            if counted != len(statements):
                problems.append(f"{dialect} {direction}: the floor renders {len(statements)} statements, the manifests count {counted}")
    return problems


# -- the steps of a run -------------------------------------------------------------------


class Bench:
    def __init__(self, args, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.dialects = args.dialects.split(",")
        bindir = Path(sys.executable).parent
        self.sqlrelease = [str(bindir / "sqlrelease")] if (bindir / "sqlrelease").exists() else [sys.executable, "-m", "sqlrelease"]
        self.alembic = [str(bindir / "alembic")] if (bindir / "alembic").exists() else [sys.executable, "-m", "alembic"]
        self.me = [sys.executable, str(Path(__file__).resolve())]
        self.series: dict[str, Series] = {}
        self.skip = set(args.skip.split(",")) if args.skip else set()
        self.facts: dict[str, object] = {}

    def add(self, key: str, label: str, sample: Sample, note: str = "") -> Sample:
        series = self.series.setdefault(key, Series(label))
        series.samples.append(sample)
        if note:
            series.note = note
        return sample

    def project(self, revisions: int) -> tuple[Path, history.Generated]:
        root = self.workdir / f"r{revisions}"
        if root.exists():
            shutil.rmtree(root)
        releases = max(1, round(revisions / self.args.revisions_per_release))
        generated = history.generate(root, revisions, releases, self.dialects, self.args.seed)
        return root, generated

    def floor(self, root: Path, key: str, label: str, old: bool = False, out: Path | None = None) -> Sample:
        argv = [*self.me, "--dialects", ",".join(self.dialects), "--_floor", str(root)]
        if old:
            argv.append("--_old")
        if out is not None:
            argv += ["--_out", str(out)]
        sample = self.add(key, label, run(argv, root))
        self.facts.setdefault(f"{key}_phases", []).append(json.loads(sample.output.strip().splitlines()[-1]))
        return sample

    def build(self, root: Path, key: str, label: str, *extra: str) -> Sample:
        shutil.rmtree(root / "releases", ignore_errors=True)
        return self.add(key, label, run([*self.sqlrelease, "build", "--all", "-q", *extra], root))

    def anchor(self, root: Path) -> Sample:
        calls = []
        for dialect in self.dialects:
            url = f"url={DIALECT_URLS[dialect]}"
            calls.append(run([*self.alembic, "-x", url, "upgrade", "base:heads", "--sql"], root))
            calls.append(run([*self.alembic, "-x", url, "downgrade", "heads:base", "--sql"], root))
        return self.add("anchor", f"anchor ({len(calls)} alembic CLI calls)", total(calls))

    def loop(self, root: Path, plan: list[tuple[str, str]]) -> None:
        calls, previous = [], None
        for name, target in plan:
            for dialect in self.dialects:
                url = f"url={DIALECT_URLS[dialect]}"
                calls.append((name, ["-x", url, "upgrade", f"{previous}:{target}" if previous else target, "--sql"]))
                calls.append((name, ["-x", url, "downgrade", f"{target}:{previous or 'base'}", "--sql"]))
            previous = target
        if self.args.loop_all or self.args.loop_sample >= len(plan):
            chosen = calls
        else:
            n = max(1, self.args.loop_sample)
            names = {plan[round(i * (len(plan) - 1) / max(1, n - 1))][0] for i in range(n)}
            chosen = [c for c in calls if c[0] in names]
        measured = total([run([*self.alembic, *argv], root) for _, argv in chosen])
        factor = len(calls) / len(chosen)
        sample = Sample(measured.cpu * factor, measured.wall * factor, measured.peak_mb, measured.load)
        note = "" if factor == 1 else f"extrapolated x{factor:.1f} from {len(chosen)} of {len(calls)} calls"
        self.add("loop", f"loop ({len(calls)} alembic CLI calls)", sample, note)


def has_option(command: list[str], option: str, cwd: Path) -> bool:
    completed = subprocess.run([*command, "--help"], cwd=cwd, capture_output=True, text=True)
    return option in completed.stdout


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--revisions", type=int, default=1000, help="revisions in the synthetic history (default 1000)")
    parser.add_argument("--revisions-per-release", type=int, default=20, help="plan a release every N revisions (default 20)")
    parser.add_argument("--dialects", default="postgresql,mysql,sqlite", help="comma-separated (default postgresql,mysql,sqlite)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats of every measurement (default 3)")
    parser.add_argument("--startup-repeats", type=int, default=5, help="repeats of the start-up measurements (default 5)")
    parser.add_argument("--growth-to", type=int, default=4000, help="also measure build and floor at this many revisions (0: skip; default 4000)")
    parser.add_argument("--growth-repeats", type=int, help="repeats at --growth-to (default: --repeats)")
    parser.add_argument("--loop-sample", type=int, default=3, help="releases on which to time the per-release loop, then extrapolate (default 3)")
    parser.add_argument("--loop-all", action="store_true", help="time every call of the per-release loop: slow")
    parser.add_argument("--old-floor", action="store_true", help="also measure the previous benchmark's floor (history reloaded per pass)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="N for the --jobs speed-up (default: cores)")
    parser.add_argument("--skip", metavar="WHAT", help="comma-separated measurements to leave out: anchor, loop, startup, render (check --render), jobs (the --jobs speed-up)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the history (default 1)")
    parser.add_argument("--keep", type=Path, help="generate the projects into this folder and keep them")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every sample and result to FILE as JSON")
    parser.add_argument("--_floor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_old", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_rusage", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._rusage:
        rusage_child(args._rusage)
        return 0
    if args._floor:
        floor_child(args._floor, args.dialects.split(","), args._out, args._old)
        return 0
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="sqlrelease-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    try:
        return measure(Bench(args, workdir))
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def measure(bench: Bench) -> int:
    args = bench.args
    print(f"sqlrelease benchmark: {os.cpu_count()} cores, python {sys.version.split()[0]}, seed {args.seed}")
    print(f"load average at start (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    root, generated = bench.project(args.revisions)
    plan = generated.releases
    print(
        f"history: {args.revisions} revisions in {len(plan)} releases, dialects {', '.join(bench.dialects)}; "
        f"{len(generated.irreversible)} irreversible steps, downgrade refused in {len(generated.refused)} release(s)"
    )
    full_render = has_option([*bench.sqlrelease, "check"], FULL_RENDER_FLAG, root) and "render" not in bench.skip
    jobs = has_option([*bench.sqlrelease, "build"], "--jobs", root)
    parallel = jobs and "jobs" not in bench.skip

    out = bench.workdir / "floor-output"
    out.mkdir(exist_ok=True)
    for repeat in range(args.repeats):
        print(f"repeat {repeat + 1} of {args.repeats} ...", flush=True)
        bench.floor(root, "floor", "floor (history once, a pass per dialect/dir)", out=out if repeat == 0 else None)
        if args.old_floor:
            bench.floor(root, "old_floor", "OLD floor (history reloaded per pass)", old=True)
        if "anchor" not in bench.skip:
            bench.anchor(root)
        bench.build(root, "build", "sqlrelease build --all" + (" --jobs 1" if jobs else ""), *(["--jobs", "1"] if jobs else []))
        if repeat == 0:
            problems = measure_cross_check(bench, root, out, generated)
        bench.add("check", "sqlrelease check (nothing changed)", run([*bench.sqlrelease, "check", "-q"], root))
        if full_render:
            one = ["--jobs", "1"] if jobs else []
            label = f"sqlrelease check {FULL_RENDER_FLAG}{' --jobs 1' if jobs else ''} (full)"
            bench.add("check_full", label, run([*bench.sqlrelease, "check", "-q", FULL_RENDER_FLAG, *one], root))
        if parallel:
            bench.build(root, "build_jobs", f"sqlrelease build --all --jobs {args.jobs}", "--jobs", str(args.jobs))
        if "loop" not in bench.skip:
            bench.loop(root, plan)

    if "startup" not in bench.skip:
        startup(bench, root)
    if parallel:
        split(bench, root)
    if args.growth_to:
        growth(bench, jobs)
    report(bench, problems, parallel)
    return 1 if problems else 0


def measure_cross_check(bench: Bench, root: Path, out: Path, generated: history.Generated) -> list[str]:
    """Compare the floor's statements with the bundles just built (not timed)."""
    problems = cross_check(root, out, bench.dialects, generated)
    bench.facts["cross_check"] = problems or "same statements, same order, same counts"
    return problems


def startup(bench: Bench, synthetic: Path) -> None:
    """`--help`, `verify` and `plan` on a copy of this repository's small sample; `plan` at full size."""
    sample = bench.workdir / "sample"
    if sample.exists():
        shutil.rmtree(sample)
    sample.mkdir()
    for name in ("alembic.ini", "releases.toml", "pyproject.toml"):
        shutil.copy(REPO / name, sample / name)
    for name in ("migrations", "releases"):
        shutil.copytree(REPO / name, sample / name, ignore=shutil.ignore_patterns("__pycache__"))
    first = sorted(p.name for p in (sample / "releases").iterdir() if p.is_dir())[0]
    commands = {
        "help": ("sqlrelease --help", ["--help"], sample),
        "verify": (f"sqlrelease verify releases/{first} (sample)", ["verify", f"releases/{first}"], sample),
        "plan": ("sqlrelease plan (sample, 10 revisions)", ["plan"], sample),
        "plan_big": (f"sqlrelease plan ({bench.args.revisions} revisions)", ["plan"], synthetic),
    }
    run([*bench.sqlrelease, "plan"], sample)  # compile the sample's revision files once, outside the timing
    for _ in range(bench.args.startup_repeats):
        for key, (label, argv, cwd) in commands.items():
            bench.add(key, label, run([*bench.sqlrelease, *argv], cwd))


def growth(bench: Bench, jobs: bool) -> None:
    """Build and floor at --growth-to revisions, for the exponents and the peak memory there."""
    args = bench.args
    big, _ = bench.project(args.growth_to)
    print(f"growth: {args.growth_to} revisions ...", flush=True)
    one = ["--jobs", "1"] if jobs else []
    for _ in range(args.growth_repeats or args.repeats):
        bench.floor(big, "floor_big", f"floor at {args.growth_to} revisions")
        bench.build(big, "build_big", f"sqlrelease build --all{' --jobs 1' if jobs else ''} at {args.growth_to} revisions", *one)


def split(bench: Bench, root: Path) -> None:
    """How build's CPU time splits between its main process and its workers, for --jobs N and 16."""
    for cores in sorted({bench.args.jobs, 16}):
        shutil.rmtree(root / "releases", ignore_errors=True)
        sample = run([*bench.me, "--_rusage", "build", "--all", "-q", "--jobs", str(cores)], root)
        bench.facts.setdefault(f"split_{cores}", []).append(json.loads(sample.output.strip().splitlines()[-1]))


def rusage_child(args: list[str]) -> None:
    """In a child process: run the sqlrelease CLI here, then print its own and its workers' CPU time."""
    import resource

    from sqlrelease.cli import main

    try:
        main(args, prog_name="sqlrelease")
    except SystemExit as exc:
        if exc.code:
            raise
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"serial": own.ru_utime + own.ru_stime, "parallel": workers.ru_utime + workers.ru_stime}))


def exponent(small: float, big: float, n_small: int, n_big: int) -> float:
    return math.log(big / small) / math.log(n_big / n_small)


def report(bench: Bench, problems: list[str], jobs: bool) -> None:
    args, series = bench.args, bench.series
    print()
    print(HEADER)
    for item in series.values():
        print(item.row())
    floor_phases = bench.facts["floor_phases"]
    print(
        "  floor phases (CPU s, median): import "
        + f"{statistics.median(p['import_s'] for p in floor_phases):.2f}, load history "
        + f"{statistics.median(p['load_s'] for p in floor_phases):.2f}, render "
        + f"{statistics.median(p['render_s'] for p in floor_phases):.2f} "
        + f"(upgrade passes {statistics.median(p['upgrade_s'] for p in floor_phases):.2f}, "
        + f"downgrade passes {statistics.median(p['downgrade_s'] for p in floor_phases):.2f})"
    )
    print(f"cross-check of floor and bundles: {'; '.join(problems) if problems else bench.facts['cross_check']}")
    print()
    results = {}

    def ratio(name: str, a: str, b: str, target: float | None = None, key: str = "cpu") -> None:
        pairs = [x / y for x, y in zip(series[a].values(key), series[b].values(key))]
        value = statistics.median(pairs)
        results[name] = value
        verdict = "" if target is None else f"target <= {target}  {'ok' if value <= target else 'MISSED'}"
        print(f"{name:<36} {value:7.2f} per repeat [{min(pairs):.2f}..{max(pairs):.2f}]  {verdict}")

    print("ratios of CPU time (same repeat paired; median [min..max]):")
    ratio("build / floor", "build", "floor", TARGETS["build_vs_floor"])
    ratio("check / floor", "check", "floor")
    if "check_full" in series:
        ratio("check --render / floor", "check_full", "floor")
    if "old_floor" in series:
        ratio("old floor / floor", "old_floor", "floor")
    for key in ("anchor", "loop"):
        if key in series:
            ratio(f"{key} / build", key, "build")
    if jobs:
        ratio(f"build --jobs 1 / --jobs {args.jobs} (wall)", "build", "build_jobs", key="wall")
        ratio(f"build --jobs 1 / --jobs {args.jobs} (CPU)", "build", "build_jobs")
        one = series["build"].median()
        for key in sorted(k for k in bench.facts if k.startswith("split_")):
            cores = int(key.split("_")[1])
            serial = statistics.median(s["serial"] for s in bench.facts[key])
            parallel = statistics.median(s["parallel"] for s in bench.facts[key])
            estimate = one / (serial + parallel / cores)
            results[f"estimated_speedup_{cores}"] = estimate
            print(
                f"build --jobs {cores}: main process {serial:.2f} s CPU, workers {parallel:.2f} s CPU; "
                f"estimated speed-up on {cores} idle cores {estimate:.1f}x"
            )
    # Judged by CPU, as every other target here: on a shared machine wall time is the load's.
    check_cpu = series["check"].median("cpu")
    print(f"check with nothing changed: {check_cpu:.2f} s CPU, {series['check'].median('wall'):.2f} s wall (median)   target <= {TARGETS['check_s']} s CPU  {'ok' if check_cpu <= TARGETS['check_s'] else 'MISSED'}")
    for key in [k for k in ("help", "verify", "plan") if k in series]:
        cpu = series[key].median("cpu")
        print(f"start-up {series[key].label:<40} {cpu:.2f} s CPU, {series[key].median('wall'):.2f} s wall (median)   target <= {TARGETS['startup_s']} s CPU  {'ok' if cpu <= TARGETS['startup_s'] else 'MISSED'}")
    if args.growth_to:
        n, m = args.revisions, args.growth_to
        b = exponent(series["build"].median(), series["build_big"].median(), n, m)
        f = exponent(series["floor"].median(), series["floor_big"].median(), n, m)
        results.update(build_exponent=b, floor_exponent=f)
        verdict = "ok" if b - f <= TARGETS["growth_margin"] else "MISSED"
        print(f"growth exponent {n} -> {m} revisions (CPU medians): build {b:.2f}, floor {f:.2f}   target: build <= floor + {TARGETS['growth_margin']}  {verdict}")
        peak = max(series["build_big"].values("peak_mb"))
        results["peak_mb_big"] = peak
        print(f"peak memory of build at {m} revisions: {peak:.0f} MB   target < {TARGETS['peak_mb']:.0f} MB  {'ok' if peak < TARGETS['peak_mb'] else 'MISSED'}")
    print(f"load average at end (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps({
            "arguments": {k: str(v) for k, v in vars(args).items() if not k.startswith("_")},
            "series": {k: v.to_dict() for k, v in series.items()},
            "facts": bench.facts,
            "ratios": results,
            "cross_check": problems,
        }, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
