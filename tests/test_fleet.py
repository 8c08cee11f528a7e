"""A DBA with a fleet of servers at different releases: status, then apply, on the real servers.

The servers are brought to their releases by hand with the real clients (as a
DBA would); `status` must see exactly that, and `apply` must run the bundles'
own files with the same clients, leave refused and failed targets as they
were, and never stop one target because another failed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import dbservers
from dbtools import alembic_version, apply_sql, full_dump, schema_snapshot
from projects import REPO
from sqlrelease import fleet
from sqlrelease.cli import main

RELEASES = ("1.0.0", "1.1.0", "1.2.0", "1.3.0")
HEAD = {"1.0.0": "8d41e6a0c2f9", "1.1.0": "c4b8e1f3a906", "1.2.0": "e61a7c9d0b58", "1.3.0": "74c2b9e5f3d0"}


@pytest.fixture
def bundles(tmp_path) -> Path:
    """The sample's committed bundles, copied: the only thing a DBA's machine needs."""
    folder = tmp_path / "bundles"
    shutil.copytree(REPO / "releases", folder)
    return folder


def hand_apply(db, bundles: Path, *releases: str, kind: str = "upgrade") -> None:
    """What a DBA does: feed each bundle's file to the client."""
    for release in releases:
        result = apply_sql(db, bundles / release / db.dialect / f"{kind}.sql")
        assert result.returncode == 0, result.stderr


def new_db(make_db, dialect: str):
    db = make_db(dialect)
    if dialect == "sqlite":
        db.path.touch()  # an empty database file (status never creates one)
    return db


def write_fleet(folder: Path, targets: dict, waves: str = "", bundles: Path | None = None) -> Path:
    """fleet.toml with `targets`: name -> url, or (url, {label: value})."""
    lines = ["[fleet]", 'journal = "journal.jsonl"']
    if bundles:
        lines.append(f'bundles = "{bundles}"')
    for name, value in targets.items():
        url, labels = value if isinstance(value, tuple) else (value, {})
        lines += ["", "[[target]]", f'name = "{name}"', f'url = "{url}"']
        if labels:
            lines.append("labels = { " + ", ".join(f'{k} = "{v}"' for k, v in labels.items()) + " }")
    path = folder / "fleet.toml"
    path.write_text("\n".join(lines) + "\n" + waves, encoding="utf-8")
    return path


def closed_port_url() -> str:
    return f"postgresql://postgres@127.0.0.1:{dbservers.free_port()}/nowhere"


def by_name(report) -> dict:
    return {t["name"]: t for t in report.to_dict()["targets"]}


@pytest.fixture
def mixed_fleet(make_db, bundles, tmp_path):
    """Seven targets: behind, current, unknown revision, unmanaged, empty, unreachable."""
    dbs = {
        "pg-old": new_db(make_db, "postgresql"),
        "pg-new": new_db(make_db, "postgresql"),
        "pg-unknown": new_db(make_db, "postgresql"),
        "my-old": new_db(make_db, "mysql"),
        "my-hand": new_db(make_db, "mysql"),
        "lite-empty": new_db(make_db, "sqlite"),
    }
    hand_apply(dbs["pg-old"], bundles, "1.0.0")
    hand_apply(dbs["pg-new"], bundles, *RELEASES)
    hand_apply(dbs["pg-unknown"], bundles, "1.0.0", "1.1.0")
    assert apply_sql(dbs["pg-unknown"], "UPDATE alembic_version SET version_num = 'f00dfeed0001'").returncode == 0
    hand_apply(dbs["my-old"], bundles, "1.0.0", "1.1.0")
    assert apply_sql(dbs["my-hand"], "CREATE TABLE notes (id INT PRIMARY KEY)").returncode == 0
    targets = {name: db.url for name, db in dbs.items()}
    targets["gone"] = closed_port_url()
    path = write_fleet(tmp_path, targets, bundles=bundles)
    return path, dbs


