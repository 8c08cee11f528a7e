"""Bundles: the files of one release, written atomically, read back and verified.

A bundle is a folder `releases/<name>/` holding `manifest.json`, `SHA256SUMS`,
`README.md` and per dialect `upgrade.sql`, `downgrade.sql`, `stamp.sql` and `baseline.sql`, and
beside those, uncovered by the checksums, `APPROVALS.json`. It is plain files
only. The same bundle may travel as an archive (`<name>.tar.gz`, `<name>.zip`);
`open_bundle` reads either. Building its bytes is pure (`bundle_files`); writing
and verifying are the only side effects here, and verifying needs nothing but
the folder or archive.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import archive, jsontext, messages, schema, statusquery, templates
from .errors import BundleError, WriteError
from .version import VERSION

if TYPE_CHECKING:
    from .history import History
    from .rendered import ReleaseSQL
    from .sqlscript import Script

FORMAT = "sqlrelease-bundle/1"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
README = "README.md"
REVIEW = "REVIEW.md"
# Approvals of the bundle travel inside its folder, outside what SHA256SUMS covers
# (an approval cannot be part of the bytes it approves); approval.py reads and writes it.
APPROVALS = "APPROVALS.json"
SQL_KINDS = ("upgrade", "downgrade", "stamp")


def generator_versions() -> dict[str, str]:
    """The versions that decide a bundle's bytes; read from package metadata, so nothing heavy is imported."""
    return dict(_installed_versions())


@functools.cache
def _installed_versions() -> tuple[tuple[str, str], ...]:
    return (("sqlrelease", VERSION), ("alembic", installed_version("alembic")), ("sqlalchemy", installed_version("sqlalchemy")))


def installed_version(name: str) -> str:
    """`importlib.metadata.version(name)`, read as it reads it (the first `*.dist-info` of that
    name on sys.path, the Version of its METADATA) without importing importlib.metadata, which
    costs more than verifying a bundle. Anything less plain is left to importlib.metadata."""
    wanted = _normal_name(name)
    for entry in sys.path:
        folder = entry or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):
                break  # a zip archive on sys.path: importlib.metadata looks inside
            continue
        try:
            children = os.listdir(folder)
        except OSError:
            break
        matching = [
            child for child in children
            if child.lower().endswith((".dist-info", ".egg-info"))
            and _normal_name(child.lower().rpartition(".")[0].partition("-")[0]) == wanted
        ]
        if len(matching) == 1 and matching[0].lower().endswith(".dist-info") and not folder.lower().endswith(".egg"):
            version = _metadata_version(Path(folder, matching[0], "METADATA"))
            if version is not None:
                return version
        if matching or folder.lower().endswith(".egg"):
            break  # an egg, egg-info or several installs in one folder: importlib.metadata's order decides
    from importlib import metadata

    return metadata.version(name)


