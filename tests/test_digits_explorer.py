"""The digits explorer: every control changes the figure and the readout, extreme settings give a
message, and background training follows, supersedes and finishes runs."""

from __future__ import annotations

import asyncio
import gc
import re
import tracemalloc

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from tp3helpers.explorers import Explorer, digits_explorer
from tp3helpers.explorers.digits import POLL_SECONDS, DigitsExplorer, _Job, digit_features
from tp3helpers.plotting.figure import NORMAL, PRESENTATION, smallest_text_px


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


def test_builds_with_its_controls_and_a_complete_first_run(explorer):
    assert isinstance(explorer, DigitsExplorer) and isinstance(explorer, Explorer)
    assert set(explorer.controls) == {"bandwidth", "l2", "rho", "eta"}
    assert "held-out accuracy" in explorer.readout.value
    assert explorer.artists["progress"].get_text() == "done"
    for name in ("loss", "loss_gd"):
        assert len(explorer.artists[name].get_xdata()) == 61
    assert all(bar.get_width() > 80 for bar in explorer.artists["accuracy_bars"])


@pytest.mark.parametrize(
    ("name", "value"), [("rho", 0.5), ("eta", 2.0), ("l2", 1.0), ("bandwidth", 2.0)]
)
def test_each_control_redraws_the_figure_and_the_readout(explorer, assert_control_redraws,
                                                          name, value):
    assert_control_redraws(explorer, name, value)


def test_rho_move_reruns_momentum_only(explorer):
    gd_before = explorer.artists["loss_gd"].get_ydata().copy()
    m_before = explorer.artists["loss"].get_ydata().copy()
    explorer.controls["rho"].value = 0.2 if explorer.controls["rho"].value != 0.2 else 0.3
    np.testing.assert_array_equal(explorer.artists["loss_gd"].get_ydata(), gd_before)
    assert not np.array_equal(explorer.artists["loss"].get_ydata(), m_before)


def test_readout_and_bars_match_the_model(explorer):
    explorer.controls["bandwidth"].value = 1.0
    explorer.controls["l2"].value = 0.1
    job = explorer._job
    split = job.result["split"]
    acc = np.mean(job.result["momentum_predicted"] == split.y_test)
    assert f"momentum {100 * acc:.1f} %" in explorer.readout.value
    assert explorer.artists["accuracy_bars"][1].get_width() == pytest.approx(100 * acc)
    _, phi, _, _, sigma = digit_features(1.0)
    assert sigma == pytest.approx(np.linalg.norm(phi, 2), rel=1e-9)
    assert f"L = ½σ<sub>max</sub>² + α = {0.5 * sigma**2 + 0.1:.4g}" in explorer.readout.value


def test_loss_curves_show_the_gap_to_the_minimum(explorer):
    job = explorer._job
    objective_min = job.minimum
    assert objective_min <= job.momentum.final_losses.min() + 1e-9
    y = explorer.artists["loss"].get_ydata()
    np.testing.assert_allclose(y[0], job.momentum.final_losses[0] - objective_min)
    assert np.nanmin(y) < 1e-3 * y[0]  # momentum with the default (ρ*, η*) converges


def test_gallery_shows_misclassified_digits_with_labels(explorer):
    job = explorer._job
    split = job.result["split"]
    wrong = np.flatnonzero(job.result["momentum_predicted"] != split.y_test)
    assert wrong.size > 0
    first = wrong[0]
    image, title = explorer.artists["digits"][0], explorer.artists["digit_titles"][0]
    np.testing.assert_allclose(image.get_array(), split.X_test[first].reshape(8, 8))
    predicted = job.result["momentum_predicted"][first]
    assert title.get_text() == f"{predicted} (true {split.y_test[first]})"


def test_features_are_cached_per_bandwidth():
    before = digit_features.cache_info()
    digit_features(1.4)
    digit_features(1.4)
    after = digit_features.cache_info()
    assert after.hits - before.hits >= 1 and after.misses - before.misses <= 1


@pytest.mark.parametrize(
    ("moves", "message"),
    [
        ([("bandwidth", 0.3), ("l2", 1.0), ("eta", 8.0)], "diverge"),
        ([("l2", 0.001)], "is huge"),
    ],
)
def test_extreme_settings_give_a_message_not_an_exception(moves, message):
    widget = digits_explorer(steps=60)
    try:
        for name, value in moves:
            widget.controls[name].value = value
        assert "tp3-error" not in widget.readout.value
        assert message in widget.readout.value and "tp3-message" in widget.readout.value
    finally:
        widget.close()


