"""to_python(graph) -> str: a standalone Keras script that builds the same model as compile_graph.

It prints the build plan compile_graph evaluates (same calls, names and wiring), leaving out
arguments equal to Keras's defaults so the script reads like hand-written code.
"""

from __future__ import annotations

import json
from typing import Any

from .params import MISSING
from .plan import PlannedNode, build_plan, python_names, unique_name
from .registry import REGISTRY
from .spec import Call, LayerSpec, Step, literal

_LINE = 100
_SPECS_BY_CLASS: dict[str, LayerSpec] = {"layers." + s.type: s for s in REGISTRY.values() if s.steps is None}


def render(value: Any) -> str:
    """A Python literal (or nested Keras call) as source text."""
    if isinstance(value, Call):
        return _call_text(value, concise_kwargs(value), indent="")
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        inner = ", ".join(render(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render(k)}: {render(v)}" for k, v in value.items()) + "}"
    return repr(value)


def concise_kwargs(call: Call) -> dict[str, Any]:
    """The call's kwargs without those equal to the Keras default of a registry layer."""
    spec = _SPECS_BY_CLASS.get(call.ctor)
    if spec is None:
        return dict(call.kwargs)
    params = spec.param_map
    out = {}
    for key, value in call.kwargs.items():
        param = params.get(key)
        if param is not None and param.keras_default is not MISSING:
            if literal(param.parse(param.keras_default)) == value:
                continue
        out[key] = value
    return out


def _ctor_text(call: Call) -> str:
    return call.ctor if call.ctor.startswith("layers.") else "keras." + call.ctor


def _call_text(call: Call, kwargs: dict[str, Any], indent: str) -> str:
    args = [f"{k}={render(v)}" for k, v in kwargs.items()]
    one_line = f"{_ctor_text(call)}({', '.join(args)})"
    if len(indent) + len(one_line) <= _LINE:
        return one_line
    body = "".join(f"{indent}    {a},\n" for a in args)
    return f"{_ctor_text(call)}(\n{body}{indent})"


def _step_lines(step: Step, name: str, var: str, source: str, model_var: str) -> list[str]:
    kwargs = {**concise_kwargs(step.call), "name": name}
    pad = "    "
    if not step.apply:
        return [f"{pad}{var} = {_call_text(step.call, kwargs, pad)}"]
    if step.backbone is None:
        return [f"{pad}{var} = {_call_text(step.call, kwargs, pad)}({source})"]
    lines = []
    if step.weights == "imagenet":
        kwargs["weights"] = "imagenet"
    elif step.weights is not None:
        lines.append(f"{pad}# Weights: file {step.weights['file']!r} of the studio's weights library;")
        lines.append(f"{pad}# load it with {model_var}.load_weights(path_to_that_file).")
    lines.append(f"{pad}{model_var} = {_call_text(step.call, kwargs, pad)}")
    lines.append(f"{pad}for layer in {model_var}.layers:  # set before compile(): frozen layers keep their weights")
    if step.trainable_layers:
        names = "{" + ", ".join(json.dumps(n) for n in step.trainable_layers) + "}"
        lines.append(f"{pad}    layer.trainable = layer.name in {names}")
    else:
        lines.append(f"{pad}    layer.trainable = False")
    if any(layer.spec.type == "Dropout" for layer in step.backbone.layers):
        lines.append(f"{pad}    if isinstance(layer, layers.Dropout) and not layer.trainable:")
        lines.append(f"{pad}        layer.rate = 0.0  # a frozen block runs as in inference")
    lines.append(f"{pad}{var} = {model_var}({source})")
    return lines


def _node_lines(node: PlannedNode, names: dict[str, str], taken: set[str]) -> list[str]:
    var = names[node.id]
    sources = [names[s] for s in node.inputs]
    source = "[" + ", ".join(sources) + "]" if node.multi_input else (sources[0] if sources else "")
    lines = []
    for planned in node.steps:
        model_var = unique_name(f"{var}_model", taken) if planned.step.backbone else ""
        lines += _step_lines(planned.step, planned.name, var, source, model_var)
        source = var
    return lines


def _tensors(names: list[str]) -> str:
    return names[0] if len(names) == 1 else "[" + ", ".join(names) + "]"


def to_python(graph: dict[str, Any]) -> str:
    """A standalone script (imports only keras) with build_model(); raises GraphError when invalid."""
    plan = build_plan(graph)
    names = python_names(n.id for n in plan.nodes)
    taken = set(names.values())
    title = graph.get("name") if isinstance(graph.get("name"), str) else None
    lines = [
        f'"""Keras model {json.dumps(title or plan.name)}, exported from Keras Studio.',
        "",
        "Run it to build the model and print its summary; import build_model() to train it.",
        '"""',
        "",
        "import keras",
        "from keras import layers",
        "",
        "",
        "def build_model():",
    ]
    for node in plan.nodes:
        lines += _node_lines(node, names, taken)
    inputs = _tensors([names[i] for i in plan.inputs])
    outputs = _tensors([names[o] for o in plan.outputs])
    lines += [
        f"    return keras.Model(inputs={inputs}, outputs={outputs}, name={json.dumps(plan.name)})",
        "",
        "",
        'if __name__ == "__main__":',
        "    model = build_model()",
        "    model.summary()",
        "",
    ]
    return "\n".join(lines)
