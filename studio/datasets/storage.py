"""Where dataset files live on disk: DATA_DIR/datasets/<id>/, built in a temporary sibling first.

Paths are computed from settings.DATA_DIR at call time. Work folders are created inside the datasets
folder (same filesystem), so moving a finished one into place is a single atomic rename and a failed
ingestion never leaves a half dataset where a real one would be.
"""
import logging
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

_WORK_PREFIX = ".work-"


def datasets_root() -> Path:
    root = Path(settings.DATA_DIR) / "datasets"
    root.mkdir(parents=True, exist_ok=True)
    return root


def dataset_dir(dataset_id: int) -> Path:
    return datasets_root() / str(int(dataset_id))


def new_work_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix=_WORK_PREFIX, dir=datasets_root()))


def move_into_place(work_dir: Path, dataset_id: int) -> Path:
    target = dataset_dir(dataset_id)
    if target.exists():
        # No row owns this folder (the id is new): left over from a database that was reset.
        log.warning("Removing stale dataset folder %s", target)
        shutil.rmtree(target)
    work_dir.rename(target)
    return target


def remove_tree(path: Path) -> None:
    """Delete a dataset or work folder; only ever below the datasets root."""
    root = datasets_root().resolve()
    resolved = path.resolve()
    if resolved == root or root not in resolved.parents:
        raise ValueError(f"refusing to delete {path}: not inside {root}")
    shutil.rmtree(resolved, ignore_errors=True)
