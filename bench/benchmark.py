#!/usr/bin/env python3
"""Benchmark sqlrelease against the loop a user would otherwise script around the Alembic CLI.

Generates a synthetic Alembic history in a temporary folder (default: 1,000
revisions of mixed operations -- create/alter/drop table and column, indexes,
unique constraints, op.execute -- in 50 releases, for postgresql, mysql and
sqlite) and times:

  (a) `sqlrelease build --all`                        (CLI, a fresh process)
  (b) `sqlrelease check`                              (CLI, a fresh process)
  (c) the user's loop: one `alembic upgrade A:B --sql` and one
      `alembic downgrade B:A --sql` CLI call per release and dialect
  (d) the floor: one in-process Alembic render of the whole history per
      dialect and direction (alembic.command.upgrade(cfg, "base:head", sql=True)
      into a StringIO), timed inside its process

It prints the ratios (a)/(c), (a)/(d), (b)/(d) and each step's peak memory
(max RSS of the process, from wait4). Targets: (a) at least 30x faster than
(c); (a) and (b) within 2x of (d); peak memory under 300 MB.

The loop (c) takes minutes on a full-size history, so by default it is timed on
an evenly spread sample of releases and extrapolated (the output says so);
--loop-all runs every call.

  python bench/benchmark.py                              # full size
  python bench/benchmark.py --revisions 200 --releases 10  # a quick run
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

DIALECT_URLS = {"postgresql": "postgresql://", "mysql": "mysql://", "sqlite": "sqlite://"}
TARGETS = {"a_vs_c": 30.0, "a_vs_d": 2.0, "b_vs_d": 2.0, "peak_mb": 300.0}

ENV_PY = '''\
"""Offline-only environment of the synthetic benchmark history."""
from alembic import context

config = context.config
url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
context.configure(url=url, target_metadata=None, literal_binds=True, dialect_opts={"paramstyle": "named"})
with context.begin_transaction():
    context.run_migrations()
'''

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s/migrations
sqlalchemy.url = postgresql://
path_separator = os
"""

PYPROJECT = """\
[tool.sqlrelease]
alembic_ini = "alembic.ini"
plan = "releases.toml"
bundles = "releases"
dialects = {dialects}
stamp = "inline"
environment = "project"
"""

# -- the synthetic history -----------------------------------------------------

TYPES = ["sa.Integer()", "sa.String(50)", "sa.String(120)", "sa.Boolean()", "sa.DateTime()", "sa.Numeric(10, 2)", "sa.Text()"]


class Schema:
    """The schema the history builds so far, enough to write valid next steps and their undo."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tables: dict[str, dict] = {}  # name -> {"columns": {name: (type, nullable)}, "uniques": {name: col}, "indexes": {name: col}}
        self.counter = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def table_def(self, name: str) -> str:
        """A `sa.Table(...)` for batch mode's copy_from: SQLite recreates the table from it offline."""
        table = self.tables[name]
        parts = [f'sa.Column("id", sa.Integer(), primary_key=True)']
        parts += [f'sa.Column("{c}", {t}, nullable={n})' for c, (t, n) in table["columns"].items()]
        parts += [f'sa.UniqueConstraint("{c}", name="{u}")' for u, c in table["uniques"].items()]
        return f'sa.Table("{name}", sa.MetaData(), ' + ", ".join(parts) + ")"

    def pick_table(self) -> str | None:
        return self.rng.choice(sorted(self.tables)) if self.tables else None


def _batch(schema: Schema, table: str, body: str) -> str:
    return f'with op.batch_alter_table("{table}", copy_from={schema.table_def(table)}) as batch_op:\n    {body}'