def test_postgresql_status_tells_unmanaged_empty_and_unreceipted_databases_apart(make_db, bundles, tmp_path):
    """The PostgreSQL status query reads a table only once it knows it is there: other tables and no
    version table (unmanaged), nothing at all (at base), a version table stamped by hand without
    receipts, and one with both, all in one session moving from database to database."""
    dbs = {name: new_db(make_db, "postgresql") for name in ("hand", "empty", "stamped", "applied")}
    assert apply_sql(dbs["hand"], "CREATE TABLE notes (id INT PRIMARY KEY)").returncode == 0
    stamped = f"CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY); INSERT INTO alembic_version VALUES ('{HEAD['1.1.0']}')"
    assert apply_sql(dbs["stamped"], stamped).returncode == 0
    hand_apply(dbs["applied"], bundles, "1.0.0")
    inventory, names, catalog = fleet.open_fleet(write_fleet(tmp_path, {n: db.url for n, db in dbs.items()}, bundles=bundles), project=None)
    seen = by_name(fleet.fleet_status(inventory, catalog, names=names))
    assert {n: (t["state"], t["release"]) for n, t in seen.items()} == {
        "hand": ("unmanaged", None), "empty": ("behind", None), "stamped": ("behind", "1.1.0"), "applied": ("behind", "1.0.0")}
    assert "no alembic_version table" in seen["hand"]["detail"]
    assert "receipt" not in seen["stamped"] and seen["applied"]["receipt"]["release"] == "1.0.0"


def test_status_tells_each_servers_release_from_the_bundles_alone(mixed_fleet):
    path, dbs = mixed_fleet
    inventory, names, catalog = fleet.open_fleet(path, project=None)
    report = fleet.fleet_status(inventory, catalog, names=names)
    seen = by_name(report)
    assert {n: t["state"] for n, t in seen.items()} == {
        "pg-old": "behind", "pg-new": "current", "pg-unknown": "ahead", "my-old": "behind",
        "my-hand": "unmanaged", "lite-empty": "behind", "gone": "unreachable",
    }
    assert (seen["pg-old"]["release"], seen["pg-old"]["revision"], seen["pg-old"]["next"], seen["pg-old"]["behind"]) == (
        "1.0.0", HEAD["1.0.0"], "1.1.0", 3)
    assert (seen["my-old"]["release"], seen["my-old"]["next"]) == ("1.1.0", "1.2.0")
    assert (seen["pg-new"]["release"], seen["pg-new"]["revision"]) == ("1.3.0", HEAD["1.3.0"])
    assert seen["pg-unknown"]["release"] is None and seen["pg-unknown"]["revision"] == "f00dfeed0001"
    assert "ahead of the package" in seen["pg-unknown"]["detail"]
    assert "no alembic_version table" in seen["my-hand"]["detail"]
    assert (seen["lite-empty"]["release"], seen["lite-empty"]["next"], seen["lite-empty"]["behind"]) == (None, "1.0.0", 4)
    assert "Connection refused" in seen["gone"]["detail"] and "\n" not in seen["gone"]["detail"]
    assert report.exit_code == 3
    assert report.counts == {"current": 1, "behind": 3, "ahead": 1, "unmanaged": 1, "unreachable": 1}
    # the exit code is the most serious state among the chosen targets
    assert fleet.fleet_status(inventory, catalog, names=["pg-new"]).exit_code == 0
    assert fleet.fleet_status(inventory, catalog, names=["pg-new", "pg-old"]).exit_code == 1
    assert fleet.fleet_status(inventory, catalog, names=["pg-old", "my-hand"]).exit_code == 2
    # an older goal: the newest server is ahead of it, the oldest is one behind
    seen = by_name(fleet.fleet_status(inventory, catalog, names=["pg-new", "pg-old"], to="1.1.0"))
    assert (seen["pg-new"]["state"], seen["pg-old"]["state"], seen["pg-old"]["behind"]) == ("ahead", "behind", 1)


def test_status_cli_json_ndjson_and_the_compact_summary(mixed_fleet):
    path, _ = mixed_fleet
    runner = CliRunner()
    result = runner.invoke(main, ["status", "--fleet", str(path), "--json"])
    assert result.exit_code == 3
    data = json.loads(result.output)
    for target in data["targets"]:
        assert {"name", "dialect", "state", "release", "revision"} <= set(target)
        assert target["state"] in fleet.STATES
    result = runner.invoke(main, ["status", "--fleet", str(path), "--ndjson"])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["name"] for r in rows] == [t["name"] for t in data["targets"]]
    result = runner.invoke(main, ["status", "--fleet", str(path)])
    lines = result.output.splitlines()
    assert lines[1].split() == ["current", "1", "behind", "3", "ahead", "1", "unmanaged", "1", "unreachable", "1"]
    assert not any("pg-new" in line for line in lines)  # only the exceptions are listed
    assert any(line.startswith("behind") and "at 1.0.0 (1): pg-old" in line for line in lines)
    assert any(line.startswith("unreachable") and "gone" in line for line in lines)
    result = runner.invoke(main, ["status", "--fleet", str(path), "--table", "--select", "x=y"])
    assert result.exit_code == 0  # no target has the label: nothing is behind


