"""Per-epoch checkpoints: weights, optimizer state and the trainer's own state, replaced atomically.

A checkpoint is written into a fresh folder which then takes the place of the previous one, so a
process killed mid-write leaves the previous checkpoint intact. Weights are stored as plain arrays
in the model's weight order (the same graph always builds the same order); optimizer variables by
their paths, so a resumed run restores them even if they come in another order. (Keras's own
weights file would also carry the optimizer of whichever model was compiled, which, with the
frozen-prefix cache, is not the full model.)
"""
import json
import logging
import shutil
from pathlib import Path

import keras
import numpy as np

from studio.training.paths import checkpoint_dir

log = logging.getLogger(__name__)

WEIGHTS = "weights.npz"
OPTIMIZER = "optimizer.npz"
STATE = "state.json"


def save_model_weights(model: keras.Model, path: Path) -> None:
    with open(path, "wb") as file:  # np.savez would add ".npz" to a name that lacks it
        np.savez(file, *model.get_weights())


def load_model_weights(model: keras.Model, path: Path) -> None:
    with np.load(path) as data:
        model.set_weights([data[f"arr_{i}"] for i in range(len(data.files))])


def save_checkpoint(*, run_id: int, model: keras.Model, optimizer: keras.optimizers.Optimizer, state: dict) -> None:
    target = checkpoint_dir(run_id)
    work = target.with_name(f"{target.name}.tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    save_model_weights(model, work / WEIGHTS)
    variables = {v.path: keras.ops.convert_to_numpy(v) for v in optimizer.variables}
    np.savez(work / OPTIMIZER, *variables.values(), names=np.array(list(variables), dtype=str))
    (work / STATE).write_text(json.dumps(state))
    old = target.with_name(f"{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    work.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _latest(run_id: int) -> Path | None:
    target = checkpoint_dir(run_id)
    # A crash between the two renames leaves only the ".old" folder: still a whole checkpoint.
    for folder in (target, target.with_name(f"{target.name}.old")):
        if (folder / STATE).exists():
            return folder
    return None


def read_state(run_id: int) -> dict | None:
    folder = _latest(run_id)
    return json.loads((folder / STATE).read_text()) if folder else None


def load_checkpoint(*, run_id: int, model: keras.Model, optimizer: keras.optimizers.Optimizer,
                    trainable_variables: list) -> dict | None:
    """Restore the latest checkpoint into model and optimizer; its state, or None when there is none."""
    folder = _latest(run_id)
    if folder is None:
        return None
    load_model_weights(model, folder / WEIGHTS)
    missing = load_optimizer_state(optimizer, folder / OPTIMIZER, trainable_variables)
    if missing:
        log.warning("Run %s: %d optimizer variables were not in the checkpoint and start fresh", run_id, missing)
    return json.loads((folder / STATE).read_text())


def load_optimizer_state(optimizer: keras.optimizers.Optimizer, path: Path, trainable_variables: list) -> int:
    """Build the optimizer for these variables and restore its saved variables by path; how many were missing."""
    optimizer.build(trainable_variables)
    with np.load(path) as data:
        names = [str(name) for name in data["names"]]
        saved = {_within(name): data[f"arr_{i}"] for i, name in enumerate(names)}
    missing = 0
    for variable in optimizer.variables:
        value = saved.get(_within(variable.path))
        if value is not None and tuple(value.shape) == tuple(variable.shape):
            variable.assign(value)
        else:
            missing += 1
    return missing


def _within(path: str) -> str:
    """A variable's path inside its optimizer ("adam/out_kernel_momentum" -> "out_kernel_momentum"): the
    optimizer's own name gets a suffix ("adam_1") in a process that built one before."""
    return path.split("/", 1)[-1]
