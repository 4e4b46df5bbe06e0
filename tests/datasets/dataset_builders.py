"""Builders for the dataset tests: tiny images and zip archives made in the test itself.

(Imported by name: pytest puts this folder on sys.path, as it does for conftest.py.)"""
import io
import stat
import struct
import zipfile
import zlib

from PIL import Image

COLORS = {"red": (220, 30, 30), "green": (30, 200, 40), "blue": (20, 40, 210)}


def image_bytes(color=(200, 30, 30), size=(8, 6), mode="RGB", fmt="JPEG") -> bytes:
    image = Image.new("RGB", size, color)
    if mode != "RGB":
        image = image.convert(mode)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def jpeg(color="red", size=(8, 6)) -> bytes:
    return image_bytes(COLORS.get(color, color), size)


def png(color="red", size=(8, 6), mode="RGB") -> bytes:
    return image_bytes(COLORS.get(color, color), size, mode=mode, fmt="PNG")


def make_zip(files: dict[str, bytes], *, symlinks: dict[str, str] | None = None, dirs: tuple[str, ...] = (),
             compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name in dirs:
            archive.writestr(zipfile.ZipInfo(name.rstrip("/") + "/"), b"")
        for name, data in files.items():
            archive.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3  # Unix, so the mode bits are meaningful
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return out.getvalue()


def class_zip(classes: dict[str, int] | None = None, *, prefix: str = "",
              extra: dict[str, bytes] | None = None) -> bytes:
    """A zip of class folders: {"red": 3, "green": 2} -> red/0.jpg ... green/1.jpg, each its color."""
    classes = classes or {"red": 3, "green": 3}
    files = {f"{prefix}{name}/{i}.jpg": jpeg(name if name in COLORS else "blue") for name, n in classes.items()
             for i in range(n)}
    files.update(extra or {})
    return make_zip(files)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels and holds almost no data: a decompression bomb's header."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def patch_member(archive: bytes, member: str, *, local_offset: int, central_offset: int, value: bytes) -> bytes:
    """Overwrite a field of one member's local header and central directory entry (offsets from the
    zip specification), to build archives that zipfile itself would never write."""
    data, name = bytearray(archive), member.encode()
    for signature, name_len_at, name_at, offset in ((b"PK\x03\x04", 26, 30, local_offset),
                                                    (b"PK\x01\x02", 28, 46, central_offset)):
        at = data.find(signature)
        while at != -1:
            name_len = struct.unpack_from("<H", data, at + name_len_at)[0]
            if bytes(data[at + name_at: at + name_at + name_len]) == name:
                data[at + offset: at + offset + len(value)] = value
            at = data.find(signature, at + 4)
    return bytes(data)


def understate_size(archive: bytes, member: str, declared: int) -> bytes:
    """A lying zip: the member's uncompressed size in both headers says `declared`."""
    return patch_member(archive, member, local_offset=22, central_offset=24, value=struct.pack("<I", declared))
