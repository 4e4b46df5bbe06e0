"""Training / validation / test splits: stratified per class, reproducible from a seed. Pure.

A split is stored as its definition (whole percentages and a seed); which image lands where is
computed from it. Per class, counts come from the exact arithmetic below (largest remainder on
integers, so no float rounding), then every split with a non-zero share gets at least one image when
the class has enough. Images are ordered by a hash of (seed, image key), which depends on nothing but
those two values: the same definition gives the same assignment on any machine or Python version,
and adding images to a class does not move the ones already placed by their order.
"""
import hashlib
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass

TRAIN, VALIDATION, TEST = "train", "validation", "test"
SPLITS = (TRAIN, VALIDATION, TEST)
MAX_SEED = 2**31 - 1


class SplitError(ValueError):
    """A split definition that cannot be used; the message says how to fix it."""


@dataclass(frozen=True)
class SplitSpec:
    train: int = 70
    validation: int = 15
    test: int = 15
    seed: int = 42

    def __post_init__(self) -> None:
        for name in (*SPLITS, "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise SplitError(f"{name} must be a whole number, not {value!r}.")
        for name in SPLITS:
            if not 0 <= getattr(self, name) <= 100:
                raise SplitError(f"{name} must be a percentage between 0 and 100.")
        total = self.train + self.validation + self.test
        if total != 100:
            raise SplitError(f"train + validation + test must add up to 100 (they add up to {total}).")
        if self.train == 0:
            raise SplitError("train must be above 0: a model needs images to learn from.")
        if not 0 <= self.seed <= MAX_SEED:
            raise SplitError(f"seed must be between 0 and {MAX_SEED}.")

    def percentages(self) -> tuple[int, int, int]:
        return self.train, self.validation, self.test

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> "SplitSpec":
        if not isinstance(data, dict):
            raise SplitError('A split is a JSON object like {"train": 70, "validation": 15, "test": 15, "seed": 42}.')
        unknown = set(data) - {*SPLITS, "seed"}
        if unknown:
            raise SplitError(f"Unknown split keys: {', '.join(sorted(unknown))}. Use train, validation, test and seed.")
        defaults = cls()
        return cls(**{name: data.get(name, getattr(defaults, name)) for name in (*SPLITS, "seed")})


def split_counts(n: int, spec: SplitSpec) -> tuple[int, int, int]:
    """How many of a class's n images go to (train, validation, test)."""
    if n < 0:
        raise ValueError("n must not be negative")
    shares = spec.percentages()
    # Largest remainder on integers: floor(n * p / 100), then the leftover images go to the splits
    # with the largest remainders (ties: train, then validation, then test).
    counts = [n * p // 100 for p in shares]
    remainders = [n * p % 100 for p in shares]
    order = sorted(range(3), key=lambda i: (-remainders[i], i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    # Every split that was asked for gets an image when there are enough to go round; take them
    # from the split that has the most.
    wanted = [i for i in range(3) if shares[i] > 0]
    if n >= len(wanted):
        for i in wanted:
            if counts[i] == 0:
                donor = max(range(3), key=lambda j: (counts[j], -j))
                counts[donor] -= 1
                counts[i] += 1
    elif n > 0:
        # Fewer images than splits: training comes first, then validation.
        counts = [0, 0, 0]
        for i in wanted[:n]:
            counts[i] = 1
    return counts[0], counts[1], counts[2]


def _rank(seed: int, key: Hashable) -> bytes:
    return hashlib.sha256(f"{seed}\x00{key}".encode()).digest()


def assign_splits(items: Sequence[tuple[Hashable, int]], spec: SplitSpec) -> list[str]:
    """The split of each (key, label) item, in the order given. Keys must be unique and stable
    (the image's path in the dataset is a good key)."""
    by_label: dict[int, list[int]] = {}
    for index, (_, label) in enumerate(items):
        by_label.setdefault(label, []).append(index)
    result = [""] * len(items)
    for indices in by_label.values():
        ranked = sorted(indices, key=lambda i: (_rank(spec.seed, items[i][0]), i))
        n_train, n_val, _ = split_counts(len(ranked), spec)
        for position, index in enumerate(ranked):
            result[index] = TRAIN if position < n_train else VALIDATION if position < n_train + n_val else TEST
    return result


def class_split_counts(class_counts: Sequence[int], spec: SplitSpec) -> list[dict[str, int]]:
    """Per class, the counts a split would give: what the page shows before saving."""
    return [dict(zip(SPLITS, split_counts(n, spec), strict=True)) for n in class_counts]