def test_apply_brings_the_fleet_forward_and_leaves_the_others_as_they_were(mixed_fleet, bundles, make_db):
    path, dbs = mixed_fleet
    reference = new_db(make_db, "postgresql")
    hand_apply(reference, bundles, *RELEASES)
    untouched = {name: full_dump(dbs[name].url) for name in ("pg-unknown", "my-hand", "pg-new")}
    inventory, names, catalog = fleet.open_fleet(path, project=None)
    report = fleet.fleet_apply(inventory, catalog, names=names)
    runs = by_name(report)
    assert {n: r["outcome"] for n, r in runs.items()} == {
        "pg-old": "applied", "pg-new": "skipped", "pg-unknown": "refused", "my-old": "applied",
        "my-hand": "refused", "lite-empty": "applied", "gone": "unreachable",
    }
    assert runs["pg-old"]["files"] == ["1.1.0/postgresql/upgrade.sql", "1.2.0/postgresql/upgrade.sql", "1.3.0/postgresql/upgrade.sql"]
    assert [f["exit_code"] for f in runs["pg-old"]["ran"]] == [0, 0, 0]
    assert runs["lite-empty"]["files"][0] == "1.0.0/sqlite/upgrade.sql"
    for name in ("pg-old", "my-old", "lite-empty"):
        assert alembic_version(dbs[name].url) == {HEAD["1.3.0"]}, name
    assert schema_snapshot(dbs["pg-old"].url) == schema_snapshot(reference.url)
    for name, dump in untouched.items():
        assert full_dump(dbs[name].url) == dump, name
    assert report.exit_code == 3
    journal = [json.loads(line) for line in (path.parent / "journal.jsonl").read_text().splitlines()]
    assert sorted(e["target"] for e in journal) == ["lite-empty", "my-old", "pg-old"]  # only targets that ran files
    entry = next(e for e in journal if e["target"] == "pg-old")
    assert entry["run"] == report.run and entry["outcome"] == "applied" and entry["versions_after"] == [HEAD["1.3.0"]]
    assert [f["sha256"] for f in entry["files"]] == [
        catalog.get(r).manifest["files"]["postgresql/upgrade.sql"]["sha256"] for r in ("1.1.0", "1.2.0", "1.3.0")]
    # Again: everyone reachable is at the goal or needs a person; nothing runs, nothing is journaled.
    again = fleet.fleet_apply(inventory, catalog, names=["pg-old", "my-old", "lite-empty", "pg-new"])
    assert {r.outcome for r in again.targets} == {"skipped"} and again.exit_code == 0
    assert len((path.parent / "journal.jsonl").read_text().splitlines()) == len(journal)


def test_a_dry_run_lists_the_files_and_changes_nothing(mixed_fleet):
    path, dbs = mixed_fleet
    before = {name: full_dump(db.url) for name, db in dbs.items()}
    result = CliRunner().invoke(main, ["apply", "--fleet", str(path), "--dry-run"])
    assert result.exit_code == 3, result.output
    assert {name: full_dump(db.url) for name, db in dbs.items()} == before
    assert not (path.parent / "journal.jsonl").exists()
    text = result.output
    assert "dry run: nothing is changed" in text
    block = text.split("pg-old", 1)[1].split("pg-new", 1)[0]
    assert [line.strip() for line in block.splitlines() if line.startswith("    ") and not line.startswith("      ")] == [
        "1.1.0/postgresql/upgrade.sql", "1.2.0/postgresql/upgrade.sql", "1.3.0/postgresql/upgrade.sql"]
    # one client session runs them all, in order: one command line, each file as its README runs it
    command = " ".join(line.strip() for line in block.splitlines() if line.startswith("      "))
    assert "-v ON_ERROR_STOP=1 -X -q" in command and command.count(" -f ") == 3
    assert command.index("1.1.0/postgresql/upgrade.sql") < command.index("1.2.0/postgresql/upgrade.sql") < command.index("1.3.0/postgresql/upgrade.sql")
    my_block = text.split("my-old", 1)[1].split("lite-empty", 1)[0]
    my_command = " ".join(line.strip() for line in my_block.splitlines() if line.startswith("      "))
    assert "--database=" in my_command and "| " in my_command and my_command.count("cat ") == 2
    assert my_command.index("1.2.0/mysql/upgrade.sql") < my_command.index("1.3.0/mysql/upgrade.sql")


