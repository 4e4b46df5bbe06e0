"""Fixtures for the studio.graphs tests: Keras imported once, quietly, only by tests that need it."""

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def keras():
    import keras as keras_module

    return keras_module


@pytest.fixture
def no_weights_dirs(tmp_path, monkeypatch):
    """An empty weights folder and Keras cache: no ImageNet file can be found."""
    monkeypatch.setenv("STUDIO_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.delenv("STUDIO_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path / "weights"
