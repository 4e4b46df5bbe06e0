"""import_model_file() / read_weights_arrays(): uploaded Keras files read as data, never run."""

from __future__ import annotations

import io
import json
import zipfile

import h5py
import numpy as np
import pytest

from studio.graphs import GraphError, compile_graph, errors, import_model_file, read_weights_arrays


@pytest.fixture
def model(keras):
    inputs = keras.Input((6, 6, 2), name="pixels")
    x = keras.layers.Conv2D(3, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    x = keras.layers.Dense(4, activation="relu", name="hidden")(x)  # two Dense: Keras 3 files key them by class
    x = keras.layers.Dense(2, activation="softmax", name="out")(x)
    built = keras.Model(inputs, x, name="tiny")
    built.get_layer("bn").set_weights([np.full(3, v, "float32") for v in (1.5, 0.1, 0.2, 2.0)])
    return built


@pytest.fixture(autouse=True)
def keras_loaders_are_never_called(keras, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("an uploaded file reached a Keras loader")

    for target in ("keras.models.load_model", "keras.saving.load_model", "keras.saving.deserialize_keras_object",
                   "keras.models.model_from_json", "keras.Model.from_config"):  # fmt: skip
        monkeypatch.setattr(target, forbidden)


def saved(model, tmp_path, suffix: str) -> bytes:
    path = tmp_path / f"model{suffix}"
    if suffix == ".json":
        path.write_text(model.to_json())
    else:
        model.save(path)
    return path.read_bytes()


def assert_same_outputs(original, graph, weights):
    rebuilt = compile_graph(graph)
    for name, arrays in weights.items():
        rebuilt.get_layer(name).set_weights(arrays)
    x = np.random.default_rng(3).normal(size=(2, 6, 6, 2)).astype("float32")
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(original(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_saved_models_import_with_their_weights(model, tmp_path, suffix):
    data = saved(model, tmp_path, suffix)
    graph = import_model_file(f"upload{suffix}", data)
    assert [n["id"] for n in graph["nodes"]] == ["pixels", "conv", "bn", "gap", "hidden", "out"]
    weights = read_weights_arrays(f"upload{suffix}", data)
    assert set(weights) == {"conv", "bn", "hidden", "out"}
    assert_same_outputs(model, graph, weights)


def test_a_json_config_imports(model, tmp_path):
    graph = import_model_file("architecture.JSON", saved(model, tmp_path, ".json"))
    assert graph["name"] == "tiny" and len(graph["nodes"]) == 6


def test_a_sequential_keras_file_imports_with_its_weights(keras, tmp_path):
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, name="a"), keras.layers.Dense(3, name="b")])
    data = saved(model, tmp_path, ".keras")
    graph = import_model_file("seq.keras", data)
    rebuilt = compile_graph(graph)
    for name, arrays in read_weights_arrays("seq.keras", data).items():
        rebuilt.get_layer(name).set_weights(arrays)
    x = np.ones((1, 5), "float32")
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(model(x)), rtol=1e-6)


def test_a_lambda_layer_in_a_keras_file_is_refused(keras, tmp_path):
    inputs = keras.Input((3,))
    data = saved(keras.Model(inputs, keras.layers.Lambda(lambda t: t + 1, name="plus_one")(inputs)), tmp_path, ".keras")
    with pytest.raises(GraphError) as caught:
        import_model_file("m.keras", data)
    assert (caught.value.errors[0]["code"], caught.value.errors[0]["node"]) == (errors.UNSUPPORTED_LAYER, "plus_one")


def test_an_unknown_custom_class_is_refused(keras, tmp_path):
    @keras.saving.register_keras_serializable(package="uploads")
    class Shift(keras.layers.Layer):
        def call(self, x):
            return x + 1

    inputs = keras.Input((3,))
    data = saved(keras.Model(inputs, Shift(name="shift")(inputs)), tmp_path, ".keras")
    with pytest.raises(GraphError) as caught:
        import_model_file("m.keras", data)
    assert caught.value.errors[0]["node"] == "shift"
    assert caught.value.codes == [errors.UNSUPPORTED_LAYER]


def _zip(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name.replace("_", "."), content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("m.keras", b"\x00\x01 not a zip"),
        ("m.keras", _zip(metadata_json=b"{}")),
        ("m.keras", _zip(config_json=b"{not json")),
        ("m.keras", _zip(config_json=b"[" * 100_000)),
        ("m.keras", _zip(config_json=json.dumps({"class_name": "Functional", "config": {"layers": "x"}}).encode())),
        ("m.h5", b"\x89HDF\r\n junk"),
        ("m.json", b"\xff\xfe"),
        ("m.json", b"42"),
        ("m.pkl", b"anything"),
        ("noext", b"anything"),
    ],
)
def test_junk_files_are_refused_as_bad_files(filename, data):
    with pytest.raises(GraphError) as caught:
        import_model_file(filename, data)
    assert caught.value.codes[0] in {errors.BAD_FILE, errors.SCHEMA}


def test_an_h5_file_without_a_model_config_is_refused(tmp_path):
    path = tmp_path / "weights.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.zeros(3))
    with pytest.raises(GraphError) as caught:
        import_model_file("weights.h5", path.read_bytes())
    assert caught.value.codes == [errors.BAD_FILE]


def test_files_over_the_size_limit_are_refused(monkeypatch):
    monkeypatch.setattr("studio.graphs.files.MAX_IMPORT_BYTES", 10)
    with pytest.raises(GraphError) as caught:
        import_model_file("m.keras", b"x" * 11)
    assert caught.value.codes == [errors.FILE_TOO_LARGE]


def test_a_config_that_inflates_beyond_the_limit_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr("studio.graphs.files.MAX_CONFIG_BYTES", 1000)
    with pytest.raises(GraphError) as caught:
        import_model_file("bomb.keras", _zip(config_json=b" " * 100_000))
    assert caught.value.codes == [errors.FILE_TOO_LARGE]


def test_weights_behind_an_external_link_are_refused(model, tmp_path):
    path = tmp_path / "linked.h5"
    model.save(path)
    with h5py.File(path, "a") as f:
        group = f["model_weights"]["conv"]["conv"]
        del group["kernel"]
        group["kernel"] = h5py.ExternalLink("/etc/passwd", "/kernel")
    with pytest.raises(GraphError) as caught:
        read_weights_arrays("linked.h5", path.read_bytes())
    assert caught.value.codes == [errors.BAD_FILE]
    assert "link" in caught.value.errors[0]["message"]
