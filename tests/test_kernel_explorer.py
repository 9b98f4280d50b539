"""The exponential kernel explorer: its panels and readout are truthful at every reachable setting
(what every explorer does is in test_explorer_contract.py)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from tp3helpers import kernels
from tp3helpers.explorers.kernels import BASE_KERNELS, MAX_ORDER, N_SAMPLES, kernel_explorer
from tp3helpers.plotting.kernels import NOT_PSD_COLOUR, PSD_COLOUR


def shown_spectrum(explorer):
    """The relative eigenvalue sizes drawn, by colour class: {colour: sorted heights}."""
    heights = {}
    for line in explorer.artists["spectrum"]:
        ys = np.asarray(line.get_ydata(), dtype=float)
        heights[line.get_color()] = np.sort(ys[1::3]) if ys.size else np.array([])
    return heights


def bar_count(explorer):
    return sum(h.size for h in shown_spectrum(explorer).values())


EXPLORER = kernel_explorer


def test_the_controls_offer_every_base_kernel_and_taylor_order(explorer):
    assert set(explorer.controls["kernel"].options) == {
        (label, key) for key, (label, _, _) in BASE_KERNELS.items()
    }
    assert explorer.controls["order"].options[-1] == ("exact", "exact")
    assert len(explorer.controls["order"].options) == MAX_ORDER + 2
    assert explorer.readout in explorer.children
    assert "PSD ✓" in explorer.readout.value and "ridge fit" in explorer.readout.value


def test_panels_show_the_exponential_gaussian_kernel(explorer):
    explorer.controls["bandwidth"].value = 0.3
    gram = np.exp(kernels.gaussian(explorer.x, bandwidth=0.3))
    np.testing.assert_allclose(explorer.artists["gram"].get_array(), gram / gram.max())
    shown = shown_spectrum(explorer)[PSD_COLOUR]
    eigenvalues = np.linalg.eigvalsh(gram)
    np.testing.assert_allclose(shown[-5:], eigenvalues[-5:] / eigenvalues[-1], rtol=1e-9)
    assert bar_count(explorer) == explorer.x.size
    model = kernels.KernelRidge(
        kernels.exp_kernel(partial(kernels.gaussian, bandwidth=0.3)), alpha=explorer.alpha
    ).fit(explorer.x, explorer.y)
    fit = explorer.artists["fit"].get_ydata()
    np.testing.assert_allclose(fit, model.predict(explorer.grid), rtol=1e-8)


def _fit_errors(explorer, bandwidth):
    explorer.controls["bandwidth"].value = bandwidth
    fit = np.asarray(explorer.artists["fit"].get_ydata())
    model = kernels.KernelRidge(
        kernels.exp_kernel(partial(kernels.gaussian, bandwidth=bandwidth)), alpha=explorer.alpha
    ).fit(explorer.x, explorer.y)
    train = np.sqrt(np.mean((model.predict(explorer.x) - explorer.y) ** 2))
    test = np.sqrt(np.mean((fit - explorer.truth) ** 2))
    return train, test


def test_small_bandwidth_overfits_and_large_bandwidth_oversmooths(explorer):
    small_train, small_test = _fit_errors(explorer, 10**-1.5)
    middle_train, middle_test = _fit_errors(explorer, 0.5)
    large_train, large_test = _fit_errors(explorer, 10.0)
    assert small_train < middle_train < large_train  # the fit follows the noise more and more
    assert middle_test < small_test and middle_test < large_test


def test_taylor_order_shows_the_partial_sum_and_its_error(explorer):
    explorer.controls["order"].value = 2
    k = kernels.gaussian(explorer.x, bandwidth=0.5)
    partial_sum = 1 + k + k**2 / 2
    gram = explorer.artists["gram"].get_array()
    np.testing.assert_allclose(gram, partial_sum / partial_sum.max())
    error = np.abs(partial_sum - np.exp(k)).max()
    assert "T<sub>2</sub>(k<sub>h</sub>)" in explorer.readout.value
    assert f"{error:.2e}" in explorer.readout.value


def test_an_invalid_base_kernel_is_flagged_and_the_fit_hidden(explorer):
    explorer.controls["kernel"].value = "minus_linear"
    assert "not PSD ✗" in explorer.readout.value
    readout = explorer.readout.value
    assert "tp3-warning" in readout and "not a valid kernel" in readout
    assert np.isnan(explorer.artists["fit"].get_ydata()).all()
    # A red bar as tall as the largest eigenvalue: lambda_min is about -max|lambda|.
    assert shown_spectrum(explorer)[NOT_PSD_COLOUR].max() > 0.5
    assert "-9.3e-01 × max|λ|" in readout
    lines, note = explorer.artists["samples"]
    assert all(np.isnan(line.get_ydata()).all() for line in lines)
    assert "no Gaussian process" in note.get_text().replace("\n", " ")  # wrapped to the panel


def test_overflow_is_a_readout_message_and_blanks_the_panels(explorer):
    explorer.controls["kernel"].value = "polynomial"
    explorer.controls["bandwidth"].value = explorer.controls["bandwidth"].min  # must not raise
    assert explorer.controls["bandwidth"].value == pytest.approx(10**-1.5)
    readout = explorer.readout.value
    assert "tp3-warning" in readout and "tp3-error" not in readout
    assert "cannot be computed" in readout and "Increase the bandwidth" in readout
    assert "h = 0.2 or more works" in readout  # (1/0.1995² + 1)² < 709.78 < (1/0.1778² + 1)²
    assert_blank(explorer)


def test_ill_conditioned_ridge_is_a_readout_message(explorer):
    explorer.controls["kernel"].value = "linear"
    explorer.controls["bandwidth"].value = 0.1
    assert "PSD ✓" in explorer.readout.value
    readout = explorer.readout.value
    assert "Ridge fit hidden" in readout and "condition number" in readout
    assert np.isnan(explorer.artists["fit"].get_ydata()).all()


def test_a_failing_update_goes_to_the_readout(explorer, monkeypatch):
    monkeypatch.setitem(
        BASE_KERNELS, "linear", ("broken", "?", lambda X, Y=None: np.full((2, 3), np.nan))
    )
    explorer.controls["kernel"].value = "linear"  # must not raise
    assert "kernel must return a finite 2-D matrix" in explorer.readout.value


def test_size_sets_the_gram_matrix_and_spectrum():
    widget = kernel_explorer(n_points=12)
    assert widget.artists["gram"].get_array().shape == (12, 12)
    assert bar_count(widget) == 12
    assert "PSD ✓" in widget.readout.value
    widget.close()


def assert_blank(explorer):
    assert np.ma.getmaskarray(explorer.artists["gram"].get_array()).all()  # NaN pixels are masked
    assert bar_count(explorer) == 0
    assert all(np.isnan(line.get_ydata()).all() for line in explorer.artists["samples"][0])
    assert np.isnan(explorer.artists["fit"].get_ydata()).all()


def test_gaussian_process_samples_are_seeded_and_follow_the_bandwidth(explorer):
    lines, note = explorer.artists["samples"]
    assert len(lines) == N_SAMPLES and note.get_text() == ""
    before = np.array([line.get_ydata() for line in lines])
    assert np.isfinite(before).all() and "GP samples" in explorer.readout.value
    explorer.controls["bandwidth"].value = 0.05
    rough = np.array([line.get_ydata() for line in lines])
    # A narrow kernel gives rough functions: many more sign changes of the slope.
    wiggles = [np.sum(np.diff(np.sign(np.diff(f, axis=1)), axis=1) != 0) for f in (before, rough)]
    assert wiggles[1] > 3 * wiggles[0]
    explorer.controls["bandwidth"].value = 0.5
    np.testing.assert_allclose([line.get_ydata() for line in lines], before)  # same seeded draw


def test_order_zero_is_the_constant_kernel_even_for_huge_inputs(explorer):
    """Issue 15.3: order 0 is 1 for every pair; it cannot overflow."""
    explorer.controls["kernel"].value = "minus_linear"
    explorer.controls["order"].value = 0
    explorer.controls["bandwidth"].value = explorer.controls["bandwidth"].min
    assert "PSD ✓" in explorer.readout.value and "tp3-warning" not in explorer.readout.value
    np.testing.assert_array_equal(explorer.artists["gram"].get_array(), 1.0)
    for line in explorer.artists["samples"][0]:  # constant functions
        sample = np.asarray(line.get_ydata())
        np.testing.assert_allclose(sample, sample[0], atol=1e-12)
    fit = np.asarray(explorer.artists["fit"].get_ydata())
    np.testing.assert_allclose(fit, fit[0])  # the best constant


def _expected_panels(explorer):
    """What the panels must show for the current setting, computed independently."""
    _, shown = explorer.kernel()
    try:
        gram = shown(explorer.x)
        cross = shown(explorer.grid, explorer.x)
        shown(explorer.grid)
    except ValueError:
        return None
    return gram, cross


def _check_setting(explorer):
    readout = explorer.readout.value
    assert "tp3-error" not in readout, readout
    expected = _expected_panels(explorer)
    if expected is None:  # exp overflows float64: a message a student understands, all blank
        assert "cannot be computed" in readout and "Increase the bandwidth h" in readout, readout
        assert_blank(explorer)
        return
    gram, cross = expected
    assert ("PSD ✓" in readout) == kernels.is_psd(gram)  # the one tolerance, here too
    np.testing.assert_allclose(explorer.artists["gram"].get_array(), gram / np.abs(gram).max())
    assert bar_count(explorer) == explorer.x.size
    fit = np.asarray(explorer.artists["fit"].get_ydata())
    if np.isnan(fit).all():
        assert "Ridge fit hidden" in readout
    else:
        dual = np.linalg.solve(gram + explorer.alpha * np.eye(len(gram)), explorer.y)
        np.testing.assert_allclose(fit, cross @ dual, rtol=1e-6, atol=1e-9)
    samples = np.array([line.get_ydata() for line in explorer.artists["samples"][0]])
    assert np.isfinite(samples).all() or "No functions drawn" in readout


def test_every_reachable_setting_shows_a_consistent_figure_or_a_message(
    explorer, monkeypatch, request
):
    """Issue 15.3: every bandwidth stop x base kernel x Taylor order, every panel in step.

    The redraw is skipped (the panels' data are what is checked); the full check, with the
    independent computation, runs on the settings where exp overflows, on the first two
    bandwidth stops (where the bug was) and on every third stop elsewhere.
    """
    def update_only(changed=None):  # the panels' data are checked: no redraw, for speed
        explorer.readout.value = explorer.update(changed)

    monkeypatch.setattr(explorer, "refresh", update_only)
    # 3468 small eigendecompositions: one BLAS thread avoids thread contention on a busy machine.
    limits = threadpool_limits(1)
    request.addfinalizer(limits.restore_original_limits)
    slider = explorer.controls["bandwidth"]
    exponents = np.round(np.arange(slider.min, slider.max + slider.step / 2, slider.step), 10)
    stops = [float(10**e) for e in exponents]
    assert len(stops) == 51
    orders = [value for _, value in explorer.controls["order"].options]
    seen = 0
    for kernel in BASE_KERNELS:
        explorer.controls["kernel"].value = kernel
        for order in orders:
            explorer.controls["order"].value = order
            for i, h in enumerate(stops):
                slider.value = h
                seen += 1
                readout = explorer.readout.value
                assert "tp3-error" not in readout, (kernel, order, h, readout)
                if i < 2 or i % 3 == 0 or "cannot be computed" in readout:
                    _check_setting(explorer)
    assert seen == 4 * (MAX_ORDER + 2) * 51


@pytest.mark.parametrize("order", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("stop", [0, 1])
def test_linear_taylor_orders_at_the_smallest_bandwidths(explorer, order, stop):
    """The settings of issue 15.3: no internal error, a partial sum that stays finite."""
    explorer.controls["kernel"].value = "linear"
    explorer.controls["order"].value = order
    slider = explorer.controls["bandwidth"]
    slider.value = 10 ** (slider.min + stop * slider.step)
    assert "PSD ✓" in explorer.readout.value
    _check_setting(explorer)


def test_ridge_panel_never_keeps_a_previous_setting(explorer):
    """Issue 15.3: after a setting whose fit is hidden or blank, no stale curve is left."""
    explorer.controls["kernel"].value = "polynomial"
    explorer.controls["bandwidth"].value = explorer.controls["bandwidth"].min  # overflow
    assert_blank(explorer)
    explorer.controls["order"].value = 2  # a polynomial of k_h: finite again
    _check_setting(explorer)


def test_the_readout_names_the_kernel_shown(explorer):
    """Issue 20.12: the Gaussian base kernel gives exp of a Gaussian kernel, which the readout says,
    and the linear one gives a Gaussian kernel without its factors f(x) f(x')."""
    readout = explorer.readout.value
    assert "shown k̃ = exp(k<sub>h</sub>)</b> (the exponential of a Gaussian kernel, not a " in (
        readout)
    assert "with k = Gaussian" in readout
    shown = explorer.artists["gram"].get_array()
    k = kernels.gaussian(explorer.x, bandwidth=0.5)
    np.testing.assert_allclose(shown, np.exp(k) / np.exp(k).max())  # exp of it, not k itself
    explorer.controls["kernel"].value = "linear"
    assert "a Gaussian kernel without its factors f(x) f(x′)" in explorer.readout.value
    explorer.controls["order"].value = 3
    readout = explorer.readout.value
    assert "shown k̃ = T<sub>3</sub>(k<sub>h</sub>)</b>, with k = linear" in readout
    assert "Gaussian kernel without" not in readout  # a Taylor sum is not exp(k_h)


def test_the_bandwidth_prompt_says_what_the_explorer_shows(explorer):
    explorer.controls["bandwidth"].value = 10**-1.3  # h = 0.05
    lines, _ = explorer.artists["samples"]
    samples = np.array([line.get_ydata() for line in lines])
    wiggles = [(np.diff(np.sign(s - s.mean())) != 0).sum() for s in samples]
    assert min(wiggles) >= 10, wiggles
    assert np.abs(samples.mean(axis=1)).min() > 0.3  # a shared random level (the constant term)
    readout = explorer.readout.value
    assert "noisy training data 0.107" in readout and "noise-free curve 0.239" in readout
    explorer.controls["bandwidth"].value = 10.0
    samples = np.array([line.get_ydata() for line in lines])
    assert samples.std(axis=1).max() < 0.15  # almost constant
    fit, grid = explorer.artists["fit"].get_ydata(), explorer.grid
    line = np.polyval(np.polyfit(grid, fit, 1), grid)
    assert np.abs(fit - line).max() < 0.01  # nearly a straight line
    assert "noisy training data 0.430" in explorer.readout.value


def test_the_minus_linear_prompt_counts_the_red_bars(explorer):
    explorer.controls["kernel"].value = "minus_linear"
    for order, red in ((0, 0), (1, 1), (2, 1), (3, 2), ("exact", 7)):
        explorer.controls["order"].value = order
        assert shown_spectrum(explorer)[NOT_PSD_COLOUR].size == red, order
    explorer.controls["order"].value = 1
    assert "-1.0e+00 × max|λ|" in explorer.readout.value
    explorer.controls["order"].value = "exact"
    explorer.controls["bandwidth"].value = 10**-1.45
    assert "cannot be computed" in explorer.readout.value
    explorer.controls["bandwidth"].value = 10**-1.4
    assert "not PSD ✗" in explorer.readout.value


def test_the_order_zero_prompt_says_what_the_explorer_shows(explorer):
    explorer.controls["kernel"].value = "linear"
    explorer.controls["order"].value = 0
    spectrum = shown_spectrum(explorer)
    assert spectrum[PSD_COLOUR].size == 1 and sum(h.size for h in spectrum.values()) == 40
    assert spectrum[NOT_PSD_COLOUR].size == 0  # the other 39 are grey: 0 up to rounding
    lines, _ = explorer.artists["samples"]
    assert all(np.ptp(line.get_ydata()) < 1e-9 for line in lines)  # constant functions
    fit = explorer.artists["fit"].get_ydata()
    assert np.ptp(fit) < 1e-9 and abs(fit[0] - explorer.y.mean()) < 0.01  # about the mean of y
