"""Property tests of every public math function over its documented domain (issues 22 and 24).

Each function has a ``Case``: a Hypothesis strategy for arguments inside its documented domain
(out to the edges: entries of 1e50, scales of 1e-50 and 1e50, products of 1e150, measured matrices
of 1e300, subnormals and zeros), a check that the answer is right (against SciPy, scikit-learn,
NumPy or an independent computation, often in exact arithmetic), and strategies that push one
argument just outside its domain (beyond a limit, NaN, an infinity, the wrong kind of object).

* Inside the domain the function must return the right, finite answer: a refusal is a failure.
* Just outside, it must raise ``ValueError`` or ``TypeError`` whose message names the argument.
* Either way no warning may be emitted (warnings are turned into errors).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import partial

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
import scipy.special
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.transform import Rotation
from scipy.stats import ortho_group
from sklearn.datasets import load_digits
from sklearn.kernel_ridge import KernelRidge as SklearnKernelRidge
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.metrics.pairwise import linear_kernel, polynomial_kernel, rbf_kernel
from sklearn.model_selection import train_test_split

from tp3helpers import digits, gradcheck, kernels, momentum, softmax
from tp3helpers._validation import LIMIT, MAX_ORDER, PRODUCT_LIMIT, WIDE_LIMIT

U = np.finfo(np.float64).eps / 2  # unit roundoff


# -- running a call --------------------------------------------------------------------------------
def quiet(call: Callable[[], object]) -> object:
    """Run ``call`` with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call()


def reference(call: Callable[[], object]) -> object:
    """A trusted library's answer, computed with its warnings silenced."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return call()


def assert_refused(call: Callable[[], object], pattern: str) -> None:
    """``call`` raises ValueError or TypeError, with no warning, naming the argument."""
    with pytest.raises((ValueError, TypeError)) as raised:
        quiet(call)
    assert re.search(pattern, str(raised.value)), (pattern, str(raised.value))


def close(got: object, expected: object, rtol: float, atol: float = 0.0) -> None:
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)
    assert np.isfinite(got).all() if np.ndim(got) else np.isfinite(float(got))


# -- strategies ------------------------------------------------------------------------------------
def reals(limit: float = LIMIT) -> st.SearchStrategy[float]:
    """Finite floats up to ``limit`` in magnitude; Hypothesis draws the edges, 0 and subnormals."""
    return st.floats(-limit, limit, allow_nan=False, allow_infinity=False, width=64)


scales = st.floats(1 / LIMIT, LIMIT, width=64)
small = st.floats(-3, 3, allow_nan=False, width=64)


def beyond(limit: float, *, neg_inf_ok: bool = False) -> st.SearchStrategy[float]:
    """Numbers just outside ``[-limit, limit]``: the next float beyond, larger ones, NaN, inf."""
    edge = float(np.nextafter(limit, np.inf))
    choices = [edge, -edge, math.nan, math.inf] + ([] if neg_inf_ok else [-math.inf])
    return st.sampled_from(choices) | st.floats(min_value=edge, allow_infinity=False).map(
        lambda v: -v if v % 2 else v)


def not_reals() -> st.SearchStrategy[object]:
    return st.sampled_from(["0.5", None, True, 1 + 2j, [1.0]])


def bad_scalar(limit: float = LIMIT) -> Callable[[object], st.SearchStrategy]:
    return lambda _: beyond(limit) | not_reals()


def bad_scale() -> Callable[[object], st.SearchStrategy]:
    below = st.sampled_from([float(np.nextafter(1 / LIMIT, 0)), 1e-300, 5e-324, 0.0, -1.0])
    return lambda _: below | beyond(LIMIT) | not_reals()


def bad_int(low: int, high: int) -> Callable[[object], st.SearchStrategy]:
    return lambda _: st.sampled_from([low - 1, high + 1, 10**13, 2.0, "3", None, True])


def bad_entries(limit: float = LIMIT, *, neg_inf_ok: bool = False
                ) -> Callable[[np.ndarray], st.SearchStrategy]:
    """The valid array with one entry pushed outside, or something that is not an array."""
    def make(valid: np.ndarray | None) -> st.SearchStrategy:
        def put(index: int, value: float) -> np.ndarray:
            return _put(np.zeros((1, 1)) if valid is None else valid, index, value)

        kinds = st.sampled_from(["abc", None, np.array([[1 + 2j]]), [[1.0], [1.0, 2.0]]])
        return st.builds(put, st.integers(0, 10**6), beyond(limit, neg_inf_ok=neg_inf_ok)) | kinds
    return make


def points(n: int, d: int, limit: float = LIMIT) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float64, (n, d), elements=reals(limit))


@st.composite
def scaled(draw, shape: tuple[int, ...], limit: float = LIMIT) -> np.ndarray:
    """Unit-size numbers times a scale from 1e-300 to ``limit``: ordinary data at any magnitude."""
    scale = draw(st.sampled_from([1e-300, 1e-50, 1e-8, 1.0, 1e8, limit / 10]))
    return scale * draw(arrays(np.float64, shape, elements=small))


def ortho(n: int, seed: int) -> np.ndarray:
    return np.eye(1) if n == 1 else ortho_group.rvs(n, random_state=seed)


@st.composite
def symmetric(draw, limit: float = WIDE_LIMIT, psd: bool | None = None) -> np.ndarray:
    """A symmetric matrix Q diag(lambda) Q^T with entries at most ``limit``, lambda at any scale;
    ``psd`` True: lambda >= 0; False: its smallest eigenvalue is -1e-6 of the largest or less."""
    n = draw(st.integers(1, 6))
    spectrum = draw(arrays(np.float64, n, elements=st.floats(-1, 1)))
    spectrum[0] = 1.0
    if psd is True:
        spectrum = np.abs(spectrum)
    if psd is False:
        spectrum[-1] = -draw(st.floats(1e-6, 1.0))
    q = ortho(n, draw(st.integers(0, 2**16)))
    matrix = (q * spectrum) @ q.T
    matrix = (matrix + matrix.T) / 2
    exponent = draw(st.floats(-300, math.log10(limit) - 1))
    return matrix * (10.0**exponent / np.abs(matrix).max())


# -- the cases -------------------------------------------------------------------------------------
@dataclass
class Case:
    """One public function: valid arguments, a check of its answer, and bad values per argument."""

    call: Callable[..., object]
    valid: st.SearchStrategy[dict]
    check: Callable[[object, dict], None]
    outside: dict[str, Callable[[object], st.SearchStrategy]]
    examples: int = 60
    names: dict[str, str] = field(default_factory=dict)  # argument -> regex of its error


CASES: dict[str, Case] = {}


def case(name: str, **kwargs) -> None:
    CASES[name] = Case(**kwargs)


# softmax, log_softmax, cross_entropy, cross_entropy_grad, one_hot, SoftmaxRegression
@st.composite
def logits(draw, axis_choices=(0, 1, -1)) -> dict:
    """(N, K) logits up to 1e150, some -inf, at least one finite logit in every row and column."""
    n, k = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    a = draw(arrays(np.float64, (n, k), elements=reals(PRODUCT_LIMIT) | st.just(-np.inf)))
    a[:, draw(st.integers(0, k - 1))] = draw(arrays(np.float64, n, elements=reals(PRODUCT_LIMIT)))
    a[draw(st.integers(0, n - 1)), :] = draw(arrays(np.float64, k, elements=reals(PRODUCT_LIMIT)))
    return {"a": a, "axis": draw(st.sampled_from(axis_choices))}


def check_softmax(y, kw):
    expected = reference(lambda: scipy.special.softmax(kw["a"], axis=kw["axis"]))
    close(y, expected, rtol=1e-13, atol=1e-300)
    close(y.sum(axis=kw["axis"]), 1.0, rtol=1e-13)


def check_log_softmax(logp, kw):
    expected = reference(lambda: scipy.special.log_softmax(kw["a"], axis=kw["axis"]))
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(np.isfinite(logp), finite)  # -inf exactly where a is -inf
    close(logp[finite], expected[finite], rtol=1e-13, atol=1e-300)


bad_logits = bad_entries(PRODUCT_LIMIT, neg_inf_ok=True)
bad_axis = lambda _: st.sampled_from([2, -3, 1.5, None, True])  # noqa: E731
case("softmax", call=softmax.softmax, valid=logits(), check=check_softmax,
     outside={"a": bad_logits, "axis": bad_axis}, names={"axis": "axis"})
case("log_softmax", call=softmax.log_softmax, valid=logits(), check=check_log_softmax,
     outside={"a": bad_logits, "axis": bad_axis}, names={"axis": "axis"})


@st.composite
def logits_and_targets(draw) -> dict:
    a = draw(logits(axis_choices=(1,)))["a"]
    n, k = a.shape
    labels = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    if draw(st.booleans()):
        return {"logits": a, "targets": labels}
    weights = draw(arrays(np.float64, (n, k), elements=st.floats(0, 1)))
    weights[np.arange(n), labels] += 1.0  # each row has mass
    return {"logits": a, "targets": weights / weights.sum(axis=1, keepdims=True)}


def target_matrix(kw) -> np.ndarray:
    t = np.asarray(kw["targets"])
    return np.eye(kw["logits"].shape[1])[t] if t.dtype.kind == "i" else t


def check_cross_entropy(value, kw):
    logp = reference(lambda: scipy.special.log_softmax(kw["logits"], axis=1))
    t = target_matrix(kw)
    expected = reference(lambda: np.where(t > 0, -t * logp, 0.0).sum())
    if np.isinf(expected):  # mass on a class of logit -inf: -ln 0 is infinite, exactly
        assert value == math.inf
        return
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-300) and value >= 0


def check_cross_entropy_grad(grad, kw):
    y = reference(lambda: scipy.special.softmax(kw["logits"], axis=1))
    close(grad, y - target_matrix(kw), rtol=1e-12, atol=1e-15)


def bad_targets(valid):
    return st.sampled_from([np.array([-1]), np.array([10**6] * 4), np.array(["a"]), None,
                            np.full((1, 1), 0.5), np.full((4, 5), np.nan)])


for _name, _check in [("cross_entropy", check_cross_entropy),
                      ("cross_entropy_grad", check_cross_entropy_grad)]:
    case(_name, call=getattr(softmax, _name), valid=logits_and_targets(), check=_check,
         outside={"logits": bad_entries(PRODUCT_LIMIT, neg_inf_ok=True), "targets": bad_targets},
         names={"targets": r"\btargets\b"})


@st.composite
def labels_and_classes(draw) -> dict:
    k = draw(st.integers(1, 12))
    return {"labels": np.array(draw(st.lists(st.integers(0, k - 1), max_size=20)), dtype=int),
            "num_classes": k}


def check_one_hot(t, kw):
    labels = kw["labels"].astype(int)
    np.testing.assert_array_equal(t, np.eye(kw["num_classes"])[labels])


case("one_hot", call=softmax.one_hot, valid=labels_and_classes(), check=check_one_hot,
     outside={"labels": lambda _: st.sampled_from([np.array([-1]), np.array([99]),
                                                   np.array([0.5]), "abc", np.array([[0]])]),
              "num_classes": bad_int(1, 10**8)})


@st.composite
def classification(draw) -> dict:
    """Three blobs at a scale from 1e-45 to 1e45 (rescaled inputs of the same problem)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    centres = np.array([[0.0, 0.0], [3.0, 2.0], [-2.0, 3.0]])
    X = np.vstack([c + rng.normal(size=(15, 2)) for c in centres])
    scale = 10.0 ** draw(st.sampled_from([-20, -3, 0, 3, 20]))
    l2 = draw(st.sampled_from([0.3, 1.0, 10.0]))
    return {"X": X * scale, "y": np.repeat(np.arange(3), 15), "l2": l2 * scale**2,
            "X1": X, "l21": l2}


