"""`sqlrelease pack`: one reproducible archive file per bundle, for a DBA or an artifact repository.

`releases/<name>.tar.gz` (or `.zip`) holds the bundle folder `<name>/`, its
approvals included; the same bundle gives the same archive bytes on any machine
(archive.py says how). Only a bundle that passes verification is packed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .. import approval, archive
from .. import bundle as bundles
from ..errors import BundleError, InputError
from ..project import Progress, open_project, quiet, select_releases


@dataclass
class Packed:
    release: str
    archive: str  # where it was written, relative to the project when inside it
    sha256: str
    bytes: int
    written: bool  # False: the file held exactly these bytes already

    def to_dict(self) -> dict:
        return {"release": self.release, "archive": self.archive, "sha256": self.sha256, "bytes": self.bytes,
                "status": "written" if self.written else "unchanged"}


def pack(
    project: Path | str = ".",
    names: Iterable[str] = (),
    fmt: str = "tar.gz",
    output: Path | str | None = None,
    progress: Progress = quiet,
) -> list[Packed]:
    """Write `<name>.tar.gz` (or `.zip`) for the built bundles of the named releases (all when
    none are named) into `output` (default: the bundles folder)."""
    if fmt not in archive.FORMATS:
        raise InputError(f"--format {fmt!r}: expected one of {', '.join(archive.FORMATS)}")
    suffix = archive.FORMATS[fmt]
    proj = open_project(project)
    target_folder = Path(output) if output is not None else proj.config.bundles
    if target_folder.exists() and not target_folder.is_dir():
        raise InputError(f"--output {target_folder} is a file, not a folder")
    packed = []
    for release in select_releases(proj, names):
        folder = proj.bundle_dir(release)
        shown = proj.config.relative(folder)
        if not folder.is_dir():
            raise BundleError(f"release {release.name} has no bundle at {shown}", hint=f"sqlrelease build {release.name}")
        moved = approval.migrate_legacy(folder)
        if moved:
            progress(moved)
        content = bundles.open_bundle(folder)
        verification = bundles.verify(content, shown)
        if not verification.ok:
            raise BundleError(f"{shown} fails verification; refusing to pack it",
                              hint=f"see `sqlrelease verify {shown}`; rebuild it with `sqlrelease build {release.name}`")
        data = bundles.archive_bytes(content, suffix)
        target = target_folder / f"{release.name}{suffix}"
        written = bundles.write_file(target, data)
        packed.append(Packed(release.name, proj.config.relative(target), bundles.sha256(data), len(data), written))
    return packed
