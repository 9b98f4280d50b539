r"""Kernels, their exponential and a kernel ridge regression (TP3, Question 2).

A kernel :math:`k` is *valid* when :math:`k(x, x') = \phi(x)^\top \phi(x')` for some feature map
:math:`\phi`; equivalently, every Gram matrix :math:`K_{ij} = k(x_i, x_j)` on a finite set of
points is symmetric positive semi-definite (PSD). The homework shows that

.. math:: \exp(k(x, x')) = \sum_{i=0}^{\infty} \frac{k(x, x')^i}{i!}

is valid whenever :math:`k` is.

Every kernel here takes points ``X`` of shape (n, d) (a 1-D array counts as n points in one
dimension) and optional ``Y`` of shape (m, d), and returns the (n, m) matrix
:math:`k(x_i, y_j)`; ``Y=None`` gives the Gram matrix of ``X``. Plain NumPy: it works in a script
with no Jupyter installed.
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
    check_in_range,
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
    "check_gram",
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
    """Validate points: a float64 array of shape (n, d), a 1-D array becoming (n, 1).

    Domain: finite coordinates at most :math:`10^{50}` in magnitude (see
    :mod:`tp3helpers._validation`). Raises ``ValueError`` for NaN, infinities, larger entries, an
    empty array or more than two dimensions.
    """
    arr = as_float_array(X, name, ndim=(1, 2))
    return arr[:, None] if arr.ndim == 1 else arr


def _pair(X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
    """Validated points ``(x, y)``; ``y`` is ``x`` when ``Y`` is ``None`` (a Gram matrix)."""
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
    """Run the block with float64 overflow raising ``ValueError(message())``, not returning inf.

    For the kernels whose values grow like a power (a polynomial, a Taylor series, tensor powers
    of features): their domain is "the result is finite", known only once it is computed.
    """
    with np.errstate(over="raise"):
        try:
            yield
        except FloatingPointError:
            raise ValueError(message()) from None


def linear(X: object, Y: object = None) -> np.ndarray:
    r"""Linear kernel :math:`k(x, y) = x^\top y`, with feature map :math:`\phi(x) = x`.

    Parameters
    ----------
    X : array_like, shape (n, d) or (n,)
        Points with coordinates at most :math:`10^{50}` in magnitude.
    Y : array_like, shape (m, d) or (m,), optional
        Defaults to ``X`` (the Gram matrix). The (n, m) result holds at most :math:`10^8` numbers.

    Returns
    -------
    numpy.ndarray, shape (n, m)
    """
    x, y = _pair(X, Y)
    return x @ y.T


def polynomial(X: object, Y: object = None, *, degree: int = 2, c: float = 1.0) -> np.ndarray:
    r"""Polynomial kernel :math:`k(x, y) = (x^\top y + c)^{\text{degree}}`.

    It is valid for :math:`c \ge 0`: :math:`c` is a (constant) valid kernel, the sum of valid
    kernels is valid and so is a product, hence an integer power. Negative ``c`` is refused,
    since it can give Gram matrices with negative eigenvalues.

    Parameters
    ----------
    X, Y : array_like
        As in :func:`linear`.
    degree : int, default 2
        From 0 (the all-ones kernel) to :data:`~tp3helpers._validation.MAX_ORDER` (1000).
    c : float, default 1.0
        Offset :math:`c \ge 0`. Matches scikit-learn's
        ``polynomial_kernel(X, Y, degree, gamma=1, coef0=c)``.

    Raises
    ------
    ValueError
        Also when a value :math:`(x^\top y + c)^{\text{degree}}` overflows float64.
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
    r"""Gaussian (RBF) kernel :math:`k(x, y) = \exp\!\left(-\lVert x - y\rVert^2 / (2 h^2)\right)`.

    :math:`h` is the ``bandwidth``. It matches scikit-learn's ``rbf_kernel`` with
    :math:`\gamma = 1 / (2 h^2)`. The squared distances come from
    ``scipy.spatial.distance.cdist(X, Y, "sqeuclidean")``, which sums the squared differences
    :math:`(x_i - y_i)^2` themselves: two points far from the origin but close to each other keep
    their distance (the expansion :math:`\lVert x\rVert^2 + \lVert y\rVert^2 - 2 x^\top y` would
    lose it to cancellation).

    Parameters
    ----------
    X, Y : array_like
        As in :func:`linear`.
    bandwidth : float, default 1.0
        Length scale :math:`h`, a positive scale (:math:`10^{-50}` to :math:`10^{50}`): the
        exponent is then at most :math:`2 \cdot 10^{200} d` in size, and its exponential
        underflows quietly to 0 when it is very negative.
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
    """``kernel(X, Y)`` as a float64 matrix, which must be finite, 2-D and of the right shape."""
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
    r"""The kernel :math:`\exp(k(x, y))`, entry by entry.

    Parameters
    ----------
    kernel : callable
        ``kernel(X, Y=None)`` returning a finite matrix, such as :func:`gaussian` or
        ``functools.partial(polynomial, degree=3)``.

    Returns
    -------
    callable
        ``k_exp(X, Y=None)`` returning :math:`\exp(K)` (element-wise, not the matrix exponential).
        Its domain: the values of :math:`K` are at most :data:`EXP_OVERFLOW` (about 709.78),
        where ``exp`` is finite; a larger one is refused with ``ValueError`` naming it. Very
        negative entries underflow to 0, which is the correctly rounded result.
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

    Each term is a valid kernel when :math:`k` is (a product of valid kernels, times
    :math:`1/i! > 0`; the :math:`i = 0` term is the constant kernel 1), so each partial sum is
    valid too. Terms are built as :math:`t_i = t_{i-1} \cdot (k / i)`. A partial sum is a
    polynomial, so it stays finite far beyond :data:`EXP_OVERFLOW` (order 0 is the constant 1,
    whatever :math:`k` is); ``ValueError`` is raised only when a term or the sum really overflows
    float64.

    Parameters
    ----------
    kernel : callable
        The base kernel ``kernel(X, Y=None)``, returning a finite matrix.
    order : int
        :math:`N`, from 0 to :data:`~tp3helpers._validation.MAX_ORDER` (1000).
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


