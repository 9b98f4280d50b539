r"""Softmax, cross-entropy and its gradient (TP3, Question 1).

Notation follows the homework: for sample :math:`n` with logits :math:`a_{kn}`,

.. math::

    y_{kn} = \frac{e^{a_{kn}}}{\sum_c e^{a_{cn}}}, \qquad
    E_D = -\sum_n \sum_k t_{kn} \ln y_{kn}, \qquad
    \frac{\partial E_D}{\partial a_{kn}} = y_{kn} - t_{kn}.

Arrays hold one sample per row: ``logits`` and ``targets`` have shape (N, K).
Everything here is plain NumPy and works in a script with no Jupyter installed.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._validation import (
    as_float_array,
    check_nonnegative,
    check_positive,
    check_positive_int,
    short_repr,
)

__all__ = [
    "softmax",
    "log_softmax",
    "one_hot",
    "as_target_matrix",
    "cross_entropy",
    "cross_entropy_grad",
    "SoftmaxRegression",
]


def _shifted_logits(
    a: object, axis: int, name: str = "a", ndim: int | None = None
) -> np.ndarray:
    """Validate logits and subtract the maximum along ``axis`` (the log-sum-exp shift).

    A float array is not scanned for NaN and ``+inf`` entry by entry: the maxima along ``axis``
    are NaN or ``+inf`` exactly when a slice holds one, so checking the maxima is enough (and
    saves two passes over large inputs). The full check runs only to name the problem.
    """
    if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size and ndim in (None, a.ndim):
        arr = a
    else:
        arr = as_float_array(a, name, ndim=ndim, allow_neg_inf=True)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension, got a scalar {arr!r}")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"axis={axis} is out of range for {name} of shape {arr.shape}")
    peak = arr.max(axis=axis, keepdims=True)
    if not np.isfinite(peak).all():
        as_float_array(arr, name, allow_neg_inf=True)  # raises for NaN or +inf, naming it
        raise ValueError(
            f"{name} has a slice along axis {axis} whose entries are all -inf; softmax is "
            "undefined there (at least one finite logit per slice is needed)"
        )
    return arr - peak


def softmax(a: object, axis: int = -1) -> np.ndarray:
    r"""Numerically stable softmax along ``axis``.

    .. math:: y_k = \frac{e^{a_k - m}}{\sum_c e^{a_c - m}}, \qquad m = \max_c a_c

    Subtracting the maximum changes nothing mathematically (softmax is shift invariant) and keeps
    every exponent :math:`\le 0`, so logits of :math:`\pm 1000` give exact answers without overflow.

    Parameters
    ----------
    a : array_like
        Logits. ``-inf`` entries are allowed and get probability 0. Integer input is promoted to
        float64; float32 stays float32.
    axis : int, default -1
        Axis over which the probabilities sum to 1.

    Returns
    -------
    numpy.ndarray
        Probabilities, same shape as ``a``.

    Raises
    ------
    ValueError
        If ``a`` holds NaN or ``+inf``, or a slice along ``axis`` is all ``-inf``.
    """
    return _softmax(a, axis)


def _softmax(a: object, axis: int, name: str = "a", ndim: int | None = None) -> np.ndarray:
    """:func:`softmax`, with the argument's name and dimension for the error messages."""
    z = _shifted_logits(a, axis, name, ndim)
    np.exp(z, out=z)  # z is a new array: work in place, as large inputs are memory-bound
    z /= z.sum(axis=axis, keepdims=True)
    return z


def log_softmax(a: object, axis: int = -1) -> np.ndarray:
    r"""Numerically stable logarithm of :func:`softmax`.

    .. math:: \ln y_k = (a_k - m) - \ln \sum_c e^{a_c - m}

    ``-inf`` logits give ``-inf`` log-probabilities; all other entries are finite, even for logits
    of :math:`\pm 1000` where :math:`\ln(\mathrm{softmax}(a))` would give ``-inf`` or NaN.
    Same parameters and errors as :func:`softmax`.
    """
    z = _shifted_logits(a, axis)
    z -= np.log(np.exp(z).sum(axis=axis, keepdims=True))
    return z


def one_hot(labels: object, num_classes: int) -> np.ndarray:
    r"""One-hot encode integer class labels: :math:`t_{kn} = [\text{labels}_n = k]`.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
        Class indices in ``0 .. num_classes - 1``.
    num_classes : int
        Number of classes :math:`K \ge 1`.

    Returns
    -------
    numpy.ndarray of float64, shape (N, K)
    """
    k = check_positive_int(num_classes, "num_classes")
    arr = np.asarray(labels)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtype {arr.dtype} ({short_repr(labels)})")
    if arr.ndim != 1:
        raise ValueError(f"labels must be 1-D of shape (N,), got shape {arr.shape}")
    bad = (arr < 0) | (arr >= k)
    if bad.any():
        raise ValueError(
            f"labels must lie in 0..{k - 1} for num_classes={k}, got {short_repr(arr[bad])}"
        )
    out = np.zeros((arr.size, k))
    out[np.arange(arr.size), arr] = 1.0
    return out


