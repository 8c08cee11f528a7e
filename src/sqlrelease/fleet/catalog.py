"""The releases a fleet can be brought to, read from bundle manifests alone.

A DBA's machine may hold only `releases/` (or a few bundle folders): every
folder with a `manifest.json` is a release. Linked by `previous_release`, they
form one line. A bundle may also be an archive made by `sqlrelease pack` (`.tar.gz`,
`.zip`): its manifest is read from the archive, and its files are unpacked only when
they are run (`Catalog.unpack`). Each release also tells, from its migrations' `down_revisions`,
which version-table contents occur inside it (after migration k of n), so a
server stopped in the middle of a release is recognised as such.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import archive, bundle as bundles
from ..errors import BundleError
from .inventory import FleetError

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Position:
    """Where a version-table content sits: in release `index` of the catalog, after `done` of its
    `total` migrations. Index -1 is the start of the first bundle: base, or a release before it."""

    index: int
    release: str | None  # the release the server is at (None: base, or inside `inside`)
    done: int = 0
    total: int = 0
    inside: str | None = None  # the release it stopped inside of

    @property
    def complete(self) -> bool:
        return self.inside is None


@dataclass
class BundleInfo:
    name: str
    folder: Path
    manifest: dict
    previous: str | None
    start: frozenset[str]
    end: frozenset[str]
    migrations: list[dict]
    inside: list[frozenset[str]] = field(default_factory=list)  # version rows after migration k (1..n-1)
    # The archive it was read from; `folder` is then where `tar xzf`/`unzip` beside it would put the
    # files (as commands are shown) until Catalog.unpack writes them somewhere to run them from.
    archive: Path | None = None

    def file(self, dialect: str, kind: str) -> Path:
        return self.folder / dialect / f"{kind}.sql"

    def has(self, dialect: str) -> bool:
        return dialect in self.manifest.get("dialects", [])

    @property
    def version_table(self) -> str:
        return self.manifest.get("version_table", "alembic_version")

    def expected_schema(self, dialect: str) -> dict | None:
        """What the manifest records of the schema after this release (None: a bundle made before
        sqlrelease recorded it)."""
        entry = self.manifest.get("expected_schema", {}).get(dialect)
        return entry if isinstance(entry, dict) else None


def _heads_after(start: frozenset[str], migrations: list[dict]) -> list[frozenset[str]]:
    """The version rows after each migration: a migration replaces the heads it follows."""
    heads = set(start)
    after = []
    for migration in migrations:
        heads -= set(migration.get("down_revisions") or [])
        heads.add(migration["revision"])
        after.append(frozenset(heads))
    return after


@dataclass
class Catalog:
    """Releases in apply order, and where any version-table content sits among them."""

    folder: Path
    releases: list[BundleInfo]

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.releases]

    @property
    def last(self) -> BundleInfo:
        return self.releases[-1]

    def get(self, name: str) -> BundleInfo:
        for release in self.releases:
            if release.name == name:
                return release
        raise FleetError(f"release {name!r} has no bundle in {self.folder}", hint=f"releases: {', '.join(self.names)}")

    def index(self, name: str) -> int:
        return self.names.index(self.get(name).name)

    @property
    def version_table(self) -> tuple[str | None, str]:
        """(schema, table) of the version table, the same in every bundle."""
        qualified = self.last.version_table
        schema, _, table = qualified.rpartition(".")
        return (schema or None, table)

    def bookkeeping(self) -> list[str]:
        """sqlrelease's own tables (version table, receipts): never part of a schema compared."""
        manifest = self.last.manifest
        return [name for name in (self.version_table[1], manifest.get("receipts"), manifest.get("progress")) if name]

    def next_migration(self, position: Position) -> tuple[int, int] | None:
        """(release index, migration number 1..n) of the migration that runs next from `position`;
        None past the last bundle."""
        if not position.complete:
            return self.index(position.inside), position.done + 1
        if position.index + 1 < len(self.releases):
            return position.index + 1, 1
        return None

    def step(self, index: int, number: int, dialect: str) -> str | None:
        """The bundle path (relative to its folder) of the step script of migration `number` of release
        `index`, for `dialect`; None when the bundle has no step scripts for it."""
        release = self.releases[index]
        revision = release.migrations[number - 1]["revision"]
        for path in release.manifest.get("files", {}):
            head, _, name = path.rpartition("/")
            if head == f"{dialect}/steps" and name.endswith(f"-{revision}.sql") and name.split("-", 1)[0].isdigit() \
                    and int(name.split("-", 1)[0]) == number:
                return path
        return None

    def records_schema(self, dialect: str) -> bool:
        """Whether any bundle records an expected schema of `dialect` to compare targets with."""
        return any((r.expected_schema(dialect) or {}).get("fingerprint") for r in self.releases)

    def unpack(self, infos, into: Path) -> None:
        """Write the files of the archived bundles among `infos` into the folder `into`, and run them
        from there (folder bundles are run where they are)."""
        for info in infos:
            if info.archive is not None:
                content = bundles.open_bundle(info.archive)
                info.folder = bundles.extract(content, Path(into) / content.name)

    def locate(self, versions: frozenset[str]) -> Position | None:
        """The release position of these version rows; base (empty) is before the first release."""
        for index, release in enumerate(self.releases):
            if versions == release.end:
                return Position(index, release.name)
        for index, release in enumerate(self.releases):
            for done, heads in enumerate(release.inside, start=1):
                if versions == heads:
                    return Position(index - 1, release.previous, done, len(release.migrations), release.name)
        if versions == self.releases[0].start:
            return Position(-1, self.releases[0].previous)
        return None