def _broken_at_1_0_0(make_db, bundles):
    """A PostgreSQL server at 1.0.0 where someone created `recruits` by hand: 1.1.0 fails on it."""
    db = new_db(make_db, "postgresql")
    hand_apply(db, bundles, "1.0.0")
    assert apply_sql(db, "CREATE TABLE recruits (id INTEGER PRIMARY KEY)").returncode == 0
    return db


def test_one_targets_failure_stops_no_other_and_leaves_it_as_it_was(make_db, bundles, tmp_path):
    broken = _broken_at_1_0_0(make_db, bundles)
    others = {f"ok-{i}": new_db(make_db, d) for i, d in enumerate(("postgresql", "mysql", "sqlite", "postgresql"))}
    targets = {"broken": broken.url, **{n: db.url for n, db in others.items()}}
    path = write_fleet(tmp_path, targets, bundles=bundles)
    before = full_dump(broken.url)
    inventory, names, catalog = fleet.open_fleet(path, project=None)
    report = fleet.fleet_apply(inventory, catalog, jobs=2)
    runs = by_name(report)
    assert runs["broken"]["outcome"] == "failed" and runs["broken"]["state"] == "failed"
    assert "1.1.0/postgresql/upgrade.sql failed" in runs["broken"]["detail"] and "recruits" in runs["broken"]["detail"]
    assert full_dump(broken.url) == before  # one transaction: nothing of 1.1.0 stayed
    assert all(runs[n]["outcome"] == "applied" for n in others)
    assert report.exit_code == 2
    # status remembers (from the journal) that the last apply failed, until something changes
    seen = by_name(fleet.fleet_status(inventory, catalog, names=["broken"]))["broken"]
    assert seen["state"] == "failed" and seen["release"] == "1.0.0" and "recruits" in seen["detail"]


def test_a_wave_that_exceeds_its_failure_budget_stops_the_rollout(make_db, bundles, tmp_path):
    broken = _broken_at_1_0_0(make_db, bundles)
    canary_ok = new_db(make_db, "sqlite")
    rest = {f"rest-{i}": new_db(make_db, d) for i, d in enumerate(("postgresql", "mysql"))}
    targets = {
        "canary-ok": (canary_ok.url, {"tier": "canary"}),
        "canary-broken": (broken.url, {"tier": "canary"}),
        **{n: (db.url, {"tier": "main"}) for n, db in rest.items()},
    }
    waves = '\n[[wave]]\nname = "canary"\nselect = { tier = "canary" }\nfailure_budget = 0\n\n[[wave]]\nname = "main"\nselect = { tier = "main" }\n'
    path = write_fleet(tmp_path, targets, waves, bundles=bundles)
    result = CliRunner().invoke(main, ["apply", "--fleet", str(path), "--jobs", "1", "--json"])
    data = json.loads(result.output)
    assert result.exit_code == 2
    runs = {t["name"]: t for t in data["targets"]}
    assert runs["canary-ok"]["outcome"] == "applied" and runs["canary-broken"]["outcome"] == "failed"
    assert runs["rest-0"]["outcome"] == runs["rest-1"]["outcome"] == "not started"
    assert "wave canary stopped after 1 failure(s)" in runs["rest-0"]["detail"]
    assert data["waves"] == [{"name": "canary", "targets": 2, "failure_budget": 0, "failures": 1, "stopped": True}]
    for db in rest.values():
        assert alembic_version(db.url) is None  # never touched
    # the next wave alone, when the DBA decides to go on
    result = CliRunner().invoke(main, ["apply", "--fleet", str(path), "--wave", "main", "--json"])
    assert result.exit_code == 0 and {t["outcome"] for t in json.loads(result.output)["targets"]} == {"applied"}


def test_downgrades_only_with_the_flag(make_db, bundles, tmp_path):
    db = new_db(make_db, "sqlite")
    hand_apply(db, bundles, *RELEASES)
    path = write_fleet(tmp_path, {"kiosk": db.url}, bundles=bundles)
    runner = CliRunner()
    result = runner.invoke(main, ["apply", "--fleet", str(path), "--to", "1.2.0", "--json"])
    run = json.loads(result.output)["targets"][0]
    assert result.exit_code == 2 and run["outcome"] == "refused" and "--allow-downgrade" in run["detail"]
    assert alembic_version(db.url) == {HEAD["1.3.0"]}
    result = runner.invoke(main, ["apply", "--fleet", str(path), "--to", "1.2.0", "--allow-downgrade", "--json"])
    run = json.loads(result.output)["targets"][0]
    assert result.exit_code == 0 and run["files"] == ["1.3.0/sqlite/downgrade.sql"]
    assert alembic_version(db.url) == {HEAD["1.2.0"]}


