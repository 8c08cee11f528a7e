"""Approvals tried as an attacker would: forged names, swapped folders, hostile files and names.

Each approval covers exactly the bytes reviewed and exactly who signed it, and
travels inside the bundle folder (issue 11, section 3).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sqlrelease import api
from sqlrelease import approval as approvals
from sqlrelease.cli import main


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_error(result, code: int, *expected: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.output, (text, result.output)


@pytest.fixture
def keys(tmp_path):
    """Alice's and Mallory's key pairs."""
    for name in ("alice", "mallory"):
        api.keygen(tmp_path / "keys" / name)
    return tmp_path / "keys"


def approvals_file(project: Path, release: str) -> Path:
    return project / "releases" / release / "APPROVALS.json"


def edit_first_approval(project: Path, bundle: str, **changes) -> None:
    path = approvals_file(project, bundle)
    document = json.loads(path.read_text())
    document["approvals"][0].update(changes)
    path.write_text(json.dumps(document))


# -- the whole statement is signed ------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("by", "mallory (CTO)"),
        ("at", "2020-01-01T00:00:00Z"),
        ("key_id", "SHA256:" + "A" * 43),
        ("digest", "0" * 64),
    ],
)
def test_changing_any_part_of_a_signed_approval_breaks_it(project, keys, field, value):
    api.approve_release(project, "1.2.0", "alice", keys / "alice")
    folder = project / "releases" / "1.2.0"
    assert api.review_status(folder, [keys / "alice.pub"]).exit_code == 0
    edit_first_approval(project, "1.2.0", **{field: value})
    with_key = api.review_status(folder, [keys / "alice.pub"])
    without_key = api.review_status(folder)
    for status in (with_key, without_key):  # the carried public key catches it even without --pubkey
        assert status.exit_code == 3, status.to_dict()
        assert not status.signed and "mallory" not in status.text().split("(")[0]
    result = run("verify", folder, "--pubkey", keys / "alice.pub")
    one_line_error(result, 3, "APPROVAL FAILS", "approval problem")
    assert "signature valid" not in result.output


def test_a_signature_moved_to_another_release_does_not_hold(project, keys):
    api.approve_release(project, "1.1.0", "alice", keys / "alice")
    api.approve_release(project, "1.2.0", "alice", keys / "alice")
    # Alice's approval of 1.1.0, relabelled as one of 1.2.0 with 1.2.0's digest: the signature fails.
    signed_11 = json.loads(approvals_file(project, "1.1.0").read_text())["approvals"][0]
    digest_12 = json.loads(approvals_file(project, "1.2.0").read_text())["approvals"][0]["digest"]
    forged = {**signed_11, "release": "1.2.0", "digest": digest_12}
    approvals_file(project, "1.2.0").write_text(json.dumps({"release": "1.2.0", "approvals": [forged]}))
    status = api.review_status(project / "releases" / "1.2.0", [keys / "alice.pub"])
    assert status.exit_code == 3 and not status.signed


def test_an_unsigned_approval_beside_a_signed_one_reads_as_unsigned(project, keys):
    api.approve_release(project, "1.2.0", "alice", keys / "alice")
    document = json.loads(approvals_file(project, "1.2.0").read_text())
    unsigned = {k: document["approvals"][0][k] for k in ("release", "digest", "at")}
    document["approvals"].append({**unsigned, "by": "mallory (CTO)"})
    approvals_file(project, "1.2.0").write_text(json.dumps(document))

    result = run("verify", project / "releases" / "1.2.0", "--pubkey", keys / "alice.pub")
    assert result.exit_code == 0, result.output
    assert "alice (signed, signature valid" in result.output
    assert "mallory (CTO) (UNSIGNED" in result.output
    assert "mallory (CTO) (signed" not in result.output
    data = json.loads(run("verify", project / "releases" / "1.2.0", "--json").output)
    signatures = {a["by"]: a["signature"] for a in data["bundles"][0]["review"]["approvals"]}
    assert signatures == {"alice": "untrusted", "mallory (CTO)": "unsigned"}
    # Mallory alone is no signed approval: required, it fails.
    document["approvals"] = document["approvals"][1:]
    approvals_file(project, "1.2.0").write_text(json.dumps(document))
    result = run("verify", project / "releases" / "1.2.0", "--require-approval", "--pubkey", keys / "alice.pub")
    one_line_error(result, 4, "UNAPPROVED", "mallory (CTO) (UNSIGNED", "no valid signature")


# -- the release name is compared with the folder and the approval -------------------------


def test_swapping_two_releases_folders_with_their_approvals_fails(project, keys):
    for release in ("1.1.0", "1.2.0"):
        api.approve_release(project, release, "alice", keys / "alice")
    releases = project / "releases"
    (releases / "1.1.0").rename(releases / "swap")
    (releases / "1.2.0").rename(releases / "1.1.0")
    (releases / "swap").rename(releases / "1.2.0")
    result = run("verify", releases / "1.2.0", "--pubkey", keys / "alice.pub")
    one_line_error(result, 1, "FAILED", "named 1.2.0 but holds release 1.1.0")
    result = run("verify", releases, "--pubkey", keys / "alice.pub")
    assert result.exit_code == 1 and result.output.count("FAILED") == 2


def test_swapping_only_the_approvals_files_fails(project, keys):
    for release in ("1.1.0", "1.2.0"):
        api.approve_release(project, release, "alice", keys / "alice")
    one, two = approvals_file(project, "1.1.0"), approvals_file(project, "1.2.0")
    first, second = one.read_bytes(), two.read_bytes()
    one.write_bytes(second)
    two.write_bytes(first)
    result = run("verify", project / "releases" / "1.2.0", "--pubkey", keys / "alice.pub")
    one_line_error(result, 3, "is for release '1.1.0', but this bundle is release 1.2.0")


# -- exit codes --------------------------------------------------------------------------


def test_exit_codes_say_void_and_unapproved(project, keys):
    folder = project / "releases" / "1.2.0"
    assert run("verify", folder).exit_code == 0  # unreviewed, nothing required
    one_line_error(run("verify", folder, "--pubkey", keys / "alice.pub"), 4, "UNAPPROVED")
    one_line_error(run("verify", folder, "--require-approval"), 2, "--require-approval needs --pubkey")
    api.approve_release(project, "1.2.0", "bob")  # unsigned
    assert run("verify", folder).exit_code == 0
    one_line_error(run("verify", folder, "--require-approval", "--pubkey", keys / "alice.pub"), 4, "bob (UNSIGNED")
    with (folder / "sqlite" / "upgrade.sql").open("ab") as handle:
        handle.write(b"-- edited\n")
    result = run("verify", folder)
    one_line_error(result, 1, "altered: ", "sqlite/upgrade.sql")
    # The same edit, re-checksummed as a careful forger would: intact files, void approval.
    from test_review import rebundle_one_byte

    (folder / "sqlite" / "upgrade.sql").write_bytes((folder / "sqlite" / "upgrade.sql").read_bytes()[: -len(b"-- edited\n")])
    rebundle_one_byte(folder, "sqlite/upgrade.sql")
    one_line_error(run("verify", folder), 3, "APPROVAL FAILS", "approval void")
    assert json.loads(run("verify", folder, "--json").output)["exit_code"] == 3


def test_check_require_approval_refuses_an_unapproved_bundle(project, keys):
    one_line_error(run("check", "-C", project, "--require-approval"), 2, "--require-approval needs --pubkey")
    result = run("check", "-C", project, "-q", "--require-approval", "--pubkey", keys / "alice.pub")
    one_line_error(result, 4, "releases/1.0.0: not approved as required")
    for release in ("1.0.0", "1.1.0", "1.2.0", "1.3.0"):
        api.approve_release(project, release, "alice", keys / "alice")
    result = run("check", "-C", project, "-q", "--require-approval", "--pubkey", keys / "alice.pub")
    assert result.exit_code == 0, result.output
    result = run("check", "-C", project, "-q", "--require-approval", "--pubkey", keys / "mallory.pub")
    assert result.exit_code == 4
    assert run("check", "-C", project, "-q").exit_code == 0  # approvals are not checked unless asked


# -- approvals travel with the folder ------------------------------------------------------


def test_verify_dot_and_copies_keep_their_approvals(project, keys, tmp_path, monkeypatch):
    api.approve_release(project, "1.2.0", "alice", keys / "alice")
    folder = project / "releases" / "1.2.0"
    monkeypatch.chdir(folder)
    result = run("verify", ".", "--pubkey", keys / "alice.pub")
    assert result.exit_code == 0 and "signature valid" in result.output, result.output

    elsewhere = tmp_path / "usb" / "1.2.0"
    shutil.copytree(folder, elsewhere)
    result = run("verify", elsewhere, "--pubkey", keys / "alice.pub")
    assert result.exit_code == 0 and "signature valid" in result.output, result.output

    renamed = tmp_path / "usb" / "app-release-copy"
    shutil.copytree(folder, renamed)
    result = run("verify", renamed, "--pubkey", keys / "alice.pub")
    one_line_error(result, 1, "--release 1.2.0")
    assert "signature valid" in result.output and "void" not in result.output  # the bytes are still approved
    result = run("verify", renamed, "--release", "1.2.0", "--pubkey", keys / "alice.pub")
    assert result.exit_code == 0 and "signature valid" in result.output, result.output
    one_line_error(run("verify", renamed, "--release", "1.1.0"), 1, "not of release 1.1.0")


def test_approvals_of_an_earlier_version_beside_the_folder_are_read_then_moved_inside(project, keys):
    folder = project / "releases" / "1.2.0"
    digest = approvals.bundles.sha256((folder / "SHA256SUMS").read_bytes())
    legacy = project / "releases" / "1.2.0.approvals.json"
    legacy.write_text(json.dumps({"release": "1.2.0", "approvals": [
        {"by": "carol", "digest": digest, "at": "2025-01-01T00:00:00Z"},
        {"by": "dave", "digest": digest, "at": "2025-01-01T00:00:00Z", "algorithm": "ed25519",
         "signature": "AAAA", "key_id": "SHA256:" + "B" * 43,
         "signed": "the 64 hex characters of digest, ASCII, no newline"},
    ]}))
    status = api.review_status(folder)
    assert status.status == "approved" and status.exit_code == 0
    assert [a.signature for a in status.approvals] == ["unsigned", "old form"]
    assert "1.2.0.approvals.json" in status.notes[0]
    result = run("verify", folder, "--pubkey", keys / "alice.pub")
    one_line_error(result, 4, "old-form signature over the digest only, not accepted")

    api.approve_release(project, "1.2.0", "alice", keys / "alice")
    assert not legacy.exists()
    moved = json.loads(approvals_file(project, "1.2.0").read_text())["approvals"]
    assert [a["by"] for a in moved] == ["carol", "dave", "alice"]
    assert api.review_status(folder, [keys / "alice.pub"]).exit_code == 0

    # build moves them too
    legacy_11 = project / "releases" / "1.1.0.approvals.json"
    legacy_11.write_text(json.dumps({"release": "1.1.0", "approvals": []}))
    api.build(project, ["1.1.0"])
    assert not legacy_11.exists() and approvals_file(project, "1.1.0").exists()


# -- what files and users supply cannot crash or fake output --------------------------------


@pytest.mark.parametrize(
    "entry, problem",
    [
        ({"key_id": [1], "signature": "AAAA"}, "`key_id` must be text, not a list"),
        ({"by": {"name": "x"}}, "`by` must be text, not an object"),
        ({"by": None}, "`by` must be text, not null"),
        ({"by": "a\nOK fake"}, "`by` must be one line of text"),
        ({"at": "yesterday"}, "`at` must be a UTC time"),
        ({"digest": 5}, "`digest` must be 64 lowercase hex digits, not int"),
        ({"release": ["1.2.0"]}, "`release` must be a release name"),
        ({"signature": 7, "key_id": "SHA256:" + "C" * 43}, "`signature` must be text, not int"),
    ],
)
def test_a_malformed_approval_is_one_line_not_a_traceback(project, entry, problem):
    api.approve_release(project, "1.2.0", "alice")
    edit_first_approval(project, "1.2.0", **entry)
    result = run("verify", project / "releases" / "1.2.0")
    one_line_error(result, 3, "APPROVALS.json: approval 1: " + problem)
    plan = run("plan", "-C", project)
    assert plan.exit_code == 0 and "approval(s) that do not hold" in plan.output, plan.output


@pytest.mark.parametrize("document", ['{"approvals": 5}', "[1, 2]", '{"approvals": ["x"]}', "\xff\xfe", "{broken"])
def test_an_unreadable_approvals_file_is_one_line(project, document):
    approvals_file(project, "1.2.0").write_bytes(document.encode("latin-1"))
    result = run("verify", project / "releases" / "1.2.0")
    one_line_error(result, 3, "APPROVALS.json")
    assert run("plan", "-C", project).exit_code == 0


def test_names_and_file_names_print_as_text_never_markup(project):
    result = run("approve", "1.2.0", "--by", "x[/]", "-C", project)
    assert result.exit_code == 0 and "by x[/]:" in result.output, result.output
    api.approve_release(project, "1.2.0", "[bold red]the CTO[/]")
    for result in (run("verify", project / "releases" / "1.2.0"), run("plan", "-C", project)):
        assert result.exit_code == 0, result.output
        assert "x[/] (UNSIGNED" in result.output and "[bold red]the CTO[/] (UNSIGNED" in result.output

    folder = project / "releases" / "1.1.0"
    (folder / "[conceal]x.sql").write_text("select 1;")
    (folder / "x\nOK fake").write_text("")
    (folder / "esc\x1b[2Jcleared").write_text("")
    result = run("verify", folder)
    assert result.exit_code == 1
    assert "extra:   [conceal]x.sql" in result.output
    assert "x\\nOK fake" in result.output and "esc\\x1b[2Jcleared" in result.output
    assert not any(line.startswith("OK fake") for line in result.output.splitlines())
    assert "\x1b" not in result.output


@pytest.mark.parametrize("by", ["", "   ", "a\nOK fake", "tab\there", "x" * 201, " padded"])
def test_approve_refuses_a_reviewer_name_that_is_not_one_line_of_text(project, by):
    one_line_error(run("approve", "1.2.0", "--by", by, "-C", project), 2, "error: --by")
    assert not approvals_file(project, "1.2.0").exists()


def test_a_symlinked_approvals_file_is_reported(project):
    folder = project / "releases" / "1.2.0"
    outside = project / "elsewhere.json"
    outside.write_text('{"approvals": []}')
    os.symlink(outside, folder / "APPROVALS.json")
    result = run("verify", folder)
    one_line_error(result, 1, "not a plain file (symlink): APPROVALS.json")


def test_a_warning_from_a_migration_prints_as_text(tmp_path):
    """A migration's own warning text, with a newline and an escape sequence, cannot fake a line."""
    from projects import make_project

    root = make_project(tmp_path, "constraints", dialects=("sqlite",))
    (path,) = (root / "migrations" / "versions").glob("0003_*.py")
    anchor = '    op.create_index("ix_players_nickname", "players", ["nickname"])\n'
    path.write_text(path.read_text().replace(anchor, anchor + '    import warnings; warnings.warn("x\\nOK fake \\x1b[2J")\n'))
    result = CliRunner().invoke(main, ["build", "-q", "-C", str(root)])
    assert result.exit_code == 0, result.output
    assert "UserWarning: revision" in result.output and "x OK fake \\x1b[2J" in result.output
    assert "\x1b" not in result.output and not any(line.startswith("OK fake") for line in result.output.splitlines())
