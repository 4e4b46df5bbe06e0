"""The datasets API: upload, list, detail, images, thumbnails, split, delete; 4xx for bad input."""
import io

import pytest
from dataset_builders import class_zip, jpeg, make_zip
from PIL import Image

from studio.datasets.models import Dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(upload) -> dict:
    response = upload(class_zip({"red": 10, "green": 6}, extra={"red/notes.txt": b"not an image"}))
    assert response.status_code == 201, response.content
    return response.json()


def test_upload_answers_201_with_classes_and_skipped_files(dataset):
    assert dataset["name"] == "colors"
    assert dataset["classes"][0]["name"] == "green" and dataset["classes"][0]["count"] == 6
    assert [c["name"] for c in dataset["classes"]] == ["green", "red"]
    assert [c["count"] for c in dataset["classes"]] == [6, 10]
    assert dataset["skipped"] == [{"file": "red/notes.txt",
                                   "reason": "not an image (or not JPEG, PNG, GIF, BMP, TIFF, WebP or PPM)"}]
    assert dataset["image_count"] == 16
    assert dataset["split"] == {"train": 70, "validation": 15, "test": 15, "seed": 42}
    assert dataset["split_counts"] == {"train": 11, "validation": 3, "test": 2}
    assert dataset["classes"][1]["splits"] == {"train": 7, "validation": 2, "test": 1}
    assert dataset["image_stats"]["width"]["max"] == 8


def test_the_name_defaults_to_the_file_name(upload):
    response = upload(class_zip(), name=None, filename="flowers-2024.zip")
    assert response.status_code == 201 and response.json()["name"] == "flowers-2024"


def test_list_shows_only_my_datasets_with_a_cover(alice_client, bob_client, dataset, upload):
    upload(class_zip(), name="bobs", client=bob_client)
    mine = alice_client.get("/api/datasets/").json()
    assert [d["name"] for d in mine] == ["colors"]
    assert mine[0]["cover_url"].endswith("/thumbnail/")
    assert [d["name"] for d in bob_client.get("/api/datasets/").json()] == ["bobs"]


def test_detail_lists_classes_with_example_thumbnails(alice_client, dataset):
    detail = alice_client.get(f"/api/datasets/{dataset['id']}/").json()
    assert len(detail["classes"][0]["examples"]) == 4
    thumb = alice_client.get(detail["classes"][0]["examples"][0])
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert "immutable" in thumb["Cache-Control"] and "private" in thumb["Cache-Control"]
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).format == "JPEG"


def test_images_are_paginated_and_filtered_by_class_and_split(alice_client, dataset):
    url = f"/api/datasets/{dataset['id']}/images/"
    page = alice_client.get(url, {"page_size": 5}).json()
    assert page["count"] == 16 and len(page["results"]) == 5 and page["next"]
    first = page["results"][0]
    assert first["file"] == "green/0.jpg" and first["class_name"] == "green" and first["label"] == 0
    assert first["thumbnail_url"].endswith("/thumbnail/") and first["image_url"].endswith("/file/")
    reds = alice_client.get(url, {"class": "red", "split": "train"}).json()
    assert reds["count"] == 7 and {i["class_name"] for i in reds["results"]} == {"red"}
    assert alice_client.get(url, {"label": "0"}).json()["count"] == 6
    full = alice_client.get(first["image_url"])
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("params", "message"),
    [({"class": "blue"}, "no class 'blue'; its classes are: green, red"), ({"split": "dev"}, "split must be one of"),
     ({"label": "7"}, "label must be a class index from 0 to 1"), ({"label": "x"}, "label must be")],
)
def test_bad_image_filters_are_a_400_that_says_why(alice_client, dataset, params, message):
    response = alice_client.get(f"/api/datasets/{dataset['id']}/images/", params)
    assert response.status_code == 400 and message in response.json()["detail"]


def test_a_page_past_the_end_is_a_404_with_a_message(alice_client, dataset):
    response = alice_client.get(f"/api/datasets/{dataset['id']}/images/", {"page": 99})
    assert response.status_code == 404 and "Invalid page" in response.json()["detail"]


