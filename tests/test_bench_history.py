"""The benchmark's synthetic history (bench/history.py) is a history a DBA could apply.

Its numbers only mean something if the bundles it builds are real ones: every release's
SQLite upgrade.sql runs with `sqlite3 -bail`, and its downgrade.sql back down, in order.
Batch rebuilds once dropped the tables' indexes (copy_from without them: `no such index`),
a backfill met a unique constraint, and a schema step shared a migration with an
irreversible one, which then left it behind on the way down.
"""

import json
import re
import sys
from pathlib import Path

import pytest

from dbtools import alembic_version, apply_sql, full_dump
from projects import release_names, sql
from sqlrelease import build, schema
from sqlrelease.dialects import DIALECTS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import history  # noqa: E402  (bench/history.py)


@pytest.mark.parametrize("seed", [1, 7])  # 7: two irreversible steps, accepted, downgraded past
def test_every_release_applies_up_and_down_with_sqlite3(tmp_path, sqlite_db, seed):
    root = tmp_path / "synthetic"
    generated = history.generate(root, 100, 5, ["sqlite"], seed)
    assert not generated.refused  # so every downgrade.sql runs
    build(root)
    names = release_names(root)
    assert names == [name for name, _ in generated.releases]
    for name in names:
        schema = json.loads((root / "releases" / name / "manifest.json").read_text())["expected_schema"]["sqlite"]
        assert schema["fingerprint"], (name, schema.get("reason"))

    for name, (_, target) in zip(names, generated.releases):
        result = apply_sql(sqlite_db, sql(root, name, "sqlite", "upgrade"))
        assert result.returncode == 0, (name, result.stderr)
        assert alembic_version(sqlite_db.url) == {target}, name
        # The schema sqlite3 reads now is the one the manifest records (the build reads only the tables
        # a release changed, and carries the others over).
        assert _fingerprint(sqlite_db) == json.loads((root / "releases" / name / "manifest.json").read_text())[
            "expected_schema"]["sqlite"]["fingerprint"], name
    previous = [None] + [{target} for _, target in generated.releases[:-1]]
    for name, expected in reversed(list(zip(names, previous))):
        result = apply_sql(sqlite_db, sql(root, name, "sqlite", "downgrade"))
        assert result.returncode == 0, (name, result.stderr)
        assert (alembic_version(sqlite_db.url) or None) == expected, name
    assert full_dump(sqlite_db.url)["tables"] == {}


def test_with_separate_stamp_files_the_recorded_schema_is_what_sqlite3_leaves(tmp_path, sqlite_db):
    """In separate stamp mode a release is two files, upgrade.sql then stamp.sql: the tables the first
    one changed once went to wait outside the scratch's `main` before the second, where the schema
    query did not see them, and the manifests recorded a schema without them."""
    root = tmp_path / "synthetic"
    history.generate(root, 60, 3, ["sqlite"], 1)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('stamp = "inline"', 'stamp = "separate"'))
    build(root)
    for name in release_names(root):
        for kind in ("upgrade", "stamp"):
            result = apply_sql(sqlite_db, sql(root, name, "sqlite", kind))
            assert result.returncode == 0, (name, kind, result.stderr)
        recorded = json.loads((root / "releases" / name / "manifest.json").read_text())["expected_schema"]["sqlite"]
        assert recorded["fingerprint"] and _fingerprint(sqlite_db) == recorded["fingerprint"], name


def test_a_guard_names_the_recent_releases_and_says_what_an_older_one_is(tmp_path, sqlite_db):
    """A guard names the last NAMED_RELEASES releases (where a server can plausibly be) and
    shows any other version by its revision, saying where its names begin: naming every
    earlier release made every file grow with the history."""
    from sqlrelease.messages import NAMED_RELEASES

    root = tmp_path / "synthetic"
    count = NAMED_RELEASES + 2
    generated = history.generate(root, 5 * count, count, ["sqlite"], 1)
    build(root)
    names = release_names(root)
    targets = [target for _, target in generated.releases]
    _apply(sqlite_db, root, names[:2])  # the server is at the second release

    # The second release is among the last NAMED_RELEASES up to the last but one: named.
    named = apply_sql(sqlite_db, sql(root, names[-2], "sqlite", "upgrade"))
    assert named.returncode != 0
    assert f"this server is at release {names[1]} ({targets[1]}); upgrade.sql of release {names[-2]} needs release {names[-3]}" in named.stderr
    # The last release's guard begins with the third: the second is shown by its revision.
    older = apply_sql(sqlite_db, sql(root, names[-1], "sqlite", "upgrade"))
    assert older.returncode != 0
    assert (
        f"this server is at {targets[1]} (no release from {names[2]} up to {names[-1]}: older, later or hand-edited; "
        "sqlrelease status names it); "
        f"upgrade.sql of release {names[-1]} needs release {names[-2]} ({targets[-2]}); nothing was changed"
    ) in older.stderr
    assert alembic_version(sqlite_db.url) == {targets[1]}
    # Bounded: one WHEN per named release and per migration inside the release, whatever the history's length.
    text = sql(root, names[-1], "sqlite", "upgrade").read_text()
    assert f"'release {names[1]} (" not in text and f"'release {names[2]} (" in text
    assert len(set(re.findall(r" THEN 'release ([^ ]+) \(", text))) == NAMED_RELEASES


def _fingerprint(db) -> str:
    read = apply_sql(db, schema.query(DIALECTS["sqlite"], None, ()))
    assert read.returncode == 0, read.stderr
    tables = schema.normalise(schema.rows(read.stdout.splitlines()), DIALECTS["sqlite"].normal_type)
    return schema.fingerprint({t: v for t, v in tables.items() if t != "alembic_version" and not t.startswith("sqlrelease_")})


def _apply(db, root, names) -> None:
    for name in names:
        result = apply_sql(db, sql(root, name, "sqlite", "upgrade"))
        assert result.returncode == 0, (name, result.stderr)
