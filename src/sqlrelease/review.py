"""The reviewer's side: the REVIEW.md of a bundle, waivers, and approvals bound to the bundle.

- Waivers live in the project (default `review/waivers.toml`, version controlled).
  Each accepts one finding: rule id + revision + sha256 of the statement. When
  the statement changes, its sha256 does too and the waiver no longer applies.
- Approvals live beside the bundle folder, in `<bundles>/<release>.approvals.json`,
  outside the checksummed set (a bundle is replaced whole when rebuilt, and an
  approval cannot sign a file that contains it). Each approval names the bundle
  digest: the sha256 of its SHA256SUMS file, which covers every other file. With
  a key, the approval carries an Ed25519 signature over the 64 ASCII hex
  characters of that digest, checkable with `openssl pkeyutl -verify -rawin`.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import bundle as bundles
from . import lint, templates, tomlfile
from .errors import BundleError, ConfigError, SqlreleaseError

WAIVERS_HEADER = (
    "# sqlrelease waivers: findings a reviewer accepted, each bound to the rule and the\n"
    "# sha256 of the statement it was found in. Edit with `sqlrelease waive`.\n"
)
APPROVALS_SUFFIX = ".approvals.json"
SHOWN_STATEMENTS = 25  # per migration and dialect in REVIEW.md; the SQL files hold them all
SHOWN_CHARS = 1500


class ReviewError(SqlreleaseError):
    """A waiver, approval or key could not be read, written or checked."""

    kind = "review"


# -- REVIEW.md ------------------------------------------------------------------


def review_document(release_sql, history, findings: list[lint.Finding]) -> str:
    """The bundle's REVIEW.md: per migration, its findings and its statements per dialect."""
    release = release_sql.release
    migrations = []
    for revision in release.revisions:
        own = [f for f in findings if f.revision == revision]
        statements = {}
        for dialect in sorted(release_sql.upgrade):
            sql = release_sql.upgrade[dialect][revision].statements
            shown = [s if len(s) <= SHOWN_CHARS else s[:SHOWN_CHARS] + "\n-- … (cut; see the SQL file)" for s in sql[:SHOWN_STATEMENTS]]
            statements[dialect] = {"shown": shown, "more": max(0, len(sql) - SHOWN_STATEMENTS), "fence": _fence(shown)}
        migrations.append(
            {
                "revision": revision,
                "message": history.revisions[revision].message,
                "source": history.source_path(revision),
                "findings": _grouped(own),
                "statements": statements,
            }
        )
    counts = {s: sum(1 for f in findings if f.severity == s and not f.waived) for s in lint.SEVERITIES}
    return templates.render(
        "REVIEW.md.j2",
        release=release.name,
        migrations=migrations,
        counts=counts,
        waived=sum(1 for f in findings if f.waived),
        summary=_grouped(findings),
        rules=lint.RULES,
    )


