"""A database's schema as plain data: read from the schema query's lines, normalised, fingerprinted,
and compared with what a release expects (pure functions).

The schema query (`templates/schema/<dialect>.sql.j2`) prints one JSON line per
table, column, primary key, unique constraint, index and foreign key. The build
runs it on a scratch database after applying the bundles, and records the result
in the manifest as the release's expected schema; `status --drift` runs the same
query on a target and names every difference ("column recruits.chat_name:
expected, missing"). What is compared: tables; columns with their type (as the
dialect normalises it) and nullability; primary keys; unique constraints;
indexes (name, columns, unique); foreign keys (columns, referenced table and
columns). Not compared: defaults, check constraints, column order, views,
collations. sqlrelease's own tables (the version table, receipts) are left out.
"""

from __future__ import annotations

import hashlib
import json
from typing import Callable, Iterable

from .templates import render

FORMAT = 2  # of the recorded schema (1: every table described in every manifest, still read)
DIGEST = 16  # hex digits of a table's digest
KINDS = ("table", "column", "pk", "unique", "index", "fk")


def query(dialect, schema: str | None, excluded: Iterable[str]) -> str:
    """The schema query of `dialect` (a Dialect) for the tables of `schema` (None: the default one),
    leaving out `excluded` (sqlrelease's own tables)."""
    return render(f"schema/{dialect.name}.sql.j2", dialect=dialect, schema=schema, excluded=sorted(set(excluded)))


def rows(lines: Iterable[str]) -> list[dict]:
    """The schema query's JSON lines among other output (a client's notices, the status lines)."""
    found = []
    for line in lines:
        line = line.strip()
        if not line.startswith("{") or "sqlrelease_schema" not in line:
            continue
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and row.get("sqlrelease_schema") in KINDS:
            found.append(row)
    return found


def rows_from_values(values: list[str]) -> list[dict]:
    """The schema query's rows from the values a database returned, each one JSON object (json_object()):
    the same as `rows` of them, parsed in one call (a call per row took 0.07-0.18 s of the 1,000-revision
    benchmark's build, one call 0.02-0.04 s)."""
    parsed = json.loads("[" + ",".join(values) + "]")
    return [row for row in parsed if isinstance(row, dict) and row.get("sqlrelease_schema") in KINDS]


def _columns(value) -> list[str]:
    if isinstance(value, str):  # a client that printed the list as text
        value = json.loads(value)
    return [str(v) for v in (value or [])]


def normalise(found: list[dict], normal_type: Callable[[str], str] = lambda t: " ".join(t.lower().split())) -> dict:
    """The schema of the query's rows: {table: {columns, primary_key, unique, indexes, foreign_keys}},
    every list sorted, so that the same schema gives the same data whatever order the rows came in."""
    tables: dict[str, dict] = {}

    def table(name: str) -> dict:
        return tables.setdefault(str(name), {"columns": {}, "primary_key": None, "unique": [], "indexes": {}, "foreign_keys": []})

    for row in found:
        kind, t = row["sqlrelease_schema"], table(row["t"])
        if kind == "column":
            t["columns"][str(row["c"])] = {"type": normal_type(str(row.get("type") or "")), "nullable": bool(row.get("nullable"))}
        elif kind == "pk":
            t["primary_key"] = {"name": row.get("name"), "columns": _columns(row.get("cols"))}
        elif kind == "unique":
            t["unique"].append({"name": row.get("name"), "columns": _columns(row.get("cols"))})
        elif kind == "index":
            t["indexes"][str(row["name"])] = {"unique": bool(row.get("unique")), "columns": _columns(row.get("cols"))}
        elif kind == "fk":
            t["foreign_keys"].append({
                "name": row.get("name"), "columns": _columns(row.get("cols")),
                "references": str(row.get("ref")), "referenced_columns": _columns(row.get("refcols")),
            })
    for t in tables.values():
        t["unique"].sort(key=lambda u: (u["columns"], u["name"] or ""))
        t["foreign_keys"].sort(key=lambda f: (f["columns"], f["references"], f["name"] or ""))
    return {name: tables[name] for name in sorted(tables)}


def _digest(table: dict) -> str:
    text = json.dumps(table, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:DIGEST]


def _fingerprint(digests: dict[str, str]) -> str:
    return hashlib.sha256("".join(f"{name} {digest}\n" for name, digest in sorted(digests.items())).encode("utf-8")).hexdigest()


def fingerprint(tables: dict) -> str:
    """sha256 over each table's name and digest: equal schemas, equal fingerprints."""
    return _fingerprint(digests(tables))


def digests(tables: dict) -> dict[str, str]:
    """{table: digest}: the first DIGEST hex digits of the sha256 of each table's canonical JSON."""
    return {name: _digest(table) for name, table in tables.items()}


def recorded(tables: dict, previous: dict[str, str] | None = None, unchanged: Iterable[str] = ()) -> dict:
    """What a manifest records for a dialect whose expected schema is known: the fingerprint, a
    digest of every table, and the description of the tables whose digest differs from
    `previous` (the release before's digests; None: the first release, which describes all).
    `unchanged`: tables known to be as in `previous` (their digest is taken from it).

    Bounded by what the release changes: recording the whole schema in every manifest made the
    bundles of a long history grow with its square (690 tables in release 200 of a synthetic one).
    """
    previous = previous or {}
    same = {name for name in unchanged if name in previous and name in tables}
    short = {name: previous[name] if name in same else _digest(table) for name, table in tables.items()}
    changed = {name: tables[name] for name in tables if previous.get(name) != short[name]}
    return {"format": FORMAT, "fingerprint": _fingerprint(short), "digests": short, "changed": changed}


