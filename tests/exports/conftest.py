"""Fixtures for the exports tests: models are trained once per session (a second each)."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest
from export_builders import SIZE, build_tiny


@pytest.fixture(scope="session")
def tiny_model():
    return build_tiny()


@pytest.fixture(scope="session")
def inputs():
    """Four 0..255 float32 images, the studio's model input convention."""
    return np.random.default_rng(7).uniform(0, 255, (4, *SIZE, 3)).astype("float32")