def _fence(texts) -> str:
    """A Markdown code fence longer than any run of backticks in the statements."""
    longest = max((len(run) for text in texts for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _grouped(findings: list[lint.Finding]) -> list[dict]:
    """The same finding on several dialects reads as one line naming them all."""
    groups: dict[tuple, dict] = {}
    for f in findings:
        waiver = f.waiver
        key = (f.revision, f.rule, f.detail, f.statement, f.waived)
        group = groups.setdefault(
            key,
            {"finding": f, "dialects": [], "waiver": waiver},
        )
        if f.dialect:
            group["dialects"].append(f.dialect)
    return list(groups.values())


# -- waivers ----------------------------------------------------------------------


def waivers_path(config) -> Path:
    return config.root / (getattr(config, "waivers", None) or "review/waivers.toml")


def load_waivers(config) -> list[lint.Waiver]:
    path = waivers_path(config)
    if not path.exists():
        return []
    shown = config.relative(path)
    data, _ = tomlfile.load(path, ConfigError, shown)
    result = []
    for number, entry in enumerate(data.get("waiver", []), start=1):
        try:
            result.append(
                lint.Waiver(
                    rule=entry["rule"],
                    revision=entry["revision"],
                    sha256=entry["statement_sha256"],
                    reason=entry["reason"],
                    by=entry.get("by", ""),
                    dialect=entry.get("dialect"),
                )
            )
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"waiver #{number} lacks {exc}", path=shown, hint="each [[waiver]] needs rule, revision, statement_sha256, reason") from None
    return result


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON's escapes are valid in TOML basic strings


def add_waivers(config, release: str, findings: Iterable[lint.Finding], reason: str, by: str) -> list[lint.Waiver]:
    """Append a waiver for each finding to the project's waivers file."""
    path = waivers_path(config)
    existing = {(w.rule, w.revision, w.sha256) for w in load_waivers(config)}
    text = path.read_text(encoding="utf-8") if path.exists() else WAIVERS_HEADER
    added = []
    for f in findings:
        if (f.rule, f.revision, f.sha256) in existing:
            continue
        existing.add((f.rule, f.revision, f.sha256))
        lines = [
            "",
            "[[waiver]]",
            f"release = {_toml_string(release)}",
            f"rule = {_toml_string(f.rule)}",
            f"revision = {_toml_string(f.revision)}",
        ]
        if f.dialect:
            lines.append(f"dialect = {_toml_string(f.dialect)}")
        if f.statement:
            lines.append(f"statement = {f.statement}")
        lines += [
            f"statement_sha256 = {_toml_string(f.sha256)}",
            f"excerpt = {_toml_string(f.excerpt)}",
            f"reason = {_toml_string(reason)}",
            f"by = {_toml_string(by)}",
        ]
        text += "\n".join(lines) + "\n"
        added.append(lint.Waiver(f.rule, f.revision, f.sha256, reason, by, f.dialect))
    if added:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return added


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


# -- verbs (the CLI's `lint`, `waive`, `approve`, `keygen`; usable from Python) --------------------


def lint_project(project: Path | str = ".", names: Iterable[str] = (), dialects=None) -> list[lint.Finding]:
    """Findings of the named releases (all when none are named), with the project's waivers applied."""
    from . import commands

    proj = commands.open_project(project)
    releases = commands._select(proj, names)
    chosen = commands._dialects(proj, dialects)
    rendered = commands.render_releases(proj, releases, chosen)
    waivers = load_waivers(proj.config)
    return [f for release in releases for f in lint.lint_release(rendered[release.name], chosen, waivers)]


def waive(
    project: Path | str,
    release: str,
    rule: str,
    revision: str,
    reason: str,
    by: str = "",
    dialect: str | None = None,
    statement: int | None = None,
) -> list[lint.Waiver]:
    """Accept the findings of `rule` in `revision` of `release` (all dialects unless one is named)."""
    from . import commands

    if rule not in lint.RULES:
        raise ReviewError(f"unknown rule {rule!r}", hint=f"rules: {', '.join(lint.RULES)}")
    if not reason.strip():
        raise ReviewError("a waiver needs a --reason")
    proj = commands.open_project(project)
    revision = proj.history.resolve(revision)
    findings = lint_project(project, [release], [dialect] if dialect else None)
    matching = [
        f
        for f in findings
        if f.rule == rule and f.revision == revision and (statement is None or f.statement == statement)
    ]
    if not matching:
        present = sorted({f"{f.rule}" + (f" (statement {f.statement})" if f.statement else "") for f in findings if f.revision == revision})
        raise ReviewError(
            f"release {release}, revision {revision}: no {rule} finding to waive",
            hint=f"findings there: {', '.join(present)}" if present else "that migration has no findings",
        )
    return add_waivers(proj.config, release, matching, reason.strip(), by.strip())


def approve_release(project: Path | str, release: str, by: str, key: Path | str | None = None) -> dict:
    """Approve the built bundle of `release` as it is now."""
    from . import commands

    proj = commands.open_project(project)
    folder = proj.bundle_dir(proj.release(release))
    if not folder.is_dir():
        raise ReviewError(f"release {release} has no bundle at {proj.config.relative(folder)}", hint=f"sqlrelease build {release}")
    approval = approve(folder, by, key, release)
    approval["file"] = proj.config.relative(approvals_path(folder))
    return approval
