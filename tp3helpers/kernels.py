r"""Kernels, their exponential and a kernel ridge regression (TP3, Question 2).

A kernel :math:`k` is *valid* when :math:`k(x, x') = \phi(x)^\top \phi(x')` for some feature map
:math:`\phi`; equivalently, every Gram matrix :math:`K_{ij} = k(x_i, x_j)` on a finite set of
points is symmetric positive semi-definite (PSD). The homework shows that

.. math:: \exp(k(x, x')) = \sum_{i=0}^{\infty} \frac{k(x, x')^i}{i!}

is valid whenever :math:`k` is.

Every kernel takes points ``X`` of shape (n, d) (a 1-D array is n points in one dimension) and
optional ``Y`` of shape (m, d), and returns the (n, m) matrix :math:`k(x_i, y_j)`; ``Y=None`` gives
the Gram matrix of ``X``. Domain: that of :mod:`tp3helpers._validation` (coordinates at most
:math:`10^{50}`, positive scales from :math:`10^{-50}` to :math:`10^{50}`, matrices that are only
measured at most :math:`10^{300}`, results of at most :math:`10^8` numbers).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator

import numpy as np
import scipy.linalg
from scipy.spatial.distance import cdist
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._validation import (
    MAX_ENTRIES,
    MAX_ORDER,
    PRODUCT_LIMIT,
    WIDE_LIMIT,
    as_float_array,
    as_symmetric,
    check_callable,
    check_entries,
    check_generator,
    check_int_in_range,
    check_nonnegative,
    check_positive,
    short_repr,
)

__all__ = [
    "Kernel",
    "EXP_OVERFLOW",
    "as_points",
    "linear",
    "polynomial",
    "gaussian",
    "exp_kernel",
    "taylor_exp_kernel",
    "spectrum",
    "min_eigenvalue",
    "PSD_FACTOR",
    "psd_rtol",
    "psd_tolerance",
    "relative_min_eigenvalue",
    "is_psd",
    "gp_samples",
    "gp_posterior",
    "exp_feature_map",
    "KernelRidge",
]

#: A kernel: ``k(X, Y=None)`` returns the (n, m) matrix of :math:`k(x_i, y_j)`.
Kernel = Callable[..., np.ndarray]

#: Largest argument of ``exp`` that stays finite in float64: ln(largest float) = 709.78...
EXP_OVERFLOW = float(np.log(np.finfo(np.float64).max))


def as_points(X: object, name: str = "X") -> np.ndarray:
    """Points as a float64 array of shape (n, d), a 1-D array becoming (n, 1)."""
    arr = as_float_array(X, name, ndim=(1, 2))
    return arr[:, None] if arr.ndim == 1 else arr


def _pair(X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
    """Validated points ``(x, y)``; ``y`` is ``x`` when ``Y`` is ``None``."""
    x = as_points(X, "X")
    y = x if Y is None else as_points(Y, "Y")
    if y.shape[1] != x.shape[1]:
        raise ValueError(
            f"X and Y must have the same number of features, got X of shape {x.shape} "
            f"and Y of shape {y.shape}"
        )
    check_entries(len(x) * len(y), "X" if Y is None else "X and Y",
                  f"a ({len(x)}, {len(y)}) kernel matrix")
    return x, y


@contextlib.contextmanager
def _refused_on_overflow(message: Callable[[], str]) -> Iterator[None]:
    """Turn a float64 overflow in the block into ``ValueError(message())``: the domain of a kernel
    that grows like a power is "the result is finite", known only once computed."""
    with np.errstate(over="raise"):
        try:
            yield
        except FloatingPointError:
            raise ValueError(message()) from None


def linear(X: object, Y: object = None) -> np.ndarray:
    r"""Linear kernel :math:`k(x, y) = x^\top y`, feature map :math:`\phi(x) = x`.

    ``X`` of shape (n, d) or (n,), ``Y`` of shape (m, d) or (m,), by default ``X`` (the Gram
    matrix); returns the (n, m) matrix.
    """
    x, y = _pair(X, Y)
    return x @ y.T


def polynomial(X: object, Y: object = None, *, degree: int = 2, c: float = 1.0) -> np.ndarray:
    r"""Polynomial kernel :math:`k(x, y) = (x^\top y + c)^{\text{degree}}`, scikit-learn's
    ``polynomial_kernel(X, Y, degree, gamma=1, coef0=c)``.

    Valid for :math:`c \ge 0` (sums and products of valid kernels are valid); a negative ``c`` can
    give negative eigenvalues and is refused. ``degree`` is 0 to 1000; a value that overflows
    float64 is refused.
    """
    p = check_int_in_range(degree, "degree", 0, MAX_ORDER)
    offset = check_nonnegative(c, "c")
    x, y = _pair(X, Y)
    base = x @ y.T + offset
    with _refused_on_overflow(lambda: (
        f"polynomial kernel of degree {p} overflows float64: the largest |x.y + c| is "
        f"{np.abs(base).max():.3g}; rescale the inputs or lower the degree"
    )):
        return base**p


def gaussian(X: object, Y: object = None, *, bandwidth: float = 1.0) -> np.ndarray:
    r"""Gaussian kernel :math:`k(x, y) = \exp\!\left(-\lVert x - y\rVert^2 / (2 h^2)\right)`,
    scikit-learn's ``rbf_kernel`` with :math:`\gamma = 1 / (2 h^2)`.

    The squared distances come from ``scipy.spatial.distance.cdist``, which sums
    :math:`(x_i - y_i)^2`: close points far from the origin keep their distance, which
    :math:`\lVert x\rVert^2 + \lVert y\rVert^2 - 2 x^\top y` would lose to cancellation.
    ``bandwidth`` :math:`h` is a positive scale; ``X``, ``Y`` as in :func:`linear`.
    """
    h = check_positive(bandwidth, "bandwidth")
    x, y = _pair(X, Y)
    return np.exp(-cdist(x, y, "sqeuclidean") / (2 * h * h))


def _kernel_name(kernel: Kernel) -> str:
    func = getattr(kernel, "func", None)  # functools.partial
    if func is not None:
        args = ", ".join(f"{k}={v!r}" for k, v in getattr(kernel, "keywords", {}).items())
        return f"{getattr(func, '__name__', 'k')}({args})"
    return getattr(kernel, "__name__", "k")


def _kernel_matrix(kernel: Kernel, X: object, Y: object) -> np.ndarray:
    """``kernel(X, Y)`` as a finite float64 matrix of the right shape."""
    value = kernel(X, Y)
    try:
        matrix = np.asarray(value)
    except ValueError:  # a ragged list
        matrix = np.asarray(None)
    if matrix.ndim != 2 or matrix.dtype.kind not in "biuf" or not np.isfinite(matrix).all():
        raise ValueError(
            f"kernel must return a finite 2-D matrix, got {short_repr(value)} "
            f"(shape {matrix.shape})"
        )
    expected = (len(X), len(X if Y is None else Y))
    if matrix.shape != expected:
        raise ValueError(f"kernel must return a matrix of shape {expected}, got {matrix.shape}")
    return matrix.astype(np.float64, copy=False)


def exp_kernel(kernel: Kernel) -> Kernel:
    r"""The kernel :math:`\exp(k(x, y))`, entry by entry (not the matrix exponential).

    ``kernel(X, Y=None)`` returns a finite matrix, e.g. :func:`gaussian` or
    ``functools.partial(polynomial, degree=3)``. The returned ``k_exp(X, Y=None)`` refuses, naming
    the kernel, a value of :math:`K` above :data:`EXP_OVERFLOW` (about 709.78): ``exp`` overflows.
    """
    check_callable(kernel, "kernel")

    def k_exp(X: object, Y: object = None) -> np.ndarray:
        matrix = _kernel_matrix(kernel, X, Y)
        peak = float(matrix.max(initial=-np.inf))
        if peak > EXP_OVERFLOW:
            raise ValueError(
                f"exp of kernel {_kernel_name(kernel)} overflows: its largest value is "
                f"{peak:.6g}, and exp overflows float64 above {EXP_OVERFLOW:.2f}; rescale the "
                "inputs or the kernel (a positive multiple of a valid kernel is valid)"
            )
        return np.exp(matrix)

    k_exp.__name__ = f"exp({_kernel_name(kernel)})"
    k_exp.__qualname__ = k_exp.__name__
    return k_exp


def taylor_exp_kernel(kernel: Kernel, order: int) -> Kernel:
    r"""Partial sum of the Taylor series of :math:`\exp(k)`, with element-wise powers.

    .. math:: T_N(x, y) = \sum_{i=0}^{N} \frac{k(x, y)^i}{i!}

    Each term is a valid kernel when :math:`k` is, so each partial sum is too. Terms are built as
    :math:`t_i = t_{i-1} \cdot (k / i)`. ``order`` :math:`N` is 0 to 1000; a term or sum that
    overflows float64 is refused.
    """
    check_callable(kernel, "kernel")
    n_max = check_int_in_range(order, "order", 0, MAX_ORDER)

    def k_taylor(X: object, Y: object = None) -> np.ndarray:
        matrix = _kernel_matrix(kernel, X, Y)
        term = np.ones_like(matrix)
        total = term.copy()
        with _refused_on_overflow(lambda: (
            f"Taylor order {n_max} of kernel {_kernel_name(kernel)} overflows float64: its "
            f"largest |value| is {np.abs(matrix).max():.6g}; rescale the inputs or lower the order"
        )):
            for i in range(1, n_max + 1):
                term = term * (matrix / i)
                total += term
        return total

    k_taylor.__name__ = f"taylor_exp({_kernel_name(kernel)}, order={n_max})"
    k_taylor.__qualname__ = k_taylor.__name__
    return k_taylor


def spectrum(K: object, name: str = "K") -> tuple[np.ndarray, np.ndarray]:
    r"""Eigenvalues (ascending) and eigenvectors of a symmetric :math:`K = U \Lambda U^\top`.

    ``K`` is square, symmetric to :math:`10^{-9}` of its largest entry (``name`` names it in the
    errors), entries at most :math:`10^{300}`. Column :math:`i` of the vectors belongs to
    ``eigenvalues[i]``.
    """
    return np.linalg.eigh(as_symmetric(K, name, max_abs=WIDE_LIMIT))


def min_eigenvalue(K: object) -> float:
    r"""Smallest eigenvalue :math:`\lambda_{\min}` of a symmetric ``K`` (in the domain of
    :func:`spectrum`): :math:`K` is PSD exactly when :math:`\lambda_{\min} \ge 0`."""
    return float(spectrum(K)[0][0])


#: The constant :math:`c` of the PSD tolerance :math:`c\, n\, \varepsilon \max_i |\lambda_i|`.
PSD_FACTOR = 100.0


def psd_tolerance(eigenvalues: object) -> float:
    r"""How far below zero rounding can push the smallest computed eigenvalue of a PSD matrix.

    .. math:: \tau = c \, n \, \varepsilon \, \max_i |\lambda_i|, \qquad c = 100,
              \ \varepsilon = 2^{-52}

    Why (notebook 2, *Check*): ``eigvalsh`` is backward stable, so each eigenvalue moves by at most
    :math:`p(n)\, \varepsilon \lVert K \rVert_2` with :math:`p(n)` a modest multiple of :math:`n`
    (Weyl), and rounding the entries adds at most :math:`n \varepsilon \lVert K \rVert_2`;
    :math:`\lVert K \rVert_2 = \max_i |\lambda_i|`, and :math:`c` leaves room for the constants.
    ``eigenvalues`` are any finite numbers, 1-D.
    """
    values = as_float_array(eigenvalues, "eigenvalues", ndim=1,
                            max_abs=np.finfo(np.float64).max)
    return psd_rtol(values.size) * float(np.abs(values).max())


def psd_rtol(n: int) -> float:
    r"""The relative PSD tolerance :math:`c\, n\, \varepsilon` of an n-by-n matrix
    (:func:`psd_tolerance`); ``n`` from 1 to :math:`10^8`."""
    return PSD_FACTOR * check_int_in_range(n, "n", 1, MAX_ENTRIES) * float(np.finfo(float).eps)


def relative_min_eigenvalue(K: object) -> float:
    r""":math:`\lambda_{\min} / \max_i |\lambda_i|` (0 for the zero matrix): how far below zero
    a matrix is, whatever its scale; :func:`is_psd` compares it with :math:`-c\, n\, \varepsilon`.
    Same domain as :func:`spectrum`."""
    eigenvalues = spectrum(K)[0]
    top = np.abs(eigenvalues).max()
    return float(eigenvalues[0] / top) if top > 0 else 0.0


def is_psd(K: object, tol: float | None = None) -> bool:
    r"""Whether a symmetric matrix is positive semi-definite: :math:`\lambda_{\min} \ge -\tau`.

    ``K`` is in the domain of :func:`spectrum`; ``tol`` :math:`\tau` from 0 to :math:`10^{50}`,
    by default :func:`psd_tolerance` (relative to the largest eigenvalue: the same at any scale).
    """
    tau = None if tol is None else check_nonnegative(tol, "tol")
    eigenvalues = spectrum(K)[0]
    return bool(eigenvalues[0] >= -(psd_tolerance(eigenvalues) if tau is None else tau))


def gp_samples(K: object, n_samples: int, rng: np.random.Generator) -> np.ndarray:
    r"""Samples of a Gaussian process, :math:`f \sim \mathcal N(0, K)` (notebook 2, *Beyond
    the homework*).

    With :math:`K = U \Lambda U^\top`, :math:`f = U \Lambda^{1/2} z`,
    :math:`z \sim \mathcal N(0, I)`; eigenvalues within :func:`psd_tolerance` of zero are
    rounding and count as 0. ``K`` is symmetric PSD, in the domain of :func:`spectrum`;
    ``n_samples`` at least 1. Returns one sampled function per row, shape (n_samples, n).
    """
    count = check_int_in_range(n_samples, "n_samples", 1, MAX_ENTRIES)
    check_generator(rng, "rng")
    eigenvalues, vectors = spectrum(K)
    check_entries(count * eigenvalues.size, "n_samples",
                  f"{count} samples at {eigenvalues.size} points")
    tau = psd_tolerance(eigenvalues)
    if eigenvalues[0] < -tau:
        raise ValueError(
            f"K must be PSD to be a covariance, got smallest eigenvalue {eigenvalues[0]:.3g} "
            f"(below the rounding tolerance -{tau:.2g}): the kernel is not valid"
        )
    scales = np.sqrt(np.where(eigenvalues > tau, eigenvalues, 0.0))
    z = rng.standard_normal((count, eigenvalues.size))
    return (z * scales) @ vectors.T


def gp_posterior(
    kernel: Kernel, X: object, y: object, X_new: object, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and standard deviation of a Gaussian-process posterior at ``X_new`` (notebook 2, *Going
    deeper*), for observations :math:`y_i = f(x_i) + e_i` with noise variance :math:`\sigma^2`:

    .. math::

        \mu(x) = k(x, X)\,(K + \sigma^2 I)^{-1} y, \qquad
        s^2(x) = k(x, x) - k(x, X)\,(K + \sigma^2 I)^{-1} k(X, x),

    computed by Rasmussen and Williams' Algorithm 2.1: with :math:`L L^\top = K + \sigma^2 I`,
    :math:`\mu(x) = k(x, X)\, L^{-\top} L^{-1} y` and
    :math:`s^2(x) = k(x, x) - \lVert L^{-1} k(X, x) \rVert^2`. The mean is :class:`KernelRidge`'s
    prediction with :math:`\alpha = \sigma^2`; scikit-learn's
    ``GaussianProcessRegressor(kernel, alpha=noise, optimizer=None)`` gives the same.

    Parameters
    ----------
    kernel : callable
        A valid kernel ``kernel(X, Y=None)``.
    X, y : array_like, shapes (n, d) or (n,), and (n,)
    X_new : array_like, shape (m, d) or (m,)
    noise : float
        :math:`\sigma^2`, a positive scale.

    Returns
    -------
    mean, std : numpy.ndarray, shape (m,)
        A variance that rounding pushes below 0 is returned as 0.
    """
    check_callable(kernel, "kernel")
    sigma2 = check_positive(noise, "noise")
    x, x_new = as_points(X, "X"), as_points(X_new, "X_new")
    target = as_float_array(y, "y", ndim=1).astype(np.float64, copy=False)
    if target.shape[0] != x.shape[0]:
        raise ValueError(f"y has {target.shape[0]} values but X has {x.shape[0]} points")
    n, m = len(x), len(x_new)
    check_entries(n * max(n, m), "X", f"a ({n}, {n}) Gram matrix and an ({n}, {m}) kernel matrix")
    gram = _kernel_matrix(kernel, x, None)
    cross = _kernel_matrix(kernel, x, x_new)  # k(X, x) for every new point x, shape (n, m)
    # k(x, x) for each new point, one at a time: the (m, m) matrix would cost m^2 numbers.
    prior = np.array([_kernel_matrix(kernel, point[None, :], None)[0, 0] for point in x_new])
    try:
        factor = np.linalg.cholesky(gram + sigma2 * np.eye(x.shape[0]))
    except np.linalg.LinAlgError as exc:
        raise ValueError(
            f"K + noise I is not positive definite for noise={sigma2!r}: the kernel is not valid "
            "on X (or noise is far below rounding of K)"
        ) from exc
    weights = scipy.linalg.cho_solve((factor, True), target)  # (K + noise I)^-1 y
    v = scipy.linalg.solve_triangular(factor, cross, lower=True)  # L^-1 k(X, x)
    variance = prior - np.sum(v**2, axis=0)
    return cross.T @ weights, np.sqrt(np.maximum(variance, 0.0))


