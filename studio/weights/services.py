"""Writes of the weights library, and the resolver the training worker hands to compile_graph.

An uploaded file is only ever read as arrays by known layer and variable names (studio.graphs.
backbone_weights, h5py), checked against the architecture's shapes, and stored re-written by our own
code; the uploaded bytes are never kept and never given to Keras.
"""

import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from studio.graphs import GraphError, errors
from studio.graphs.backbone_weights import read_backbone_weights, write_backbone_weights
from studio.graphs.backbones import BY_TYPE
from studio.weights import conf, selectors
from studio.weights.errors import WeightsError, WeightsSourceNotFound, WeightsTooLarge
from studio.weights.models import WeightsFile

log = logging.getLogger(__name__)


def stored_path(weights: WeightsFile) -> Path:
    return Path(settings.DATA_DIR) / weights.path


@contextmanager
def _local_copy(source: IO[bytes] | str | os.PathLike[str]) -> Iterator[Path]:
    """A path to read with h5py: the upload's own temporary file when Django spooled it to disk."""
    if isinstance(source, (str, os.PathLike)):
        yield Path(source)
        return
    temporary = getattr(source, "temporary_file_path", None)
    if temporary is not None:
        yield Path(temporary())
        return
    with tempfile.NamedTemporaryFile(prefix="studio-upload-", suffix=".bin") as copy:
        source.seek(0)
        shutil.copyfileobj(source, copy, 1024 * 1024)
        copy.flush()
        yield Path(copy.name)


def weights_create(
    *,
    owner: AbstractBaseUser,
    architecture: str,
    source: IO[bytes] | str | os.PathLike[str],
    name: str = "",
    filename: str = "",
    source_note: str = "",
    description: str = "",
) -> WeightsFile:
    """Check `source` (a .keras, .h5 or .weights.h5 file) holds weights for `architecture`; store them.

    Raises WeightsError (400) for an unknown architecture or a file that does not fit, and
    WeightsTooLarge (413) over conf.max_upload_bytes().
    """
    backbone = BY_TYPE.get(architecture)
    if backbone is None:
        known = ", ".join(BY_TYPE)
        raise WeightsError(f"architecture must be one of {known}; got {str(architecture)[:60]!r}",
                           code="invalid_param")  # fmt: skip
    limit = conf.max_upload_bytes()
    with _local_copy(source) as path:
        size = path.stat().st_size
        if size > limit:
            raise WeightsTooLarge(f"The file is {size:,} bytes; the limit is {limit:,} (STUDIO_MAX_WEIGHTS_BYTES).")
        try:
            arrays = read_backbone_weights(path, backbone, max_bytes=limit)
        except GraphError as exc:
            first = exc.errors[0]
            if first["code"] == errors.FILE_TOO_LARGE:
                raise WeightsTooLarge(first["message"]) from exc
            raise WeightsError(f"Not usable as {architecture} weights: {first['message']}", code=first["code"]) from exc
    folder = conf.library_dir(owner.pk)
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".incoming-{uuid.uuid4().hex}.h5"
    try:
        write_backbone_weights(staging, backbone, arrays)
        label = name.strip()[:200] or Path(filename).stem[:200] or f"{architecture} weights"
        note = source_note or (f"uploaded {Path(filename).name}" if filename else "uploaded")
        with transaction.atomic():
            weights = WeightsFile.objects.create(owner=owner, name=label, architecture=architecture,
                                                 source=note[:300], description=description)  # fmt: skip
            final = folder / f"{weights.pk}.h5"
            os.replace(staging, final)
            weights.path = str(final.relative_to(Path(settings.DATA_DIR)))
            weights.size = final.stat().st_size
            weights.save(update_fields=["path", "size"])
    finally:
        staging.unlink(missing_ok=True)
    log.info("Stored %s weights %s for user %s (%s)", architecture, weights.pk, owner.pk, weights.source)
    return weights