def as_target_matrix(
    targets: object, shape: tuple[int, int], dtype: type = np.float64
) -> np.ndarray:
    r"""Turn labels or probability rows into the (N, K) target matrix :math:`T`.

    ``targets`` is either integer labels of shape (N,) or rows of shape (N, K) that are
    non-negative and sum to 1 (the homework's :math:`\sum_k t_{kn} = 1`).
    """
    n, k = shape
    arr = np.asarray(targets)
    if arr.dtype.kind in "iu" and arr.ndim == 1:
        if arr.shape[0] != n:
            raise ValueError(
                f"targets has {arr.shape[0]} labels but logits has {n} rows (shape {shape})"
            )
        return one_hot(arr, k).astype(dtype, copy=False)
    rows = as_float_array(targets, "targets", ndim=(1, 2))
    if rows.ndim == 1:
        raise ValueError(
            f"targets of shape {rows.shape} must be integer labels of shape ({n},) or "
            f"probability rows of shape {shape}, got dtype {rows.dtype}"
        )
    if rows.shape != tuple(shape):
        raise ValueError(f"targets has shape {rows.shape} but logits has shape {tuple(shape)}")
    if (rows < 0).any():
        raise ValueError(f"targets must be non-negative, got {short_repr(rows[rows < 0])}")
    sums = rows.sum(axis=1)
    tol = 1e-6 if rows.dtype == np.float64 else 1e-4
    off = np.abs(sums - 1.0) > tol
    if off.any():
        raise ValueError(
            "each row of targets must sum to 1 (sum_k t_kn = 1); rows "
            f"{short_repr(np.flatnonzero(off))} sum to {short_repr(sums[off])}"
        )
    return rows.astype(dtype, copy=False)


def _logits_and_targets(logits: object, targets: object) -> tuple[np.ndarray, np.ndarray]:
    a = as_float_array(logits, "logits", ndim=2, allow_neg_inf=True)
    return a, as_target_matrix(targets, a.shape, a.dtype)


def cross_entropy(logits: object, targets: object) -> float:
    r"""The homework's cross-entropy, summed over samples (not averaged).

    .. math:: E_D = -\sum_{n=1}^{N} \sum_{k=1}^{K} t_{kn} \ln y_{kn}, \qquad
              y_{kn} = \operatorname{softmax}(a_{\cdot n})_k

    Parameters
    ----------
    logits : array_like, shape (N, K)
        One row of logits per sample; ``-inf`` entries are allowed.
    targets : array_like
        Integer labels of shape (N,) or non-negative rows of shape (N, K) summing to 1.

    Returns
    -------
    float
        :math:`E_D \ge 0`. It is ``inf`` only when a sample puts target mass on a class whose
        logit is ``-inf`` (probability exactly 0). Terms with :math:`t_{kn} = 0` count as 0 even
        where :math:`\ln y_{kn} = -\infty`.
    """
    a, t = _logits_and_targets(logits, targets)
    logp = log_softmax(a, axis=1)
    terms = np.zeros_like(logp)
    np.multiply(t, logp, out=terms, where=t > 0)
    return float(-terms.sum())


