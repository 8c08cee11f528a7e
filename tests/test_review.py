"""The reviewer's story: read REVIEW.md, waive what is accepted, approve the exact bytes."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from projects import make_project
from sqlrelease import bundle as bundles
from sqlrelease import api, review
from sqlrelease.cli import main

BACKFILL = "2d5f8a4c1b73"


@pytest.fixture
def project(tmp_path):
    root = make_project(tmp_path, dialects=("postgresql", "sqlite"))
    api.build(root)
    return root


def sqlrelease(root: Path, *args: str):
    """Run a project verb of the CLI in `root`."""
    return CliRunner().invoke(main, [*args, "-C", str(root)])


def rebundle_one_byte(folder: Path, path: str = "postgresql/upgrade.sql") -> None:
    """Change one byte of a bundle file and re-checksum, as someone editing a bundle by hand would."""
    target = folder / path
    data = bytearray(target.read_bytes())
    data[-2] = ord("-") if data[-2] != ord("-") else ord("+")
    target.write_bytes(bytes(data))
    files = {p: d for p, d in bundles.read_files(folder).items() if p != bundles.SUMS}
    manifest = json.loads(files[bundles.MANIFEST])
    manifest["files"][path] = {**manifest["files"][path], "sha256": bundles.sha256(bytes(data)), "bytes": len(data)}
    files[bundles.MANIFEST] = (json.dumps(manifest, indent=2) + "\n").encode()
    (folder / bundles.MANIFEST).write_bytes(files[bundles.MANIFEST])
    (folder / bundles.SUMS).write_text(bundles.sums_text(files))


# -- REVIEW.md --------------------------------------------------------------------------


def test_every_bundle_has_a_checksummed_review(project):
    for name in ("1.0.0", "1.1.0", "1.2.0", "1.3.0"):
        folder = project / "releases" / name
        assert "REVIEW.md" in (folder / "SHA256SUMS").read_text()
        assert "REVIEW.md" in json.loads((folder / "manifest.json").read_text())["files"]
        assert bundles.verify(folder).ok
    text = (project / "releases" / "1.2.0" / "REVIEW.md").read_text()
    assert "`not-null-after-backfill`" in text and "`unique-on-existing-table`" in text
    assert "ALTER TABLE recruits ALTER COLUMN personal_email_address SET NOT NULL;" in text
    assert "`rename-table`" in (project / "releases" / "1.1.0" / "REVIEW.md").read_text()


# -- waivers ----------------------------------------------------------------------------


def test_a_waiver_shows_as_waived_and_stops_applying_when_the_statement_changes(project):
    added = api.waive(project, "1.2.0", "data-migration", BACKFILL, "backfill checked on a prod copy", "dba")
    assert len(added) == 1  # the statement reads the same on both dialects: one waiver covers both
    assert "data-migration" in (project / "review" / "waivers.toml").read_text()
    found = [f for f in api.lint_project(project, ["1.2.0"]) if f.rule == "data-migration"]
    assert found and all(f.waived for f in found)
    api.build(project)
    text = (project / "releases" / "1.2.0" / "REVIEW.md").read_text()
    assert "WAIVED" in text and "backfill checked on a prod copy" in text

    source = next((project / "migrations" / "versions").glob(f"*{BACKFILL}*.py"))
    source.write_text(source.read_text().replace("@recruits.invalid", "@example.invalid"))
    found = [f for f in api.lint_project(project, ["1.2.0"]) if f.rule == "data-migration"]
    assert found and not any(f.waived for f in found)


def test_waiving_what_is_not_there_is_a_clear_error(project):
    result = sqlrelease(project, "waive", "1.2.0", "drop-table", "--revision", BACKFILL, "--reason", "x")
    assert result.exit_code == 1 and "no drop-table finding" in result.output and "Traceback" not in result.output
    result = sqlrelease(project, "waive", "1.2.0", "no-such-rule", "--revision", BACKFILL, "--reason", "x")
    assert result.exit_code == 2 and "unknown rule" in result.output  # invalid input


def test_the_waivers_file_location_is_configurable(tmp_path):
    root = make_project(tmp_path, dialects=("postgresql",))
    with (root / "pyproject.toml").open("a") as f:
        f.write('waivers = "docs/accepted.toml"\n')
    api.waive(root, "1.3.0", "update-without-where", "74c2b9e5f3d0", "lower-casing every email is the point")
    assert (root / "docs" / "accepted.toml").exists()
    assert all(f.waived for f in api.lint_project(root, ["1.3.0"]) if f.rule == "update-without-where")


# -- approvals ----------------------------------------------------------------------------


def test_an_approval_turns_void_when_one_byte_of_the_bundle_changes(project):
    folder = project / "releases" / "1.2.0"
    assert api.review_status(folder).status == "unreviewed"
    api.approve_release(project, "1.2.0", "alice")
    status = api.review_status(folder)
    assert status.status == "approved" and status.approved_by == ["alice"]
    assert "approved by alice" in {r.name: r.review for r in api.plan_status(project).releases}["1.2.0"]

    rebundle_one_byte(folder)
    assert bundles.verify(folder).ok  # the checksums were updated to match ...
    status = api.review_status(folder)
    assert status.status == "void" and status.void_by == ["alice"]  # ... yet the approval is void
    assert "approval void" in {r.name: r.review for r in api.plan_status(project).releases}["1.2.0"]


def test_a_changed_file_without_new_checksums_also_voids_the_approval(project):
    folder = project / "releases" / "1.1.0"
    api.approve_release(project, "1.1.0", "alice")
    with (folder / "sqlite" / "upgrade.sql").open("ab") as f:
        f.write(b" ")
    assert api.review_status(folder).status == "void"


def test_approvals_travel_inside_the_bundle_and_survive_an_unchanged_rebuild(project):
    api.approve_release(project, "1.0.0", "alice")
    assert (project / "releases" / "1.0.0" / "APPROVALS.json").exists()
    assert not (project / "releases" / "1.0.0.approvals.json").exists()
    api.build(project)
    assert api.review_status(project / "releases" / "1.0.0").status == "approved"
    assert bundles.verify(project / "releases" / "1.0.0").ok  # APPROVALS.json is not an extra file
    assert "APPROVALS.json" not in (project / "releases" / "1.0.0" / "SHA256SUMS").read_text()


def test_a_rebuild_with_other_bytes_keeps_the_approvals_file_and_voids_it(project):
    api.approve_release(project, "1.2.0", "alice")
    source = next((project / "migrations" / "versions").glob(f"*{BACKFILL}*.py"))
    source.write_text(source.read_text().replace("@recruits.invalid", "@example.invalid"))
    api.build(project, ["1.2.0"])
    status = api.review_status(project / "releases" / "1.2.0")
    assert status.status == "void" and status.void_by == ["alice"] and status.exit_code == 3


def test_signed_approval_checks_with_the_right_key_only(project, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["keygen", str(tmp_path / "keys" / "alice")]).exit_code == 0
    assert runner.invoke(main, ["keygen", str(tmp_path / "keys" / "mallory")]).exit_code == 0
    result = runner.invoke(main, ["approve", "1.2.0", "--by", "alice", "--key", str(tmp_path / "keys" / "alice"), "-C", str(project)])
    assert result.exit_code == 0, result.output
    approvals = project / "releases" / "1.2.0" / "APPROVALS.json"
    signed = approvals.read_text()
    folder = str(project / "releases" / "1.2.0")
    ok = runner.invoke(main, ["verify", folder, "--pubkey", str(tmp_path / "keys" / "alice.pub")])
    assert ok.exit_code == 0 and "signature valid" in ok.output
    bad = runner.invoke(main, ["verify", folder, "--pubkey", str(tmp_path / "keys" / "mallory.pub")])
    assert bad.exit_code == 4 and "no valid signature" in bad.output and "INVALID" not in bad.output
    forged = json.loads(signed)
    forged["approvals"][0]["signature"] = base64.b64encode(b"\0" * 64).decode()
    approvals.write_text(json.dumps(forged))
    invalid = runner.invoke(main, ["verify", folder, "--pubkey", str(tmp_path / "keys" / "alice.pub")])
    assert invalid.exit_code == 3 and "signature does not match" in invalid.output
    approvals.write_text(signed)
    rebundle_one_byte(project / "releases" / "1.2.0")
    void = runner.invoke(main, ["verify", folder, "--pubkey", str(tmp_path / "keys" / "alice.pub")])
    assert void.exit_code == 3 and "approval void" in void.output


def test_an_openssh_key_signs_too(project, tmp_path):
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    api.approve_release(project, "1.2.0", "bob", key)
    status = api.review_status(project / "releases" / "1.2.0", [tmp_path / "id_ed25519.pub"])
    assert status.ok and status.signed and status.approvals[0].signature == "valid"
    fingerprint = subprocess.run(["ssh-keygen", "-lf", str(key) + ".pub"], capture_output=True, text=True).stdout
    assert status.approvals[0].key_id in fingerprint


def openssl_recipe(folder: Path, tmp: Path, key: Path) -> str:
    """The shell block of docs/review.md's "Checking a signature with standard tools", for this bundle."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "review.md").read_text()
    section = text[text.index("### Checking a signature with standard tools"):]
    block = section[section.index("```sh\n") + 6 : section.index("```\n", section.index("```sh\n") + 6)]
    block = block.replace("/tmp/", f"{tmp}/").replace("cd 1.2.0", f"cd {folder}").replace("alice.pub", str(key))
    return "set -e\n" + block