def load_catalog(folder: Path) -> Catalog:
    """Every bundle in `folder` (folders, and archives made by `sqlrelease pack`), or the one archive
    `folder` names, ordered by `previous_release`; refuses a set that is not one line. A folder and an
    archive of one name: the folder is used, the archive not read."""
    folder = Path(folder)
    if folder.is_file() and archive.suffix_of(folder):
        found = {}
        _add(found, _archived(folder))
        return Catalog(folder=folder.parent, releases=_ordered(found, folder))
    if not folder.is_dir():
        raise FleetError(f"bundle folder {folder} does not exist", hint="pass --bundles DIR (the folder holding the release bundles)")
    found: dict[str, BundleInfo] = {}
    children = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    folders = [p for p in children if p.is_dir() and (p / bundles.MANIFEST).is_file()]
    for sub in folders:
        try:
            manifest = bundles.read_manifest(sub)
        except BundleError as exc:
            raise FleetError(exc.message, path=exc.path) from None
        _add(found, _info(manifest, sub))
    names = {p.name for p in folders}
    for path in children:
        if path.is_file() and archive.suffix_of(path) and bundles.name_of(path) not in names:
            _add(found, _archived(path))
    if not found:
        raise FleetError(f"{folder} holds no bundles (folders with {bundles.MANIFEST}, or archives)", hint="pass --bundles DIR")
    return Catalog(folder=folder, releases=_ordered(found, folder))


def _info(manifest: dict, folder: Path, packed: Path | None = None) -> BundleInfo:
    info = BundleInfo(
        name=manifest.get("release"),
        folder=folder,
        manifest=manifest,
        previous=manifest.get("previous_release"),
        start=frozenset(manifest.get("from", [])),
        end=frozenset(manifest.get("to", [])),
        migrations=list(manifest.get("migrations", [])),
        archive=packed,
    )
    info.inside = _heads_after(info.start, info.migrations)[:-1]
    return info


def _archived(path: Path) -> BundleInfo:
    """A bundle archive's manifest, read without unpacking it."""
    try:
        content = bundles.open_bundle(path)
    except BundleError as exc:
        raise FleetError(exc.message, path=exc.path) from None
    data = content.files.get(bundles.MANIFEST)
    try:
        manifest = json.loads(data.decode("utf-8")) if data is not None else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise FleetError(f"{path.name}: {bundles.MANIFEST} is not valid JSON: {exc}", path=str(path)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != bundles.FORMAT:
        raise FleetError(f"{path.name}: no {bundles.FORMAT} {bundles.MANIFEST} in the archive", path=str(path))
    return _info(manifest, path.parent / (content.top or content.name), packed=path)


def _add(found: dict[str, BundleInfo], info: BundleInfo) -> None:
    name = info.name
    if name in found:
        first, second = (found[name].archive or found[name].folder), (info.archive or info.folder)
        raise FleetError(f"release {name} has two bundles: {first.name} and {second.name}", path=str(second))
    found[name] = info


def _ordered(found: dict[str, BundleInfo], folder: Path) -> list[BundleInfo]:
    followers: dict[str | None, list[BundleInfo]] = {}
    for info in found.values():
        followers.setdefault(info.previous, []).append(info)
    firsts = [i for i in found.values() if i.previous is None or i.previous not in found]
    if len(firsts) != 1 or any(len(v) > 1 for v in followers.values()):
        split = next((v for v in followers.values() if len(v) > 1), firsts)
        raise FleetError(
            f"the bundles in {folder} do not form one line of releases ({', '.join(sorted(i.name for i in split))} "
            "follow the same release or start separately)",
            hint="keep one product's bundles per folder; a missing release in between must be copied too",
        )
    ordered = [firsts[0]]
    while followers.get(ordered[-1].name):
        ordered.append(followers[ordered[-1].name][0])
    tables = {info.version_table for info in ordered}
    if len(tables) > 1:
        raise FleetError(f"the bundles in {folder} use different version tables: {', '.join(sorted(tables))}")
    for part in next(iter(tables)).split("."):
        if not IDENTIFIER.match(part):
            raise FleetError(f"version table {next(iter(tables))!r} in the manifests is not a plain identifier")
    return ordered
