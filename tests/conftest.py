"""Shared test set-up: a headless Agg backend, seeded randomness, figures closed after each test."""

from __future__ import annotations

import os
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# In CI every Hypothesis test draws the same examples from run to run (a fresh clone has no
# example database), so that a CI result can be reproduced; locally examples stay random.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20190408)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def no_warnings():
    """Every warning raised during the test is an error, except a ResourceWarning: that one comes
    when the garbage collector meets an object some earlier test left open (Hypothesis collects
    garbage between examples), not from the code under test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ResourceWarning)
        yield


@pytest.fixture
def explorer(request):
    """The explorer that the test module builds with its ``EXPLORER()``, closed after the test."""
    made = request.module.EXPLORER()
    yield made
    made.close()


def canvas_pixels(figure) -> np.ndarray:
    """A copy of what the Agg canvas holds now."""
    return np.asarray(figure.canvas.buffer_rgba()).copy()


@pytest.fixture
def pixels():
    """``pixels(figure)``: a copy of what the figure's Agg canvas holds now."""
    return canvas_pixels


@pytest.fixture
def assert_control_redraws():
    """Set ``explorer.controls[name].value = value``; assert that the figure's pixels and the
    readout changed, and that the readout shows no error."""

    def check(explorer, name: str, value: object) -> None:
        control = explorer.controls[name]
        assert control.value != value, f"pick a new value for {name}"
        before, readout = canvas_pixels(explorer.figure), explorer.readout.value
        control.value = value
        after = canvas_pixels(explorer.figure)
        assert "tp3-error" not in explorer.readout.value, explorer.readout.value
        assert (before != after).any(), f"moving {name} to {value!r} did not change the figure"
        assert explorer.readout.value != readout, f"moving {name} left the readout unchanged"

    return check