@pytest.mark.skipif(shutil.which("openssl") is None or shutil.which("jq") is None, reason="openssl or jq is not installed")
def test_a_dba_checks_the_signature_with_openssl_alone(project, tmp_path):
    """The exact commands of docs/review.md, run for real: the whole statement is signed."""
    from sqlrelease import approval

    api.keygen(tmp_path / "alice")
    api.approve_release(project, "1.2.0", "Alice Ünicode <alice@example.org>", tmp_path / "alice")
    folder = project / "releases" / "1.2.0"
    shell = openssl_recipe(folder, tmp_path, tmp_path / "alice.pub")
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Signature Verified Successfully" in result.stdout
    entry = json.loads((folder / "APPROVALS.json").read_text())["approvals"][0]
    assert (tmp_path / "statement").read_bytes() == approval.statement(entry)
    # Who approved is signed: a changed name fails with openssl too ...
    approvals = folder / "APPROVALS.json"
    document = json.loads(approvals.read_text())
    document["approvals"][0]["by"] = "mallory (CTO)"
    approvals.write_text(json.dumps(document))
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True)
    assert result.returncode != 0 and "Signature Verified Successfully" not in result.stdout
    # ... and so does a changed bundle.
    document["approvals"][0]["by"] = entry["by"]
    approvals.write_text(json.dumps(document))
    rebundle_one_byte(folder)
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True)
    assert result.returncode != 0