def next_step(schema: Schema) -> tuple[str, str, str]:
    """(message, upgrade body, downgrade body) of one more migration, updating `schema`."""
    rng = schema.rng
    kinds = ["create_table"] * 15 + ["add_column"] * 25 + ["alter_column"] * 12 + ["drop_column"] * 8
    kinds += ["create_index"] * 12 + ["drop_index"] * 5 + ["unique"] * 8 + ["execute"] * 12 + ["drop_table"] * 3
    kind = "create_table" if len(schema.tables) < 3 else rng.choice(kinds)
    table = schema.pick_table()
    t = schema.tables.get(table) if table else None
    if kind == "add_column" or (kind in ("alter_column", "drop_column", "create_index", "unique", "execute") and not t["columns"]):
        column, type_ = schema.fresh("col"), rng.choice(TYPES)
        t["columns"][column] = (type_, True)
        return (
            f"add {table}.{column}",
            f'op.add_column("{table}", sa.Column("{column}", {type_}, nullable=True))',
            _batch(schema, table, f'batch_op.drop_column("{column}")'),
        )
    if kind == "create_table":
        name = schema.fresh("tbl")
        columns = {schema.fresh("col"): (rng.choice(TYPES), rng.random() < 0.7) for _ in range(rng.randint(2, 5))}
        code = schema.fresh("code")
        columns[code] = ("sa.String(40)", False)
        uq = f"uq_{name}_{code}"
        schema.tables[name] = {"columns": columns, "uniques": {uq: code}, "indexes": {}}
        return f"create table {name}", _create_table(schema, name), f'op.drop_table("{name}")'
    if kind == "drop_table":
        before = _create_table(schema, table) + "".join(
            f'\nop.create_index("{i}", "{table}", ["{c}"])' for i, c in t["indexes"].items()
        )
        del schema.tables[table]
        return f"drop table {table}", f'op.drop_table("{table}")', before
    if kind == "alter_column":
        candidates = [c for c, (ty, _) in t["columns"].items() if ty.startswith("sa.String")]
        if not candidates:
            return _execute(table, t, rng)
        column = rng.choice(candidates)
        old, nullable = t["columns"][column]
        new = "sa.String(255)" if old != "sa.String(255)" else "sa.String(120)"
        before = schema.table_def(table)
        t["columns"][column] = (new, nullable)
        up = f'with op.batch_alter_table("{table}", copy_from={before}) as batch_op:\n    batch_op.alter_column("{column}", existing_type={old}, type_={new}, existing_nullable={nullable})'
        down = _batch(schema, table, f'batch_op.alter_column("{column}", existing_type={new}, type_={old}, existing_nullable={nullable})')
        return f"widen {table}.{column}", up, down
    if kind == "drop_column":
        free = [c for c in t["columns"] if c not in t["uniques"].values() and c not in t["indexes"].values()]
        if not free:
            return _execute(table, t, rng)
        column = rng.choice(free)
        type_, nullable = t["columns"][column]
        before = schema.table_def(table)
        del t["columns"][column]
        up = f'with op.batch_alter_table("{table}", copy_from={before}) as batch_op:\n    batch_op.drop_column("{column}")'
        return f"drop {table}.{column}", up, f'op.add_column("{table}", sa.Column("{column}", {type_}, nullable=True))'
    if kind == "create_index":
        column = rng.choice(sorted(t["columns"]))
        index = f"ix_{table}_{column}"
        if index in t["indexes"]:
            return _execute(table, t, rng)
        t["indexes"][index] = column
        return f"index {table}.{column}", f'op.create_index("{index}", "{table}", ["{column}"])', f'op.drop_index("{index}", table_name="{table}")'
    if kind == "drop_index":
        if not t["indexes"]:
            return _execute(table, t, rng)
        index = rng.choice(sorted(t["indexes"]))
        column = t["indexes"].pop(index)
        return f"drop index {index}", f'op.drop_index("{index}", table_name="{table}")', f'op.create_index("{index}", "{table}", ["{column}"])'
    if kind == "unique":
        free = [c for c in t["columns"] if c not in t["uniques"].values()]
        if not free:
            return _execute(table, t, rng)
        column = rng.choice(free)
        name = f"uq_{table}_{column}"
        before = schema.table_def(table)
        t["uniques"][name] = column
        up = f'with op.batch_alter_table("{table}", copy_from={before}) as batch_op:\n    batch_op.create_unique_constraint("{name}", ["{column}"])'
        down = _batch(schema, table, f'batch_op.drop_constraint("{name}", type_="unique")')
        return f"unique {table}.{column}", up, down
    return _execute(table, t, rng)


