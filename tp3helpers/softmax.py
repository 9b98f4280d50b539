r"""Softmax, cross-entropy and its gradient (TP3, Question 1).

Notation follows the homework: for sample :math:`n` with logits :math:`a_{kn}`,

.. math::

    y_{kn} = \frac{e^{a_{kn}}}{\sum_c e^{a_{cn}}}, \qquad
    E_D = -\sum_n \sum_k t_{kn} \ln y_{kn}, \qquad
    \frac{\partial E_D}{\partial a_{kn}} = y_{kn} - t_{kn}.

Arrays hold one sample per row: ``logits`` and ``targets`` have shape (N, K). Domain: logits at
most :math:`10^{150}` in magnitude, or ``-inf`` (probability 0), with a finite one in every slice;
other inputs as in :mod:`tp3helpers._validation`.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._validation import (
    LIMIT,
    MAX_ENTRIES,
    MAX_STEPS,
    PRODUCT_LIMIT,
    as_float_array,
    check_axis,
    check_entries,
    check_int_in_range,
    check_nonnegative,
    check_positive,
    short_repr,
)

__all__ = [
    "softmax",
    "log_softmax",
    "one_hot",
    "cross_entropy",
    "cross_entropy_grad",
    "SoftmaxRegression",
]


def _shifted(a: object, axis: object, name: str, ndim: int | None = None) -> np.ndarray:
    """The logits ``a``, checked, minus their maximum along ``axis``: ``exp`` never overflows."""
    logits = as_float_array(a, name, ndim=ndim, max_abs=PRODUCT_LIMIT, allow_neg_inf=True)
    if logits.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension, got a scalar {logits!r}")
    axis = check_axis(axis, logits.ndim, name)
    peak = logits.max(axis=axis, keepdims=True)
    if np.isneginf(peak).any():
        raise ValueError(
            f"{name} has a slice along axis {axis} whose entries are all -inf; softmax is "
            "undefined there (at least one finite logit per slice is needed)"
        )
    return logits - peak


def _dtype(a: object) -> type:
    """float32 logits give float32 probabilities; anything else gives float64."""
    return np.float32 if getattr(a, "dtype", None) == np.float32 else np.float64


def softmax(a: object, axis: int = -1) -> np.ndarray:
    r"""Numerically stable softmax along ``axis`` (notebook 1, *Theory*).

    .. math:: y_k = \frac{e^{a_k - m}}{\sum_c e^{a_c - m}}, \qquad m = \max_c a_c

    Softmax is shift invariant; subtracting the maximum keeps every exponent :math:`\le 0`. ``a``
    holds logits in the module's domain; the probabilities, same shape, sum to 1 along ``axis``
    (float32 logits give float32 probabilities).
    """
    return _softmax(a, axis, "a")


def _softmax(a: object, axis: object, name: str, ndim: int | None = None) -> np.ndarray:
    """:func:`softmax`, with the argument's name and dimension for the error messages."""
    e = np.exp(_shifted(a, axis, name, ndim))
    return (e / e.sum(axis=axis, keepdims=True)).astype(_dtype(a), copy=False)


def log_softmax(a: object, axis: int = -1) -> np.ndarray:
    r"""Numerically stable logarithm of :func:`softmax` (the log-sum-exp form of notebook 1).

    .. math:: \ln y_k = (a_k - m) - \ln \sum_c e^{a_c - m}, \qquad m = \max_c a_c

    Finite except for ``-inf`` logits, even where :math:`\ln(\mathrm{softmax}(a))` gives ``-inf``.
    """
    return _log_softmax(a, axis, "a")


def _log_softmax(a: object, axis: object, name: str, ndim: int | None = None) -> np.ndarray:
    shifted = _shifted(a, axis, name, ndim)
    log_sum = np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return (shifted - log_sum).astype(_dtype(a), copy=False)


def _labels(labels: np.ndarray, k: int, name: str) -> np.ndarray:
    """Integer class labels of shape (N,) in ``0 .. k - 1``."""
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integers, got dtype {labels.dtype} ({short_repr(labels)})")
    if labels.ndim != 1:
        raise ValueError(f"{name} must be 1-D of shape (N,), got shape {labels.shape}")
    bad = (labels < 0) | (labels >= k)
    if bad.any():
        raise ValueError(
            f"{name} must lie in 0..{k - 1} for {k} classes, got {short_repr(labels[bad])}"
        )
    return labels


