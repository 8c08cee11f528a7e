"""Print, per history, dialect and release, whether the bundles do what Alembic does.

For each history (the sample and the test histories in tests/histories/) the
script builds the bundles in a temporary directory, starts a throwaway
PostgreSQL and MariaDB (tests/dbservers.py), and for each dialect walks the
releases with the real clients (psql, mariadb, sqlite3):

  upgrade    upgrade.sql runs, and the schema, rows and alembic_version equal
             those of `alembic upgrade` run online on a second database
  downgrade  (walking back down) downgrade.sql runs and gives back the schema
             and rows the database had before the release; "refused" when the
             bundle declares the release cannot be downgraded and the script
             refuses without changing anything
  guard      upgrade.sql applied a second time (the server is now at the wrong
             version) refuses, names expected and found, and changes nothing

Each cell is ok, FAIL (with the reason listed under the table), refused, or
"-" when an earlier failure made the check impossible. Exit status 1 if any
cell is FAIL. Servers are stopped at the end, also on failure.

No pytest needed: it imports tests/dbtools.py, tests/projects.py and
tests/dbservers.py by path. Needs the test extras (psycopg, pymysql).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"


def _import(name: str):
    spec = importlib.util.spec_from_file_location(name, TESTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


dbservers = _import("dbservers")
dbtools = _import("dbtools")
projects = _import("projects")

from sqlrelease import build  # noqa: E402


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip() and not line.startswith("-----")]
    return (lines[-1] if lines else "(no output)")[:160]


def _schema(dump: dict) -> dict:
    return {key: value for key, value in dump.items() if key != "rows"}


def walk(root: Path, dialect: str, dbs: "dbtools.Databases") -> tuple[list[dict], list[str]]:
    """Rows of the table for one history and dialect, and the reasons of each FAIL."""
    bundle, online = dbs.new(dialect), dbs.new(dialect)
    location = projects.script_location(root)
    releases = projects.release_names(root)
    rows = {r: {"upgrade": "-", "downgrade": "-", "guard": "-"} for r in releases}
    notes: list[str] = []
    states = [dbtools.full_dump(bundle.url)]
    schema_only = False

    def fail(release: str, column: str, why: str) -> None:
        rows[release][column] = "FAIL"
        notes.append(f"{root.name} {dialect} {release} {column}: {why}")

    for release in releases:
        manifest = json.loads((root / "releases" / release / "manifest.json").read_text())
        upgrade = projects.sql(root, release, dialect, "upgrade")
        result = dbtools.apply_sql(bundle, upgrade)
        if result.returncode != 0:
            fail(release, "upgrade", _first_line(result.stderr))
            return [{"release": r, **rows[r]} for r in releases], notes
        try:
            for head in manifest["to"]:
                dbtools.run_alembic_online(location, online.url, "upgrade", head)
        except Exception as exc:  # report it, go on with the next history
            fail(release, "upgrade", f"online alembic failed: {exc}")
            return [{"release": r, **rows[r]} for r in releases], notes
        dump = dbtools.full_dump(bundle.url)
        if dump != dbtools.full_dump(online.url):
            fail(release, "upgrade", "schema, rows or alembic_version differ from online alembic upgrade")
        else:
            rows[release]["upgrade"] = "ok"
        states.append(dump)

        again = dbtools.apply_sql(bundle, upgrade)
        expected = ",".join(manifest["from"]) or "none"
        found = ",".join(sorted(manifest["to"]))
        if again.returncode == 0:
            fail(release, "guard", "upgrade.sql ran twice")
        elif f"expects alembic_version = {expected}" not in again.stderr or f"found {found}" not in again.stderr:
            fail(release, "guard", f"message does not name expected and found: {_first_line(again.stderr)}")
        elif dbtools.full_dump(bundle.url) != dump:
            fail(release, "guard", "refused but changed the database")
        else:
            rows[release]["guard"] = "ok"

    for index in range(len(releases) - 1, -1, -1):
        release = releases[index]
        manifest = json.loads((root / "releases" / release / "manifest.json").read_text())
        before = dbtools.full_dump(bundle.url)
        result = dbtools.apply_sql(bundle, projects.sql(root, release, dialect, "downgrade"))
        if manifest["downgrade"] == "refuses":
            if result.returncode != 0 and dbtools.full_dump(bundle.url) == before:
                rows[release]["downgrade"] = "refused"
            else:
                fail(release, "downgrade", "should refuse without changes")
            break
        if result.returncode != 0:
            fail(release, "downgrade", _first_line(result.stderr))
            break
        after = dbtools.full_dump(bundle.url)
        if any(m.get("irreversible", {}).get("accepted") for m in manifest["migrations"]):
            # The plan accepts that this release's data change stays: from here
            # down only the schema must come back.
            schema_only = True
        if (_schema(after) == _schema(states[index])) if schema_only else (after == states[index]):
            rows[release]["downgrade"] = "ok" + (" (schema)" if schema_only else "")
        else:
            fail(release, "downgrade", "does not give back the state before the release")
    return [{"release": r, **rows[r]} for r in releases], notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--history", action="append", choices=projects.NAMES,
                        help="only this history (repeatable; default: all)")
    parser.add_argument("--dialect", action="append", choices=dbtools.DIALECTS,
                        help="only this dialect (repeatable; default: all)")
    args = parser.parse_args(argv)
    histories = args.history or list(projects.NAMES)
    dialects = args.dialect or list(dbtools.DIALECTS)

    table: list[dict] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sqlrelease-report-") as tmp, dbservers.Servers() as servers:
        started = {}
        try:
            if "postgresql" in dialects:
                started["postgresql"] = servers.postgres()
            if "mysql" in dialects:
                started["mysql"] = servers.mariadb()
        except dbservers.ServerUnavailable as exc:
            print(f"cannot start a server: {exc}", file=sys.stderr)
            return 2
        dbs = dbtools.Databases(started, Path(tmp))
        try:
            for history in histories:
                root = projects.make_project(Path(tmp), history, dialects=tuple(dialects), folder=history)
                build(root)
                for dialect in dialects:
                    rows, why = walk(root, dialect, dbs)
                    table += [{"history": history, "dialect": dialect, **row} for row in rows]
                    notes += why
        finally:
            dbs.drop_all()

    columns = ["history", "dialect", "release", "upgrade", "downgrade", "guard"]
    widths = {c: max(len(c), *(len(str(row[c])) for row in table)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for row in table:
        print("  ".join(str(row[c]).ljust(widths[c]) for c in columns))
    if any(row["downgrade"] == "ok (schema)" for row in table):
        print("\nok (schema): below a release whose data change the plan accepts as permanent"
              " (accept_irreversible), only the schema must come back.")
    if any(row["downgrade"] == "-" for row in table):
        print("-: not checked, because a later release of the history refuses to be downgraded.")
    for note in notes:
        print(f"FAIL {note}")
    return 1 if notes else 0


if __name__ == "__main__":
    sys.exit(main())
