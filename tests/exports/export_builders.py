"""Builders for the exports tests: a tiny trained model and encoded images."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

CLASS_NAMES = ["cat", "dog", "fox"]
SIZE = (32, 32)


def _fit(model, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 255, (48, *model.inputs[0].shape[1:])).astype("float32")
    y = rng.integers(0, model.outputs[0].shape[-1], 48)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    return model


def build_tiny(*, policy: str = "float32", augment: bool = True):
    """Input 32x32x3 (named "in", a Python keyword, as in the studio's example graphs) -> augmentation ->
    Rescaling -> Conv2D 4 -> GlobalAveragePooling2D -> Dense 3 softmax, trained one epoch on noise."""
    import keras

    keras.utils.set_random_seed(1)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        inputs = keras.Input((*SIZE, 3), name="in")
        x = inputs
        if augment:
            # Active only in training: an export that leaves them on gives random predictions.
            x = keras.layers.RandomFlip()(x)
            x = keras.layers.RandomRotation(0.1)(x)
        x = keras.layers.Rescaling(1 / 255)(x)
        x = keras.layers.Conv2D(4, 3, activation="relu")(x)
        x = keras.layers.GlobalAveragePooling2D()(x)
        outputs = keras.layers.Dense(len(CLASS_NAMES), activation="softmax", dtype="float32")(x)
        model = keras.Model(inputs, outputs, name="tiny")
    finally:
        keras.config.set_dtype_policy(previous)
    return _fit(model)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), colour=(200, 30, 30), mode: str = "RGB") -> bytes:
    """An encoded image (size is Pillow's (width, height))."""
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, format=fmt)
    return out.getvalue()


def noise_image_bytes(fmt: str = "PNG", size: tuple[int, int] = (48, 40), seed: int = 0) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=fmt)
    return out.getvalue()