def test_a_tampered_bundle_is_refused_before_any_target_is_touched(make_db, bundles, tmp_path):
    db = new_db(make_db, "postgresql")
    hand_apply(db, bundles, "1.0.0", "1.1.0")
    path = write_fleet(tmp_path, {"eu-1": db.url}, bundles=bundles)
    upgrade = bundles / "1.3.0" / "postgresql" / "upgrade.sql"
    upgrade.write_text(upgrade.read_text() + "\n-- a late edit\n")
    inventory, names, catalog = fleet.open_fleet(path, project=None)
    report = fleet.fleet_apply(inventory, catalog)
    run = report.targets[0]
    assert run.outcome == "refused" and "altered postgresql/upgrade.sql" in run.detail and "1.3.0" in run.detail
    assert alembic_version(db.url) == {HEAD["1.1.0"]}  # not even 1.2.0, which was intact
    assert report.bundle_problems.keys() == {"1.3.0"}


def test_require_approval_applies_only_approved_bundles(make_db, bundles, tmp_path):
    from sqlrelease import approval

    db = new_db(make_db, "sqlite")
    hand_apply(db, bundles, *RELEASES[:3])
    path = write_fleet(tmp_path, {"kiosk": db.url}, bundles=bundles)
    runner = CliRunner()
    result = runner.invoke(main, ["apply", "--fleet", str(path), "--require-approval", "--json"])
    run = json.loads(result.output)["targets"][0]
    assert run["outcome"] == "refused" and "not approved" in run["detail"]
    private, public = approval.keygen(tmp_path / "alice")
    other_private, other_public = approval.keygen(tmp_path / "mallory")
    approval.approve(bundles / "1.3.0", "alice", private)
    result = runner.invoke(main, ["apply", "--fleet", str(path), "--require-approval", "--pubkey", str(other_public), "--json"])
    assert json.loads(result.output)["targets"][0]["outcome"] == "refused"
    result = runner.invoke(main, ["apply", "--fleet", str(path), "--require-approval", "--pubkey", str(public), "--json"])
    assert json.loads(result.output)["targets"][0]["outcome"] == "applied"
    assert alembic_version(db.url) == {HEAD["1.3.0"]}


def test_a_folder_with_only_the_last_bundles_is_enough(make_db, bundles, tmp_path):
    """No project, only releases 1.2.0 and 1.3.0 copied to the DBA's machine."""
    folder = tmp_path / "dba"
    for release in ("1.2.0", "1.3.0"):
        shutil.copytree(bundles / release, folder / release)
    db = new_db(make_db, "mysql")
    hand_apply(db, bundles, "1.0.0", "1.1.0")
    result = CliRunner().invoke(main, ["status", "--target", f"shop={db.url}", "--bundles", str(folder), "--json"])
    seen = json.loads(result.output)["targets"][0]
    assert (result.exit_code, seen["state"], seen["release"], seen["next"]) == (1, "behind", "1.1.0", "1.2.0")
    result = CliRunner().invoke(main, ["apply", "--target", f"shop={db.url}", "--bundles", str(folder), "--journal", str(tmp_path / "j.jsonl"), "--json"])
    assert result.exit_code == 0, result.output
    assert alembic_version(db.url) == {HEAD["1.3.0"]}


