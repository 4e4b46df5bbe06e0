"""The registry of download formats, declared once: it validates ``?format=``, feeds the listing, and
dispatches the export. Adding a format is one entry here plus its writer and runner.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.exports import exporters, runtimes
from studio.exports.errors import ExportError, ExportUnavailable, UnknownFormat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportFormat:
    """One download format: how it is named, served, written, and loaded back to check it."""

    name: str
    extension: str
    content_type: str
    description: str
    writer: Callable[..., None]  # (model, path, *, basename, include_optimizer) -> None
    runner: Callable[..., list[Any]]  # (path, feeds, output_names) -> outputs; see runtimes
    keeps_optimizer: bool = False  # whether include_optimizer means anything for this format
    float32_only: bool = False  # a mixed-precision model is exported as its float32 copy (model_copies)
    unavailable: Callable[[], str | None] = lambda: None  # noqa: E731 - None, or why it cannot run here


FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        ExportFormat(
            name="keras",
            extension=".keras",
            content_type="application/zip",
            description="Native Keras 3 file: load with keras.saving.load_model. Optionally with the optimizer "
            "state, to resume training.",
            writer=exporters.write_keras,
            runner=runtimes.run_keras,
            keeps_optimizer=True,
        ),
        ExportFormat(
            name="h5",
            extension=".h5",
            content_type="application/x-hdf5",
            description="Legacy Keras HDF5 file, for older tools that do not read .keras files.",
            writer=exporters.write_h5,
            runner=runtimes.run_h5,
            keeps_optimizer=True,
        ),
        ExportFormat(
            name="savedmodel",
            extension=".zip",
            content_type="application/zip",
            description="TensorFlow SavedModel for TF Serving (signature serving_default: input 'input', "
            "output 'output'), zipped as <name>/1/ so it unpacks into a model base path.",
            writer=exporters.write_savedmodel,
            runner=runtimes.run_savedmodel,
        ),
        ExportFormat(
            name="tflite",
            extension=".tflite",
            content_type="application/octet-stream",
            description="TensorFlow Lite flatbuffer (float32) for mobile and edge devices.",
            writer=exporters.write_tflite,
            runner=runtimes.run_tflite,
            float32_only=True,
        ),
        ExportFormat(
            name="onnx",
            extension=".onnx",
            content_type="application/octet-stream",
            description=f"ONNX (opset {exporters.ONNX_OPSET}) for ONNX Runtime and other ONNX tools; "
            "input 'input', output 'output'.",
            writer=exporters.write_onnx,
            runner=runtimes.run_onnx,
            float32_only=True,
            unavailable=exporters.onnx_unavailable_reason,
        ),
    )
}


def get_format(fmt: str) -> ExportFormat:
    """The registry entry for a ``?format=`` value; UnknownFormat (listing the valid ones) otherwise."""
    try:
        return FORMATS[fmt]
    except (KeyError, TypeError):
        raise UnknownFormat(str(fmt), list(FORMATS)) from None


def formats_catalog() -> list[dict[str, Any]]:
    """The formats as JSON-ready dicts, for the API's listing (with availability on this installation)."""
    catalog = []
    for fmt in FORMATS.values():
        reason = fmt.unavailable()
        catalog.append(
            {
                "name": fmt.name,
                "extension": fmt.extension,
                "content_type": fmt.content_type,
                "description": fmt.description,
                "optimizer_state": fmt.keeps_optimizer,
                "available": reason is None,
                "unavailable_reason": reason,
            }
        )
    return catalog


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_basename(name: str, *, fallback: str = "model") -> str:
    """A file name stem from free text (a run's name): ASCII letters, digits, '.', '_' and '-' only."""
    stem = _UNSAFE_FILENAME.sub("-", name).strip(".-_")[:80]
    return stem or fallback


def export_model(
    model: Any,
    fmt: str,
    dest_dir: Path,
    *,
    basename: str,
    include_optimizer: bool = False,
) -> Path:
    """Write ``model`` as ``dest_dir/<basename><extension>`` in format ``fmt`` and return the path.

    The file appears atomically (written under a temporary name, then renamed), so a concurrent
    download never sees half a file. ``include_optimizer`` only matters for keras and h5; the other
    formats are inference graphs. Raises UnknownFormat, ExportUnavailable or ExportError.
    """
    spec = get_format(fmt)
    if basename != safe_basename(basename):
        raise ValueError(f"basename must be a plain file name stem (see safe_basename), not {basename!r}")
    reason = spec.unavailable()
    if reason:
        raise ExportUnavailable(reason)
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / f"{basename}{spec.extension}"
    # The temporary name keeps the extension: Keras picks the file format from it.
    handle, tmp_name = tempfile.mkstemp(dir=dest_dir, prefix=f".{basename}-", suffix=spec.extension)
    os.close(handle)
    tmp = Path(tmp_name)
    started = time.perf_counter()
    try:
        spec.writer(model, tmp, basename=basename, include_optimizer=include_optimizer)
        os.replace(tmp, final)
    except ExportError:
        raise
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        logger.exception("Export of %s as %s failed", getattr(model, "name", "model"), fmt)
        raise ExportError(f"Exporting the model as {fmt} failed: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    logger.info(
        "Exported %s as %s: %s bytes in %.2f s",
        getattr(model, "name", "model"),
        fmt,
        final.stat().st_size,
        time.perf_counter() - started,
    )
    return final
