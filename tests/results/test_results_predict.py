"""Predictions over the API: uploaded images to top-k classes, a zip to a CSV, and the model cache."""
import csv
import io

import numpy as np
import pytest
from results_builders import colour_jpeg, colour_png, huge_png, truncated_png, zip_of

from studio.exports import model_cache
from studio.exports.predict import as_probabilities
from studio.exports.preprocess import load_image_for_model
from studio.exports.run_weights import resolve_checkpoint

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _files(**named: bytes) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": [SimpleUploadedFile(name, data) for name, data in named.items()]}


def predict(client, run, query: str = "", **named: bytes):
    return client.post(f"/api/runs/{run.id}/predict/{query}", _files(**named), format="multipart")


def test_it_answers_the_top_k_classes_of_each_image_with_probabilities(alice_client, run):
    response = predict(alice_client, run, "?k=2", **{"red.png": colour_png("red"), "blue.jpg": colour_jpeg("blue")})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["k"] == 2 and body["input_size"] == [32, 32] and body["color_mode"] == "rgb"
    assert body["checkpoint"] == "best"
    assert [r["file"] for r in body["results"]] == ["red.png", "blue.jpg"]
    for result in body["results"]:
        probabilities = [p["probability"] for p in result["predictions"]]
        assert len(probabilities) == 2 and probabilities == sorted(probabilities, reverse=True)
        assert {p["class"] for p in result["predictions"]} <= set(run.classes)
    assert body["results"][0]["predictions"][0]["class"] == "red"
    assert body["results"][1]["predictions"][0]["class"] == "blue"


def test_its_probabilities_are_the_models_own_on_the_loaders_pixels(alice_client, run):
    image = colour_png("green", seed=9)
    body = predict(alice_client, run, "?k=3", **{"green.png": image}).json()
    answered = {p["class"]: p["probability"] for p in body["results"][0]["predictions"]}
    model = model_cache.build_trained_model(run.graph, resolve_checkpoint(run, "best").path)
    pixels = load_image_for_model(image, size=(32, 32))[np.newaxis]
    expected = as_probabilities(np.asarray(model(pixels, training=False)), 3)[0]
    assert [answered[name] for name in run.classes] == pytest.approx(expected.tolist(), abs=1e-6)


def test_k_defaults_to_three_and_is_capped_at_the_number_of_classes(alice_client, run):
    assert predict(alice_client, run, **{"a.png": colour_png("red")}).json()["k"] == 3
    body = predict(alice_client, run, "?k=50", **{"a.png": colour_png("red")}).json()
    assert body["k"] == 3 and len(body["results"][0]["predictions"]) == 3


def test_k_may_come_as_a_form_field(alice_client, run):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = alice_client.post(f"/api/runs/{run.id}/predict/",
                                 {"file": SimpleUploadedFile("a.png", colour_png("red")), "k": "1"},
                                 format="multipart")
    assert response.json()["k"] == 1


def test_the_last_checkpoint_can_be_asked_for(alice_client, run):
    body = predict(alice_client, run, "?checkpoint=last", **{"a.png": colour_png("red")}).json()
    assert body["checkpoint"] == "last"


def test_repeated_predictions_reuse_the_loaded_model(alice_client, run, monkeypatch):
    predict(alice_client, run, **{"a.png": colour_png("red")})
    builds = []
    original = model_cache.build_trained_model
    monkeypatch.setattr(model_cache, "build_trained_model", lambda *a: builds.append(a) or original(*a))
    for _ in range(3):
        assert predict(alice_client, run, **{"a.png": colour_png("red")}).status_code == 200
    assert builds == []


def test_a_file_that_is_not_an_image_is_a_400_with_the_reason(alice_client, run):
    response = predict(alice_client, run, **{"notes.txt": b"just some text"})
    assert response.status_code == 400
    body = response.json()
    assert "not an image" in body["detail"] and body["results"][0]["code"] == "not_an_image"


def test_a_damaged_image_is_a_400_with_the_reason(alice_client, run):
    response = predict(alice_client, run, **{"half.png": truncated_png()})
    assert response.status_code == 400
    assert response.json()["results"][0]["code"] == "corrupt" and "damaged" in response.json()["detail"]


def test_an_image_of_absurd_size_is_refused_before_it_is_decoded(alice_client, run):
    response = predict(alice_client, run, **{"bomb.png": huge_png()})
    assert response.status_code == 400
    assert response.json()["results"][0]["code"] == "too_many_pixels"
    assert "too large" in response.json()["detail"]


