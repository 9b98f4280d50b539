r"""The input domain of the math layer, and the one place where it is checked.

Every public function of :mod:`tp3helpers` checks its input domain up front with the helpers
below; inside it, its body is the notebook's formula. Outside, it raises ``TypeError`` (wrong kind
of object) or ``ValueError`` (wrong value) naming the argument, its value and what was expected.

* **Real numbers** are finite and at most :data:`LIMIT` :math:`= 10^{50}` in magnitude.
* **Positive scales** (a bandwidth, a step, a mass, an eigenvalue) lie in
  :math:`[10^{-50}, 10^{50}]`.
* **Products** of two inputs passed on (logits :math:`W x`, curvatures, kernel values) are at most
  :data:`PRODUCT_LIMIT` :math:`= 10^{150}`.
* **Matrices that are only measured** (eigenvalues, a relative difference) are at most
  :data:`WIDE_LIMIT` :math:`= 10^{300}`.
* **Sizes**: at most :data:`MAX_STEPS` steps, order :data:`MAX_ORDER`, and :data:`MAX_ENTRIES`
  numbers in an array the package allocates, refused before any work.

Why these numbers: float64 holds :math:`2.2 \cdot 10^{-308}` to :math:`1.8 \cdot 10^{308}`, and a
product of up to six numbers of the domain stays within :math:`10^{\pm 300}`; the package's
formulas use no more, so each is exact to rounding without rescaling tricks, and nothing overflows
or warns.

Why not :func:`sklearn.utils.check_scalar`: it accepts NaN, infinities and ``True`` as numbers, and
its messages (``eta == -1.0, must be > 0.``) do not say what was expected; ``check_array``'s do not
report magnitude. scikit-learn's ``validate_data`` is used where the estimator contract needs it.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "LIMIT",
    "PRODUCT_LIMIT",
    "WIDE_LIMIT",
    "MAX_STEPS",
    "MAX_ORDER",
    "MAX_ENTRIES",
    "as_float_array",
    "as_symmetric",
    "check_positive",
    "check_nonnegative",
    "check_in_range",
    "check_int_in_range",
    "check_nonnegative_int",
    "check_bool",
    "check_callable",
    "check_generator",
    "check_axis",
    "check_entries",
    "short_repr",
]

#: Largest magnitude of a real input; positive scales lie in ``[1 / LIMIT, LIMIT]``.
LIMIT = 1e50
#: Largest magnitude of a product of two inputs passed on: logits, curvatures, kernel values.
PRODUCT_LIMIT = 1e150
#: Largest magnitude of an array that is only measured (a norm, an eigenvalue), not multiplied.
WIDE_LIMIT = 1e300
#: Most steps of one run.
MAX_STEPS = 1_000_000
#: Highest order of a Taylor series or feature map, degree of a polynomial kernel.
MAX_ORDER = 1000
#: Most numbers in one array that the package allocates (800 MB of float64).
MAX_ENTRIES = 100_000_000


def short_repr(value: object, limit: int = 80) -> str:
    """``repr`` of ``value`` cut to ``limit`` characters, for error messages."""
    text = repr(value)
    if isinstance(value, np.ndarray):
        text = np.array2string(value, threshold=8, edgeitems=2, precision=4)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_float_array(
    value: object,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    max_abs: float = LIMIT,
    allow_neg_inf: bool = False,
    allow_empty: bool = False,
) -> np.ndarray:
    """``value`` as a float64 array (no copy when it is one): real entries, finite (``-inf`` too
    when ``allow_neg_inf``), at most ``max_abs`` in magnitude, with ``ndim`` dimensions if given."""
    if isinstance(value, str | bytes) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {short_repr(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise TypeError(f"{name} must be an array of numbers, got {short_repr(value)}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers, got dtype {arr.dtype} ({short_repr(value)})"
        )
    arr = arr.astype(np.float64, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            wanted = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {wanted}, got shape {arr.shape}")
    if arr.size == 0:
        if not allow_empty:
            raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
        return arr
    low, high = arr.min(), arr.max()  # two passes when all is well; the culprit is named below
    if allow_neg_inf and low == -np.inf:
        low = np.where(arr == -np.inf, 0.0, arr).min()
    if not -max_abs <= low <= high <= max_abs:  # false for NaN too
        magnitude = np.abs(arr[arr != -np.inf] if allow_neg_inf else arr)
        if np.isnan(arr).any():
            raise ValueError(f"{name} contains NaN: {short_repr(arr)}")
        if np.isposinf(arr).any():
            raise ValueError(f"{name} contains +inf: {short_repr(arr)}")
        if not allow_neg_inf and np.isneginf(arr).any():
            raise ValueError(f"{name} contains -inf: {short_repr(arr)}")
        raise ValueError(
            f"{name} has entries of magnitude up to {float(magnitude.max())!r}, beyond the domain "
            f"(at most {max_abs:g}); rescale it"
        )
    return arr


def as_symmetric(value: object, name: str, *, max_abs: float, rtol: float = 1e-9) -> np.ndarray:
    r"""``value`` as a square matrix, symmetric to ``rtol`` of its largest entry, returned exactly
    symmetric: :math:`(A + A^\top) / 2`."""
    matrix = as_float_array(value, name, ndim=2, max_abs=max_abs)
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {matrix.shape}")
    gap = np.abs(matrix - matrix.T)
    if gap.max() > rtol * np.abs(matrix).max():
        i, j = np.unravel_index(np.argmax(gap), gap.shape)
        raise ValueError(
            f"{name} must be symmetric (to rtol={rtol:g}), got {name}[{i}, {j}] = "
            f"{matrix[i, j]:.6g} but {name}[{j}, {i}] = {matrix[j, i]:.6g}"
        )
    return (matrix + matrix.T) / 2


def check_in_range(
    value: object,
    name: str,
    low: float = -LIMIT,
    high: float = LIMIT,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """``value`` as a float in an interval, by default ``[-LIMIT, LIMIT]``; an end may be open."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {short_repr(value)}")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond float64, e.g. 10**400
        number = math.inf if value > 0 else -math.inf
    if math.isnan(number):
        raise ValueError(f"{name} must be finite, got {number!r}")
    above = number >= low if low_inclusive else number > low
    below = number <= high if high_inclusive else number < high
    if not (above and below):
        left, right = "[" if low_inclusive else "(", "]" if high_inclusive else ")"
        shown = short_repr(value) if math.isinf(number) else repr(number)
        raise ValueError(f"{name} must lie in {left}{low:g}, {high:g}{right}, got {shown}")
    return number


