"""The softmax explorer: every control redraws the figure and the readout stays truthful."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tp3helpers.explorers import softmax_explorer
from tp3helpers.explorers.softmax import SoftmaxExplorer
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
    np.testing.assert_allclose(grads, (y - np.eye(4)[1]) / 0.5)
    assert "relative error" in explorer.readout.value


def _readout_gradient(explorer) -> np.ndarray:
    match = re.search(r"the bars = \[([^\]]*)\]", explorer.readout.value)
    assert match, explorer.readout.value
    return np.array([float(v) for v in match.group(1).split(",")])


@pytest.mark.parametrize(("target", "correct"), [(0, True), (3, False)])
def test_readout_and_gradient_panel_show_the_same_quantity_at_low_temperature(
    explorer, target, correct
):
    # Default logits (2, 1, 0, -1): class 0 is the arg-max, so target 0 is a correct prediction.
    explorer.controls["target"].value = target
    explorer.controls["temperature"].value = 0.1
    bars = np.array([bar.get_height() for bar in explorer.artists["grad_bars"]])
    labels = [label.get_text() for label in explorer.artists["grad_labels"]]
    expected = (softmax(explorer.logits() / 0.1) - np.eye(4)[target]) / 0.1
    np.testing.assert_allclose(bars, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(_readout_gradient(explorer), bars, rtol=5e-3, atol=0)
    np.testing.assert_allclose([float(text) for text in labels], bars, rtol=5e-3, atol=0)
    if correct:  # (y - t)/T vanishes exponentially: about e^{-1/T}/T with a margin of 1
        assert np.abs(bars).max() < 2 * np.exp(-1 / 0.1) / 0.1
        assert np.abs(bars).max() > 0
        assert labels[:2] == ["-0.000454", "+0.000454"]  # as notebook 1's reveal quotes them
        assert "= 4.54e-05" in explorer.readout.value  # the loss is small, not printed as 0
    else:  # y -> e_0, so (y - t)/T -> (e_0 - e_3)/T: size 1/T = 10
        np.testing.assert_allclose(bars[[0, 3]], [10.0, -10.0], rtol=1e-3)
        assert [labels[0], labels[3]] == ["+10", "-10"]
    # The whole bar is inside the panel.
    low, high = explorer.artists["grad_bars"][0].axes.get_ylim()
    assert low <= bars.min() and bars.max() <= high


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


@pytest.mark.parametrize(
    ("bad", "error"),
    [(1, ValueError), (11, ValueError), (-1, ValueError), (2.5, TypeError), (4.0, TypeError),
     ("four", TypeError), (None, TypeError), (True, TypeError)],
)
def test_bad_num_classes(bad, error):
    message = f"num_classes must be an integer from 2 to 10, got {bad!r}"
    with pytest.raises(error, match=re.escape(message)):
        softmax_explorer(bad)


@pytest.mark.parametrize(
    ("bad", "error", "shown"),
    [([1.0, 2.0], ValueError, "[1. 2.]"), ([0.0, 0.0, 7.0, 0.0], ValueError, "7."),
     ([0.0, np.nan, 0.0, 0.0], ValueError, "NaN"), ("abcd", TypeError, "initial_logits")],
)
def test_bad_initial_logits(bad, error, shown):
    with pytest.raises(error, match="initial_logits") as raised:
        SoftmaxExplorer(4, initial_logits=bad)
    assert shown in str(raised.value)


def test_initial_logits_set_the_sliders():
    widget = SoftmaxExplorer(3, initial_logits=[0.5, -6.0, 6.0])
    assert [widget.value(f"logit_{i}") for i in range(3)] == [0.5, -6.0, 6.0]
    np.testing.assert_allclose(
        [bar.get_height() for bar in widget.artists["prob_bars"]], softmax([0.5, -6.0, 6.0])
    )
    widget.close()
