"""Safe reading of an uploaded zip of images: nothing is extracted, every read is bounded.

A zip's headers can lie (a 1 kB entry may inflate to gigabytes), so sizes are enforced on the bytes
actually read, not only on the declared sizes. Bad entries become per-file errors; only a file that is
not a zip at all, or a batch over the file-count or total-size limits, is refused as a whole.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from studio.exports.errors import BatchError

# Files that archivers add and nobody means as data (macOS resource forks, Finder and Explorer caches).
_JUNK_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class ZipLimits:
    max_files: int = 1000
    max_file_bytes: int = 20 * 1024 * 1024
    max_total_bytes: int = 512 * 1024 * 1024


@dataclass(frozen=True)
class ZipEntry:
    """One member: its name and bytes, or its name and why it was not read."""

    name: str
    data: bytes | None = None
    error: str | None = None


def safe_member_name(name: str) -> str:
    """The member name as a relative POSIX path; ValueError for absolute paths, '..', drives or NULs."""
    if "\x00" in name:
        raise ValueError("the name contains a NUL character")
    posix = name.replace("\\", "/")
    path = PurePosixPath(posix)
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":") or ".." in path.parts:
        raise ValueError("the path points outside the archive")
    return path.as_posix()


def _is_junk(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return bool(parts) and (parts[0] == "__MACOSX" or parts[-1] in _JUNK_NAMES or parts[-1].startswith("._"))


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _open_zip(source: str | Path | bytes | BinaryIO) -> zipfile.ZipFile:
    try:
        if isinstance(source, (bytes, bytearray, memoryview)):
            return zipfile.ZipFile(io.BytesIO(bytes(source)))
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise BatchError(f"The upload is not a readable zip file ({exc}).") from exc


DEFAULT_LIMITS = ZipLimits()


def iter_zip_files(source: str | Path | bytes | BinaryIO, limits: ZipLimits = DEFAULT_LIMITS) -> Iterator[ZipEntry]:
    """Yield every regular file of the zip (junk skipped) in archive order, read within the limits."""
    zf = _open_zip(source)
    with zf:
        members = [info for info in zf.infolist() if not info.is_dir() and not _is_junk(info.filename)]
        if len(members) > limits.max_files:
            raise BatchError(f"The zip holds {len(members)} files; the limit is {limits.max_files} per batch.")
        declared = sum(info.file_size for info in members)
        if declared > limits.max_total_bytes:
            raise BatchError(
                f"The zip unpacks to {declared:,} bytes; the limit is {limits.max_total_bytes:,} per batch."
            )
        total = 0
        for info in members:
            entry = _read_member(zf, info, limits)
            if entry.data is not None:
                total += len(entry.data)
                # Declared sizes were checked above; this catches headers that understate them.
                if total > limits.max_total_bytes:
                    raise BatchError(f"The zip unpacks to more than the limit of {limits.max_total_bytes:,} bytes.")
            yield entry


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits) -> ZipEntry:
    try:
        name = safe_member_name(info.filename)
    except ValueError as exc:
        return ZipEntry(name=info.filename.replace("\x00", ""), error=f"unsafe path, skipped: {exc}")
    if _is_symlink(info):
        return ZipEntry(name=name, error="a symbolic link, not a file: skipped")
    if info.flag_bits & 0x1:
        return ZipEntry(name=name, error="encrypted entries are not supported")
    if info.file_size > limits.max_file_bytes:
        return ZipEntry(name=name, error=f"{info.file_size:,} bytes; the limit is {limits.max_file_bytes:,} per file")
    try:
        with zf.open(info) as member:
            data = member.read(limits.max_file_bytes + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError, ValueError) as exc:
        # BadZipFile: CRC mismatch or damaged header; zlib.error: damaged deflate data;
        # NotImplementedError: a compression method Python lacks.
        return ZipEntry(name=name, error=f"the entry could not be read ({exc})")
    if len(data) > limits.max_file_bytes:
        return ZipEntry(name=name, error=f"more than the limit of {limits.max_file_bytes:,} bytes per file")
    return ZipEntry(name=name, data=data)