def one_hot(labels: object, num_classes: int) -> np.ndarray:
    r"""One-hot encode integer class labels: :math:`t_{kn} = [\text{labels}_n = k]`.

    ``labels`` are integers in ``0 .. num_classes - 1``, shape (N,); returns float64 of shape
    (N, K), at most :math:`10^8` numbers.
    """
    k = check_int_in_range(num_classes, "num_classes", 1, MAX_ENTRIES)
    arr = _labels(np.asarray(labels), k, "labels")
    check_entries(arr.size * k, "num_classes", f"a ({arr.size}, {k}) one-hot matrix")
    out = np.zeros((arr.size, k))
    out[np.arange(arr.size), arr] = 1.0
    return out


def _targets(targets: object, shape: tuple[int, int]) -> np.ndarray:
    r"""Integer labels (N,) or non-negative rows (N, K) summing to 1 (:math:`\sum_k t_{kn} = 1`)."""
    n, k = shape
    arr = np.asarray(targets)
    if arr.dtype.kind in "iu" and arr.ndim == 1:
        if arr.shape[0] != n:
            raise ValueError(
                f"targets has {arr.shape[0]} labels but logits has {n} rows (shape {shape})"
            )
        return _labels(arr, k, "targets")
    rows = as_float_array(targets, "targets", ndim=(1, 2))
    if rows.ndim == 1:
        raise ValueError(
            f"targets of shape {rows.shape} must be integer labels of shape ({n},) or "
            f"probability rows of shape {shape}, got dtype {arr.dtype}"
        )
    if rows.shape != tuple(shape):
        raise ValueError(f"targets has shape {rows.shape} but logits has shape {tuple(shape)}")
    if (rows < 0).any():
        raise ValueError(f"targets must be non-negative, got {short_repr(rows[rows < 0])}")
    sums = rows.sum(axis=1)
    off = np.abs(sums - 1.0) > 1e-6
    if off.any():
        raise ValueError(
            "each row of targets must sum to 1 (sum_k t_kn = 1); rows "
            f"{short_repr(np.flatnonzero(off))} sum to {short_repr(sums[off])}"
        )
    return rows


def cross_entropy(logits: object, targets: object) -> float:
    r"""The homework's cross-entropy, summed over samples (not averaged).

    .. math:: E_D = -\sum_{n=1}^{N} \sum_{k=1}^{K} t_{kn} \ln y_{kn}, \qquad
              y_{kn} = \operatorname{softmax}(a_{\cdot n})_k

    ``logits`` have shape (N, K); ``targets`` are integer labels of shape (N,) or non-negative rows
    of shape (N, K) summing to 1. Returns :math:`E_D \ge 0`: :math:`\infty` where target mass sits
    on a ``-inf`` logit; terms with :math:`t_{kn} = 0` count as 0.
    """
    logp = _log_softmax(logits, 1, "logits", ndim=2)
    t = _targets(targets, logp.shape)
    if t.ndim == 1:  # integer labels: the one term with t_kn = 1 per sample
        return float(-logp[np.arange(t.size), t].sum())
    kept = t > 0
    return float(-(t[kept] * logp[kept]).sum())


