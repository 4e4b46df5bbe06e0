"""tf.data input pipelines for training: the stored files of a split -> (images, labels) batches.

Images come out as float32 tensors of shape (batch, height, width, 3) in 0..255, as
`keras.utils.image_dataset_from_directory` gives them (models rescale inside, e.g. a Rescaling or
VGG16 preprocessing layer); labels are int32 class indices in the dataset's stored class order, for
sparse categorical losses. Training pipelines shuffle (seeded) and apply the run's augmentation;
validation and test pipelines keep file order and never augment.

`build_pipeline` is pure (paths and labels in); `split_pipeline` reads a Dataset's split for it.
"""
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from studio.datasets.augmentation import augmentation_layers

AUTOTUNE = tf.data.AUTOTUNE
# Decoded images are big: bound the shuffle buffer once images (not file names) are shuffled.
MAX_DECODED_SHUFFLE_BUFFER = 2048


def decode_and_resize(path: tf.Tensor, image_size: tuple[int, int]) -> tf.Tensor:
    """One stored JPEG -> float32 (height, width, 3), bilinear resize without keeping the aspect
    ratio (Keras's image_dataset_from_directory default).

    The same pixels as studio.exports.preprocess (Pillow), which prediction and the download bundle
    use: the accurate integer DCT is libjpeg's (and Pillow's) default, where TensorFlow's own default
    (INTEGER_FAST) was measured up to 6 levels off; an antialiased bilinear resize is Pillow's
    BILINEAR filter (measured within 1 level, rounding)."""
    image = tf.io.decode_jpeg(tf.io.read_file(path), channels=3, dct_method="INTEGER_ACCURATE")
    image = tf.image.resize(image, image_size, method="bilinear", antialias=True)
    image.set_shape((image_size[0], image_size[1], 3))
    return image


def build_pipeline(paths: Sequence[str], labels: Sequence[int], *, image_size: tuple[int, int], batch_size: int,
                   training: bool = False, seed: int | None = None, cache: bool | str = False,
                   augmentation: dict[str, Any] | None = None, shuffle: bool | None = None,
                   drop_remainder: bool = False) -> tf.data.Dataset:
    """Batches of (images float32 0..255, labels int32). `cache`: True (memory) or a file path
    prefix: decoded, resized images are kept after the first epoch. `shuffle` defaults to
    `training`; augmentation applies only when `training` is true."""
    if len(paths) != len(labels):
        raise ValueError("paths and labels must have the same length")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    height, width = int(image_size[0]), int(image_size[1])
    shuffle = training if shuffle is None else shuffle
    files = tf.data.Dataset.from_tensor_slices(
        (tf.constant(list(paths), dtype=tf.string), tf.constant(list(labels), dtype=tf.int32))
    )

    def load(path: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return decode_and_resize(path, (height, width)), label

    if cache:
        # Cache decoded images, then shuffle them anew each epoch.
        ds = files.map(load, num_parallel_calls=AUTOTUNE)
        ds = ds.cache(cache if isinstance(cache, str) else "")
        if shuffle:
            ds = ds.shuffle(min(len(paths), MAX_DECODED_SHUFFLE_BUFFER) or 1, seed=seed, reshuffle_each_iteration=True)
    else:
        # Without a cache, shuffle the cheap file names before decoding: a full-size buffer.
        ds = files.shuffle(len(paths) or 1, seed=seed, reshuffle_each_iteration=True) if shuffle else files
        ds = ds.map(load, num_parallel_calls=AUTOTUNE)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    layers = augmentation_layers(augmentation, seed=seed) if training and augmentation else []
    if layers:
        def augment(images: tf.Tensor, batch_labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            for layer in layers:
                images = layer(images, training=True)
            return images, batch_labels

        ds = ds.map(augment, num_parallel_calls=AUTOTUNE)
    return ds.prefetch(AUTOTUNE)


def split_pipeline(dataset: Any, split: str | None, **options: Any) -> tf.data.Dataset:
    """`build_pipeline` over a Dataset's stored split ("train", "validation", "test"; None: all).
    Class names for the model's outputs are `dataset.class_names` (label i is class_names[i])."""
    from studio.datasets.selectors import dataset_split_files  # needs Django; the pure parts do not

    paths, labels = dataset_split_files(dataset=dataset, split=split)
    if not paths:
        raise ValueError(f"The {split or 'whole'} split of dataset {dataset.id} has no images; change the split.")
    return build_pipeline(paths, labels, **options)
