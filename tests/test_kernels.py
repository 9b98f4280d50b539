"""Unit and property tests for tp3helpers.kernels, cross-checked against scikit-learn."""

from __future__ import annotations

import math
import warnings
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import NotFittedError
from sklearn.gaussian_process.kernels import RBF, Exponentiation
from sklearn.kernel_ridge import KernelRidge as SklearnKernelRidge
from sklearn.metrics.pairwise import linear_kernel, polynomial_kernel, rbf_kernel

from tp3helpers.kernels import (
    EXP_OVERFLOW,
    KernelRidge,
    exp_kernel,
    gaussian,
    is_psd,
    linear,
    min_eigenvalue,
    polynomial,
    taylor_exp_kernel,
)


@st.composite
def point_sets(draw, max_points: int = 12, max_dim: int = 3, bound: float = 1.5):
    """Random point sets (n, d); duplicates and collinear points make rank-deficient Grams."""
    n = draw(st.integers(1, max_points))
    d = draw(st.integers(1, max_dim))
    return draw(
        arrays(np.float64, (n, d), elements=st.floats(-bound, bound, allow_nan=False, width=64))
    )


@st.composite
def base_kernels(draw):
    """One of the module's kernels with random valid parameters."""
    which = draw(st.sampled_from(["linear", "polynomial", "gaussian"]))
    if which == "linear":
        return linear
    if which == "polynomial":
        return partial(
            polynomial, degree=draw(st.integers(0, 3)), c=draw(st.floats(0.0, 1.0, width=64))
        )
    return partial(gaussian, bandwidth=draw(st.floats(0.1, 10.0, width=64)))


# -- properties: every kernel here and its exponential give PSD Gram matrices ----------------------
@settings(max_examples=150, deadline=None)
@given(point_sets(), base_kernels())
def test_random_gram_matrices_and_their_exponentials_are_psd(points, kernel):
    gram = kernel(points)
    assert gram.shape == (len(points), len(points))
    np.testing.assert_allclose(gram, gram.T, rtol=1e-14, atol=1e-300)
    assert is_psd(gram), np.linalg.eigvalsh(gram)
    exp_gram = exp_kernel(kernel)(points)
    np.testing.assert_allclose(exp_gram, np.exp(gram), rtol=1e-15)
    assert is_psd(exp_gram), np.linalg.eigvalsh(exp_gram)


@settings(max_examples=80, deadline=None)
@given(point_sets(), base_kernels(), st.integers(0, 12))
def test_every_taylor_partial_sum_is_psd(points, kernel, order):
    partial_sum = taylor_exp_kernel(kernel, order)(points)
    assert is_psd(partial_sum), np.linalg.eigvalsh(partial_sum)


@given(point_sets(max_points=8), st.floats(0.1, 5.0, width=64))
def test_gaussian_is_f_times_exp_linear_times_f(points, bandwidth):
    f = np.exp(-(points**2).sum(axis=1) / (2 * bandwidth**2))
    scaled_linear = exp_kernel(lambda X, Y=None: linear(X, Y) / bandwidth**2)(points)
    np.testing.assert_allclose(
        gaussian(points, bandwidth=bandwidth), f[:, None] * scaled_linear * f[None, :],
        rtol=1e-12, atol=1e-300,
    )


# -- cross-checks with scikit-learn ----------------------------------------------------------------
def test_linear_matches_sklearn(rng):
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))
    np.testing.assert_allclose(linear(X, Y), linear_kernel(X, Y), rtol=1e-13)
    np.testing.assert_allclose(linear(X), linear_kernel(X), rtol=1e-13)


@pytest.mark.parametrize(("degree", "c"), [(1, 0.0), (2, 1.0), (3, 0.5), (4, 0.0), (5, 2.0)])
def test_polynomial_matches_sklearn(rng, degree, c):
    X, Y = rng.normal(size=(6, 4)), rng.normal(size=(3, 4))
    expected = polynomial_kernel(X, Y, degree=degree, gamma=1.0, coef0=c)
    np.testing.assert_allclose(polynomial(X, Y, degree=degree, c=c), expected, rtol=1e-12)


