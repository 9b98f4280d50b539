"""The digits explorer's own behaviour: its training steps are notebook 3's momentum descent, its
curves, readout, bars and gallery agree, and in an event loop a move draws its first frame at the
next turn while training goes on as a task that the next move cancels. What every explorer does
(each control redraws, extreme settings give a message, float noise, snapshots, constructor
checks, presentation size) is checked once for all four in tests/test_explorer_contract.py and
tests/test_explorer_layout.py."""

from __future__ import annotations

import asyncio
import gc
import re
import tracemalloc

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from tp3helpers.digits import SoftmaxObjective, load_digits_split
from tp3helpers.explorers import Explorer, digits_explorer
from tp3helpers.explorers import digits as digits_module
from tp3helpers.explorers.digits import (
    TOLERANCE,
    DigitsExplorer,
    Run,
    descend,
    digit_features,
)
from tp3helpers.momentum import momentum_descent, steps_to_tolerance


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """As in notebook 4: its matrices are small, and one BLAS thread is fastest for them."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture
def explorer():
    widget = digits_explorer(steps=60)
    yield widget
    widget.close()


def curve(explorer, name: str = "loss") -> np.ndarray:
    return np.asarray(explorer.artists[name].get_ydata(), dtype=float)


def test_builds_with_its_controls_and_a_complete_first_run(explorer):
    assert isinstance(explorer, DigitsExplorer) and isinstance(explorer, Explorer)
    assert set(explorer.controls) == {"bandwidth", "l2", "rho", "eta"}
    assert "held-out accuracy" in explorer.readout.value and not explorer.training
    assert explorer.artists["progress"].get_text() == "ρ = 0.76, η·L = 3.5"
    for name in ("loss", "loss_gd"):
        assert len(explorer.artists[name].get_xdata()) == 61
    assert all(bar.get_width() > 80 for bar in explorer.artists["accuracy_bars"])


def test_rho_move_reruns_momentum_only(explorer):
    gd_before, m_before = curve(explorer, "loss_gd").copy(), curve(explorer).copy()
    explorer.controls["rho"].value = 0.3
    np.testing.assert_array_equal(curve(explorer, "loss_gd"), gd_before)
    assert not np.array_equal(curve(explorer), m_before)


@pytest.mark.parametrize(("rho", "eta_L"), [(0.76, 3.5), (0.0, 1.0), (0.99, 8.0)])
def test_training_steps_are_notebook_3s_momentum_descent(rho, eta_L):
    """The explorer's step-by-step loop gives the iterates of momentum_descent, and stops at the
    same step when the run diverges (ρ = 0.99, η·L = 8 on a tiny λ leaves every bound)."""
    split, phi, *_ = digit_features(1.0)
    objective = SoftmaxObjective(phi[:200], split.y_train[:200], 1e-3 if rho > 0.9 else 0.1)
    L = objective.curvature_bounds()[1]
    steps = 3000 if rho > 0.9 else 50
    run = Run()
    pauses = sum(1 for _ in descend(run, objective, rho=rho, eta=eta_L / L, steps=steps))
    positions = momentum_descent(objective.grad, np.zeros(objective.size), rho=rho,
                                 eta=eta_L / L, steps=steps)
    expected = [objective.value(w) for w in positions]
    np.testing.assert_allclose(run.losses, expected, rtol=1e-12)
    np.testing.assert_allclose(run.last, positions[-1], rtol=1e-12, atol=1e-300)
    assert run.diverged == (len(positions) < steps + 1)
    assert pauses >= 0


def test_the_curves_are_the_losses_above_the_minimum(explorer):
    """Each curve is J(w_t) - J* of the run with the controls' setting: its differences are those
    of J along momentum_descent's iterates, and it falls below the start by the readout's factor
    within the number of steps the readout gives."""
    h, l2, rho, eta_L = explorer.settings()
    split, phi, *_ = digit_features(h)
    objective = SoftmaxObjective(phi, split.y_train, l2)
    L = 0.5 * np.linalg.norm(phi, 2) ** 2 + l2
    positions = momentum_descent(objective.grad, np.zeros(objective.size), rho=rho,
                                 eta=eta_L / L, steps=explorer.steps)
    losses = np.array([objective.value(w) for w in positions])
    shown = curve(explorer)
    np.testing.assert_allclose(shown - shown[0], losses - losses[0], atol=1e-9 * losses[0])
    measured = steps_to_tolerance(np.nan_to_num(shown), TOLERANCE**2)  # NaN: at J* (gap 0)
    words = f"> {explorer.steps}" if measured is None else f"{measured}"
    assert f"momentum {words} (predicted" in explorer.readout.value
    assert f"L = ½σ<sub>max</sub>² + α = {L:.4g}" in explorer.readout.value


def test_the_readout_counts_steps_that_move_with_rho():
    """A readout number that never changes looks frozen: the steps momentum needs do change."""
    explorer = digits_explorer()  # 200 steps, enough for these settings to get there

    def momentum_steps() -> str:
        return re.search(r"momentum (\d+) \(predicted", explorer.readout.value)[1]

    try:
        counts = {momentum_steps()}
        for rho in (0.5, 0.9):
            explorer.controls["rho"].value = rho
            counts.add(momentum_steps())
    finally:
        explorer.close()
    assert len(counts) == 3, counts


def test_readout_and_bars_match_the_gallery(explorer):
    """The momentum bar's accuracy is the one in the readout, and every digit shown is a held-out
    image whose true label is the one under it and whose predicted label differs."""
    bar = explorer.artists["accuracy_bars"][1].get_width()
    assert f"momentum {bar:.1f} %" in explorer.readout.value
    split = load_digits_split()
    shown = 0
    for image, title in zip(explorer.artists["digits"], explorer.artists["digit_titles"],
                            strict=True):
        if not title.get_text().strip():
            continue
        predicted, true = map(int, re.fullmatch(r"(\d) \(true (\d)\)", title.get_text()).groups())
        rows = np.flatnonzero((split.X_test == image.get_array().ravel()).all(axis=1))
        assert predicted != true and rows.size and (split.y_test[rows] == true).any()
        shown += 1
    wrong = round((1 - bar / 100) * len(split.y_test))
    assert shown == min(wrong, len(explorer.artists["digits"])) > 0


def test_features_are_cached_per_bandwidth():
    before = digit_features.cache_info()
    digit_features(1.4)
    digit_features(1.4)
    after = digit_features.cache_info()
    assert after.hits - before.hits >= 1 and after.misses - before.misses <= 1


def test_tiny_and_huge_bandwidths_train_without_errors(explorer):
    for h in (0.3, 10.0):
        explorer.controls["bandwidth"].value = h
        assert "tp3-error" not in explorer.readout.value
        assert "held-out accuracy" in explorer.readout.value


def test_in_an_event_loop_a_move_draws_at_once_and_trains_as_a_task(monkeypatch):
    """In a running event loop (as in a Jupyter kernel): a move returns with the new setting drawn
    and its curves reset; the curves then fill in while the loop keeps turning; a second move
    made during the run cancels it; the end shows what training without a loop shows.

    With a pause after every step and a redraw at every pause, what the curves show between two
    turns of the loop does not depend on how fast the machine trains (a fast machine finishes the
    80 steps of gradient descent within one ``REDRAW_SECONDS`` of the real pacing)."""
    monkeypatch.setattr(digits_module, "CHUNK_SECONDS", 0.0)
    monkeypatch.setattr(digits_module, "REDRAW_SECONDS", 0.0)

    async def scenario():
        widget = digits_explorer(steps=80)  # the first draw trains to the end even here
        try:
            widget.controls["l2"].value = 0.3  # a new (h, λ): gradient descent reruns too
            assert widget.training
            assert "training" in widget.artists["progress"].get_text()
            assert len(widget.artists["loss_gd"].get_xdata()) == 0  # the first frame
            assert "α = 0.3" in widget.readout.value
            counts, turns = [], 0
            while widget.training and turns < 100_000:  # the loop turns between chunks
                await asyncio.sleep(0)
                turns += 1
                counts.append(len(widget.artists["loss_gd"].get_xdata()))
            widget.controls["rho"].value = 0.3
            first = widget.training
            widget.controls["rho"].value = 0.4  # cancels the run that the move to 0.3 started
            while widget.training:
                await asyncio.sleep(0)
            return widget, counts, first
        except BaseException:
            widget.close()
            raise

    widget, counts, first = asyncio.run(scenario())
    reference = digits_explorer(steps=80)  # no loop: trains to the end on each move
    try:
        assert first and counts[-1] == 81
        assert [c for c in counts if 0 < c < 81], "no partial curve was drawn while training"
        assert "ρ = 0.40" in widget.readout.value and "held-out accuracy" in widget.readout.value
        reference.controls["l2"].value = 0.3
        reference.controls["rho"].value = 0.4
        for name in ("loss", "loss_gd"):
            np.testing.assert_array_equal(curve(widget, name), curve(reference, name))
        assert widget.readout.value == reference.readout.value
    finally:
        widget.close()
        reference.close()


def test_closing_during_training_cancels_the_task():
    async def scenario():
        widget = digits_explorer(steps=80)
        widget.controls["l2"].value = 0.5
        await asyncio.sleep(0)  # the task has started
        assert widget.training
        ours = asyncio.all_tasks() - {asyncio.current_task()}
        widget.close()
        assert not widget.training
        await asyncio.sleep(0)  # the cancellation is delivered
        return ours

    ours = asyncio.run(scenario())
    assert ours and all(task.cancelled() for task in ours)


def test_a_closed_explorer_kept_by_the_out_history_holds_no_training_run():
    # A cell ending with ``explorer`` leaves it in IPython's Out history after a re-run closed it:
    # neither the explorer nor its runs may keep the iterates of a run (about 5 MB each).
    digits_explorer(steps=200).close()  # the features of this setting are cached from now on
    tracemalloc.start()
    try:
        widget = digits_explorer(steps=200)
        widget.close()
        gc.collect()
        # NumPy's arrays only: the interpreter's own tables (its interned strings grow now and
        # then, by megabytes at once) are not what a closed explorer keeps
        arrays = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)])
        kept = sum(stat.size for stat in arrays.statistics("filename"))
    finally:
        tracemalloc.stop()
    assert kept < 1_000_000, f"a closed explorer keeps {kept / 2**20:.1f} MB"