def exp_feature_map(features: object, order: int) -> np.ndarray:
    r"""Features of :math:`\exp(k)` truncated at ``order``, from the features of :math:`k`
    (notebook 2, *Beyond the homework*).

    Since :math:`\langle \phi^{\otimes i}(x), \phi^{\otimes i}(x') \rangle = k(x, x')^i`,

    .. math:: \Phi_N(x) = \bigoplus_{i=0}^{N} \frac{\phi(x)^{\otimes i}}{\sqrt{i!}}

    has :math:`\Phi_N(x)^\top \Phi_N(x') = T_N(x, x')`, which tends to :math:`\exp(k(x, x'))`.
    ``features`` holds :math:`\phi(x_j)`, one row per point; ``order`` :math:`N` is 0 to 1000, and a
    coordinate that overflows float64 is refused. Returns shape (n, 1 + d + ... + d^N).
    """
    phi = as_points(features, "features")
    n_max = check_int_in_range(order, "order", 0, MAX_ORDER)
    n, d = phi.shape
    size = sum(d**i for i in range(n_max + 1))
    check_entries(n * size, "order", f"{n} points with {size} coordinates each (order {n_max})")
    blocks = [np.ones((n, 1))]
    with _refused_on_overflow(lambda: (
        f"order {n_max} with features up to {np.abs(phi).max():.3g} gives coordinates beyond "
        "float64; choose a lower order or rescale the features"
    )):
        for i in range(1, n_max + 1):  # phi^(i)/sqrt(i!) = (phi^(i-1)/sqrt((i-1)!)) x phi/sqrt(i)
            blocks.append((blocks[-1][:, :, None] * phi[:, None, :]).reshape(n, -1) / math.sqrt(i))
    return np.hstack(blocks)


