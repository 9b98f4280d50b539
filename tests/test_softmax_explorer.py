"""The softmax explorer: every control redraws the figure and the readout stays truthful."""

from __future__ import annotations

import numpy as np
import pytest

from tp3helpers.explorers import softmax_explorer
from tp3helpers.softmax import softmax


@pytest.fixture
def explorer():
    widget = softmax_explorer(num_classes=4)
    yield widget
    widget.close()


def test_contract(explorer):
    assert set(explorer.controls) == {
        "logit_0",
        "logit_1",
        "logit_2",
        "logit_3",
        "target",
        "temperature",
    }
    assert explorer.figure.axes and explorer.readout.value.startswith("<b>loss</b>")
    assert explorer.readout in explorer.children


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("logit_0", -3.0),
        ("logit_1", 4.5),
        ("logit_2", 0.7),
        ("logit_3", 5.0),
        ("target", 2),
        ("temperature", 0.2),
    ],
)
def test_each_control_changes_the_figure_and_readout(explorer, assert_control_redraws, name, value):
    assert_control_redraws(explorer, name, value)


def test_bars_show_softmax_and_gradient(explorer):
    explorer.controls["logit_2"].value = 3.0
    explorer.controls["target"].value = 1
    explorer.controls["temperature"].value = 0.5
    y = softmax(explorer.logits() / 0.5)
    probs = [bar.get_height() for bar in explorer.artists["prob_bars"]]
    grads = [bar.get_height() for bar in explorer.artists["grad_bars"]]
    np.testing.assert_allclose(probs, y)
    np.testing.assert_allclose(grads, y - np.eye(4)[1])
    assert "relative error" in explorer.readout.value


def test_keyboard_noise_is_rounded(explorer):
    explorer.controls["logit_0"].value = 1.9999999999999998
    assert explorer.value("logit_0") == 2.0


def test_an_update_error_goes_to_the_readout_not_the_notebook(explorer, monkeypatch):
    def broken(changed):
        raise RuntimeError("boom")

    monkeypatch.setattr(explorer, "update", broken)
    explorer.controls["logit_0"].value = 1.0  # must not raise
    assert "tp3-error" in explorer.readout.value and "boom" in explorer.readout.value


def test_static_snapshot_for_stored_notebooks(explorer):
    bundle = explorer._repr_mimebundle_()
    assert bundle["image/png"].startswith(b"\x89PNG")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_blitting_after_a_snapshot_matches_a_full_draw(explorer, pixels):
    explorer._repr_mimebundle_()  # draws the moving bars into the canvas, not into the background
    explorer.controls["logit_1"].value = 3.0
    blitted = pixels(explorer.figure)
    explorer.request_full_draw()
    explorer.refresh("logit_1")
    np.testing.assert_array_equal(pixels(explorer.figure), blitted)


@pytest.mark.parametrize("bad", [1, 11, 2.5, "four"])
def test_bad_num_classes(bad):
    with pytest.raises((ValueError, TypeError), match="num_classes"):
        softmax_explorer(bad)
