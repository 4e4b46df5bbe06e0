"""Where a dataset's files come from: a zip archive or a folder on the server, listed safely.

A source lists its members as `Entry` objects with normalised relative POSIX paths and reads one
member at a time, counting the bytes it actually gets. Nothing here writes to disk: members are read
into memory (bounded per file) and only the normalised images are ever written, under names the
studio makes up, so no name from an archive can steer a write anywhere.

Unsafe archives are refused as a whole (`ArchiveRejected`): absolute paths, `..` parts, too many
members, declared sizes or compression ratios past the limits, or more bytes than declared. Symlinks
and encrypted members are listed with a reason and never followed or read.
"""
import logging
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from studio.datasets.errors import ArchiveRejected, ImageSkipped, TooLarge
from studio.datasets.limits import RATIO_MIN_BYTES, IngestLimits, human_bytes

log = logging.getLogger(__name__)

FILE, DIR, SYMLINK, UNREADABLE = "file", "dir", "symlink", "unreadable"
# Files that operating systems and archivers add beside real data: ignored without a mention.
_NOISE_NAMES = {"thumbs.db", "desktop.ini", "__macosx"}
_CHUNK = 1024 * 1024
_DUPLICATE = "appears twice in the archive; the first copy was used"


@dataclass(frozen=True)
class Entry:
    path: PurePosixPath  # relative, normalised, no '..', no leading '/'
    kind: str  # FILE, DIR, SYMLINK or UNREADABLE
    size: int  # declared size (zip header, or stat) in bytes
    reason: str = ""  # for UNREADABLE: why it cannot be read

    @property
    def name(self) -> str:
        return self.path.as_posix()


class Source(Protocol):
    label: str

    def entries(self) -> list[Entry]: ...

    def read(self, entry: Entry) -> bytes: ...

    def close(self) -> None: ...


def is_noise(path: PurePosixPath) -> bool:
    """Hidden files, macOS resource forks and Windows thumbnails: not data, not worth a mention."""
    return any(part.startswith(".") or part.lower() in _NOISE_NAMES for part in path.parts)


def safe_relative_path(raw: str) -> PurePosixPath:
    """The archive name as a relative POSIX path; raises ArchiveRejected for anything that could
    point outside the dataset (absolute paths, drive letters, '..')."""
    name = raw.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or "\x00" in name:
        raise ArchiveRejected(
            f"The archive contains an absolute path ({raw!r}). Archives may only hold relative paths "
            "such as 'cats/001.jpg'; re-create the zip from inside the dataset folder."
        )
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ArchiveRejected(
            f"The archive contains a path that climbs out of its folder ({raw!r}). Such archives are "
            "refused for safety; re-create the zip without '..' in any name."
        )
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


class _ByteBudget:
    """Counts bytes really read across all members, whatever the headers claimed."""

    def __init__(self, limits: IngestLimits) -> None:
        self.limits = limits
        self.total = 0

    def add(self, n: int) -> None:
        self.total += n
        if self.total > self.limits.max_uncompressed_bytes:
            raise TooLarge(
                f"The archive expands to more than {human_bytes(self.limits.max_uncompressed_bytes)}, "
                "the limit for one dataset (STUDIO_DATASET_MAX_UNCOMPRESSED_BYTES). Split it into "
                "smaller datasets or downscale the images first."
            )


def _read_bounded(stream: BinaryIO, entry: Entry, limits: IngestLimits, budget: _ByteBudget) -> bytes:
    chunks, got = [], 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        got += len(chunk)
        budget.add(len(chunk))
        if got > limits.max_file_bytes:
            raise ImageSkipped(f"larger than {human_bytes(limits.max_file_bytes)} (STUDIO_DATASET_MAX_FILE_BYTES)")
        if got > entry.size:
            # zipfile stops at the declared size, but a folder file may grow while we read it.
            raise ArchiveRejected(f"{entry.name!r} holds more bytes than its header declares; the archive is damaged "
                                  "or crafted. Re-create it.")
        chunks.append(chunk)
    return b"".join(chunks)