def description(entries: Iterable[dict], table: str, digest: str) -> dict | None:
    """The description of `table` whose digest is `digest`, from the first of `entries` (manifest
    entries, newest first: the chain's bundles at hand) that describes it; None if none does."""
    for entry in entries:
        if entry.get("format") == FORMAT:
            found = (entry.get("changed") or {}).get(table)
        elif entry.get("format") == 1:
            found = (entry.get("tables") or {}).get(table)
        else:
            continue
        if isinstance(found, dict) and digests({table: found})[table] == digest:
            return found
    return None


def absent(reason: str) -> dict:
    """What a manifest records for a dialect whose expected schema is not known, and why."""
    return {"format": FORMAT, "fingerprint": None, "reason": reason}


# -- differences ---------------------------------------------------------------------


def _cols(columns: list[str]) -> str:
    return "(" + ", ".join(columns) + ")"


def _key(fk: dict) -> str:
    return f"{_cols(fk['columns'])} -> {fk['references']}{_cols(fk['referenced_columns'])}"


def _named(item: dict, what: str, table: str) -> str:
    return f"{what} {item['name']} on {table}" if item.get("name") else f"{what} on {table}"


def drift(entry: dict, found: dict, describe) -> list[str]:
    """Every way `found` (a normalised schema) differs from a manifest's recorded `entry`.

    A table whose digest differs is compared column by column with its description, which
    `describe(table, digest)` finds (this manifest or an earlier bundle's: `description`); without
    one it is named as differing, with where its description is.
    """
    if entry.get("format") == 1:
        return differences(entry["tables"], found)
    if fingerprint(found) == entry["fingerprint"]:
        return []
    want, have = entry["digests"], digests(found)

    def both(name: str) -> list[str]:
        if want[name] == have[name]:
            return []
        table = describe(name, want[name])
        if table is None:
            return [f"table {name}: differs (how: the bundle of the release that last changed it describes it; "
                    "add it to --bundles)"]
        return _table_differences(name, table, found[name])

    return _by_table(want, found, both)


def differences(expected: dict, found: dict) -> list[str]:
    """Every way `found` differs from `expected` (two normalised schemas), one line each, in words."""
    return _by_table(expected, found, lambda name: _table_differences(name, expected[name], found[name]))


def _by_table(expected, found: dict, both) -> list[str]:
    """A table missing or not expected in words; `both(name)` the lines of a table found on each side."""
    lines: list[str] = []
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            lines.append(f"table {name}: expected, missing")
        elif name not in expected:
            lines.append(f"table {name}: not expected, found")
        else:
            lines.extend(both(name))
    return lines


def _table_differences(name: str, want: dict, have: dict) -> list[str]:
    lines = []
    for column in sorted(set(want["columns"]) | set(have["columns"])):
        a, b = want["columns"].get(column), have["columns"].get(column)
        where = f"column {name}.{column}"
        if b is None:
            lines.append(f"{where}: expected, missing")
        elif a is None:
            lines.append(f"{where}: not expected, found ({b['type']})")
        else:
            if a["type"] != b["type"]:
                lines.append(f"{where}: type {a['type']} expected, found {b['type']}")
            if a["nullable"] != b["nullable"]:
                lines.append(f"{where}: {'nullable' if a['nullable'] else 'NOT NULL'} expected, found {'nullable' if b['nullable'] else 'NOT NULL'}")
    a, b = want["primary_key"], have["primary_key"]
    if a != b:
        shown = lambda pk: "none" if pk is None else (f"{pk['name']} " if pk.get("name") else "") + _cols(pk["columns"])
        lines.append(f"primary key of {name}: {shown(a)} expected, found {shown(b)}")
    for item in [u for u in want["unique"] if u not in have["unique"]]:
        lines.append(f"{_named(item, 'unique constraint', name)} {_cols(item['columns'])}: expected, missing")
    for item in [u for u in have["unique"] if u not in want["unique"]]:
        lines.append(f"{_named(item, 'unique constraint', name)} {_cols(item['columns'])}: not expected, found")
    for index in sorted(set(want["indexes"]) | set(have["indexes"])):
        a, b = want["indexes"].get(index), have["indexes"].get(index)
        shown = lambda i: ("unique " if i["unique"] else "") + _cols(i["columns"])
        if b is None:
            lines.append(f"index {index} on {name} {shown(a)}: expected, missing")
        elif a is None:
            lines.append(f"index {index} on {name} {shown(b)}: not expected, found")
        elif a != b:
            lines.append(f"index {index} on {name}: {shown(a)} expected, found {shown(b)}")
    for item in [f for f in want["foreign_keys"] if f not in have["foreign_keys"]]:
        lines.append(f"{_named(item, 'foreign key', name)} {_key(item)}: expected, missing")
    for item in [f for f in have["foreign_keys"] if f not in want["foreign_keys"]]:
        lines.append(f"{_named(item, 'foreign key', name)} {_key(item)}: not expected, found")
    return lines