def test_tiny_and_huge_bandwidths_train_without_errors(explorer):
    for h in (0.3, 10.0):
        explorer.controls["bandwidth"].value = h
        assert "tp3-error" not in explorer.readout.value
        assert "held-out accuracy" in explorer.readout.value


def test_keyboard_noise_is_rounded(explorer):
    explorer.controls["rho"].value = 0.49999999999999994
    assert explorer.settings()[2] == 0.5


def test_snapshot_for_the_stored_notebook(explorer):
    assert explorer._repr_mimebundle_()["image/png"].startswith(b"\x89PNG")


def test_background_runs_fill_in_supersede_and_finish():
    """In an event loop: a move resets the figure at once, the curves fill in chunk by chunk,
    and a second move made during the first run supersedes it."""

    async def scenario():
        widget = digits_explorer(steps=80)  # the first run is synchronous even here
        try:
            widget.controls["l2"].value = 0.3  # a new (h, λ): gradient descent reruns
            first = widget._job
            assert not first.done and widget._thread is not None
            assert "training" in widget.artists["progress"].get_text()
            assert len(widget.artists["loss_gd"].get_xdata()) == 0  # the first frame: curves reset
            counts = []
            while not first.done and len(counts) < 200:
                await asyncio.sleep(0.02)
                counts.append(len(widget.artists["loss_gd"].get_xdata()))
            widget.controls["rho"].value = 0.3  # supersedes any run still going
            second = widget._job
            while not second.done:
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.2)  # the follower"s final redraw
            return widget, counts, second
        except BaseException:
            widget.close()
            raise

    widget, counts, second = asyncio.run(scenario())
    try:
        assert second.error is None and widget.artists["progress"].get_text() == "done"
        assert "ρ = 0.30" in widget.readout.value and "held-out accuracy" in widget.readout.value
        assert len(widget.artists["loss"].get_xdata()) == 81
        partial = [c for c in counts if 0 < c < 81]
        assert partial, f"no partial curve was drawn while training: {counts[:20]}"
    finally:
        widget.close()


def test_a_superseded_run_stops():
    widget = digits_explorer(steps=20, background=False)
    try:
        job = _Job(widget._generation, (1.0, 0.05, 0.5, 1.0))  # a new (h, λ): no cached run
        widget._generation += 1  # what a newer move does
        widget._train(job)
        assert job.done and job.error is None
        assert job.gd.last is None and job.gd.losses == [] and job.momentum.losses == []
    finally:
        widget.close()


def test_closing_during_a_background_run_stops_it():
    async def scenario():
        widget = digits_explorer(steps=80)
        widget.controls["l2"].value = 0.5
        job = widget._job
        await asyncio.sleep(0.15)  # the worker has started
        widget.close()
        for _ in range(200):
            if job.done:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(2 * POLL_SECONDS)  # the redraw task sees it is superseded
        return job

    job = asyncio.run(scenario())
    assert job.done and job.error is None
    assert job.momentum.last is None  # stopped before the momentum run finished


def test_a_closed_explorer_kept_by_the_out_history_holds_no_training_run():
    # A cell ending with ``explorer`` leaves it in IPython's Out history after a re-run closed it:
    # neither the explorer nor its runs may keep the iterates of a run (about 5 MB each).
    digits_explorer(steps=200).close()  # the features of this setting are cached from now on
    tracemalloc.start()
    try:
        widget = digits_explorer(steps=200)
        assert widget._job.momentum.last.base is None  # the last weights, not a view of all
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


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"steps": -1}, ValueError, "steps must be an integer from 1 to 5000, got -1"),
        ({"steps": 1.5}, TypeError, "steps must be an integer"),
        ({"steps": None}, TypeError, "steps must be an integer"),
        ({"landmarks": 5}, ValueError, "landmarks must be an integer from 10 to 1000, got 5"),
    ],
)
def test_constructor_arguments_are_checked_by_name(kwargs, error, words) -> None:
    with pytest.raises(error, match=re.escape(words)):
        DigitsExplorer(**kwargs)


def test_presentation_size_makes_every_text_larger() -> None:
    explorer = digits_explorer(background=False, presentation=True)
    smallest, text = smallest_text_px(explorer.figure)
    assert smallest >= PRESENTATION.min_text_px > NORMAL.min_text_px, (text, smallest)
    explorer.close()
