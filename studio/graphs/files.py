"""import_model_file / read_weights_arrays: uploaded Keras files read as data, never run.

.keras files are zips: config.json is read as plain JSON and model.weights.h5 only as arrays.
Legacy .h5 files: the `model_config` attribute as JSON, weights as arrays. .json: the config.
Nothing here hands the bytes to Keras's loaders or deserializers.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import PurePath
from typing import Any

from . import errors
from .errors import GraphError
from .keras_import import from_keras
from .limits import MAX_CONFIG_BYTES, MAX_IMPORT_BYTES
from .weights_io import Arrays, h5_attr_json, keras3_weights, legacy_h5_weights

H5_SUFFIXES = (".h5", ".hdf5")


def _suffix(filename: str) -> str:
    return PurePath(str(filename)).suffix.lower()


def _check_size(data: bytes) -> None:
    if not isinstance(data, (bytes, bytearray)):
        raise GraphError.single(errors.BAD_FILE, "the upload must be bytes")
    if len(data) > MAX_IMPORT_BYTES:
        raise GraphError.single(
            errors.FILE_TOO_LARGE, f"the file is {len(data):,} bytes, above max_import_bytes = {MAX_IMPORT_BYTES:,}"
        )


def _json(text: bytes) -> Any:
    if len(text) > MAX_CONFIG_BYTES:
        raise GraphError.single(
            errors.FILE_TOO_LARGE, f"the model config is above max_config_bytes = {MAX_CONFIG_BYTES:,}"
        )
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise GraphError.single(errors.BAD_FILE, "the model config is not valid JSON") from exc


def _zip_member(data: bytes, member: str, limit: int) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise GraphError.single(errors.BAD_FILE, "not a .keras file (not a zip archive)") from exc
    with archive:
        try:
            info = archive.getinfo(member)
        except KeyError as exc:
            raise GraphError.single(errors.BAD_FILE, f"the .keras file has no {member}") from exc
        if info.file_size > limit:  # checked before inflating: zip bombs stay small on the wire
            raise GraphError.single(errors.FILE_TOO_LARGE, f"{member} is {info.file_size:,} bytes, above {limit:,}")
        try:
            with archive.open(info) as handle:
                return handle.read(limit + 1)[:limit]
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:  # corrupt or encrypted
            raise GraphError.single(errors.BAD_FILE, f"{member} cannot be read from the archive") from exc


def _config(filename: str, data: bytes) -> Any:
    suffix = _suffix(filename)
    if suffix == ".keras":
        return _json(_zip_member(data, "config.json", MAX_CONFIG_BYTES))
    if suffix in H5_SUFFIXES:
        return h5_attr_json(bytes(data), "model_config")
    if suffix == ".json":
        return _json(bytes(data))
    raise GraphError.single(errors.BAD_FILE, f"unsupported file type {suffix or '(none)'}: use .keras, .h5 or .json")


def import_model_file(filename: str, data: bytes) -> dict[str, Any]:
    """A graph for an uploaded .keras / .h5 / .json Keras model (its architecture)."""
    _check_size(data)
    return from_keras(_config(filename, data))


def read_weights_arrays(filename: str, data: bytes) -> Arrays:
    """{layer name: [numpy arrays]} of an uploaded .keras or .h5 model, in layer.get_weights() order."""
    _check_size(data)
    suffix = _suffix(filename)
    if suffix == ".keras":
        config = _config(filename, data)
        return keras3_weights(_zip_member(data, "model.weights.h5", MAX_IMPORT_BYTES), config)
    if suffix in H5_SUFFIXES:
        return legacy_h5_weights(bytes(data))
    raise GraphError.single(errors.BAD_FILE, f"{suffix or 'this file'} holds no weights: use .keras or .h5")