@pytest.mark.parametrize("bandwidth", [0.1, 0.7, 1.0, 3.0])
def test_gaussian_matches_sklearn_rbf(rng, bandwidth):
    X, Y = rng.normal(size=(8, 2)), rng.normal(size=(4, 2))
    gamma = 1.0 / (2.0 * bandwidth**2)
    np.testing.assert_allclose(
        gaussian(X, Y, bandwidth=bandwidth), rbf_kernel(X, Y, gamma=gamma), rtol=1e-10, atol=1e-300
    )
    gram = gaussian(X, bandwidth=bandwidth)
    np.testing.assert_allclose(gram, rbf_kernel(X, gamma=gamma), rtol=1e-10, atol=1e-300)
    np.testing.assert_array_equal(np.diag(gram), 1.0)


def test_polynomial_of_degree_zero_is_the_constant_kernel(rng):
    np.testing.assert_array_equal(polynomial(rng.normal(size=(3, 2)), degree=0), np.ones((3, 3)))


def test_sklearn_exponentiation_is_a_power_not_the_exponential(rng):
    X = rng.normal(size=(6, 2))
    power = Exponentiation(RBF(length_scale=0.8), exponent=3)(X)
    np.testing.assert_allclose(power, gaussian(X, bandwidth=0.8) ** 3, rtol=1e-12)
    np.testing.assert_allclose(power, gaussian(X, bandwidth=0.8 / np.sqrt(3)), rtol=1e-12)
    assert not np.allclose(power, exp_kernel(partial(gaussian, bandwidth=0.8))(X))


def test_one_dimensional_input_counts_as_one_feature(rng):
    x = rng.normal(size=5)
    np.testing.assert_array_equal(linear(x), np.outer(x, x))
    assert gaussian(x, x[:2]).shape == (5, 2)


