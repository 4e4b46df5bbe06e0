"""The shipped demo dataset: prepared once, added to an account in one call, idempotent per person."""
import pytest

from studio.datasets import demo, storage
from studio.datasets.models import Dataset

pytestmark = pytest.mark.django_db


def test_the_demo_photos_ship_with_their_licenses():
    source = demo.demo_source_dir()
    assert (source / "SOURCES.md").is_file()
    for name in ("fish", "monument", "renewable_energy", "tool"):
        assert (source / name / "LICENSES.txt").is_file()
        assert len(list((source / name).glob("*.jpg"))) >= 20


def test_adding_the_demo_gives_four_classes_and_is_idempotent(alice_client):
    info = alice_client.get("/api/datasets/demo/").json()
    assert info["available"] is True and info["dataset"] is None
    assert info["classes"] == ["fish", "monument", "renewable_energy", "tool"]
    first = alice_client.post("/api/datasets/demo/")
    assert first.status_code == 201
    dataset = first.json()
    assert [c["name"] for c in dataset["classes"]] == ["fish", "monument", "renewable_energy", "tool"]
    assert dataset["image_count"] == 122 and dataset["skipped"] == []  # LICENSES.txt and SOURCES.md are not data
    assert dataset["source"] == "demo" and "Public Domain" in dataset["description"]
    again = alice_client.post("/api/datasets/demo/")
    assert again.status_code == 200 and again.json()["id"] == dataset["id"]
    assert alice_client.get("/api/datasets/demo/").json()["dataset"] == dataset["id"]
    thumb = alice_client.get(dataset["classes"][0]["examples"][0])
    assert thumb.status_code == 200


def test_each_person_gets_their_own_demo_dataset_sharing_prepared_files(alice_client, bob_client, data_dir):
    alice_id = alice_client.post("/api/datasets/demo/").json()["id"]
    bob_id = bob_client.post("/api/datasets/demo/").json()["id"]
    assert alice_id != bob_id
    assert bob_client.get(f"/api/datasets/{alice_id}/").status_code == 404
    prepared = list((data_dir / "demo").iterdir())
    assert len(prepared) == 1  # ingested once, then linked
    # deleting Alice's copy leaves Bob's files intact
    assert alice_client.delete(f"/api/datasets/{alice_id}/").status_code == 204
    bob_image = bob_client.get(f"/api/datasets/{bob_id}/images/").json()["results"][0]
    assert bob_client.get(bob_image["image_url"]).status_code == 200
    assert not storage.dataset_dir(alice_id).exists()


def test_the_demo_can_be_added_again_after_deleting_it(alice_client):
    first = alice_client.post("/api/datasets/demo/").json()["id"]
    alice_client.delete(f"/api/datasets/{first}/")
    again = alice_client.post("/api/datasets/demo/")
    assert again.status_code == 201 and again.json()["id"] != first
    assert Dataset.objects.filter(source="demo").count() == 1
