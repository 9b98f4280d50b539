r"""Finite-difference gradient checking.

The central difference

.. math::

    \frac{\partial f}{\partial x_i}
    \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2 \varepsilon}

has error :math:`O(\varepsilon^2)`, so with :math:`\varepsilon = 10^{-6}` it agrees with a correct
analytic gradient to about 9 significant digits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import as_float_array, check_callable, check_positive, short_repr

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: object, eps: float = 1e-6
) -> np.ndarray:
    r"""Central-difference gradient of a scalar function.

    .. math:: g_i = \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2 \varepsilon}

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` and returns a real scalar.
    x : array_like
        Point at which to differentiate (finite, any shape); it is not modified.
    eps : float, default 1e-6
        Step :math:`\varepsilon > 0`.

    Returns
    -------
    numpy.ndarray of float64
        Same shape as ``x``.
    """
    check_callable(f, "f")
    step = check_positive(eps, "eps")
    point = as_float_array(x, "x").astype(np.float64)  # always a copy we may perturb
    grad = np.empty_like(point)
    flat, out = point.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + step
        upper = _scalar(f(point))
        flat[i] = original - step
        lower = _scalar(f(point))
        flat[i] = original
        out[i] = (upper - lower) / (2.0 * step)
    return grad


def _scalar(value: object) -> float:
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "biuf":
        raise TypeError(f"f must return a real scalar, got {short_repr(value)}")
    return float(arr.reshape(()))


def relative_error(a: object, b: object) -> float:
    r"""Norm-wise relative difference between two arrays of the same shape.

    .. math:: \frac{\lVert a - b \rVert_2}{\max(\lVert a \rVert_2 + \lVert b \rVert_2, 10^{-300})}

    It is 0 for identical arrays (including two zero arrays) and at most 1.
    """
    left = as_float_array(a, "a").astype(np.float64)
    right = as_float_array(b, "b").astype(np.float64)
    if left.shape != right.shape:
        raise ValueError(f"a and b must have the same shape, got {left.shape} and {right.shape}")
    scale = np.linalg.norm(left) + np.linalg.norm(right)
    return float(np.linalg.norm(left - right) / max(scale, 1e-300))
