"""Reproducible archives of a folder's files (`.tar.gz`, `.zip`), and reading them back safely.

Same files, same archive bytes, on any machine: entries are sorted, every
folder and file is written with fixed times (1980-01-01, the earliest a zip can
hold), owner 0/0 without names, modes 0755/0644, and the gzip header carries no
time or file name. What an archive writer cannot fix is the compressor itself:
the bytes are the same wherever Python's zlib is the same zlib (the reference
zlib every CPython ships with by default). Reading takes nothing on trust: each
entry is checked to be a plain file or folder inside one top folder.
"""

from __future__ import annotations

import io
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

FORMATS = {"tar.gz": ".tar.gz", "zip": ".zip"}
FIXED_TIME = 315532800  # 1980-01-01T00:00:00Z
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE, FOLDER_MODE = 0o644, 0o755
LEVEL = 9
MAX_BYTES = 1 << 30  # what an archive may unpack to; more is refused, not read


class ArchiveError(Exception):
    """The file is not a readable archive of one folder (the caller names it)."""


def suffix_of(path: Path | str) -> str | None:
    """`.tar.gz` or `.zip` when `path` is named like an archive, else None."""
    name = Path(path).name
    return next((s for s in FORMATS.values() if name.endswith(s) and len(name) > len(s)), None)


def _entries(top: str, files: dict[str, bytes]) -> list[tuple[str, bytes | None]]:
    """(path, bytes) for every file and (path/, None) for every folder, sorted, under `top`."""
    folders = {top}
    for path in files:
        parts = PurePosixPath(path).parts[:-1]
        folders.update(f"{top}/" + "/".join(parts[: i + 1]) for i in range(len(parts)))
    entries = [(f"{folder}/", None) for folder in folders]
    entries += [(f"{top}/{path}", data) for path, data in files.items()]
    return sorted(entries, key=lambda entry: entry[0])


def tar_gz(top: str, files: dict[str, bytes]) -> bytes:
    """A gzip-compressed POSIX tar of `files` inside folder `top`, the same bytes every time."""
    import gzip
    import tarfile

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in _entries(top, files):
            info = tarfile.TarInfo(name.rstrip("/"))
            info.mtime, info.uid, info.gid, info.uname, info.gname = FIXED_TIME, 0, 0, "", ""
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, FOLDER_MODE
                tar.addfile(info)
            else:
                info.mode, info.size = FILE_MODE, len(data)
                tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    # filename="" and mtime=0: the gzip header names no file and no time.
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0, compresslevel=LEVEL) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def zip_bytes(top: str, files: dict[str, bytes]) -> bytes:
    """A deflated zip of `files` inside folder `top`, the same bytes every time."""
    import zipfile

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        for name, data in _entries(top, files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3  # unix, so the modes below are read back
            if data is None:
                info.external_attr = ((stat.S_IFDIR | FOLDER_MODE) << 16) | 0x10
                archive.writestr(info, b"")
            else:
                info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data, compresslevel=LEVEL)
    return packed.getvalue()


def pack(top: str, files: dict[str, bytes], suffix: str) -> bytes:
    """The archive bytes for `suffix` (.tar.gz or .zip)."""
    return tar_gz(top, files) if suffix == ".tar.gz" else zip_bytes(top, files)


@dataclass
class Unpacked:
    """What an archive holds: its top folder, its plain files, and every entry that is not one."""

    top: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    irregular: list[str] = field(default_factory=list)
    folders: set[str] = field(default_factory=set)


def read(path: Path) -> Unpacked:
    """The entries of archive `path` (by its suffix), never written anywhere."""
    # The archive modules are imported when an archive is read or made: verifying a folder needs none.
    import gzip
    import tarfile
    import zipfile

    suffix = suffix_of(path)
    try:
        if suffix == ".tar.gz":
            return _read_tar(path)
        if suffix == ".zip":
            return _read_zip(path)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, gzip.BadGzipFile, ValueError) as exc:
        raise ArchiveError(f"not a readable {suffix} archive: {exc}") from None
    except OSError as exc:
        raise ArchiveError(f"cannot read it: {exc.strerror or exc}") from None
    raise ArchiveError("not an archive (expected a .tar.gz or .zip file)")


def _place(result: Unpacked, name: str) -> str | None:
    """The entry's path inside the top folder ('' for the top folder), or None when it is unsafe."""
    parts = name.rstrip("/").split("/")
    if name.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in name:
        result.irregular.append(f"unsafe path in the archive: {name}")
        return None
    if result.top is None:
        result.top = parts[0]
    if parts[0] != result.top:
        result.irregular.append(f"outside the bundle's folder {result.top}/: {name}")
        return None
    return "/".join(parts[1:])


def _add_file(result: Unpacked, inner: str, data: bytes, total: list[int]) -> None:
    if not inner:
        result.irregular.append(f"a file beside the bundle's folder, not in it: {result.top}")
        return
    total[0] += len(data)
    if total[0] > MAX_BYTES:
        raise ArchiveError(f"it unpacks to more than {MAX_BYTES >> 20} MiB")
    if inner in result.files or inner in result.folders:
        result.irregular.append(f"listed twice in the archive: {inner}")
    result.files[inner] = data


def _read_tar(path: Path) -> Unpacked:
    import tarfile

    result, total = Unpacked(), [0]
    with tarfile.open(path, mode="r:gz") as tar:
        for member in tar:
            inner = _place(result, member.name)
            if inner is None:
                continue
            if member.isdir():
                result.folders.add(inner)
            elif member.isfile():
                if member.size > MAX_BYTES:
                    raise ArchiveError(f"{member.name} is larger than {MAX_BYTES >> 20} MiB")
                _add_file(result, inner, tar.extractfile(member).read(), total)
            else:
                kind = "symlink" if member.issym() else "hard link" if member.islnk() else "special file"
                target = f" -> {member.linkname}" if member.linkname else ""
                result.irregular.append(f"not a plain file ({kind}): {inner}{target}")
    return _empty_folders(result)


def _read_zip(path: Path) -> Unpacked:
    import zipfile

    result, total = Unpacked(), [0]
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            inner = _place(result, info.filename)
            if inner is None:
                continue
            mode = info.external_attr >> 16
            if info.is_dir():
                result.folders.add(inner)
            elif mode and not stat.S_ISREG(mode):
                kind = "symlink" if stat.S_ISLNK(mode) else "special file"
                result.irregular.append(f"not a plain file ({kind}): {inner}")
            else:
                if info.file_size > MAX_BYTES:
                    raise ArchiveError(f"{info.filename} is larger than {MAX_BYTES >> 20} MiB")
                _add_file(result, inner, archive.read(info), total)
    return _empty_folders(result)


def _empty_folders(result: Unpacked) -> Unpacked:
    for folder in sorted(result.folders - {""}):
        if not any(path.startswith(folder + "/") for path in result.files):
            result.irregular.append(f"empty folder: {folder}/")
    return result
