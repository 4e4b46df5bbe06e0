"""A finished run's trained weights: which checkpoints it offers (best, last), where they are, and
whether its results can be read at all. Touches Django (the Run row, the data folder).

The trainer writes ``best.weights.h5`` (the monitor's best epoch) and ``last.weights.h5`` (where
training ended) when a run ends, and ``model.weights.h5`` as the kept one of the two (``keep``).
Runs trained before both were kept have only ``model.weights.h5``: their other checkpoint is
unavailable, with the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.text import slugify

from studio.training.models import Run
from studio.training.paths import checkpoint_weights_path, final_weights_path, last_optimizer_path, run_dir

logger = logging.getLogger(__name__)

CHECKPOINTS = ("best", "last")


class ResultsUnavailable(Exception):
    """The run cannot answer this (not finished, no weights, no such images); ``status`` is the HTTP code."""

    def __init__(self, message: str, *, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Checkpoint:
    """One set of a run's weights: ``name`` is best or last; ``path`` is None when the run lacks it."""

    name: str
    path: Path | None
    epoch: int | None
    kept: bool
    reason: str = ""  # why it is unavailable

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "available": self.path is not None, "epoch": self.epoch, "kept": self.kept,
                "reason": self.reason or None}


def require_finished(run: Run) -> None:
    """ResultsUnavailable (409) unless the run has ended with trained weights."""
    if run.status in Run.ACTIVE:
        raise ResultsUnavailable(f"Run {run.id} is still {run.status}: its results are ready when it finishes.")
    if not final_weights_path(run.id).exists():
        why = f" It {run.status}: {run.error}" if run.error else f" It {run.status}."
        raise ResultsUnavailable(f"Run {run.id} has no trained weights (it ended before its first epoch did).{why}")


def kept_checkpoint(run: Run) -> str:
    return "last" if run.hyperparameters.get("keep") == "last" else "best"


def _epoch(run: Run, name: str) -> int | None:
    if name == "best":
        epoch = (run.best or {}).get("epoch")
        return int(epoch) if isinstance(epoch, (int, float)) and epoch else None
    return int(run.epoch) or None


def checkpoints(run: Run) -> dict[str, Checkpoint]:
    """Both checkpoints of a run, available or not (a run that is not finished has neither)."""
    kept = kept_checkpoint(run)
    finished = run.status not in Run.ACTIVE and final_weights_path(run.id).exists()
    result = {}
    for name in CHECKPOINTS:
        path: Path | None = checkpoint_weights_path(run.id, name)
        reason = ""
        if not finished:
            path, reason = None, "the run has not finished with trained weights"
        elif not path.exists():
            if name == kept:
                path = final_weights_path(run.id)  # trained before both were kept: the kept one is model.weights.h5
            else:
                path, reason = None, (f"this run kept only its {kept} weights (it trained before the studio kept "
                                      f"both); train it again to compare")
        result[name] = Checkpoint(name=name, path=path, epoch=_epoch(run, name), kept=name == kept, reason=reason)
    return result


def resolve_checkpoint(run: Run, name: str | None) -> Checkpoint:
    """The named checkpoint (None: the kept one) of a finished run; ResultsUnavailable when it is missing."""
    require_finished(run)
    name = name or kept_checkpoint(run)
    if name not in CHECKPOINTS:
        raise ResultsUnavailable(f"checkpoint must be one of {', '.join(CHECKPOINTS)}, not {name!r}.", status=400)
    checkpoint = checkpoints(run)[name]
    if checkpoint.path is None:
        raise ResultsUnavailable(f"The {name} weights of run {run.id} are not available: {checkpoint.reason}.")
    return checkpoint


def optimizer_state_path(run: Run) -> Path | None:
    """The optimizer state that goes with the last weights, when the trainer kept it."""
    path = last_optimizer_path(run.id)
    return path if path.exists() and checkpoint_weights_path(run.id, "last").exists() else None


def results_dir(run: Run, *parts: str) -> Path:
    """A folder under the run's folder for cached results (evaluation, exports)."""
    return run_dir(run.id).joinpath(*parts)


def download_stem(run: Run, *, checkpoint: str, optimizer: bool = False) -> str:
    """A file name stem after project and run: ``veg-vgg16_run-12``, plus ``_last``/``_best`` when the
    checkpoint is not the kept one and ``_resumable`` with optimizer state."""
    project = run.project.name if run.project_id and run.project else run.name
    stem = f"{slugify(project)[:60] or 'model'}_run-{run.id}"
    if checkpoint != kept_checkpoint(run):
        stem += f"_{checkpoint}"
    if optimizer:
        stem += "_resumable"
    return stem
