"""Error and warning codes of studio.graphs, and the exception that carries them.

Codes are stable snake_case strings: the API, the canvas and outside checks match on them, so a code
is never renamed; new situations get new codes.
"""

from __future__ import annotations

from typing import Any

# Structure of the document.
SCHEMA = "schema"  # the graph (or a node/edge) is not the expected JSON shape
BAD_VERSION = "bad_version"  # graph["version"] is not a supported version
DUPLICATE_ID = "duplicate_id"  # two nodes share an id
UNKNOWN_NODE = "unknown_node"  # an edge names a node id that does not exist
UNKNOWN_TYPE = "unknown_type"  # a node's type is not in the registry
# Parameters.
UNKNOWN_PARAM = "unknown_param"
MISSING_PARAM = "missing_param"
INVALID_PARAM = "invalid_param"  # wrong kind of value, or a combination Keras refuses
PARAM_OUT_OF_RANGE = "param_out_of_range"
LIMIT_EXCEEDED = "limit_exceeded"  # over one of the studio's limits (limits.LIMITS names it)
# Topology.
CYCLE = "cycle"
DISCONNECTED = "disconnected"
NO_INPUT = "no_input"
NO_OUTPUT = "no_output"
INPUT_HAS_INCOMING = "input_has_incoming"
ARITY = "arity"  # too few or too many incoming edges
BAD_PORT = "bad_port"
# Shapes.
SHAPE_MISMATCH = "shape_mismatch"
# Compile, import and weights.
WEIGHTS_MISSING = "weights_missing"
WEIGHTS_MISMATCH = "weights_mismatch"
UNSUPPORTED_LAYER = "unsupported_layer"  # a Keras layer with no registry entry (Lambda, custom, ...)
UNSUPPORTED_CONFIG = "unsupported_config"  # a Keras setting the registry cannot express
BAD_FILE = "bad_file"  # an uploaded file that is not a readable Keras model
FILE_TOO_LARGE = "file_too_large"
INTERNAL_ERROR = "internal_error"  # a bug: validate() never raises, it reports this instead

# Warnings (the graph is valid, but something deserves a look).
WEIGHTS_UNAVAILABLE = "weights_unavailable"  # pre-trained weights not on this machine yet

ERROR_CODES: frozenset[str] = frozenset(
    {
        SCHEMA, BAD_VERSION, DUPLICATE_ID, UNKNOWN_NODE, UNKNOWN_TYPE, UNKNOWN_PARAM, MISSING_PARAM,
        INVALID_PARAM, PARAM_OUT_OF_RANGE, LIMIT_EXCEEDED, CYCLE, DISCONNECTED, NO_INPUT, NO_OUTPUT,
        INPUT_HAS_INCOMING, ARITY, BAD_PORT, SHAPE_MISMATCH, WEIGHTS_MISSING,
        WEIGHTS_MISMATCH, UNSUPPORTED_LAYER, UNSUPPORTED_CONFIG, BAD_FILE, FILE_TOO_LARGE, INTERNAL_ERROR,
    }
)  # fmt: skip
WARNING_CODES: frozenset[str] = frozenset({WEIGHTS_UNAVAILABLE})


def issue(
    code: str,
    message: str,
    *,
    node: str | None = None,
    edge: int | None = None,
    param: str | None = None,
) -> dict[str, Any]:
    """One error or warning in the shape the validation report uses."""
    return {"code": code, "message": message, "node": node, "edge": edge, "param": param}


class GraphError(ValueError):
    """A graph (or a model being imported) that cannot become a Keras model; `errors` says why."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__(self._summary())

    @classmethod
    def single(cls, code: str, message: str, **where: Any) -> GraphError:
        return cls([issue(code, message, **where)])

    def _summary(self) -> str:
        if not self.errors:
            return "invalid graph"
        first = self.errors[0]
        where = f"{first['node']}: " if first.get("node") else ""
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        return f"{where}{first['message']}{more}"

    @property
    def codes(self) -> list[str]:
        return [e["code"] for e in self.errors]
