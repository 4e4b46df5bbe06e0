"""Shape arithmetic shared by the layer declarations, written to match what Keras 3 builds.

A shape is a tuple with the batch dimension first (always None) and None for any other unknown
dimension. Shape functions raise `ShapeError` for inputs Keras would refuse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Shape = tuple[int | None, ...]


class ShapeError(ValueError):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


def show(shape: Sequence[int | None]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def need_rank(shape: Shape, rank: int | None = None, *, min_rank: int | None = None, what: str = "") -> None:
    """Rank includes the batch dimension: rank 4 is (batch, height, width, channels)."""
    if rank is not None and len(shape) != rank:
        described = {3: "a sequence (batch, steps, features)", 4: "an image (batch, height, width, channels)"}
        need = described.get(rank, f"rank {rank}")
        raise ShapeError(f"{what or 'this layer'} needs {need}, got {show(shape)}")
    if min_rank is not None and len(shape) < min_rank:
        raise ShapeError(f"{what or 'this layer'} needs rank {min_rank} or more, got {show(shape)}")


def need_known(dim: int | None, what: str, shape: Shape) -> int:
    if dim is None:
        raise ShapeError(f"the {what} must be known, got {show(shape)}")
    return dim


def axis_index(axis: int, rank: int, param: str = "axis") -> int:
    """A Keras axis (negative counts from the end) as an index; the batch axis is refused."""
    index = axis + rank if axis < 0 else axis
    if not 0 < index < rank:
        raise ShapeError(f"{param}={axis} is not a valid axis for rank {rank}", param=param)
    return index


def conv_length(
    size: int | None, kernel: int, stride: int, dilation: int, padding: str, param: str = "kernel_size"
) -> int | None:
    """Output length along one axis of a convolution or pooling window (Keras's formula)."""
    if size is None:
        return None
    if padding == "valid":
        out = (size - dilation * (kernel - 1) - 1) // stride + 1
        if out <= 0:
            raise ShapeError(
                f"the window ({kernel}, dilation {dilation}) is larger than the input ({size}) with padding 'valid'",
                param=param,
            )
        return out
    return (size - 1) // stride + 1  # same / causal


def deconv_length(size: int | None, kernel: int, stride: int, dilation: int, padding: str) -> int | None:
    if size is None:
        return None
    kernel = (kernel - 1) * dilation + 1
    if padding == "valid":
        return (size - 1) * stride + kernel + max(kernel, stride) - kernel
    return size * stride


def elements(shape: Shape) -> int | None:
    """Elements of one sample (batch excluded), None when a dimension is unknown."""
    dims = shape[1:]
    if any(d is None for d in dims):
        return None
    return math.prod(dims)  # type: ignore[arg-type]


def broadcast(a: Shape, b: Shape) -> Shape:
    """Element-wise merge of two equal-rank shapes the way Keras's merge layers compute it."""
    if len(a) != len(b):
        raise ShapeError(f"inputs must have the same rank: {show(a)} and {show(b)}")
    out: list[int | None] = [None]
    for i, j in zip(a[1:], b[1:], strict=True):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ShapeError(f"inputs must have the same shape: {show(a)} and {show(b)}")
    return tuple(out)
