"""A DBA applies every release of a history with `sqlite3 -bail`, then rolls all of them back."""

import pytest

from dbtools import alembic_version, apply_sql, full_dump, run_alembic_online, schema_snapshot
from projects import make_project, release_names, script_location, sql
from sqlrelease import build

# alembic_version after each release, in plan order: what the plan comments promise.
VERSIONS = {
    "sample": [{"8d41e6a0c2f9"}, {"c4b8e1f3a906"}, {"e61a7c9d0b58"}, {"74c2b9e5f3d0"}],
    "branched": [
        {"0c4e8a1f5b27"},
        {"6b3d9f2a0e84", "a9e15c7d3f60"},
        {"f27b6d0c9e31"},
        {"f27b6d0c9e31", "3d8c5a2e7f19"},
        {"b50e4f1a8c62"},
    ],
    "data_migration": [{"8a3f6c0e1b94"}, {"71e0a5d3c8b6"}],
    "constraints": [{"e4a19f6b0c28"}, {"93b0d7e5a1c6"}],
    "irreversible": [{"2b9d4e7a1c60"}, {"a47c1d9e3b08"}],
}


def tables(db) -> dict:
    return full_dump(db.url)["tables"]


@pytest.mark.parametrize("history", sorted(VERSIONS))
def test_upgrades_in_plan_order_reach_the_last_release(tmp_path, sqlite_db, make_db, history):
    root = make_project(tmp_path, history, dialects=("sqlite",))
    build(root)
    names = release_names(root)
    assert len(names) == len(VERSIONS[history])
    for name, expected in zip(names, VERSIONS[history]):
        result = apply_sql(sqlite_db, sql(root, name, "sqlite", "upgrade"))
        assert result.returncode == 0, (name, result.stderr)
        assert alembic_version(sqlite_db.url) == expected, name

    # The same schema Alembic itself reaches online.
    online = make_db("sqlite")
    run_alembic_online(script_location(root), online.url, "upgrade", "heads")
    assert schema_snapshot(sqlite_db.url) == schema_snapshot(online.url)


@pytest.mark.parametrize("history", sorted(set(VERSIONS) - {"irreversible"}))
def test_downgrades_in_reverse_return_to_an_empty_schema(tmp_path, sqlite_db, history):
    root = make_project(tmp_path, history, dialects=("sqlite",))
    build(root)
    names = release_names(root)
    for name in names:
        assert apply_sql(sqlite_db, sql(root, name, "sqlite", "upgrade")).returncode == 0, name
    previous = [set()] + VERSIONS[history][:-1]
    for name, expected in reversed(list(zip(names, previous))):
        result = apply_sql(sqlite_db, sql(root, name, "sqlite", "downgrade"))
        assert result.returncode == 0, (name, result.stderr)
        assert (alembic_version(sqlite_db.url) or set()) == expected, name
    assert alembic_version(sqlite_db.url) is None
    assert tables(sqlite_db) == {}


def test_an_irreversible_release_refuses_its_downgrade_and_changes_nothing(tmp_path, sqlite_db):
    root = make_project(tmp_path, "irreversible", dialects=("sqlite",))
    build(root)
    for name in ("1.0.0", "1.1.0"):
        assert apply_sql(sqlite_db, sql(root, name, "sqlite", "upgrade")).returncode == 0, name
    before = full_dump(sqlite_db.url)

    refused = apply_sql(sqlite_db, sql(root, "1.1.0", "sqlite", "downgrade"))
    assert refused.returncode != 0
    assert "c81f5a3e9d27" in refused.stderr
    assert full_dump(sqlite_db.url) == before
    assert alembic_version(sqlite_db.url) == {"a47c1d9e3b08"}


def test_the_branched_history_upgrades_release_by_release_from_any_point(tmp_path, sqlite_db):
    """Upgrade, downgrade, upgrade again: each bundle's guard accepts exactly its start."""
    root = make_project(tmp_path, "branched", dialects=("sqlite",))
    build(root)
    for name in ("1.0.0", "1.1.0", "1.2.0", "1.3.0"):
        assert apply_sql(sqlite_db, sql(root, name, "sqlite", "upgrade")).returncode == 0, name
    # 1.2.0 expects the two branch heads; at 1.3.0's heads it must refuse.
    again = apply_sql(sqlite_db, sql(root, "1.2.0", "sqlite", "upgrade"))
    assert again.returncode != 0 and "sqlrelease guard" in again.stderr
    for name in ("1.3.0", "1.2.0"):
        assert apply_sql(sqlite_db, sql(root, name, "sqlite", "downgrade")).returncode == 0, name
    assert alembic_version(sqlite_db.url) == {"6b3d9f2a0e84", "a9e15c7d3f60"}
    for name in ("1.2.0", "1.3.0", "1.4.0"):
        assert apply_sql(sqlite_db, sql(root, name, "sqlite", "upgrade")).returncode == 0, name
    assert alembic_version(sqlite_db.url) == {"b50e4f1a8c62"}
