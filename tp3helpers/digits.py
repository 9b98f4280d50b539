r"""The three results together on handwritten digits (notebook 4).

A Gaussian kernel classifier for scikit-learn's 8 x 8 digits: the Gaussian kernel is valid
(Question 2), so :class:`NystromFeatures` turn a linear model into a kernel model; a softmax
classifier on them (Question 1) minimises :class:`SoftmaxObjective`, whose curvature bounds give
Polyak's parameters and :func:`predicted_steps` (Question 3). Inputs follow the domain of
:mod:`tp3helpers._validation`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from ._validation import (
    as_float_array,
    check_entries,
    check_generator,
    check_in_range,
    check_int_in_range,
    check_positive,
    short_repr,
)
from .kernels import as_points, gaussian, spectrum
from .momentum import convergence_rate
from .softmax import cross_entropy, cross_entropy_grad, one_hot, softmax

__all__ = [
    "DigitsSplit",
    "load_digits_split",
    "choose_landmarks",
    "inverse_sqrt_psd",
    "NystromFeatures",
    "SoftmaxObjective",
    "minibatch_gradient",
    "accuracy",
    "predicted_steps",
    "RCOND",
]

#: Eigenvalues of :math:`K_{mm}` below ``RCOND`` times the largest are dropped.
RCOND = 1e-10
#: Number of images in scikit-learn's digits.
_N_DIGITS = 1797


class DigitsSplit(NamedTuple):
    """Training and held-out digits: pixels scaled to [0, 1], one image per row (64 pixels)."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def load_digits_split(test_fraction: float = 0.3, seed: int = 0) -> DigitsSplit:
    """scikit-learn's 1,797 handwritten digits, pixels divided by 16, split by ``train_test_split``.

    ``test_fraction`` in :math:`(0, 1796/1797]` (both parts non-empty) is held out, drawn with
    ``random_state=seed``, an integer from 0 to :math:`2^{32} - 1`.
    """
    from sklearn.datasets import load_digits  # the bundled copy, no download

    fraction = check_in_range(test_fraction, "test_fraction", 0.0, 1 - 1 / _N_DIGITS,
                              low_inclusive=False)
    state = check_int_in_range(seed, "seed", 0, 2**32 - 1)
    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data / 16.0, digits.target.astype(np.int64), test_size=fraction,
        random_state=state,
    )
    return DigitsSplit(X_train, X_test, y_train, y_test)


def choose_landmarks(X: object, m: int, rng: np.random.Generator) -> np.ndarray:
    """``m`` distinct rows of ``X`` drawn with ``rng``, from 1 to the number of rows: the Nyström
    landmarks."""
    points = as_points(X)
    count = check_int_in_range(m, "m", 1, len(points))
    check_generator(rng, "rng")
    return points[rng.choice(len(points), size=count, replace=False)]


def inverse_sqrt_psd(K: object, rcond: float = RCOND) -> tuple[np.ndarray, np.ndarray, int]:
    r"""The (pseudo-)inverse square root of a PSD matrix, :math:`K^{-1/2} = U S^{-1/2} U^\top`.

    :math:`K = U S U^\top`; an eigenvalue is kept when :math:`s_i > \text{rcond} \cdot s_{\max}`,
    the others (zero, or rounding noise) are dropped, since :math:`s_i^{-1/2}` would amplify noise.
    Then :math:`K K^{-1/2} K^{-1/2} K` differs from :math:`K` by at most
    :math:`\text{rcond}\, s_{\max}`. ``K`` is in the domain of :func:`tp3helpers.kernels.spectrum`,
    with a positive eigenvalue; ``rcond`` from 0 to 1. Returns ``(inv_sqrt, eigenvalues, kept)``:
    all the eigenvalues of ``K`` ascending, and how many were kept.
    """
    tol = check_in_range(rcond, "rcond", 0.0, 1.0)
    eigenvalues, vectors = spectrum(K)
    if eigenvalues[-1] <= 0:
        raise ValueError(f"K must have a positive eigenvalue, got largest {eigenvalues[-1]:.3g}")
    keep = eigenvalues > tol * eigenvalues[-1]
    scaled = vectors[:, keep] / np.sqrt(eigenvalues[keep])
    return scaled @ vectors[:, keep].T, eigenvalues, int(keep.sum())


