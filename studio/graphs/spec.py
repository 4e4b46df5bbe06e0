"""The declaration of one layer type (`LayerSpec`) and the build recipe it yields (`Step`, `Call`).

A spec owns everything about its layer type: parameters, input arity, a pure shape function, a pure
parameter count, and the Keras calls that build it. `compile_graph` evaluates those calls with Keras
and `to_python` prints the very same calls, so the model and the exported script cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .params import BoolParam, Param
from .shapes import Shape

if TYPE_CHECKING:
    from .backbones import Backbone

P = Mapping[str, Any]  # a node's parsed params, defaults filled in
ShapeFn = Callable[[Sequence[Shape], P], Shape]
CountFn = Callable[[Sequence[Shape], P], tuple[int, int]]  # (total, non-trainable by design)
CheckFn = Callable[[P], list[tuple[str, str]]]  # [(param, message)] for combinations Keras refuses
KwargsFn = Callable[[P], dict[str, Any]]
ImportFn = Callable[[Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    """`keras.<ctor>(**kwargs)`; kwargs hold JSON-like literals, tuples, or nested Calls."""

    ctor: str
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class Step:
    """One Keras layer (or sub-model) a node becomes, applied to the previous step's output.

    The first step of a node receives the node's inputs (a list for multi-input layers). `suffix`
    is empty for the node's main layer (named after the node); helper layers are named
    `<node>_<suffix>`. `backbone` marks a keras.applications sub-model, whose trainable flags and
    weights compile and export set after constructing it.
    """

    call: Call
    suffix: str = ""
    apply: bool = True  # False for keras.Input, whose call already is the tensor
    backbone: Backbone | None = None
    trainable_layers: tuple[str, ...] = ()
    weights: Any = None


@dataclass(frozen=True)
class Arity:
    min: int = 1
    max: int = 1
    ports: tuple[str, ...] = ()  # names of ordered inputs where they differ (Subtract)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"min": self.min, "max": self.max}
        if self.ports:
            out["ports"] = list(self.ports)
        return out


ONE = Arity()


def no_weights(_ins: Sequence[Shape], _p: P) -> tuple[int, int]:
    return 0, 0


TRAINABLE = BoolParam("trainable", True, "Update this layer's weights in training (off: frozen).", keras_default=True)


@dataclass(frozen=True)
class LayerSpec:
    type: str
    category: str
    help: str
    params: tuple[Param, ...]
    shape: ShapeFn
    weights: CountFn = no_weights
    inputs: Arity = ONE
    summary: tuple[str, ...] = ()
    kwargs: KwargsFn | None = None  # params -> Keras kwargs; default: same names, lists as tuples
    check: CheckFn | None = None
    steps: Callable[[P, Sequence[Shape]], list[Step]] | None = None  # compound nodes
    inner: Callable[[P, Sequence[Shape]], list[dict[str, Any]]] | None = None
    backbone: Backbone | None = None
    from_config: ImportFn | None = None  # Keras layer config -> params; default: by name
    import_requires: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # config values we can express
    has_trainable: bool = field(init=False)

    def __post_init__(self) -> None:
        # Every layer with weights can be frozen on its own; the flag is one shared parameter.
        weighted = self.weights is not no_weights and self.backbone is None
        object.__setattr__(self, "has_trainable", weighted)
        if weighted and "trainable" not in {p.name for p in self.params}:
            object.__setattr__(self, "params", (*self.params, TRAINABLE))

    @property
    def param_map(self) -> dict[str, Param]:
        return {p.name: p for p in self.params}

    def keras_kwargs(self, p: P) -> dict[str, Any]:
        if self.kwargs is not None:
            out = self.kwargs(p)
        else:
            out = {k: literal(v) for k, v in p.items() if k != "trainable"}
        if self.has_trainable and p.get("trainable") is False:
            out["trainable"] = False
        return out

    def build_steps(self, p: P, in_shapes: Sequence[Shape]) -> list[Step]:
        if self.steps is not None:
            return self.steps(p, in_shapes)
        return [Step(Call("layers." + self.type, self.keras_kwargs(p)))]  # types are Keras class names


def literal(value: Any) -> Any:
    """A parsed param value as a Keras argument (lists become tuples)."""
    return tuple(value) if isinstance(value, list) else value