# -- the command line -------------------------------------------------------------------


def test_lint_exit_codes_follow_the_threshold(project):
    assert sqlrelease(project, "lint", "1.0.0").exit_code == 0
    assert sqlrelease(project, "lint", "1.2.0").exit_code == 0  # warnings and info only
    assert sqlrelease(project, "lint", "1.2.0", "--fail-on", "warning").exit_code == 1
    assert sqlrelease(project, "lint", "1.3.0").exit_code == 1  # update without WHERE
    result = sqlrelease(project, "lint", "1.2.0", "--json", "--dialect", "sqlite")
    data = json.loads(result.output)
    assert {f["dialect"] for f in data["findings"]} <= {"sqlite", None}
    assert data["fail_on"] == "error" and data["failing"] == 0


def test_bad_input_is_one_clear_error_and_no_traceback(project, tmp_path):
    for args in (
        ["lint", "9.9.9"],
        ["lint", "--dialect", "db2"],
        ["approve", "9.9.9", "--by", "x"],
        ["approve", "1.2.0", "--by", "x", "--key", str(tmp_path / "none")],
    ):
        result = CliRunner().invoke(main, [*args, "-C", str(project)])
        assert result.exit_code in (1, 2), (args, result.output)
        assert "error:" in result.output and result.exception is None or isinstance(result.exception, SystemExit), args
    (tmp_path / "junk.pub").write_text("not a key")
    result = CliRunner().invoke(main, ["verify", str(project / "releases" / "1.2.0"), "--pubkey", str(tmp_path / "junk.pub")])
    assert result.exit_code == 2 and "not a public key" in result.output
    (project / "releases" / "1.2.0" / "APPROVALS.json").write_text("{broken")
    result = CliRunner().invoke(main, ["verify", str(project / "releases" / "1.2.0")])
    assert result.exit_code == 3 and "APPROVALS.json is not valid JSON" in result.output


def test_statements_with_backticks_do_not_break_the_review_markdown():
    from types import SimpleNamespace

    from sqlrelease.rendered import MigrationSQL

    statement = "CREATE TABLE `t` (c TEXT DEFAULT '```');"
    release_sql = SimpleNamespace(
        release=SimpleNamespace(name="r", revisions=("aaa",)),
        upgrade={"mysql": {"aaa": MigrationSQL("aaa", (statement,))}},
        downgrade={"mysql": {}},
        irreversible=(),
    )
    history = SimpleNamespace(revisions={"aaa": SimpleNamespace(message="m")}, source_path=lambda r: "x.py")
    text = review.review_document(release_sql, history, [])
    assert "````sql\n-- 1\n" + statement + "\n````" in text
