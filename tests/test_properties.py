"""Property tests over the documented input domain of every public math function (issue 15).

Inputs span the whole float64 range, from subnormals to 1e308. For each input a function either
returns the correct finite answer (checked against SciPy, scikit-learn or an independent
reference computed differently) or raises ``ValueError``/``TypeError`` naming the argument, and it
never emits a warning (every call below runs with warnings turned into errors).
"""

from __future__ import annotations

import math
import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest
import scipy.special
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics.pairwise import linear_kernel, polynomial_kernel, rbf_kernel

from tp3helpers.gradcheck import numerical_gradient, relative_error
from tp3helpers.kernels import EXP_OVERFLOW, exp_kernel, gaussian, linear, polynomial
from tp3helpers.momentum import (
    DIVERGENCE_BOUND,
    momentum_descent,
    momentum_to_physical,
    optimal_parameters,
    physical_to_momentum,
)
from tp3helpers.softmax import cross_entropy, cross_entropy_grad, log_softmax, one_hot, softmax

#: Any finite float64, with the extremes (1e308, subnormals, 0) drawn often.
any_float = st.floats(allow_nan=False, allow_infinity=False, width=64)
magnitudes = st.sampled_from([1e-320, 1e-170, 1e-100, 1.0, 1e100, 1e154, 1e160, 1e300, 1e308])


def quiet(call, *args, **kwargs):
    """Run ``call`` with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call(*args, **kwargs)


def reference(call, *args, **kwargs):
    """A trusted library's answer, computed with its warnings silenced."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


@st.composite
def logit_rows(draw, max_rows: int = 4, max_classes: int = 5):
    """(N, K) logits of any magnitude, some -inf, at least one finite logit per row."""
    n, k = draw(st.integers(1, max_rows)), draw(st.integers(1, max_classes))
    a = draw(arrays(np.float64, (n, k), elements=any_float | st.just(-np.inf)))
    a[:, draw(st.integers(0, k - 1))] = draw(arrays(np.float64, n, elements=any_float))
    return a


# -- softmax, log_softmax, cross_entropy, cross_entropy_grad, one_hot ------------------------------
@settings(max_examples=300, deadline=None)
@given(logit_rows(), st.sampled_from([0, 1, -1]))
def test_softmax_and_log_softmax_match_scipy_at_any_magnitude(a, axis):
    assume(np.isfinite(a.max(axis=axis)).all())  # a slice of only -inf is an error (tested below)
    y, logp = quiet(softmax, a, axis=axis), quiet(log_softmax, a, axis=axis)
    np.testing.assert_allclose(y, reference(scipy.special.softmax, a, axis=axis), rtol=1e-12,
                               atol=1e-300)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y.sum(axis=axis), 1.0, rtol=1e-12)
    np.testing.assert_allclose(logp, reference(scipy.special.log_softmax, a, axis=axis),
                               rtol=1e-12, atol=1e-300)
    # finite wherever ln y is inside the float64 range: a finite logit within 1.8e308 of the top
    representable = np.isfinite(reference(np.subtract, a, a.max(axis=axis, keepdims=True)))
    np.testing.assert_array_equal(np.isfinite(logp), representable)


@settings(max_examples=300, deadline=None)
@given(logit_rows(), st.data())
def test_cross_entropy_and_its_gradient_match_scipy_at_any_magnitude(a, data):
    n, k = a.shape
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    logp = reference(scipy.special.log_softmax, a, axis=1)
    expected = reference(np.sum, -logp[np.arange(n), labels])
    if expected == np.inf and np.isfinite(logp[np.arange(n), labels]).all():
        with pytest.raises(ValueError, match="exceeds the float64 range"):
            quiet(cross_entropy, a, labels)
        return
    assert quiet(cross_entropy, a, labels) == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert quiet(cross_entropy, a, one_hot(labels, k)) == pytest.approx(expected, rel=1e-12,
                                                                         abs=1e-300)
    grad = quiet(cross_entropy_grad, a, labels)
    expected_grad = reference(scipy.special.softmax, a, axis=1) - one_hot(labels, k)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-15)
    assert np.isfinite(grad).all()