@pytest.mark.parametrize(
    "kernel",
    [exp_kernel(linear), exp_kernel(partial(gaussian, bandwidth=0.5)),
     taylor_exp_kernel(partial(polynomial, degree=2), 6)],
    ids=["exp-linear", "exp-gaussian", "taylor-polynomial"],
)
@pytest.mark.parametrize("alpha", [1e-3, 0.1, 2.0])
def test_kernel_ridge_matches_sklearn_precomputed(rng, kernel, alpha):
    X, X_new = rng.uniform(-1, 1, size=(25, 2)), rng.uniform(-1, 1, size=(9, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] + 0.1 * rng.normal(size=25)
    ours = KernelRidge(kernel, alpha=alpha).fit(X, y)
    theirs = SklearnKernelRidge(kernel="precomputed", alpha=alpha).fit(kernel(X), y)
    np.testing.assert_allclose(ours.dual_coef_, theirs.dual_coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(
        ours.predict(X_new), theirs.predict(kernel(X_new, X)), rtol=1e-7, atol=1e-9
    )


def test_kernel_ridge_with_several_targets(rng):
    X = rng.normal(size=(10, 1))
    Y = np.column_stack([X[:, 0], X[:, 0] ** 2])
    model = KernelRidge(partial(gaussian, bandwidth=0.5), alpha=0.01).fit(X, Y)
    assert model.predict(X[:3]).shape == (3, 2)
    np.testing.assert_allclose(model.predict(X), Y, atol=0.1)


# -- exp and its Taylor partial sums ---------------------------------------------------------------
def test_exp_kernel_is_elementwise_not_the_matrix_exponential(rng):
    X = rng.normal(size=(4, 2))
    np.testing.assert_allclose(exp_kernel(linear)(X), np.exp(X @ X.T), rtol=1e-14)
    assert exp_kernel(linear).__name__ == "exp(linear)"


def test_taylor_partial_sums_converge_with_factorial_error_bound(rng):
    X = rng.uniform(-1, 1, size=(6, 2))
    k = linear(X)
    exact = np.exp(k)
    peak = np.abs(k).max()
    previous = np.inf
    for order in range(0, 25):
        error = np.abs(taylor_exp_kernel(linear, order)(X) - exact).max()
        bound = math.exp(peak) * peak ** (order + 1) / math.factorial(order + 1)
        assert error <= bound * (1 + 1e-9) + 1e-15
        assert error <= previous
        previous = error
    assert previous < 1e-14


def test_taylor_low_orders(rng):
    X = rng.normal(size=(5, 3))
    k = linear(X)
    np.testing.assert_array_equal(taylor_exp_kernel(linear, 0)(X), np.ones((5, 5)))
    np.testing.assert_allclose(taylor_exp_kernel(linear, 1)(X), 1 + k)
    np.testing.assert_allclose(taylor_exp_kernel(linear, 2)(X), 1 + k + k**2 / 2)


def test_exp_of_a_huge_kernel_raises_instead_of_returning_inf():
    X = np.array([[0.0], [30.0]])  # k(x, x) = 900 > 709.78
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        overflow = r"exp of kernel linear overflows: its largest value is 900"
        with pytest.raises(ValueError, match=overflow):
            exp_kernel(linear)(X)
        # A partial sum is a polynomial: finite where exp overflows (issue 15.3), until a term
        # itself overflows.
        assert taylor_exp_kernel(linear, 5)(X)[1, 1] == pytest.approx(
            sum(900.0**i / math.factorial(i) for i in range(6))
        )
        with pytest.raises(ValueError, match=r"Taylor order 5 of kernel linear overflows.*1e\+100"):
            taylor_exp_kernel(linear, 5)(np.array([[1e50]]))


def test_exp_just_below_the_overflow_limit_is_finite():
    X = np.array([[math.sqrt(EXP_OVERFLOW - 0.5)]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = exp_kernel(linear)(X)
        partial_sum = taylor_exp_kernel(linear, 1000)(X)  # the terms peak near i = 709
    assert np.isfinite(value).all() and value[0, 0] > 1e307
    np.testing.assert_allclose(partial_sum, value, rtol=1e-9)


def test_exp_of_very_negative_values_underflows_to_zero_quietly():
    X = np.array([[0.0], [30.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = exp_kernel(lambda A, B=None: -linear(A, B))(X)
    np.testing.assert_array_equal(result, [[1.0, 1.0], [1.0, 0.0]])


def test_exp_of_minus_a_valid_kernel_can_fail():
    X = np.array([[-1.0], [1.0]])
    K = exp_kernel(lambda A, B=None: -linear(A, B))(X)  # [[e^-1, e], [e, e^-1]]
    assert min_eigenvalue(K) == pytest.approx(math.exp(-1) - math.e)
    assert not is_psd(K)


def test_exp_kernel_rejects_a_kernel_returning_nan():
    with pytest.raises(ValueError, match="kernel must return a finite 2-D matrix"):
        exp_kernel(lambda X, Y=None: np.full((2, 2), np.nan))(np.zeros((2, 1)))


# -- PSD checks ------------------------------------------------------------------------------------
def _with_spectrum(rng, eigenvalues):
    q, _ = np.linalg.qr(rng.normal(size=(len(eigenvalues),) * 2))
    K = q @ np.diag(eigenvalues) @ q.T
    return (K + K.T) / 2


def test_is_psd_tolerance_scales_with_the_matrix(rng):
    assert is_psd(_with_spectrum(rng, [1.0, 0.5, 0.0, -1e-14]))
    assert not is_psd(_with_spectrum(rng, [1.0, 0.5, 0.2, -1e-3]))
    assert is_psd(_with_spectrum(rng, [1e6, 1.0, -1e-8]))
    assert not is_psd(_with_spectrum(rng, [1e-6, 1e-7, -1e-9]))
    assert is_psd(np.zeros((3, 3)))


def test_is_psd_with_explicit_tolerance(rng):
    K = _with_spectrum(rng, [1.0, -1e-6])
    assert not is_psd(K, tol=0.0)
    assert is_psd(K, tol=1e-5)


def test_rank_deficient_gram_matrix_is_psd(rng):
    X = rng.normal(size=(30, 2))  # linear Gram of rank 2 among 30 points
    K = linear(X)
    assert min_eigenvalue(K) > -1e-12
    assert is_psd(K)


def test_min_eigenvalue(rng):
    assert min_eigenvalue(_with_spectrum(rng, [3.0, 2.0, -0.5])) == pytest.approx(-0.5)
    assert min_eigenvalue([[2.0]]) == 2.0


def test_difference_of_valid_kernels_is_not_valid():
    X = np.array([[0.0], [1.0]])
    assert is_psd(linear(X)) and is_psd(gaussian(X))
    assert not is_psd(linear(X) - gaussian(X))


# -- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize("bandwidth", [0.0, -1.0, np.inf, np.nan])
def test_gaussian_rejects_bad_bandwidth(bandwidth):
    limits = r"(be > 0|be finite|lie in \[1e-50, 1e\+50\])"
    with pytest.raises(ValueError, match=rf"bandwidth must {limits}, got"):
        gaussian(np.zeros((2, 1)), bandwidth=bandwidth)


@pytest.mark.parametrize(
    ("degree", "error", "message"),
    [(-1, ValueError, r"degree must be an integer from 0 to 1000, got -1"),
     (1001, ValueError, r"degree must be an integer from 0 to 1000, got 1001"),
     (1.5, TypeError, r"degree must be an integer from 0 to 1000, got 1.5"),
     (True, TypeError, r"degree must be an integer from 0 to 1000, got True")],
)
def test_polynomial_rejects_bad_degree(degree, error, message):
    with pytest.raises(error, match=message):
        polynomial(np.zeros((2, 1)), degree=degree)


def test_polynomial_rejects_negative_offset():
    with pytest.raises(ValueError, match=r"c must be >= 0, got -1.0"):
        polynomial(np.zeros((2, 1)), c=-1.0)


@pytest.mark.parametrize("kernel", [linear, polynomial, gaussian])
def test_mismatched_feature_dimensions(kernel):
    with pytest.raises(ValueError, match=r"same number of features.*\(3, 2\).*\(4, 3\)"):
        kernel(np.zeros((3, 2)), np.zeros((4, 3)))


@pytest.mark.parametrize(
    ("bad", "message"), [(np.nan, "X contains NaN"), (np.inf, r"X contains \+inf")]
)
def test_non_finite_points(bad, message):
    X = np.zeros((3, 2))
    X[1, 0] = bad
    with pytest.raises(ValueError, match=message):
        gaussian(X)


def test_overflowing_kernels_raise_instead_of_returning_inf():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="polynomial kernel of degree 8 overflows float64"):
            polynomial(np.array([[1e40], [1.0]]), degree=8)
        with pytest.raises(ValueError, match=r"X has entries of magnitude up to 1e\+200"):
            linear(np.array([[1e200], [1.0]]))


def test_three_dimensional_points_are_refused():
    with pytest.raises(ValueError, match=r"X must be 1-D or 2-D, got shape \(2, 2, 2\)"):
        linear(np.zeros((2, 2, 2)))


def test_is_psd_rejects_non_square_and_non_symmetric():
    with pytest.raises(ValueError, match=r"K must be a square matrix, got shape \(2, 3\)"):
        is_psd(np.zeros((2, 3)))
    asymmetric = r"K must be symmetric \(to rtol=1e-09\), got K\[0, 1\] = 3 but K\[1, 0\] = 0"
    with pytest.raises(ValueError, match=asymmetric):
        is_psd([[1.0, 3.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"K must be symmetric"):
        min_eigenvalue([[1.0, 3.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"tol must be >= 0, got -1.0"):
        is_psd(np.eye(2), tol=-1.0)


def test_exp_and_taylor_reject_bad_arguments():
    with pytest.raises(TypeError, match="kernel must be callable"):
        exp_kernel(3.0)
    with pytest.raises(ValueError, match="order must be an integer from 0 to 1000, got -2"):
        taylor_exp_kernel(linear, -2)


def test_kernel_ridge_bad_input(rng):
    with pytest.raises(ValueError, match=r"alpha must be > 0, got 0.0"):
        KernelRidge(linear, alpha=0.0).fit(np.zeros((2, 1)), np.zeros(2))
    model = KernelRidge(linear)
    with pytest.raises(NotFittedError):
        model.predict(np.zeros((2, 1)))
    rows = r"inconsistent numbers of samples: \[4, 3\]"
    with pytest.raises(ValueError, match=rows):
        model.fit(np.zeros((4, 2)), np.zeros(3))
    model.fit(rng.normal(size=(4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="X has 3 features, but KernelRidge is expecting 2"):
        model.predict(np.zeros((1, 3)))