def cross_entropy_grad(logits: object, targets: object) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to each sample's logits.

    .. math:: \frac{\partial E_D}{\partial a_{kn}} = y_{kn} - t_{kn}

    Same domain as :func:`cross_entropy` (which gives :math:`\sum_k t_{kn} = 1`, needed here).
    Returns shape (N, K), each row summing to 0.
    """
    y = _softmax(logits, 1, "logits", ndim=2)
    t = _targets(targets, y.shape)
    if t.ndim == 1:  # integer labels: subtract 1 at each sample's class instead of building T
        y[np.arange(t.size), t] -= 1
        return y
    return y - t.astype(y.dtype, copy=False)


class SoftmaxRegression(ClassifierMixin, BaseEstimator):
    r"""Multinomial logistic regression trained by full-batch gradient descent, a scikit-learn
    estimator.

    Minimises the homework's loss plus an L2 penalty on the weights (not on the intercept):

    .. math:: J(W, b) = -\sum_n \sum_k t_{kn} \ln y_{kn} + \frac{\lambda}{2} \lVert W \rVert^2,
              \qquad y_n = \operatorname{softmax}(W x_n + b),

    with :math:`\nabla_W J = (Y - T)^\top X + \lambda W` and
    :math:`\nabla_b J = \sum_n (y_n - t_n)`: at convergence, scikit-learn's
    ``LogisticRegression(C=1/l2)``.

    Parameters
    ----------
    l2 : float, default 1.0
        :math:`\lambda \ge 0`.
    learning_rate : float or None, default None
        A positive scale; ``None`` is :math:`1/L`,
        :math:`L = \tfrac12 \sigma_{\max}([X, 1])^2 + \lambda` (a curvature bound).
    max_iter : int, default 20000
        At most :math:`10^6`.
    tol : float, default 1e-8
        Stop when the gradient norm falls below ``tol`` times its initial value.

    Attributes
    ----------
    classes_, coef_, intercept_, n_iter_, converged_
        As in scikit-learn.
    loss_history_ : list of float
        :math:`J` before each step, then at the end.
    """

    def __init__(
        self,
        l2: float = 1.0,
        learning_rate: float | None = None,
        max_iter: int = 20000,
        tol: float = 1e-8,
    ) -> None:
        self.l2 = l2
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol

    def _objective(
        self, xa: np.ndarray, t: np.ndarray, theta: np.ndarray
    ) -> tuple[float, np.ndarray]:
        logits = xa @ theta.T
        weights = theta[:, :-1]
        loss = cross_entropy(logits, t) + 0.5 * self.l2 * float(np.sum(weights**2))
        grad = cross_entropy_grad(logits, t).T @ xa
        grad[:, :-1] += self.l2 * weights
        return loss, grad

    def fit(self, X: object, y: object) -> SoftmaxRegression:
        """Fit the weights on features ``X`` (N, D) and class labels ``y`` (N,)."""
        l2 = check_nonnegative(self.l2, "l2")
        step = None if self.learning_rate is None else check_positive(
            self.learning_rate, "learning_rate"
        )
        max_iter = check_int_in_range(self.max_iter, "max_iter", 1, MAX_STEPS)
        tol = check_positive(self.tol, "tol")
        x, labels = validate_data(self, X, y, dtype=np.float64, ensure_all_finite=False)
        x = as_float_array(x, "X", ndim=2)
        check_classification_targets(labels)
        self.classes_, codes = np.unique(labels, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                f"y has one class, {short_repr(self.classes_)}; at least 2 classes are needed"
            )
        t = one_hot(codes, self.classes_.size)
        xa = np.hstack([x, np.ones((x.shape[0], 1))])
        if step is None:
            step = 1.0 / (0.5 * np.linalg.norm(xa, 2) ** 2 + l2)
        theta = np.zeros((self.classes_.size, xa.shape[1]))
        loss, grad = self._objective(xa, t, theta)
        first_norm = np.linalg.norm(grad)
        self.loss_history_ = [loss]
        self.converged_ = False
        for step_number in range(1, max_iter + 1):
            self.n_iter_ = step_number
            theta -= step * grad
            if not np.abs(theta).max() <= LIMIT:  # a step size too large: the weights explode
                raise ValueError(
                    f"gradient descent diverged at step {step_number} with "
                    f"learning_rate={step!r}: a weight passed {LIMIT:g}; use a smaller "
                    "learning_rate or None"
                )
            loss, grad = self._objective(xa, t, theta)
            self.loss_history_.append(loss)
            if np.linalg.norm(grad) <= tol * first_norm:
                self.converged_ = True
                break
        if not self.converged_:
            warnings.warn(
                f"SoftmaxRegression did not converge in max_iter={max_iter} steps",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.coef_ = theta[:, :-1].copy()
        self.intercept_ = theta[:, -1].copy()
        return self

    def _logits(self, X: object) -> np.ndarray:
        """:math:`W x_n + b` for each row of ``X``."""
        check_is_fitted(self)
        x = validate_data(self, X, dtype=np.float64, reset=False, ensure_all_finite=False)
        return as_float_array(x, "X", ndim=2) @ self.coef_.T + self.intercept_

    def decision_function(self, X: object) -> np.ndarray:
        """Logits, shape (N, K); for two classes, as scikit-learn, their difference, shape (N,)."""
        scores = self._logits(X)
        return scores[:, 1] - scores[:, 0] if scores.shape[1] == 2 else scores

    def predict_proba(self, X: object) -> np.ndarray:
        """Class probabilities, shape (N, K), columns in the order of ``classes_``."""
        return softmax(self._logits(X), axis=1)

    def predict(self, X: object) -> np.ndarray:
        """Most probable class label for each row of ``X``."""
        scores = self._logits(X)  # checks first that the model is fitted
        return self.classes_[np.argmax(scores, axis=1)]
