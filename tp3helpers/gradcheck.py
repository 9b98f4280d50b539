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
        # Far from 0 the step can be lost to rounding (1e10 + 1e-6 is not exactly 1e10 + 1e-6):
        # the difference quotient would then be wrong by far more than O(eps^2).
        x_i = float(original)
        taken = (x_i + step) / 2.0 - (x_i - step) / 2.0  # halves: no overflow for a huge eps
        if not abs(taken - step) <= 1e-3 * step:
            raise ValueError(
                f"eps={step!r} is too small for x entry {i} = {x_i!r}: x +- eps rounds to a "
                f"step of {taken!r}; use an eps of about {abs(x_i) * 1e-6:.1g}"
            )
        flat[i] = original + step
        upper = _scalar(f(point))
        flat[i] = original - step
        lower = _scalar(f(point))
        flat[i] = original
        out[i] = (0.5 * upper - 0.5 * lower) / step  # = (upper - lower) / (2 eps), no overflow
        if not np.isfinite(out[i]):
            raise ValueError(
                f"f is too large near x entry {i} = {x_i!r}: f(x + eps e_{i}) = "
                f"{upper!r} and f(x - eps e_{i}) = {lower!r} give no finite difference"
            )
    return grad


def _scalar(value: object) -> float:
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "biuf":
        raise TypeError(f"f must return a real scalar, got {short_repr(value)}")
    return float(arr.reshape(()))


def relative_error(a: object, b: object) -> float:
    r"""Norm-wise relative difference between two arrays of the same shape.

    .. math:: \frac{\lVert a - b \rVert_2}{\lVert a \rVert_2 + \lVert b \rVert_2}

    It is 0 for identical arrays (including two zero arrays) and at most 1. Both arrays are first
    divided by the power of 2 just above their largest entry, which leaves the ratio unchanged
    and keeps the squares in the norms from underflowing (entries of 1e-170) or overflowing
    (entries of 1e200).
    """
    left = as_float_array(a, "a").astype(np.float64)
    right = as_float_array(b, "b").astype(np.float64)
    if left.shape != right.shape:
        raise ValueError(f"a and b must have the same shape, got {left.shape} and {right.shape}")
    peak = max(np.abs(left).max(), np.abs(right).max())
    if peak == 0:
        return 0.0
    _, exponent = np.frexp(peak)  # divide by a power of 2: exact, so a - b stays exact
    left, right = np.ldexp(left, -exponent), np.ldexp(right, -exponent)
    # at most 1 by the triangle inequality; min() removes a rounding excess of one ulp
    return min(_norm(left - right) / (_norm(left) + _norm(right)), 1.0)


def _norm(v: np.ndarray) -> float:
    r""":math:`\lVert v \rVert_2`, computed as :math:`m \lVert v / m \rVert_2` with
    :math:`m = \max_i |v_i|`, so that the squares neither underflow nor overflow."""
    m = float(np.abs(v).max())
    return 0.0 if m == 0 else m * float(np.sqrt(np.sum((v / m) ** 2)))
