"""Where a run's files live: DATA_DIR/runs/<id>/.

checkpoint/   the last completed epoch: weights, optimizer state, trainer state (replaced atomically)
best.weights.npz  the best epoch's weights so far (by the monitor), as arrays in weight order (training only)
model.weights.h5  the trained weights the run keeps, a Keras weights file without optimizer state:
                  compile_graph(run.graph) then load_weights() rebuilds the trained model
best.weights.h5   the monitor's best epoch's weights  } both written when a run ends, whatever `keep`
last.weights.h5   the weights training ended with     } says; model.weights.h5 is a link to one of them
last.optimizer.npz  the optimizer state that goes with last.weights.h5 (variables by path), for a
                  resumable download
"""
from pathlib import Path

from django.conf import settings


def run_dir(run_id: int) -> Path:
    return Path(settings.DATA_DIR) / "runs" / str(int(run_id))


def checkpoint_dir(run_id: int) -> Path:
    return run_dir(run_id) / "checkpoint"


def best_weights_path(run_id: int) -> Path:
    return run_dir(run_id) / "best.weights.npz"


def final_weights_path(run_id: int) -> Path:
    return run_dir(run_id) / "model.weights.h5"


def checkpoint_weights_path(run_id: int, checkpoint: str) -> Path:
    """best.weights.h5 or last.weights.h5: a run's weights at its best epoch or at its end."""
    if checkpoint not in ("best", "last"):
        raise ValueError(f"checkpoint must be 'best' or 'last', not {checkpoint!r}")
    return run_dir(run_id) / f"{checkpoint}.weights.h5"


def last_optimizer_path(run_id: int) -> Path:
    return run_dir(run_id) / "last.optimizer.npz"
