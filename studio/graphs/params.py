"""Parameter declarations: what a layer parameter accepts, its default, and how the catalog shows it.

`Param.parse` turns a JSON value into the normalised Python value every other module uses (ints
lists expanded from scalars, integral floats made ints) or raises `ParamError` with the error code
and a message a person can act on. Nothing here knows about Keras.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, ClassVar

from . import errors
from .limits import LIMITS

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


class ParamError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Param:
    """One parameter: a Keras argument name, a default, and a one-line help text."""

    name: str
    default: Any
    help: str
    optional: bool = False  # null is accepted (and means "Keras decides", e.g. strides=None)
    required: bool = False  # must be present in the node (the default only pre-fills the form)
    keras_default: Any = MISSING  # Keras's own default; exported code omits the argument when equal
    kind: ClassVar[str] = "any"

    def parse(self, value: Any) -> Any:
        if value is None:
            if self.optional:
                return None
            raise ParamError(errors.INVALID_PARAM, f"{self.name} cannot be null")
        return self._parse(value)

    def _parse(self, value: Any) -> Any:
        return value

    def describe(self) -> dict[str, Any]:
        # A copy: callers may edit the catalog they get without touching the registry.
        default = copy.deepcopy(self.default)
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "default": default, "help": self.help}
        if self.optional:
            out["optional"] = True
        if self.required:
            out["required"] = True
        out.update(self._describe())
        return out

    def _describe(self) -> dict[str, Any]:
        return {}


def _check_range(
    name: str, value: float, lo: float | None, hi: float | None, limit: str | None, what: str = ""
) -> None:
    if lo is not None and value < lo:
        raise ParamError(errors.PARAM_OUT_OF_RANGE, f"{name}{what} is {value}, below the minimum {lo}")
    if hi is not None and value > hi:
        if limit:
            raise ParamError(
                errors.LIMIT_EXCEEDED, f"{name}{what} is {value}, above the limit {limit} = {LIMITS[limit]}"
            )
        raise ParamError(errors.PARAM_OUT_OF_RANGE, f"{name}{what} is {value}, above the maximum {hi}")


def _parse_int(name: str, value: Any) -> int:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)  # JSON from browsers may carry 64.0 for 64
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ParamError(errors.INVALID_PARAM, f"{name} must be an integer, got {_show(value)}")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class IntParam(Param):
    min: int | None = None
    max: int | None = None
    limit: str | None = None  # the LIMITS key that sets `max`, so exceeding it says which limit
    kind: ClassVar[str] = "int"

    def _parse(self, value: Any) -> int:
        number = _parse_int(self.name, value)
        _check_range(self.name, number, self.min, self.max, self.limit)
        return number

    def _describe(self) -> dict[str, Any]:
        return {"min": self.min, "max": self.max}


@dataclass(frozen=True)
class FloatParam(Param):
    min: float | None = None
    max: float | None = None
    kind: ClassVar[str] = "float"

    def _parse(self, value: Any) -> float:
        if not _is_number(value) or not math.isfinite(value):
            raise ParamError(errors.INVALID_PARAM, f"{self.name} must be a number, got {_show(value)}")
        _check_range(self.name, value, self.min, self.max, None)
        return float(value)

    def _describe(self) -> dict[str, Any]:
        return {"min": self.min, "max": self.max}


@dataclass(frozen=True)
class BoolParam(Param):
    kind: ClassVar[str] = "bool"

    def _parse(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ParamError(errors.INVALID_PARAM, f"{self.name} must be true or false, got {_show(value)}")
        return value


@dataclass(frozen=True)
class ChoiceParam(Param):
    choices: tuple[Any, ...] = ()
    kind: ClassVar[str] = "choice"

    def _parse(self, value: Any) -> Any:
        # `value in choices` would let True match 1; compare type and value.
        if not any(type(value) is type(c) and value == c for c in self.choices):
            shown = ", ".join(_show(c) for c in self.choices if c is not None)
            raise ParamError(errors.INVALID_PARAM, f"{self.name} must be one of {shown}; got {_show(value)}")
        return value

    def _describe(self) -> dict[str, Any]:
        return {"choices": list(self.choices) + ([None] if self.optional and None not in self.choices else [])}


@dataclass(frozen=True)
class IntsParam(Param):
    """A list of ints (kernel sizes, shapes, paddings); `lengths` lists the accepted lengths."""

    lengths: tuple[int, ...] = (1,)
    min: int | None = None
    max: int | None = None
    limit: str | None = None
    null_items: bool = False
    scalar_ok: bool = False  # 3 means [3, 3] (every accepted length filled with it)
    kind: ClassVar[str] = "ints"

    def _parse(self, value: Any) -> list[int | None]:
        if self.scalar_ok and _is_number(value):
            return [self._item(value, None)] * max(self.lengths)
        if not isinstance(value, (list, tuple)):
            raise ParamError(errors.INVALID_PARAM, f"{self.name} must be a list of integers, got {_show(value)}")
        if len(value) not in self.lengths:
            lengths = " or ".join(str(n) for n in self.lengths)
            raise ParamError(errors.INVALID_PARAM, f"{self.name} must have {lengths} items, got {len(value)}")
        return [self._item(item, i) for i, item in enumerate(value)]

    def _item(self, item: Any, index: int | None) -> int | None:
        if item is None and self.null_items:
            return None
        number = _parse_int(self.name, item)
        what = "" if index is None else f"[{index}]"
        _check_range(self.name, number, self.min, self.max, self.limit, what)
        return number

    def _describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "min_length": min(self.lengths),
            "max_length": max(self.lengths),
            "min": self.min,
            "max": self.max,
        }
        if len(self.lengths) != max(self.lengths) - min(self.lengths) + 1:
            out["lengths"] = list(self.lengths)
        if self.null_items:
            out["null_items"] = True
        if self.scalar_ok:
            out["scalar_ok"] = True
        return out


@dataclass(frozen=True)
class LayersParam(Param):
    """A subset of named layers (a pre-trained network's `trainable_layers`)."""

    choices: tuple[str, ...] = ()
    kind: ClassVar[str] = "layers"

    def _parse(self, value: Any) -> list[str]:
        if not isinstance(value, (list, tuple)):
            raise ParamError(errors.INVALID_PARAM, f"{self.name} must be a list of layer names")
        known = set(self.choices)
        for item in value:
            if not isinstance(item, str) or item not in known:
                raise ParamError(errors.INVALID_PARAM, f"{self.name}: {_show(item)} is not a layer of this network")
        if len(set(value)) != len(value):
            raise ParamError(errors.INVALID_PARAM, f"{self.name} lists a layer twice")
        return list(value)

    def _describe(self) -> dict[str, Any]:
        return {"choices": list(self.choices)}


@dataclass(frozen=True)
class WeightsParam(Param):
    """Pre-trained weights: "imagenet", null (random init), or {"file": id} from the weights library."""

    choices: tuple[Any, ...] = ("imagenet", None)
    optional: bool = True
    kind: ClassVar[str] = "weights"

    def _parse(self, value: Any) -> Any:
        if value == "imagenet":
            return value
        if isinstance(value, dict) and set(value) == {"file"}:
            ref = value["file"]
            if (isinstance(ref, int) and not isinstance(ref, bool) and ref >= 0) or (
                isinstance(ref, str) and 0 < len(ref) <= 100
            ):
                return {"file": ref}
        raise ParamError(
            errors.INVALID_PARAM, f'{self.name} must be "imagenet", null or {{"file": id}}, got {_show(value)}'
        )

    def _describe(self) -> dict[str, Any]:
        return {"choices": list(self.choices)}
