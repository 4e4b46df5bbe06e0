"""Fixtures for the training tests: a database file the training processes share, tiny datasets and graphs.

Training runs in child processes (and some tests start whole workers), so the test database must be
a file they can open, and they must be pointed at it: DATABASE_URL names the test database, and the
children load the same settings module. Setting TEST.NAME here (at import, before any database is
set up) affects the whole session; it is harmless for other tests.
"""
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

_DB_FILE = Path(django_settings.DATA_DIR) / "test-training.sqlite3"
django_settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(_DB_FILE)
os.environ["DATABASE_URL"] = f"sqlite:///{_DB_FILE}"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from training_builders import make_dataset, make_project, tiny_graph  # noqa: E402,F401


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path, monkeypatch) -> Path:
    """A data folder per test, seen by this process and by the training processes it starts."""
    folder = tmp_path / "data"
    folder.mkdir()
    settings.DATA_DIR = folder
    monkeypatch.setenv("STUDIO_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def fast_worker(monkeypatch):
    """Short leases and polls, so recovery happens within a test's patience (env: children read it too)."""
    monkeypatch.setenv("STUDIO_RUN_LEASE_SECONDS", "3")
    monkeypatch.setenv("STUDIO_RUN_STOP_POLL_SECONDS", "0.2")
