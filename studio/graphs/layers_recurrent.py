"""Recurrent layers over sequences (batch, steps, features), and the Bidirectional wrapper."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .layers_common import activation, use_bias
from .limits import MAX_RNN_UNITS
from .params import BoolParam, ChoiceParam, FloatParam, IntParam, Param
from .shapes import Shape, need_known, need_rank
from .spec import Call, LayerSpec, P, ShapeFn

RNN_TYPES = ("LSTM", "GRU")
# Settings the studio cannot express must hold these values for an import to go through.
RNN_REQUIRES: dict[str, tuple[Any, ...]] = {
    "return_state": (False,),
    "stateful": (False,),
    "time_major": (False, None),
}


def _common(*, go_backwards: bool = True) -> tuple[Param, ...]:
    out: tuple[Param, ...] = (
        IntParam("units", 64, "Size of the hidden state.", min=1, max=MAX_RNN_UNITS, limit="max_rnn_units"),
        activation("tanh"),
        activation("sigmoid", name="recurrent_activation"),
        use_bias(),
        BoolParam("return_sequences", False, "Output every step (for stacking), not only the last.",
                  keras_default=False),
        FloatParam("dropout", 0.0, "Dropout on the inputs while training.", min=0.0, max=0.99, keras_default=0.0),
        FloatParam("recurrent_dropout", 0.0, "Dropout on the state while training.", min=0.0, max=0.99,
                   keras_default=0.0),
    )  # fmt: skip
    if go_backwards:
        out += (BoolParam("go_backwards", False, "Read the sequence backwards.", keras_default=False),)
    return out


def _cell_weights(kind: str, features: int, p: P) -> int:
    units = p["units"]
    gates = 4 if kind == "LSTM" else 3
    bias = 0
    if p["use_bias"]:
        bias = 2 * gates * units if kind == "GRU" and p.get("reset_after", True) else gates * units
    return gates * units * (features + units) + bias


def _rnn_shape(width: Callable[[P], int]) -> ShapeFn:
    def shape(ins: Sequence[Shape], p: P) -> Shape:
        (x,) = ins
        need_rank(x, 3)
        need_known(x[2], "number of features per step", x)
        units = p["units"] * width(p)
        return (None, x[1], units) if p["return_sequences"] else (None, units)

    return shape


def _rnn(kind: str, help: str, extra: tuple[Param, ...] = ()) -> LayerSpec:
    def weights(ins: Sequence[Shape], p: P) -> tuple[int, int]:
        return _cell_weights(kind, ins[0][2] or 0, p), 0

    return LayerSpec(
        kind, "Recurrent", help, params=(*_common(), *extra), shape=_rnn_shape(lambda _p: 1), weights=weights,
        summary=("units", "return_sequences"), import_requires=RNN_REQUIRES,
    )  # fmt: skip


LSTM = _rnn("LSTM", "Long short-term memory: a recurrent layer that keeps long-range context.")
GRU = _rnn(
    "GRU",
    "Gated recurrent unit: a lighter recurrent layer than LSTM.",
    (BoolParam("reset_after", True, "Apply the reset gate after the matrix product (Keras default).",
               keras_default=True),),
)  # fmt: skip

MERGE_MODES = ("concat", "sum", "mul", "ave")


def _bidirectional_width(p: P) -> int:
    return 2 if p["merge_mode"] == "concat" else 1


def _bidirectional_weights(ins: Sequence[Shape], p: P) -> tuple[int, int]:
    return 2 * _cell_weights(p["layer"], ins[0][2] or 0, p), 0


def _bidirectional_kwargs(p: P) -> dict[str, Any]:
    inner = {k: v for k, v in p.items() if k not in ("layer", "merge_mode", "trainable")}
    if p["trainable"] is False:  # Keras does not pass the flag down to the wrapped layers
        inner["trainable"] = False
    return {"layer": Call("layers." + p["layer"], inner), "merge_mode": p["merge_mode"]}


def _bidirectional_import(config: Mapping[str, Any]) -> dict[str, Any]:
    inner = config.get("layer") or {}
    kind = inner.get("class_name")
    if kind not in RNN_TYPES:
        raise ValueError(f"Bidirectional wraps {kind!r}; the studio supports LSTM and GRU")
    inner_config = dict(inner.get("config") or {})
    for key, allowed in {**RNN_REQUIRES, "go_backwards": (False,), "reset_after": (True,)}.items():
        if key in inner_config and inner_config[key] not in allowed:
            raise ValueError(f"Bidirectional's inner {kind} sets {key}={inner_config[key]!r}")
    if not _mirrors(inner, config.get("backward_layer")):
        raise ValueError("Bidirectional has its own backward layer; the studio mirrors the forward one")
    names = {p.name for p in _common(go_backwards=False)}
    params = {k: v for k, v in inner_config.items() if k in names}
    return {"layer": kind, **params, "merge_mode": config.get("merge_mode", "concat")}


def _mirrors(forward: Mapping[str, Any], backward: Any) -> bool:
    """Is `backward` the copy Keras makes of `forward` (same settings, reading backwards)?"""
    if backward is None:
        return True
    if not isinstance(backward, Mapping) or backward.get("class_name") != forward.get("class_name"):
        return False
    ignore = {"name", "go_backwards"}
    mine = {k: v for k, v in (forward.get("config") or {}).items() if k not in ignore}
    theirs = {k: v for k, v in (backward.get("config") or {}).items() if k not in ignore}
    return mine == theirs


BIDIRECTIONAL = LayerSpec(
    "Bidirectional", "Recurrent", "Runs an LSTM or GRU forwards and backwards and merges both.",
    params=(
        ChoiceParam("layer", "LSTM", "The recurrent layer to wrap.", choices=RNN_TYPES),
        *_common(go_backwards=False),
        ChoiceParam("merge_mode", "concat", "How the two directions are combined.", choices=MERGE_MODES,
                    keras_default="concat"),
    ),
    shape=_rnn_shape(_bidirectional_width), weights=_bidirectional_weights, kwargs=_bidirectional_kwargs,
    summary=("layer", "units", "merge_mode"), from_config=_bidirectional_import,
)  # fmt: skip

SPECS = (LSTM, GRU, BIDIRECTIONAL)