def check_gram(K: object, name: str = "K", *, rtol: float = 1e-9) -> np.ndarray:
    r"""Validate a Gram matrix and return it made exactly symmetric, :math:`(K + K^\top)/2`.

    Domain: a square matrix with finite entries at most :math:`10^{300}` in magnitude (a matrix
    that is only measured, see :mod:`tp3helpers._validation`), symmetric up to
    ``rtol`` times its largest entry. ``name`` is the caller's name for ``K`` in error messages;
    ``rtol`` is a number from 0 to 1.
    """
    return as_symmetric(K, name, max_abs=WIDE_LIMIT, rtol=check_in_range(rtol, "rtol", 0, 1))


def spectrum(K: object, name: str = "K") -> tuple[np.ndarray, np.ndarray]:
    r"""Eigenvalues (ascending) and eigenvectors of a symmetric :math:`K = U \Lambda U^\top`.

    The one place where the package diagonalises a Gram matrix (``numpy.linalg.eigh`` on
    :func:`check_gram`'s symmetric copy). Same domain as :func:`check_gram`; the eigenvalues are
    then at most :math:`n \cdot 10^{300}` in size.

    Returns
    -------
    eigenvalues : numpy.ndarray, shape (n,)
    vectors : numpy.ndarray, shape (n, n)
        Column :math:`i` is the eigenvector of ``eigenvalues[i]``.
    """
    return np.linalg.eigh(check_gram(K, name))


def min_eigenvalue(K: object) -> float:
    r"""Smallest eigenvalue :math:`\lambda_{\min}` of a symmetric matrix ``K``.

    :math:`K` is PSD exactly when :math:`\lambda_{\min} \ge 0`, i.e. when
    :math:`c^\top K c \ge 0` for every vector :math:`c`. Same domain as :func:`check_gram`.
    """
    return float(spectrum(K)[0][0])