class ZipSource:
    """Members of a zip archive (a path or an open binary file, e.g. Django's uploaded file)."""

    def __init__(self, archive: Path | BinaryIO, limits: IngestLimits, label: str = "archive") -> None:
        self.limits, self.label = limits, label
        self._budget = _ByteBudget(limits)
        try:
            self._zip = zipfile.ZipFile(archive)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise ArchiveRejected(
                f"This is not a readable zip archive ({exc}). Upload a .zip with one folder per class, "
                "or a CSV of (file, label) with the images."
            ) from None
        self._infos: dict[PurePosixPath, zipfile.ZipInfo] = {}
        self._entries = self._check(self._zip.infolist())

    def _check(self, infos: list[zipfile.ZipInfo]) -> list[Entry]:
        limits = self.limits
        files = [info for info in infos if not info.is_dir()]
        if len(files) > limits.max_files:
            raise ArchiveRejected(
                f"The archive holds {len(files)} files; at most {limits.max_files} are accepted "
                "(STUDIO_DATASET_MAX_FILES). Split it into several datasets."
            )
        declared = sum(info.file_size for info in files)
        if declared > limits.max_uncompressed_bytes:
            raise TooLarge(
                f"The archive declares {human_bytes(declared)} of uncompressed data; the limit is "
                f"{human_bytes(limits.max_uncompressed_bytes)} (STUDIO_DATASET_MAX_UNCOMPRESSED_BYTES)."
            )
        compressed = sum(info.compress_size for info in files)
        if declared >= RATIO_MIN_BYTES and declared > limits.max_ratio * max(compressed, 1):
            raise ArchiveRejected(
                f"The archive expands {declared / max(compressed, 1):.0f} times (limit {limits.max_ratio:.0f}): "
                "it looks like a zip bomb. Photos barely compress; zip the image files as they are."
            )
        entries: list[Entry] = []
        for info in infos:
            path = safe_relative_path(info.filename)
            if path == PurePosixPath(".") or is_noise(path):
                continue
            if info.is_dir() or info.filename.endswith("\\"):  # old Windows zips end folders with '\\'
                entries.append(Entry(path, DIR, 0))
                continue
            if info.file_size >= RATIO_MIN_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise ArchiveRejected(
                    f"{info.filename!r} expands {info.file_size / max(info.compress_size, 1):.0f} times "
                    f"(limit {limits.max_ratio:.0f}): it looks like a zip bomb, so the archive is refused."
                )
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                entries.append(Entry(path, SYMLINK, info.file_size))
            elif info.flag_bits & 0x1:
                entries.append(Entry(path, UNREADABLE, info.file_size, "encrypted (password-protected) member"))
            elif path in self._infos:
                entries.append(Entry(path, UNREADABLE, info.file_size, _DUPLICATE))
                continue
            else:
                entries.append(Entry(path, FILE, info.file_size))
            self._infos[path] = info
        return entries

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def read(self, entry: Entry) -> bytes:
        try:
            with self._zip.open(self._infos[entry.path]) as stream:
                return _read_bounded(stream, entry, self.limits, self._budget)
        except NotImplementedError as exc:  # before RuntimeError, its base class
            raise ImageSkipped(f"compressed with a method this server cannot read ({exc})") from None
        except (zipfile.BadZipFile, EOFError, zlib.error, RuntimeError, ValueError) as exc:
            raise ImageSkipped(f"damaged archive member ({exc})") from None

    def close(self) -> None:
        self._zip.close()


class FolderSource:
    """Files under a folder on the server. Symlinks are listed and never followed, and each file is
    opened with O_NOFOLLOW so a link swapped in after listing cannot redirect a read."""

    def __init__(self, root: Path, limits: IngestLimits, label: str = "folder") -> None:
        self.limits, self.label = limits, label
        self._budget = _ByteBudget(limits)
        if root.is_symlink():
            raise ArchiveRejected(f"{root} is a symbolic link; give the real folder path.")
        if not root.is_dir():
            raise ArchiveRejected(f"{root} is not a folder.")
        self.root = root.resolve()
        self._entries = list(self._walk())

    def _walk(self) -> Iterator[Entry]:
        stack, count = [self.root], 0
        while stack:
            folder = stack.pop()
            with os.scandir(folder) as it:
                items = sorted(it, key=lambda e: e.name)
            for item in items:
                rel = PurePosixPath(Path(item.path).relative_to(self.root).as_posix())
                if is_noise(rel):
                    continue
                if item.is_symlink():
                    yield Entry(rel, SYMLINK, 0)
                elif item.is_dir(follow_symlinks=False):
                    yield Entry(rel, DIR, 0)
                    stack.append(Path(item.path))
                elif item.is_file(follow_symlinks=False):
                    count += 1
                    if count > self.limits.max_files:
                        raise ArchiveRejected(
                            f"The folder holds more than {self.limits.max_files} files (STUDIO_DATASET_MAX_FILES); "
                            "split it into several datasets."
                        )
                    yield Entry(rel, FILE, item.stat(follow_symlinks=False).st_size)
                else:
                    yield Entry(rel, UNREADABLE, 0, "not a regular file (device, socket or pipe)")

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def read(self, entry: Entry) -> bytes:
        path = self.root.joinpath(*entry.path.parts)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            raise ImageSkipped(f"cannot be opened ({exc.strerror or exc}); symbolic links are not followed") from None
        with os.fdopen(fd, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise ImageSkipped("not a regular file")
            # The size may have changed since listing: allow what is there now, still bounded.
            size = os.fstat(stream.fileno()).st_size
            return _read_bounded(stream, Entry(entry.path, FILE, max(size, entry.size)), self.limits, self._budget)

    def close(self) -> None:
        pass