def _create_table(schema: Schema, name: str) -> str:
    t = schema.tables[name]
    parts = ['sa.Column("id", sa.Integer(), primary_key=True)']
    parts += [f'sa.Column("{c}", {ty}, nullable={n})' for c, (ty, n) in t["columns"].items()]
    parts += [f'sa.UniqueConstraint("{c}", name="{u}")' for u, c in t["uniques"].items()]
    return f'op.create_table(\n    "{name}",\n    ' + ",\n    ".join(parts) + ",\n)"


def _execute(table: str, t: dict, rng: random.Random) -> tuple[str, str, str]:
    """A data step: op.execute with a SQL expression (portable) or plain text."""
    ints = [c for c, (ty, _) in t["columns"].items() if ty == "sa.Integer()"]
    if ints and rng.random() < 0.5:
        column = rng.choice(ints)
        up = f'tbl = sa.table("{table}", sa.column("{column}", sa.Integer()))\nop.execute(tbl.update().where(tbl.c.{column}.is_(None)).values({column}=0))'
        return f"backfill {table}.{column}", up, "pass  # the backfill is kept"
    up = f'op.execute("DELETE FROM {table} WHERE id < 0")'
    return f"clean up {table}", up, "pass  # deleted rows are not restored"


def revision_id(index: int) -> str:
    return hashlib.sha1(f"sqlrelease-benchmark-{index}".encode()).hexdigest()[:12]


def generate(root: Path, revisions: int, releases: int, dialects: list[str], seed: int) -> list[tuple[str, str]]:
    """Write the project; returns the releases as (name, target revision)."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(ENV_PY)
    (root / "alembic.ini").write_text(ALEMBIC_INI)
    (root / "pyproject.toml").write_text(PYPROJECT.format(dialects=json.dumps(dialects)))
    schema = Schema(random.Random(seed))
    previous = None
    for index in range(revisions):
        rid = revision_id(index)
        message, up, down = next_step(schema)
        (versions / f"{index + 1:04d}_{rid}.py").write_text(
            f'"""{message}\n\nRevision ID: {rid}\nRevises: {previous or ""}\n"""\n'
            "from alembic import op\nimport sqlalchemy as sa\n\n"
            f"revision = {rid!r}\ndown_revision = {previous!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade():\n{textwrap.indent(up, '    ')}\n\n\ndef downgrade():\n{textwrap.indent(down, '    ')}\n"
        )
        previous = rid
    plan = []
    for k in range(releases):
        end = round((k + 1) * revisions / releases) - 1
        plan.append((f"{k + 1}.0.0", revision_id(end)))
    (root / "releases.toml").write_text("".join(f'[[release]]\nname = "{n}"\ntarget = "{t}"\n' for n, t in plan))
    return plan


# -- measuring ---------------------------------------------------------------


def _peak_mb(usage) -> float:
    if usage is None:
        return float("nan")
    return usage.ru_maxrss / 1024  # kilobytes on Linux


def run_child(args: list[str], cwd: Path) -> tuple[float, float, int, str]:
    """Like `run`, but reaps the child with wait4 to read its own peak memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, _peak_mb(usage), proc.returncode, output.decode()


