"""How fast `sqlrelease lint` reads a large release, next to sqlparse.

    /work/venv/bin/python bench/lint_benchmark.py [--mb 60] [--sqlparse-mb 2]

Generates a bundle-like release of at least --mb MB of SQL: a large data
migration (INSERTs with string literals, UPDATEs with and without WHERE,
DELETEs) spread over several migrations, with DDL between them, the way a
backfill release renders. The linter gets the statements as the render step
hands them over (one string per statement), exactly as `bundle_files` does.

sqlparse gets the same text joined into one script and runs `sqlparse.split`
and then `sqlparse.parse` on each statement. At well under 1 MB/s it would take
minutes on the whole input, so it runs on the first --sqlparse-mb MB and its
throughput is extrapolated; the report says so.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from types import SimpleNamespace

import sqlparse

from sqlrelease import lint
from sqlrelease.rendered import MigrationSQL

DDL = [
    "ALTER TABLE recruits ADD COLUMN note_{i} VARCHAR(255);",
    "CREATE INDEX ix_recruits_note_{i} ON recruits (note_{i});",
    "ALTER TABLE recruits ALTER COLUMN note_{i} SET NOT NULL;",
]


def statement(rng: random.Random, n: int) -> str:
    kind = n % 10
    name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(12))
    if kind < 6:
        return (
            "INSERT INTO recruits (first_name, surname, chat_name, github_name, id_number, personal_email_address) "
            f"VALUES ('{name.title()}', 'O''{name[::-1].title()}', '{name}_chat', '{name}-gh', 'ID{n:09d}', "
            f"'{name}.{n}@recruits.invalid');"
        )
    if kind < 9:
        return (
            f"UPDATE recruits SET chat_name = lower('{name.upper()}'), github_name = '{name}-{n}' "
            f"WHERE recruits.id_number = 'ID{n:09d}' AND recruits.chat_name IS NULL;"
        )
    if n % 1000 == 9:
        return "UPDATE recruits SET note = 'WHERE is not a clause in here';"
    return f"DELETE FROM recruits WHERE recruits.id_number = 'ID{n - 5:09d}';"


def release(megabytes: float, migrations: int = 20, seed: int = 5):
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    per_migration = target // migrations
    upgrade, size, n = {}, 0, 0
    for m in range(migrations):
        statements, chunk = [DDL[m % len(DDL)].format(i=m)], 0
        while chunk < per_migration:
            text = statement(rng, n)
            statements.append(text)
            chunk += len(text) + 1
            n += 1
        revision = f"{m:012x}"
        upgrade[revision] = MigrationSQL(revision, tuple(statements))
        size += sum(len(s.encode()) + 1 for s in statements)
    release_sql = SimpleNamespace(
        release=SimpleNamespace(name="bench", revisions=tuple(upgrade)),
        upgrade={"postgresql": upgrade},
        downgrade={"postgresql": {}},
        irreversible=(),
    )
    return release_sql, size, n + migrations


def best_of(runs: int, function):
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=60.0, help="size of the generated release (MB of SQL)")
    parser.add_argument("--sqlparse-mb", type=float, default=2.0, help="how much of it sqlparse parses")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    release_sql, size, count = release(args.mb)
    mb = size / 1e6
    print(f"input: {mb:.1f} MB of SQL, {count} statements in {len(release_sql.release.revisions)} migrations")

    seconds, findings = best_of(args.runs, lambda: lint.lint_release(release_sql))
    lint_rate = mb / seconds
    rules = sorted({f.rule for f in findings})
    print(f"sqlrelease lint: {seconds:.2f} s -> {lint_rate:.1f} MB/s ({len(findings)} findings: {', '.join(rules)})")

    text = "\n".join(s for m in release_sql.upgrade["postgresql"].values() for s in m.statements)
    cut = text.encode()[: int(args.sqlparse_mb * 1e6)].decode(errors="ignore")
    cut = cut[: cut.rfind(";\n") + 1]
    cut_mb = len(cut.encode()) / 1e6

    def sqlparse_full():
        return [sqlparse.parse(piece) for piece in sqlparse.split(cut)]

    sp_seconds, _ = best_of(1, sqlparse_full)
    sp_rate = cut_mb / sp_seconds
    print(
        f"sqlparse.split + sqlparse.parse: {sp_seconds:.2f} s on the first {cut_mb:.2f} MB -> {sp_rate:.2f} MB/s "
        f"(extrapolated: {mb / sp_rate:.0f} s for all {mb:.1f} MB)"
    )
    lex_seconds, _ = best_of(1, lambda: sum(1 for _ in sqlparse.lexer.tokenize(cut)))
    print(f"(for reference, sqlparse's lexer alone: {cut_mb / lex_seconds:.2f} MB/s)")
    ratio = lint_rate / sp_rate
    print(f"speed-up: {ratio:.0f}x (target: 10x) -> {'OK' if ratio >= 10 else 'BELOW TARGET'}")
    return 0 if ratio >= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
