"""Split arithmetic: exact per-class counts, every class in every split where possible, seeded."""
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.datasets.splits import SplitError, SplitSpec, assign_splits, class_split_counts, split_counts


@pytest.mark.parametrize(
    ("n", "spec", "expected"),
    [
        (100, SplitSpec(70, 15, 15), (70, 15, 15)),
        (10, SplitSpec(70, 15, 15), (7, 2, 1)),  # 7.0/1.5/1.5: the spare image goes to validation (tie order)
        (28, SplitSpec(70, 15, 15), (20, 4, 4)),  # 19.6/4.2/4.2: largest remainder to train
        (29, SplitSpec(70, 15, 15), (20, 5, 4)),
        (3, SplitSpec(70, 15, 15), (1, 1, 1)),  # every split gets one when there are enough
        (2, SplitSpec(70, 15, 15), (1, 1, 0)),  # not enough for all: train, then validation
        (1, SplitSpec(70, 15, 15), (1, 0, 0)),
        (0, SplitSpec(70, 15, 15), (0, 0, 0)),
        (10, SplitSpec(80, 20, 0), (8, 2, 0)),  # a zero share stays empty
        (5, SplitSpec(100, 0, 0), (5, 0, 0)),
        (7, SplitSpec(34, 33, 33), (3, 2, 2)),
    ],
)
def test_split_counts_are_exact(n, spec, expected):
    assert split_counts(n, spec) == expected


@given(n=st.integers(0, 5000), train=st.integers(1, 100), validation=st.integers(0, 100), seed=st.integers(0, 99))
@settings(max_examples=300, deadline=None)
def test_split_counts_add_up_and_stay_near_the_exact_share(n, train, validation, seed):
    validation = min(validation, 100 - train)
    spec = SplitSpec(train, validation, 100 - train - validation, seed)
    counts = split_counts(n, spec)
    assert sum(counts) == n
    wanted = [p > 0 for p in spec.percentages()]
    for count, share, asked in zip(counts, spec.percentages(), wanted, strict=True):
        if not asked:
            assert count == 0
        elif n >= sum(wanted):
            assert count >= 1
            # within one image of the exact share, plus what was moved to give small splits one each
            assert abs(count - n * share / 100) <= 1 + sum(wanted)


def _items(per_class: dict[int, int]) -> list[tuple[str, int]]:
    return [(f"images/{label}-{i}.jpg", label) for label, n in per_class.items() for i in range(n)]


def test_assignment_is_stratified_per_class():
    items = _items({0: 20, 1: 10, 2: 3})
    assigned = assign_splits(items, SplitSpec(70, 15, 15, seed=1))
    per_class = Counter((label, split) for (_, label), split in zip(items, assigned, strict=True))
    assert (per_class[0, "train"], per_class[0, "validation"], per_class[0, "test"]) == (14, 3, 3)
    assert (per_class[1, "train"], per_class[1, "validation"], per_class[1, "test"]) == (7, 2, 1)
    assert (per_class[2, "train"], per_class[2, "validation"], per_class[2, "test"]) == (1, 1, 1)


def test_the_same_seed_gives_the_same_assignment():
    items = _items({0: 50, 1: 50})
    assert assign_splits(items, SplitSpec(seed=7)) == assign_splits(items, SplitSpec(seed=7))
    # ... whatever order the items come in
    reordered = list(reversed(items))
    by_key = dict(zip(reordered, assign_splits(reordered, SplitSpec(seed=7)), strict=True))
    assert [by_key[item] for item in items] == assign_splits(items, SplitSpec(seed=7))


def test_a_different_seed_gives_a_different_assignment():
    items = _items({0: 50, 1: 50})
    first, second = assign_splits(items, SplitSpec(seed=1)), assign_splits(items, SplitSpec(seed=2))
    assert first != second
    assert Counter(first) == Counter(second)  # same counts, different images


def test_the_assignment_is_pinned_across_machines_and_python_versions():
    # sha256 of (seed, key), not hash() or random: this exact assignment holds on every machine and version.
    items = _items({0: 6})
    assert assign_splits(items, SplitSpec(50, 50, 0, seed=3)) == [
        "train", "validation", "validation", "train", "validation", "train"]


def test_class_split_counts_previews_per_class():
    assert class_split_counts([10, 3], SplitSpec(70, 15, 15)) == [
        {"train": 7, "validation": 2, "test": 1}, {"train": 1, "validation": 1, "test": 1}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"train": 70, "validation": 20, "test": 20}, "add up to 100"),
        ({"train": 0, "validation": 50, "test": 50}, "train must be above 0"),
        ({"train": 110, "validation": -10, "test": 0}, "between 0 and 100"),
        ({"train": "70", "validation": 15, "test": 15}, "whole number"),
        ({"train": 70.5, "validation": 14.5, "test": 15}, "whole number"),
        ({"train": 70, "validation": 15, "test": 15, "seed": -1}, "seed"),
        ({"train": 70, "validation": 15, "test": 15, "shuffle": True}, "Unknown split keys: shuffle"),
        ([70, 15, 15], "JSON object"),
    ],
)
def test_a_bad_split_definition_says_what_is_wrong(data, message):
    with pytest.raises(SplitError, match=message):
        SplitSpec.from_dict(data)
