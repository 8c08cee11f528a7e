"""Approvals bound to the exact bytes of a built bundle, optionally signed.

Approvals travel inside the bundle, in `APPROVALS.json`, which SHA256SUMS does
not cover (an approval cannot be part of the bytes it approves). Each approval
names the release and the bundle digest, the sha256 of SHA256SUMS, which covers
every other file. With a key, the approval carries an Ed25519 signature over
its whole statement (`statement`: release, digest, who, when, key id), so no
part of it can be changed without the signature failing; `openssl pkeyutl
-verify -rawin` checks it too (docs/review.md). Approvals written by earlier
versions beside the folder (`<bundles>/<release>.approvals.json`) are read, and
moved inside by the next `approve`, `build` or `pack`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import bundle as bundles
from .errors import InputError, ReviewError, WriteError
from .plan import release_name_problem

APPROVALS = bundles.APPROVALS
LEGACY_SUFFIX = ".approvals.json"  # beside the folder, as earlier versions wrote them
DOCUMENT_FORMAT = "sqlrelease-approvals/1"
STATEMENT_HEADER = "sqlrelease approval 1"
STATEMENT_FIELDS = ("release", "digest", "by", "at", "key_id")
SIGNED = "the statement: 'sqlrelease approval 1', then release, digest, by, at, key_id, one 'name value' line each (docs/review.md)"
MAX_BY = 200


# -- keys and signatures ------------------------------------------------------------


def _crypto():
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:  # pragma: no cover
        raise ReviewError("signing needs the `cryptography` package", hint="pip install cryptography") from None
    return serialization, ed25519, InvalidSignature


def keygen(path: Path | str) -> tuple[Path, Path]:
    """Write an Ed25519 private key (PEM, PKCS#8, mode 0600) to PATH and its public key to PATH.pub (PEM)."""
    serialization, ed25519, _ = _crypto()
    private_path = Path(path)
    public_path = private_path.with_name(private_path.name + ".pub")
    for target in (private_path, public_path):
        if target.exists():
            raise InputError(f"{target} exists already", hint="choose another path; keys are never overwritten")
    key = ed25519.Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
    public_path.write_bytes(_public_pem(key.public_key()))
    return private_path, public_path


def _public_pem(public) -> bytes:
    serialization, _, _ = _crypto()
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(public) -> str:
    """The key's fingerprint as `ssh-keygen -lf` prints it: SHA256 of the OpenSSH key blob."""
    serialization, _, _ = _crypto()
    blob = base64.b64decode(public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def load_private_key(path: Path | str):
    serialization, ed25519, _ = _crypto()
    data = _read_key(path)
    try:
        if b"OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{path} is not an unencrypted private key: {exc}", hint="create one with `sqlrelease keygen PATH`") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise InputError(f"{path} is not an Ed25519 key", hint="create one with `sqlrelease keygen PATH`")
    return key


def load_public_key(path: Path | str):
    serialization, ed25519, _ = _crypto()
    data = _read_key(path)
    try:
        if data.startswith(b"ssh-"):
            key = serialization.load_ssh_public_key(data)
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{path} is not a public key: {exc}") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise InputError(f"{path} is not an Ed25519 public key")
    return key


def _read_key(path: Path | str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read key {path}: {exc.strerror or exc}") from None


# -- the signed statement -------------------------------------------------------------


def statement(entry: dict) -> bytes:
    """The exact bytes an approval's signature covers (the canonical form, docs/review.md).

    Six lines, each ending in a newline, UTF-8: the header `sqlrelease approval 1`,
    then `release NAME`, `digest HEX`, `by NAME`, `at TIME`, `key_id ID`: a
    name, one space, the value as written in the approval. No value may hold a
    control character, so the lines cannot be shifted.
    """
    lines = [STATEMENT_HEADER] + [f"{name} {entry[name]}" for name in STATEMENT_FIELDS]
    return "".join(line + "\n" for line in lines).encode("utf-8")


_DIGEST = re.compile(r"[0-9a-f]{64}")
_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_KEY_ID = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def by_problem(by: object) -> str | None:
    """What is wrong with a reviewer's name, or None: one line of text, not empty, at most MAX_BY characters."""
    if not isinstance(by, str):
        return f"`by` must be text, not {_kind(by)}"
    if not by.strip():
        return "`by` must name the reviewer"
    if _CONTROL.search(by):
        return "`by` must be one line of text without control characters"
    if len(by) > MAX_BY or by != by.strip():
        return f"`by` must be at most {MAX_BY} characters, without leading or trailing spaces"
    return None


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", bool: "true/false", type(None): "null"}.get(type(value), type(value).__name__)


def entry_problem(entry: object) -> str | None:
    """What makes an approval entry unreadable, or None (the signature is checked elsewhere)."""
    if not isinstance(entry, dict):
        return f"an approval must be an object, not {_kind(entry)}"
    problem = by_problem(entry.get("by"))
    if problem:
        return problem
    checks = (("digest", _DIGEST, "64 lowercase hex digits"), ("at", _AT, "a UTC time such as 2026-01-31T12:00:00Z"))
    for name, pattern, what in checks:
        value = entry.get(name)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            return f"`{name}` must be {what}, not {_kind(value) if not isinstance(value, str) else repr(value)}"
    if "release" in entry and (not isinstance(entry["release"], str) or release_name_problem(entry["release"])):
        return "`release` must be a release name"
    if "signature" in entry or "key_id" in entry:
        for name in ("signature", "key_id"):
            if not isinstance(entry.get(name), str):
                return f"`{name}` must be text, not {_kind(entry.get(name))}"
        if not _KEY_ID.fullmatch(entry["key_id"]):
            return "`key_id` must be SHA256: and 43 base64 characters"
        if "public_key" in entry and not isinstance(entry["public_key"], str):
            return f"`public_key` must be text, not {_kind(entry['public_key'])}"
    return None


# -- reading and writing APPROVALS.json ------------------------------------------------------


def legacy_path(folder: Path) -> Path:
    """Where earlier versions kept a bundle folder's approvals: beside it, `<name>.approvals.json`."""
    folder = Path(folder).resolve()
    return folder.parent / (folder.name + LEGACY_SUFFIX)


@dataclass
class Approvals:
    """The approvals file of a bundle: its entries (raw), where it was read, what is wrong with it."""

    entries: list = field(default_factory=list)
    source: str | None = None  # APPROVALS.json, or the legacy file's name
    release: object = None  # the document's own `release`
    problem: str | None = None


def read_approvals(content: "bundles.BundleContent") -> Approvals:
    """The approvals of a bundle read by `bundle.open_bundle`: APPROVALS.json inside it, or
    (a folder from an earlier version) the legacy file beside it. Never raises for bad content."""
    data, source = content.approvals, APPROVALS
    if data is None and not content.archive:
        legacy = legacy_path(content.path)
        if legacy.is_file():
            data, source = legacy.read_bytes(), legacy.name
    if data is None:
        return Approvals()
    found = Approvals(source=source)
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        found.problem = f"{source} is not valid JSON: {exc}"
        return found
    if not isinstance(document, dict) or not isinstance(document.get("approvals"), list):
        found.problem = f"{source} is not an approvals file (an object with a list `approvals`)"
        return found
    found.entries, found.release = document["approvals"], document.get("release")
    return found


def _write_document(folder: Path, release: str, entries: list) -> Path:
    """APPROVALS.json inside `folder`, replaced atomically; the legacy file beside it goes."""
    path = folder / APPROVALS
    document = {"format": DOCUMENT_FORMAT, "release": release, "approvals": entries}
    tmp = folder / f".{APPROVALS}.tmp"
    try:
        tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}", path=str(path)) from None
    legacy = legacy_path(folder)
    if legacy.is_file():
        legacy.unlink()
    return path


def migrate_legacy(folder: Path) -> str | None:
    """Move approvals an earlier version kept beside a bundle folder into it; says what it did, or None."""
    folder = Path(folder)
    legacy = legacy_path(folder)
    if not legacy.is_file() or not folder.is_dir():
        return None
    content = bundles.open_bundle(folder)
    if content.approvals is not None:
        return None  # APPROVALS.json exists: the old file is not read any more
    found = read_approvals(content)
    if found.problem:
        raise ReviewError(found.problem, path=str(legacy), hint="fix or remove it, then try again")
    release = bundles.verify(content).release or str(found.release)
    _write_document(folder, release, found.entries)
    return f"moved {legacy.name} into {folder.name}/{APPROVALS}"


def approve(folder: Path, by: str, key_path: Path | str | None = None, release: str | None = None) -> dict:
    """Record an approval of the bundle in `folder` as it is now; sign it with `key_path` if given."""
    folder = Path(folder)
    problem = by_problem(by)
    if problem:
        raise InputError(f"--by: {problem[len('`by` '):]}", hint="for example --by 'Alice Example <alice@example.org>'")
    content = bundles.open_bundle(folder)
    verification = bundles.verify(content, release=release)
    if not verification.ok:
        raise ReviewError(
            f"{folder} fails verification; refusing to approve it",
            hint="rebuild it with `sqlrelease build` and check it with `sqlrelease verify`",
        )
    found = read_approvals(content)
    if found.problem:
        raise ReviewError(found.problem, hint="fix or remove the file, then approve again")
    entry = {
        "release": verification.release,
        "digest": content.digest(),
        "by": by,
        "at": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if key_path is not None:
        key = load_private_key(key_path)
        entry["key_id"] = key_id(key.public_key())
        entry["algorithm"] = "ed25519"
        entry["signed"] = SIGNED
        entry["signature"] = base64.b64encode(key.sign(statement(entry))).decode()
        entry["public_key"] = _public_pem(key.public_key()).decode()
    _write_document(folder, verification.release, [*found.entries, entry])
    return entry


# -- judging approvals --------------------------------------------------------------------

# An approval's signature, as judged:
VALID = "valid"  # by one of the trusted public keys given
UNTRUSTED = "untrusted"  # matches the public key it carries, which is not one of those given (or none was given)
INVALID = "INVALID"  # does not match: something in the statement was changed, or it was never signed so
UNSIGNED = "unsigned"
OLD_FORM = "old form"  # an earlier version's signature, over the digest only: who and when are not signed


@dataclass
class Approval:
    """One approval as judged against a bundle."""

    by: str
    at: str | None
    key_id: str | None
    current: bool  # covers the bundle as it is now
    signature: str  # VALID | UNTRUSTED | INVALID | UNSIGNED | OLD_FORM

    def text(self) -> str:
        if self.signature == UNSIGNED:
            return f"{self.by} (UNSIGNED: anyone able to write the file could have added it)"
        if self.signature == OLD_FORM:
            return f"{self.by} (old-form signature over the digest only, not accepted: approve again)"
        if self.signature == VALID:
            return f"{self.by} (signed, signature valid, key {self.key_id})"
        if self.signature == UNTRUSTED:
            return f"{self.by} (signed with key {self.key_id}, which is not a trusted key given with --pubkey)"
        return f"{self.by} (signature INVALID: the approval was changed after it was signed)"

    def to_dict(self) -> dict:
        return {"by": self.by, "at": self.at, "key_id": self.key_id, "current": self.current, "signature": self.signature}


@dataclass
class ReviewStatus:
    """Whether a bundle is approved as it is now, and whether each approval holds."""

    bundle: str
    status: str  # unreviewed | approved | void
    release: str | None = None
    digest: str | None = None
    approvals: list[Approval] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # approvals that do not hold: void counts in status
    required: bool = False  # a valid signature by a given key was asked for
    notes: list[str] = field(default_factory=list)

    @property
    def approved_by(self) -> list[str]:
        return [a.by for a in self.approvals if a.current and a.signature != INVALID]

    @property
    def void_by(self) -> list[str]:
        return [a.by for a in self.approvals if not a.current and a.signature != INVALID]

    @property
    def signed(self) -> bool:
        """An approval of the bundle as it is now carries a valid signature by a given key."""
        return any(a.current and a.signature == VALID for a in self.approvals)

    @property
    def exit_code(self) -> int:
        """0 holds; 3 an approval does not hold (void, forged, unreadable); 4 a required signed approval is missing."""
        if self.problems or self.status == "void":
            return 3
        if self.required and not self.signed:
            return 4
        return 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def unapproved(self) -> str | None:
        """Why a required approval is missing, or None."""
        if not self.required or self.signed:
            return None
        return "not approved as required: no valid signature by a given --pubkey key on an approval of the bundle as it is now"

    def text(self) -> str:
        """One line: approved by whom (each approval marked signed or UNSIGNED), void, or unreviewed."""
        current = [a for a in self.approvals if a.current and a.signature != INVALID]
        if self.status == "approved":
            text = "approved by " + "; ".join(a.text() for a in current)
        elif self.status == "void":
            text = "approval void: the bundle changed since it was approved by " + ", ".join(self.void_by)
        else:
            text = "unreviewed"
        if self.problems:
            text += f" ({len(self.problems)} approval(s) that do not hold: see `sqlrelease verify`)"
        return text

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "release": self.release,
            "digest": self.digest,
            "approved_by": self.approved_by,
            "void_by": self.void_by,
            "approvals": [a.to_dict() for a in self.approvals],
            "signed": self.signed,
            "required": self.required,
            "problems": self.problems,
            "notes": self.notes,
            "exit_code": self.exit_code,
        }


def load_public_keys(paths: Iterable[Path | str]) -> dict:
    """key id -> Ed25519 public key, for each file (PEM or `ssh-ed25519 ...`)."""
    keys = {}
    for path in paths:
        key = load_public_key(path)
        keys[key_id(key)] = key
    return keys


def review_status(bundle, pubkeys: Iterable[Path | str] = (), require: bool | None = None) -> ReviewStatus:
    """The approval state of a bundle (a folder, an archive, or a `BundleContent`).

    `pubkeys` are key files, or what `load_public_keys` made of them. With
    `pubkeys` (or `require`), an approval of the bundle as it is now must
    carry a valid signature by one of those keys (`exit_code` 4 otherwise). An
    approval whose signature does not match, that names another release, or
    that cannot be read does not hold (3); neither does one of other bytes (void).
    """
    content = bundle if isinstance(bundle, bundles.BundleContent) else bundles.open_bundle(bundle)
    keys = pubkeys if isinstance(pubkeys, dict) else load_public_keys(pubkeys)
    result = ReviewStatus(bundle=str(content.path), status="unreviewed", required=bool(keys) if require is None else require)
    # An approval covers bytes: a folder under another name holds the same approved bytes (verify
    # fails the name on its own); approvals must name the manifest's release.
    verification = bundles.verify(content, check_name=False)
    result.release, result.digest = verification.release, content.digest()
    found = read_approvals(content)
    if found.source and found.source != APPROVALS:
        result.notes.append(f"approvals read from {found.source} beside the folder (an earlier version's place); "
                            f"`sqlrelease approve`, `build` or `pack` moves them into {APPROVALS}")
    if found.problem:
        result.problems.append(found.problem)
        return result
    if found.release is not None and result.release is not None and found.release != result.release:
        result.problems.append(f"{found.source} is for release {found.release!r}, but this bundle is release {result.release}")
    # A file changed without updating SHA256SUMS keeps the digest but fails verification: void too.
    intact = verification.ok and result.digest is not None
    for number, entry in enumerate(found.entries, start=1):
        problem = entry_problem(entry)
        if problem:
            result.problems.append(f"{found.source}: approval {number}: {problem}")
            continue
        judged = _judge(entry, result, keys, intact)
        if judged.signature == INVALID:
            result.problems.append(f"{found.source}: approval {number} by {judged.by}: the signature does not match its statement")
        elif entry.get("release", result.release) != result.release:
            result.problems.append(f"{found.source}: approval {number} by {judged.by} is for release {entry['release']}, "
                                   f"but this bundle is release {result.release}")
        result.approvals.append(judged)
    standing = [a for a in result.approvals if a.signature != INVALID]  # forged ones approve nothing
    if any(a.current for a in standing):
        result.status = "approved"
    elif standing:
        result.status = "void"
    return result


def _judge(entry: dict, result: ReviewStatus, keys: dict, intact: bool) -> Approval:
    current = intact and entry["digest"] == result.digest and entry.get("release", result.release) == result.release
    approval = Approval(by=entry["by"], at=entry["at"], key_id=entry.get("key_id"), current=current, signature=UNSIGNED)
    if "signature" not in entry:
        return approval
    if "release" not in entry:  # written by an earlier version: it signed the digest alone
        approval.signature = OLD_FORM
        return approval
    key = keys.get(entry["key_id"])
    trusted = key is not None
    if key is None:
        key = _carried_key(entry)
    if key is None:  # names a key that is neither given nor carried: nothing can check it
        approval.signature = INVALID
        return approval
    approval.signature = (VALID if trusted else UNTRUSTED) if _signature_matches(key, entry) else INVALID
    return approval


def _carried_key(entry: dict):
    """The public key an approval carries, if it is the key its key_id names."""
    text = entry.get("public_key")
    if not isinstance(text, str):
        return None
    serialization, ed25519, _ = _crypto()
    try:
        key = serialization.load_pem_public_key(text.encode("utf-8"))
    except (ValueError, TypeError):
        return None
    if not isinstance(key, ed25519.Ed25519PublicKey) or key_id(key) != entry["key_id"]:
        return None
    return key


def _signature_matches(key, entry: dict) -> bool:
    _, _, InvalidSignature = _crypto()
    try:
        key.verify(base64.b64decode(entry["signature"], validate=True), statement(entry))
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False
    return True
