"""Malformed, deeply nested, mistyped and huge bodies: a 4xx with a message, never a 500."""
import json

import pytest

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/graphs/validate/", "/api/projects/"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_malformed_json_is_a_400_that_says_so(alice_client, url):
    response = alice_client.generic("POST", url, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "Malformed JSON" in response.json()["detail"]


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_json_is_a_400(alice_client, url, depth):
    body = "[" * depth + "]" * depth
    response = alice_client.generic("POST", url, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_huge_body_is_a_413(alice_client, url, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = json.dumps({"name": "x", "graph": {"nodes": [{"id": "n"}] * 20_000, "edges": []}})
    response = alice_client.generic("POST", url, body, content_type="application/json")
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_nan_is_refused(alice_client):
    response = alice_client.generic("POST", "/api/graphs/validate/", '{"version": NaN}',
                                    content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("body", [[], "text", 42, None, {"nodes": 5}, {"nodes": [None], "edges": [7]}])
def test_validate_answers_any_json_with_a_report(alice_client, body):
    response = alice_client.post("/api/graphs/validate/", body, format="json")
    assert response.status_code == 200
    report = response.json()
    assert report["valid"] is False and report["errors"][0]["code"]


def test_wrong_content_type_is_a_415(alice_client):
    response = alice_client.generic("POST", "/api/projects/", "name=x", content_type="text/plain")
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]


def test_the_openapi_schema_is_served(alice_client):
    response = alice_client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/projects/" in response.content and b"/api/graphs/validate/" in response.content