def cross_entropy_grad(logits: object, targets: object) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to each sample's logits.

    .. math:: \frac{\partial E_D}{\partial a_{kn}} = y_{kn} - t_{kn}

    This needs :math:`\sum_k t_{kn} = 1`, which :func:`as_target_matrix` enforces.

    Returns
    -------
    numpy.ndarray, shape (N, K)
        Row :math:`n` is :math:`y_n - t_n`; each row sums to 0.
    """
    y = _softmax(logits, 1, "logits", ndim=2)
    n, k = y.shape
    labels = np.asarray(targets)
    if labels.dtype.kind in "iu" and labels.ndim == 1:
        # Integer labels: subtract 1 at each sample's class instead of building T.
        if labels.shape[0] != n or ((labels < 0) | (labels >= k)).any():
            as_target_matrix(labels, (n, k))  # raises, naming the problem
        y[np.arange(n), labels] -= 1.0
        return y
    return y - as_target_matrix(targets, (n, k), y.dtype)


class SoftmaxRegression:
    r"""Multinomial logistic regression trained by full-batch gradient descent.

    Minimises the homework's loss plus an L2 penalty on the weights (not on the intercept):

    .. math:: J(W, b) = -\sum_n \sum_k t_{kn} \ln y_{kn} + \frac{\lambda}{2} \lVert W \rVert^2,
              \qquad y_n = \operatorname{softmax}(W x_n + b),

    with the gradient derived in the notebook, :math:`\nabla_W J = (Y - T)^\top X + \lambda W` and
    :math:`\nabla_b J = \sum_n (y_n - t_n)`. At convergence it matches scikit-learn's
    ``LogisticRegression(C=1/l2)`` (multinomial, lbfgs), which minimises the same objective.

    Parameters
    ----------
    l2 : float, default 1.0
        Penalty strength :math:`\lambda \ge 0`.
    learning_rate : float or None, default None
        Step size. ``None`` picks :math:`1/L` with
        :math:`L = \tfrac12 \sigma_{\max}([X, 1])^2 + \lambda`, a bound on the curvature that
        guarantees descent.
    max_iter : int, default 20000
        Maximum number of gradient steps.
    tol : float, default 1e-8
        Stop when the gradient norm falls below ``tol`` times its initial value.

    Attributes
    ----------
    classes_ : numpy.ndarray, shape (K,)
    coef_ : numpy.ndarray, shape (K, D)
    intercept_ : numpy.ndarray, shape (K,)
    loss_history_ : list of float
        :math:`J` before each step, then at the end.
    n_iter_ : int
    converged_ : bool
    """

    def __init__(
        self,
        l2: float = 1.0,
        learning_rate: float | None = None,
        max_iter: int = 20000,
        tol: float = 1e-8,
    ) -> None:
        self.l2 = check_nonnegative(l2, "l2")
        self.learning_rate = (
            None if learning_rate is None else check_positive(learning_rate, "learning_rate")
        )
        self.max_iter = check_positive_int(max_iter, "max_iter")
        self.tol = check_positive(tol, "tol")

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
        x = as_float_array(X, "X", ndim=2).astype(np.float64)
        labels = np.asarray(y)
        if labels.ndim != 1 or labels.shape[0] != x.shape[0]:
            raise ValueError(f"y must have shape ({x.shape[0]},) to match X, got {labels.shape}")
        self.classes_, codes = np.unique(labels, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(f"y must contain at least 2 classes, got {short_repr(self.classes_)}")
        t = one_hot(codes, self.classes_.size)
        xa = np.hstack([x, np.ones((x.shape[0], 1))])
        step = self.learning_rate
        if step is None:
            step = 1.0 / (0.5 * np.linalg.norm(xa, 2) ** 2 + self.l2)
        theta = np.zeros((self.classes_.size, xa.shape[1]))
        loss, grad = self._objective(xa, t, theta)
        first_norm = np.linalg.norm(grad)
        self.loss_history_ = [loss]
        self.converged_ = False
        for step_number in range(1, self.max_iter + 1):
            self.n_iter_ = step_number
            theta -= step * grad
            # A step size that is too large makes the weights grow geometrically: stop long
            # before anything overflows.
            if not np.abs(theta).max() < 1e100:
                raise ValueError(
                    f"gradient descent diverged at step {self.n_iter_} with "
                    f"learning_rate={step!r}; use a smaller learning_rate or None"
                )
            loss, grad = self._objective(xa, t, theta)
            self.loss_history_.append(loss)
            if np.linalg.norm(grad) <= self.tol * first_norm:
                self.converged_ = True
                break
        if not self.converged_:
            warnings.warn(
                f"SoftmaxRegression did not converge in max_iter={self.max_iter} steps",
                UserWarning,
                stacklevel=2,
            )
        self.coef_ = theta[:, :-1].copy()
        self.intercept_ = theta[:, -1].copy()
        return self

    def _check_fitted(self, X: object) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise ValueError("this SoftmaxRegression is not fitted yet; call fit(X, y) first")
        x = as_float_array(X, "X", ndim=2)
        if x.shape[1] != self.coef_.shape[1]:
            raise ValueError(
                f"X has {x.shape[1]} features but the model was fitted with {self.coef_.shape[1]}"
            )
        return x

    def decision_function(self, X: object) -> np.ndarray:
        """Logits :math:`W x_n + b`, shape (N, K)."""
        return self._check_fitted(X) @ self.coef_.T + self.intercept_

    def predict_proba(self, X: object) -> np.ndarray:
        """Class probabilities, shape (N, K), columns in the order of ``classes_``."""
        return softmax(self.decision_function(X), axis=1)

    def predict(self, X: object) -> np.ndarray:
        """Most probable class label for each row of ``X``."""
        scores = self.decision_function(X)
        return self.classes_[np.argmax(scores, axis=1)]