class KernelRidge(RegressorMixin, BaseEstimator):
    r"""Kernel ridge regression with any kernel function, a scikit-learn estimator.

    Fitting solves :math:`(K + \alpha I)\, a = y` with :math:`K_{ij} = k(x_i, x_j)`; a prediction is
    :math:`\hat y(x) = \sum_i a_i\, k(x, x_i)`: scikit-learn's
    ``KernelRidge(kernel="precomputed", alpha=alpha)`` on :math:`K`.

    Parameters
    ----------
    kernel : callable, default :func:`linear`
        A valid kernel with values at most :math:`10^{150}`; one for which :math:`K + \alpha I` is
        not positive definite is refused by name.
    alpha : float, default 1.0
        A positive scale. Both are checked by :meth:`fit`, on at most :math:`10^4` points.

    Attributes
    ----------
    X_fit_ : numpy.ndarray, shape (n, d)
    dual_coef_ : numpy.ndarray, shape (n,) or (n, t)
    """

    def __init__(self, kernel: Kernel = linear, alpha: float = 1.0) -> None:
        self.kernel = kernel
        self.alpha = alpha

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # y of shape (n, t) fits t targets at once
        return tags

    def fit(self, X: object, y: object) -> KernelRidge:
        """Fit on points ``X`` (n, d) or (n,) and targets ``y`` (n,) or (n, t)."""
        check_callable(self.kernel, "kernel")
        alpha = check_positive(self.alpha, "alpha")
        x, target = validate_data(self, _as_2d(X), y, dtype=np.float64, multi_output=True,
                                  y_numeric=True, ensure_all_finite=False)
        x = as_float_array(x, "X", ndim=2)
        target = as_float_array(target, "y", ndim=(1, 2))
        check_entries(len(x) ** 2, "X", f"a ({len(x)}, {len(x)}) Gram matrix")
        gram = as_float_array(_kernel_matrix(self.kernel, x, None), "kernel(X)", ndim=2,
                              max_abs=PRODUCT_LIMIT)
        try:
            self.dual_coef_ = scipy.linalg.solve(gram + alpha * np.eye(len(x)), target,
                                                 assume_a="pos")
        except np.linalg.LinAlgError as exc:
            raise ValueError(
                f"K + alpha I is not positive definite for alpha={alpha!r}: the kernel "
                f"{_kernel_name(self.kernel)} is not valid (PSD) on X, or alpha is too small"
            ) from exc
        self.X_fit_ = x
        return self

    def predict(self, X: object) -> np.ndarray:
        r"""Predictions :math:`k(X, X_{\text{fit}})\, a`, shape (m,) or (m, t)."""
        check_is_fitted(self)
        x = validate_data(self, _as_2d(X), dtype=np.float64, reset=False, ensure_all_finite=False)
        x = as_float_array(x, "X", ndim=2)
        check_entries(len(x) * len(self.X_fit_), "X",
                      f"a ({len(x)}, {len(self.X_fit_)}) kernel matrix")
        return _kernel_matrix(self.kernel, x, self.X_fit_) @ self.dual_coef_


def _as_2d(X: object) -> object:
    """A 1-D array of points becomes a column."""
    if not hasattr(X, "ndim"):  # a list or another array-like
        X = np.asarray(X)
    return np.asarray(X)[:, None] if X.ndim == 1 else X