def _normal_name(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _metadata_version(path: Path) -> str | None:
    """The Version header of a METADATA file (its headers end at the first empty line)."""
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    return None
                if line.startswith("Version:"):
                    return line[len("Version:"):].strip()
    except (OSError, UnicodeDecodeError):
        return None
    return None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sums_text(files: dict[str, bytes]) -> str:
    """`sha256sum -c` format: two spaces between digest and path, sorted by path."""
    return _sums({path: sha256(data) for path, data in files.items()})


def _sums(digests: dict[str, str]) -> str:
    """`sums_text` of files whose sha256 is known: {path: hex digest}."""
    return "".join(f"{digests[path]}  {path}\n" for path in sorted(digests))


def _context(release_sql: ReleaseSQL, history: "History", stamp: str, name: str):
    from .dialects import DIALECTS
    from .sqlscript import ScriptContext

    return ScriptContext(
        release=release_sql.release,
        dialect=DIALECTS[name],
        history=history,
        version_table=release_sql.version_table,
        stamp=stamp,
        irreversible=release_sql.irreversible,
        bookkeeping=release_sql.bookkeeping,
        source_digest=messages.source_digest(release_sql.release, history),
        releases=release_sql.known,
    )


def bundle_scripts(
    release_sql: ReleaseSQL, history: "History", stamp: str, made: dict[str, Script] | None = None
) -> dict[str, Script]:
    """The SQL files of a bundle, `dialect/kind.sql` -> Script. Same inputs, same text.
    `made`: files made already from the same inputs (`chain_scripts`), taken as they are."""
    # Here, not at the top: reading and verifying bundles (the fleet, verify) never assembles SQL.
    from .dialects import DIALECTS
    from .sqlscript import Script, baseline_script, downgrade_script, stamp_script, step_scripts, upgrade_script

    made = made or {}
    scripts: dict[str, Script] = {}
    for name in sorted(release_sql.upgrade):
        ctx = _context(release_sql, history, stamp, name)
        upgrade, stamped = made.get(f"{name}/upgrade.sql"), made.get(f"{name}/stamp.sql")
        found: dict[str, Script] = {
            "upgrade": upgrade if upgrade is not None else upgrade_script(ctx, release_sql.upgrade[name]),
            "downgrade": downgrade_script(ctx, release_sql.downgrade[name]),
            "stamp": stamped if stamped is not None else stamp_script(ctx),
            "baseline": baseline_script(ctx),
        }
        if DIALECTS[name].steps and ctx.stamp == "inline":
            for step, script in step_scripts(ctx, release_sql.upgrade[name]):
                found[f"steps/{step}"] = script
        if statusquery.has_status_query(name):  # the same query `sqlrelease status` runs
            keeping = release_sql.bookkeeping
            found["status"] = Script(statusquery.status_query(
                DIALECTS[name], release_sql.version_table.qualified, keeping.receipts, keeping.progress))
        for kind, script in found.items():
            scripts[f"{name}/{kind}.sql"] = script
    return scripts


def chain_scripts(release_sql: ReleaseSQL, history: "History", stamp: str, name: str) -> dict[str, Script]:
    """The files of dialect `name` that bring a database from the release's start to its end
    (see `upgrade_texts`), the same as `bundle_scripts` makes them: the expected schema's scratch
    chain needs these alone, and `bundle_scripts` takes them back (`made`)."""
    from .sqlscript import stamp_script, upgrade_script

    ctx = _context(release_sql, history, stamp, name)
    found = {f"{name}/upgrade.sql": upgrade_script(ctx, release_sql.upgrade[name])}
    if stamp == "separate":
        found[f"{name}/stamp.sql"] = stamp_script(ctx)
    return found


def upgrade_texts(scripts: dict[str, Script], stamp: str) -> dict[str, list[str]]:
    """Per dialect, what brings a database from the release's start to its end: upgrade.sql, and
    in separate stamp mode stamp.sql after it."""
    kinds = ("upgrade", "stamp") if stamp == "separate" else ("upgrade",)
    dialects = sorted({path.split("/", 1)[0] for path in scripts})
    return {d: [scripts[f"{d}/{kind}.sql"].text for kind in kinds] for d in dialects}


def bookkeeping_tables(release_sql: ReleaseSQL) -> list[str]:
    """sqlrelease's own tables in a database (the version table, receipts, statement progress): not
    part of its schema."""
    keeping = release_sql.bookkeeping
    return [name for name in (release_sql.version_table.name, keeping.receipts, keeping.progress) if name]


def bundle_files(
    release_sql: ReleaseSQL,
    history: "History",
    stamp: str,
    review: str,
    inputs: dict,
    expected_schema: dict[str, dict] | None = None,
    scripts: dict[str, Script] | None = None,
) -> dict[str, bytes]:
    """All files of a bundle, path -> bytes. Same inputs, same bytes.

    `review` is the text of REVIEW.md, the risk report the reviewer approves with
    the SQL; this module checksums it like every other file and knows nothing of
    what it says. `inputs` are the digests of what decided the bytes besides the
    migrations (see inputs.py), recorded in the manifest as they are.
    `expected_schema` is, per dialect, what the manifest records of the schema
    after the release (expected.py); `scripts` the SQL files when
    `bundle_scripts` made them already.
    """
    from .dialects import DIALECTS  # here: reading and verifying bundles needs no dialect

    scripts = scripts if scripts is not None else bundle_scripts(release_sql, history, stamp)
    files: dict[str, bytes] = {}
    digests: dict[str, str] = {}  # each file's sha256, computed once for the manifest and SHA256SUMS
    stats: dict[str, dict] = {}

    def add(path: str, data: bytes, statements: int = 0) -> None:
        files[path], digests[path] = data, sha256(data)
        stats[path] = {"sha256": digests[path], "bytes": len(data), "statements": statements}

    dialect_names = sorted(release_sql.upgrade)
    for path, script in scripts.items():
        add(path, script.text.encode("utf-8"), script.statements)
    manifest = _manifest(release_sql, history, stamp, dialect_names, stats)
    manifest["inputs"] = inputs
    manifest["expected_schema"] = {
        d: (expected_schema or {}).get(d) or schema.absent("no fingerprint: not recorded") for d in dialect_names
    }
    # The README describes the SQL files; it and the risk report join the manifest's files after it.
    add(README, templates.render(
        "bundle_README.md.j2", manifest=manifest, dialects=[DIALECTS[d] for d in dialect_names]
    ).encode("utf-8"))
    # The risk report is part of what a reviewer approves, so it is checksummed like the SQL.
    add(REVIEW, review.encode("utf-8"))
    manifest["files"] = dict(sorted(stats.items()))
    files[MANIFEST] = (jsontext.indented(manifest) + "\n").encode("utf-8")
    digests[MANIFEST] = sha256(files[MANIFEST])
    files[SUMS] = _sums(digests).encode("utf-8")
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
        # Every script writes a receipt here with its version change (null: switched off), naming the
        # migration sources by source_digest; each holds the database's apply lock while it runs.
        "receipts": release_sql.bookkeeping.receipts,
        # MySQL/MariaDB scripts record here which statement of a migration ran, so a killed apply resumes.
        "progress": release_sql.bookkeeping.progress,
        "source_digest": messages.source_digest(release, history),
        "stamp": stamp,
        "downgrade": "refuses" if any(not i.accepted for i in release_sql.irreversible) else "available",
        "migrations": migrations,
        "dialects": list(dialects),
        "files": dict(sorted(stats.items())),
        "generator": generator_versions(),
    }


