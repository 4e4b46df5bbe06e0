"""A finished run's model as a download: every registry format and the bundle, exported once, checked
in its own runtime before it is first served, and cached under ``DATA_DIR/runs/<id>/exports/``.

Layout: ``exports/<checkpoint>/<stem><extension>`` (``<checkpoint>-optimizer/`` for resumable files)
with a ``<file>.json`` beside each one recording its check (format, bytes, seconds, max difference).
A file without its record was never checked (a process died between writing and checking) and is
exported again. A lock file per folder keeps two requests from converting the same model at once.
"""

from __future__ import annotations

import fcntl
import json
import logging
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.exports.errors import ExportError
from studio.exports.model_cache import build_trained_model, cached_model
from studio.exports.run_weights import (
    Checkpoint,
    ResultsUnavailable,
    checkpoints,
    download_stem,
    kept_checkpoint,
    optimizer_state_path,
    require_finished,
    resolve_checkpoint,
    results_dir,
)
from studio.training.models import Run

logger = logging.getLogger(__name__)

BUNDLE = "bundle"
BUNDLE_DESCRIPTION = ("A zip to run the model without the studio: model.keras, classes, preprocessing, "
                      "graph.json, the generated Keras script, hyper-parameters and metrics, and predict.py.")


# A resumable download (weights + optimizer state) is a .keras file only. Keras 3 writes the optimizer
# into .h5 files too, but its HDF5 loader builds the optimizer for the functional model's own
# variables (none), so the moments are dropped with a warning (measured on Keras 3.15: the step count
# comes back, Adam's momentum and velocity do not).
RESUMABLE_FORMAT = "keras"
_NOT_RESUMABLE = {"h5": "Keras 3's HDF5 loader drops the optimizer's moments (it restores only the step count)"}


def download_formats() -> list[str]:
    from studio.exports.formats import FORMATS  # imports Keras: not when the URLs are loaded

    return [*FORMATS, BUNDLE]


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    content_type: str
    record: dict[str, Any]


def _target(run: Run, fmt: str, checkpoint: str, optimizer: bool) -> Path:
    """Where the export of (fmt, checkpoint, optimizer) is cached; its name is the download's name."""
    from studio.exports.formats import get_format

    folder = results_dir(run, "exports", f"{checkpoint}-optimizer" if optimizer else checkpoint)
    stem = download_stem(run, checkpoint=checkpoint, optimizer=optimizer)
    return folder / (f"{stem}_bundle.zip" if fmt == BUNDLE else f"{stem}{get_format(fmt).extension}")


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _record_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.json")


def _read_record(path: Path) -> dict | None:
    try:
        return json.loads(_record_path(path).read_text()) if path.exists() else None
    except (OSError, ValueError):
        return None


def run_export(*, run: Run, fmt: str, checkpoint: str | None = None, optimizer: bool = False) -> Download:
    """The run's model as ``fmt`` (a registry format or "bundle"): the cached file, or a fresh export.

    Raises UnknownFormat (400), ResultsUnavailable (run not finished, checkpoint or optimizer state
    missing), ExportUnavailable (the converter is not installed) or ExportError (the export failed).
    """
    from studio.exports.formats import get_format

    if fmt != BUNDLE:
        get_format(fmt)  # UnknownFormat lists the valid ones
    if optimizer:
        if fmt != RESUMABLE_FORMAT:
            raise ResultsUnavailable(f"Only {RESUMABLE_FORMAT} files carry the optimizer state back into Keras: "
                                     f"{_NOT_RESUMABLE.get(fmt, f'{fmt} is an inference format')}. Ask for "
                                     f"format={RESUMABLE_FORMAT}&optimizer=1, or leave optimizer off.", status=400)
        checkpoint = checkpoint or "last"
        if checkpoint != "last":
            raise ResultsUnavailable("The optimizer state is kept for the last epoch only: ask for checkpoint=last "
                                     "with optimizer=1 (or the best weights without the optimizer).", status=400)
    require_finished(run)
    state = optimizer_state_path(run) if optimizer else None
    if optimizer and state is None:
        raise ResultsUnavailable(f"Run {run.id} has no saved optimizer state (it trained before the studio kept it, "
                                 f"or it ended before its first epoch): download it without optimizer=1 and compile "
                                 f"it again to continue training.")
    chosen = resolve_checkpoint(run, checkpoint)
    path = _target(run, fmt, chosen.name, optimizer)
    with _locked(path.parent):
        record = _read_record(path)
        if record is None:
            record = _export(run, fmt, chosen, state, path)
    content_type = "application/zip" if fmt == BUNDLE else get_format(fmt).content_type
    return Download(path=path, filename=path.name, content_type=content_type, record=record)


