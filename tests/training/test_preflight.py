"""The pre-flight check (pure): what stops a run before it is queued, and what it only warns about."""
import pytest
from training_builders import tiny_graph, vgg_graph

from studio.graphs import validate
from studio.training.hyperparams import normalize_hyperparameters
from studio.training.preflight import model_costs, preflight, resolve_loss

GB = 1024**3


def _dataset(counts=(50, 50), *, width=32, height=32, split=None):
    return {
        "classes": [{"name": f"c{i}", "count": n} for i, n in enumerate(counts)],
        "image_stats": {"width": {"median": width}, "height": {"median": height}},
        "split_counts": split or {"train": int(sum(counts) * 0.7), "validation": int(sum(counts) * 0.15),
                                  "test": int(sum(counts) * 0.15)},
    }


def _check(graph=None, dataset=None, memory=16 * GB, **hp):
    graph = graph or tiny_graph()
    settings, problems = normalize_hyperparameters({"seed": 1, **hp})
    assert problems == []
    return preflight(graph=graph, report=validate(graph).as_dict(), dataset=dataset or _dataset(), hp=settings,
                     memory_bytes=memory)


def _codes(items):
    return [item["code"] for item in items]


def test_a_matching_graph_and_dataset_pass_with_figures():
    result = _check()
    assert result["ok"] is True and result["errors"] == []
    figures = result["figures"]
    assert figures["num_classes"] == 2
    assert figures["params_trainable"] > 0
    assert figures["flops_per_image"] > 0
    assert figures["loss"] == {"name": "sparse_categorical_crossentropy", "from_logits": False}
    assert figures["suggested_batch_size"] >= 1


def test_it_rejects_output_units_that_differ_from_the_class_count():
    result = _check(graph=tiny_graph(units=3))
    assert result["ok"] is False
    error = next(e for e in result["errors"] if e["code"] == "output_mismatch")
    assert "3 units" in error["message"] and "2 classes" in error["message"]


def test_it_accepts_one_sigmoid_unit_for_two_classes():
    result = _check(graph=tiny_graph(units=1, activation="sigmoid"))
    assert result["ok"] is True
    assert result["figures"]["loss"] == {"name": "binary_crossentropy", "from_logits": False}


def test_a_linear_output_trains_with_logits():
    assert resolve_loss(requested="auto", units=4, activation="linear", num_classes=4) == {
        "name": "sparse_categorical_crossentropy", "from_logits": True}


def test_it_rejects_an_output_activation_that_is_not_a_probability():
    assert "softmax" in resolve_loss(requested="auto", units=4, activation="relu", num_classes=4)["error"]


def test_it_warns_about_class_imbalance_and_suggests_class_weight():
    result = _check(dataset=_dataset((200, 20)))
    warning = next(w for w in result["warnings"] if w["code"] == "class_imbalance")
    assert "class_weight" in warning["message"]
    assert "class_imbalance" not in _codes(_check(dataset=_dataset((200, 20)), class_weight="auto")["warnings"])


def test_it_warns_when_images_are_much_larger_or_smaller_than_the_input():
    assert "images_downscaled" in _codes(_check(dataset=_dataset(width=640, height=480))["warnings"])
    assert "images_upscaled" in _codes(_check(dataset=_dataset(width=8, height=8))["warnings"])
    assert "images_stretched" in _codes(_check(dataset=_dataset(width=96, height=32))["warnings"])


def test_it_refuses_a_batch_that_cannot_fit_in_the_workers_memory_and_suggests_one():
    result = _check(graph=vgg_graph(), batch_size=4096, memory=2 * GB)
    error = next(e for e in result["errors"] if e["code"] == "out_of_memory")
    assert error["suggested_batch_size"] < 4096
    assert f"batch size {error['suggested_batch_size']}" in error["message"]


def test_vgg16_flops_are_counted_inside_the_pretrained_node():
    report = validate(vgg_graph()).as_dict()
    # VGG16's convolutions at 32x32 are about 0.63 GFLOPs (15.5 GFLOPs at 224x224, scaled by area).
    assert 0.5e9 < model_costs(report)["flops_per_image"] < 0.8e9


def test_it_refuses_a_model_with_nothing_to_train():
    assert _check(graph=vgg_graph(trainable_layers=()))["ok"] is True  # the Dense head still trains
    frozen = tiny_graph(conv_trainable=False)
    frozen["nodes"][-1]["params"]["trainable"] = False
    assert "nothing_to_train" in _codes(_check(graph=frozen)["errors"])


def test_it_refuses_early_stopping_on_validation_metrics_without_validation_images():
    dataset = _dataset(split={"train": 100, "validation": 0, "test": 0})
    result = _check(dataset=dataset, early_stopping={"patience": 2, "monitor": "val_loss"})
    assert "no_validation" in _codes(result["errors"])
    assert "no_validation" in _codes(_check(dataset=dataset)["warnings"])


@pytest.mark.parametrize("counts, code", [((50,), "too_few_classes"), ((50, 0), "empty_class")])
def test_it_refuses_datasets_that_cannot_train_a_classifier(counts, code):
    assert code in _codes(_check(graph=tiny_graph(units=len(counts)), dataset=_dataset(counts))["errors"])


def test_an_invalid_graph_is_an_error_with_the_validation_errors():
    graph = tiny_graph()
    graph["edges"].append({"source": "out", "target": "in"})
    result = _check(graph=graph)
    error = next(e for e in result["errors"] if e["code"] == "invalid_graph")
    assert error["errors"]