def _rendered(release_sql: ReleaseSQL, revision: str) -> dict:
    """How a migration's SQL was made, per `dialect/direction`, where not plainly offline (rehearsed, override),
    and where it holds values computed while the migration ran (`volatile`, rehearsed or offline)."""
    rendered, overrides, data_dependent, volatile = {}, {}, [], []
    for dialect in sorted(release_sql.upgrade):
        for direction, sql in (("upgrade", release_sql.upgrade[dialect][revision]), ("downgrade", release_sql.downgrade[dialect][revision])):
            origin, key = sql.origin, f"{dialect}/{direction}"
            if sql.volatile:
                volatile.append(key)
            if origin == "offline":
                continue
            rendered[key] = origin
            if origin == "override":
                overrides[key] = {"file": sql.source, "sha256": sql.source_sha256}
            if sql.data_dependent:
                data_dependent.append(key)
    extra = {"rendered": rendered} if rendered else {}
    if overrides:
        extra["overrides"] = overrides
    if data_dependent:
        extra["data_dependent"] = data_dependent
    if volatile:
        extra["volatile"] = volatile
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

    The files go to a temporary folder beside the target (`stage_bundle`), which
    then replaces it (`install_bundle`); a failure before that point (a full disk,
    say) leaves the previous bundle untouched and is a BundleError. The bundle's
    approvals file, which the checksums do not cover, is carried over: approvals of
    other bytes then read as void, not lost.
    """
    staging = stage_bundle(folder, files)
    if staging is None:
        return False
    install_bundle(staging, folder)
    return True


def _write_error(folder: Path, exc: OSError) -> WriteError:
    return WriteError(
        f"cannot write the bundle {folder.name}: {exc.strerror or exc}; the previous bundle is unchanged",
        path=str(folder),
        hint="free some space or fix the folder's permissions, then build again",
    )


def stage_bundle(folder: Path, files: dict[str, bytes]) -> Path | None:
    """Write a bundle's files into a new temporary folder beside `folder` and return it (None: the
    folder already holds exactly these files). Nothing is left behind on a failure; a temporary
    folder an interrupted build leaves is removed by the next one (`clean_leftovers`)."""
    if folder.is_dir() and read_files(folder) == files:
        return None
    import tempfile  # here: reading and verifying (plan, verify, check) write nothing

    staging: Path | None = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=TMP_SUFFIX, dir=folder.parent))
        made = {staging}  # each folder made once, not asked for again for each of its files
        for path, data in files.items():
            target = staging / path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(data)
        os.chmod(staging, 0o755)
    except OSError as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise _write_error(folder, exc) from None
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def install_bundle(staging: Path, folder: Path) -> None:
    """Put the bundle `stage_bundle` wrote in the place of `folder`, carrying the approvals file over."""
    try:
        approvals = folder / APPROVALS
        if approvals.is_file() and not approvals.is_symlink():
            shutil.copyfile(approvals, staging / APPROVALS)
        _swap(staging, folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _write_error(folder, exc) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, folder: Path) -> None:
    """Put `staging` in the place of `folder`; if that fails half-way, the old folder goes back."""
    if not folder.exists():
        staging.rename(folder)
        return
    retired = folder.with_name(f".{folder.name}{OLD_SUFFIX}")
    if retired.exists():
        shutil.rmtree(retired)
    folder.rename(retired)
    try:
        staging.rename(folder)
    except BaseException:
        retired.rename(folder)
        raise
    shutil.rmtree(retired, ignore_errors=True)


# -- what an interrupted build leaves behind -----------------------------------------

TMP_SUFFIX = ".tmp"
OLD_SUFFIX = ".old"


def leftovers(parent: Path) -> list[Path]:
    """Staging (`.NAME.*.tmp`) and retired (`.NAME.old`) folders or files a killed build or pack left in `parent`."""
    if not parent.is_dir():
        return []
    return sorted(
        child for child in parent.iterdir()
        if child.name.startswith(".") and child.name.endswith((TMP_SUFFIX, OLD_SUFFIX)) and len(child.name) > 5
    )


def clean_leftovers(parent: Path) -> list[str]:
    """Remove what `leftovers` finds; a retired bundle whose folder is gone (the kill came
    between the two renames) is put back instead. Returns what was done, one line each."""
    done = []
    for path in leftovers(parent):
        name = path.name[1:-len(OLD_SUFFIX)] if path.name.endswith(OLD_SUFFIX) else None
        try:
            if name and path.is_dir() and not (parent / name).exists():
                path.rename(parent / name)
                done.append(f"restored {parent.name}/{name} from {path.name}, left by an interrupted build")
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as exc:
            raise WriteError(f"cannot remove {path.name}, left by an interrupted build: {exc.strerror or exc}", path=str(path)) from None
        done.append(f"removed {parent.name}/{path.name}, left by an interrupted build")
    return done


# -- reading a bundle: a folder or an archive ------------------------------------------


@dataclass
class BundleContent:
    """A bundle as read from a folder or an archive, in memory.

    `files` are the bundle's own files (what SHA256SUMS covers, and SHA256SUMS);
    `approvals` is the raw APPROVALS.json, which the checksums do not cover;
    `irregular` lists every entry that is not a plain file (symlinks, empty
    folders, devices) or cannot belong to a bundle.
    """

    path: Path
    name: str  # what the bundle goes by: its folder's name, or the archive's without .tar.gz/.zip
    files: dict[str, bytes] = field(default_factory=dict)
    approvals: bytes | None = None
    irregular: list[str] = field(default_factory=list)
    archive: bool = False
    top: str | None = None  # an archive's folder: what `tar xzf` / `unzip` creates
    # What was computed from a file's bytes (sha256, the parsed manifest), with those bytes: verifying
    # a bundle again (review status, check) hashes and parses nothing twice, and a file replaced in
    # `files` is computed again.
    _computed: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def digest(self) -> str | None:
        """The bundle digest: sha256 of SHA256SUMS, which covers every other file."""
        return self.sha256_of(SUMS) if SUMS in self.files else None

    def sha256_of(self, path: str) -> str:
        """sha256 of the bundle's file `path`."""
        return self._once(("sha256", path), path, sha256)

    def manifest(self) -> object:
        """manifest.json parsed (any JSON value); ValueError when it is not JSON."""
        parsed = self._once(("json", MANIFEST), MANIFEST, _parse_json)
        if isinstance(parsed, ValueError):
            raise parsed
        return parsed

    def _once(self, key: tuple, path: str, compute):
        data = self.files[path]
        known = self._computed.get(key)
        if known is None or known[0] is not data:
            known = self._computed[key] = (data, compute(data))
        return known[1]


