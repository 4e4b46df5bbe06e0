"""The download bundle: a zip that lets someone run the trained model without the studio.

Contents (under one folder named after the zip):
  model.keras         the trained model, without optimizer state (safe-mode loadable)
  classes.json        class names in the order of the model's outputs
  preprocessing.json  input size, colour mode, value range, resampling: how to turn a file into input
  preprocess.py       the studio's own image loader (``studio/exports/preprocess.py``, copied verbatim)
  predict.py          ``python predict.py image.jpg ...``: top-k classes (keras, numpy and Pillow only)
  graph.json          the studio graph the model was compiled from
  model.py            the generated Keras script that builds the same model
  run.json            the run's hyper-parameters and final metrics
  README.txt          what all this is and how to use it
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keras

from studio.exports import preprocess
from studio.exports.model_copies import without_optimizer

logger = logging.getLogger(__name__)

_FILES = Path(__file__).resolve().parent / "bundle_files"
_CHANNELS_TO_MODE = {3: "rgb", 1: "grayscale"}


def preprocessing_spec(model: keras.Model) -> dict[str, Any]:
    """What ``preprocess.load_image_for_model`` does for this model, as written to preprocessing.json."""
    if len(model.inputs) != 1:
        raise ValueError("the bundle's predict.py serves models with exactly one image input")
    shape = tuple(model.inputs[0].shape)
    if len(shape) != 4 or shape[3] not in _CHANNELS_TO_MODE or shape[1] is None or shape[2] is None:
        raise ValueError(f"expected an image input (batch, height, width, 1 or 3 channels), not {shape}")
    return {
        "input_size": [int(shape[1]), int(shape[2])],
        "color_mode": _CHANNELS_TO_MODE[shape[3]],
        "channels": int(shape[3]),
        "dtype": "float32",
        "value_range": [0, 255],
        "scaling": "none outside the model: its own layers (Rescaling, backbone preprocessing) scale the input",
        "resample": "bilinear",
        "exif_orientation": "applied",
        "loader": "preprocess.load_image_for_model",
    }


def _checked_preprocessing(model: keras.Model, given: dict[str, Any] | None) -> dict[str, Any]:
    expected = preprocessing_spec(model)
    spec = {**expected, **(given or {})}
    if [int(v) for v in spec["input_size"]] != expected["input_size"]:
        raise ValueError(
            f"preprocessing input_size {spec['input_size']} does not match the model's input {expected['input_size']}"
        )
    if spec["color_mode"] != expected["color_mode"]:
        raise ValueError(
            f"preprocessing color_mode {spec['color_mode']!r} does not match the model's "
            f"{expected['channels']}-channel input"
        )
    return spec


def _output_units(model: keras.Model) -> int:
    shape = model.outputs[0].shape
    return int(shape[-1]) if shape[-1] is not None else -1


def _jsonable(value: Any) -> Any:
    """Plain JSON: numpy scalars and arrays become Python values, NaN and infinities become null."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(_jsonable(value), indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def _readme(name: str, class_names: Sequence[str], spec: dict[str, Any]) -> str:
    import numpy
    from PIL import __version__ as pillow_version

    backend = keras.config.backend()
    try:
        backend_version = __import__(backend).__version__
    except ImportError:
        backend_version = "?"
    height, width = spec["input_size"]
    return f"""{name}: a model trained in Keras Studio
Exported {datetime.now(UTC):%Y-%m-%d %H:%M UTC}. {len(class_names)} classes: {", ".join(class_names[:20])}{
        " ..." if len(class_names) > 20 else ""
    }

Predict from the command line
  pip install keras=={keras.__version__} {backend}=={backend_version} numpy pillow
  python predict.py photo.jpg other.png            # top 3 classes per image
  python predict.py photo.jpg --top-k 5 --json     # one JSON object per image

Input
  {height} pixels high, {width} wide, {spec["color_mode"]}, float32 values 0..255, bilinear resize,
  EXIF orientation applied. The model scales its input itself: do not divide by 255 beforehand.
  preprocess.py is the exact loader the studio uses; preprocessing.json describes it.

Use the model in Python
  import keras
  model = keras.saving.load_model("model.keras", compile=False)
  probabilities = model.predict(batch)   # batch: (n, {height}, {width}, {spec["channels"]}) float32, 0..255
  Output column i is the class classes.json lists at position i.
  model.keras carries no optimizer state: compile it again to continue training.

Files
  model.keras          the trained model (Keras {keras.__version__}, {backend} {backend_version}, numpy {
        numpy.__version__
    }, Pillow {pillow_version})
  classes.json         class names in output order
  preprocessing.json   how images are prepared
  preprocess.py        the image loader (numpy + Pillow)
  predict.py           the command-line predictor
  graph.json           the network as designed in the studio
  model.py             a standalone Keras script that builds the same network
  run.json             hyper-parameters and final metrics of the training run
"""


def make_bundle(
    model: keras.Model,
    *,
    dest: Path,
    class_names: Sequence[str],
    preprocessing: dict[str, Any] | None,
    graph: dict[str, Any],
    script: str,
    hyperparameters: dict[str, Any],
    metrics: dict[str, Any],
) -> Path:
    """Write the bundle zip to ``dest`` (a file path; its folder is created) and return ``dest``.

    ``preprocessing`` may be None or partial: missing keys come from ``preprocessing_spec(model)``, and
    values that contradict the model's input (size, colour mode) are a ValueError.
    """
    dest = Path(dest)
    class_names = [str(name) for name in class_names]
    units = _output_units(model)
    if units not in (len(class_names), -1) and not (units == 1 and len(class_names) == 2):
        raise ValueError(f"the model has {units} outputs but {len(class_names)} class names were given")
    spec = _checked_preprocessing(model, preprocessing)
    folder = dest.stem
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".bundle-") as tmp:
        model_path = Path(tmp) / "model.keras"
        without_optimizer(model).save(model_path)
        partial = Path(tmp) / "bundle.zip"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.write(model_path, f"{folder}/model.keras")
            zf.writestr(f"{folder}/classes.json", _json_bytes(class_names))
            zf.writestr(f"{folder}/preprocessing.json", _json_bytes(spec))
            zf.write(Path(preprocess.__file__), f"{folder}/preprocess.py")
            zf.write(_FILES / "predict.py", f"{folder}/predict.py")
            zf.writestr(f"{folder}/graph.json", _json_bytes(graph))
            zf.writestr(f"{folder}/model.py", script)
            zf.writestr(f"{folder}/run.json", _json_bytes({"hyperparameters": hyperparameters, "metrics": metrics}))
            zf.writestr(f"{folder}/README.txt", _readme(folder, class_names, spec))
        os.replace(partial, dest)  # atomic: a download never sees half a bundle
    logger.info("Wrote bundle %s (%d bytes)", dest.name, dest.stat().st_size)
    return dest