def test_passwords_come_from_the_environment_or_a_command_and_are_never_shown(mariadb_server, make_db, bundles, tmp_path, monkeypatch):
    db = new_db(make_db, "mysql")
    secret = "Fl33t-s3cret-pw"
    user = "fleet_pw_user"
    admin = mariadb_server._admin_execute
    admin(f"CREATE USER IF NOT EXISTS '{user}'@'%' IDENTIFIED BY '{secret}'", f"GRANT ALL ON {db.name}.* TO '{user}'@'%'")
    base = f"mysql://{user}:" + "${FLEET_TEST_PW}" + f"@{db.host}:{db.port}/{db.name}"
    (tmp_path / "fleet.toml").write_text(
        f'[fleet]\njournal = "journal.jsonl"\n\n[[target]]\nname = "env"\nurl = "{base}"\n\n'
        f'[[target]]\nname = "command"\nurl = "mysql://{user}@{db.host}:{db.port}/{db.name}"\npassword_command = "printf {secret}"\n\n'
        f'[[target]]\nname = "wrong"\nurl = "mysql://{user}@{db.host}:{db.port}/{db.name}"\npassword_command = "printf {secret}x"\n',
        encoding="utf-8")
    monkeypatch.setenv("FLEET_TEST_PW", secret)
    runner = CliRunner()
    status = runner.invoke(main, ["status", "--fleet", str(tmp_path / "fleet.toml"), "--bundles", str(bundles), "--json"])
    seen = {t["name"]: t for t in json.loads(status.output)["targets"]}
    assert seen["env"]["state"] == seen["command"]["state"] == "behind"
    assert seen["wrong"]["state"] == "unreachable" and "Access denied" in seen["wrong"]["detail"]
    applied = runner.invoke(main, ["apply", "--fleet", str(tmp_path / "fleet.toml"), "--bundles", str(bundles), "-t", "env", "-t", "wrong"])
    assert alembic_version(db.url) == {HEAD["1.3.0"]}
    monkeypatch.delenv("FLEET_TEST_PW")
    missing = runner.invoke(main, ["status", "--fleet", str(tmp_path / "fleet.toml"), "--bundles", str(bundles), "-t", "env", "--json"])
    assert "FLEET_TEST_PW" in json.loads(missing.output)["targets"][0]["detail"]
    everything = status.output + applied.output + missing.output + (tmp_path / "journal.jsonl").read_text()
    assert secret not in everything
    admin(f"DROP USER '{user}'@'%'")


# -- what a DBA can do with the bundles alone ------------------------------------------------------

STATUS_BY_HAND = {
    # The command each status.sql's header (and the bundle README) gives, with the test server's connection.
    "postgresql": lambda db: db.client_argv() + ["-A", "-t"],
    "mysql": lambda db: db.client_argv() + ["--batch", "--skip-column-names", "--raw"],
    "sqlite": lambda db: ["sqlite3", "-readonly", db.name],
}


