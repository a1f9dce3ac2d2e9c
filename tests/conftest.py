"""Shared fixtures: the real embedded generator and classifier, loaded once per session."""

from __future__ import annotations

import os

import pytest

from netbend.generators import load_generator
from netbend.objectives.classifier import load_classifier

# Tests run on the CPU unless NETBEND_TEST_DEVICE names another device.
DEVICE = os.environ.get("NETBEND_TEST_DEVICE", "cpu")


@pytest.fixture
def faces():
    """A fresh face generator adapter (hooks from one test never leak into another)."""
    return load_generator("faces", device=DEVICE)


@pytest.fixture(scope="session")
def classifier():
    return load_classifier(DEVICE)