def test_good_and_bad_files_together_answer_each_one(alice_client, run):
    response = predict(alice_client, run, **{"ok.png": colour_png("red"), "bad.png": b"nope"})
    assert response.status_code == 200
    ok, bad = response.json()["results"]
    assert ok["predictions"] and "error" not in ok
    assert bad["code"] == "not_an_image" and "predictions" not in bad


def test_a_request_without_files_is_a_400(alice_client, run):
    response = alice_client.post(f"/api/runs/{run.id}/predict/", {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["detail"]


@pytest.mark.parametrize("k", ["0", "three", "-1"])
def test_a_bad_k_is_a_400(alice_client, run, k):
    response = predict(alice_client, run, f"?k={k}", **{"a.png": colour_png("red")})
    assert response.status_code == 400 and response.json()["detail"].startswith("k:")


def test_too_many_files_in_one_request_is_a_400(alice_client, run):
    image = colour_png("red", size=(8, 8))
    response = predict(alice_client, run, **{f"{i}.png": image for i in range(33)})
    assert response.status_code == 400 and "predict-batch" in response.json()["detail"]


def test_a_zip_of_images_becomes_a_csv_row_per_file(alice_client, run):
    from django.core.files.uploadedfile import SimpleUploadedFile

    archive = zip_of({"photos/red.png": colour_png("red"), "photos/blue.jpg": colour_jpeg("blue"),
                      "photos/notes.txt": b"not an image", "=cmd.png": colour_png("green")})
    response = alice_client.post(f"/api/runs/{run.id}/predict-batch/?k=2",
                                 {"file": SimpleUploadedFile("batch.zip", archive)}, format="multipart")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="veg-vgg16_run-{run.id}_predictions.csv"'
    assert (response["X-Files"], response["X-Errors"]) == ("4", "1")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["file"] for r in rows] == ["photos/red.png", "photos/blue.jpg", "photos/notes.txt", "'=cmd.png"]
    assert list(rows[0]) == ["file", "status", "class_1", "probability_1", "class_2", "probability_2", "error"]
    assert rows[0]["class_1"] == "red" and rows[1]["class_1"] == "blue" and rows[0]["status"] == "ok"
    assert rows[2]["status"] == "error" and "not an image" in rows[2]["error"] and rows[2]["class_1"] == ""


def test_the_batch_matches_the_single_image_answers(alice_client, run):
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = colour_png("green", seed=4)
    single = predict(alice_client, run, "?k=1", **{"g.png": image}).json()["results"][0]["predictions"][0]
    response = alice_client.post(f"/api/runs/{run.id}/predict-batch/?k=1",
                                 {"file": SimpleUploadedFile("b.zip", zip_of({"g.png": image}))}, format="multipart")
    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["class_1"] == single["class"] and float(row["probability_1"]) == pytest.approx(single["probability"],
                                                                                               abs=1e-6)


def test_a_batch_that_is_not_a_zip_is_a_400(alice_client, run):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = alice_client.post(f"/api/runs/{run.id}/predict-batch/",
                                 {"file": SimpleUploadedFile("batch.zip", b"PK but not really")}, format="multipart")
    assert response.status_code == 400 and "not a readable zip" in response.json()["detail"]


def test_a_batch_without_a_file_is_a_400(alice_client, run):
    response = alice_client.post(f"/api/runs/{run.id}/predict-batch/", {}, format="multipart")
    assert response.status_code == 400 and ".zip" in response.json()["detail"]


def test_an_oversized_file_is_a_413_naming_the_limit(alice_client, run, monkeypatch):
    from studio.exports import run_predictions

    monkeypatch.setattr(run_predictions, "DEFAULT_MAX_BYTES", 1024)
    response = predict(alice_client, run, **{"big.png": colour_png("red", size=(200, 200))})
    assert response.status_code == 413
    assert response.json()["results"][0]["code"] == "too_large" and "limit" in response.json()["detail"]


def test_a_request_declaring_too_many_bytes_is_refused_before_it_is_read(alice_client, run, monkeypatch):
    import os

    from studio.api import results

    monkeypatch.setattr(results, "PREDICT_MAX_BYTES", 0)
    response = predict(alice_client, run, **{"noise.bmp": b"BM" + os.urandom(1_200_000)})
    assert response.status_code == 413 and "predict-batch" in response.json()["detail"]
