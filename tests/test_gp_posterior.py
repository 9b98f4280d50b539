"""The Gaussian-process posterior (notebook 2, Going deeper): checked against scikit-learn's
GaussianProcessRegressor and against kernel ridge regression, whose prediction is its mean."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, DotProduct

from tp3helpers.kernels import KernelRidge, exp_kernel, gaussian, gp_posterior, linear

pytestmark = pytest.mark.usefixtures("no_warnings")


def data(seed, n=25, d=1):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, d))
    return x, np.sin(3.0 * x[:, 0]) + 0.25 * rng.normal(size=n), rng.uniform(-2, 2, size=(40, d))


@pytest.mark.parametrize("h", [0.1, 0.5, 2.0])
@pytest.mark.parametrize("noise", [1e-4, 0.1, 3.0])
def test_mean_and_std_match_scikit_learn(h, noise):
    x, y, x_new = data(0, d=2)
    mean, std = gp_posterior(partial(gaussian, bandwidth=h), x, y, x_new, noise)
    reference = GaussianProcessRegressor(RBF(length_scale=h), alpha=noise, optimizer=None)
    ref_mean, ref_std = reference.fit(x, y).predict(x_new, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(std, ref_std, rtol=1e-6, atol=1e-7)


def test_a_linear_kernel_matches_scikit_learn_too():
    x, y, x_new = data(1, d=3)
    mean, std = gp_posterior(linear, x, y, x_new, 0.5)
    reference = GaussianProcessRegressor(DotProduct(sigma_0=0.0, sigma_0_bounds="fixed"),
                                         alpha=0.5, optimizer=None)
    ref_mean, ref_std = reference.fit(x, y).predict(x_new, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(std, ref_std, rtol=1e-7, atol=1e-9)


def test_the_mean_is_the_kernel_ridge_prediction_with_alpha_the_noise_variance():
    x, y, x_new = data(2)
    for kernel in (partial(gaussian, bandwidth=0.3), exp_kernel(partial(gaussian, bandwidth=0.3))):
        mean, _ = gp_posterior(kernel, x, y, x_new, 0.1)
        ridge = KernelRidge(kernel, alpha=0.1).fit(x, y).predict(x_new)
        np.testing.assert_allclose(mean, ridge, rtol=1e-10, atol=1e-12)


def test_far_from_the_data_the_posterior_is_the_prior():
    """The Gaussian kernel forgets the data far away: mean 0 and std sqrt(k(x, x)) = 1; exp of it
    keeps its constant term 1 there, so its mean tends to the sum of the dual weights."""
    x, y, _ = data(3)
    far = np.array([[50.0], [-80.0]])
    mean, std = gp_posterior(partial(gaussian, bandwidth=0.2), x, y, far, 0.1)
    np.testing.assert_allclose(mean, 0.0, atol=1e-300)
    np.testing.assert_allclose(std, 1.0, rtol=1e-15)
    shown = exp_kernel(partial(gaussian, bandwidth=0.2))
    mean, _ = gp_posterior(shown, x, y, far, 0.1)
    dual = KernelRidge(shown, alpha=0.1).fit(x, y).dual_coef_
    np.testing.assert_allclose(mean, dual.sum(), rtol=1e-10)


def test_at_the_data_with_little_noise_the_band_closes():
    x, y, _ = data(4, n=6)  # six points, h = 0.1: K is well conditioned, so it interpolates
    mean, std = gp_posterior(partial(gaussian, bandwidth=0.1), x, y, x, 1e-8)
    np.testing.assert_allclose(mean, y, atol=1e-5)
    assert std.max() < 1e-3 and std.min() >= 0.0


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.05, 5.0), st.floats(1e-6, 10.0), st.integers(1, 30))
def test_the_posterior_std_lies_between_0_and_the_prior_std(seed, h, noise, n):
    x, y, x_new = data(seed, n=n)
    mean, std = gp_posterior(partial(gaussian, bandwidth=h), x, y, x_new, noise)
    assert np.isfinite(mean).all() and mean.shape == std.shape == (x_new.shape[0],)
    assert (std >= 0.0).all() and (std <= 1.0 + 1e-12).all()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x, y: gp_posterior(linear, x, y, x, 0.0), ValueError, "noise must be > 0"),
        (lambda x, y: gp_posterior(linear, x, y[:-1], x, 0.1), ValueError,
         "y has 24 values but X has 25 points"),
        (lambda x, y: gp_posterior("rbf", x, y, x, 0.1), TypeError, "kernel must be callable"),
        (lambda x, y: gp_posterior(linear, x, y, np.full((2, 1), np.nan), 0.1), ValueError,
         "X_new contains NaN"),
        (lambda x, y: gp_posterior(lambda A, B=None: -linear(A, B), x, y, x, 0.1), ValueError,
         "not positive definite"),
    ],
)
def test_bad_input_is_refused_by_name(call, error, message):
    x, y, _ = data(5)
    with pytest.raises(error, match=message):
        call(x, y)
