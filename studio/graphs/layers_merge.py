"""Layers that merge several inputs; the order of inputs comes from the edges' `port`."""

from __future__ import annotations

from collections.abc import Sequence

from .layers_common import axis
from .limits import MAX_MERGE_INPUTS
from .shapes import Shape, ShapeError, axis_index, broadcast, show
from .spec import Arity, LayerSpec, P

MANY = Arity(2, MAX_MERGE_INPUTS)


def _elementwise(ins: Sequence[Shape], _p: P) -> Shape:
    out = ins[0]
    for shape in ins[1:]:
        out = broadcast(out, shape)
    return out


def _merge(type_: str, help: str, arity: Arity = MANY) -> LayerSpec:
    return LayerSpec(type_, "Merge", help, params=(), shape=_elementwise, inputs=arity)


def _concatenate_shape(ins: Sequence[Shape], p: P) -> Shape:
    rank = len(ins[0])
    if any(len(s) != rank for s in ins):
        raise ShapeError("inputs must have the same rank: " + ", ".join(show(s) for s in ins))
    index = axis_index(p["axis"], rank)
    out = list(ins[0])
    for shape in ins[1:]:
        for i, dim in enumerate(shape):
            if i in (0, index):
                continue
            if out[i] is not None and dim is not None and out[i] != dim:
                raise ShapeError(
                    f"inputs must match except along axis {p['axis']}: {show(ins[0])} and {show(shape)}", "axis"
                )
    sizes = [s[index] for s in ins]
    out[index] = None if any(d is None for d in sizes) else sum(sizes)  # type: ignore[arg-type]
    return tuple(out)


SPECS = (
    _merge("Add", "Adds its inputs element-wise (shapes must match)."),
    _merge("Subtract", "First input minus the second.", Arity(2, 2, ("minuend", "subtrahend"))),
    _merge("Multiply", "Multiplies its inputs element-wise."),
    _merge("Average", "Averages its inputs element-wise."),
    _merge("Maximum", "Element-wise maximum of its inputs."),
    _merge("Minimum", "Element-wise minimum of its inputs."),
    LayerSpec(
        "Concatenate", "Merge", "Joins its inputs along an axis, in port order.",
        params=(axis(-1, "Axis to join along (-1: channels / features)."),),
        shape=_concatenate_shape, inputs=MANY,
    ),
)  # fmt: skip
