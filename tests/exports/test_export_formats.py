"""Every download format, loaded back in its own runtime, reproduces the model's predictions."""

from __future__ import annotations

import dataclasses
import zipfile

import h5py
import keras
import numpy as np
import pytest
from export_builders import CLASS_NAMES, SIZE, build_tiny

from studio.exports import ExportError, ExportUnavailable, UnknownFormat
from studio.exports.formats import FORMATS, export_model, formats_catalog, get_format, safe_basename
from studio.exports.serving import serving_signature
from studio.exports.verify import max_difference, verify_export

# Largest difference allowed per format (measured: 0.0 for keras, h5 and savedmodel; 3e-8 tflite; 6e-8 onnx).
TOLERANCE = {"keras": 0.0, "h5": 0.0, "savedmodel": 1e-6, "tflite": 1e-5, "onnx": 1e-5}


def test_every_registered_format_has_a_tolerance_here():
    assert set(TOLERANCE) == set(FORMATS)


def test_unknown_format_names_the_valid_ones(tiny_model, tmp_path):
    with pytest.raises(UnknownFormat) as caught:
        export_model(tiny_model, "pickle", tmp_path, basename="m")
    assert caught.value.valid == ["keras", "h5", "savedmodel", "tflite", "onnx"]
    assert "keras, h5, savedmodel, tflite, onnx" in str(caught.value)
    assert isinstance(caught.value, ValueError)  # a 400 for the API, like any bad input


def test_get_format_refuses_non_strings():
    with pytest.raises(UnknownFormat):
        get_format(None)  # type: ignore[arg-type]


def test_catalog_lists_each_format_with_its_file_type_and_availability():
    catalog = {entry["name"]: entry for entry in formats_catalog()}
    assert list(catalog) == list(FORMATS)
    assert catalog["keras"]["extension"] == ".keras" and catalog["keras"]["optimizer_state"] is True
    assert catalog["tflite"]["optimizer_state"] is False
    assert all(entry["available"] and entry["unavailable_reason"] is None for entry in catalog.values())


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_reproduces_the_model_in_its_own_runtime(tiny_model, inputs, tmp_path, fmt):
    path = export_model(tiny_model, fmt, tmp_path, basename="tiny")
    assert path == tmp_path / f"tiny{FORMATS[fmt].extension}"
    # The model holds RandomFlip and RandomRotation: a graph that left them on would miss by ~1e-3.
    assert max_difference(tiny_model, path, fmt, [inputs]) <= TOLERANCE[fmt]


def test_keras_file_loads_in_safe_mode_without_optimizer_state(tiny_model, inputs, tmp_path):
    path = export_model(tiny_model, "keras", tmp_path, basename="tiny")
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert getattr(loaded, "optimizer", None) is None  # an inference file, not a checkpoint
    np.testing.assert_array_equal(loaded.predict(inputs, verbose=0), tiny_model.predict(inputs, verbose=0))
    assert tiny_model.optimizer is not None  # the caller's model is untouched


def test_keras_file_with_optimizer_resumes_where_training_stopped(tiny_model, tmp_path):
    light = export_model(tiny_model, "keras", tmp_path, basename="light")
    full = export_model(tiny_model, "keras", tmp_path, basename="full", include_optimizer=True)
    loaded = keras.saving.load_model(full, safe_mode=True)
    assert int(loaded.optimizer.iterations.numpy()) == int(tiny_model.optimizer.iterations.numpy()) == 3
    for saved, original in zip(loaded.optimizer.variables, tiny_model.optimizer.variables, strict=True):
        np.testing.assert_array_equal(saved.numpy(), original.numpy())
    assert full.stat().st_size > light.stat().st_size


def test_h5_keeps_optimizer_weights_only_when_asked(tiny_model, tmp_path):
    light = export_model(tiny_model, "h5", tmp_path, basename="light")
    full = export_model(tiny_model, "h5", tmp_path, basename="full", include_optimizer=True)
    with h5py.File(light) as f:
        assert "optimizer_weights" not in f and "model_weights" in f
    with h5py.File(full) as f:
        assert "optimizer_weights" in f