@given(arrays(np.float64, st.integers(1, 5), elements=any_float), st.sampled_from([-1, 0]))
def test_logsumexp_identity(a, axis):
    """ln softmax(a) = a - logsumexp(a), up to the rounding of logsumexp(a) near max(a)."""
    assume(np.abs(a).max() < 1e300)
    np.testing.assert_allclose(quiet(log_softmax, a, axis=axis),
                               a - scipy.special.logsumexp(a), rtol=1e-12,
                               atol=4 * np.spacing(np.abs(a).max()) + 1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: softmax([[-np.inf, -np.inf]]), ValueError, "a has a slice .* all -inf"),
        (lambda: softmax([1.0, 2.0], axis=1.5), TypeError, "axis must be an integer, got 1.5"),
        (lambda: log_softmax([1.0], axis=None), TypeError, "axis must be an integer, got None"),
        (lambda: softmax([1.0], axis=True), TypeError, "axis must be an integer, got True"),
        (lambda: cross_entropy([[-np.inf, -np.inf]], [0]), ValueError, "logits has a slice"),
        (lambda: cross_entropy_grad([[0.0, 1.0]], [2]), ValueError, r"targets must lie in 0..1"),
        (lambda: cross_entropy([[0.0, 1.0]], [-1]), ValueError, r"targets must lie in 0..1"),
        (lambda: cross_entropy([[0.0, 1.0]], ["a"]), TypeError, "targets must hold real"),
        (lambda: one_hot([0, 2], 2), ValueError, r"labels must lie in 0..1 for 2 classes"),
        (lambda: one_hot([0], 2.0), TypeError, "num_classes must be a non-negative integer"),
    ],
)
def test_softmax_errors_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        quiet(call)


# -- kernels ---------------------------------------------------------------------------------------
@st.composite
def scaled_points(draw):
    """Points and a bandwidth on a common scale 1e-320 .. 1e308, possibly far from the origin."""
    n, m, d = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 3))
    unit = st.floats(-10, 10, width=64)
    scale = draw(magnitudes)
    offset = draw(st.sampled_from([0.0, 1.0, 1e8])) * scale
    with np.errstate(over="ignore", invalid="ignore"):
        x = offset + scale * draw(arrays(np.float64, (n, d), elements=unit))
        y = offset + scale * draw(arrays(np.float64, (m, d), elements=unit))
        h = scale * draw(st.floats(0.1, 10.0, width=64))
    assume(np.isfinite(x).all() and np.isfinite(y).all())
    assume(h > 0 and np.isfinite(h))
    return x, y, h


def direct_gaussian(x, y, h):
    """exp(-|x - y|^2 / (2 h^2)) from the differences themselves (no expansion of the square)."""
    with np.errstate(all="ignore"):
        diff = (x[:, None, :] - y[None, :, :]) / h
        return np.exp(-0.5 * np.sum(diff**2, axis=-1))


@settings(max_examples=300, deadline=None)
@given(scaled_points())
def test_gaussian_is_correct_at_any_scale_and_offset(points):
    x, y, h = points
    np.testing.assert_allclose(quiet(gaussian, x, y, bandwidth=h), direct_gaussian(x, y, h),
                               rtol=1e-7, atol=1e-12)
    gram = quiet(gaussian, x, bandwidth=h)
    np.testing.assert_array_equal(np.diag(gram), 1.0)
    np.testing.assert_array_equal(gram, gram.T)


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 3)),
              elements=st.floats(-5, 5, width=64)), st.floats(0.1, 10, width=64))
