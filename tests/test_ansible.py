"""An existing orchestrator drives the fleet: the Ansible example in docs/ansible runs
`sqlrelease apply --target NAME=URL` per host and gathers NDJSON status, here against
three local databases (PostgreSQL, MariaDB with a password from the environment, SQLite)
over Ansible's local connection."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dbtools import alembic_version, apply_sql
from projects import REPO

PLAYBOOK = REPO / "docs" / "ansible" / "playbook.yml"
ANSIBLE = Path(sys.executable).parent / "ansible-playbook"
HEAD = "74c2b9e5f3d0"  # release 1.3.0


def hand_apply(db, bundles: Path, *releases: str) -> None:
    for release in releases:
        result = apply_sql(db, bundles / release / db.dialect / "upgrade.sql")
        assert result.returncode == 0, result.stderr


def applied(output: str) -> dict[str, str]:
    """Per host, what the apply task reported: changed (bundles ran) or ok (nothing to do)."""
    section = output.split("TASK [Apply the bundles to this host's database]", 1)[1].split("TASK [", 1)[0]
    found = {}
    for line in section.splitlines():
        for state in ("changed", "ok", "failed", "fatal"):
            if line.startswith(f"{state}: ["):
                found[line.split("[", 1)[1].split("]", 1)[0]] = state
    return found


def run_playbook(tmp_path: Path, inventory: Path, bundles: Path, status_file: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "SQLRELEASE_JOURNAL": str(tmp_path / "journal.jsonl"),
    }
    return subprocess.run(
        [str(ANSIBLE), "-i", str(inventory), str(PLAYBOOK), "-e", f"bundles={bundles}", "-e", f"status_file={status_file}"],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )


def test_the_ansible_example_applies_per_host_and_gathers_ndjson_status(make_db, mariadb_server, tmp_path):
    if not ANSIBLE.exists():
        pytest.skip(f"ansible-core is not installed ({ANSIBLE}); pip install -e '.[test]'")
    bundles = tmp_path / "bundles"
    shutil.copytree(REPO / "releases", bundles)
    pg, my, lite = make_db("postgresql"), make_db("mysql"), make_db("sqlite")
    lite.path.touch()
    hand_apply(pg, bundles, "1.0.0")
    hand_apply(lite, bundles, "1.0.0", "1.1.0", "1.2.0")
    secret, user = "Ans1ble-vault-pw", "fleet_ansible"
    mariadb_server._admin_execute(
        f"CREATE USER IF NOT EXISTS '{user}'@'%' IDENTIFIED BY '{secret}'", f"GRANT ALL ON {my.name}.* TO '{user}'@'%'")
    local = f"ansible_connection=local ansible_python_interpreter={sys.executable}"
    common = f"sqlrelease_command={Path(sys.executable).parent / 'sqlrelease'}"
    hosts = {
        "pg1": f"sqlrelease_url='postgresql://{pg.user}@{pg.host}:{pg.port}/{pg.name}'",
        "my1": f"sqlrelease_url='mysql://{user}:" + "${DB_PASSWORD}" + f"@{my.host}:{my.port}/{my.name}' "
               f"sqlrelease_environment='{{\"DB_PASSWORD\": \"{secret}\"}}'",
        "lite1": f"sqlrelease_url='sqlite:///{lite.path}'",
    }
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("[databases]\n" + "".join(
        f"{name} {local} {common} sqlrelease_remote_bundles={tmp_path / 'remote' / name} {values}\n" for name, values in hosts.items()))
    status_file = tmp_path / "status.ndjson"

    first = run_playbook(tmp_path, inventory, bundles, status_file)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]
    for db in (pg, my, lite):
        assert alembic_version(db.url) == {HEAD}
    assert applied(first.stdout) == {"pg1": "changed", "my1": "changed", "lite1": "changed"}
    rows = [json.loads(line) for line in status_file.read_text().splitlines()]
    assert sorted((r["name"], r["dialect"], r["state"], r["release"]) for r in rows) == [
        ("lite1", "sqlite", "current", "1.3.0"), ("my1", "mysql", "current", "1.3.0"), ("pg1", "postgresql", "current", "1.3.0")]

    again = run_playbook(tmp_path, inventory, bundles, status_file)  # idempotent: nothing left to do
    assert again.returncode == 0, again.stdout[-3000:]
    assert applied(again.stdout) == {"pg1": "ok", "my1": "ok", "lite1": "ok"}
    everything = first.stdout + first.stderr + again.stdout + status_file.read_text() + (tmp_path / "journal.jsonl").read_text()
    assert secret not in everything
    mariadb_server._admin_execute(f"DROP USER '{user}'@'%'")
