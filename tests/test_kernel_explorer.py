"""The exponential kernel explorer: each control redraws, the readout is truthful, no raising."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from tp3helpers import kernels
from tp3helpers.explorers.kernels import BASE_KERNELS, MAX_ORDER, kernel_explorer


@pytest.fixture
def explorer():
    widget = kernel_explorer()
    yield widget
    widget.close()


def test_contract(explorer):
    assert set(explorer.controls) == {"bandwidth", "kernel", "order"}
    assert set(explorer.controls["kernel"].options) == {
        (label, key) for key, (label, _, _) in BASE_KERNELS.items()
    }
    assert explorer.controls["order"].options[-1] == ("exact", "exact")
    assert len(explorer.controls["order"].options) == MAX_ORDER + 2
    assert explorer.readout in explorer.children
    assert "PSD ✓" in explorer.readout.value and "ridge fit" in explorer.readout.value


@pytest.mark.parametrize(
    ("name", "value"),
    [("bandwidth", 0.1), ("bandwidth", 3.0), ("kernel", "linear"), ("kernel", "polynomial"),
     ("order", 0), ("order", 4)],
)
def test_each_control_changes_the_figure_and_readout(explorer, assert_control_redraws, name, value):
    assert_control_redraws(explorer, name, value)


def test_panels_show_the_exponential_gaussian_kernel(explorer):
    explorer.controls["bandwidth"].value = 0.3
    gram = np.exp(kernels.gaussian(explorer.x, bandwidth=0.3))
    np.testing.assert_allclose(explorer.artists["gram"].get_array(), gram / gram.max())
    shown = np.sort(explorer.artists["spectrum"][0].get_ydata())
    eigenvalues = np.linalg.eigvalsh(gram)
    np.testing.assert_allclose(shown[-5:], eigenvalues[-5:] / eigenvalues[-1], rtol=1e-9)
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
    assert "T<sub>2</sub>(k)" in explorer.readout.value
    assert f"{error:.2e}" in explorer.readout.value


def test_an_invalid_base_kernel_is_flagged_and_the_fit_hidden(explorer):
    explorer.controls["kernel"].value = "minus_linear"
    assert "not PSD ✗" in explorer.readout.value
    readout = explorer.readout.value
    assert "tp3-warning" in readout and "not a valid kernel" in readout
    assert np.isnan(explorer.artists["fit"].get_ydata()).all()
    assert explorer.artists["spectrum"][1].get_color() == "#d62728"


def test_overflow_is_a_readout_message_and_blanks_the_panels(explorer):
    explorer.controls["kernel"].value = "polynomial"
    explorer.controls["bandwidth"].value = explorer.controls["bandwidth"].min  # must not raise
    assert explorer.controls["bandwidth"].value == pytest.approx(10**-1.5)
    readout = explorer.readout.value
    assert "tp3-warning" in readout and "tp3-error" not in readout
    assert "overflows" in readout and "Increase the bandwidth" in readout
    assert np.ma.getmaskarray(explorer.artists["gram"].get_array()).all()  # NaN pixels are masked
    assert np.isnan(explorer.artists["fit"].get_ydata()).all()


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


def test_bad_alpha_and_size():
    with pytest.raises(ValueError, match="alpha must be > 0, got -1.0"):
        kernel_explorer(alpha=-1.0)
    with pytest.raises(ValueError, match="n_points must be a positive integer, got 0"):
        kernel_explorer(n_points=0)
    with pytest.raises(TypeError, match="n_points must be a non-negative integer, got 10.5"):
        kernel_explorer(n_points=10.5)


def test_size_sets_the_gram_matrix_and_spectrum():
    widget = kernel_explorer(n_points=12)
    assert widget.artists["gram"].get_array().shape == (12, 12)
    assert len(widget.artists["spectrum"][0].get_ydata()) == 12
    assert "PSD ✓" in widget.readout.value
    widget.close()
