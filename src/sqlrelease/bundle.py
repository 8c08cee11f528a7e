"""Bundles: the files of one release, written atomically, read back and verified.

A bundle is a folder `releases/<name>/` holding `manifest.json`, `SHA256SUMS`,
`README.md` and per dialect `upgrade.sql`, `downgrade.sql` and `stamp.sql`.
Building its bytes is pure (`bundle_files`); writing and verifying are the only
side effects here, and verifying needs nothing but the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from importlib import metadata
from typing import TYPE_CHECKING

from . import templates
from .dialects import DIALECTS
from .errors import BundleError
from .rendered import ReleaseSQL
from .sqlscript import Script, ScriptContext, downgrade_script, stamp_script, step_scripts, upgrade_script
from .version import VERSION

if TYPE_CHECKING:
    from .history import History

FORMAT = "sqlrelease-bundle/1"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
README = "README.md"
REVIEW = "REVIEW.md"
SQL_KINDS = ("upgrade", "downgrade", "stamp")


def generator_versions() -> dict[str, str]:
    """The versions that decide a bundle's bytes; read from package metadata, so nothing heavy is imported."""
    return {"sqlrelease": VERSION, "alembic": metadata.version("alembic"), "sqlalchemy": metadata.version("sqlalchemy")}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sums_text(files: dict[str, bytes]) -> str:
    """`sha256sum -c` format: two spaces between digest and path, sorted by path."""
    return "".join(f"{sha256(files[path])}  {path}\n" for path in sorted(files))


def bundle_files(release_sql: ReleaseSQL, history: "History", stamp: str, review: str) -> dict[str, bytes]:
    """All files of a bundle, path -> bytes. Same inputs, same bytes.

    `review` is the text of REVIEW.md, the risk report the reviewer approves with
    the SQL; this module checksums it like every other file and knows nothing of
    what it says.
    """
    release = release_sql.release
    files: dict[str, bytes] = {}
    stats: dict[str, dict] = {}
    dialect_names = sorted(release_sql.upgrade)
    for name in dialect_names:
        ctx = ScriptContext(
            release=release,
            dialect=DIALECTS[name],
            history=history,
            version_table=release_sql.version_table,
            stamp=stamp,
            irreversible=release_sql.irreversible,
        )
        scripts: dict[str, Script] = {
            "upgrade": upgrade_script(ctx, release_sql.upgrade[name]),
            "downgrade": downgrade_script(ctx, release_sql.downgrade[name]),
            "stamp": stamp_script(ctx),
        }
        if DIALECTS[name].steps and ctx.stamp == "inline":
            for step, script in step_scripts(ctx, release_sql.upgrade[name]):
                scripts[f"steps/{step}"] = script
        for kind, script in scripts.items():
            path = f"{name}/{kind}.sql"
            data = script.text.encode("utf-8")
            files[path] = data
            stats[path] = {"sha256": sha256(data), "bytes": len(data), "statements": script.statements}
    manifest = _manifest(release_sql, history, stamp, dialect_names, stats)
    files[README] = templates.render(
        "bundle_README.md.j2", manifest=manifest, dialects=[DIALECTS[d] for d in dialect_names]
    ).encode("utf-8")
    readme = files[README]
    manifest["files"][README] = {"sha256": sha256(readme), "bytes": len(readme), "statements": 0}
    # The risk report is part of what a reviewer approves, so it is checksummed like the SQL.
    files[REVIEW] = review.encode("utf-8")
    manifest["files"][REVIEW] = {"sha256": sha256(files[REVIEW]), "bytes": len(files[REVIEW]), "statements": 0}
    manifest["files"] = dict(sorted(manifest["files"].items()))
    files[MANIFEST] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    files[SUMS] = sums_text(files).encode("utf-8")
    return dict(sorted(files.items()))


def _manifest(release_sql: ReleaseSQL, history: "History", stamp: str, dialects, stats) -> dict:
    release = release_sql.release
    irreversible = {i.revision: i for i in release_sql.irreversible}
    migrations = []
    for revision in release.revisions:
        rev = history.revisions[revision]
        entry = {
            "revision": revision,
            "down_revisions": list(rev.down),
            "depends_on": list(rev.depends_on),
            "message": rev.message,
            "source": history.source_path(revision),
            "source_sha256": history.source_sha256(revision),
            "reversible": revision not in irreversible,
        }
        if revision in irreversible:
            entry["irreversible"] = {
                "reason": irreversible[revision].reason,
                "accepted": irreversible[revision].accepted,
            }
        entry.update(_rendered(release_sql, revision))
        rebuilds = _rebuilds(release_sql, revision)
        if rebuilds:
            entry["rebuilds"] = rebuilds
        migrations.append(entry)
    return {
        "format": FORMAT,
        "release": release.name,
        "previous_release": release.previous,
        "from": list(release.start),
        "to": list(release.end),
        "version_table": release_sql.version_table.qualified,
        "stamp": stamp,
        "downgrade": "refuses" if any(not i.accepted for i in release_sql.irreversible) else "available",
        "migrations": migrations,
        "dialects": list(dialects),
        "files": dict(sorted(stats.items())),
        "generator": generator_versions(),
    }