def test_gaussian_matches_sklearn_rbf_kernel(x, h):
    np.testing.assert_allclose(quiet(gaussian, x, bandwidth=h),
                               rbf_kernel(x, gamma=1 / (2 * h * h)), rtol=1e-9, atol=1e-12)


def test_gaussian_examples_from_the_issue():
    assert quiet(gaussian, [[1e154]], [[1e154]])[0, 0] == 1.0  # was NaN
    np.testing.assert_array_equal(quiet(gaussian, [[1e308], [-1e308]]), np.eye(2))
    assert quiet(gaussian, [[0.0]], [[1e-300]], bandwidth=1e-300)[0, 0] == pytest.approx(
        math.exp(-0.5)
    )


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), magnitudes, st.data())
def test_linear_polynomial_and_exp_match_sklearn_or_refuse_overflow(n, m, d, scale, data):
    unit = st.floats(-3, 3, width=64)
    with np.errstate(over="ignore"):
        x = scale * data.draw(arrays(np.float64, (n, d), elements=unit))
        y = scale * data.draw(arrays(np.float64, (m, d), elements=unit))
    assume(np.isfinite(x).all() and np.isfinite(y).all())
    degree, c = data.draw(st.integers(1, 4)), data.draw(st.sampled_from([0.0, 1.0, 1e300]))
    products = reference(linear_kernel, x, y)  # when these overflow, every kernel may refuse
    cases = [
        (lambda: linear(x, y), lambda: linear_kernel(x, y)),
        (lambda: polynomial(x, y, degree=degree, c=c),
         lambda: polynomial_kernel(x, y, degree=degree, gamma=1.0, coef0=c)),
        (lambda: exp_kernel(linear)(x, y), lambda: np.exp(linear_kernel(x, y))),
    ]
    for ours, theirs in cases:
        expected = reference(theirs)
        if np.isfinite(expected).all() and np.isfinite(products).all():
            np.testing.assert_allclose(quiet(ours), expected, rtol=1e-12, atol=0)
        else:
            with pytest.raises(ValueError, match="overflow"):
                quiet(ours)


def test_exp_kernel_refuses_exactly_above_the_overflow_limit():
    below = math.sqrt(EXP_OVERFLOW) * (1 - 1e-12)
    assert np.isfinite(quiet(exp_kernel(linear), [[below]])).all()
    with pytest.raises(ValueError, match="exp of kernel linear overflows"):
        quiet(exp_kernel(linear), [[math.sqrt(EXP_OVERFLOW) * (1 + 1e-12)]])


# -- gradcheck -------------------------------------------------------------------------------------
def exact_relative_error(a, b):
    with localcontext() as ctx:
        ctx.prec = 60
        da, db = [Decimal(float(v)) for v in a], [Decimal(float(v)) for v in b]
        num = sum((p - q) ** 2 for p, q in zip(da, db, strict=True)).sqrt()
        den = sum(p**2 for p in da).sqrt() + sum(q**2 for q in db).sqrt()
        return 0.0 if den == 0 else float(num / den)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5).flatmap(
    lambda n: st.tuples(arrays(np.float64, n, elements=any_float),
                        arrays(np.float64, n, elements=any_float))))
def test_relative_error_is_exact_at_any_magnitude(pair):
    a, b = pair
    got, exact = quiet(relative_error, a, b), exact_relative_error(a, b)
    # A subnormal result (below 2.2e-308) has fixed absolute spacing 5e-324: allow a few of those.
    assert got == pytest.approx(exact, rel=1e-12, abs=1e-320) and 0.0 <= got <= 1.0
    if got == 0.0:  # only for equal arrays, or a difference below what float64 can show
        assert np.array_equal(a, b) or exact < 1e-300


def test_relative_error_sees_a_tiny_wrong_gradient():
    assert quiet(relative_error, [1e-170, 0.0], [0.0, 1e-170]) == pytest.approx(math.sqrt(0.5))


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(1, 3), elements=any_float),
       st.sampled_from([1e-8, 1e-6, 1e-3, 1.0]))
