"""What a run reads from its dataset: the image files and labels of each split, and a summary for pre-flight.

A run uses the dataset's own stored split, or its own validation/test fractions applied with the
datasets app's stratified, seeded assignment (the run's seed), so the split is reproducible too.
"""
from studio.datasets.models import Dataset
from studio.datasets.selectors import dataset_split_counts, dataset_split_files
from studio.datasets.splits import SPLITS, SplitSpec, assign_splits, class_split_counts


def _run_spec(split: dict, seed: int) -> SplitSpec:
    validation, test = round(split["validation"] * 100), round(split["test"] * 100)
    return SplitSpec(train=100 - validation - test, validation=validation, test=test, seed=seed)


def split_files(*, dataset: Dataset, split: str | dict, seed: int) -> dict[str, tuple[list[str], list[int]]]:
    """{"train" | "validation" | "test": (absolute paths, labels)} in file order."""
    if split == "dataset":
        return {name: dataset_split_files(dataset=dataset, split=name) for name in SPLITS}
    paths, labels = dataset_split_files(dataset=dataset, split=None)
    assigned = assign_splits(list(zip(paths, labels, strict=True)), _run_spec(split, seed))
    result: dict[str, tuple[list[str], list[int]]] = {name: ([], []) for name in SPLITS}
    for path, label, name in zip(paths, labels, assigned, strict=True):
        result[name][0].append(path)
        result[name][1].append(label)
    return result


def split_counts(*, dataset: Dataset, split: str | dict, seed: int) -> dict[str, int]:
    if split == "dataset":
        return dataset_split_counts(dataset=dataset)["totals"]
    per_class = class_split_counts([int(c.get("count") or 0) for c in dataset.classes], _run_spec(split, seed))
    return {name: sum(c[name] for c in per_class) for name in SPLITS}


def dataset_summary(*, dataset: Dataset, hp: dict) -> dict:
    """The dataset as the pre-flight check sees it."""
    return {
        "classes": dataset.classes,
        "image_stats": dataset.image_stats,
        "split_counts": split_counts(dataset=dataset, split=hp["split"], seed=hp["seed"]),
    }