def fit_softmax(X, y, l2, max_iter=20000, **unscaled):
    with warnings.catch_warnings():  # non-convergence is reported by converged_, checked below
        warnings.filterwarnings("ignore", category=softmax.ConvergenceWarning)
        return softmax.SoftmaxRegression(l2=l2, max_iter=max_iter).fit(X, y)


def check_softmax_regression(model, kw):
    """Gradient descent from 0 with step 1/L never goes uphill; converged_ means the gradient
    (computed here with SciPy's softmax) fell below tol times its first value. The objective is
    invariant under X -> sX, l2 -> s^2 l2, but gradient descent is not (the intercept's curvature
    does not scale): far from s = 1 it may stop at max_iter. At s = 1 the probabilities are
    scikit-learn's."""
    history = np.array(model.loss_history_)
    assert np.isfinite(history).all() and np.all(np.diff(history) <= 1e-9 * abs(history[0]))
    xa = np.hstack([kw["X"], np.ones((len(kw["X"]), 1))])
    t = np.eye(3)[kw["y"]]

    def gradient(theta):
        g = (scipy.special.softmax(xa @ theta.T, axis=1) - t).T @ xa
        g[:, :-1] += kw["l2"] * theta[:, :-1]
        return np.linalg.norm(g)

    theta = np.hstack([model.coef_, model.intercept_[:, None]])
    if model.converged_:
        assert gradient(theta) <= 1e-8 * gradient(np.zeros_like(theta)) * (1 + 1e-6)
    if kw["X"] is kw["X1"] or np.array_equal(kw["X"], kw["X1"]):
        ref = LogisticRegression(C=1.0 / kw["l21"], tol=1e-12, max_iter=10_000)
        close(model.predict_proba(kw["X"]), ref.fit(kw["X1"], kw["y"]).predict_proba(kw["X1"]),
              rtol=0, atol=1e-3)


case("SoftmaxRegression", call=fit_softmax, valid=classification(),
     check=check_softmax_regression, examples=10,
     outside={"X": lambda v: st.builds(lambda i, b: _put(v, i, b), st.integers(0, 10**6),
                                      beyond(LIMIT)),
              "l2": lambda _: st.sampled_from([-1.0, math.nan, math.inf, 1e51, "1"]),
              "max_iter": bad_int(1, 10**6)})


def _put(valid: np.ndarray, index: int, value: float) -> np.ndarray:
    out = np.array(valid, dtype=np.float64)
    out.flat[index % out.size] = value
    return out


# kernels
@st.composite
def point_pair(draw, limit: float = LIMIT) -> dict:
    n, m, d = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 3))
    x = draw(st.one_of(points(n, d, limit), scaled((n, d), limit)))
    y = None if draw(st.booleans()) else draw(st.one_of(points(m, d, limit), scaled((m, d), limit)))
    return {"X": x, "Y": y}


def other(kw) -> np.ndarray:
    return kw["X"] if kw["Y"] is None else kw["Y"]


case("as_points", call=kernels.as_points, valid=point_pair().map(lambda kw: {"X": kw["X"]}),
     check=lambda p, kw: np.testing.assert_array_equal(p, kw["X"]),
     outside={"X": bad_entries()})
def bad_y(valid):
    """Bad entries for an optional array, where None means the default."""
    return bad_entries()(valid).filter(lambda bad: bad is not None)


case("linear", call=kernels.linear, valid=point_pair(),
     check=lambda k, kw: close(k, linear_kernel(kw["X"], other(kw)), rtol=1e-12, atol=1e-300),
     outside={"X": bad_entries(), "Y": bad_y})


@st.composite
def polynomial_args(draw) -> dict:
    kw = draw(point_pair())
    kw.update(degree=draw(st.integers(0, 12) | st.just(MAX_ORDER)),
              c=draw(st.sampled_from([0.0, 1.0, LIMIT]) | st.floats(0, LIMIT)))
    return kw


def check_polynomial(k, kw):
    expected = (linear_kernel(kw["X"], other(kw)) + kw["c"]) ** kw["degree"]
    close(k, expected, rtol=1e-12, atol=1e-300)
    if kw["degree"] >= 1:
        close(k, polynomial_kernel(kw["X"], other(kw), degree=kw["degree"], gamma=1.0,
                                   coef0=kw["c"]), rtol=1e-12, atol=1e-300)


def call_polynomial(X, Y, degree, c):
    """Inside the domain of ``polynomial`` means a finite kernel: where the kernel overflows,
    the refusal (naming the degree) is the documented answer."""
    try:
        return quiet(lambda: kernels.polynomial(X, Y, degree=degree, c=c))
    except ValueError as exc:
        if f"polynomial kernel of degree {degree} overflows" not in str(exc):
            raise
        with np.errstate(over="ignore"):
            assert not np.isfinite((linear_kernel(X, X if Y is None else Y) + c) ** degree).all()
        assume(False)


case("polynomial", call=call_polynomial, valid=polynomial_args(), check=check_polynomial,
     outside={"X": bad_entries(), "degree": bad_int(0, MAX_ORDER), "c": bad_scalar()},
     names={"c": r"^c must"})


@st.composite
def gaussian_args(draw) -> dict:
    kw = draw(point_pair())
    kw["bandwidth"] = draw(scales)
    return kw


def check_gaussian(k, kw):
    """Against exp(-|x - y|^2 / 2h^2) from the differences themselves, in exact arithmetic."""
    x, y, h = kw["X"], other(kw), Fraction(kw["bandwidth"])
    expected = np.array([[math.exp(-float(sum((Fraction(a) - Fraction(b)) ** 2
                                               for a, b in zip(p, q, strict=True)) / (2 * h * h)))
                          for q in y] for p in x])
    close(k, expected, rtol=1e-13, atol=1e-300)
    if np.abs(np.vstack([x, y])).max() <= 5 and kw["bandwidth"] >= 0.1:  # rbf_kernel's range
        close(k, rbf_kernel(x, y, gamma=1 / (2 * kw["bandwidth"] ** 2)), rtol=1e-9, atol=1e-12)


case("gaussian", call=kernels.gaussian, valid=gaussian_args(), check=check_gaussian,
     outside={"X": bad_entries(), "Y": bad_y, "bandwidth": bad_scale()})


@st.composite
def exp_args(draw) -> dict:
    return {"kernel": kernels.linear, "X": draw(st.one_of(points(draw(st.integers(1, 4)), 2, 30),
                                                         scaled((3, 2), LIMIT)))}


def call_exp(kernel, X):
    k = kernels.exp_kernel(kernel)
    if kernels.linear(X).max() > kernels.EXP_OVERFLOW:  # exp would overflow: refused by name
        assert_refused(lambda: k(X), r"exp of kernel linear overflows")
        assume(False)
    return k(X)


case("exp_kernel", call=call_exp, valid=exp_args(),
     check=lambda k, kw: close(k, np.exp(linear_kernel(kw["X"])), rtol=1e-13),
     outside={"kernel": lambda _: st.sampled_from([3.0, None, "linear"]),
              "X": bad_entries()})


@st.composite
def taylor_args(draw) -> dict:
    x = draw(st.one_of(points(draw(st.integers(1, 4)), 1, 40), scaled((3, 1), LIMIT)))
    order = draw(st.integers(0, 60) | st.just(MAX_ORDER))
    return {"kernel": kernels.linear, "X": x, "order": order}


