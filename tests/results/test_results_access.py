"""Who may read a run's results, and when: only its owner (everyone else gets 404 on every endpoint), only
once it has finished with weights (409 with a message), and only the checkpoints and splits it has."""
import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from results_builders import colour_png, zip_of

from studio.training import services
from studio.training.models import Run
from studio.training.paths import final_weights_path, run_dir

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _calls(run_id: int):
    """Every results endpoint, as (method, path, multipart body)."""
    return [
        ("get", f"/api/runs/{run_id}/evaluation/?split=test", None),
        ("post", f"/api/runs/{run_id}/evaluation/?split=validation", None),
        ("get", f"/api/runs/{run_id}/evaluation/confusion.png?split=test", None),
        ("post", f"/api/runs/{run_id}/predict/", {"file": SimpleUploadedFile("a.png", colour_png("red"))}),
        ("post", f"/api/runs/{run_id}/predict-batch/",
         {"file": SimpleUploadedFile("b.zip", zip_of({"a.png": colour_png("red")}))}),
        ("get", f"/api/runs/{run_id}/model/?format=keras", None),
        ("get", f"/api/runs/{run_id}/model/?format=bundle", None),
        ("get", f"/api/runs/{run_id}/model/formats/", None),
    ]


def _call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return client.post(url, body, format="multipart")


def test_another_user_gets_404_on_every_results_endpoint(bob_client, run):
    for method, url, body in _calls(run.id):
        response = _call(bob_client, method, url, body)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found (or not yours)."}, url


def test_a_missing_run_is_a_404_too(alice_client):
    for method, url, body in _calls(999_999):
        assert _call(alice_client, method, url, body).status_code == 404, url


def test_an_anonymous_visitor_is_refused(client, run):
    from rest_framework.test import APIClient

    for method, url, body in _calls(run.id):
        assert _call(APIClient(), method, url, body).status_code in (401, 403), url


def test_a_run_that_has_not_finished_is_a_409_that_says_so(alice, alice_client, run):
    queued, _ = services.run_create(owner=alice, project=run.project, dataset=run.dataset,
                                    hyperparameters={"epochs": 1, "batch_size": 4})
    for method, url, body in _calls(queued.id):
        if url.endswith("/formats/"):
            continue  # the listing answers, with both checkpoints unavailable
        response = _call(alice_client, method, url, body)
        assert response.status_code == 409, url
        assert response.json()["detail"] == f"Run {queued.id} is still queued: its results are ready when it finishes."
    formats = alice_client.get(f"/api/runs/{queued.id}/model/formats/").json()
    assert [c["available"] for c in formats["checkpoints"]] == [False, False]


def test_a_run_that_failed_without_weights_is_a_409_with_its_error(alice, alice_client, run):
    failed = Run.objects.create(owner=alice, project=run.project, dataset=run.dataset, name="broken",
                                graph=run.graph, hyperparameters=run.hyperparameters, classes=run.classes,
                                status=Run.Status.FAILED, error="Out of memory at batch size 4.")
    response = alice_client.get(f"/api/runs/{failed.id}/evaluation/")
    assert response.status_code == 409
    assert "no trained weights" in response.json()["detail"] and "Out of memory" in response.json()["detail"]


@pytest.fixture
def older_run(alice, run):
    """A run trained before both checkpoints were kept: only model.weights.h5 (its kept, best, weights)."""
    older = Run.objects.create(owner=alice, project=run.project, dataset=run.dataset, name="older", graph=run.graph,
                               hyperparameters=run.hyperparameters, classes=run.classes, best=run.best,
                               final=run.final, epoch=run.epoch, preflight=run.preflight, status=Run.Status.SUCCEEDED)
    run_dir(older.id).mkdir(parents=True)
    shutil.copyfile(final_weights_path(run.id), final_weights_path(older.id))
    yield older
    shutil.rmtree(run_dir(older.id), ignore_errors=True)


def test_a_run_with_only_its_kept_weights_serves_those_and_explains_the_other(alice_client, older_run):
    assert alice_client.get(f"/api/runs/{older_run.id}/evaluation/?checkpoint=best").status_code == 200
    response = alice_client.get(f"/api/runs/{older_run.id}/evaluation/?checkpoint=last")
    assert response.status_code == 409
    assert "kept only its best weights" in response.json()["detail"]
    formats = alice_client.get(f"/api/runs/{older_run.id}/model/formats/").json()
    assert [(c["name"], c["available"]) for c in formats["checkpoints"]] == [("best", True), ("last", False)]
    assert formats["optimizer_state"] is False
    response = alice_client.get(f"/api/runs/{older_run.id}/model/?format=keras&optimizer=1")
    assert response.status_code == 409 and "no saved optimizer state" in response.json()["detail"]


def test_a_run_without_a_test_split_says_to_use_validation(alice, alice_client, run):
    hp = {**run.hyperparameters, "split": {"validation": 0.3, "test": 0.0}}
    no_test = Run.objects.create(owner=alice, project=run.project, dataset=run.dataset, name="no test",
                                 graph=run.graph, hyperparameters=hp, classes=run.classes, status=Run.Status.SUCCEEDED)
    run_dir(no_test.id).mkdir(parents=True)
    shutil.copyfile(final_weights_path(run.id), final_weights_path(no_test.id))
    try:
        response = alice_client.get(f"/api/runs/{no_test.id}/evaluation/?split=test")
        assert response.status_code == 409 and "no test images" in response.json()["detail"]
        assert alice_client.get(f"/api/runs/{no_test.id}/evaluation/?split=validation").status_code == 200
    finally:
        shutil.rmtree(run_dir(no_test.id), ignore_errors=True)


def test_a_run_whose_dataset_was_deleted_still_predicts_but_cannot_be_evaluated(alice_client, run):
    Run.objects.filter(id=run.id).update(dataset=None)  # rolled back after the test
    run.refresh_from_db()
    response = alice_client.get(f"/api/runs/{run.id}/evaluation/?split=test&checkpoint=last")
    assert response.status_code == 409 and "dataset was deleted" in response.json()["detail"]
    files = {"file": SimpleUploadedFile("a.png", colour_png("red"))}
    assert alice_client.post(f"/api/runs/{run.id}/predict/", files, format="multipart").status_code == 200
