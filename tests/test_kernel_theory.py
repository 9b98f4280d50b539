"""The PSD tolerance, Gaussian-process samples and the feature map of exp(k) (notebook 2)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ortho_group

from tp3helpers.kernels import (
    PSD_FACTOR,
    exp_feature_map,
    exp_kernel,
    gaussian,
    gp_samples,
    is_psd,
    linear,
    polynomial,
    psd_rtol,
    psd_tolerance,
    relative_min_eigenvalue,
    taylor_exp_kernel,
)

EPS = np.finfo(np.float64).eps


pytestmark = pytest.mark.usefixtures("no_warnings")


def with_spectrum(eigenvalues, seed=0):
    q = ortho_group.rvs(len(eigenvalues), random_state=seed)
    K = q @ np.diag(eigenvalues) @ q.T
    return 0.5 * (K + K.T)


def test_tolerance_is_relative_to_the_largest_eigenvalue():
    assert psd_tolerance([2.0, -1.0, 0.5]) == pytest.approx(PSD_FACTOR * 3 * EPS * 2.0)
    assert psd_tolerance([-4.0, 1.0]) == pytest.approx(PSD_FACTOR * 2 * EPS * 4.0)
    assert psd_tolerance(np.zeros(3)) == 0.0


def test_tolerance_and_is_psd_at_the_edge_of_the_domain_and_beyond():
    assert is_psd(np.diag([1e300, 1e300]))
    assert is_psd(np.full((3, 3), 1e300))
    assert not is_psd(np.diag([1e300, -1e300]))
    assert np.isfinite(psd_tolerance([1.7e308, 1e308]))  # any finite eigenvalues
    with pytest.raises(ValueError, match=r"^K has entries of magnitude up to 1e\+308"):
        is_psd(np.diag([1e308, 1e308]))  # said "eigenvalues contains +inf" (issue 24.2)


@pytest.mark.parametrize("scale", [1e-200, 1.0, 9e9, 1e290])
def test_a_relative_negative_eigenvalue_of_1e_8_is_found_at_every_scale(scale):
    """Rounding (relative 1e-16) passes, a real negative eigenvalue (relative 1e-8) does not."""
    n = 40
    spectrum = scale * np.r_[1.0, np.linspace(0.5, 0.0, n - 1)]
    assert is_psd(with_spectrum(spectrum))
    spectrum[-1] = -1e-8 * scale
    assert not is_psd(with_spectrum(spectrum))


def test_exp_of_a_cubic_kernel_is_psd_and_stays_meaningful():
    """Largest eigenvalue about 9e9: the tolerance moves with it, so -1e-8 of it is caught."""
    points = np.random.default_rng(3).uniform(-1.0, 1.0, size=(40, 3))
    K = exp_kernel(partial(polynomial, degree=3, c=1.0))(points)
    eigenvalues = np.linalg.eigvalsh(K)
    assert eigenvalues[-1] > 1e9 and is_psd(K)
    vector = np.linalg.eigh(K)[1][:, 0]
    shifted = K - (1e-8 * eigenvalues[-1] + eigenvalues[0]) * np.outer(vector, vector)
    assert not is_psd(shifted)


def test_rank_deficient_gram_matrices_are_psd():
    rng = np.random.default_rng(4)
    for scale in (1e-45, 1.0, 1e6, 1e45):  # points at most 1e50 in magnitude
        assert is_psd(linear(scale * rng.normal(size=(60, 2))))


def test_gp_samples_have_the_kernel_as_covariance():
    grid = np.linspace(-1.0, 1.0, 8)
    K = gaussian(grid, bandwidth=0.5)
    samples = gp_samples(K, 40000, np.random.default_rng(0))
    assert samples.shape == (40000, 8)
    np.testing.assert_allclose(np.cov(samples, rowvar=False), K, atol=0.03)


def test_gp_samples_are_seeded_and_accept_singular_covariances():
    K = linear(np.linspace(-1.0, 1.0, 50))  # rank 1: eigenvalues 0 up to rounding
    first = gp_samples(K, 3, np.random.default_rng(7))
    np.testing.assert_array_equal(first, gp_samples(K, 3, np.random.default_rng(7)))
    # Rank 1: every sample is a multiple of x.
    x = np.linspace(-1.0, 1.0, 50)
    np.testing.assert_allclose(first - np.outer(first @ x / (x @ x), x), 0.0, atol=1e-12)


def test_gp_samples_refuse_an_invalid_kernel_and_bad_arguments():
    with pytest.raises(ValueError, match="not valid"):
        gp_samples(-linear(np.array([-1.0, 1.0])), 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_samples"):
        gp_samples(np.eye(2), 0, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng"):
        gp_samples(np.eye(2), 1, 0)


@pytest.mark.parametrize("order", [0, 1, 2, 5])
def test_feature_map_inner_products_are_the_taylor_partial_sums(order):
    X = np.random.default_rng(1).uniform(-1.0, 1.0, size=(6, 2))
    features = exp_feature_map(X, order)
    assert features.shape == (6, sum(2**i for i in range(order + 1)))
    np.testing.assert_allclose(features @ features.T, taylor_exp_kernel(linear, order)(X),
                               rtol=1e-12)


def test_feature_map_inner_products_converge_to_exp():
    X = np.random.default_rng(2).uniform(-1.0, 1.0, size=(5, 2))
    errors = []
    for order in range(0, 16, 3):
        features = exp_feature_map(X, order)
        errors.append(np.abs(features @ features.T - np.exp(X @ X.T)).max())
    assert all(b < a for a, b in zip(errors, errors[1:], strict=False)) and errors[-1] < 1e-10


def test_feature_map_refuses_a_huge_order():
    with pytest.raises(ValueError, match="order 30"):
        exp_feature_map(np.ones((2, 2)), 30)


def test_taylor_order_zero_is_one_whatever_the_kernel():
    huge = np.array([[0.0], [1e50]])  # k = 1e100
    np.testing.assert_array_equal(taylor_exp_kernel(linear, 0)(huge), np.ones((2, 2)))


def test_relative_min_eigenvalue_and_rtol():
    assert psd_rtol(40) == pytest.approx(PSD_FACTOR * 40 * EPS)
    assert relative_min_eigenvalue(np.diag([2.0, -1.0])) == pytest.approx(-0.5)
    assert relative_min_eigenvalue(np.zeros((2, 2))) == 0.0
    assert relative_min_eigenvalue(np.diag([1e300, -1e300])) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="n must be an integer from 1 to 100000000, got 0"):
        psd_rtol(0)


@settings(max_examples=60, deadline=None)
@given(
    exponent=st.floats(-300, 299),  # entries at most 1e300, the domain of is_psd
    n=st.integers(2, 12),
    seed=st.integers(0, 2**16),
    negative=st.booleans(),
)
def test_is_psd_at_every_scale(exponent, n, seed, negative):
    """Property: the verdict depends on the spectrum's shape, never on its scale; no warning."""
    rng = np.random.default_rng(seed)
    spectrum = rng.uniform(0.0, 1.0, size=n)
    spectrum[0] = 1.0
    if negative:
        spectrum[-1] = -1e-6
    K = with_spectrum(10.0**exponent * spectrum, seed=seed)
    assert is_psd(K) is (not negative)
    assert np.isfinite(psd_tolerance(np.linalg.eigvalsh(K)))