def call_taylor(kernel, X, order):
    k = kernels.taylor_exp_kernel(kernel, order)
    try:
        return quiet(lambda: k(X))
    except ValueError as exc:  # the partial sum overflows: refused by name, and only then
        assert f"Taylor order {order} of kernel linear overflows" in str(exc)
        peak = float(np.abs(linear_kernel(X)).max())
        assert max(i * math.log(peak) - math.lgamma(i + 1) for i in range(order + 1)) > 700
        assume(False)


def taylor_reference(value: float, n: int) -> tuple[float, float] | None:
    """sum_{i<=n} k^i/i! and the sum of the sizes of its terms, for |k| <= 700: by the regularised
    incomplete gamma function, e^k Q(n + 1, k) for k >= 0; for k < 0, exp(k) once the tail
    |k|^(n+1)/(n+1)! is below 1e-13 of the size, or exact rational arithmetic for n <= 60."""
    size = math.exp(abs(value)) * float(scipy.special.gammaincc(n + 1, abs(value)))
    if value >= 0:
        return size, size
    if n <= 60:
        return float(sum(Fraction(value) ** i / math.factorial(i) for i in range(n + 1))), size
    log_tail = (n + 1) * math.log(-value) - math.lgamma(n + 2)
    return (math.exp(value), size) if log_tail < math.log(size) - 30 else None


def check_taylor(t, kw):
    for got, value in zip(t.ravel(), linear_kernel(kw["X"]).ravel(), strict=True):
        reference_value = taylor_reference(value, kw["order"]) if abs(value) <= 700 else None
        if reference_value is not None:
            exact, size = reference_value
            assert abs(got - exact) <= 1e-12 * size + 1e-300


case("taylor_exp_kernel", call=call_taylor, valid=taylor_args(), check=check_taylor, examples=40,
     outside={"order": bad_int(0, MAX_ORDER), "kernel": lambda _: st.just(3.0)})


@st.composite
def gram_args(draw, psd: bool | None = None) -> dict:
    K = draw(symmetric(psd=psd))
    return {"K": K}


def asym(valid):
    """K[0, 1] = -K[1, 0] = c, c = (1 + i) times its largest entry: an asymmetry of 2 max|K|,
    beyond any rtol in [0, 1]."""
    def make(i):
        out = np.array(valid)
        if out.shape[0] < 2:
            return np.zeros((1, 2))
        c = (1 + i) * (1 + abs(out).max())
        out[0, 1], out[1, 0] = c, -c
        return out
    return st.integers(0, 3).map(make)


bad_gram = lambda v: bad_entries(WIDE_LIMIT)(v) | asym(v)  # noqa: E731


def eigvalsh(K) -> np.ndarray:
    return scipy.linalg.eigvalsh(K)


def eig_close(got, K, expected):
    """Eigenvalues agree to the eigensolvers' backward error, n u max|lambda|."""
    top = np.abs(eigvalsh(K)).max()
    close(got, expected, rtol=0, atol=8 * len(K) * U * top + 1e-300)


case("spectrum", call=kernels.spectrum, valid=gram_args(),
     check=lambda r, kw: (eig_close(r[0], kw["K"], eigvalsh(kw["K"])),
                          close((r[1] * r[0]) @ r[1].T, kw["K"], rtol=0,
                                atol=16 * len(kw["K"]) * U * np.abs(kw["K"]).max())),
     outside={"K": bad_gram})
case("min_eigenvalue", call=kernels.min_eigenvalue, valid=gram_args(),
     check=lambda v, kw: eig_close(v, kw["K"], eigvalsh(kw["K"])[0]), outside={"K": bad_gram})
case("relative_min_eigenvalue", call=kernels.relative_min_eigenvalue, valid=gram_args(),
     check=lambda v, kw: close(v, eigvalsh(kw["K"])[0] / np.abs(eigvalsh(kw["K"])).max(),
                               rtol=0, atol=8 * len(kw["K"]) * U),
     outside={"K": bad_gram})


@st.composite
def is_psd_args(draw) -> dict:
    psd = draw(st.booleans())
    return {"K": draw(symmetric(psd=psd)), "psd": psd}


def _assert(condition: bool) -> None:
    assert condition


case("is_psd", call=lambda K, psd: kernels.is_psd(K), valid=is_psd_args(),
     check=lambda verdict, kw: _assert(verdict is kw["psd"]), outside={"K": bad_gram})


case("psd_rtol", call=kernels.psd_rtol, valid=st.builds(dict, n=st.integers(1, 10**8)),
     check=lambda r, kw: _assert(r == 100 * kw["n"] * 2.0**-52),
     outside={"n": bad_int(1, 10**8)})
case("psd_tolerance", call=kernels.psd_tolerance,
     valid=st.builds(dict, eigenvalues=arrays(np.float64, st.integers(1, 8),
                                              elements=reals(np.finfo(float).max))),
     check=lambda t, kw: _assert(t == 100 * kw["eigenvalues"].size * 2.0**-52
                                 * np.abs(kw["eigenvalues"]).max()),
     outside={"eigenvalues": lambda v: st.sampled_from([np.array([np.nan]), np.array([np.inf]),
                                                        np.zeros((2, 2)), "x", np.array([])])})


@st.composite
def gp_args(draw) -> dict:
    return {"K": draw(symmetric(psd=True)), "n_samples": draw(st.integers(1, 5)),
            "seed": draw(st.integers(0, 2**16))}


def call_gp(K, n_samples, seed):
    return kernels.gp_samples(K, n_samples, np.random.default_rng(seed))


def check_gp(samples, kw):
    """NumPy's multivariate_normal(method="eigh") draws the same z: the same samples, up to the
    eigenvalues within rounding of 0 that gp_samples sets to 0 (about sqrt(tau) |z| each)."""
    K = kw["K"]
    theirs = reference(lambda: np.random.default_rng(kw["seed"]).multivariate_normal(
        np.zeros(len(K)), K, size=kw["n_samples"], method="eigh", check_valid="ignore"))
    tau = kernels.psd_tolerance(eigvalsh(K))
    close(samples, theirs, rtol=1e-7,
          atol=len(K) * (math.sqrt(tau) * 10 + 1e-12 * math.sqrt(np.abs(K).max())))


case("gp_samples", call=call_gp, valid=gp_args(), check=check_gp,
     outside={"K": bad_gram, "n_samples": bad_int(1, 10**8)})


@st.composite
def feature_args(draw) -> dict:
    n, d = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return {"features": draw(points(n, d, 3.0) | scaled((n, d), LIMIT)),
            "order": draw(st.integers(0, 6))}


def call_feature_map(features, order):
    try:
        return quiet(lambda: kernels.exp_feature_map(features, order))
    except ValueError as exc:  # coordinates beyond float64: refused by name, when they overflow
        if f"order {order} with features up to" not in str(exc):
            raise
        log_top = math.log10(float(np.abs(features).max()))
        assert order * log_top - math.lgamma(order + 1) / math.log(10) / 2 > 300
        assume(False)


def check_feature_map(phi, kw):
    """Phi_N(x) . Phi_N(x') = T_N(k(x, x')), the Taylor partial sum of exp(x . x')."""
    k = linear_kernel(kw["features"])
    assume(np.abs(k).max() <= 1e3)
    assume(np.abs(k).max() <= 700)
    size = max(taylor_reference(float(v), kw["order"])[1] for v in np.abs(k).ravel())
    for got, value in zip((phi @ phi.T).ravel(), k.ravel(), strict=True):
        reference_value = taylor_reference(value, kw["order"])
        if reference_value is not None:
            assert abs(got - reference_value[0]) <= 1e-12 * size + 1e-300


case("exp_feature_map", call=call_feature_map, valid=feature_args(), check=check_feature_map,
     outside={"features": bad_entries(), "order": bad_int(0, MAX_ORDER)})


