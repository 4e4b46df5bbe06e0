"""Writes to datasets: create from an archive, a folder or the demo, change the split, delete.

Ingestion (the slow part) runs outside any database transaction, in a work folder inside the datasets
folder; only when it succeeded are the rows written, in one transaction that also moves the folder
into place. So a failure at any point leaves neither rows nor files behind. Every function takes an
optional `progress(done, total)` callback so a background job can call it unchanged later.
"""
import logging
from pathlib import Path
from typing import BinaryIO

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from studio.datasets import demo, storage
from studio.datasets.ingest import IngestResult, ProgressCallback, ingest
from studio.datasets.limits import IngestLimits
from studio.datasets.models import Dataset, DatasetImage
from studio.datasets.sources import FolderSource, Source, ZipSource
from studio.datasets.splits import SPLITS, SplitSpec, assign_splits

log = logging.getLogger(__name__)

_UPDATE_CHUNK = 500


def dataset_create_from_zip(*, owner: AbstractBaseUser, name: str, archive: Path | BinaryIO,
                            source_name: str = "", source: str = Dataset.Source.UPLOAD,
                            progress: ProgressCallback | None = None) -> Dataset:
    """A dataset from a zip (a path, or an open file such as an upload). Raises DatasetError."""
    limits = IngestLimits.from_settings()
    zip_source = ZipSource(archive, limits, label=source_name or "archive")
    return _create(owner=owner, name=name, source=zip_source, kind=source, source_name=source_name,
                   limits=limits, progress=progress)


def dataset_create_from_folder(*, owner: AbstractBaseUser, name: str, folder: Path,
                               progress: ProgressCallback | None = None) -> Dataset:
    """A dataset from a folder of class folders on the server (the import_dataset command)."""
    limits = IngestLimits.from_settings()
    folder_source = FolderSource(folder, limits, label=str(folder))
    return _create(owner=owner, name=name, source=folder_source, kind=Dataset.Source.IMPORT,
                   source_name=folder.name, limits=limits, progress=progress)


def _create(*, owner: AbstractBaseUser, name: str, source: Source, kind: str, source_name: str,
            limits: IngestLimits, progress: ProgressCallback | None) -> Dataset:
    work_dir = storage.new_work_dir()
    try:
        result = ingest(source, work_dir, limits=limits, progress=progress)
        return dataset_save_ingested(owner=owner, name=name, result=result, work_dir=work_dir, kind=kind,
                                     source_name=source_name)
    finally:
        source.close()
        if work_dir.exists():
            storage.remove_tree(work_dir)


def dataset_save_ingested(*, owner: AbstractBaseUser, name: str, result: IngestResult, work_dir: Path, kind: str,
                          source_name: str = "", description: str = "") -> Dataset:
    """Write the rows for an ingested work folder and move the folder into place, all or nothing."""
    spec = SplitSpec()
    labels = [result.label_of(r) for r in result.records]
    splits = assign_splits([(r.path, label) for r, label in zip(result.records, labels, strict=True)], spec)
    final_dir: Path | None = None
    try:
        with transaction.atomic():
            dataset = Dataset.objects.create(
                owner=owner, name=name[:200], description=description, status=Dataset.Status.READY, source=kind,
                source_name=source_name[:255], layout=result.layout,
                classes=[{"name": n, "count": c}
                         for n, c in zip(result.class_names, result.class_counts(), strict=True)],
                image_count=len(result.records), image_stats=result.stats, skipped=result.skipped,
                skipped_count=result.skipped_count, split=spec.as_dict(),
            )
            DatasetImage.objects.bulk_create(
                [DatasetImage(dataset=dataset, seq=r.seq, path=r.path, source_path=r.source_path[:1024], label=label,
                              width=r.width, height=r.height, mode=r.mode[:16], format=r.format[:16], split=split)
                 for r, label, split in zip(result.records, labels, splits, strict=True)],
                batch_size=_UPDATE_CHUNK,
            )
            final_dir = storage.move_into_place(work_dir, dataset.id)
    except BaseException:
        if final_dir is not None and final_dir.exists():
            storage.remove_tree(final_dir)
        raise
    log.info("Dataset %s (%r) created for %s: %d images in %d classes", dataset.id, dataset.name, owner,
             dataset.image_count, len(dataset.classes))
    return dataset


@transaction.atomic
def dataset_set_split(*, dataset: Dataset, spec: SplitSpec) -> Dataset:
    """Store a new split definition and recompute every image's split from it."""
    rows = list(dataset.images.order_by("seq").values_list("id", "path", "label"))
    assigned = assign_splits([(path, label) for _, path, label in rows], spec)
    for split in SPLITS:
        ids = [row[0] for row, s in zip(rows, assigned, strict=True) if s == split]
        for start in range(0, len(ids), _UPDATE_CHUNK):
            DatasetImage.objects.filter(id__in=ids[start:start + _UPDATE_CHUNK]).update(split=split)
    dataset.split = spec.as_dict()
    dataset.save(update_fields=["split", "updated"])
    return dataset


def dataset_rename(*, dataset: Dataset, name: str) -> Dataset:
    dataset.name = name[:200]
    dataset.save(update_fields=["name", "updated"])
    return dataset


def dataset_delete(*, dataset: Dataset) -> None:
    folder = storage.dataset_dir(dataset.id)
    with transaction.atomic():
        dataset.delete()
    # Files go after the rows: a crash in between leaves an orphan folder, never a row without files.
    storage.remove_tree(folder)


def dataset_add_demo(*, owner: AbstractBaseUser) -> tuple[Dataset, bool]:
    """The shipped demo dataset in this person's account: (dataset, created). Idempotent."""
    existing = Dataset.objects.filter(owner=owner, source=Dataset.Source.DEMO).first()
    if existing is not None:
        return existing, False
    result, work_dir = demo.demo_work_copy()
    try:
        dataset = dataset_save_ingested(owner=owner, name=demo.DEMO_NAME, result=result, work_dir=work_dir,
                                        kind=Dataset.Source.DEMO, source_name=demo.DEMO_FOLDER,
                                        description=demo.DEMO_DESCRIPTION)
        return dataset, True
    except IntegrityError:
        # The same person added it in a parallel request a moment ago: that one wins.
        return Dataset.objects.get(owner=owner, source=Dataset.Source.DEMO), False
    finally:
        if work_dir.exists():
            storage.remove_tree(work_dir)
