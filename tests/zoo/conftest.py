"""Fixtures for the model-zoo tests: Keras imported once, each network built at most once per session.

Big backbones are built at their smallest inputs (32x32; 75x75 for InceptionV3, 71x71 for
Xception) with weights=None: Keras cannot download ImageNet weights here, and no test pretends to.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# The transfer-learning test trains through the studio's own run path: a worker's training process
# must open the test database, so it is a file named in DATABASE_URL (the very same file and
# variable as tests/training/conftest.py sets, so either order of loading agrees).
_DB_FILE = Path(django_settings.DATA_DIR) / "test-training.sqlite3"
django_settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(_DB_FILE)
os.environ["DATABASE_URL"] = f"sqlite:///{_DB_FILE}"

from zoo_builders import Models  # noqa: E402


@pytest.fixture(scope="session")
def keras():
    import keras as keras_module

    return keras_module


@pytest.fixture(scope="session")
def models(keras) -> Models:
    """Keras references and studio-compiled networks, built on first use and kept for the session."""
    return Models(keras)


@pytest.fixture
def no_weights_dirs(tmp_path, monkeypatch):
    """An empty weights folder and Keras cache: no ImageNet file can be found."""
    monkeypatch.setenv("STUDIO_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.delenv("STUDIO_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path / "weights"


@pytest.fixture
def data_dir(settings, tmp_path, monkeypatch):
    """A data folder per test, seen by training processes too: the library writes DATA_DIR/weights/<user>/."""
    folder = tmp_path / "data"
    folder.mkdir()
    settings.DATA_DIR = folder
    monkeypatch.setenv("STUDIO_DATA_DIR", str(folder))
    return folder
