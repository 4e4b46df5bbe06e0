"""The shipped demo dataset: 122 Public Domain / CC0 photos in 4 classes, in demo_data/demo-photos/.

It is ingested once per data folder (the `load_demo` command, which the set-up command runs, or
lazily on first use) into DATA_DIR/demo/<fingerprint>/ with a manifest. Adding it to an account then
only hard-links those prepared files into a new dataset folder (copying where links are not possible)
and writes the rows: no decoding per user. The fingerprint changes when the shipped photos change,
so an updated demo is prepared again.
"""
import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

from django.conf import settings

from studio.datasets import storage
from studio.datasets.ingest import IMAGES_DIR, THUMBS_DIR, ImageRecord, IngestResult, ingest
from studio.datasets.limits import IngestLimits
from studio.datasets.sources import FolderSource

log = logging.getLogger(__name__)

DEMO_FOLDER = "demo-photos"
DEMO_NAME = "Demo photos"
DEMO_DESCRIPTION = (
    "122 real photographs in four classes (fish, monument, renewable_energy, tool), at most 320 px. "
    "Wikimedia Commons photos shipped by GCompris (gcompris-qt-data 3.1); every one is Public Domain or CC0. "
    "Authors, sources and licenses per file: demo_data/demo-photos/<class>/LICENSES.txt and SOURCES.md."
)
# Documentation that travels with the photos, not data.
_IGNORE = frozenset({"LICENSES.txt", "SOURCES.md"})
_MANIFEST = "manifest.json"


def demo_source_dir() -> Path:
    return Path(getattr(settings, "STUDIO_DEMO_DIR", Path(settings.BASE_DIR) / "demo_data" / DEMO_FOLDER))


def _fingerprint(source: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        digest.update(path.relative_to(source).as_posix().encode() + b"\x00")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    limits = IngestLimits.from_settings()  # a different stored size or thumbnail size: prepare again
    digest.update(f"{limits.max_side}:{limits.thumb_side}".encode())
    return digest.hexdigest()[:16]


def demo_prepare() -> Path:
    """Ingest the demo photos once into DATA_DIR/demo/<fingerprint>/; returns that folder."""
    source = demo_source_dir()
    if not source.is_dir():
        raise FileNotFoundError(f"The demo photos are missing: expected them in {source}.")
    root = Path(settings.DATA_DIR) / "demo"
    target = root / _fingerprint(source)
    if (target / _MANIFEST).exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=root))
    try:
        limits = IngestLimits.from_settings()
        result = ingest(FolderSource(source, limits, label="demo photos"), work, limits=limits, ignore_names=_IGNORE)
        manifest = {
            "layout": result.layout, "class_names": result.class_names, "skipped": result.skipped,
            "skipped_count": result.skipped_count, "stats": result.stats,
            "records": [asdict(r) for r in result.records],
        }
        (work / _MANIFEST).write_text(json.dumps(manifest))
        try:
            work.rename(target)
        except OSError:
            if not (target / _MANIFEST).exists():  # not a lost race with a parallel preparer
                raise
        log.info("Prepared the demo dataset in %s (%d images)", target, len(result.records))
        return target
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def _load_manifest(prepared: Path) -> IngestResult:
    data = json.loads((prepared / _MANIFEST).read_text())
    records = [ImageRecord(**r) for r in data["records"]]
    return IngestResult(data["layout"], data["class_names"], records, data["skipped"], data["skipped_count"],
                        data["stats"])


def demo_work_copy() -> tuple[IngestResult, Path]:
    """A work folder in the datasets folder holding the prepared demo files, and their manifest."""
    prepared = demo_prepare()
    result = _load_manifest(prepared)
    work = storage.new_work_dir()
    try:
        for sub in (IMAGES_DIR, THUMBS_DIR):
            (work / sub).mkdir()
            for path in (prepared / sub).iterdir():
                _link_or_copy(path, work / sub / path.name)
    except BaseException:
        storage.remove_tree(work)
        raise
    return result, work


def _link_or_copy(src: Path, dst: Path) -> None:
    # Stored files are never modified in place, so sharing them by hard link is safe; deleting one
    # dataset removes only its own links.
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def demo_info() -> dict:
    """What the datasets page shows before the demo is added."""
    source = demo_source_dir()
    classes = sorted(p.name for p in source.iterdir() if p.is_dir()) if source.is_dir() else []
    return {"name": DEMO_NAME, "description": DEMO_DESCRIPTION, "available": source.is_dir(), "classes": classes}