def check_positive(value: object, name: str) -> float:
    """``value`` as a positive scale: a float from ``1 / LIMIT`` to ``LIMIT``."""
    if check_in_range(value, name, -math.inf, math.inf) <= 0:
        raise ValueError(f"{name} must be > 0, got {float(value)!r}")
    return check_in_range(value, name, 1 / LIMIT, LIMIT)


def check_nonnegative(value: object, name: str) -> float:
    """``value`` as a float from 0 to ``LIMIT``."""
    if check_in_range(value, name, -math.inf, math.inf) < 0:
        raise ValueError(f"{name} must be >= 0, got {float(value)!r}")
    return check_in_range(value, name, 0.0, LIMIT)


def check_int_in_range(value: object, name: str, low: int, high: int) -> int:
    """``value`` as an int from ``low`` to ``high`` (``True`` and ``1.0`` are refused)."""
    expected = f"{name} must be an integer from {low} to {high}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{expected}, got {short_repr(value)}")
    if not low <= value <= high:
        raise ValueError(f"{expected}, got {short_repr(value)}")
    return int(value)


def check_nonnegative_int(value: object, name: str) -> int:
    """``value`` as an int >= 0 with no upper limit (a seed); ``True``/``False`` are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer, got {short_repr(value)}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def check_bool(value: object, name: str) -> bool:
    """``value`` itself when it is ``True`` or ``False`` (NumPy's booleans too)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {short_repr(value)}")
    return bool(value)


def check_callable(value: object, name: str) -> None:
    """Raise ``TypeError`` unless ``value`` can be called."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {short_repr(value)}")


def check_generator(value: object, name: str) -> None:
    """Raise ``TypeError`` unless ``value`` is a ``numpy.random.Generator``."""
    if not isinstance(value, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator, got {short_repr(value)}")


def check_axis(axis: object, ndim: int, name: str) -> int:
    """``axis`` as an int, requiring an axis of the ``ndim``-D array ``name``."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer, got {short_repr(axis)}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis={axis} is out of range for {name} with {ndim} dimension(s)")
    return int(axis)


def check_entries(count: int, name: str, what: str) -> None:
    """Refuse an allocation of more than :data:`MAX_ENTRIES` numbers before it is made; ``what``
    says which array, ``name`` the argument that sets its size."""
    if count > MAX_ENTRIES:
        raise ValueError(
            f"{name} asks for {what} of {count:.3g} numbers, more than the limit of "
            f"{MAX_ENTRIES:.0e} ({8 * MAX_ENTRIES // 10**6} MB of float64); ask for less"
        )
