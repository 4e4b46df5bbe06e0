"""Augmentation settings of a run, as a plain dict, turned into Keras preprocessing layers.

A run stores e.g. `{"flip": "horizontal", "rotation": 0.1, "zoom": 0.1, "brightness": 0.2,
"contrast": 0.2}`; `augmentation_layers(spec)` checks it and returns the layers in a fixed order.
`check_augmentation(spec)` validates without importing Keras, for the API. Values are Keras's own:
rotation is a fraction of a full turn, zoom/brightness/contrast a fraction up and down. Images are
floats in 0..255 (the pipeline's range), which is what the brightness and contrast layers expect.
"""
from typing import Any

FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")
_FACTOR_LIMITS = {"rotation": 0.5, "zoom": 0.9, "brightness": 1.0, "contrast": 1.0, "translation": 0.5}
KEYS = ("flip", *_FACTOR_LIMITS)


class AugmentationError(ValueError):
    """A spec that cannot be used; the message names the setting and its allowed values."""


def check_augmentation(spec: Any) -> dict[str, Any]:
    """The spec with off settings (None, 0, False) removed; raises AugmentationError."""
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise AugmentationError('Augmentation is a JSON object such as {"flip": "horizontal", "rotation": 0.1}.')
    unknown = set(spec) - set(KEYS)
    if unknown:
        raise AugmentationError(
            f"Unknown augmentation settings: {', '.join(sorted(unknown))}. Known: {', '.join(KEYS)}."
        )
    clean: dict[str, Any] = {}
    flip = spec.get("flip")
    if flip is True:
        flip = "horizontal"
    if flip not in (None, False, "", "none"):
        if flip not in FLIP_MODES:
            raise AugmentationError(f"flip must be one of {', '.join(FLIP_MODES)} (or null), not {flip!r}.")
        clean["flip"] = flip
    for key, limit in _FACTOR_LIMITS.items():
        value = spec.get(key)
        if value in (None, False, 0):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= limit:
            raise AugmentationError(f"{key} must be a number between 0 and {limit}, not {value!r}.")
        clean[key] = float(value)
    return clean


def augmentation_layers(spec: Any, *, seed: int | None = None) -> list:
    """Keras preprocessing layers for a checked spec, in the order flip, rotation, zoom,
    translation, brightness, contrast (geometry first, then colour)."""
    import keras  # imported here so checking a spec never loads Keras

    clean = check_augmentation(spec)
    layers = []
    if "flip" in clean:
        layers.append(keras.layers.RandomFlip(clean["flip"], seed=seed))
    if "rotation" in clean:
        layers.append(keras.layers.RandomRotation(clean["rotation"], fill_mode="reflect", seed=seed))
    if "zoom" in clean:
        layers.append(keras.layers.RandomZoom(clean["zoom"], fill_mode="reflect", seed=seed))
    if "translation" in clean:
        layers.append(keras.layers.RandomTranslation(clean["translation"], clean["translation"], seed=seed))
    if "brightness" in clean:
        layers.append(keras.layers.RandomBrightness(clean["brightness"], value_range=(0, 255), seed=seed))
    if "contrast" in clean:
        layers.append(keras.layers.RandomContrast(clean["contrast"], value_range=(0, 255), seed=seed))
    return layers