def floor(root: Path, dialects: list[str]) -> None:
    """(d), run in a child: one in-process render per dialect and direction; prints seconds as JSON."""
    import logging

    from alembic import command
    from alembic.config import Config

    logging.getLogger("alembic").setLevel(logging.WARNING)
    start = time.perf_counter()
    sizes = {}
    for dialect in dialects:
        for direction in ("upgrade", "downgrade"):
            buffer = io.StringIO()
            cfg = Config(str(root / "alembic.ini"), output_buffer=buffer)
            cfg.set_main_option("sqlalchemy.url", DIALECT_URLS[dialect])
            if direction == "upgrade":
                command.upgrade(cfg, "base:head", sql=True)
            else:
                command.downgrade(cfg, "head:base", sql=True)
            sizes[f"{dialect} {direction}"] = len(buffer.getvalue())
    print(json.dumps({"seconds": time.perf_counter() - start, "bytes": sizes}))


def in_process(root: Path, verb: str) -> None:
    """(a)/(b) timed inside one process, without interpreter start-up; prints seconds as JSON."""
    from sqlrelease import api

    start = time.perf_counter()
    if verb == "build":
        api.build(root)
        code = 0
    else:
        code = api.check(root).exit_code
    print(json.dumps({"seconds": time.perf_counter() - start, "exit_code": code}))