def _rendered(release_sql: ReleaseSQL, revision: str) -> dict:
    """How a migration's SQL was made, per `dialect/direction`, where not plainly offline (rehearsed, override)."""
    rendered, overrides, data_dependent = {}, {}, []
    for dialect in sorted(release_sql.upgrade):
        for direction, sql in (("upgrade", release_sql.upgrade[dialect][revision]), ("downgrade", release_sql.downgrade[dialect][revision])):
            origin = getattr(sql, "origin", "offline")
            if origin == "offline":
                continue
            key = f"{dialect}/{direction}"
            rendered[key] = origin
            if origin == "override":
                overrides[key] = {"file": sql.source, "sha256": sql.source_sha256}
            if sql.data_dependent:
                data_dependent.append(key)
    if not rendered:
        return {}
    extra = {"rendered": rendered}
    if overrides:
        extra["overrides"] = overrides
    if data_dependent:
        extra["data_dependent"] = data_dependent
    return extra


def _rebuilds(release_sql: ReleaseSQL, revision: str) -> dict[str, list[str]]:
    """Tables the migration rebuilds by copying them, per `dialect/direction` (each file guards their columns)."""
    found = {}
    for dialect in sorted(release_sql.upgrade):
        for direction, by_revision in (("upgrade", release_sql.upgrade), ("downgrade", release_sql.downgrade)):
            tables = [r.table if r.schema is None else f"{r.schema}.{r.table}" for r in by_revision[dialect][revision].rebuilds]
            if tables:
                found[f"{dialect}/{direction}"] = tables
    return found


def write_bundle(folder: Path, files: dict[str, bytes]) -> bool:
    """Write a bundle atomically; returns False when the folder already held exactly these files.

    The files go to a temporary folder beside the target, which then replaces
    it; a failure before that point leaves the previous bundle untouched.
    """
    if folder.is_dir() and read_files(folder) == files:
        return False
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        for path, data in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.chmod(staging, 0o755)
        if folder.exists():
            retired = folder.with_name(f".{folder.name}.old")
            if retired.exists():
                shutil.rmtree(retired)
            folder.rename(retired)
            staging.rename(folder)
            shutil.rmtree(retired)
        else:
            staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return True


def read_files(folder: Path) -> dict[str, bytes]:
    """Every file of a bundle folder, path (with /) -> bytes."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BundleError(f"{folder.name}: no {MANIFEST}", path=str(path)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"{MANIFEST} is not valid JSON: {exc}", path=str(path)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"{MANIFEST} is not a {FORMAT} manifest", path=str(path))
    return manifest


@dataclass
class Verification:
    """What `verify` found in a bundle folder."""

    bundle: str
    release: str | None = None
    problems: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not (self.problems or self.altered or self.missing or self.extra)

    def to_dict(self) -> dict:
        return {
            "bundle": self.bundle,
            "release": self.release,
            "ok": self.ok,
            "files_checked": self.checked,
            "altered": self.altered,
            "missing": self.missing,
            "extra": self.extra,
            "problems": self.problems,
        }


def verify(folder: Path | str, shown: str | None = None) -> Verification:
    """Check SHA256SUMS and the manifest of a bundle folder; needs no project."""
    result = Verification(bundle=shown or str(folder))
    folder = Path(folder)
    if not folder.is_dir():
        result.problems.append(f"{result.bundle} is not a folder")
        return result
    files = read_files(folder)
    sums: dict[str, str] = {}
    if SUMS not in files:
        result.missing.append(SUMS)
    else:
        for number, line in enumerate(files[SUMS].decode("utf-8", "replace").splitlines(), start=1):
            digest, sep, path = line.partition("  ")
            if not sep or len(digest) != 64:
                result.problems.append(f"{SUMS}:{number}: not a `sha256sum` line")
                continue
            sums[path] = digest
    for path, digest in sorted(sums.items()):
        if path not in files:
            result.missing.append(path)
        elif sha256(files[path]) != digest:
            result.altered.append(path)
        else:
            result.checked += 1
    result.extra = sorted(p for p in files if p != SUMS and p not in sums)
    try:
        manifest = json.loads(files[MANIFEST]) if MANIFEST in files else None
    except ValueError as exc:
        manifest = None
        result.problems.append(f"{MANIFEST} is not valid JSON: {exc}")
    if MANIFEST in files and manifest is None and not result.problems:
        result.problems.append(f"{MANIFEST} is empty")
    if manifest is None:
        if MANIFEST not in files and MANIFEST not in result.missing:
            result.missing.append(MANIFEST)
        return result
    result.release = manifest.get("release")
    listed = manifest.get("files", {})
    if not isinstance(listed, dict):
        result.problems.append(f"{MANIFEST}: `files` is not an object")
        return result
    for path, entry in sorted(listed.items()):
        if path not in files:
            if path not in result.missing:
                result.missing.append(path)
        elif not isinstance(entry, dict) or entry.get("sha256") != sha256(files[path]) or entry.get("bytes") != len(files[path]):
            if path not in result.altered:
                result.altered.append(path)
    for path in sorted(set(files) - set(listed) - {MANIFEST, SUMS}):
        if path not in result.extra:
            result.extra.append(path)
    for dialect in manifest.get("dialects", []):
        for kind in SQL_KINDS:
            path = f"{dialect}/{kind}.sql"
            if path not in listed:
                result.problems.append(f"{MANIFEST} does not list {path}")
    result.missing.sort()
    result.altered.sort()
    return result