def _parse_json(data: bytes):
    try:
        return json.loads(data)
    except ValueError as exc:
        return exc


def is_bundle(path: Path) -> bool:
    """Whether `path` is a bundle: an archive file, or a folder with a manifest or SHA256SUMS."""
    path = Path(path)
    if path.is_file():
        return archive.suffix_of(path) is not None
    return path.is_dir() and ((path / MANIFEST).exists() or (path / SUMS).exists())


def bundle_paths(path: Path | str) -> list[Path]:
    """The bundles at `path`: itself, or, for a folder holding bundles (such as `releases/`),
    each bundle folder and archive in it, by name. Hidden entries are skipped."""
    path = Path(path)
    if not path.is_dir() or is_bundle(path):
        return [path]
    children = sorted(c for c in path.iterdir() if not c.name.startswith(".") and is_bundle(c))
    return children or [path]


def name_of(path: Path) -> str:
    """The name a bundle goes by: its folder's name (`.` resolved), or its archive's without the suffix."""
    path = Path(path)
    suffix = archive.suffix_of(path)
    if suffix and not path.is_dir():
        return path.name[: -len(suffix)]
    return path.resolve().name if path.name in ("", ".", "..") else path.name


def open_bundle(path: Path | str) -> BundleContent:
    """Read a bundle folder or archive (`.tar.gz`, `.zip`) into memory; needs no project.

    A path that is neither is a BundleError; what is wrong inside a bundle is
    not an error here but part of the content (`irregular`), for `verify` to report.
    """
    path = Path(path)
    content = BundleContent(path=path, name=name_of(path))
    if path.is_dir():
        _read_folder(path, "", content)
        return content
    if not path.exists():
        raise BundleError(f"{path} does not exist", path=str(path))
    if archive.suffix_of(path) is None:
        raise BundleError(f"{path} is neither a bundle folder nor a bundle archive (.tar.gz, .zip)", path=str(path))
    try:
        unpacked = archive.read(path)
    except archive.ArchiveError as exc:
        raise BundleError(f"{path.name}: {exc}", path=str(path)) from None
    content.archive, content.top, content.irregular = True, unpacked.top, unpacked.irregular
    for inner, data in sorted(unpacked.files.items()):
        if inner == APPROVALS:
            content.approvals = data
        else:
            content.files[inner] = data
    return content