#: The constant :math:`c` of the PSD tolerance :math:`c\, n\, \varepsilon \max_i |\lambda_i|`.
PSD_FACTOR = 100.0


def psd_tolerance(eigenvalues: object) -> float:
    r"""How far below zero rounding can push the smallest computed eigenvalue of a PSD matrix.

    .. math:: \tau = c \, n \, \varepsilon \, \max_i |\lambda_i|, \qquad c = 100,
              \ \varepsilon = 2^{-52} \approx 2.2 \times 10^{-16}

    Why (notebook 2, section "Check"): a symmetric eigensolver such as ``numpy.linalg.eigvalsh``
    is backward stable, so its eigenvalues are the exact eigenvalues of :math:`K + E` with
    :math:`\lVert E \rVert_2 \le p(n)\, \varepsilon \lVert K \rVert_2` and :math:`p(n)` a
    modest multiple of :math:`n`; by Weyl's inequality each eigenvalue then moves by at most
    :math:`\lVert E \rVert_2`. Rounding the entries of :math:`K` (one relative error
    :math:`\varepsilon` each) adds at most :math:`n \varepsilon \max|K_{ij}| \le n \varepsilon
    \lVert K \rVert_2`. Both are relative to :math:`\lVert K \rVert_2 = \max_i |\lambda_i|`
    (the largest eigenvalue, for a PSD matrix); :math:`c = 100` leaves room for the constants.
    So the test compares :math:`\lambda_{\min} / \max_i|\lambda_i|` with :math:`c\, n\,
    \varepsilon` (about :math:`9 \times 10^{-13}` for :math:`n = 40`): a negative eigenvalue of
    relative size :math:`10^{-8}` is real, one of :math:`10^{-15}` is rounding.

    Parameters
    ----------
    eigenvalues : array_like, shape (n,)
        The computed eigenvalues of the symmetric matrix: any finite numbers, at most
        :math:`10^8` of them.
    """
    values = as_float_array(eigenvalues, "eigenvalues", ndim=1,
                            max_abs=np.finfo(np.float64).max)
    return psd_rtol(values.size) * float(np.abs(values).max())


def psd_rtol(n: int) -> float:
    r"""The relative PSD tolerance :math:`c\, n\, \varepsilon` for an n-by-n matrix (see
    :func:`psd_tolerance`): about :math:`8.9 \times 10^{-13}` for :math:`n = 40`. ``n`` is an
    integer from 1 to :math:`10^8`."""
    return PSD_FACTOR * check_int_in_range(n, "n", 1, MAX_ENTRIES) * float(np.finfo(float).eps)


def relative_min_eigenvalue(K: object) -> float:
    r"""The smallest eigenvalue relative to the largest in size, :math:`\lambda_{\min} /
    \max_i |\lambda_i|` (0 for the zero matrix).

    :func:`is_psd` compares it with :math:`-c\, n\, \varepsilon` (:func:`psd_rtol`): the
    number that says how far below zero a matrix is, whatever its scale. Same domain as
    :func:`check_gram`.
    """
    eigenvalues = spectrum(K)[0]
    top = np.abs(eigenvalues).max()
    return float(eigenvalues[0] / top) if top > 0 else 0.0


def is_psd(K: object, tol: float | None = None) -> bool:
    r"""Whether a symmetric matrix is positive semi-definite: :math:`\lambda_{\min} \ge -\tau`.

    Parameters
    ----------
    K : array_like, shape (n, n)
        In the domain of :func:`check_gram`: square, symmetric (a Gram matrix always is), finite
        entries at most :math:`10^{300}` in magnitude.
    tol : float, optional
        :math:`\tau`, from 0 to :math:`10^{50}`. The default, :func:`psd_tolerance`, is
        :math:`100\, n\, \varepsilon \max_i |\lambda_i|`: relative to the matrix's largest
        eigenvalue, so it means the same for a Gram matrix of unit scale and for one whose
        entries reach :math:`10^{10}` or :math:`10^{300}`.
    """
    tau = None if tol is None else check_nonnegative(tol, "tol")
    eigenvalues = spectrum(K)[0]
    return bool(eigenvalues[0] >= -(psd_tolerance(eigenvalues) if tau is None else tau))