def _export(run: Run, fmt: str, checkpoint: Checkpoint, state: Path | None, path: Path) -> dict:
    from studio.exports.formats import export_model
    from studio.exports.verify import verify_export

    started = time.perf_counter()
    model = _resumable_model(run, checkpoint, state) if state else cached_model(run.graph, checkpoint.path)
    if fmt == BUNDLE:
        _write_bundle(run, model, checkpoint, path)
        exported = time.perf_counter()
        difference = _verify_bundle(model, path)
    else:
        export_model(model, fmt, path.parent, basename=path.stem, include_optimizer=state is not None)
        exported = time.perf_counter()
        try:
            difference = verify_export(model, path, fmt)
        except ExportError:
            path.unlink(missing_ok=True)  # never served, and exported again next time
            raise
    record = {
        "format": fmt,
        "checkpoint": checkpoint.name,
        "optimizer": state is not None,
        "bytes": path.stat().st_size,
        "export_seconds": round(exported - started, 3),
        "verify_seconds": round(time.perf_counter() - exported, 3),
        "max_difference": difference,
    }
    _record_path(path).write_text(json.dumps(record))
    logger.info("Run %s: exported %s (%s weights%s), %d bytes in %.2f s, checked in %.2f s (max difference %.3g)",
                run.id, fmt, checkpoint.name, ", optimizer" if state else "", record["bytes"],
                record["export_seconds"], record["verify_seconds"], difference)
    return record


def _resumable_model(run: Run, checkpoint: Checkpoint, state: Path) -> Any:
    """The last weights compiled with the run's optimizer, loss and metrics, the optimizer's saved state
    restored: ``keras.saving.load_model`` then ``fit`` continues where training ended."""
    from studio.graphs import validate
    from studio.training.checkpoints import load_optimizer_state
    from studio.training.inputs import steps_per_epoch
    from studio.training.keras_options import build_loss, build_metrics, build_optimizer, loss_spec

    hp = run.hyperparameters
    figures = (run.preflight or {}).get("figures") or {}
    spec = figures.get("loss") or loss_spec(run.graph, validate(run.graph).as_dict(), hp, len(run.classes))
    # Learning-rate schedules count optimizer steps: rebuild them with the run's steps per epoch.
    train_count = int((figures.get("split_counts") or {}).get("train") or 1)
    model = build_trained_model(run.graph, checkpoint.path)  # a private copy: compiling it changes it
    optimizer = build_optimizer(hp, steps_per_epoch=steps_per_epoch(train_count, hp["batch_size"]))
    model.compile(optimizer=optimizer, loss=build_loss(spec), metrics=build_metrics(hp, spec))
    missing = load_optimizer_state(optimizer, state, model.trainable_variables)
    if missing:
        logger.warning("Run %s: %d optimizer variables were not in the saved state", run.id, missing)
    return model


def _write_bundle(run: Run, model: Any, checkpoint: Checkpoint, path: Path) -> None:
    from studio.exports.bundle import make_bundle
    from studio.graphs import to_python

    try:
        make_bundle(model, dest=path, class_names=run.classes, preprocessing=None, graph=run.graph,
                    script=to_python(run.graph), hyperparameters=run.hyperparameters,
                    metrics={"checkpoint": checkpoint.name, "epoch": checkpoint.epoch, "best": run.best,
                             "final": run.final})
    except ValueError as exc:  # a model the bundle's predict.py cannot serve (not one image input)
        raise ResultsUnavailable(f"This model cannot be bundled: {exc}.") from exc


def _verify_bundle(model: Any, path: Path) -> float:
    """The bundle's model.keras, loaded back in safe mode, must reproduce the model."""
    from studio.exports.verify import verify_export

    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".verify-") as tmp:
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.endswith("/model.keras"))
            target = Path(tmp) / "model.keras"
            target.write_bytes(zf.read(name))
        try:
            return verify_export(model, target, "keras")
        except ExportError:
            path.unlink(missing_ok=True)
            raise


def run_formats(*, run: Run) -> dict[str, Any]:
    """The download formats with their availability here, the file each would be, whether it is already
    exported (its check record), and the run's checkpoints and optimizer state."""
    from studio.exports.formats import formats_catalog

    kept = kept_checkpoint(run)
    bundle = {"name": BUNDLE, "extension": ".zip", "content_type": "application/zip", "description": BUNDLE_DESCRIPTION,
              "optimizer_state": False, "available": True, "unavailable_reason": None}
    formats = []
    for entry in [*formats_catalog(), bundle]:
        path = _target(run, entry["name"], kept, False)
        formats.append({**entry, "filename": path.name, "exported": _read_record(path)})
    return {
        "formats": formats,
        "checkpoints": [c.as_dict() for c in checkpoints(run).values()],
        "kept": kept,
        "optimizer_state": optimizer_state_path(run) is not None,
    }