def weights_create_from_run(*, owner: AbstractBaseUser, run_id: Any, node_id: str, name: str = "") -> WeightsFile:
    """The weights a finished run of this person trained for one of its pre-trained nodes, as a library file.

    Read from the run's kept model.weights.h5 (the nested backbone's arrays, by layer names), so a
    fine-tuned backbone can start another project.
    """
    from studio.training.models import Run  # the training app owns runs; this only reads them
    from studio.training.paths import final_weights_path

    run = Run.objects.filter(owner=owner, pk=run_id).first() if str(run_id).isdigit() else None
    if run is None:
        raise WeightsSourceNotFound(f"Run {str(run_id)[:20]} not found (or not yours).")
    nodes = {n.get("id"): n for n in (run.graph or {}).get("nodes", []) if isinstance(n, dict)}
    pretrained = [i for i, n in nodes.items() if n.get("type") in BY_TYPE]
    node = nodes.get(node_id)
    if node is None or node.get("type") not in BY_TYPE:
        listed = ", ".join(map(str, pretrained)) or "none"
        raise WeightsError(f"Run {run.pk} has no pre-trained node {str(node_id)[:60]!r} (its pre-trained nodes: "
                           f"{listed}).", code="invalid_param")  # fmt: skip
    path = final_weights_path(run.pk)
    if not path.is_file():
        raise WeightsError(f"Run {run.pk} has no kept weights (it is {run.status}); train it to the end first.",
                           code="weights_missing")  # fmt: skip
    return weights_create(
        owner=owner, architecture=node["type"], source=path, name=name or f"{run.name}: {node_id}",
        filename=path.name, source_note=f"from run {run.pk} ({run.name[:100]}), node {node_id}",
    )  # fmt: skip


def weights_delete(*, weights: WeightsFile) -> None:
    path = stored_path(weights) if weights.path else None
    with transaction.atomic():
        weights.delete()
    # The file goes after the row: a crash in between leaves an orphan file, never a row without one.
    if path is not None:
        path.unlink(missing_ok=True)


def resolver_for(user: AbstractBaseUser | int) -> Callable[[Any], Path | None]:
    """compile_graph's weights_resolver for this person: {"file": id} -> the stored file, or None.

    Another person's id resolves to None, exactly like a missing one, so compile fails with
    weights_missing and nothing tells the caller the id exists.
    """
    owner_id = user if isinstance(user, int) else user.pk

    def resolve(ref: Any) -> Path | None:
        weights = selectors.weights_get(owner=owner_id, pk=ref)
        if weights is None or not weights.path:
            return None
        path = stored_path(weights)
        return path if path.is_file() else None

    return resolve


def graph_weights_errors(*, user: AbstractBaseUser | int, graph: Any) -> list[dict[str, Any]]:
    """Validation issues for the {"file": id} weights a graph uses: missing, not this person's, or of
    another architecture. Tolerates any JSON (validate() reports what is malformed)."""
    owner_id = user if isinstance(user, int) else user.pk
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    out = []
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict) or node.get("type") not in BY_TYPE:
            continue
        params = node.get("params")
        ref = params.get("weights") if isinstance(params, dict) else None
        if not isinstance(ref, dict) or set(ref) != {"file"}:
            continue
        node_id = node.get("id") if isinstance(node.get("id"), str) else None
        weights = selectors.weights_get(owner=owner_id, pk=ref["file"])
        if weights is None:
            message = f"weights file {ref['file']!r} is not in your weights library; upload it or choose other weights"
            out.append(errors.issue(errors.WEIGHTS_MISSING, message, node=node_id, param="weights"))
        elif weights.architecture != node["type"]:
            message = (f"weights file {weights.pk} ({weights.name}) holds {weights.architecture} weights; this node "
                       f"is {node['type']}")  # fmt: skip
            out.append(errors.issue(errors.WEIGHTS_MISMATCH, message, node=node_id, param="weights"))
    return out