def test_numerical_gradient_is_right_or_refuses(x, eps):
    """For f(v) = sum(c v), the central difference is c up to rounding, or the step is refused."""
    c = np.arange(1.0, x.size + 1.0)

    def f(v):
        with np.errstate(over="ignore", invalid="ignore"):  # inf or NaN: refused below
            return float(np.sum(c * v))

    try:
        got = quiet(numerical_gradient, f, x, eps=eps)
    except ValueError as exc:
        assert "eps=" in str(exc) or "f is too large" in str(exc)
        return
    rounding = 8 * np.finfo(float).eps * np.sum(np.abs(c * x)) / eps
    np.testing.assert_allclose(got, c, rtol=1e-3, atol=rounding)


def test_numerical_gradient_refuses_a_step_lost_to_rounding():
    with pytest.raises(ValueError, match=r"eps=1e-06 is too small for x entry 0 = 1e\+20"):
        quiet(numerical_gradient, np.sum, [1e20])


# -- momentum --------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(magnitudes, st.floats(-2, 2, width=64), magnitudes, magnitudes, st.integers(0, 30))
def test_momentum_descent_at_any_magnitude_matches_a_checked_loop(w0, rho, eta, lam, steps):
    def grad(w):
        return lam * w

    out = quiet(momentum_descent, grad, [w0, -w0], rho=rho, eta=eta, steps=steps)
    assert np.isfinite(out).all() and (len(out) == 1 or np.abs(out[1:]).max() <= DIVERGENCE_BOUND)
    w, v, rows = np.array([w0, -w0]), np.zeros(2), [np.array([w0, -w0])]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            v = rho * v - grad(w)
            w = w + eta * v
            if not np.abs(w).max() <= DIVERGENCE_BOUND:
                break
            rows.append(w)
    np.testing.assert_array_equal(out, np.array(rows))


@settings(max_examples=300, deadline=None)
@given(st.floats(5e-324, 1.7e308, width=64), st.floats(5e-324, 1.7e308, width=64))
def test_optimal_parameters_are_exact_or_refused(a, b):
    lo, hi = min(a, b), max(a, b)
    with localcontext() as ctx:
        ctx.prec = 60
        rl, rh = Decimal(lo).sqrt(), Decimal(hi).sqrt()
        rho_exact = float(((rh - rl) / (rh + rl)) ** 2)
        eta_exact = 4 / (rl + rh) ** 2
    if eta_exact > Decimal(np.finfo(float).max):
        with pytest.raises(ValueError, match="lambda_max=.* is too small"):
            quiet(optimal_parameters, lo, hi)
        return
    rho, eta = quiet(optimal_parameters, lo, hi)
    assert rho == pytest.approx(rho_exact, rel=1e-12, abs=1e-15) and 0.0 <= rho <= 1.0
    assert eta == pytest.approx(float(eta_exact), rel=1e-12, abs=1e-320)


def test_optimal_parameters_example_from_the_issue():
    rho, eta = quiet(optimal_parameters, 1e-320, 1.0)  # was NaN
    assert rho == 1.0 and eta == pytest.approx(4.0)


@settings(max_examples=200, deadline=None)
@given(magnitudes, st.sampled_from([0.0, 1e-300, 0.5, 1e300]), magnitudes)
def test_physical_mappings_are_finite_or_refused(mass, friction, dt):
    try:
        rho, eta = quiet(physical_to_momentum, mass, friction, dt)
    except ValueError as exc:
        assert "overflow" in str(exc) and "mass=" in str(exc)
        return
    assert np.isfinite([rho, eta]).all()
    assume(eta > 0 and rho <= 1)
    try:
        m, c, h = quiet(momentum_to_physical, rho, eta, mass)
    except ValueError as exc:
        assert "outside float64" in str(exc)
        return
    assert np.isfinite([m, c, h]).all() and m == mass
