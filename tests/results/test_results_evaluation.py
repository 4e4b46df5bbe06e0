"""Evaluation over the API: the endpoint wires the pure evaluation to the run's own split, weights and
pixels (the numbers match a direct computation and the trainer's own test metrics), caches it, and
draws the confusion matrix."""
import io

import numpy as np
import pytest
from PIL import Image

from studio.training.data import split_files

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def evaluate(client, run, query: str = "", method: str = "get"):
    return getattr(client, method)(f"/api/runs/{run.id}/evaluation/{query}")


def _split(run, name):
    return split_files(dataset=run.dataset, split=run.hyperparameters["split"], seed=run.hyperparameters["seed"])[name]


def _direct_matrix(run, checkpoint: str, split: str) -> np.ndarray:
    """The confusion matrix computed here, without the studio's evaluation code: the datasets app's
    pipeline (rounded to bytes, as training keeps images), the graph compiled anew, numpy counts."""
    import tensorflow as tf

    from studio.datasets.pipeline import build_pipeline
    from studio.graphs import compile_graph
    from studio.training.paths import checkpoint_weights_path

    paths, labels = _split(run, split)
    model = compile_graph(run.graph, load_pretrained=False)
    model.load_weights(checkpoint_weights_path(run.id, checkpoint))
    pipeline = build_pipeline(paths, labels, image_size=(32, 32), batch_size=8).map(lambda x, y: (tf.round(x), y))
    predicted = np.argmax(model.predict(pipeline, verbose=0), axis=1)
    matrix = np.zeros((len(run.classes),) * 2, dtype=int)
    np.add.at(matrix, (np.asarray(labels), predicted), 1)
    return matrix


def test_the_test_split_is_counted_in_full_and_matches_a_direct_computation(alice_client, run):
    response = evaluate(alice_client, run, "?split=test")
    assert response.status_code == 200, response.json()
    body = response.json()
    paths, labels = _split(run, "test")
    assert body["total"] == len(paths) == 9  # 30% of 30 images, stratified
    matrix = np.array(body["confusion_matrix"]["matrix"])
    assert body["confusion_matrix"]["labels"] == run.classes
    assert matrix.sum() == len(paths)
    assert matrix.sum(axis=1).tolist() == np.bincount(labels, minlength=3).tolist()
    assert [c["support"] for c in body["per_class"]] == matrix.sum(axis=1).tolist()
    assert np.array_equal(matrix, _direct_matrix(run, "best", "test"))
    assert body["accuracy"] == pytest.approx(np.trace(matrix) / matrix.sum())
    assert (body["split"], body["checkpoint"], body["kept"], body["epoch"]) == ("test", "best", True, run.best["epoch"])


def test_the_kept_weights_give_the_trainers_own_test_metrics(alice_client, run):
    body = evaluate(alice_client, run, "?split=test").json()
    assert body["accuracy"] == pytest.approx(run.final["test_accuracy"], abs=1e-6)
    assert body["loss"] == pytest.approx(run.final["test_loss"], rel=1e-4)


def test_the_validation_split_and_the_last_weights_can_be_asked_for(alice_client, run):
    body = evaluate(alice_client, run, "?split=validation&checkpoint=last").json()
    paths, _ = _split(run, "validation")
    assert body["total"] == len(paths) == 6
    assert (body["split"], body["checkpoint"], body["kept"], body["epoch"]) == ("validation", "last", False, 3)
    assert np.array_equal(np.array(body["confusion_matrix"]["matrix"]), _direct_matrix(run, "last", "validation"))


def test_misclassified_and_difficult_images_link_to_their_thumbnails(alice_client, run):
    body = evaluate(alice_client, run, "?split=validation").json()
    items = body["misclassified"] + body["difficult"]
    wrong = sum(c["support"] for c in body["per_class"]) - round(body["accuracy"] * body["total"])
    assert len(body["misclassified"]) == wrong and len(items) == body["total"]  # under the gallery limit: all
    for item in body["misclassified"]:
        assert item["true"] != item["predicted"] and item["true_class"] == run.classes[item["true"]]
    confidences = [i["confidence"] for i in body["difficult"]]
    assert confidences == sorted(confidences)  # least confident first
    image_ids = set(run.dataset.images.filter(split__in=["train", "validation", "test"]).values_list("id", flat=True))
    for item in items:
        assert item["image_id"] in image_ids
        assert item["thumbnail_url"] == f"/api/datasets/{run.dataset_id}/images/{item['image_id']}/thumbnail/"
    thumbnail = alice_client.get(items[0]["thumbnail_url"])
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"


def test_it_is_computed_once_and_recomputed_on_post(alice_client, run):
    first = evaluate(alice_client, run, "?split=test&checkpoint=last").json()
    again = evaluate(alice_client, run, "?split=test&checkpoint=last").json()
    assert again["cached"] is True and again["computed"] == first["computed"]
    assert again["confusion_matrix"] == first["confusion_matrix"]
    fresh = evaluate(alice_client, run, "?split=test&checkpoint=last", method="post").json()
    assert fresh["cached"] is False and fresh["computed"] != first["computed"]
    assert fresh["confusion_matrix"] == first["confusion_matrix"]


def test_the_confusion_matrix_is_drawn_as_a_png(alice_client, run):
    body = evaluate(alice_client, run, "?split=test").json()
    assert body["confusion_png"] == f"/api/runs/{run.id}/evaluation/confusion.png?split=test&checkpoint=best"
    response = alice_client.get(body["confusion_png"])
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.width > 100 and image.height > 100


@pytest.mark.parametrize(("query", "word"), [("?split=train", "split"), ("?checkpoint=middle", "checkpoint")])
def test_a_bad_split_or_checkpoint_is_a_400_naming_the_choices(alice_client, run, query, word):
    response = evaluate(alice_client, run, query)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{word}:") and "choose one of" in response.json()["detail"]