class NystromFeatures:
    r"""Nyström features of the Gaussian kernel: :math:`\phi(x) = K_{mm}^{-1/2}\, k_m(x)`.

    :math:`k_m(x) = (k(x, z_1), \dots, k(x, z_m))` holds the kernel values at the landmarks
    :math:`z_j`, and :math:`K_{mm}`, their Gram matrix, is PSD as the kernel is valid (notebook 4,
    *Theory*): :math:`\phi(x)^\top \phi(x')` approximates :math:`k(x, x')`. scikit-learn's
    ``Nystroem(kernel="rbf")`` computes the same features. ``bandwidth`` is :math:`h` of
    :func:`tp3helpers.kernels.gaussian`, ``rcond`` as in :func:`inverse_sqrt_psd`; the attributes
    ``gram``, ``inv_sqrt``, ``eigenvalues`` and ``kept`` are :math:`K_{mm}` and what
    :func:`inverse_sqrt_psd` returns.
    """

    def __init__(self, landmarks: object, bandwidth: float, rcond: float = RCOND) -> None:
        self.landmarks = as_points(landmarks, "landmarks")
        self.bandwidth = check_positive(bandwidth, "bandwidth")
        self.gram = gaussian(self.landmarks, bandwidth=self.bandwidth)
        self.inv_sqrt, self.eigenvalues, self.kept = inverse_sqrt_psd(self.gram, rcond)

    def transform(self, X: object) -> np.ndarray:
        r""":math:`\Phi = K_{nm} K_{mm}^{-1/2}`, shape (n, m), for points ``X`` of shape (n, d)."""
        points = as_points(X)
        if points.shape[1] != self.landmarks.shape[1]:
            raise ValueError(f"X must have {self.landmarks.shape[1]} features, got {points.shape}")
        return gaussian(points, self.landmarks, bandwidth=self.bandwidth) @ self.inv_sqrt


class SoftmaxObjective:
    r"""The penalised softmax loss on features, as a function of flattened weights.

    .. math::

        J(W) = -\sum_n \sum_k t_{kn} \ln y_{kn} + \frac{\alpha}{2}\lVert W\rVert^2, \qquad
        Y = \operatorname{softmax}(\Phi W^\top), \qquad
        \nabla J(W) = (Y - T)^\top \Phi + \alpha W,

    with :math:`W` of shape :math:`C \times D`, one row per class (scikit-learn's ``coef_``). No
    intercept, so the curvature is at least :math:`\mu = \alpha`; the Hessian of the cross-entropy
    in one sample's logits, :math:`\operatorname{diag}(y) - y y^\top`, has eigenvalues at most
    :math:`\tfrac12`, so it is at most :math:`L = \tfrac12\sigma_{\max}(\Phi)^2 + \alpha`.
    ``features`` :math:`\Phi` has shape (N, D), ``labels`` are (N,) classes in
    ``0 .. num_classes - 1``, ``alpha`` is a positive scale.
    """

    def __init__(self, features: object, labels: object, alpha: float,
                 num_classes: int = 10) -> None:
        self.features = as_float_array(features, "features", ndim=2)
        one_hot(labels, num_classes)  # checks the labels, and that (N, C) arrays are allowed
        self.labels, self.num_classes = np.asarray(labels), int(num_classes)
        if self.labels.shape != (len(self.features),):
            raise ValueError(
                f"labels must have one entry per row of features, shape ({len(self.features)},),"
                f" got shape {self.labels.shape}"
            )
        self.alpha = check_positive(alpha, "alpha")
        self.shape = (self.num_classes, self.features.shape[1])

    @property
    def size(self) -> int:
        """Number of weights, :math:`C D`."""
        return self.shape[0] * self.shape[1]

    def weights(self, w: object) -> np.ndarray:
        """Flattened weights ``w`` of size C D as the (C, D) matrix :math:`W`."""
        arr = as_float_array(w, "w")
        if arr.size != self.size:
            raise ValueError(
                f"w must have {self.size} entries (C D = {self.shape}), got shape {arr.shape}"
            )
        return arr.reshape(self.shape)

    def value(self, w: object) -> float:
        """:math:`J(W)`."""
        return self.value_and_grad(w)[0]

    def grad(self, w: object) -> np.ndarray:
        r""":math:`\nabla J(W) = (Y - T)^\top \Phi + \alpha W`, flattened like ``w``."""
        return self.value_and_grad(w)[1]

    def value_and_grad(self, w: object) -> tuple[float, np.ndarray]:
        r""":math:`J(W)` and :math:`\nabla J(W)` from one product :math:`\Phi W^\top`."""
        W = self.weights(w)
        logits = self.features @ W.T
        value = cross_entropy(logits, self.labels) + 0.5 * self.alpha * float(np.sum(W * W))
        g = cross_entropy_grad(logits, self.labels).T @ self.features + self.alpha * W
        return value, g.reshape(np.shape(w))

    def minibatch_grad(self, w: object, rows: object) -> np.ndarray:
        r"""An unbiased estimate of :math:`\nabla J(W)` from the samples ``rows`` alone (notebook 4,
        *Beyond the homework*):

        .. math:: \frac{N}{B}\,(Y_B - T_B)^\top \Phi_B + \alpha W,

        with :math:`B` the number of rows and :math:`\Phi_B, Y_B, T_B` only those rows.
        """
        W = self.weights(w)
        batch = np.asarray(rows)
        if batch.dtype.kind not in "iu" or batch.ndim != 1 or batch.size == 0:
            raise ValueError(f"rows must be a non-empty 1-D array of sample indices, got "
                             f"{short_repr(rows)}")
        if batch.min() < 0 or batch.max() >= len(self.features):
            raise ValueError(f"rows must lie in [0, {len(self.features) - 1}], got "
                             f"{short_repr(batch)}")
        phi = self.features[batch]
        residual = cross_entropy_grad(phi @ W.T, self.labels[batch])
        scale = len(self.features) / batch.size
        return (scale * residual.T @ phi + self.alpha * W).reshape(np.shape(w))

    def hessian(self, w: object) -> np.ndarray:
        r"""The Hessian of :math:`J` at ``w``, a :math:`CD \times CD` matrix ordered like ``w``:

        .. math:: \nabla^2 J = \sum_n \bigl(\operatorname{diag}(y_n) - y_n y_n^\top\bigr)
                  \otimes \phi_n \phi_n^\top + \alpha I,

        block :math:`(k, l)` being :math:`\Phi^\top \operatorname{diag}\bigl(y_{kn}(\delta_{kl} -
        y_{ln})\bigr)_n \Phi`.
        """
        W = self.weights(w)
        C, D = self.shape
        check_entries((C * D) ** 2, "w", f"a ({C * D}, {C * D}) Hessian")
        Y = softmax(self.features @ W.T)
        H = np.empty((C, D, C, D))
        for k in range(C):
            for m in range(C):
                weight = Y[:, k] * (float(k == m) - Y[:, m])
                H[k, :, m, :] = (self.features * weight[:, None]).T @ self.features
        return H.reshape(C * D, C * D) + self.alpha * np.eye(C * D)

    def curvature_bounds(self) -> tuple[float, float]:
        r""":math:`(\mu, L) = (\alpha, \tfrac12 \sigma_{\max}(\Phi)^2 + \alpha)`."""
        sigma = float(np.linalg.norm(self.features, 2))
        return self.alpha, 0.5 * sigma * sigma + self.alpha

    def predict(self, w: object, features: object) -> np.ndarray:
        """Most probable class of each row of ``features`` (n, D) under weights ``w``."""
        phi = as_float_array(features, "features", ndim=2)
        if phi.shape[1] != self.shape[1]:
            raise ValueError(f"features must have {self.shape[1]} columns, got shape {phi.shape}")
        return np.argmax(phi @ self.weights(w).T, axis=1)