def test_savedmodel_zip_unpacks_as_a_tf_serving_model_base_path(tiny_model, inputs, tmp_path):
    import tensorflow as tf

    path = export_model(tiny_model, "savedmodel", tmp_path, basename="tiny")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "serving")
    assert "tiny/1/saved_model.pb" in names
    assert any(name.startswith("tiny/1/variables/") for name in names)
    serve = tf.saved_model.load(str(tmp_path / "serving" / "tiny" / "1")).signatures["serving_default"]
    # Fixed names, whatever the Keras input was called ("in" here, which model.export cannot handle).
    assert list(serve.structured_input_signature[1]) == ["input"]
    assert serve.structured_input_signature[1]["input"].shape.as_list() == [None, *SIZE, 3]
    result = serve(input=tf.constant(inputs))
    assert list(result) == ["output"]
    np.testing.assert_allclose(result["output"].numpy(), tiny_model.predict(inputs, verbose=0), atol=1e-6)


def test_savedmodel_stores_each_weight_once(tmp_path):
    inputs = keras.Input((256,))
    model = keras.Model(inputs, keras.layers.Dense(256)(inputs))
    weight_bytes = sum(np.asarray(w).nbytes for w in model.get_weights())  # 257 KiB
    with zipfile.ZipFile(export_model(model, "savedmodel", tmp_path, basename="dense")) as zf:
        stored = zf.getinfo("dense/1/variables/variables.data-00000-of-00001").file_size
    assert weight_bytes <= stored < 1.1 * weight_bytes  # Keras's own ExportArchive.track stored them twice


@pytest.mark.filterwarnings("ignore:.*tf.lite.Interpreter is deprecated:UserWarning")
def test_tflite_runs_batches_of_any_size_in_the_interpreter(tiny_model, inputs, tmp_path):
    import tensorflow as tf

    path = export_model(tiny_model, "tflite", tmp_path, basename="tiny")
    interpreter = tf.lite.Interpreter(model_path=str(path))
    detail = interpreter.get_input_details()[0]
    assert list(detail["shape_signature"]) == [-1, *SIZE, 3]
    interpreter.resize_tensor_input(detail["index"], list(inputs.shape))
    interpreter.allocate_tensors()
    interpreter.set_tensor(detail["index"], inputs)
    interpreter.invoke()
    got = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    np.testing.assert_allclose(got, tiny_model.predict(inputs, verbose=0), atol=1e-5)


def test_onnx_names_its_input_and_output_for_onnxruntime(tiny_model, inputs, tmp_path):
    import onnxruntime as ort

    path = export_model(tiny_model, "onnx", tmp_path, basename="tiny")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["input"]
    assert [o.name for o in session.get_outputs()] == ["output"]
    (got,) = session.run(["output"], {"input": inputs})
    np.testing.assert_allclose(got, tiny_model.predict(inputs, verbose=0), atol=1e-5)


def test_export_leaves_only_the_finished_file(tiny_model, tmp_path):
    for fmt in FORMATS:
        export_model(tiny_model, fmt, tmp_path, basename="m")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.h5", "m.keras", "m.onnx", "m.tflite", "m.zip"]


def test_a_failed_export_leaves_no_file(tiny_model, tmp_path, monkeypatch):
    def broken(model, path, **kwargs):
        path.write_bytes(b"half a file")
        raise ExportError("converter exploded")

    monkeypatch.setitem(FORMATS, "tflite", dataclasses.replace(FORMATS["tflite"], writer=broken))
    with pytest.raises(ExportError, match="converter exploded"):
        export_model(tiny_model, "tflite", tmp_path, basename="m")
    assert list(tmp_path.iterdir()) == []


def test_an_unavailable_format_says_why_and_writes_nothing(tiny_model, tmp_path, monkeypatch):
    reason = "ONNX export needs the tf2onnx and onnx packages"
    monkeypatch.setitem(FORMATS, "onnx", dataclasses.replace(FORMATS["onnx"], unavailable=lambda: reason))
    with pytest.raises(ExportUnavailable, match="tf2onnx"):
        export_model(tiny_model, "onnx", tmp_path, basename="m")
    onnx_entry = next(entry for entry in formats_catalog() if entry["name"] == "onnx")
    assert onnx_entry["available"] is False and onnx_entry["unavailable_reason"] == reason
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["../evil", "a/b", "", "café"])
def test_export_refuses_a_basename_that_is_not_a_plain_stem(tiny_model, tmp_path, name):
    with pytest.raises(ValueError, match="basename"):
        export_model(tiny_model, "keras", tmp_path, basename=name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Veg VGG16 / run #3", "Veg-VGG16-run-3"), ("../../etc/passwd", "etc-passwd"), ("", "model"), ("ééé", "model")],
)
def test_safe_basename_keeps_only_plain_characters(text, expected):
    assert safe_basename(text) == expected


