"""The pre-flight check: will this graph train on this dataset with these settings? Pure (no Django, no Keras).

Run before a run is queued (and on its own through POST /api/runs/preflight/). It reads only the
graph, its validation report (shapes and parameter counts), a summary of the dataset and the
hyper-parameters, so it answers in milliseconds and is unit-tested without a database.

Errors stop the run from being queued; warnings are shown but do not. Figures are estimates: FLOPs
count 2 * weights * output positions per layer (exact for Conv2D and Dense, close elsewhere), and
memory counts weights, gradients, optimizer slots and every layer's output kept for back-propagation.
"""
import math
from typing import Any

OPTIMIZER_SLOTS = {"adam": 2, "adamw": 2, "rmsprop": 1, "sgd": 0}
FRAMEWORK_OVERHEAD_BYTES = 600 * 1024**2  # TensorFlow's own memory before the first batch
SAFE_MEMORY_FRACTION = 0.6  # what the suggested batch size may use of the worker's memory
IMBALANCE_RATIO = 3.0
MAX_SUGGESTED_BATCH = 512


def _issue(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def output_spec(graph: dict, report: dict) -> dict[str, Any]:
    """The single output node, its unit count and activation, as far as the graph says."""
    nodes = {n.get("id"): n for n in graph.get("nodes", []) if isinstance(n, dict)}
    sources = {e.get("source") for e in graph.get("edges", []) if isinstance(e, dict)}
    outputs = [nid for nid in nodes if nid not in sources]
    inputs = [nid for nid, n in nodes.items() if n.get("type") == "Input"]
    shape = report.get("shapes", {}).get(outputs[0]) if len(outputs) == 1 else None
    node = nodes[outputs[0]] if len(outputs) == 1 else {}
    params = node.get("params") or {}
    if node.get("type") == "Softmax":
        activation = "softmax"
    else:
        activation = params.get("activation") or "linear"
    return {"outputs": outputs, "inputs": inputs, "node": outputs[0] if outputs else None, "shape": shape,
            "units": shape[-1] if shape and len(shape) == 2 else None, "activation": activation,
            "input_shape": report.get("shapes", {}).get(inputs[0]) if len(inputs) == 1 else None}


def resolve_loss(*, requested: str, units: int | None, activation: str, num_classes: int) -> dict[str, Any]:
    """The Keras loss for sparse integer labels: {"name", "from_logits"} or {"error"}."""
    if units is None:
        return {"error": "The output must give one vector per image: end with Flatten or "
                         "GlobalAveragePooling2D and a Dense layer."}
    binary = units == 1
    if requested == "auto":
        requested = "binary_crossentropy" if binary else "sparse_categorical_crossentropy"
    if requested == "binary_crossentropy":
        if not binary or num_classes != 2:
            return {"error": f"binary_crossentropy needs 1 output unit and 2 classes (the output has {units} "
                             f"units, the dataset {num_classes} classes)."}
        allowed = {"sigmoid": False, "linear": True}
        advice = "use activation sigmoid (or linear for logits)"
    else:
        if units != num_classes:
            return {"error": f"The output layer has {units} units but the dataset has {num_classes} classes: "
                             f"set units to {num_classes}."}
        allowed = {"softmax": False, "linear": True}
        advice = "use activation softmax (or linear for logits)"
    if activation not in allowed:
        return {"error": f"The output layer's activation is {activation}; for {requested} {advice}."}
    return {"name": requested, "from_logits": allowed[activation]}


def _positions(shape: list | None) -> int:
    """Output positions a layer's weights are applied at: H*W for images, steps for sequences, 1 for vectors."""
    if not shape or len(shape) <= 2:
        return 1
    return math.prod(int(d or 1) for d in shape[1:-1])


def _elements(shape: list | None) -> int:
    return math.prod(int(d or 1) for d in shape[1:]) if shape else 0


def model_costs(report: dict) -> dict[str, int]:
    """Forward FLOPs and output elements per image, summed over every layer (inside pre-trained nodes too)."""
    flops = elements = 0
    node_params = report.get("node_params") or {}
    inner = report.get("inner") or {}
    for node_id, shape in (report.get("shapes") or {}).items():
        if node_id in inner:
            for layer in inner[node_id]:
                flops += 2 * int(layer.get("params") or 0) * _positions(layer.get("shape"))
                elements += _elements(layer.get("shape"))
            continue
        flops += 2 * int((node_params.get(node_id) or {}).get("total") or 0) * _positions(shape)
        elements += _elements(shape)
    return {"flops_per_image": flops, "activation_elements_per_image": elements}


def memory_estimate(*, report: dict, costs: dict, batch_size: int, optimizer: str, mixed_precision: bool) -> int:
    total = int(report.get("params_total") or 0)
    trainable = int(report.get("params_trainable") or 0)
    weights = 4 * total + 4 * trainable * (1 + OPTIMIZER_SLOTS.get(optimizer, 2))  # weights, grads, slots
    per_value = 2 if mixed_precision else 4
    # Outputs kept for the backward pass, plus about as much again in temporaries.
    activations = 2 * per_value * costs["activation_elements_per_image"] * batch_size
    return FRAMEWORK_OVERHEAD_BYTES + weights + activations


def suggest_batch_size(*, report: dict, costs: dict, hp: dict, memory_bytes: int, train_count: int) -> int:
    batch = 1
    ceiling = max(1, min(MAX_SUGGESTED_BATCH, train_count or MAX_SUGGESTED_BATCH))
    while batch * 2 <= ceiling and memory_estimate(
            report=report, costs=costs, batch_size=batch * 2, optimizer=hp["optimizer"],
            mixed_precision=hp["mixed_precision"]) <= SAFE_MEMORY_FRACTION * memory_bytes:
        batch *= 2
    return batch


def _gb(value: float) -> str:
    return f"{value / 1024**3:.1f} GB"


def _image_warnings(input_shape: list, stats: dict) -> list[dict]:
    height, width = int(input_shape[1]), int(input_shape[2])
    med_w = (stats.get("width") or {}).get("median")
    med_h = (stats.get("height") or {}).get("median")
    if not med_w or not med_h:
        return []
    warnings = []
    scale = min(width / med_w, height / med_h)
    size = f"{int(med_w)}x{int(med_h)}"
    if scale > 2:
        warnings.append(_issue("images_upscaled", f"Images (typically {size}) are enlarged to {width}x{height}; "
                                                  f"a smaller input size trains faster with the same detail."))
    elif scale < 0.25:
        warnings.append(_issue("images_downscaled", f"Images (typically {size}) are shrunk to {width}x{height}; "
                                                    f"fine detail may be lost."))
    aspect_change = (med_w / med_h) / (width / height)
    if aspect_change > 1.5 or aspect_change < 1 / 1.5:
        warnings.append(_issue("images_stretched", f"Images (typically {size}) are stretched to the input's "
                                                   f"{width}x{height} aspect ratio."))
    return warnings


def preflight(*, graph: dict, report: dict, dataset: dict, hp: dict, memory_bytes: int) -> dict[str, Any]:
    """Check a run before it is queued.

    dataset: {"classes": [{"name", "count"}], "image_stats": {"width": {"median"}, "height": {...}},
    "split_counts": {"train", "validation", "test"}}. hp: normalised hyper-parameters.
    Answers {"ok", "errors", "warnings", "figures"}.
    """
    errors: list[dict] = []
    warnings: list[dict] = []
    classes = dataset.get("classes") or []
    counts = [int(c.get("count") or 0) for c in classes]
    split = dataset.get("split_counts") or {}
    train_count = int(split.get("train") or 0)
    figures: dict[str, Any] = {"num_classes": len(classes), "num_images": sum(counts), "split_counts": split,
                               "batch_size": hp["batch_size"], "memory_available_bytes": memory_bytes}

    if len(classes) < 2:
        errors.append(_issue("too_few_classes", "The dataset needs at least 2 classes to train a classifier."))
    empty = [c["name"] for c, n in zip(classes, counts, strict=True) if n == 0]
    if empty:
        errors.append(_issue("empty_class", f"These classes have no images: {', '.join(empty)}."))
    if train_count == 0:
        errors.append(_issue("no_training_images", "The split leaves no images for training."))
    if counts and min(counts) > 0 and max(counts) / min(counts) > IMBALANCE_RATIO and hp.get("class_weight") is None:
        big, small = classes[counts.index(max(counts))]["name"], classes[counts.index(min(counts))]["name"]
        warnings.append(_issue("class_imbalance", f"Classes are imbalanced ({big}: {max(counts)} images, {small}: "
                                                  f"{min(counts)}); set class_weight to \"auto\" so rare classes "
                                                  f"count as much."))
    has_validation = int(split.get("validation") or 0) > 0
    if not has_validation:
        watched = (hp.get("early_stopping") or {}).get("monitor", "")
        if watched.startswith("val_"):
            errors.append(_issue("no_validation", f"Early stopping watches {watched} but there are no validation "
                                                  f"images: add a validation split or watch loss."))
        else:
            warnings.append(_issue("no_validation", "There are no validation images: val_loss and val_accuracy "
                                                    "will not be measured."))
    if train_count and hp["batch_size"] > train_count:
        warnings.append(_issue("batch_larger_than_data", f"The batch size ({hp['batch_size']}) is larger than the "
                                                         f"{train_count} training images: each epoch is one batch."))

    if not report.get("valid"):
        errors.append(_issue("invalid_graph", "The project's graph is not valid.", errors=report.get("errors", [])))
        return {"ok": False, "errors": errors, "warnings": warnings, "figures": figures}

    spec = output_spec(graph, report)
    if len(spec["inputs"]) != 1 or len(spec["outputs"]) != 1:
        errors.append(_issue("one_input_one_output", f"Training on an image dataset needs exactly one Input and one "
                                                     f"output (the graph has {len(spec['inputs'])} and "
                                                     f"{len(spec['outputs'])})."))
    input_shape = spec["input_shape"]
    if not input_shape or len(input_shape) != 4 or not all(input_shape[1:]) or input_shape[3] not in (1, 3):
        errors.append(_issue("input_shape", f"The Input must be an image of fixed height x width x 1 or 3 channels "
                                            f"(it is {input_shape[1:] if input_shape else 'unknown'})."))
    else:
        warnings.extend(_image_warnings(input_shape, dataset.get("image_stats") or {}))
    loss = resolve_loss(requested=hp["loss"], units=spec["units"], activation=spec["activation"],
                        num_classes=len(classes))
    if "error" in loss:
        errors.append(_issue("output_mismatch", loss["error"], node=spec["node"]))
    else:
        figures["loss"] = loss
    if "top_5_accuracy" in hp.get("metrics", []) and len(classes) <= 5:
        warnings.append(_issue("top5_trivial", "top_5_accuracy is always 1.0 with 5 classes or fewer."))

    trainable = int(report.get("params_trainable") or 0)
    if trainable == 0:
        errors.append(_issue("nothing_to_train", "Every layer is frozen: make at least one layer trainable."))
    costs = model_costs(report)
    needed = memory_estimate(report=report, costs=costs, batch_size=hp["batch_size"], optimizer=hp["optimizer"],
                             mixed_precision=hp["mixed_precision"])
    suggested = suggest_batch_size(report=report, costs=costs, hp=hp, memory_bytes=memory_bytes,
                                   train_count=train_count)
    figures.update({"params_total": int(report.get("params_total") or 0), "params_trainable": trainable,
                    **costs, "memory_estimate_bytes": needed, "suggested_batch_size": suggested})
    if needed > memory_bytes:
        errors.append(_issue("out_of_memory", f"Training needs about {_gb(needed)} at batch size {hp['batch_size']} "
                                              f"but the worker has {_gb(memory_bytes)}: use batch size {suggested} "
                                              f"or less.", suggested_batch_size=suggested))
    elif needed > SAFE_MEMORY_FRACTION * memory_bytes:
        warnings.append(_issue("memory_tight", f"Training needs about {_gb(needed)} of the worker's "
                                               f"{_gb(memory_bytes)}; batch size {suggested} leaves more room.",
                               suggested_batch_size=suggested))
    return {"ok": not errors, "errors": errors, "warnings": warnings, "figures": figures}
