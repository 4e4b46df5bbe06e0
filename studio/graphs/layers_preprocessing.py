"""Preprocessing and augmentation layers (augmentations only act while training)."""

from __future__ import annotations

from collections.abc import Sequence

from .layers_common import AFFINE_INTERPOLATIONS, FILL_MODES, RESIZE_INTERPOLATIONS, seed
from .limits import MAX_INPUT_DIM
from .params import MISSING, BoolParam, ChoiceParam, FloatParam, IntParam
from .shapes import Shape, need_rank
from .spec import LayerSpec, P

IMAGE_ONLY = {"data_format": ("channels_last", None)}


def _same(ins: Sequence[Shape], _p: P) -> Shape:
    return ins[0]


def _image(ins: Sequence[Shape], _p: P) -> Shape:
    need_rank(ins[0], 4)
    return ins[0]


def _resize_shape(ins: Sequence[Shape], p: P) -> Shape:
    (x,) = ins
    need_rank(x, 4)
    return (None, p["height"], p["width"], x[3])


def _factor(name: str, default: float | None, help: str, *, optional: bool = False) -> FloatParam:
    # Keras also takes (lower, upper) pairs; the studio offers the symmetric single value.
    keras_default = None if optional else MISSING
    return FloatParam(name, default, help, min=0.0, max=1.0, optional=optional, keras_default=keras_default)


def _affine() -> tuple[ChoiceParam, ChoiceParam, FloatParam]:
    return (
        ChoiceParam("fill_mode", "reflect", "How to fill pixels moved in from outside.", choices=FILL_MODES,
                    keras_default="reflect"),
        ChoiceParam("interpolation", "bilinear", "How pixels are sampled.", choices=AFFINE_INTERPOLATIONS,
                    keras_default="bilinear"),
        FloatParam("fill_value", 0.0, "Value used when fill_mode is constant.", keras_default=0.0),
    )  # fmt: skip


SPECS = (
    LayerSpec(
        "Rescaling", "Preprocessing", "Multiplies by scale and adds offset (1/255 maps pixels to 0..1).",
        params=(
            FloatParam("scale", 1 / 255, "Multiplier.", min=-1e6, max=1e6),
            FloatParam("offset", 0.0, "Added after scaling.", min=-1e6, max=1e6, keras_default=0.0),
        ),
        shape=_same, summary=("scale", "offset"),
    ),
    LayerSpec(
        "Resizing", "Preprocessing", "Resizes images to a fixed height and width.",
        params=(
            IntParam("height", 224, "Output height.", min=1, max=MAX_INPUT_DIM, limit="max_input_dim"),
            IntParam("width", 224, "Output width.", min=1, max=MAX_INPUT_DIM, limit="max_input_dim"),
            ChoiceParam("interpolation", "bilinear", "How pixels are sampled.", choices=RESIZE_INTERPOLATIONS,
                        keras_default="bilinear"),
            BoolParam("crop_to_aspect_ratio", False, "Crop instead of distorting the aspect ratio.",
                      keras_default=False),
        ),
        shape=_resize_shape, summary=("height", "width"), import_requires=IMAGE_ONLY,
    ),
    LayerSpec(
        "RandomFlip", "Augmentation", "Randomly mirrors images while training.",
        params=(
            ChoiceParam("mode", "horizontal", "Which flips to draw from.",
                        choices=("horizontal", "vertical", "horizontal_and_vertical"),
                        keras_default="horizontal_and_vertical"),
            seed(),
        ),
        shape=_image, summary=("mode",), import_requires=IMAGE_ONLY,
    ),
    LayerSpec(
        "RandomRotation", "Augmentation", "Randomly rotates images while training.",
        params=(_factor("factor", 0.1, "Largest rotation, as a fraction of a full turn."), *_affine(), seed()),
        shape=_image, summary=("factor",), import_requires=IMAGE_ONLY,
    ),
    LayerSpec(
        "RandomZoom", "Augmentation", "Randomly zooms images in or out while training.",
        params=(
            _factor("height_factor", 0.1, "Largest zoom, as a fraction of the height."),
            _factor("width_factor", None, "Largest zoom in width (empty: same as height).", optional=True),
            *_affine(), seed(),
        ),
        shape=_image, summary=("height_factor",), import_requires=IMAGE_ONLY,
    ),
    LayerSpec(
        "RandomTranslation", "Augmentation", "Randomly shifts images while training.",
        params=(
            _factor("height_factor", 0.1, "Largest vertical shift, as a fraction of the height."),
            _factor("width_factor", 0.1, "Largest horizontal shift, as a fraction of the width."),
            *_affine(), seed(),
        ),
        shape=_image, summary=("height_factor", "width_factor"), import_requires=IMAGE_ONLY,
    ),
    LayerSpec(
        "RandomContrast", "Augmentation", "Randomly changes image contrast while training.",
        params=(_factor("factor", 0.2, "Largest contrast change, as a fraction."), seed()),
        shape=_image, summary=("factor",),
    ),
)  # fmt: skip