def gp_samples(K: object, n_samples: int, rng: np.random.Generator) -> np.ndarray:
    r"""Draw functions from a Gaussian process: samples of :math:`f \sim \mathcal N(0, K)`.

    A Gaussian process with kernel :math:`k` is a random function whose values at any points
    :math:`x_1, \dots, x_n` are jointly Gaussian with mean 0 and covariance
    :math:`K_{ij} = k(x_i, x_j)`: a covariance needs exactly a valid kernel. With
    :math:`K = U \Lambda U^\top`, each sample is :math:`f = U \Lambda^{1/2} z`,
    :math:`z \sim \mathcal N(0, I)`; eigenvalues within :func:`psd_tolerance` of zero are
    rounding and are taken as 0 (a Cholesky factorisation would fail on the negative ones, and
    the square root of a rounding error, about :math:`10^{-8}`, would add visible noise). Derived in
    notebook 2, "Beyond the homework".

    Parameters
    ----------
    K : array_like, shape (n, n)
        A symmetric PSD matrix in the domain of :func:`check_gram` (``ValueError`` when it has an
        eigenvalue below :math:`-\tau`).
    n_samples : int
        Number of functions, at least 1; the (n_samples, n) result holds at most :math:`10^8`
        numbers.
    rng : numpy.random.Generator
        The seeded source of :math:`z`.

    Returns
    -------
    numpy.ndarray, shape (n_samples, n)
        One sampled function per row, evaluated at the n points.
    """
    count = check_int_in_range(n_samples, "n_samples", 1, MAX_ENTRIES)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {short_repr(rng)}")
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
    r"""Mean and standard deviation of a Gaussian-process posterior at the points ``X_new``.

    The model: a function :math:`f` drawn from the Gaussian process with covariance :math:`k`,
    observed with independent Gaussian noise of variance :math:`\sigma^2`,
    :math:`y_i = f(x_i) + e_i`. Given the observations, :math:`f(x)` is Gaussian with

    .. math::

        \mu(x) = k(x, X)\,(K + \sigma^2 I)^{-1} y, \qquad
        s^2(x) = k(x, x) - k(x, X)\,(K + \sigma^2 I)^{-1} k(X, x),

    computed as in Rasmussen and Williams, *Gaussian Processes for Machine Learning*, Algorithm
    2.1: with the Cholesky factor :math:`L L^\top = K + \sigma^2 I`,
    :math:`\mu(x) = k(x, X)\, L^{-\top} L^{-1} y` and :math:`s^2(x) = k(x, x) - \lVert L^{-1}
    k(X, x) \rVert^2`. The mean is the prediction of kernel ridge regression with penalty
    :math:`\alpha = \sigma^2` (:class:`KernelRidge`); :math:`s` is the uncertainty that kernel
    ridge does not give (notebook 2, "Going deeper: kernel ridge is a Gaussian-process mean").
    Matches scikit-learn's ``GaussianProcessRegressor(kernel, alpha=noise, optimizer=None)``.

    Parameters
    ----------
    kernel : callable
        A valid kernel ``kernel(X, Y=None)``, such as ``functools.partial(gaussian, bandwidth=h)``.
    X : array_like, shape (n, d) or (n,)
        The observed points.
    y : array_like, shape (n,)
        The observations.
    X_new : array_like, shape (m, d) or (m,)
        Where to evaluate the posterior.
    noise : float
        The noise variance :math:`\sigma^2 > 0`.

    Returns
    -------
    mean, std : numpy.ndarray, shape (m,)
        :math:`\mu` and :math:`s` at each point of ``X_new`` (the uncertainty of :math:`f`, without
        the noise). A variance that rounding pushes below 0, at most a few :math:`\varepsilon
        k(x, x)` in size, is returned as 0.

    Raises
    ------
    ValueError
        If ``y`` does not have one value per point, or :math:`K + \sigma^2 I` is not positive
        definite (the kernel is not valid on ``X``).
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
    r"""Features of :math:`\exp(k)` truncated at ``order``, from the features of :math:`k`.

    If :math:`k(x, x') = \phi(x)^\top \phi(x')`, then
    :math:`\langle \phi^{\otimes i}(x), \phi^{\otimes i}(x') \rangle = k(x, x')^i`, and the
    direct sum

    .. math:: \Phi_N(x) = \bigoplus_{i=0}^{N} \frac{\phi(x)^{\otimes i}}{\sqrt{i!}}

    has inner products :math:`\Phi_N(x)^\top \Phi_N(x') = \sum_{i=0}^{N} k(x, x')^i / i! =
    T_N(x, x')`, which tend to :math:`\exp(k(x, x'))`. This is the homework's step 1 made
    concrete (notebook 2, "Beyond the homework"). With :math:`\phi(x) \in \mathbb R^d` the
    map has :math:`\sum_{i \le N} d^i` coordinates; :math:`\phi^{\otimes 0} = 1`.

    Parameters
    ----------
    features : array_like, shape (n, d) or (n,)
        :math:`\phi(x_j)` for each point, one per row, in the domain of :func:`as_points`.
    order : int
        :math:`N`, from 0 to :data:`~tp3helpers._validation.MAX_ORDER` (1000); the (n, size)
        result holds at most :math:`10^8` numbers, and a coordinate that overflows float64 is
        refused.

    Returns
    -------
    numpy.ndarray, shape (n, 1 + d + ... + d^N)
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
    r"""Kernel ridge regression with any kernel function.

    Fitting solves :math:`(K + \alpha I)\, a = y` for the dual coefficients :math:`a`, with
    :math:`K_{ij} = k(x_i, x_j)`; a prediction at :math:`x` is
    :math:`\hat y(x) = \sum_i a_i\, k(x, x_i)`. This is scikit-learn's
    ``KernelRidge(kernel="precomputed", alpha=alpha)`` fitted on :math:`K`, solved as it does by
    a Cholesky factorisation (``scipy.linalg.solve(..., assume_a="pos")``).

    A scikit-learn estimator: ``kernel`` and ``alpha`` are plain parameters (``get_params``,
    ``clone``, ``GridSearchCV`` over a list of kernels such as
    ``[partial(gaussian, bandwidth=h) for h in ...]``); they are checked when :meth:`fit` runs.

    Domain: points ``X`` and targets ``y`` with finite entries at most :math:`10^{50}` in
    magnitude, at most :math:`10^4` training points (the Gram matrix holds at most :math:`10^8`
    numbers), and a valid kernel, so that :math:`K + \alpha I` is positive definite; a kernel
    whose Gram matrix is not PSD enough for that is refused by name.

    Parameters
    ----------
    kernel : callable, default :func:`linear`
        ``kernel(X, Y=None)``, for instance ``exp_kernel(linear)``, returning finite values at most
        :math:`10^{150}` in magnitude.
    alpha : float, default 1.0
        Ridge penalty :math:`\alpha`, a positive scale (:math:`10^{-50}` to :math:`10^{50}`).

    Attributes
    ----------
    X_fit_ : numpy.ndarray, shape (n, d)
    dual_coef_ : numpy.ndarray, shape (n,) or (n, t)
    n_features_in_ : int
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
    """A 1-D array of points becomes a column, as everywhere in this module."""
    if not hasattr(X, "ndim"):  # a list or another array-like
        X = np.asarray(X)
    return np.asarray(X)[:, None] if X.ndim == 1 else X