def test_verify_export_refuses_a_file_that_does_not_reproduce_the_model(tiny_model, tmp_path):
    other = build_tiny(augment=False)
    path = export_model(other, "onnx", tmp_path, basename="other")
    with pytest.raises(ExportError, match="does not reproduce"):
        verify_export(tiny_model, path, "onnx")
    assert verify_export(other, path, "onnx") < 1e-5


@pytest.fixture(scope="module")
def bfloat16_model():
    return build_tiny(policy="mixed_bfloat16")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_mixed_precision_model_exports_to_every_format(bfloat16_model, tmp_path, fmt):
    # TFLite and ONNX Runtime cannot run bfloat16 graphs: those two get a float32 copy of the weights.
    path = export_model(bfloat16_model, fmt, tmp_path, basename="bf16")
    verify_export(bfloat16_model, path, fmt)


@pytest.fixture(scope="module")
def two_headed_model():
    first = keras.Input((6,), name="in")
    second = keras.Input((4,), name="2nd input")
    joined = keras.layers.Concatenate()([first, second])
    hidden = keras.layers.Dense(5, activation="relu")(joined)
    species = keras.layers.Dense(3, activation="softmax", name="species")(hidden)
    size = keras.layers.Dense(1, name="size")(hidden)
    return keras.Model([first, second], [species, size])


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_model_with_two_inputs_and_two_outputs_exports_to_every_format(two_headed_model, tmp_path, fmt):
    assert serving_signature(two_headed_model).input_names == ["input_0_in", "input_1_2nd_input"]
    assert serving_signature(two_headed_model).output_names == ["species", "size"]
    path = export_model(two_headed_model, fmt, tmp_path, basename="two")
    rng = np.random.default_rng(0)
    inputs = [rng.normal(size=(3, 6)).astype("float32"), rng.normal(size=(3, 4)).astype("float32")]
    verify_export(two_headed_model, path, fmt, inputs=inputs)


def _graph(*middle: dict, size: int = 32) -> dict:
    nodes = [{"id": "in", "type": "Input", "params": {"shape": [size, size, 3]}}, *middle]
    nodes.append({"id": "out", "type": "Dense", "params": {"units": len(CLASS_NAMES), "activation": "softmax"}})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:], strict=False)]
    return {"version": 1, "name": "export-test", "nodes": nodes, "edges": edges}


def test_a_model_compiled_from_a_studio_graph_exports_to_every_format(tmp_path):
    graphs = pytest.importorskip("studio.graphs")
    graph = _graph(
        {"id": "flip", "type": "RandomFlip", "params": {}},
        {"id": "scale", "type": "Rescaling", "params": {"scale": 1 / 255}},
        {"id": "conv", "type": "Conv2D", "params": {"filters": 4, "kernel_size": 3, "activation": "relu"}},
        {"id": "gap", "type": "GlobalAveragePooling2D", "params": {}},
    )
    model = graphs.compile_graph(graph)
    for fmt in FORMATS:
        verify_export(model, export_model(model, fmt, tmp_path, basename="graph"), fmt)


@pytest.mark.slow
def test_a_vgg16_backbone_with_its_preprocessing_exports_to_every_format(tmp_path):
    graphs = pytest.importorskip("studio.graphs")
    graph = _graph(
        {"id": "vgg", "type": "VGG16", "params": {"weights": None, "trainable_layers": ["block5_conv3"]}},
        {"id": "gap", "type": "GlobalAveragePooling2D", "params": {}},
    )
    model = graphs.compile_graph(graph)
    for fmt in FORMATS:
        # VGG16 on random weights and 0..255 inputs gives large activations: compare with a relative margin.
        verify_export(model, export_model(model, fmt, tmp_path, basename="vgg"), fmt, atol=1e-4)


def test_an_onnx_graph_with_ops_onnx_lacks_is_refused_not_served(tiny_model, tmp_path, monkeypatch):
    from studio.exports import exporters

    def augmenting(model, signature):
        import tensorflow as tf

        specs = exporters.tensor_specs(model, signature)
        # training=True keeps RandomFlip's stateless random ops, which tf2onnx cannot express in ONNX.
        return tf.function(lambda x: {"output": model(x, training=True)}, input_signature=specs)

    monkeypatch.setattr(exporters, "serving_function", augmenting)
    with pytest.raises(ExportError, match="ONNX model is invalid: No Op registered"):
        export_model(tiny_model, "onnx", tmp_path, basename="m")
    assert list(tmp_path.iterdir()) == []
