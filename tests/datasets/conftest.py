"""Fixtures for the dataset tests: a data folder per test and an upload helper."""
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path) -> Path:
    """Every test gets its own data folder (read by the code at call time)."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture
def upload(alice_client):
    """POST a zip (bytes) to the API as Alice: upload(data, name=...) -> response."""
    def post(data: bytes, name: str = "colors", filename: str = "colors.zip", client=None):
        from django.core.files.uploadedfile import SimpleUploadedFile

        body = {"file": SimpleUploadedFile(filename, data, content_type="application/zip")}
        if name is not None:
            body["name"] = name
        return (client or alice_client).post("/api/datasets/", body, format="multipart")

    return post
