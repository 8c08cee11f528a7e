"""One file to ship (issue 13, section 4): `pack` writes a reproducible archive per bundle, and
`verify` takes an archive, or a folder of bundles, wherever it takes a bundle folder."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sqlrelease import api, archive
from sqlrelease import approval as approvals
from sqlrelease import bundle as bundles
from sqlrelease.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def pack_in_a_subprocess(root: Path, *args: str, umask: int, tz: str) -> subprocess.CompletedProcess:
    """`sqlrelease pack` as another user on another machine would run it: its own umask, time zone, cwd."""
    code = f"import os, sys; os.umask({umask}); from sqlrelease.cli import main; sys.argv = ['sqlrelease', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, "pack", *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "TZ": tz, "NO_COLOR": "1"})


# -- the same bundle, the same archive bytes ------------------------------------------------


@pytest.mark.parametrize("fmt, suffix", [("tar.gz", ".tar.gz"), ("zip", ".zip")])
def test_packing_twice_anywhere_gives_the_same_bytes(project, tmp_path, fmt, suffix):
    api.approve_release(project, "1.2.0", "alice")
    first = pack_in_a_subprocess(project, "1.2.0", "--format", fmt, umask=0o022, tz="UTC")
    assert first.returncode == 0, first.stderr
    one = (project / "releases" / f"1.2.0{suffix}").read_bytes()

    # Another checkout: another folder, other file times and modes, another umask and time zone, later.
    other = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(project, other)
    (other / "releases" / f"1.2.0{suffix}").unlink()
    for path in (other / "releases" / "1.2.0").rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
        if path.is_file():
            path.chmod(0o600)
    time.sleep(1.1)
    second = pack_in_a_subprocess(other, "1.2.0", "--format", fmt, umask=0o077, tz="Pacific/Chatham")
    assert second.returncode == 0, second.stderr
    assert (other / "releases" / f"1.2.0{suffix}").read_bytes() == one
    # And packing again over it writes nothing.
    assert "unchanged  releases/1.2.0" + suffix in run("pack", "1.2.0", "--format", fmt, "-C", other).output


def test_the_archive_carries_no_time_owner_or_host(project):
    api.pack(project, ["1.1.0"])
    data = (project / "releases" / "1.1.0.tar.gz").read_bytes()
    assert data[:3] == b"\x1f\x8b\x08" and data[4:8] == b"\0\0\0\0"  # gzip: no modification time
    assert not data[3] & 0x08  # no file name in the gzip header
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names) and names[0] == "1.1.0"
    assert all(m.name == "1.1.0" or m.name.startswith("1.1.0/") for m in members)
    for member in members:
        assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", "")
        assert member.mtime == archive.FIXED_TIME
        assert member.mode == (0o755 if member.isdir() else 0o644)
        assert member.isdir() or member.isfile()
    api.pack(project, ["1.1.0"], "zip")
    with zipfile.ZipFile(project / "releases" / "1.1.0.zip") as zipped:
        infos = zipped.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {archive.ZIP_TIME}
    assert {(i.external_attr >> 16) & 0o777 for i in infos} == {0o644, 0o755}


# -- standard tools ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, unpack", [("tar.gz", ["tar", "xzf"]), ("zip", ["unzip", "-q"])])
def test_an_archive_unpacks_and_checks_with_standard_tools(project, tmp_path, fmt, unpack):
    if shutil.which(unpack[0]) is None or shutil.which("sha256sum") is None:
        pytest.fail(f"{unpack[0]} and sha256sum are part of every machine CI runs on")
    api.approve_release(project, "1.3.0", "alice")
    api.pack(project, ["1.3.0"], fmt)
    archive_path = project / "releases" / f"1.3.0.{fmt}"
    readme = (project / "releases" / "1.3.0" / "README.md").read_text()
    assert "`tar xzf 1.3.0.tar.gz`" in readme and "`unzip 1.3.0.zip`" in readme
    assert "`cd 1.3.0 && sha256sum -c SHA256SUMS`" in readme
    dba = tmp_path / "dba"
    dba.mkdir()
    shutil.copy(archive_path, dba)
    subprocess.run([*unpack, archive_path.name], cwd=dba, check=True)
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=dba / "1.3.0", capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout.count(": OK") == len(checked.stdout.splitlines())
    assert (dba / "1.3.0" / "APPROVALS.json").exists()
    result = run("verify", dba / "1.3.0")
    assert result.exit_code == 0 and "approved by alice" in result.output, result.output


# -- verify takes archives ------------------------------------------------------------------


def test_verify_checks_an_archive_and_its_signed_approvals(project, tmp_path):
    api.keygen(tmp_path / "alice")
    api.approve_release(project, "1.2.0", "alice", tmp_path / "alice")
    api.pack(project, ["1.2.0"])
    api.pack(project, ["1.2.0"], "zip")
    for name in ("1.2.0.tar.gz", "1.2.0.zip"):
        path = project / "releases" / name
        result = run("verify", path, "--require-approval", "--pubkey", tmp_path / "alice.pub")
        assert result.exit_code == 0 and "alice (signed, signature valid" in result.output, result.output
        data = json.loads(run("verify", path, "--json").output)
        assert data["bundles"][0]["release"] == "1.2.0" and data["exit_code"] == 0


def test_the_library_opens_an_archive_as_a_bundle(project, tmp_path):
    """What `status` and `apply` of the fleet call: open, verify, judge approvals, unpack."""
    api.keygen(tmp_path / "alice")
    api.approve_release(project, "1.2.0", "alice", tmp_path / "alice")
    api.pack(project, ["1.2.0"])
    content = bundles.open_bundle(project / "releases" / "1.2.0.tar.gz")
    assert content.archive and content.name == "1.2.0" and content.approvals is not None
    assert content.files == bundles.open_bundle(project / "releases" / "1.2.0").files
    assert bundles.verify(content).ok
    status = approvals.review_status(content, [tmp_path / "alice.pub"], require=True)
    assert status.ok and status.signed
    folder = bundles.extract(content, tmp_path / "unpacked" / "1.2.0")
    assert bundles.verify(folder).ok and approvals.review_status(folder, [tmp_path / "alice.pub"]).signed


def rewrite_tar(source: Path, target: Path, change) -> None:
    """Copy a .tar.gz member by member, letting `change(member, data)` return what to write instead."""
    out = io.BytesIO()
    with tarfile.open(source) as old, tarfile.open(fileobj=out, mode="w") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read() if member.isfile() else None
            for item in change(member, data):
                new.addfile(*item)
    target.write_bytes(gzip.compress(out.getvalue()))


@pytest.mark.parametrize("attack, expected", [
    ("edit", "altered: "),
    ("symlink", "not a plain file (symlink): evil.sql -> /etc/passwd"),
    ("escape", "unsafe path in the archive: 1.2.0/../evil.sql"),
    ("absolute", "unsafe path in the archive: /tmp/evil.sql"),
    ("second folder", "outside the bundle's folder 1.2.0/: other/evil.sql"),
    ("device", "not a plain file (special file): null"),
])
def test_a_hostile_archive_fails_verification(project, tmp_path, attack, expected):
    api.pack(project, ["1.2.0"])
    source = project / "releases" / "1.2.0.tar.gz"
    target = tmp_path / "1.2.0.tar.gz"

    def change(member, data):
        yield (member, io.BytesIO(data)) if data is not None else (member,)
        if member.name != "1.2.0/README.md":
            return
        if attack == "edit":
            member.size = len(data) + 1
            yield (member, io.BytesIO(data + b"!"))
            return
        extra = tarfile.TarInfo({"symlink": "1.2.0/evil.sql", "escape": "1.2.0/../evil.sql", "absolute": "/tmp/evil.sql",
                                 "second folder": "other/evil.sql", "device": "1.2.0/null"}[attack])
        if attack == "symlink":
            extra.type, extra.linkname = tarfile.SYMTYPE, "/etc/passwd"
            yield (extra,)
        elif attack == "device":
            extra.type, extra.devmajor, extra.devminor = tarfile.CHRTYPE, 1, 3
            yield (extra,)
        else:
            extra.size = 5
            yield (extra, io.BytesIO(b"DROP;"))

    rewrite_tar(source, target, change)
    result = run("verify", target)
    assert result.exit_code == 1 and expected in result.output, result.output
    assert not (tmp_path / "evil.sql").exists() and not Path("/tmp/evil.sql").exists()


@pytest.mark.parametrize("data", [b"", b"not an archive at all", gzip.compress(b"not a tar"), b"PK\x03\x04broken"])
def test_an_unreadable_archive_is_one_line(project, tmp_path, data):
    path = tmp_path / ("1.2.0.zip" if data.startswith(b"PK") else "1.2.0.tar.gz")
    path.write_bytes(data)
    result = run("verify", path)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "not a readable" in result.output


def test_a_renamed_archive_of_another_release_fails(project, tmp_path):
    api.keygen(tmp_path / "alice")
    api.approve_release(project, "1.1.0", "alice", tmp_path / "alice")
    api.pack(project, ["1.1.0"])
    swapped = tmp_path / "1.2.0.tar.gz"
    shutil.copy(project / "releases" / "1.1.0.tar.gz", swapped)
    result = run("verify", swapped, "--pubkey", tmp_path / "alice.pub")
    assert result.exit_code == 1 and "the archive is named 1.2.0 but holds release 1.1.0" in result.output
    assert run("verify", swapped, "--release", "1.1.0", "--pubkey", tmp_path / "alice.pub").exit_code == 0


# -- pack refuses what it should not ship -----------------------------------------------------


def test_pack_refuses_a_bundle_that_fails_verification_or_does_not_exist(project):
    with (project / "releases" / "1.2.0" / "sqlite" / "upgrade.sql").open("ab") as handle:
        handle.write(b"-- edited")
    result = run("pack", "1.2.0", "-C", project)
    assert result.exit_code == 1 and "fails verification; refusing to pack it" in result.output
    assert not (project / "releases" / "1.2.0.tar.gz").exists()
    assert run("pack", "9.9.9", "-C", project).exit_code == 2
    shutil.rmtree(project / "releases" / "1.3.0")
    result = run("pack", "1.3.0", "-C", project)
    assert result.exit_code == 1 and "has no bundle" in result.output


def test_pack_writes_every_bundle_by_default_and_where_asked(project, tmp_path):
    result = run("pack", "-C", project, "--output", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{n}.tar.gz" for n in ("1.0.0", "1.1.0", "1.2.0", "1.3.0")]
    assert run("check", "-C", project, "-q").exit_code == 0  # archives beside the folders are no drift


# -- a folder of bundles ----------------------------------------------------------------------


def test_verify_of_the_bundles_folder_verifies_each_bundle(project):
    api.pack(project, ["1.0.0"])
    (project / "releases" / ".1.2.0.abc.tmp").mkdir()  # a leftover is no bundle
    result = run("verify", project / "releases")
    assert result.exit_code == 0, result.output
    assert "extra:" not in result.output
    for name in ("1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.0.0.tar.gz"):
        assert f"OK  {project / 'releases' / name} (release" in result.output
    assert "5 bundle(s): 5 OK, 0 not" in result.output
    with (project / "releases" / "1.1.0" / "README.md").open("a") as handle:
        handle.write("edited")
    result = run("verify", project / "releases")
    assert result.exit_code == 1 and "5 bundle(s): 4 OK, 1 not" in result.output


def test_check_says_when_an_archive_no_longer_matches_its_bundle(project):
    api.pack(project, ["1.2.0"])
    api.pack(project, ["1.2.0"], "zip")
    assert run("check", "-C", project, "-q", "--strict").exit_code == 0
    api.approve_release(project, "1.2.0", "alice")  # the folder now holds an approval the archives lack
    result = run("check", "-C", project, "-q")
    assert result.exit_code == 0, result.output
    assert "releases/1.2.0.tar.gz is not the archive of releases/1.2.0 as it is now (run `sqlrelease pack 1.2.0`)" in result.output
    assert "(run `sqlrelease pack 1.2.0 --format zip`)" in result.output
    assert run("check", "-C", project, "-q", "--strict").exit_code == 1
    api.pack(project, ["1.2.0"])
    api.pack(project, ["1.2.0"], "zip")
    assert run("check", "-C", project, "-q", "--strict").exit_code == 0
