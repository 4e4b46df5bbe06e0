"""Where a run's files live: DATA_DIR/runs/<id>/.

checkpoint/   the last completed epoch: weights, optimizer state, trainer state (replaced atomically)
best.weights.npz  the best epoch's weights so far (keep = "best"), as arrays in weight order
model.weights.h5  the trained weights the run keeps, a Keras weights file without optimizer state:
                  compile_graph(run.graph) then load_weights() rebuilds the trained model
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