@st.composite
def ridge_args(draw) -> dict:
    n = draw(st.integers(2, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    scale = 10.0 ** draw(st.sampled_from([-45, 0, 45]))
    return {"X": scale * rng.normal(size=(n, 2)), "y": 10.0 ** draw(st.sampled_from([-40, 0, 40]))
            * rng.normal(size=n), "bandwidth": scale * draw(st.floats(0.3, 3.0)),
            "alpha": draw(st.floats(1e-3, 1e3))}


def fit_ridge(X, y, bandwidth, alpha):
    model = kernels.KernelRidge(partial(kernels.gaussian, bandwidth=bandwidth), alpha=alpha)
    return model.fit(X, y)


def check_ridge(model, kw):
    K = kernels.gaussian(kw["X"], bandwidth=kw["bandwidth"])
    theirs = SklearnKernelRidge(kernel="precomputed", alpha=kw["alpha"]).fit(K, kw["y"])
    close(model.dual_coef_, theirs.dual_coef_, rtol=1e-9, atol=1e-12 * np.abs(kw["y"]).max())
    close(model.predict(kw["X"]), theirs.predict(K), rtol=1e-9,
          atol=1e-12 * np.abs(kw["y"]).max())


case("KernelRidge", call=fit_ridge, valid=ridge_args(), check=check_ridge, examples=30,
     outside={"X": lambda v: st.builds(_put, st.just(v), st.integers(0, 99), beyond(LIMIT)),
              "y": lambda v: st.builds(_put, st.just(v), st.integers(0, 99),
                                       st.sampled_from([1e51, -1e300])),
              "alpha": bad_scale()})


@st.composite
def gp_args(draw) -> dict:
    n, m = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return {"X": rng.normal(size=(n, 2)), "y": rng.normal(size=n), "X_new": rng.normal(size=(m, 2)),
            "bandwidth": draw(st.floats(0.3, 3.0)), "noise": draw(st.floats(1e-3, 10))}


def call_gp(X, y, X_new, bandwidth, noise):
    return kernels.gp_posterior(partial(kernels.gaussian, bandwidth=bandwidth), X, y, X_new, noise)


def check_gp(result, kw):
    """scikit-learn's GaussianProcessRegressor with the same kernel and noise, not optimised."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF

    model = GaussianProcessRegressor(RBF(kw["bandwidth"]), alpha=kw["noise"], optimizer=None)
    mean, std = model.fit(kw["X"], kw["y"]).predict(kw["X_new"], return_std=True)
    close(result[0], mean, rtol=1e-7, atol=1e-9)
    close(result[1], std, rtol=1e-6, atol=1e-6)


case("gp_posterior", call=call_gp, valid=gp_args(), check=check_gp, examples=30,
     outside={"X": bad_entries(), "X_new": bad_entries(), "noise": bad_scale(),
              "y": lambda _: st.sampled_from([np.array([np.nan]), np.zeros(99), "x"])},
     names={"X": r"^X |X must|X has", "y": r"^y "})


# gradcheck
@st.composite
def gradient_args(draw) -> dict:
    x = draw(arrays(np.float64, st.integers(1, 3), elements=reals(LIMIT / 100)))
    c = draw(arrays(np.float64, x.size, elements=st.floats(-5, 5)))
    top = float(np.abs(x).max())
    eps = draw(st.floats(max(1 / LIMIT, 1e-10 * top), LIMIT / 100))
    return {"f": lambda v: float(np.sum(c * v)), "x": x, "eps": eps, "c": c}


def check_numerical_gradient(g, kw):
    """For f(v) = c.v the central difference is c, up to the rounding of x +- eps and of f."""
    c, x, eps = kw["c"], kw["x"], kw["eps"]
    # f's values carry a relative error u, and an absolute 5e-324 once they are subnormal
    rounding = (8 * U * (np.sum(np.abs(c * x)) + np.sum(np.abs(c)) * eps) + 1e-322) / eps
    close(g, c, rtol=1e-5, atol=rounding + 1e-300)


case("numerical_gradient", call=lambda f, x, eps, c: gradcheck.numerical_gradient(f, x, eps),
     valid=gradient_args(), check=check_numerical_gradient,
     outside={"x": bad_entries(), "eps": lambda _: st.sampled_from([0.0, -1.0, math.nan, 1e-60,
                                                                    "x"]),
              "f": lambda _: st.sampled_from([3, lambda v: "x", lambda v: np.array([1.0, 2.0]),
                                              lambda v: math.nan, lambda v: 1e60])},
     names={"f": r"\bf\b|^f\(x [+-] eps e_0\)"})


def exact_relative_error(a, b) -> float:
    with localcontext() as ctx:
        ctx.prec = 60
        da, db = [Decimal(float(v)) for v in a.ravel()], [Decimal(float(v)) for v in b.ravel()]
        num = sum((p - q) ** 2 for p, q in zip(da, db, strict=True)).sqrt()
        den = sum(p**2 for p in da).sqrt() + sum(q**2 for q in db).sqrt()
        return 0.0 if den == 0 else float(num / den)


@st.composite
def pair_of_arrays(draw) -> dict:
    shape = draw(st.sampled_from([(1,), (3,), (2, 2)]))
    return {"a": draw(arrays(np.float64, shape, elements=reals(WIDE_LIMIT))),
            "b": draw(arrays(np.float64, shape, elements=reals(WIDE_LIMIT)))}


def check_relative_error(r, kw):
    assert r == pytest.approx(exact_relative_error(kw["a"], kw["b"]), rel=1e-12, abs=1e-320)
    assert 0.0 <= r <= 1.0 + 4 * U


case("relative_error", call=gradcheck.relative_error, valid=pair_of_arrays(),
     check=check_relative_error,
     outside={"a": bad_entries(WIDE_LIMIT), "b": bad_entries(WIDE_LIMIT)},
     names={"a": r"^a ", "b": r"^b |and b must"})


# momentum
def run_reference(update, w0, steps):
    """A run written out: iterate, stop at the first iterate beyond 1e50 or not finite."""
    w, v, rows = np.array(w0, dtype=float), np.zeros(len(w0)), [np.array(w0, dtype=float)]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            w, v = update(w, v)
            if not np.abs(w).max() <= LIMIT:
                break
            rows.append(w)
    return np.array(rows)


@st.composite
def run_args(draw) -> dict:
    lam = draw(scales)
    return {"grad": lambda w: lam * w, "w0": draw(arrays(np.float64, 2, elements=reals())),
            "rho": draw(reals() | st.floats(-2, 2)), "eta": draw(reals() | scales),
            "steps": draw(st.integers(1, 30)), "lam": lam}  # 0 steps: test_momentum


def check_momentum(out, kw):
    rho, eta, lam = kw["rho"], kw["eta"], kw["lam"]

    def update(w, v):
        v = rho * v - lam * w
        return w + eta * v, v

    np.testing.assert_array_equal(out, run_reference(update, kw["w0"], kw["steps"]))
    assert np.abs(out).max() <= LIMIT


bad_run = {"w0": bad_entries(), "rho": bad_scalar(), "eta": bad_scalar(),
           "steps": bad_int(0, 10**6),
           "grad": lambda _: st.sampled_from([3, lambda w: "x", lambda w: np.array([object()]),
                                              lambda w: w[:1], lambda w: [[1.0], [1.0, 2.0]]])}
case("momentum_descent",
     call=lambda grad, w0, rho, eta, steps, lam: momentum.momentum_descent(
         grad, w0, rho=rho, eta=eta, steps=steps),
     valid=run_args(), check=check_momentum, outside=bad_run)
case("gradient_descent",
     call=lambda grad, w0, rho, eta, steps, lam: momentum.gradient_descent(
         grad, w0, eta=eta, steps=steps),
     valid=run_args().map(lambda kw: {**kw, "rho": 0.0}), check=check_momentum,
     outside={k: v for k, v in bad_run.items() if k != "rho"})


def check_torch(out, kw):
    mu, lr, lam, buffer = kw["rho"], kw["eta"], kw["lam"], None
    p, rows = np.array(kw["w0"], dtype=float), [np.array(kw["w0"], dtype=float)]
    with np.errstate(all="ignore"):
        for _ in range(kw["steps"]):  # PyTorch's documented rule, with b_1 = g_1
            g = lam * p
            buffer = g if buffer is None else mu * buffer + g
            p = p - lr * buffer
            if not np.abs(p).max() <= LIMIT:
                break
            rows.append(p)
    np.testing.assert_array_equal(out, np.array(rows))


case("torch_sgd_momentum",
     call=lambda grad, w0, rho, eta, steps, lam: momentum.torch_sgd_momentum(
         grad, w0, lr=eta, momentum=rho, steps=steps),
     valid=run_args(), check=check_torch,
     outside={"w0": bad_entries(), "rho": bad_scalar(), "eta": bad_scalar(),
              "steps": bad_int(0, 10**6)},
     names={"rho": r"^momentum ", "eta": r"^lr "})


@st.composite
def ball_args(draw) -> dict:
    lam = draw(st.floats(1e-3, 1e3))
    return {"grad": lambda w: lam * w, "x0": draw(arrays(np.float64, 2, elements=reals())),
            "mass": draw(scales), "friction": draw(st.floats(0, LIMIT)), "dt": draw(scales),
            "steps": draw(st.integers(0, 30)), "lam": lam}


def check_ball(out, kw):
    m, c, h, lam = kw["mass"], kw["friction"], kw["dt"], kw["lam"]

    def update(x, v):  # semi-implicit Euler of m x'' = -lam x - c x'
        v = v + (h / m) * (-lam * x - c * v)
        return x + h * v, v

    np.testing.assert_array_equal(out, run_reference(update, kw["x0"], kw["steps"]))


case("heavy_ball",
     call=lambda grad, x0, mass, friction, dt, steps, lam: momentum.heavy_ball(
         grad, x0, mass=mass, friction=friction, dt=dt, steps=steps),
     valid=ball_args(), check=check_ball,
     outside={"x0": bad_entries(), "mass": bad_scale(), "dt": bad_scale(),
              "friction": lambda _: st.sampled_from([-1.0, 1e51, math.nan, "1"]),
              "steps": bad_int(0, 10**6)})


@st.composite
def diverged_args(draw) -> dict:
    steps = draw(st.integers(0, 20))
    rows = draw(st.integers(1, steps + 1))
    return {"positions": np.zeros((rows, 2)), "steps": steps}


case("has_diverged", call=momentum.has_diverged, valid=diverged_args(),
     check=lambda d, kw: _assert(d is (len(kw["positions"]) < kw["steps"] + 1)),
     outside={"positions": lambda _: st.sampled_from([None, "run", np.zeros(3),
                                                      np.full((2, 2), np.nan), np.zeros((99, 2))]),
              "steps": bad_int(0, 10**6)})


@st.composite
def physical_args(draw) -> dict:
    return {"mass": draw(scales), "friction": draw(st.floats(0, LIMIT)), "dt": draw(scales)}


def check_physical(result, kw):
    m, c, h = (Fraction(kw[k]) for k in ("mass", "friction", "dt"))
    rho, eta = result
    assert abs(rho - float(1 - c * h / m)) <= 4 * U * (1 + float(c * h / m))
    assert eta == pytest.approx(float(h * h / m), rel=4 * U)


case("physical_to_momentum", call=momentum.physical_to_momentum, valid=physical_args(),
     check=check_physical,
     outside={"mass": bad_scale(), "dt": bad_scale(),
              "friction": lambda _: st.sampled_from([-1.0, 1e51, math.nan, "1"])})


@st.composite
def inverse_args(draw) -> dict:
    return {"rho": draw(st.floats(-LIMIT, 1.0)), "eta": draw(scales), "mass": draw(scales)}


def check_inverse(result, kw):
    m, c, h = result
    assert m == kw["mass"] and c >= 0 and 0 < h < math.inf and c < math.inf
    assert h == pytest.approx(math.sqrt(Fraction(kw["eta"]) * Fraction(kw["mass"])), rel=4 * U)
    exact = (1 - Fraction(kw["rho"])) * Fraction(m) / Fraction(h)
    assert c == pytest.approx(float(exact), rel=8 * U)


case("momentum_to_physical", call=momentum.momentum_to_physical, valid=inverse_args(),
     check=check_inverse,
     outside={"rho": lambda _: st.sampled_from([1.5, math.nan, -1e51, "1"]),
              "eta": bad_scale(), "mass": bad_scale()})
case("rotation_matrix", call=momentum.rotation_matrix, valid=st.builds(dict, angle=reals()),
     check=lambda q, kw: close(q, Rotation.from_euler("z", kw["angle"]).as_matrix()[:2, :2],
                               rtol=0, atol=1e-15),
     outside={"angle": bad_scalar()})


@st.composite
def quadratic_args(draw) -> dict:
    n = draw(st.integers(1, 4))
    base = draw(st.floats(1 / LIMIT, LIMIT / 1e6))  # a well-conditioned A: exact eigenvalues
    lam = np.sort(base * 10.0 ** draw(arrays(np.float64, n, elements=st.floats(0, 6))))
    q = ortho(n, draw(st.integers(0, 2**16)))
    return {"eigenvalues": lam, "rotation": q,
            "minimum": draw(arrays(np.float64, n, elements=reals())),
            "w": draw(arrays(np.float64, (2, n), elements=reals()))}


def call_quadratic(eigenvalues, rotation, minimum, w):
    bowl = momentum.Quadratic.from_eigenvalues(eigenvalues, rotation, minimum)
    return bowl, bowl.value(w), bowl.grad(w), bowl.hessian()


def check_quadratic(result, kw):
    bowl, value, grad, hessian = result
    lam = kw["eigenvalues"]
    close(bowl.eigenvalues, lam, rtol=1e-9)
    assert bowl.condition_number == pytest.approx(lam[-1] / lam[0], rel=1e-8)
    z = (kw["w"] - kw["minimum"]) @ kw["rotation"]  # coordinates along the eigenvectors
    close(value, 0.5 * (z**2 * lam).sum(axis=1), rtol=1e-9, atol=1e-300)  # z^2 may underflow
    close(grad, (z * lam) @ kw["rotation"].T, rtol=0,
          atol=1e-9 * lam[-1] * np.abs(z).max(axis=None) + 1e-300)
    np.testing.assert_array_equal(hessian, bowl.A)


case("Quadratic", call=call_quadratic, valid=quadratic_args(), check=check_quadratic,
     outside={"eigenvalues": lambda _: st.sampled_from([np.array([0.0]), np.array([1e51]),
                                                        np.array([-1.0]), np.array([np.nan])]),
              "minimum": bad_y, "w": bad_entries()})


@st.composite
def rosenbrock_args(draw) -> dict:
    return {"a": draw(reals(1e24)), "b": draw(scales), "scale": draw(scales),
            "w": draw(arrays(np.float64, 2, elements=reals()))}


def call_rosenbrock(a, b, scale, w):
    f = momentum.Rosenbrock(a, b, scale=scale)
    return f, f.value(w), f.grad(w), f.hessian(w)


def check_rosenbrock(result, kw):
    """In exact arithmetic, with tolerances relative to the sizes of the terms (y - x^2 may
    cancel)."""
    f, value, grad, hessian = result
    a, b, s = (Fraction(kw[k]) for k in ("a", "b", "scale"))
    x, y = (Fraction(v) for v in kw["w"])
    exact = s * ((a - x) ** 2 + b * (y - x * x) ** 2)
    size = s * ((abs(a) + abs(x)) ** 2 + b * (abs(y) + x * x) ** 2)
    # a subnormal intermediate loses up to about 5e-324, then scaled by at most s b
    tiny = (1 + s) * (1 + b) * Fraction(1e-320)
    u = Fraction(U)  # keep the bounds exact: a float would round them to 0
    assert abs(Fraction(value) - exact) <= 8 * u * size + tiny
    gx = s * (-2 * (a - x) - 4 * b * x * (y - x * x))
    gy = s * 2 * b * (y - x * x)
    gsize = s * (2 * (abs(a) + abs(x)) + (4 * abs(x) + 2) * b * (abs(y) + x * x))
    assert abs(Fraction(grad[0]) - gx) <= 16 * u * gsize + tiny
    assert abs(Fraction(grad[1]) - gy) <= 16 * u * gsize + tiny
    assert np.isfinite(hessian).all() and np.isfinite(f.eigenvalues).all()
    if kw["a"] == 1 and kw["b"] == 100 and kw["scale"] == 1:
        close(value, scipy.optimize.rosen(kw["w"]), rtol=1e-12)


case("Rosenbrock", call=call_rosenbrock,
     valid=rosenbrock_args() | st.builds(dict, a=st.just(1.0), b=st.just(100.0),
                                         scale=st.just(1.0), w=arrays(np.float64, 2,
                                                                      elements=small)),
     check=check_rosenbrock,
     outside={"a": lambda _: beyond(1e24) | not_reals(), "b": bad_scale(), "scale": bad_scale(),
              "w": bad_entries()})


@st.composite
def energy_args(draw) -> dict:
    t = draw(st.integers(1, 6))
    lam = draw(st.floats(1e-3, 1e3))
    return {"value": lambda x: 0.5 * lam * np.sum(x**2, axis=1), "lam": lam,
            "positions": draw(arrays(np.float64, (t, 2), elements=reals())),
            "mass": draw(scales), "dt": draw(scales), "potential_minimum": draw(reals())}


def call_energy(value, lam, positions, mass, dt, potential_minimum):
    return momentum.mechanical_energy(value, positions, mass=mass, dt=dt,
                                      potential_minimum=potential_minimum)


def check_energy(result, kw):
    kinetic, potential, total = result
    x, m, h = kw["positions"], kw["mass"], kw["dt"]
    velocity = np.diff(x, axis=0) / h  # the semi-implicit Euler velocity, written differently
    exact = [Fraction(1, 2) * Fraction(m) * sum((Fraction(a) - Fraction(b)) ** 2 for a, b in zip(
        p, q, strict=True)) / Fraction(h) ** 2 for p, q in zip(x[1:], x[:-1], strict=True)]
    # v^2 below 2e-308 rounds to 0 (or a subnormal): K is then known to about m 1e-308
    close(kinetic[1:], np.array([float(e) for e in exact]), rtol=1e-13, atol=m * 1e-307)
    del velocity
    assert kinetic[0] == 0
    close(potential, kw["value"](x) - kw["potential_minimum"], rtol=1e-15, atol=1e-300)
    close(total, kinetic + potential, rtol=0)


case("mechanical_energy", call=call_energy, valid=energy_args(), check=check_energy,
     outside={"positions": bad_entries(), "mass": bad_scale(), "dt": bad_scale(),
              "potential_minimum": bad_scalar(),
              "value": lambda _: st.sampled_from([3, lambda x: "x", lambda x: np.zeros(99),
                                                  lambda x: np.full(len(x), np.nan)])},
     names={"value": r"^value"})


def exact_roots(rho: float, eta: float, lam: float) -> tuple[Decimal, Decimal]:
    """s = 1 + rho - eta lambda and the largest modulus of the roots of mu^2 - s mu + rho, in
    60-digit decimal arithmetic."""
    with localcontext() as ctx:
        ctx.prec = 60
        r, e, lm = Decimal(rho), Decimal(eta), Decimal(lam)
        s = 1 + r - e * lm
        disc = s * s - 4 * r
        modulus = (abs(s) + disc.sqrt()) / 2 if disc >= 0 else abs(r).sqrt()
        return s, modulus


@st.composite
def rate_args(draw) -> dict:
    return {"rho": draw(reals() | st.floats(-1, 1.5)), "eta": draw(reals() | st.floats(0, 5)),
            "eigenvalues": draw(arrays(np.float64, st.integers(1, 3), elements=scales))}


def check_rate(rate, kw):
    """Against the 60-digit roots, within what rounding s = 1 + ρ − ηλ can move them: s is off by
    δ ≤ 2ε(1 + |ρ| + |ηλ|), the discriminant s² − 4ρ by at most (2|s| + 1)δ, and a root by
    (δ + √((2|s| + 1)δ)) / 2 (ρ = 0, ηλ = 1 gives s ≈ 6e-17 exactly and 0 in floats)."""
    eps = np.finfo(float).eps
    expected, tolerance = Decimal(0), 0.0
    for lam in kw["eigenvalues"]:
        s, modulus = exact_roots(kw["rho"], kw["eta"], lam)
        expected = max(expected, modulus)
        delta = 2 * eps * (1 + abs(kw["rho"]) + abs(kw["eta"] * lam))
        tolerance = max(tolerance, (delta + math.sqrt((2 * abs(float(s)) + 1) * delta)) / 2)
    assert rate == pytest.approx(float(expected), rel=1e-6, abs=tolerance)


def check_regime(regime, kw):
    roots = [exact_roots(kw["rho"], kw["eta"], lam) for lam in kw["eigenvalues"]]
    moduli = [float(m) for _, m in roots]
    assume(all(abs(m - 1) > 1e-9 for m in moduli))  # away from the circle, where it is decided
    if max(moduli) > 1:
        assert regime == momentum.DIVERGENT
        return
    with localcontext() as ctx:
        ctx.prec = 60
        calm = all(s * s - 4 * Decimal(kw["rho"]) >= 0 and s >= 0 for s, _ in roots)
        near = any(abs(s * s - 4 * Decimal(kw["rho"])) <= Decimal(1e-9) * (s * s + 1)
                   for s, _ in roots)
    assume(not near)  # away from critical damping, where rounding decides
    assert regime == (momentum.MONOTONE if calm else momentum.OSCILLATING)


bad_rate = {"rho": bad_entries(), "eta": bad_entries(),
            "eigenvalues": lambda _: st.sampled_from([np.array([0.0]), np.array([1e-51]),
                                                      np.array([1e51]), np.array([np.nan]),
                                                      "x"])}
case("convergence_rate", call=momentum.convergence_rate, valid=rate_args(), check=check_rate,
     outside=bad_rate)
case("iteration_regime", call=momentum.iteration_regime, valid=rate_args(), check=check_regime,
     outside=bad_rate)


@st.composite
def optimal_args(draw) -> dict:
    lo, hi = sorted([draw(scales), draw(scales)])
    return {"lambda_min": lo, "lambda_max": hi}


def check_optimal(result, kw):
    rho, eta = result
    with localcontext() as ctx:
        ctx.prec = 60
        rl, rh = Decimal(kw["lambda_min"]).sqrt(), Decimal(kw["lambda_max"]).sqrt()
        rho_exact = float(((rh - rl) / (rh + rl)) ** 2)
        eta_exact = float(4 / (rl + rh) ** 2)
    assert rho == pytest.approx(rho_exact, rel=1e-12, abs=1e-15) and 0.0 <= rho <= 1.0
    assert eta == pytest.approx(eta_exact, rel=1e-12)


case("optimal_parameters", call=momentum.optimal_parameters, valid=optimal_args(),
     check=check_optimal,
     outside={"lambda_min": bad_scale(), "lambda_max": bad_scale()},
     names={"lambda_max": r"lambda_max|lambda_min must be <= lambda_max"})


@st.composite
def geometric_run(draw) -> dict:
    """w_t = w* + r^t d: the measured rate is r exactly (errors kept normal numbers)."""
    rate = draw(st.floats(0.01, 10.0))
    steps = draw(st.integers(3, 40))
    d = draw(arrays(np.float64, 2, elements=st.floats(0.5, 2.0)))
    start_size = draw(st.sampled_from([1e-200, 1e-8, 1.0, 1e10]))
    assume(start_size * max(rate, 1.0) ** steps * 2 < LIMIT / 2)
    assume(start_size * min(rate, 1.0) ** steps > 1e-290)
    errors = start_size * rate ** np.arange(steps + 1)[:, None] * d
    # w* + e must keep e: a minimum of size 1 only for errors far above its rounding
    w_star = draw(arrays(np.float64, 2, elements=st.floats(-1, 1)))
    if np.abs(errors).min() < 1e-3:
        w_star = np.zeros(2)
    return {"positions": w_star + errors, "minimum": w_star,
            "start": draw(st.none() | st.integers(1, steps - 2)), "rate": rate}


def check_measured(r, kw):
    assert r == pytest.approx(kw["rate"], rel=1e-9)


case("measured_rate",
     call=lambda positions, minimum, start, rate: momentum.measured_rate(positions, minimum,
                                                                         start=start),
     valid=geometric_run(),
     check=check_measured,
     outside={"positions": bad_entries(), "minimum": bad_entries(),
              "start": lambda _: st.sampled_from([0, 10**6, 1.5, "1"])})


# digits
case("load_digits_split", call=digits.load_digits_split,
     valid=st.builds(dict, test_fraction=st.floats(1e-9, 1796 / 1797),
                     seed=st.integers(0, 2**32 - 1)),
     check=lambda split, kw: [np.testing.assert_array_equal(a, b) for a, b in zip(
         split, train_test_split(_DIGITS.data / 16, _DIGITS.target, test_size=kw["test_fraction"],
                                 random_state=kw["seed"]), strict=True)],
     outside={"test_fraction": lambda _: st.sampled_from([0.0, 1.0, -0.5, math.nan, "0.3"]),
              "seed": bad_int(0, 2**32 - 1)}, examples=15)


@st.composite
def landmark_args(draw) -> dict:
    n = draw(st.integers(1, 8))
    return {"X": draw(points(n, 2)), "m": draw(st.integers(1, n)), "seed": draw(st.integers(0, 99))}


case("choose_landmarks",
     call=lambda X, m, seed: digits.choose_landmarks(X, m, np.random.default_rng(seed)),
     valid=landmark_args(),
     check=lambda z, kw: np.testing.assert_array_equal(
         z, kw["X"][np.random.default_rng(kw["seed"]).choice(len(kw["X"]), kw["m"],
                                                             replace=False)]),
     outside={"X": bad_entries(), "m": lambda _: st.sampled_from([0, 99, 1.5, None])})


@st.composite
def sqrt_args(draw) -> dict:
    n = draw(st.integers(1, 5))
    lam = draw(arrays(np.float64, n, elements=st.floats(1e-3, 1.0)))
    q = ortho(n, draw(st.integers(0, 2**16)))
    scale = 10.0 ** draw(st.floats(-250, 250))
    return {"K": scale * (q * lam) @ q.T, "rcond": draw(st.floats(0, 1e-4))}


def check_inverse_sqrt(result, kw):
    inv_sqrt, eigenvalues, kept = result
    K = (kw["K"] + kw["K"].T) / 2
    assert kept == len(K)
    # SciPy's reference on K / s, then (K / s)^(-1/2) / √s = K^(-1/2): older SciPy overflows to
    # NaN on the raw matrix once its entries pass about 1e240
    s = np.abs(K).max()
    expected = scipy.linalg.fractional_matrix_power(K / s, -0.5) / np.sqrt(s)
    close(inv_sqrt, expected.real, rtol=1e-7, atol=1e-9 * np.abs(expected).max())
    eig_close(eigenvalues, K, eigvalsh(K))


case("inverse_sqrt_psd", call=digits.inverse_sqrt_psd, valid=sqrt_args(),
     check=check_inverse_sqrt,
     outside={"K": bad_gram, "rcond": lambda _: st.sampled_from([-0.1, 1.5, math.nan, "x"])})


@st.composite
def nystrom_args(draw) -> dict:
    scale = 10.0 ** draw(st.sampled_from([-45, -3, 0, 3, 45]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return {"landmarks": scale * rng.normal(size=(draw(st.integers(1, 6)), 2)),
            "bandwidth": scale * draw(st.floats(0.5, 3.0)), "X": scale * rng.normal(size=(4, 2))}


def call_nystrom(landmarks, bandwidth, X):
    features = digits.NystromFeatures(landmarks, bandwidth)
    return features, features.transform(landmarks), features.transform(X)


def check_nystrom(result, kw):
    features, on_landmarks, elsewhere = result
    gram = kernels.gaussian(kw["landmarks"], bandwidth=kw["bandwidth"])
    dropped = features.eigenvalues[~(features.eigenvalues > digits.RCOND
                                     * features.eigenvalues[-1])]
    slack = np.abs(dropped).sum() + 1e-9
    close(on_landmarks @ on_landmarks.T, gram, rtol=0, atol=slack)
    exact = kernels.gaussian(kw["X"], bandwidth=kw["bandwidth"])
    gap = np.linalg.eigvalsh(exact - elsewhere @ elsewhere.T)  # the error is PSD (Nystrom)
    assert gap[0] >= -1e-7


case("NystromFeatures", call=call_nystrom, valid=nystrom_args(), check=check_nystrom,
     outside={"landmarks": bad_entries(), "bandwidth": bad_scale(), "X": bad_entries()},
     examples=30)


@st.composite
def objective_args(draw) -> dict:
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n, d, k = draw(st.integers(1, 6)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    scale = 10.0 ** draw(st.sampled_from([-40, -2, 0, 2, 40]))
    return {"features": scale * rng.normal(size=(n, d)), "labels": rng.integers(0, k, size=n),
            "alpha": draw(scales), "num_classes": k,
            "w": rng.normal(size=k * d) * draw(st.sampled_from([1e-40, 1e-3, 1.0, 1e3])) / scale}


def call_objective(features, labels, alpha, num_classes, w):
    objective = digits.SoftmaxObjective(features, labels, alpha, num_classes)
    return objective, objective.value(w), objective.grad(w), objective.curvature_bounds()


def check_objective(result, kw):
    objective, value, grad, (mu, L) = result
    phi, labels, alpha, k, w = (kw[n] for n in ("features", "labels", "alpha", "num_classes", "w"))
    W = w.reshape(k, phi.shape[1])  # C x D, one row per class
    logp = scipy.special.log_softmax(phi @ W.T, axis=1)
    expected = -logp[np.arange(len(labels)), labels].sum() + 0.5 * alpha * np.sum(W**2)
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-300)
    y = np.exp(logp)
    expected_grad = (y - np.eye(k)[labels]).T @ phi + alpha * W
    size = np.ones_like(y).T @ np.abs(phi) + alpha * np.abs(W)
    assert (np.abs(grad.reshape(W.shape) - expected_grad) <= 1e-12 * size + 1e-300).all()
    assert mu == alpha
    assert L == pytest.approx(0.5 * scipy.linalg.svdvals(phi)[0] ** 2 + alpha, rel=1e-12)


case("SoftmaxObjective", call=call_objective, valid=objective_args(), check=check_objective,
     outside={"features": bad_entries(), "alpha": bad_scale(), "w": bad_entries(),
              "labels": lambda _: st.sampled_from([np.array([99]), np.array([0.5]), "a"]),
              "num_classes": bad_int(1, 10**8)},
     names={"labels": r"^labels ", "w": r"^w ", "num_classes": r"num_classes|^labels must lie"})


@st.composite
def minibatch_args(draw) -> dict:
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n, d, k = draw(st.integers(1, 8)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    objective = digits.SoftmaxObjective(rng.normal(size=(n, d)), rng.integers(0, k, size=n),
                                        draw(st.floats(1e-3, 10)), k)
    return {"objective": objective, "batch_size": draw(st.integers(1, n)),
            "seed": draw(st.integers(0, 2**16)), "w": rng.normal(size=k * d)}


def call_minibatch(objective, batch_size, seed, w):
    rng = seed if not isinstance(seed, int) else np.random.default_rng(seed)
    return digits.minibatch_gradient(objective, batch_size, rng)(w)


def check_minibatch(g, kw):
    """The rows the same seed draws, with the full gradient's formula scaled by N / B; all rows
    give the full gradient."""
    objective, size, w = kw["objective"], kw["batch_size"], kw["w"]
    n = len(objective.features)
    rows = np.random.default_rng(kw["seed"]).choice(n, size=size, replace=False)
    phi, W = objective.features[rows], w.reshape(objective.shape)
    y = scipy.special.softmax(phi @ W.T, axis=1)
    t = np.eye(objective.num_classes)[objective.labels[rows]]
    close(g, (n / size * (y - t).T @ phi + objective.alpha * W).ravel(), rtol=1e-10, atol=1e-12)
    if size == n:
        close(g, objective.grad(w), rtol=1e-10, atol=1e-12)


case("minibatch_gradient", call=call_minibatch, valid=minibatch_args(), check=check_minibatch,
     outside={"batch_size": lambda _: st.sampled_from([0, 10**6, 2.5, "3", None, True]),
              "seed": lambda _: st.sampled_from(["x", None, np.random.RandomState(0)]),
              "objective": lambda _: st.sampled_from(["x", None, 3])},
     names={"seed": r"^rng "})


case("accuracy", call=digits.accuracy,
     valid=st.integers(1, 20).flatmap(lambda n: st.builds(
         dict, predicted=arrays(np.int64, n, elements=st.integers(0, 3)),
         labels=arrays(np.int64, n, elements=st.integers(0, 3)))),
     check=lambda a, kw: _assert(a == accuracy_score(kw["labels"], kw["predicted"])
                                 == np.mean(kw["predicted"] == kw["labels"])),
     outside={"predicted": lambda _: st.sampled_from([np.zeros(99), np.zeros((1, 1)),
                                                      np.array([])])},
     names={"predicted": r"predicted and labels"})


@st.composite
def prediction_args(draw) -> dict:
    lo = draw(scales)
    hi = lo * 10.0 ** draw(st.floats(0, 24))  # kappa up to 1e24: rates below 1 - 1e-12
    assume(hi <= LIMIT)
    rho, eta = momentum.optimal_parameters(lo, hi)
    rho, eta = draw(st.sampled_from([(rho, eta), (0.0, 1 / hi), (0.5 * rho, eta)]))
    assume(eta <= LIMIT)  # eta* = 4 / (2 sqrt(1e-50))^2 rounds to just above 1e50
    assume(max(exact_roots(rho, eta, lam)[1] for lam in (lo, hi)) < 1 - 1e-12)  # converges
    return {"rho": rho, "eta": eta, "mu": lo, "L": hi, "tol": draw(st.floats(1e-300, 0.5))}


def check_predicted(steps, kw):
    rate = max(exact_roots(kw["rho"], kw["eta"], lam)[1] for lam in (kw["mu"], kw["L"]))
    assume(rate > 0)
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(kw["tol"]).ln() / rate.ln()
    # Near a double root (Polyak's optimum) the float rate is only good to about sqrt(u): the
    # disc s^2 - 4 rho cancels. An error dr in r moves the count by t dr / (r |ln r|).
    r = float(rate)
    assert abs(steps - math.ceil(exact)) <= 1 + float(exact) * 4 * math.sqrt(U) / (r * -math.log(r))


case("predicted_steps", call=digits.predicted_steps, valid=prediction_args(),
     check=check_predicted,
     outside={"rho": bad_scalar(), "eta": bad_scalar(), "mu": bad_scale(), "L": bad_scale(),
              "tol": lambda _: st.sampled_from([0.0, 1.0, math.nan, "x"])},
     names={"L": r"^L |mu must be <= L"})


def first_hit(errors, tol):
    for t, e in enumerate(errors):
        if e <= tol * errors[0]:
            return t
    return None


case("steps_to_tolerance", call=momentum.steps_to_tolerance,
     valid=st.builds(dict, errors=arrays(np.float64, st.integers(1, 10),
                                         elements=st.floats(0, WIDE_LIMIT)),
                     tol=st.floats(1e-300, 1.0, exclude_max=True, exclude_min=False)),
     check=lambda t, kw: _assert(t == first_hit(list(kw["errors"]), kw["tol"])),
     outside={"errors": lambda _: st.sampled_from([np.array([-1.0]), np.array([np.nan]),
                                                   np.array([1e301]), "x"]),
              "tol": lambda _: st.sampled_from([0.0, 1.0, math.nan, "x"])})


# Notebook 3's Going deeper: Nesterov, the lower bound's quadratic, the counterexample, noise
def check_nesterov(out, kw):
    rho, eta, lam = kw["rho"], kw["eta"], kw["lam"]

    def update(w, v):
        v = rho * v - lam * (w + eta * rho * v)  # the gradient at the look-ahead point
        return w + eta * v, v

    np.testing.assert_array_equal(out, run_reference(update, kw["w0"], kw["steps"]))


case("nesterov_descent",
     call=lambda grad, w0, rho, eta, steps, lam: momentum.nesterov_descent(
         grad, w0, rho=rho, eta=eta, steps=steps),
     valid=run_args(), check=check_nesterov, outside=bad_run)


def nesterov_roots(rho, eta, lam):
    """Largest root modulus of z^2 - (1 + rho)(1 - eta lam) z + rho (1 - eta lam), 60 digits."""
    with localcontext() as ctx:
        ctx.prec = 60
        c = 1 - Decimal(eta) * Decimal(lam)
        b, q = (1 + Decimal(rho)) * c, Decimal(rho) * c
        disc = b * b - 4 * q
        if disc >= 0:
            return float(max(abs(b + disc.sqrt()), abs(b - disc.sqrt())) / 2)
        return float(q.sqrt())


@st.composite
def nesterov_rate_args(draw) -> dict:
    lam = draw(arrays(np.float64, st.integers(1, 3), elements=st.floats(1e-3, 1e3)))
    return {"rho": draw(st.floats(0, 1)), "eta": draw(st.floats(0, 4)) / lam.max(),
            "eigenvalues": lam}


def check_nesterov_rate(rate, kw):
    """Against the 60-digit roots, within what rounding 1 − ηλ can move them: the function forms
    c = 1 − ηλ in floating point, off by δ ≤ 2ε(1 + ηλ); the discriminant
    ((1 + ρ)c)² − 4ρc then moves by at most (8|c| + 4)δ, and a root by half its square root (near
    a double root a root is that sensitive: ρ = 1, ηλ = 1 gives c ≈ 1e-17 exactly and 0 in floats,
    rates 3e-9 and 0)."""
    eps = np.finfo(float).eps
    expected, tolerance = 0.0, 0.0
    for lam in kw["eigenvalues"]:
        expected = max(expected, nesterov_roots(kw["rho"], kw["eta"], lam))
        c = abs(1 - kw["eta"] * lam)
        delta = 2 * eps * (1 + kw["eta"] * lam)
        tolerance = max(tolerance, 2 * delta + math.sqrt((8 * c + 4) * delta) / 2)
    assert rate == pytest.approx(expected, rel=1e-6, abs=1e-9 + tolerance)


case("nesterov_rate", call=momentum.nesterov_rate, valid=nesterov_rate_args(),
     check=check_nesterov_rate, outside=bad_rate)


def check_nesterov_parameters(result, kw):
    with localcontext() as ctx:
        ctx.prec = 60
        rl, rh = Decimal(kw["mu"]).sqrt(), Decimal(kw["L"]).sqrt()
        expected = (float((rh - rl) / (rh + rl)), float(1 / Decimal(kw["L"])))
    assert result == pytest.approx(expected, rel=1e-12, abs=1e-15)


case("nesterov_parameters", call=momentum.nesterov_parameters,
     valid=optimal_args().map(lambda kw: {"mu": kw["lambda_min"], "L": kw["lambda_max"]}),
     check=check_nesterov_parameters, outside={"mu": bad_scale(), "L": bad_scale()},
     names={"mu": r"^mu ", "L": r"^L |mu must be <= L"})


@st.composite
def worst_args(draw) -> dict:
    mu = draw(st.floats(1e-6, 1e3))
    return {"dimension": draw(st.integers(2, 40)), "mu": mu, "L": mu * draw(st.floats(1.5, 1e4))}


def check_worst(quadratic, kw):
    n, mu, L = kw["dimension"], kw["mu"], kw["L"]
    eigenvalues = np.linalg.eigvalsh(quadratic.A)
    assert mu * (1 - 1e-12) <= eigenvalues.min() and eigenvalues.max() <= L * (1 + 1e-12)
    w = np.zeros(n)  # Nesterov's form: E(w) = (L - mu)/8 (w_1^2 + sum (w_i - w_i+1)^2 - 2 w_1)
    b = np.zeros(n)  # + mu/2 |w|^2, whose gradient at 0 is -(L - mu)/4 e_1
    b[0] = (L - mu) / 4
    close(quadratic.grad(w), -b, rtol=1e-9, atol=1e-12 * b[0])
    close(quadratic.A @ quadratic.minimum, b, rtol=1e-9, atol=1e-12 * b[0])


case("worst_case_quadratic", call=momentum.worst_case_quadratic, valid=worst_args(),
     check=check_worst,
     outside={"dimension": bad_int(2, 5000), "mu": bad_scale(), "L": bad_scale()},
     names={"L": r"^L |mu must be < L", "mu": r"^mu |mu must be < L"}, examples=30)


def call_counterexample(w):
    function = momentum.HeavyBallCounterexample()
    return function.value(w), function.grad(w)


def check_counterexample(result, kw):
    """E' is the derivative of E (compared with a central difference away from the joins), E is
    continuous at the joins, and E >= 0 with E(0) = 0."""
    value, grad = result
    x = kw["w"][..., 0]
    function = momentum.HeavyBallCounterexample()
    step = 1e-6
    away = (np.abs(x - 1) > 1e-3) & (np.abs(x - 2) > 1e-3)
    upper, lower = function.value(kw["w"] + step), function.value(kw["w"] - step)
    close(np.asarray(grad)[..., 0][away], ((upper - lower) / (2 * step))[away], rtol=1e-5,
          atol=1e-5)
    for join in (1.0, 2.0):
        close(function.value(np.array([[join - 1e-12]])), function.value(np.array([[join]])),
              rtol=1e-9)
    assert (np.asarray(value) >= 0).all() and function.value(np.zeros((1, 1))) == 0


case("HeavyBallCounterexample", call=call_counterexample,
     valid=st.builds(dict, w=arrays(np.float64, st.tuples(st.integers(1, 5), st.just(1)),
                                    elements=st.floats(-1e3, 1e3))),
     check=check_counterexample, outside={"w": bad_entries()})


def call_noisy(grad, sigma, seed, w, lam):
    rng = seed if not isinstance(seed, int) else np.random.default_rng(seed)
    return momentum.noisy_gradient(grad, sigma, rng)(w)


case("noisy_gradient", call=call_noisy,
     valid=st.floats(1e-3, 1e3).flatmap(lambda lam: st.builds(
         dict, grad=st.just(lambda w: lam * w), sigma=st.floats(0, 1e3),
         seed=st.integers(0, 2**16), w=arrays(np.float64, 3, elements=small), lam=st.just(lam))),
     check=lambda g, kw: close(g, kw["lam"] * kw["w"] + kw["sigma"]
                               * np.random.default_rng(kw["seed"]).standard_normal(3),
                               rtol=1e-12, atol=1e-12),
     outside={"sigma": lambda _: st.sampled_from([-1.0, math.nan, math.inf, "x"]),
              "seed": lambda _: st.sampled_from(["x", None, np.random.RandomState(0)]),
              "grad": lambda _: st.sampled_from([3, "x", None])},
     names={"seed": r"^rng "})


@st.composite
def stationary_args(draw) -> dict:
    rho = draw(st.floats(0, 0.99))
    lam = draw(arrays(np.float64, st.integers(1, 3), elements=st.floats(1e-3, 1e3)))
    eta = draw(st.floats(0.01, 0.99)) * 2 * (1 + rho) / lam.max()
    return {"rho": rho, "eta": eta, "eigenvalues": lam, "sigma": draw(st.floats(0, 10))}


def check_stationary(variance, kw):
    """The stationary variance of e_t+1 = s e_t - rho e_t-1 - eta sigma xi_t, from SciPy's
    discrete Lyapunov solver on the state (e_t, e_t-1)."""
    rho, eta, sigma = kw["rho"], kw["eta"], kw["sigma"]
    for got, lam in zip(variance, kw["eigenvalues"], strict=True):
        A = np.array([[1 + rho - eta * lam, -rho], [1.0, 0.0]])
        Q = np.array([[(eta * sigma) ** 2, 0.0], [0.0, 0.0]])
        expected = scipy.linalg.solve_discrete_lyapunov(A, Q)[0, 0]
        assert got == pytest.approx(expected, rel=1e-6, abs=1e-12 * (eta * sigma) ** 2 + 1e-300)


case("stationary_variance", call=momentum.stationary_variance, valid=stationary_args(),
     check=check_stationary,
     outside={"rho": lambda _: st.sampled_from([-0.1, 1.0, math.nan, "x"]),
              "eta": bad_scale(), "sigma": lambda _: st.sampled_from([-1.0, math.nan, "x"]),
              "eigenvalues": lambda _: st.sampled_from([np.array([0.0]), np.array([np.nan]),
                                                        "x"])},
     names={"eta": r"^eta "})


@st.composite
def root_kind_args(draw) -> dict:
    return {"rho": draw(arrays(np.float64, st.integers(1, 4), elements=st.floats(0, 4))),
            "eta_lambda": draw(st.floats(-1, 10))}


def check_root_kind(kinds, kw):
    for kind, rho in zip(np.atleast_1d(kinds), kw["rho"], strict=True):
        with localcontext() as ctx:
            ctx.prec = 60
            s = 1 + Decimal(rho) - Decimal(kw["eta_lambda"])
            disc = s * s - 4 * Decimal(rho)
        assume(abs(disc) > Decimal(1e-9) * (s * s + 1))  # away from the border, decided by rounding
        expected = (momentum.COMPLEX_PAIR if disc < 0 else
                    momentum.REAL_POSITIVE if s >= 0 else momentum.REAL_NEGATIVE)
        assert kind == expected


case("root_kind", call=momentum.root_kind, valid=root_kind_args(), check=check_root_kind,
     outside={"rho": lambda _: st.sampled_from([np.array([-0.5]), np.array([np.nan]), "x"]),
              "eta_lambda": lambda _: st.sampled_from([math.nan, math.inf, "x"])})


@st.composite
def closed_form_args(draw) -> dict:
    rho = draw(st.floats(0, 0.99))
    lam = draw(arrays(np.float64, st.integers(1, 3), elements=st.floats(1e-3, 1.0)))
    eta = draw(st.floats(0.01, 0.99)) * 2 * (1 + rho) / lam.max()  # a converging run
    return {"rho": rho, "eta": eta, "eigenvalues": lam,
            "start": draw(arrays(np.float64, lam.size, elements=small)),
            "steps": draw(st.integers(0, 60))}


def check_closed_form(errors, kw):
    rho, eta, lam, start = kw["rho"], kw["eta"], kw["eigenvalues"], kw["start"]
    run = momentum.momentum_descent(lambda w: lam * w, start, rho=rho, eta=eta, steps=kw["steps"])
    close(errors, run, rtol=1e-6, atol=1e-9 * (np.abs(start).max() + 1e-300))


case("closed_form_errors", call=momentum.closed_form_errors, valid=closed_form_args(),
     check=check_closed_form,
     outside={"rho": bad_scalar(), "eta": bad_scalar(), "start": bad_entries(),
              "steps": bad_int(0, 100_000),
              "eigenvalues": lambda _: st.sampled_from([np.array([0.0]), np.array([np.nan]),
                                                        "x"])},
     names={"start": r"^start "})


_DIGITS = load_digits()


# -- the two tests, for every case ----------------------------------------------------------------
# Checks of the examples' generation, not of our code. Hypothesis 6.80 (the lowest version allowed)
# sometimes overruns its buffer while drawing a case's arguments through st.data() and calls that
# data_too_large (about 1 run in 6 for load_digits_split's 15 examples); the examples it does
# generate are tested in full.
HEALTH = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]


def inside_test(spec: Case) -> Callable:
    @settings(deadline=None, max_examples=spec.examples, suppress_health_check=HEALTH)
    @given(data=st.data())
    def test(data):
        """A refusal or a warning inside the documented domain fails the test."""
        kwargs = data.draw(spec.valid, label="arguments")
        result = quiet(lambda: spec.call(**kwargs))
        spec.check(result, kwargs)

    return test


def outside_test(spec: Case) -> Callable:
    @settings(deadline=None, max_examples=spec.examples, suppress_health_check=HEALTH)
    @given(data=st.data())
    def test(data):
        """One argument just outside its domain: a ValueError or TypeError that names it."""
        kwargs = data.draw(spec.valid, label="arguments")
        argument = data.draw(st.sampled_from(sorted(spec.outside)), label="argument")
        kwargs[argument] = data.draw(spec.outside[argument](kwargs.get(argument)), label="bad")
        default = rf"^{re.escape(argument)}\b" if len(argument) <= 2 else rf"\b{argument}\b"
        assert_refused(lambda: spec.call(**kwargs), spec.names.get(argument, default))

    return test


for _name, _spec in CASES.items():
    globals()[f"test_inside_the_domain_{_name}"] = inside_test(_spec)
    globals()[f"test_just_outside_the_domain_{_name}"] = outside_test(_spec)


def test_every_public_math_function_has_a_case():
    public = {name for module in (softmax, kernels, gradcheck, momentum, digits)
              for name in module.__all__ if callable(getattr(module, name))}
    public -= {"Kernel", "DigitsSplit"}  # a type alias and a named tuple
    assert public <= set(CASES), sorted(public - set(CASES))


@pytest.mark.parametrize(("call", "check", "rho"), [(momentum.convergence_rate, check_rate, 0.0),
                                                    (momentum.nesterov_rate, check_nesterov_rate,
                                                     1.0)])
def test_a_root_that_rounding_moves_by_its_square_root_is_within_the_checks_tolerance(
        call, check, rho):
    """ηλ = 1/3 · 3 is exactly 1 − 6e-17 but 1 in floats: the exact rate is about 6e-17 (heavy
    ball at ρ = 0) or 3e-9 (Nesterov at ρ = 1, a double root) and the computed one 0."""
    kw = {"rho": rho, "eta": 1 / 3, "eigenvalues": np.array([3.0])}
    check(call(**kw), kw)
