"""A run's training input: rows (images or cached features) by index, batched in an order fixed by (seed, epoch).

Why not a reshuffling tf.data pipeline: the order of epoch e is a pure function of (seed, e)
(a stateless shuffle), so a run resumed at epoch e sees exactly the batches it would have seen
without the interruption, and training on cached frozen-prefix features sees the very same batches
as training on the images. Images are decoded and resized once with the datasets app's
`decode_and_resize` (0..255 floats, bilinear, no aspect preservation), rounded to bytes and kept in
memory while they fit the budget; larger sets are decoded from disk each epoch the same way.
"""
import logging
import math
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from studio.datasets.augmentation import augmentation_layers
from studio.datasets.pipeline import decode_and_resize

log = logging.getLogger(__name__)
AUTOTUNE = tf.data.AUTOTUNE
DECODE_BATCH = 64


def _load_one(path: tf.Tensor, size: tuple[int, int], channels: int) -> tf.Tensor:
    image = tf.round(decode_and_resize(path, size))
    if channels == 1:
        image = tf.round(tf.image.rgb_to_grayscale(image))
    return tf.cast(tf.clip_by_value(image, 0, 255), tf.uint8)


class Rows:
    """The rows of one split: `batches(indices)` turns a dataset of int64 indices into float batches."""

    def __init__(self, *, table: np.ndarray | None = None, paths: Sequence[str] | None = None,
                 size: tuple[int, int] = (0, 0), channels: int = 3) -> None:
        self.size, self.channels = size, channels
        self._paths = tf.constant(list(paths or []), dtype=tf.string)
        # Kept as a numpy array and gathered through numpy_function: a tf.constant would be copied
        # into every tf.data function graph (2 GB limit), and a tf.Variable would be mirrored onto
        # every GPU under a distribution strategy.
        self._table = table
        self.count = int(table.shape[0]) if table is not None else len(paths or [])

    @classmethod
    def from_files(cls, paths: Sequence[str], *, size: tuple[int, int], channels: int,
                   memory_budget: int) -> "Rows":
        needed = len(paths) * size[0] * size[1] * channels
        if not paths or needed > memory_budget:
            if paths:
                log.info("Streaming %d images from disk (%.1f GB decoded is over the in-memory budget)",
                         len(paths), needed / 1024**3)
            return cls(paths=paths, size=size, channels=channels)
        files = tf.data.Dataset.from_tensor_slices(tf.constant(list(paths), dtype=tf.string))
        decoded = files.map(lambda p: _load_one(p, size, channels), num_parallel_calls=AUTOTUNE).batch(DECODE_BATCH)
        table = np.concatenate([batch.numpy() for batch in decoded])
        return cls(table=table, size=size, channels=channels)

    def batches(self, indices: tf.data.Dataset, batch_size: int) -> tf.data.Dataset:
        """(rows float32, indices) batches."""
        if self._table is not None:
            table = self._table
            dtype = tf.as_dtype(table.dtype)
            row_shape = table.shape[1:]

            def gather(i: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
                rows = tf.numpy_function(lambda idx: table[idx], [i], dtype, stateful=False)
                rows.set_shape((None, *row_shape))
                return tf.cast(rows, tf.float32), i

            return indices.batch(batch_size).map(gather, num_parallel_calls=AUTOTUNE)
        paths, size, channels = self._paths, self.size, self.channels
        return indices.map(lambda i: (tf.cast(_load_one(tf.gather(paths, i), size, channels), tf.float32), i),
                           num_parallel_calls=AUTOTUNE, deterministic=True).batch(batch_size)

    def all_batches(self, batch_size: int) -> tf.data.Dataset:
        return self.batches(tf.data.Dataset.range(self.count), batch_size).map(lambda x, _: x)


def epoch_order(*, count: int, seed: int, epoch: tf.Tensor) -> tf.Tensor:
    """The order of epoch `epoch`: a stateless shuffle keyed by (seed, epoch)."""
    key = tf.stack([tf.constant(seed, tf.int64), tf.cast(epoch, tf.int64)])
    return tf.random.experimental.stateless_shuffle(tf.range(count, dtype=tf.int64), seed=key)


def steps_per_epoch(count: int, batch_size: int) -> int:
    return max(1, math.ceil(count / batch_size))


def _targets(labels: Sequence[int], binary: bool):
    if binary:
        table = tf.constant(np.asarray(labels, dtype=np.float32).reshape(-1, 1))
    else:
        table = tf.constant(np.asarray(labels, dtype=np.int32))
    return table


def training_dataset(rows: Rows, labels: Sequence[int], *, batch_size: int, seed: int, first_epoch: int,
                     epochs: int, binary: bool, class_weights: Sequence[float] | None = None,
                     augmentation: dict | None = None) -> tf.data.Dataset:
    """Exactly (epochs - first_epoch) * steps_per_epoch batches of (x, y[, sample weight]), epoch by epoch;
    give it to fit() with initial_epoch=first_epoch and steps_per_epoch."""
    count = rows.count
    targets = _targets(labels, binary)
    label_ids = tf.constant(np.asarray(labels, dtype=np.int32))
    weights = tf.constant(np.asarray(class_weights, dtype=np.float32)) if class_weights else None

    def one_epoch(epoch: tf.Tensor) -> tf.data.Dataset:
        return rows.batches(tf.data.Dataset.from_tensor_slices(epoch_order(count=count, seed=seed, epoch=epoch)),
                            batch_size)

    ds = tf.data.Dataset.range(first_epoch, epochs).flat_map(one_epoch)
    layers = augmentation_layers(augmentation, seed=seed) if augmentation else []

    def attach(x: tf.Tensor, idx: tf.Tensor):
        for layer in layers:
            x = layer(x, training=True)
        y = tf.gather(targets, idx)
        if weights is None:
            return x, y
        return x, y, tf.gather(weights, tf.gather(label_ids, idx))

    return ds.map(attach, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)


def evaluation_dataset(rows: Rows, labels: Sequence[int], *, batch_size: int, binary: bool) -> tf.data.Dataset:
    """All rows in file order, never augmented."""
    targets = _targets(labels, binary)
    ds = rows.batches(tf.data.Dataset.range(rows.count), batch_size)
    return ds.map(lambda x, idx: (x, tf.gather(targets, idx)), num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)


def balanced_class_weights(labels: Sequence[int], num_classes: int) -> list[float]:
    """n / (k * count_c): every class contributes as much to the loss as if classes were balanced."""
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=num_classes).astype(np.float64)
    total = counts.sum()
    return [float(total / (num_classes * c)) if c else 0.0 for c in counts]
