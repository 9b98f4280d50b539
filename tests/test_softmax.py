"""Unit and property tests for tp3helpers.softmax, cross-checked against SciPy and scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.optimize
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from tp3helpers.gradcheck import numerical_gradient, relative_error
from tp3helpers.softmax import (
    SoftmaxRegression,
    cross_entropy,
    cross_entropy_grad,
    log_softmax,
    one_hot,
    softmax,
)

finite_logits = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.integers(1, 6)),
    elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
)


# -- softmax and log_softmax -----------------------------------------------------------------------
@given(finite_logits)
def test_softmax_matches_scipy_on_random_logits(a):
    np.testing.assert_allclose(
        softmax(a), scipy.special.softmax(a, axis=-1), rtol=1e-12, atol=1e-300
    )
    np.testing.assert_allclose(
        log_softmax(a), scipy.special.log_softmax(a, axis=-1), rtol=1e-12, atol=1e-12
    )


@given(finite_logits, st.floats(-500, 500))
def test_softmax_rows_sum_to_one_and_are_shift_invariant(a, shift):
    y = softmax(a)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-12)
    assert (y >= 0).all()
    np.testing.assert_allclose(softmax(a + shift), y, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_axis_matches_scipy(rng, axis):
    a = rng.normal(size=(3, 5))
    np.testing.assert_allclose(softmax(a, axis=axis), scipy.special.softmax(a, axis=axis))


def test_extreme_logits_are_exact_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = softmax(np.array([1000.0, 1000.0, 999.0]))
        logp = log_softmax(np.array([1000.0, -1000.0]))
    e = np.exp(-1.0)
    np.testing.assert_allclose(y, [1 / (2 + e), 1 / (2 + e), e / (2 + e)], rtol=1e-15)
    np.testing.assert_allclose(logp, [0.0, -2000.0])
    np.testing.assert_allclose(softmax([-1000.0, -1000.0]), [0.5, 0.5])


def test_negative_infinity_gives_probability_zero():
    a = np.array([[0.0, -np.inf, 1.0]])
    y, logp = softmax(a), log_softmax(a)
    assert y[0, 1] == 0.0 and logp[0, 1] == -np.inf
    np.testing.assert_allclose(y, scipy.special.softmax(a, axis=-1))
    np.testing.assert_allclose(logp[0, [0, 2]], scipy.special.log_softmax([0.0, 1.0]))


def test_float32_stays_float32_and_integers_become_float64():
    assert softmax(np.array([1, 2, 3], dtype=np.float32)).dtype == np.float32
    assert log_softmax(np.array([1, 2, 3], dtype=np.float32)).dtype == np.float32
    assert softmax([1, 2, 3]).dtype == np.float64


@pytest.mark.parametrize(
    ("logits", "match"),
    [
        ([[0.0, -np.inf], [-np.inf, -np.inf]], "all -inf"),
        ([1.0, np.nan], "NaN"),
        ([1.0, np.inf], r"\+inf"),
        ([], "empty"),
        (3.0, "at least one dimension"),
    ],
)
def test_softmax_rejects_bad_logits(logits, match):
    with pytest.raises(ValueError, match=match):
        softmax(logits)
    with pytest.raises(ValueError, match=match):
        log_softmax(logits)


def test_softmax_rejects_non_numbers_and_bad_axis():
    with pytest.raises(TypeError, match="a must"):
        softmax("logits")
    with pytest.raises(TypeError, match="dtype"):
        softmax(np.array([1 + 2j]))
    with pytest.raises(ValueError, match="axis=2"):
        softmax(np.zeros((2, 2)), axis=2)


# -- one_hot ---------------------------------------------------------------------------------------
def test_one_hot():
    np.testing.assert_array_equal(one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"labels must lie in 0..2 for 3 classes, got \[3\]"):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="labels must lie"):
        one_hot([-1], 3)
    with pytest.raises(TypeError, match="labels must be integers"):
        one_hot([0.5], 3)
    with pytest.raises(ValueError, match="num_classes must be an integer from 1 to 1000000"):
        one_hot([0], 0)
    with pytest.raises(ValueError, match="1-D"):
        one_hot([[0]], 2)


# -- cross_entropy ---------------------------------------------------------------------------------
@given(finite_logits, st.data())
def test_cross_entropy_matches_scipy_definition(a, data):
    labels = np.array(
        data.draw(
            st.lists(st.integers(0, a.shape[1] - 1), min_size=a.shape[0], max_size=a.shape[0])
        )
    )
    expected = -scipy.special.log_softmax(a, axis=1)[np.arange(a.shape[0]), labels].sum()
    assert cross_entropy(a, labels) == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert cross_entropy(a, one_hot(labels, a.shape[1])) == pytest.approx(
        expected, rel=1e-12, abs=1e-9
    )


def test_cross_entropy_is_a_sum_not_a_mean(rng):
    a = rng.normal(size=(4, 3))
    labels = np.array([0, 1, 2, 0])
    per_sample = [cross_entropy(a[i : i + 1], labels[i : i + 1]) for i in range(4)]
    assert cross_entropy(a, labels) == pytest.approx(sum(per_sample))


def test_cross_entropy_agrees_with_sklearn_log_loss(rng):
    from sklearn.metrics import log_loss

    a = rng.normal(size=(20, 4))
    labels = rng.integers(0, 4, size=20)
    expected = 20 * log_loss(labels, scipy.special.softmax(a, axis=1), labels=[0, 1, 2, 3])
    assert cross_entropy(a, labels) == pytest.approx(expected, rel=1e-10)


def test_cross_entropy_with_negative_infinity_logits():
    a = np.array([[0.0, -np.inf, 0.0]])
    assert cross_entropy(a, [0]) == pytest.approx(np.log(2.0))  # t = 0 on the -inf class: no NaN
    assert cross_entropy(a, [1]) == np.inf  # all target mass on a class of probability 0
    np.testing.assert_allclose(cross_entropy_grad(a, [0]), [[-0.5, 0.0, 0.5]])


def test_cross_entropy_extreme_logits():
    a = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    assert cross_entropy(a, [0, 1]) == pytest.approx(0.0, abs=1e-300)
    assert cross_entropy(a, [1, 0]) == pytest.approx(4000.0)
    np.testing.assert_allclose(cross_entropy_grad(a, [1, 0]), [[1, -1], [-1, 1]])


def test_soft_targets(rng):
    a = rng.normal(size=(3, 4))
    t = scipy.special.softmax(rng.normal(size=(3, 4)), axis=1)
    expected = -(t * scipy.special.log_softmax(a, axis=1)).sum()
    assert cross_entropy(a, t) == pytest.approx(expected)
    np.testing.assert_allclose(cross_entropy_grad(a, t), scipy.special.softmax(a, axis=1) - t)


@pytest.mark.parametrize(
    ("logits", "targets", "match"),
    [
        (np.zeros((2, 3)), [0, 1, 2], r"targets has 3 labels but logits has 2 rows"),
        (np.zeros((2, 3)), [0, 3], r"targets must lie in 0..2"),
        (np.zeros((2, 3)), np.ones((2, 3)) / 2, r"sum to 1.*rows \[0 1\] sum to \[1.5 1.5\]"),
        (
            np.zeros((2, 3)),
            np.full((2, 2), 0.5),
            r"targets has shape \(2, 2\) but logits has shape \(2, 3\)",
        ),
        (np.zeros((1, 2)), [[1.5, -0.5]], "non-negative"),
        (np.zeros(3), [0], "logits must be 2-D"),
        (np.zeros((1, 2)), [0.5], "integer labels"),
        (np.array([[np.nan, 0.0]]), [0], "logits contains NaN"),
    ],
)
def test_cross_entropy_rejects_bad_input(logits, targets, match):
    with pytest.raises(ValueError, match=match):
        cross_entropy(logits, targets)
    with pytest.raises(ValueError, match=match):
        cross_entropy_grad(logits, targets)


# -- the gradient ----------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(1, 4), st.integers(2, 5)), elements=st.floats(-20, 20)
    ),
    st.data(),
)
def test_gradient_matches_finite_differences(a, data):
    n, k = a.shape
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    numeric = numerical_gradient(lambda z: cross_entropy(z, labels), a)
    analytic = cross_entropy_grad(a, labels)
    assert np.abs(analytic - numeric).max() < 1e-6
    np.testing.assert_allclose(analytic.sum(axis=1), 0.0, atol=1e-12)


def test_gradient_float32_stays_float32():
    g = cross_entropy_grad(np.zeros((2, 3), dtype=np.float32), [0, 1])
    assert g.dtype == np.float32


# -- gradcheck -------------------------------------------------------------------------------------
def test_numerical_gradient_of_a_known_function(rng):
    x = rng.normal(size=(2, 3))
    before = x.copy()
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-8)
    np.testing.assert_array_equal(x, before)  # input not modified


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(1, 6), elements=st.floats(-3, 3)), st.integers(0, 2**16))
def test_numerical_gradient_agrees_with_scipy_approx_fprime(x, seed):
    """SciPy's forward difference has error about (eps/2)|f''| + u|f|/eps, about 1e-8 here with
    its default eps = sqrt(u); ours (central) is closer still: they agree to 1e-6."""
    c = np.random.default_rng(seed).uniform(-2, 2, size=x.size)

    def f(v):
        return float(np.sum(np.sin(c * v)) + 0.5 * np.sum(v**2))

    ours = numerical_gradient(f, x)
    theirs = scipy.optimize.approx_fprime(x, f)
    exact = c * np.cos(c * x) + x
    assert np.abs(ours - theirs).max() <= 1e-6 * (1 + np.abs(exact).max())
    assert np.abs(ours - exact).max() <= 1e-8 * (1 + np.abs(exact).max())


def test_gradcheck_rejects_bad_input():
    with pytest.raises(TypeError, match="f must be callable"):
        numerical_gradient(3, [1.0])
    with pytest.raises(ValueError, match="eps must be > 0"):
        numerical_gradient(np.sum, [1.0], eps=0)
    with pytest.raises(TypeError, match="f must return a real scalar"):
        numerical_gradient(lambda v: v, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([1.0, 0.0], [-1.0, 0.0]) == pytest.approx(1.0)
    assert relative_error([1.0], [1.0 + 1e-9]) == pytest.approx(5e-10, rel=1e-3)
    # subnormal entries: |a - b| / (|a| + |b|) = sqrt(2) / (sqrt(3) + 1), exact to rounding
    assert relative_error([5e-324] * 3, [5e-324, 0.0, 0.0]) == pytest.approx(2**0.5 / (3**0.5 + 1))


# -- SoftmaxRegression -----------------------------------------------------------------------------
def blobs(rng, n_per_class=60):
    centres = np.array([[0.0, 0.0], [2.5, 2.0], [-2.0, 2.5]])
    X = np.vstack([c + rng.normal(size=(n_per_class, 2)) for c in centres])
    return X, np.repeat(np.arange(3), n_per_class)


@pytest.mark.parametrize("l2", [0.1, 1.0, 10.0])
def test_softmax_regression_matches_sklearn(rng, l2):
    X, y = blobs(rng)
    ours = SoftmaxRegression(l2=l2).fit(X, y)
    ref = LogisticRegression(C=1.0 / l2, tol=1e-12, max_iter=10_000).fit(X, y)
    assert ours.converged_
    assert np.abs(ours.predict_proba(X) - ref.predict_proba(X)).max() < 1e-3
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.coef_.shape == (3, 2) and ours.intercept_.shape == (3,)


def test_softmax_regression_loss_decreases_and_uses_labels(rng):
    X, y = blobs(rng, 30)
    names = np.array(["cat", "dog", "owl"])[y]
    model = SoftmaxRegression(l2=1.0).fit(X, names)
    history = np.array(model.loss_history_)
    assert (np.diff(history) <= 1e-9).all()  # gradient descent with step 1/L never goes uphill
    assert set(model.predict(X)) <= {"cat", "dog", "owl"}
    assert (model.predict(X) == names).mean() > 0.85


def test_softmax_regression_gradient_is_the_derived_one(rng):
    X, y = blobs(rng, 10)
    model = SoftmaxRegression(l2=0.5)
    theta = rng.normal(size=(3, 3))
    xa = np.hstack([X, np.ones((len(X), 1))])
    t = one_hot(y, 3)

    def objective(flat):
        return model._objective(xa, t, flat.reshape(3, 3))[0]

    numeric = numerical_gradient(objective, theta)
    assert relative_error(model._objective(xa, t, theta)[1], numeric) < 1e-7


def test_softmax_regression_bad_input(rng):
    X, y = blobs(rng, 5)
    with pytest.raises(ValueError, match="l2 must be >= 0"):
        SoftmaxRegression(l2=-1).fit(X, y)
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[15, 14\]"):
        SoftmaxRegression().fit(X, y[:-1])
    with pytest.raises(ValueError, match="y has one class"):
        SoftmaxRegression().fit(X, np.zeros(15, dtype=int))
    with pytest.raises(NotFittedError):
        SoftmaxRegression().predict(X)
    with pytest.raises(ValueError, match="X has 3 features"):
        SoftmaxRegression().fit(X, y).predict(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="diverged"):
        SoftmaxRegression(learning_rate=10.0, max_iter=500).fit(X * 100, y)
    with pytest.warns(UserWarning, match="did not converge"):
        SoftmaxRegression(max_iter=2).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_softmax_regression_refuses_data_beyond_the_domain(rng):
    X, y = blobs(rng, 10)
    scale = 1e50 / np.abs(X).max()
    assert SoftmaxRegression(max_iter=50).fit(X * scale, y).n_iter_ >= 1  # at the edge: trains
    with pytest.raises(ValueError, match=r"X has entries of magnitude up to [\d.]+e\+160.*rescale"):
        SoftmaxRegression().fit(X * 1e160, y)  # used to report converged_ = True, weights 0
    model = SoftmaxRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"X has entries of magnitude up to 1e\+308"):
        model.predict_proba(np.full((1, 2), 1e308))


def test_logits_of_plus_and_minus_1e150_are_quiet_and_exact_and_beyond_is_refused():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(softmax([1e150, -1e150]), [1.0, 0.0])
        np.testing.assert_array_equal(cross_entropy_grad([[1e150, -1e150]], [0]), [[0.0, 0.0]])
        assert cross_entropy([[1e150, -1e150]], [0]) == 0.0
        assert cross_entropy([[1e150, -1e150]], [1]) == 2e150
        with pytest.raises(ValueError, match=r"logits has entries of magnitude up to 1e\+151"):
            cross_entropy([[1e151, 0.0]], [0])
        with pytest.raises(ValueError, match=r"^a has entries of magnitude up to 1e\+308"):
            softmax([1e308, 0.0])
