"""Build a dataset's files from a source: read, check and normalise every image into a work folder.

No Django models here: `ingest()` takes a source and a folder and returns what it found, so the API,
the management commands and a future background job share it (a job passes `progress`, which may
also raise to cancel). Files are written only under the work folder, under names made here:
`images/000001.jpg` and `thumbs/000001.jpg`. Decoding runs on a few threads (Pillow releases the GIL
while it decodes and encodes) while the main thread reads the archive in order.
"""
import logging
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from studio.datasets.errors import DatasetError, ImageSkipped
from studio.datasets.images import NormalisedImage, normalise_image
from studio.datasets.layout import Candidate, plan_layout
from studio.datasets.limits import IngestLimits
from studio.datasets.sources import Source

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]  # (files done, files in total)
IMAGES_DIR, THUMBS_DIR = "images", "thumbs"
MAX_SKIPPED_LISTED = 1000
_LOG_EVERY_S = 5.0


@dataclass(frozen=True)
class ImageRecord:
    seq: int  # the file number: images/{seq:06d}.jpg
    source_path: str  # where it was in the archive or folder
    class_name: str
    width: int
    height: int
    mode: str
    format: str

    @property
    def path(self) -> str:
        return image_relpath(self.seq)


@dataclass
class IngestResult:
    layout: str
    class_names: list[str]  # sorted, every class with at least one image
    records: list[ImageRecord]  # in file-number order
    skipped: list[dict[str, str]]
    skipped_count: int
    stats: dict = field(default_factory=dict)

    def label_of(self, record: ImageRecord) -> int:
        return self._index[record.class_name]

    def __post_init__(self) -> None:
        self._index = {name: i for i, name in enumerate(self.class_names)}

    def class_counts(self) -> list[int]:
        counts = Counter(r.class_name for r in self.records)
        return [counts[name] for name in self.class_names]


def image_relpath(seq: int) -> str:
    return f"{IMAGES_DIR}/{seq:06d}.jpg"


def thumb_relpath(seq: int) -> str:
    return f"{THUMBS_DIR}/{seq:06d}.jpg"


def ingest(source: Source, work_dir: Path, *, limits: IngestLimits, progress: ProgressCallback | None = None,
           ignore_names: frozenset[str] = frozenset(), workers: int | None = None) -> IngestResult:
    """Read every candidate image of `source` into `work_dir`. Raises DatasetError when the input
    cannot make a dataset; per-file problems become `skipped` entries."""
    entries = [e for e in source.entries() if e.path.name not in ignore_names]
    plan = plan_layout(entries, source.read, max_classes=limits.max_classes)
    (work_dir / IMAGES_DIR).mkdir(parents=True, exist_ok=True)
    (work_dir / THUMBS_DIR).mkdir(parents=True, exist_ok=True)
    total, started, last_log = len(plan.candidates), time.monotonic(), time.monotonic()
    log.info("Ingesting %s: %d candidate files in %d classes (%s layout)", source.label, total,
             len(plan.class_names), plan.layout)
    skipped = list(plan.skipped)
    records: list[ImageRecord] = []
    workers = workers or min(4, os.cpu_count() or 1)

    def finish(seq: int, candidate: Candidate, future: Future) -> None:
        try:
            image: NormalisedImage = future.result()
        except ImageSkipped as exc:
            skipped.append({"file": candidate.entry.name, "reason": exc.reason})
            return
        records.append(ImageRecord(seq, candidate.entry.name, candidate.class_name, image.width, image.height,
                                   image.mode, image.format))

    def process(seq: int, data: bytes) -> NormalisedImage:
        image = normalise_image(data, max_side=limits.max_side, thumb_side=limits.thumb_side,
                                max_pixels=limits.max_image_pixels)
        (work_dir / image_relpath(seq)).write_bytes(image.data)
        (work_dir / thumb_relpath(seq)).write_bytes(image.thumbnail)
        return image

    pending: list[tuple[int, Candidate, Future]] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest") as pool:
        try:
            for done, candidate in enumerate(plan.candidates, start=1):
                seq = done
                try:
                    data = source.read(candidate.entry)
                except ImageSkipped as exc:
                    skipped.append({"file": candidate.entry.name, "reason": exc.reason})
                else:
                    pending.append((seq, candidate, pool.submit(process, seq, data)))
                # Keep a bounded window in flight so memory stays flat on big archives.
                while len(pending) > workers * 2:
                    finish(*pending.pop(0))
                if progress is not None:
                    progress(done, total)
                if time.monotonic() - last_log > _LOG_EVERY_S:
                    last_log = time.monotonic()
                    log.info("Ingesting %s: %d/%d files", source.label, done, total)
            while pending:
                finish(*pending.pop(0))
        except BaseException:
            for _, _, future in pending:
                future.cancel()
            raise

    result = _summarise(plan.layout, plan.class_names, records, skipped)
    log.info("Ingested %s: %d images, %d classes, %d skipped in %.1f s", source.label, len(result.records),
             len(result.class_names), result.skipped_count, time.monotonic() - started)
    return result


def _summarise(layout: str, class_names: list[str], records: list[ImageRecord],
               skipped: list[dict[str, str]]) -> IngestResult:
    if not records:
        raise DatasetError("No usable images were found" + _first_reasons(skipped) +
                           ". Accepted: JPEG, PNG, GIF, BMP, TIFF and WebP images in class folders.")
    counts = Counter(r.class_name for r in records)
    for name in class_names:
        if counts[name] == 0:
            skipped.append({"file": f"{name}/", "reason": "empty class: no usable images, so the class was left out"})
    kept = [name for name in class_names if counts[name] > 0]
    if len(kept) < 2:
        only = kept[0]
        raise DatasetError(
            f"Only one class was found ({only!r}, {counts[only]} images). Classification needs at least 2 classes: "
            "put each class in its own folder (cats/..., dogs/...) at the top of the archive."
        )
    records.sort(key=lambda r: r.seq)
    shown = skipped[:MAX_SKIPPED_LISTED]
    if len(skipped) > MAX_SKIPPED_LISTED:
        shown.append({"file": "...", "reason": f"and {len(skipped) - MAX_SKIPPED_LISTED} more files skipped"})
    return IngestResult(layout, kept, records, shown, len(skipped), image_stats(records))


def _first_reasons(skipped: list[dict[str, str]]) -> str:
    if not skipped:
        return ""
    sample = "; ".join(f"{s['file']}: {s['reason']}" for s in skipped[:3])
    return f" ({len(skipped)} files skipped, e.g. {sample})"


def image_stats(records: list[ImageRecord]) -> dict:
    """Size and format summary shown on the dataset page (of the originals, as uploaded)."""
    def summary(values: list[int]) -> dict:
        return {"min": min(values), "max": max(values), "mean": round(statistics.fmean(values), 1),
                "median": statistics.median(values)}

    widths, heights = [r.width for r in records], [r.height for r in records]
    return {
        "count": len(records),
        "width": summary(widths),
        "height": summary(heights),
        "modes": dict(Counter(r.mode for r in records).most_common()),
        "formats": dict(Counter(r.format for r in records).most_common()),
    }