@pytest.mark.parametrize("db", ["postgresql", "mysql", "sqlite"], indirect=True)
def test_each_bundle_ships_the_status_query_a_dba_runs_by_hand(db, bundles):
    """An air-gapped site runs <dialect>/status.sql with its client and sends back the line: the
    very query `sqlrelease status` runs, and the same answer."""
    from sqlrelease.fleet.status import read_probe

    if db.dialect == "sqlite":
        db.path.touch()
    hand_apply(db, bundles, "1.0.0", "1.1.0")
    catalog = fleet.load_catalog(bundles)
    for release in RELEASES:
        shipped = (bundles / release / db.dialect / "status.sql").read_text(encoding="utf-8")
        assert shipped == fleet.status_query(db.dialect, catalog)
        assert f"{db.dialect}/status.sql" in (bundles / release / "README.md").read_text(encoding="utf-8")
    with open(bundles / "1.3.0" / db.dialect / "status.sql", "rb") as query:
        result = subprocess.run(STATUS_BY_HAND[db.dialect](db), stdin=query, capture_output=True, text=True,
                                env={**os.environ, **db.client_env()}, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1, result.stdout  # one line to send back, whatever the dialect
    probe = read_probe(result.stdout)
    assert probe["versions"] == [HEAD["1.1.0"]] and probe["receipt"]["release"] == "1.1.0"
    inventory, names, _ = fleet.open_fleet(targets=[f"t={db.url}"], bundles=bundles, project=None)
    found = fleet.fleet_status(inventory, catalog, names=names).targets[0]
    assert (found.state, found.release, found.versions) == ("behind", "1.1.0", probe["versions"])


@pytest.mark.parametrize("form", [".tar.gz", ".zip"])
def test_status_and_apply_take_bundle_archives(make_db, bundles, tmp_path, form):
    """Bundles as `sqlrelease pack` ships them: a folder of archives, or one archive; apply unpacks
    them to run their files, and leaves nothing behind."""
    from sqlrelease import bundle

    packed = tmp_path / "packed"
    packed.mkdir()
    for release in RELEASES:
        content = bundle.open_bundle(bundles / release)
        (packed / f"{release}{form}").write_bytes(bundle.archive_bytes(content, form))
    dbs = {"pg": new_db(make_db, "postgresql"), "my": new_db(make_db, "mysql"), "lite": new_db(make_db, "sqlite")}
    hand_apply(dbs["my"], bundles, "1.0.0")
    fleet_file = write_fleet(tmp_path, {name: db.url for name, db in dbs.items()})
    runner = CliRunner()
    result = runner.invoke(main, ["status", "--fleet", str(fleet_file), "--bundles", str(packed), "--json"])
    assert result.exit_code == 1, result.output
    assert {t["name"]: t["state"] for t in json.loads(result.output)["targets"]} == {"pg": "behind", "my": "behind", "lite": "behind"}
    result = runner.invoke(main, ["apply", "--fleet", str(fleet_file), "--bundles", str(packed), "--dry-run", "--json"])
    assert result.exit_code == 1 and str(packed / "1.3.0") in json.dumps(json.loads(result.output)["targets"])
    result = runner.invoke(main, ["apply", "--fleet", str(fleet_file), "--bundles", str(packed), "--json"])
    assert result.exit_code == 0, result.output
    for db in dbs.values():
        assert alembic_version(db.url) == {HEAD["1.3.0"]}
    assert sorted(p.name for p in packed.iterdir()) == sorted(f"{r}{form}" for r in RELEASES)
    # One archive on its own: the last release only, at which every target now is.
    result = runner.invoke(main, ["status", "--fleet", str(fleet_file), "--bundles", str(packed / f"1.3.0{form}"), "--json"])
    assert result.exit_code == 0, result.output
    # A folder and an archive of one release (what `sqlrelease pack` leaves in releases/): the folder is used.
    shutil.copy(packed / f"1.3.0{form}", bundles / f"1.3.0{form}")
    result = runner.invoke(main, ["status", "--fleet", str(fleet_file), "--bundles", str(bundles), "--json"])
    assert result.exit_code == 0, result.output


# -- reading many databases of one server -----------------------------------------------------------


def counting_clients(tmp_path: Path, monkeypatch) -> Path:
    """The real clients, each start written to a log first (SQLRELEASE_PSQL etc. name them)."""
    from sqlrelease.fleet import clients

    log = tmp_path / "client-starts.log"
    for dialect, variable in (("postgresql", "SQLRELEASE_PSQL"), ("mysql", "SQLRELEASE_MYSQL"), ("sqlite", "SQLRELEASE_SQLITE3")):
        real = clients.client_binary(dialect)
        wrapper = tmp_path / f"counted-{dialect}"
        wrapper.write_text(f'#!/bin/sh\necho {dialect} >> "{log}"\nexec "{real}" "$@"\n')
        wrapper.chmod(0o755)
        monkeypatch.setenv(variable, str(wrapper))
    return log


def starts(log: Path) -> dict[str, int]:
    found: dict[str, int] = {}
    for line in log.read_text().split() if log.exists() else []:
        found[line] = found.get(line, 0) + 1
    log.unlink(missing_ok=True)
    return found


def test_one_client_session_reads_the_databases_of_a_server_in_turn(make_db, bundles, tmp_path, monkeypatch):
    """status reads the databases one server holds for one login in one client session (psql
    \\connect, USE, sqlite3 .open) and finds each one's state exactly as a client per database does;
    a database the session cannot reach is read on its own, and the ones after it still answer."""
    dbs = {f"{d[:2]}{i}": new_db(make_db, d) for d in ("postgresql", "mysql", "sqlite") for i in range(3)}
    hand_apply(dbs["po0"], bundles, "1.0.0")
    hand_apply(dbs["po2"], bundles, *RELEASES)
    hand_apply(dbs["my1"], bundles, "1.0.0", "1.1.0")
    assert apply_sql(dbs["my2"], "CREATE TABLE notes (id INT PRIMARY KEY)").returncode == 0
    hand_apply(dbs["sq1"], bundles, "1.0.0", "1.1.0", "1.2.0")
    targets = {name: db.url for name, db in dbs.items()}
    path = write_fleet(tmp_path, targets, bundles=bundles)
    inventory, names, catalog = fleet.open_fleet(path, project=None)
    log = counting_clients(tmp_path, monkeypatch)

    def seen(report) -> dict:
        return {n: (t["state"], t["release"], t["revision"], t["detail"]) for n, t in by_name(report).items()}

    each = seen(fleet.fleet_status(inventory, catalog, names=names, jobs=16, per_host=16))
    assert starts(log) == {"postgresql": 3, "mysql": 3, "sqlite": 3}  # a client per database
    shared = fleet.fleet_status(inventory, catalog, names=names, jobs=1, per_host=1)
    assert starts(log) == {"postgresql": 1, "mysql": 1, "sqlite": 1}  # one per server
    assert seen(shared) == each
    assert {n: s[0] for n, s in each.items()} == {
        "po0": "behind", "po1": "behind", "po2": "current", "my0": "behind", "my1": "behind", "my2": "unmanaged",
        "sq0": "behind", "sq1": "behind", "sq2": "behind"}
    assert (each["po0"][1], each["my1"][1], each["sq1"][1]) == ("1.0.0", "1.1.0", "1.2.0")

    # A database that is not there, second on its server: the session stops at it; it is read on
    # its own (one line, why), and the ones after it are read on their own too, correctly.
    missing = {"po-gone": dbs["po0"].url.replace(dbs["po0"].name, "sqlr_no_such_db"),
               "my-gone": dbs["my0"].url.replace(dbs["my0"].name, "sqlr_no_such_db")}
    order = ["po0", "po-gone", "po1", "po2", "my0", "my-gone", "my1", "my2", "sq0", "sq1", "sq2"]
    path = write_fleet(tmp_path, {n: missing.get(n) or targets[n] for n in order}, bundles=bundles)
    inventory, names, catalog = fleet.open_fleet(path, project=None)
    report = fleet.fleet_status(inventory, catalog, names=names, jobs=1, per_host=1)
    found = seen(report)
    assert {n: found[n] for n in targets} == each
    assert found["po-gone"][0] == found["my-gone"][0] == "unreachable"
    assert "sqlr_no_such_db" in found["po-gone"][3] and "sqlr_no_such_db" in found["my-gone"][3]
    assert starts(log) == {"postgresql": 1 + 3, "mysql": 1 + 3, "sqlite": 1}


def test_a_no_op_apply_reads_each_server_once_and_opens_no_migration_session(make_db, bundles, tmp_path, monkeypatch):
    dbs = {f"{d[:2]}{i}": new_db(make_db, d) for d in ("postgresql", "mysql", "sqlite") for i in range(2)}
    for db in dbs.values():
        hand_apply(db, bundles, *RELEASES)
    path = write_fleet(tmp_path, {name: db.url for name, db in dbs.items()}, bundles=bundles)
    log = counting_clients(tmp_path, monkeypatch)
    result = CliRunner().invoke(main, ["apply", "--fleet", str(path), "--json", "-j", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["counts"] == {"skipped": 6} and all(t["ran"] == [] for t in report["targets"])
    # the status read only: no file of any bundle ran
    assert starts(log) == {"postgresql": 1, "mysql": 1, "sqlite": 1}
    assert not (tmp_path / "journal.jsonl").exists() or (tmp_path / "journal.jsonl").read_text() == ""


def test_within_a_wave_the_longest_chains_start_first(make_db, bundles, tmp_path):
    """Targets with the most SQL to run start first, so that no long chain starts last and runs
    alone while the other jobs idle; targets with nothing to run (refused) count against the
    wave's budget before any file runs."""
    dbs = {name: new_db(make_db, "sqlite") for name in ("one-file", "three-files", "four-files")}
    hand_apply(dbs["one-file"], bundles, *RELEASES[:3])
    hand_apply(dbs["three-files"], bundles, RELEASES[0])
    journal = tmp_path / "journal.jsonl"
    path = write_fleet(tmp_path, {name: db.url for name, db in dbs.items()}, bundles=bundles)
    result = CliRunner().invoke(main, ["apply", "--fleet", str(path), "--jobs", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert [t["name"] for t in json.loads(result.output)["targets"]] == list(dbs)  # reported in fleet order
    ran = [json.loads(line)["target"] for line in journal.read_text().splitlines()]
    assert ran == ["four-files", "three-files", "one-file"]  # run longest first

    # a refused target listed last still stops a wave with budget 0 before any file runs
    behind = new_db(make_db, "sqlite")
    unmanaged = new_db(make_db, "mysql")
    assert apply_sql(unmanaged, "CREATE TABLE notes (id INT PRIMARY KEY)").returncode == 0
    waves = '\n[[wave]]\nname = "canary"\nselect = { tier = "canary" }\nfailure_budget = 0\n'
    path = write_fleet(tmp_path, {"behind": (behind.url, {"tier": "canary"}), "unmanaged": (unmanaged.url, {"tier": "canary"})}, waves, bundles=bundles)
    result = CliRunner().invoke(main, ["apply", "--fleet", str(path), "--jobs", "1", "--json"])
    runs = {t["name"]: t for t in json.loads(result.output)["targets"]}
    assert (runs["unmanaged"]["outcome"], runs["behind"]["outcome"]) == ("refused", "not started"), runs
    assert alembic_version(behind.url) is None
