r"""Visible checks for the notebooks: each prints what it compared and a ✓, or fails with ✗.

A class watching a notebook with its code hidden sees every proof. :func:`check_close` compares a
formula with a measurement; :func:`predict` states a prediction and its tolerance (from the
theory, never from the measured number) *before* the measurement. A failure raises
``AssertionError`` with ✗, which stops the notebook (and nbval). Only ``print``, no widgets.
"""

from __future__ import annotations

import numpy as np

from .gradcheck import relative_error

__all__ = ["check_close", "check_true", "predict", "Prediction"]


def _rounded(value: object) -> str:
    return np.array2string(np.asarray(value, dtype=float), precision=6, threshold=20)


def check_close(
    label: str,
    computed: object,
    reference: object,
    *,
    rtol: float = 1e-7,
    atol: float = 0.0,
    show: str = "error",
) -> float:
    """Compare ``computed`` with ``reference`` (the trusted side, same shape), print the result, and
    return the relative error (:func:`tp3helpers.gradcheck.relative_error`).

        >>> error = check_close("∂E/∂b: analytic vs finite differences", [1, 2], [1, 2 + 1e-9])
        ∂E/∂b: analytic vs finite differences, relative error 2e-10 ✓

    The check passes when the relative error is at most ``rtol``, or every entry differs by at most
    ``atol`` (for comparisons with 0). ``show="bound"`` prints only the tolerance
    (``relative error < 1e-07 ✓``): the same line on every machine, for cells marked
    ``# NBVAL_CHECK_OUTPUT``. The returned float is not echoed by a notebook cell.
    """
    if show not in ("error", "bound"):
        raise ValueError(f"show must be 'error' or 'bound', got {show!r}")
    if not (rtol >= 0 and atol >= 0):
        raise ValueError(f"rtol and atol must be >= 0, got rtol={rtol!r}, atol={atol!r}")
    error = relative_error(computed, reference)
    gap = float(np.max(np.abs(np.asarray(computed, float) - np.asarray(reference, float))))
    if error <= rtol:
        measured, bound = f"relative error {error:.0e}", f"relative error < {rtol:.0e}"
    elif gap <= atol:  # e.g. a comparison with 0, where a relative error means nothing
        measured, bound = f"largest difference {gap:.0e}", f"largest difference <= {atol:.0e}"
    else:
        raise AssertionError(
            f"{label}, relative error {error:.1e} ✗ (tolerance {rtol:.0e}"
            + (f", largest difference {gap:.1e} > {atol:.0e})" if atol else ")")
            + f"\n  computed:  {_rounded(computed)}\n  reference: {_rounded(reference)}"
        )
    print(f"{label}, {bound if show == 'bound' else measured} ✓")
    return _Error(error)


class _Error(float):
    """A float that a notebook does not echo, as the check printed it."""

    def _ipython_display_(self) -> None:
        pass


def check_true(label: str, condition: object, detail: str = "") -> None:
    """Print ``label ✓ (detail)`` when ``condition`` holds, else raise ``AssertionError`` with ✗;
    ``detail`` says what was measured."""
    suffix = f" ({detail})" if detail else ""
    if not bool(condition):
        raise AssertionError(f"{label} ✗{suffix}")
    print(f"{label} ✓{suffix}")


class Prediction:
    """A prediction with its tolerance, made by :func:`predict` before the measurement."""

    def __init__(self, label: str, value: float, low: float, high: float, tolerance: str) -> None:
        self.label, self.value, self.low, self.high = label, value, low, high
        self.tolerance = tolerance

    def __repr__(self) -> str:
        return f"Prediction({self.label!r}, {_number(self.value)}, {self.tolerance})"

    def check(self, measured: object) -> float:
        """Print ``measured`` beside the prediction with ✓, or raise ``AssertionError`` with ✗;
        return it as a float that a notebook cell does not echo."""
        number = float(np.asarray(measured, dtype=float))
        line = (
            f"{self.label}: predicted {_number(self.value)} ({self.tolerance}), "
            f"measured {_number(number)}"
        )
        if not self.low <= number <= self.high:
            raise AssertionError(f"{line} ✗ (allowed {_number(self.low)} to {_number(self.high)})")
        print(f"{line} ✓")
        return _Error(number)


def predict(
    label: str,
    value: float,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    at_least: float | None = None,
    at_most: float | None = None,
) -> Prediction:
    """State a prediction and its tolerance, print them, and return a :class:`Prediction`.

    The tolerance is relative (``rtol=0.1``: within 10 %), absolute (``atol=2``) or one-sided bounds
    from the theory (``at_least``, ``at_most``). Call it *before* measuring::

        >>> steps = predict("gradient descent, steps to 1e-6", 691.2, rtol=0.05)
        Prediction: gradient descent, steps to 1e-6 = 691 (within 5%)
        >>> _ = steps.check(688)
        gradient descent, steps to 1e-6: predicted 691 (within 5%), measured 688 ✓
    """
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"value must be a finite number, got {value!r}")
    given = {k: v for k, v in dict(rtol=rtol, atol=atol, at_least=at_least, at_most=at_most).items()
             if v is not None}
    if len(given) != 1 and set(given) != {"at_least", "at_most"}:
        raise ValueError(
            "give exactly one tolerance: rtol, atol, or at_least and/or at_most; "
            f"got {given or 'none'}"
        )
    for name, bound in given.items():
        if not np.isfinite(float(bound)) or (name in ("rtol", "atol") and bound < 0):
            raise ValueError(f"{name} must be finite (and >= 0 for rtol, atol), got {bound!r}")
    if rtol is not None:
        low, high = value - rtol * abs(value), value + rtol * abs(value)
        tolerance = f"within {_number(100 * rtol)}%"
    elif atol is not None:
        low, high, tolerance = value - atol, value + atol, f"within ±{_number(atol)}"
    else:
        low = -np.inf if at_least is None else float(at_least)
        high = np.inf if at_most is None else float(at_most)
        if low > high:
            raise ValueError(f"at_least={at_least!r} is above at_most={at_most!r}")
        parts = ([f"at least {_number(low)}"] if at_least is not None else []) + (
            [f"at most {_number(high)}"] if at_most is not None else []
        )
        tolerance = " and ".join(parts)
    print(f"Prediction: {label} = {_number(value)} ({tolerance})")
    return Prediction(label, value, low, high, tolerance)


def _number(x: float) -> str:
    """Three significant digits; a whole number below a million in full (1927 steps)."""
    if float(x).is_integer() and abs(x) < 1e6:
        return f"{int(x)}"
    return f"{x:.3g}"
