"""Model downloads over HTTP: every format loads back in its own runtime and agrees with /predict/,
the bundle's predict.py agrees too, files are cached, named after project and run, and resumable
keras/h5 files carry the optimizer state."""
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from results_builders import colour_jpeg, colour_png

from studio.exports.formats import FORMATS
from studio.exports.preprocess import load_image_for_model
from studio.exports.serving import serving_signature

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

IMAGES = {"red.png": colour_png("red", seed=11), "blue.jpg": colour_jpeg("blue", seed=12),
          "green.png": colour_png("green", size=(90, 20), seed=13)}


def download(client, run, query: str):
    response = client.get(f"/api/runs/{run.id}/model/?{query}")
    body = b"".join(response.streaming_content) if response.status_code == 200 else None
    return response, body


@pytest.fixture(scope="module")
def studio_answers(world, django_db_blocker):
    """/predict/'s probabilities for IMAGES, every class, in class order."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.alice)
    with django_db_blocker.unblock():
        files = [SimpleUploadedFile(name, data) for name, data in IMAGES.items()]
        body = client.post(f"/api/runs/{world.run.id}/predict/?k=3", {"file": files}, format="multipart").json()
    rows = []
    for result in body["results"]:
        by_class = {p["class"]: p["probability"] for p in result["predictions"]}
        rows.append([by_class[name] for name in world.run.classes])
    return np.array(rows)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_downloads_and_agrees_with_predict_in_its_own_runtime(alice_client, run, studio_answers, fmt,
                                                                          tmp_path):
    response, body = download(alice_client, run, f"format={fmt}")
    assert response.status_code == 200, response.json()
    filename = f"veg-vgg16_run-{run.id}{FORMATS[fmt].extension}"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Content-Type"] == FORMATS[fmt].content_type
    path = tmp_path / filename
    path.write_bytes(body)
    batch = np.stack([load_image_for_model(data, size=(32, 32)) for data in IMAGES.values()])
    # The serving names every graph format shares: one input "input", one output "output".
    signature = serving_signature(_model(run))
    (outputs,) = FORMATS[fmt].runner(path, {signature.input_names[0]: batch}, signature.output_names)
    np.testing.assert_allclose(outputs, studio_answers, atol=1e-5)


def _model(run):
    from studio.exports.model_cache import cached_model
    from studio.exports.run_weights import resolve_checkpoint

    return cached_model(run.graph, resolve_checkpoint(run, None).path)


def test_the_bundles_predict_script_gives_the_studios_top_class(alice_client, run, studio_answers, tmp_path):
    response, body = download(alice_client, run, "format=bundle")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="veg-vgg16_run-{run.id}_bundle.zip"'
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(body)
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path)
    folder = tmp_path / f"veg-vgg16_run-{run.id}_bundle"
    assert {f"{folder.name}/{n}" for n in ("model.keras", "classes.json", "preprocessing.json", "preprocess.py",
                                           "predict.py", "graph.json", "model.py", "run.json")} <= names
    run_json = json.loads((folder / "run.json").read_text())
    assert run_json["hyperparameters"]["epochs"] == 3 and run_json["metrics"]["checkpoint"] == "best"
    assert "test_accuracy" in run_json["metrics"]["final"]
    paths = []
    for name, data in IMAGES.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    done = subprocess.run([sys.executable, "predict.py", *map(str, paths), "--json", "--top-k", "3"],
                          cwd=folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    for answer, expected in zip(answers, studio_answers, strict=True):
        top = answer["predictions"][0]
        assert top["class"] == run.classes[int(np.argmax(expected))]
        assert top["probability"] == pytest.approx(float(expected.max()), abs=1e-5)


def test_a_format_is_exported_once_then_served_from_the_cache(alice_client, run, monkeypatch):
    from studio.exports import run_downloads

    first, body = download(alice_client, run, "format=h5")
    assert first.status_code == 200
    monkeypatch.setattr(run_downloads, "_export", lambda *a: pytest.fail("exported again"))
    again, same = download(alice_client, run, "format=h5")
    assert again.status_code == 200 and same == body


def test_the_formats_listing_says_what_is_available_and_already_exported(alice_client, run):
    download(alice_client, run, "format=keras")
    body = alice_client.get(f"/api/runs/{run.id}/model/formats/").json()
    by_name = {f["name"]: f for f in body["formats"]}
    assert list(by_name) == [*FORMATS, "bundle"]
    assert all(f["available"] and f["description"] for f in body["formats"])
    assert by_name["keras"]["filename"] == f"veg-vgg16_run-{run.id}.keras"
    record = by_name["keras"]["exported"]
    assert record["bytes"] > 0 and record["max_difference"] <= 1e-4 and record["checkpoint"] == "best"
    assert body["kept"] == "best" and body["optimizer_state"] is True
    assert [(c["name"], c["available"], c["kept"]) for c in body["checkpoints"]] == [("best", True, True),
                                                                                     ("last", True, False)]
    assert body["checkpoints"][1]["epoch"] == 3


def test_the_checkpoint_that_is_not_kept_is_named_in_the_file(alice_client, run):
    response, _ = download(alice_client, run, "format=keras&checkpoint=last")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="veg-vgg16_run-{run.id}_last.keras"'


def test_a_resumable_keras_file_carries_the_optimizer_state_of_the_last_epoch(alice_client, run, tmp_path):
    import keras

    from studio.training.paths import last_optimizer_path

    response, body = download(alice_client, run, "format=keras&optimizer=1")
    assert response.status_code == 200, response.json()
    assert response["Content-Disposition"] == f'attachment; filename="veg-vgg16_run-{run.id}_last_resumable.keras"'
    path = tmp_path / "model.keras"
    path.write_bytes(body)
    model = keras.saving.load_model(path, compile=True, safe_mode=True)
    with np.load(last_optimizer_path(run.id)) as saved:
        names = [str(n) for n in saved["names"]]
        iterations = next(saved[f"arr_{i}"] for i, n in enumerate(names) if n.endswith("iteration"))
    assert int(model.optimizer.iterations.numpy()) == int(iterations) > 0
    moments = [v for v in model.optimizer.variables if "momentum" in v.path or "velocity" in v.path]
    assert moments and any(float(np.abs(v.numpy()).sum()) > 0 for v in moments)
    x = np.stack([load_image_for_model(data, size=(32, 32)) for data in IMAGES.values()])
    model.fit(x, np.array([0, 1, 2]), epochs=1, verbose=0)  # training continues from the file
    assert int(model.optimizer.iterations.numpy()) == int(iterations) + 1


def test_the_optimizer_state_goes_only_with_the_last_weights(alice_client, run):
    response, _ = download(alice_client, run, "format=keras&optimizer=1&checkpoint=best")
    assert response.status_code == 400 and "last epoch only" in response.json()["detail"]


@pytest.mark.parametrize(("fmt", "why"), [("tflite", "inference format"), ("h5", "drops the optimizer's moments")])
def test_other_formats_cannot_carry_the_optimizer_and_say_why(alice_client, run, fmt, why):
    response, _ = download(alice_client, run, f"format={fmt}&optimizer=1")
    assert response.status_code == 400
    assert why in response.json()["detail"] and "format=keras&optimizer=1" in response.json()["detail"]


def test_an_unknown_format_is_a_400_listing_the_valid_ones(alice_client, run):
    response, _ = download(alice_client, run, "format=pickle")
    assert response.status_code == 400
    assert response.json()["detail"] == ("format: Unknown format 'pickle'. Valid formats: keras, h5, savedmodel, "
                                         "tflite, onnx, bundle.")


@pytest.mark.parametrize("query", ["optimizer=maybe", "checkpoint=middle"])
def test_other_bad_parameters_are_400s(alice_client, run, query):
    response, _ = download(alice_client, run, f"format=keras&{query}")
    assert response.status_code == 400 and response.json()["detail"]
