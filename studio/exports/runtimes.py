"""Load an exported file in its own runtime and run it on a batch: the proof that a download works.

Every runner has the same shape: ``run(path, feeds, output_names) -> list of arrays``, where ``feeds``
maps the serving input names (``serving.serving_signature``) to arrays, in the model's input order,
and the outputs come back as float32 arrays in the order of ``output_names``.
"""

from __future__ import annotations

import tempfile
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from studio.exports.archive import safe_member_name

Feeds = Mapping[str, np.ndarray]


def run_keras(path: Path, feeds: Feeds, output_names: list[str]) -> list[np.ndarray]:
    """Native .keras (or legacy .h5) through keras.saving.load_model in safe mode: no Lambda code."""
    import keras

    model = keras.saving.load_model(path, compile=False, safe_mode=True)
    values = list(feeds.values())
    outputs = model(values[0] if len(values) == 1 else values, training=False)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return [np.asarray(keras.ops.convert_to_numpy(out), dtype=np.float32) for out in outputs]


# keras.saving.load_model dispatches .h5 files to Keras's legacy HDF5 loader.
run_h5 = run_keras


def run_savedmodel(path: Path, feeds: Feeds, output_names: list[str]) -> list[np.ndarray]:
    """The zipped SavedModel through tf.saved_model.load and its ``serving_default`` signature."""
    import tensorflow as tf

    with tempfile.TemporaryDirectory(prefix="savedmodel-") as tmp:
        root = Path(tmp)
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                safe_member_name(info.filename)  # our own zip, but never extract a path unchecked
            zf.extractall(root)
        found = sorted(root.rglob("saved_model.pb"))
        if len(found) != 1:
            raise ValueError(f"expected one saved_model.pb in {path.name}, found {len(found)}")
        serve = tf.saved_model.load(str(found[0].parent)).signatures["serving_default"]
        result = serve(**{name: tf.constant(value) for name, value in feeds.items()})
        return [np.asarray(result[name].numpy(), dtype=np.float32) for name in output_names]


def run_tflite(path: Path, feeds: Feeds, output_names: list[str]) -> list[np.ndarray]:
    """The flatbuffer through tf.lite.Interpreter's ``serving_default`` signature runner."""
    import tensorflow as tf

    with warnings.catch_warnings():
        # TF 2.21 warns that tf.lite.Interpreter moves to the ai_edge_litert package; it still works.
        warnings.filterwarnings("ignore", message=r".*tf\.lite\.Interpreter is deprecated", category=UserWarning)
        interpreter = tf.lite.Interpreter(model_path=str(path))
    runner = interpreter.get_signature_runner("serving_default")
    result = runner(**dict(feeds))
    return [np.asarray(result[name], dtype=np.float32) for name in output_names]


def run_onnx(path: Path, feeds: Feeds, output_names: list[str]) -> list[np.ndarray]:
    """The .onnx file through onnxruntime's CPU provider."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    outputs = session.run(output_names, dict(feeds))
    return [np.asarray(out, dtype=np.float32) for out in outputs]