def test_setting_a_split_answers_counts_per_class_per_split(alice_client, dataset):
    url = f"/api/datasets/{dataset['id']}/split/"
    response = alice_client.post(url, {"train": 50, "validation": 30, "test": 20, "seed": 7}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["split"] == {"train": 50, "validation": 30, "test": 20, "seed": 7}
    assert body["classes"] == [{"name": "green", "train": 3, "validation": 2, "test": 1},
                               {"name": "red", "train": 5, "validation": 3, "test": 2}]
    assert body["counts"] == {"train": 8, "validation": 5, "test": 3}
    assert alice_client.get(url).json() == body
    assert alice_client.put(url, {"train": 80, "validation": 20, "test": 0}, format="json").json()["split"]["seed"] == 7


def test_a_split_preview_is_not_saved(alice_client, dataset):
    url = f"/api/datasets/{dataset['id']}/split/"
    preview = alice_client.post(url, {"train": 50, "validation": 50, "test": 0, "preview": True}, format="json").json()
    assert preview["preview"] is True and preview["counts"] == {"train": 8, "validation": 8, "test": 0}
    assert alice_client.get(url).json()["split"]["train"] == 70


@pytest.mark.parametrize(
    ("body", "message"),
    [({"train": 70, "validation": 20, "test": 20}, "add up to 100"),
     ({"train": 0, "validation": 50, "test": 50}, "train must be above 0"),
     ({"train": 170, "validation": 0, "test": 0}, "train:"),
     ({"train": "many", "validation": 15, "test": 15}, "train:"),
     ({"validation": 15, "test": 15}, "train: This field is required")],
)
def test_a_bad_split_is_a_400_that_says_why(alice_client, dataset, body, message):
    response = alice_client.post(f"/api/datasets/{dataset['id']}/split/", body, format="json")
    assert response.status_code == 400 and message in response.json()["detail"]


def test_rename_and_delete(alice_client, dataset):
    url = f"/api/datasets/{dataset['id']}/"
    assert alice_client.patch(url, {"name": "colours"}, format="json").json()["name"] == "colours"
    assert alice_client.patch(url, {"name": "  "}, format="json").status_code == 400
    assert alice_client.delete(url).status_code == 204
    assert alice_client.get(url).status_code == 404
    assert not Dataset.objects.exists()


def test_an_upload_without_a_file_is_a_400_that_says_how(alice_client):
    response = alice_client.post("/api/datasets/", {"name": "x"}, format="multipart")
    assert response.status_code == 400 and "multipart/form-data field named 'file'" in response.json()["detail"]


def test_an_upload_that_is_not_a_zip_is_a_400(upload):
    response = upload(jpeg(), filename="photo.jpg")
    assert response.status_code == 400 and "not a readable zip archive" in response.json()["detail"]


def test_a_single_class_upload_is_a_400_that_says_two_are_needed(upload):
    response = upload(class_zip({"red": 3}))
    assert response.status_code == 400 and "needs at least 2 classes" in response.json()["detail"]


def test_an_unsafe_archive_is_a_400(upload):
    response = upload(make_zip({"red/0.jpg": jpeg(), "../../escape.jpg": jpeg()}))
    assert response.status_code == 400 and "climbs out of its folder" in response.json()["detail"]


def test_an_upload_over_the_limit_is_a_413_with_the_limit(upload, settings):
    settings.STUDIO_MAX_UPLOAD_BYTES = 1000
    response = upload(class_zip({"red": 20, "green": 20}))
    assert response.status_code == 413
    body = response.json()
    assert body["limit"] == 1000 and "the limit is 1000 bytes" in body["detail"]


def test_an_upload_announcing_a_huge_body_is_refused_before_it_is_read(alice_client, settings):
    settings.STUDIO_MAX_UPLOAD_BYTES = 1000
    response = alice_client.generic("POST", "/api/datasets/", b"x", content_type="multipart/form-data; boundary=b",
                                    CONTENT_LENGTH=str(50 * 1024 * 1024))
    assert response.status_code == 413


def test_an_archive_expanding_past_the_limit_is_a_413(upload, settings):
    settings.STUDIO_DATASET_MAX_UNCOMPRESSED_BYTES = 500
    response = upload(class_zip())
    assert response.status_code == 413 and "uncompressed" in response.json()["detail"]


def test_json_instead_of_multipart_is_a_4xx(alice_client):
    response = alice_client.post("/api/datasets/", {"name": "x"}, format="json")
    assert response.status_code == 400 and "file" in response.json()["detail"]


def test_signed_out_requests_are_refused(client, dataset):
    assert client.get("/api/datasets/").status_code in (401, 403)
    assert client.get(dataset["classes"][0]["examples"][0]).status_code in (401, 403)


class TestAnotherUsersDatasetIsNotFoundEverywhere:
    """Bob knows Alice's ids; every endpoint answers 404, as if they did not exist."""

    @pytest.fixture
    def urls(self, alice_client, dataset) -> dict[str, str]:
        image = alice_client.get(f"/api/datasets/{dataset['id']}/images/").json()["results"][0]
        base = f"/api/datasets/{dataset['id']}/"
        return {"detail": base, "images": base + "images/", "split": base + "split/",
                "thumbnail": image["thumbnail_url"], "file": image["image_url"]}

    @pytest.mark.parametrize("name", ["detail", "images", "split", "thumbnail", "file"])
    def test_get(self, bob_client, urls, name):
        response = bob_client.get(urls[name])
        assert response.status_code == 404 and response.json()["detail"] == "Not found (or not yours)."

    def test_split_post(self, bob_client, urls):
        body = {"train": 50, "validation": 50, "test": 0}
        assert bob_client.post(urls["split"], body, format="json").status_code == 404
        assert bob_client.put(urls["split"], body, format="json").status_code == 404

    def test_rename_and_delete(self, bob_client, alice_client, urls, dataset):
        assert bob_client.patch(urls["detail"], {"name": "mine now"}, format="json").status_code == 404
        assert bob_client.delete(urls["detail"]).status_code == 404
        assert alice_client.get(urls["detail"]).json()["name"] == "colors"

    def test_an_image_id_under_my_own_dataset_id_is_still_not_found(self, bob_client, upload, urls):
        mine = upload(class_zip(), name="bobs", client=bob_client).json()
        alice_image_id = urls["thumbnail"].split("/")[-3]
        response = bob_client.get(f"/api/datasets/{mine['id']}/images/{alice_image_id}/thumbnail/")
        assert response.status_code == 404


def test_an_upload_streamed_to_a_temporary_file_is_read_from_disk(upload, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # Django writes the upload to a temporary file past this
    response = upload(class_zip({"red": 5, "green": 5}))
    assert response.status_code == 201 and response.json()["image_count"] == 10


def test_the_openapi_schema_lists_the_dataset_endpoints(alice_client):
    response = alice_client.get("/api/schema/")
    assert response.status_code == 200
    for path in (b"/api/datasets/", b"/api/datasets/{id}/split/", b"/api/datasets/demo/",
                 b"/api/datasets/{dataset_id}/images/{image_id}/thumbnail/"):
        assert path in response.content