def _read_folder(folder: Path | str, prefix: str, content: BundleContent) -> None:
    """Plain files of `folder` into `content`; anything else into `content.irregular` (never followed)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        content.irregular.append(f"cannot read {prefix or './'}: {exc.strerror or exc}")
        return
    if not entries and prefix:
        content.irregular.append(f"empty folder: {prefix}")
    for entry in entries:
        inner = prefix + entry.name
        if entry.is_symlink():
            content.irregular.append(f"not a plain file (symlink): {inner} -> {_link_target(entry.path)}")
        elif entry.is_dir(follow_symlinks=False):
            _read_folder(entry.path, inner + "/", content)
        elif entry.is_file(follow_symlinks=False):
            try:
                data = read_bytes(entry.path)
            except OSError as exc:
                content.irregular.append(f"cannot read {inner}: {exc.strerror or exc}")
                continue
            if inner == APPROVALS:
                content.approvals = data
            else:
                content.files[inner] = data
        else:
            content.irregular.append(f"not a plain file (device, pipe or socket): {inner}")


def read_bytes(path: str) -> bytes:
    """The bytes of file `path`, with as few system calls and objects as it takes: `check` reads
    every file of every bundle (thousands at 1,000 revisions), and every revision file."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        size = os.fstat(fd).st_size
        parts = []
        while True:  # until end of file: a file that grew since fstat is read whole
            part = os.read(fd, size + 1 if not parts else 1 << 20)
            if not part:
                break
            parts.append(part)
    finally:
        os.close(fd)
    return parts[0] if len(parts) == 1 else b"".join(parts)  # b"" for an empty file


