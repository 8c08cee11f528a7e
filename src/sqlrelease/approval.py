"""Approvals bound to the exact bytes of a built bundle, optionally signed.

Approvals live beside the bundle folder, in `<bundles>/<release>.approvals.json`,
outside the checksummed set (a bundle is replaced whole when rebuilt, and an
approval cannot sign a file that contains it). Each approval names the bundle
digest: the sha256 of its SHA256SUMS file, which covers every other file. With a
key, the approval carries an Ed25519 signature over the 64 ASCII hex characters
of that digest, checkable with `openssl pkeyutl -verify -rawin`.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import bundle as bundles
from .errors import BundleError, ReviewError

APPROVALS_SUFFIX = ".approvals.json"


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
            raise ReviewError(f"{target} exists already", hint="choose another path; keys are never overwritten")
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
        raise ReviewError(f"{path} is not an unencrypted private key: {exc}", hint="create one with `sqlrelease keygen PATH`") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ReviewError(f"{path} is not an Ed25519 key", hint="create one with `sqlrelease keygen PATH`")
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
        raise ReviewError(f"{path} is not a public key: {exc}") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise ReviewError(f"{path} is not an Ed25519 public key")
    return key


def _read_key(path: Path | str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ReviewError(f"cannot read key {path}: {exc.strerror or exc}") from None


# -- approvals ------------------------------------------------------------------------


def bundle_digest(folder: Path) -> str:
    """sha256 of the bundle's SHA256SUMS: it covers every other file of the bundle."""
    try:
        return bundles.sha256((folder / bundles.SUMS).read_bytes())
    except OSError:
        raise BundleError(f"{folder} has no {bundles.SUMS}", path=str(folder / bundles.SUMS), hint="build the bundle first") from None


def approvals_path(folder: Path) -> Path:
    folder = Path(folder)
    return folder.parent / (folder.name + APPROVALS_SUFFIX)


def read_approvals(folder: Path) -> list[dict]:
    path = approvals_path(folder)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        approvals = data["approvals"]
        if not isinstance(approvals, list) or not all(isinstance(a, dict) for a in approvals):
            raise ValueError("`approvals` is not a list of objects")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ReviewError(f"{path.name} is not a valid approvals file: {exc}", path=str(path)) from None
    return approvals


def approve(folder: Path, by: str, key_path: Path | str | None = None, release: str | None = None) -> dict:
    """Record an approval of the bundle in `folder` as it is now; sign it with `key_path` if given."""
    folder = Path(folder)
    if not by.strip():
        raise ReviewError("--by must name the reviewer")
    verification = bundles.verify(folder)
    if not verification.ok:
        raise ReviewError(
            f"{folder} fails verification; refusing to approve it",
            hint="rebuild it with `sqlrelease build` and check it with `sqlrelease verify`",
        )
    digest = bundle_digest(folder)
    approval = {
        "by": by.strip(),
        "digest": digest,
        "at": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    }
    if key_path is not None:
        key = load_private_key(key_path)
        approval["algorithm"] = "ed25519"
        approval["signed"] = "the 64 hex characters of digest, ASCII, no newline"
        approval["signature"] = base64.b64encode(key.sign(digest.encode("ascii"))).decode()
        approval["key_id"] = key_id(key.public_key())
        approval["public_key"] = _public_pem(key.public_key()).decode()
    approvals = read_approvals(folder)
    approvals.append(approval)
    path = approvals_path(folder)
    document = {"release": release or verification.release, "approvals": approvals}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return approval


@dataclass
class ReviewStatus:
    """Whether a bundle is approved as it is now."""

    bundle: str
    status: str  # unreviewed | approved | void
    digest: str | None = None
    approved_by: list[str] = field(default_factory=list)
    void_by: list[str] = field(default_factory=list)  # approvals of earlier content
    signatures: list[dict] = field(default_factory=list)  # per signed current approval: by, key_id, valid
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        if self.status == "approved":
            signed = {s["by"]: s for s in self.signatures}
            names = []
            for by in self.approved_by:
                mark = ""
                if by in signed:
                    valid = signed[by]["valid"]
                    mark = " (signature valid)" if valid else " (signature INVALID)" if valid is False else f" (signed with {signed[by]['key_id']}, not checked)"
                names.append(by + mark)
            return "approved by " + ", ".join(names)
        if self.status == "void":
            return "approval void: content changed since it was approved by " + ", ".join(self.void_by)
        return "unreviewed"

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "digest": self.digest,
            "approved_by": self.approved_by,
            "void_by": self.void_by,
            "signatures": self.signatures,
            "problems": self.problems,
        }


def review_status(folder: Path, pubkeys: Iterable[Path | str] = ()) -> ReviewStatus:
    """The approval state of a bundle; with `pubkeys`, a valid signature by one of them is required."""
    folder = Path(folder)
    result = ReviewStatus(bundle=str(folder), status="unreviewed")
    if not folder.is_dir():
        return result  # verification reports the missing folder
    try:
        approvals = read_approvals(folder)
    except ReviewError as exc:
        result.problems.append(str(exc))
        return result
    if not (folder / bundles.SUMS).exists():
        result.problems.append(f"no {bundles.SUMS}")
        return result
    result.digest = bundle_digest(folder)
    keys = {}
    for path in pubkeys:
        key = load_public_key(path)
        keys[key_id(key)] = key
    # A file changed without updating SHA256SUMS keeps the digest but fails verification: void too.
    intact = bundles.verify(folder).ok
    current = [a for a in approvals if a.get("digest") == result.digest and intact]
    result.approved_by = [str(a.get("by")) for a in current]
    result.void_by = [str(a.get("by")) for a in approvals if a not in current]
    if current:
        result.status = "approved"
    elif approvals:
        result.status = "void"
    for approval in current:
        if "signature" not in approval:
            continue
        valid = _check(approval, result.digest, keys) if keys else None
        result.signatures.append({"by": approval.get("by"), "key_id": approval.get("key_id"), "valid": valid})
    if keys and not any(s["valid"] for s in result.signatures):
        result.problems.append("no valid signature by the given public key(s) over the bundle as it is now")
    return result


def _check(approval: dict, digest: str, keys: dict) -> bool | None:
    """True or False for a signature by one of `keys`; None for one by another key."""
    _, _, InvalidSignature = _crypto()
    key = keys.get(approval.get("key_id"))
    if key is None:
        return None
    try:
        key.verify(base64.b64decode(approval["signature"]), digest.encode("ascii"))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
