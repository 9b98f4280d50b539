"""Input checks shared by every public function of :mod:`tp3helpers`.

Each check raises ``TypeError`` (wrong kind of object) or ``ValueError`` (right kind, wrong value)
with a message that names the argument, shows the offending value and says what was expected.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "check_finite_scalar",
    "check_positive",
    "check_nonnegative",
    "check_nonnegative_int",
    "check_positive_int",
    "check_int_in_range",
    "check_in_range",
    "check_callable",
    "check_axis",
    "short_repr",
]


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
    allow_neg_inf: bool = False,
    allow_empty: bool = False,
) -> np.ndarray:
    """Convert ``value`` to a floating-point array, checking dimension and finiteness.

    Floating inputs keep their precision (float32 stays float32); integer and boolean inputs
    become float64. NaN and ``+inf`` are always rejected; ``-inf`` only when ``allow_neg_inf``
    is false.
    """
    if isinstance(value, str | bytes) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {short_repr(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise TypeError(f"{name} must be an array of numbers, got {short_repr(value)}") from exc
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise TypeError(
            f"{name} must hold real numbers, got dtype {arr.dtype} ({short_repr(value)})"
        )
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            wanted = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {wanted}, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.isfinite(arr).all():  # one pass when all is well; the culprit is named below
        if np.isnan(arr).any():
            raise ValueError(f"{name} contains NaN: {short_repr(arr)}")
        if np.isposinf(arr).any():
            raise ValueError(f"{name} contains +inf: {short_repr(arr)}")
        if not allow_neg_inf:
            raise ValueError(
                f"{name} contains -inf: {short_repr(arr)}; finite values were expected"
            )
    return arr


def _as_real_scalar(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {short_repr(value)}")
    return float(value)


def check_finite_scalar(value: object, name: str) -> float:
    """Return ``value`` as a float, rejecting non-numbers, NaN and infinities."""
    number = _as_real_scalar(value, name)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number!r}")
    return number


def check_positive(value: object, name: str) -> float:
    """Return ``value`` as a float, requiring a finite number > 0."""
    number = check_finite_scalar(value, name)
    if number <= 0:
        raise ValueError(f"{name} must be > 0, got {number!r}")
    return number


def check_nonnegative(value: object, name: str) -> float:
    """Return ``value`` as a float, requiring a finite number >= 0."""
    number = check_finite_scalar(value, name)
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {number!r}")
    return number


def check_in_range(
    value: object,
    name: str,
    low: float,
    high: float,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Return ``value`` as a float, requiring it to lie in the given interval."""
    number = check_finite_scalar(value, name)
    above = number >= low if low_inclusive else number > low
    below = number <= high if high_inclusive else number < high
    if not (above and below):
        interval = f"{'[' if low_inclusive else '('}{low}, {high}{']' if high_inclusive else ')'}"
        raise ValueError(f"{name} must lie in {interval}, got {number!r}")
    return number


def check_nonnegative_int(value: object, name: str) -> int:
    """Return ``value`` as an int, requiring an integer >= 0 (``True``/``False`` are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer, got {short_repr(value)}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int, requiring an integer >= 1."""
    number = check_nonnegative_int(value, name)
    if number < 1:
        raise ValueError(f"{name} must be a positive integer, got {number!r}")
    return number


def check_int_in_range(value: object, name: str, low: int, high: int) -> int:
    """``value`` as an int from ``low`` to ``high`` (an explorer's constructor argument, say).

    Raises ``TypeError`` (not an integer; ``True`` and ``1.0`` are refused) or ``ValueError``
    (out of range), naming the argument, the value and what was expected.
    """
    expected = f"{name} must be an integer from {low} to {high}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{expected}, got {short_repr(value)}")
    if not low <= value <= high:
        raise ValueError(f"{expected}, got {value!r}")
    return int(value)


def check_callable(value: object, name: str) -> None:
    """Raise ``TypeError`` unless ``value`` can be called."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {short_repr(value)}")


def check_axis(axis: object, ndim: int, name: str) -> int:
    """Return ``axis`` as an int, requiring an integer axis of the ``ndim``-D array ``name``."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer, got {short_repr(axis)}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis={axis} is out of range for {name} with {ndim} dimension(s)")
    return int(axis)