def _link_target(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def read_files(folder: Path) -> dict[str, bytes]:
    """The bundle's own files in a folder, path (with /) -> bytes: plain files only, APPROVALS.json left out."""
    return open_bundle(folder).files if Path(folder).is_dir() else {}


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


def archive_bytes(content: BundleContent, suffix: str = ".tar.gz") -> bytes:
    """The reproducible archive (`.tar.gz` or `.zip`) of a bundle: its files and APPROVALS.json in
    one folder named after its release; the same bundle gives the same bytes anywhere."""
    release = _manifest_release(content) or content.name
    files = dict(content.files)
    if content.approvals is not None:
        files[APPROVALS] = content.approvals
    return archive.pack(release, files, suffix)


def _manifest_release(content: BundleContent) -> str | None:
    try:
        release = json.loads(content.files.get(MANIFEST, b"")).get("release")
    except (ValueError, AttributeError):
        return None
    return release if isinstance(release, str) else None


def extract(content: BundleContent, folder: Path) -> Path:
    """Write a bundle read by `open_bundle` (an archive, say) as plain files into the new folder
    `folder`, so its SQL files can be fed to a client; returns `folder`."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=False)
        files = dict(content.files)
        if content.approvals is not None:
            files[APPROVALS] = content.approvals
        for path, data in files.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    except OSError as exc:
        raise WriteError(f"cannot unpack {content.path.name} into {folder}: {exc.strerror or exc}", path=str(folder)) from None
    return folder


def write_file(target: Path, data: bytes) -> bool:
    """Write `data` to `target` atomically (a temporary file beside it, then a rename); False when
    it held these bytes already. A failure leaves what was there and is a WriteError."""
    if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
        return False
    import tempfile

    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TMP_SUFFIX, dir=target.parent)
        tmp = Path(name)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        tmp.replace(target)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise WriteError(f"cannot write {target.name}: {exc.strerror or exc}; nothing was changed", path=str(target)) from None
    return True


# -- verifying --------------------------------------------------------------------------


@dataclass
class Verification:
    """What `verify` found in a bundle folder or archive."""

    bundle: str
    release: str | None = None
    problems: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    not_plain: list[str] = field(default_factory=list)  # symlinks, empty folders, devices: a bundle is plain files
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not (self.problems or self.altered or self.missing or self.extra or self.not_plain)

    def to_dict(self) -> dict:
        return {
            "bundle": self.bundle,
            "release": self.release,
            "ok": self.ok,
            "files_checked": self.checked,
            "altered": self.altered,
            "missing": self.missing,
            "extra": self.extra,
            "not_plain": self.not_plain,
            "problems": self.problems,
        }


_SUMS_LINE = re.compile(r"([0-9a-f]{64})  ([^\x00-\x1f\x7f-\x9f\u2028\u2029\\]+)")


def parse_sums(data: bytes) -> tuple[dict[str, str], list[str]]:
    """SHA256SUMS as `sha256sum` writes it (path -> digest), and what is wrong with it.

    Lines end in `\\n` only (no `\\r`, `\\x0b` or other line end `sha256sum` and
    Python would read differently), paths are plain relative paths, each once.
    """
    problems: list[str] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {}, [f"{SUMS} is not UTF-8 text"]
    if text and not text.endswith("\n"):
        problems.append(f"{SUMS} does not end with a newline")
    sums: dict[str, str] = {}
    for number, line in enumerate(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), start=1):
        match = _SUMS_LINE.fullmatch(line)
        path = match.group(2) if match else ""
        parts = path.split("/")
        if not match or path.startswith("/") or any(p in ("", ".", "..") for p in parts) or path in (SUMS, APPROVALS):
            problems.append(f"{SUMS}:{number}: not a `sha256sum` line of a bundle file: {line!r}")
        elif path in sums:
            problems.append(f"{SUMS}:{number}: lists {path} twice")
        else:
            sums[path] = match.group(1)
    return sums, problems


def verify(
    bundle: "Path | str | BundleContent", shown: str | None = None, release: str | None = None, check_name: bool = True
) -> Verification:
    """Check a bundle folder or archive against its SHA256SUMS and manifest; needs no project.

    The bundle must be plain files only, and the name it goes by (its folder,
    or its archive without .tar.gz/.zip, and the folder an archive unpacks to)
    must be the release its manifest names, unless `release` says which release
    a renamed copy is meant to be (`check_name=False`: the bytes only).
    """
    if not isinstance(bundle, BundleContent):
        try:
            bundle = open_bundle(bundle)
        except BundleError as exc:
            return Verification(bundle=shown or str(bundle), problems=[exc.message])
    result = Verification(bundle=shown or str(bundle.path))
    files = bundle.files
    result.not_plain = list(bundle.irregular)
    sums: dict[str, str] = {}
    if SUMS not in files:
        result.missing.append(SUMS)
    else:
        sums, problems = parse_sums(files[SUMS])
        result.problems += problems
    for path, digest in sorted(sums.items()):
        if path not in files:
            result.missing.append(path)
        elif bundle.sha256_of(path) != digest:
            result.altered.append(path)
        else:
            result.checked += 1
    result.extra = sorted(p for p in files if p != SUMS and p not in sums)
    manifest = _verify_manifest(bundle, sums, result)
    if manifest is not None and check_name:
        _verify_name(bundle, manifest, release, result)
    result.missing.sort()
    result.altered.sort()
    return result


def _verify_manifest(bundle: BundleContent, sums: dict[str, str], result: Verification) -> dict | None:
    files = bundle.files
    if MANIFEST not in files:
        if MANIFEST not in result.missing:
            result.missing.append(MANIFEST)
        return None
    try:
        manifest = bundle.manifest()
    except ValueError as exc:
        result.problems.append(f"{MANIFEST} is not valid JSON: {exc}")
        return None
    if not isinstance(manifest, dict) or not manifest:
        result.problems.append(f"{MANIFEST} is not a bundle manifest")
        return None
    release = manifest.get("release")
    result.release = release if isinstance(release, str) else None
    if result.release is None:
        result.problems.append(f"{MANIFEST} names no release")
    listed = manifest.get("files", {})
    if not isinstance(listed, dict):
        result.problems.append(f"{MANIFEST}: `files` is not an object")
        return None
    for path, entry in sorted(listed.items()):
        if path not in files:
            if path not in result.missing:
                result.missing.append(path)
        elif not isinstance(entry, dict) or entry.get("sha256") != bundle.sha256_of(path) or entry.get("bytes") != len(files[path]):
            if path not in result.altered:
                result.altered.append(path)
    for path in sorted(set(files) - set(listed) - {MANIFEST, SUMS}):
        if path not in result.extra:
            result.extra.append(path)
    dialects = manifest.get("dialects", [])
    for dialect in dialects if isinstance(dialects, list) else []:
        for kind in SQL_KINDS:
            path = f"{dialect}/{kind}.sql"
            if path not in listed:
                result.problems.append(f"{MANIFEST} does not list {path}")
    return manifest


def _verify_name(bundle: BundleContent, manifest: dict, release: str | None, result: Verification) -> None:
    """The swap of two bundles (folders, archives) must not pass: names must agree with the manifest."""
    named = result.release
    if named is None:
        return
    if release is not None:
        if release != named:
            result.problems.append(f"this is the bundle of release {named}, not of release {release}")
        return
    what = "archive" if bundle.archive else "folder"
    if bundle.name != named:
        result.problems.append(
            f"the {what} is named {bundle.name} but holds release {named} (a bundle goes by its release's name; "
            f"to check a renamed copy, say which release it is with --release {named})"
        )
    if bundle.archive and bundle.top is not None and bundle.top != named:
        result.problems.append(f"the archive unpacks to {bundle.top}/ but holds release {named}")
