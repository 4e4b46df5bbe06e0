"""Reads of datasets, always scoped to an owner: another person's dataset does not exist here."""
from collections import defaultdict
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from studio.datasets import storage
from studio.datasets.models import Dataset, DatasetImage
from studio.datasets.splits import SPLITS


def dataset_list(*, owner: AbstractBaseUser) -> QuerySet[Dataset]:
    return Dataset.objects.filter(owner=owner)


def dataset_list_with_covers(*, owner: AbstractBaseUser) -> QuerySet[Dataset]:
    """The owner's datasets, each annotated with `cover_image_id` (its first image) for the list page."""
    first = DatasetImage.objects.filter(dataset=OuterRef("pk")).order_by("seq").values("id")[:1]
    return dataset_list(owner=owner).annotate(cover_image_id=Subquery(first))


def dataset_get(*, owner: AbstractBaseUser, dataset_id: int) -> Dataset:
    """The owner's dataset; raises Dataset.DoesNotExist for a missing or someone else's id."""
    return Dataset.objects.get(owner=owner, id=dataset_id)


def dataset_image_get(*, owner: AbstractBaseUser, dataset_id: int, image_id: int) -> DatasetImage:
    """One image of one of the owner's datasets (one query); raises DatasetImage.DoesNotExist."""
    return DatasetImage.objects.only("id", "seq", "path", "dataset_id").get(
        id=image_id, dataset_id=dataset_id, dataset__owner=owner
    )


def dataset_images(*, dataset: Dataset, label: int | None = None, split: str | None = None) -> QuerySet[DatasetImage]:
    images = dataset.images.all()
    if label is not None:
        images = images.filter(label=label)
    if split is not None:
        images = images.filter(split=split)
    return images.order_by("seq")


def dataset_split_counts(*, dataset: Dataset) -> dict:
    """{"totals": {split: n}, "per_class": [{"name", "train", "validation", "test"}]} as stored."""
    per_label: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SPLITS, 0))
    for row in dataset.images.values("label", "split").annotate(n=Count("id")).order_by():
        per_label[row["label"]][row["split"]] = row["n"]
    per_class = [{"name": name, **per_label[i]} for i, name in enumerate(dataset.class_names)]
    totals = {split: sum(c[split] for c in per_class) for split in SPLITS}
    return {"totals": totals, "per_class": per_class}


def dataset_examples(*, dataset: Dataset, per_class: int = 4) -> dict[int, list[int]]:
    """Ids of a few images of each class (the first by file number), for the dataset page; one query."""
    first = Window(RowNumber(), partition_by=[F("label")], order_by=F("seq").asc())
    rows = dataset.images.annotate(rank=first).filter(rank__lte=per_class).order_by("label", "seq")
    examples: dict[int, list[int]] = defaultdict(list)
    for image_id, label in rows.values_list("id", "label"):
        examples[label].append(image_id)
    return dict(examples)


def dataset_split_files(*, dataset: Dataset, split: str | None) -> tuple[list[str], list[int]]:
    """Absolute paths of the stored images of one split (None: all) and their label indices, in file
    order: what the training pipeline reads."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}")
    folder = storage.dataset_dir(dataset.id)
    rows = dataset_images(dataset=dataset, split=split).values_list("path", "label")
    paths, labels = [], []
    for path, label in rows:
        paths.append(str(folder / Path(path)))
        labels.append(label)
    return paths, labels
