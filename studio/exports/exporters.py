"""How each download format is written. Each writer takes (model, path) and writes exactly one file.

Writers are registered in ``formats.FORMATS``; call ``formats.export_model`` rather than these.
Graph formats (SavedModel, TFLite, ONNX) are traced from ``serving.serving_function`` so that they
all run the model with ``training=False`` and share input/output names.
"""

from __future__ import annotations

import functools
import logging
import tempfile
import zipfile
from pathlib import Path

import keras

from studio.exports.errors import ExportError, ExportUnavailable
from studio.exports.model_copies import float32_model, without_optimizer
from studio.exports.serving import serving_function, serving_signature, tensor_specs

logger = logging.getLogger(__name__)

ONNX_OPSET = 17


def write_keras(model: keras.Model, path: Path, *, basename: str, include_optimizer: bool) -> None:
    """Native .keras zip; with the optimizer state only when asked (a resumable checkpoint)."""
    target = model if include_optimizer else without_optimizer(model)
    target.save(path)


def write_h5(model: keras.Model, path: Path, *, basename: str, include_optimizer: bool) -> None:
    """Legacy HDF5, for tools that still read Keras 2 files."""
    # The legacy writer still honours include_optimizer (only the .keras writer dropped the flag).
    keras.saving.save_model(model, path, include_optimizer=include_optimizer)


def _write_saved_model(model: keras.Model, directory: Path) -> None:
    signature = serving_signature(model)
    archive = keras.export.ExportArchive()
    # No archive.track(model): add_endpoint already tracks the variables the function uses, and
    # tracking the model as well stored every weight twice (a 59 MB VGG16 gave a 118 MB SavedModel).
    # The first endpoint also becomes the "serving_default" signature that TF Serving calls.
    archive.add_endpoint("serve", serving_function(model, signature))
    archive.write_out(str(directory), verbose=False)


def write_savedmodel(model: keras.Model, path: Path, *, basename: str, include_optimizer: bool) -> None:
    """A zip laid out as TF Serving expects a model base path: ``<basename>/1/saved_model.pb``."""
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".savedmodel-") as tmp:
        export_dir = Path(tmp) / "saved_model"
        _write_saved_model(model, export_dir)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for file in sorted(export_dir.rglob("*")):
                if file.is_file():
                    zf.write(file, f"{basename}/1/{file.relative_to(export_dir).as_posix()}")


def write_tflite(model: keras.Model, path: Path, *, basename: str, include_optimizer: bool) -> None:
    """A TFLite flatbuffer converted from the same serving signature as the SavedModel."""
    import tensorflow as tf

    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".tflite-") as tmp:
        export_dir = Path(tmp) / "saved_model"
        _write_saved_model(float32_model(model), export_dir)
        converter = tf.lite.TFLiteConverter.from_saved_model(str(export_dir), signature_keys=["serving_default"])
        try:
            flatbuffer = converter.convert()
        except Exception as exc:  # the converter raises ConverterError, RuntimeError, ValueError...
            logger.exception("TFLite conversion failed for %s", model.name)
            raise ExportError(f"TFLite conversion failed: {_first_line(exc)}") from exc
    path.write_bytes(flatbuffer)


@functools.cache
def onnx_unavailable_reason() -> str | None:
    """None when ONNX export can run here, else why not (checked once per process)."""
    try:
        import onnx  # noqa: F401
        import tf2onnx  # noqa: F401
    except ImportError as exc:
        return f"ONNX export needs the tf2onnx and onnx packages ({exc}); install requirements.txt."
    return None


def write_onnx(model: keras.Model, path: Path, *, basename: str, include_optimizer: bool) -> None:
    """ONNX (opset 17) through tf2onnx, checked with the ONNX checker before it is kept."""
    reason = onnx_unavailable_reason()
    if reason:
        raise ExportUnavailable(reason)
    import onnx
    import tf2onnx

    model = float32_model(model)
    signature = serving_signature(model)
    try:
        proto, _ = tf2onnx.convert.from_function(
            serving_function(model, signature), input_signature=tensor_specs(model, signature), opset=ONNX_OPSET
        )
    except Exception as exc:  # tf2onnx raises whatever its op handlers raise
        logger.exception("ONNX conversion failed for %s", model.name)
        raise ExportError(f"ONNX conversion failed: {_first_line(exc)}") from exc
    # tf2onnx logs ops it cannot convert and carries on: the checker turns that into an error here,
    # instead of a file that ONNX Runtime refuses to load.
    try:
        onnx.checker.check_model(proto)
    except onnx.checker.ValidationError as exc:
        raise ExportError(f"The converted ONNX model is invalid: {_first_line(exc)}") from exc
    path.write_bytes(proto.SerializeToString())


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:500] if text else type(exc).__name__
