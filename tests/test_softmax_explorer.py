"""The softmax explorer shows softmax and its gradient truthfully (what every explorer does is in
test_explorer_contract.py)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tp3helpers.explorers import softmax_explorer
from tp3helpers.softmax import softmax

EXPLORER = softmax_explorer


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
