"""The benchmark's synthetic history (bench/history.py) is a history a DBA could apply.

Its numbers only mean something if the bundles it builds are real ones: every release's
SQLite upgrade.sql runs with `sqlite3 -bail`, and its downgrade.sql back down, in order.
Batch rebuilds once dropped the tables' indexes (copy_from without them: `no such index`),
a backfill met a unique constraint, and a schema step shared a migration with an
irreversible one, which then left it behind on the way down.
"""

import json
import sys
from pathlib import Path

import pytest

from dbtools import alembic_version, apply_sql, full_dump
from projects import release_names, sql
from sqlrelease import build

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
    previous = [None] + [{target} for _, target in generated.releases[:-1]]
    for name, expected in reversed(list(zip(names, previous))):
        result = apply_sql(sqlite_db, sql(root, name, "sqlite", "downgrade"))
        assert result.returncode == 0, (name, result.stderr)
        assert (alembic_version(sqlite_db.url) or None) == expected, name
    assert full_dump(sqlite_db.url)["tables"] == {}