def loop_calls(plan: list[tuple[str, str]], dialects: list[str]) -> list[tuple[str, list[str]]]:
    calls = []
    previous = None
    for name, target in plan:
        for dialect in dialects:
            url = f"url={DIALECT_URLS[dialect]}"
            up = f"{previous}:{target}" if previous else target
            down = f"{target}:{previous or 'base'}"
            calls.append((name, ["-x", url, "upgrade", up, "--sql"]))
            calls.append((name, ["-x", url, "downgrade", down, "--sql"]))
        previous = target
    return calls


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--revisions", type=int, default=1000, help="revisions in the synthetic history (default 1000)")
    parser.add_argument("--releases", type=int, default=50, help="releases in the plan (default 50)")
    parser.add_argument("--dialects", default="postgresql,mysql,sqlite", help="comma-separated (default postgresql,mysql,sqlite)")
    parser.add_argument("--loop-sample", type=int, default=5, help="releases on which to time the Alembic CLI loop (c), then extrapolate (default 5)")
    parser.add_argument("--loop-all", action="store_true", help="time every call of the loop (c): slow")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the history (default 1)")
    parser.add_argument("--keep", type=Path, help="generate the project into this folder and keep it")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument("--_floor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_in_process", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    dialects = args.dialects.split(",")
    if args._floor:
        floor(args._floor, dialects)
        return 0
    if args._in_process:
        in_process(Path(args._in_process[0]), args._in_process[1])
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="sqlrelease-bench-")) if args.keep is None else args.keep
    root = workdir / "project" if args.keep is None else workdir
    try:
        return measure(args, root, dialects)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def measure(args, root: Path, dialects: list[str]) -> int:
    bindir = Path(sys.executable).parent
    sqlrelease = [str(bindir / "sqlrelease")] if (bindir / "sqlrelease").exists() else [sys.executable, "-m", "sqlrelease"]
    alembic = [str(bindir / "alembic")] if (bindir / "alembic").exists() else [sys.executable, "-m", "alembic"]
    me = [sys.executable, str(Path(__file__).resolve())]

    plan = generate(root, args.revisions, args.releases, dialects, args.seed)
    print(f"history: {args.revisions} revisions, {len(plan)} releases, dialects {', '.join(dialects)} in {root}")

    results: dict[str, dict] = {}

    def step(key: str, label: str, command: list[str], expect=(0,)) -> dict:
        seconds, peak, code, output = run_child(command, root)
        if code not in expect:
            print(output[-3000:])
            raise SystemExit(f"{label} exited {code}")
        results[key] = {"seconds": seconds, "peak_mb": peak, "output": output}
        print(f"{label:<52} {seconds:8.2f} s   peak {peak:6.0f} MB")
        return results[key]

    print()
    shutil.rmtree(root / "releases", ignore_errors=True)
    step("a", "(a) sqlrelease build --all", [*sqlrelease, "build", "--all", "-q"])
    step("b", "(b) sqlrelease check", [*sqlrelease, "check", "-q"])
    d = step("d", "(d) in-process Alembic render (process wall)", [*me, "--dialects", args.dialects, "--_floor", str(root)])
    d_inner = json.loads(d["output"].strip().splitlines()[-1])["seconds"]
    print(f"{'    (d) render time inside the process (the floor)':<52} {d_inner:8.2f} s")
    for verb, key in (("build", "a_in"), ("check", "b_in")):
        shutil.rmtree(root / "releases", ignore_errors=True) if verb == "build" else None
        r = step(key, f"    ({key[0]}) {verb} timed inside the process", [*me, "--_in_process", str(root), verb])
        results[key]["inner"] = json.loads(r["output"].strip().splitlines()[-1])["seconds"]
        print(f"{'':<52} {results[key]['inner']:8.2f} s inside")

    calls = loop_calls(plan, dialects)
    if args.loop_all or args.loop_sample >= len(plan):
        sample = calls
    else:
        n = max(1, args.loop_sample)
        chosen = {plan[round(i * (len(plan) - 1) / max(1, n - 1))][0] for i in range(n)} if n > 1 else {plan[0][0]}
        sample = [c for c in calls if c[0] in chosen]
    start = time.perf_counter()
    loop_peak = 0.0
    for _, call in sample:
        seconds, peak, code, output = run_child([*alembic, "-c", str(root / "alembic.ini"), *call], root)
        if code != 0:
            print(output[-3000:])
            raise SystemExit(f"alembic {' '.join(call)} exited {code}")
        loop_peak = max(loop_peak, peak)
    sampled = time.perf_counter() - start
    c_seconds = sampled * len(calls) / len(sample)
    note = "" if len(sample) == len(calls) else f"  (extrapolated from {len(sample)} of {len(calls)} calls: {sampled:.1f} s)"
    print(f"{'(c) alembic CLI loop, ' + str(len(calls)) + ' calls':<52} {c_seconds:8.2f} s   peak {loop_peak:6.0f} MB{note}")

    a, b = results["a"]["seconds"], results["b"]["seconds"]
    peak = max(results["a"]["peak_mb"], results["b"]["peak_mb"])
    ratios = {
        "a_vs_c": c_seconds / a,
        "a_vs_d": a / d_inner,
        "b_vs_d": b / d_inner,
        "a_in_vs_d": results["a_in"]["inner"] / d_inner,
        "b_in_vs_d": results["b_in"]["inner"] / d_inner,
        "peak_mb": peak,
    }
    print()
    print(f"(a) is {ratios['a_vs_c']:.1f}x faster than (c)            target >= {TARGETS['a_vs_c']:.0f}x   {_ok(ratios['a_vs_c'] >= TARGETS['a_vs_c'])}")
    print(f"(a)/(d) = {ratios['a_vs_d']:.2f}  (in-process {ratios['a_in_vs_d']:.2f})     target <= {TARGETS['a_vs_d']:.0f}    {_ok(ratios['a_vs_d'] <= TARGETS['a_vs_d'])}")
    print(f"(b)/(d) = {ratios['b_vs_d']:.2f}  (in-process {ratios['b_in_vs_d']:.2f})     target <= {TARGETS['b_vs_d']:.0f}    {_ok(ratios['b_vs_d'] <= TARGETS['b_vs_d'])}")
    print(f"peak memory of (a), (b): {peak:.0f} MB                  target < {TARGETS['peak_mb']:.0f} MB  {_ok(peak < TARGETS['peak_mb'])}")
    print("(a) and (b) are whole CLI processes (start-up and history loading included); (d) is render time only.")
    if args.json:
        print(json.dumps({"a": a, "b": b, "c": c_seconds, "c_extrapolated": len(sample) != len(calls), "d": d_inner, **ratios}))
    return 0


def _ok(passed: bool) -> str:
    return "ok" if passed else "MISSED"


if __name__ == "__main__":
    sys.exit(main())
