r"""Finite-difference gradient checking (notebook 1, *Check*).

The central difference of :func:`numerical_gradient` has truncation error :math:`O(\varepsilon^2)`
and rounding error about :math:`u\,|f| / \varepsilon` (:math:`u \approx 1.1 \times 10^{-16}`):
with :math:`\varepsilon = 10^{-6}` it agrees with a correct gradient to about 9 digits when
:math:`f` and its derivatives are of order 1.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.linalg

from ._validation import (
    WIDE_LIMIT,
    as_float_array,
    check_callable,
    check_in_range,
    check_positive,
    short_repr,
)

__all__ = ["numerical_gradient", "relative_error"]

#: Smallest step relative to :math:`\max_i |x_i|`: rounding ``x + eps`` then changes the step by
#: at most :math:`u |x| / \varepsilon \approx 10^{-6}` of itself.
STEP_FRACTION = 1e-10


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: object, eps: float = 1e-6
) -> np.ndarray:
    r"""Central-difference gradient of a scalar function, shaped like ``x``.

    .. math:: g_i = \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2 \varepsilon}

    ``f`` takes an array shaped like ``x`` (not modified) and returns a real number; ``eps`` is a
    positive scale, at least :math:`10^{-10} \max_i |x_i|` (a smaller step is lost to the rounding
    of :math:`x \pm \varepsilon`).
    """
    check_callable(f, "f")
    point = np.array(as_float_array(x, "x"))  # a copy we may perturb
    step = check_positive(eps, "eps")
    if step < STEP_FRACTION * np.abs(point).max():
        raise ValueError(
            f"eps={step!r} is too small for x with entries up to {np.abs(point).max():.3g}: "
            f"x +- eps would lose the step to rounding; use eps >= {STEP_FRACTION:g} * max|x| "
            f"= {STEP_FRACTION * np.abs(point).max():.1g}"
        )
    grad = np.empty_like(point)
    flat, out = point.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + step
        upper = _value(f, point, f"x + eps e_{i}")
        flat[i] = original - step
        lower = _value(f, point, f"x - eps e_{i}")
        flat[i] = original
        out[i] = (upper - lower) / (2 * step)
    return grad


def _value(f: Callable[[np.ndarray], float], point: np.ndarray, where: str) -> float:
    """``f(point)`` as a float in the domain, or an error naming ``f`` and ``where``."""
    value = np.asarray(f(point))
    if value.size != 1 or value.dtype.kind not in "biuf":
        raise TypeError(f"f must return a real scalar, got {short_repr(value)} at {where}")
    return check_in_range(float(value.reshape(())), f"f({where})")


def relative_error(a: object, b: object) -> float:
    r"""Norm-wise relative difference between two arrays of the same shape.

    .. math:: \frac{\lVert a - b \rVert_2}{\lVert a \rVert_2 + \lVert b \rVert_2}

    0 for identical arrays (two zero arrays too), at most 1. Entries at most :math:`10^{300}`. The
    arrays are first divided by their largest entry (the ratio does not change), so that even
    subnormal entries have norms float64 can hold.
    """
    left = as_float_array(a, "a", max_abs=WIDE_LIMIT)
    right = as_float_array(b, "b", max_abs=WIDE_LIMIT)
    if left.shape != right.shape:
        raise ValueError(f"a and b must have the same shape, got {left.shape} and {right.shape}")
    scale = max(np.abs(left).max(), np.abs(right).max())
    if scale == 0:
        return 0.0
    left, right = left.ravel() / scale, right.ravel() / scale
    norm = scipy.linalg.norm  # of 1-D arrays: BLAS nrm2
    return float(norm(left - right) / (norm(left) + norm(right)))