def minibatch_gradient(objective: SoftmaxObjective, batch_size: int,
                       rng: np.random.Generator) -> Callable[[np.ndarray], np.ndarray]:
    """A stochastic gradient for :func:`tp3helpers.momentum.momentum_descent`: each call draws
    ``batch_size`` distinct samples (1 to :math:`N`) with ``rng`` and returns
    :meth:`SoftmaxObjective.minibatch_grad` on them."""
    if not isinstance(objective, SoftmaxObjective):
        raise TypeError(f"objective must be a SoftmaxObjective, got {short_repr(objective)}")
    n = len(objective.features)
    size = check_int_in_range(batch_size, "batch_size", 1, n)
    check_generator(rng, "rng")

    def grad(w: np.ndarray) -> np.ndarray:
        return objective.minibatch_grad(w, rng.choice(n, size=size, replace=False))

    return grad


def accuracy(predicted: object, labels: object) -> float:
    """Fraction of ``predicted`` equal to ``labels`` (1-D, one non-empty shape)."""
    p, t = np.asarray(predicted), np.asarray(labels)
    if p.shape != t.shape or p.ndim != 1 or p.size == 0:
        raise ValueError(f"predicted and labels must have the same non-empty 1-D shape, "
                         f"got {p.shape} and {t.shape}")
    return float(accuracy_score(t, p))


def predicted_steps(rho: float, eta: float, mu: float, L: float, tol: float) -> int:
    r"""Steps to shrink the error by ``tol`` at the worst-case rate over curvatures in
    :math:`[\mu, L]`.

    .. math:: t = \left\lceil \frac{\ln(1/\varepsilon)}{\ln(1/r)} \right\rceil, \qquad
              r = \texttt{convergence\_rate}(\rho, \eta, [\mu, L]):

    gradient descent with :math:`\eta = 1/L` has :math:`r = 1 - 1/\kappa`, so
    :math:`t \approx \kappa \ln(1/\varepsilon)`; momentum with :math:`(\rho^\star, \eta^\star)`
    has :math:`t \approx \tfrac12\sqrt\kappa \ln(1/\varepsilon)`, :math:`\kappa = L/\mu`.
    ``mu <= L`` positive scales, ``tol`` in :math:`(0, 1)`; refused when :math:`r \ge 1` in
    float64 (no convergence, or a rate within rounding of 1).
    """
    r, e = check_in_range(rho, "rho"), check_in_range(eta, "eta")
    eps = check_in_range(tol, "tol", 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    lo, hi = check_positive(mu, "mu"), check_positive(L, "L")
    if lo > hi:
        raise ValueError(f"mu must be <= L, got {lo!r} > {hi!r}")
    rate = convergence_rate(r, e, [lo, hi])
    if not rate < 1:
        raise ValueError(
            f"rho={r!r}, eta={e!r} do not converge on [mu, L] = [{lo:g}, {hi:g}]: the rate is "
            f"{rate:.17g}, not below 1 in float64"
        )
    if rate == 0:
        return 1
    return int(np.ceil(np.log(eps) / np.log(rate)))
