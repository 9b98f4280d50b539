r"""Visible checks for the notebooks: each prints what it compared and a ✓, or fails with ✗.

A class watching a notebook with its code hidden sees every proof: :func:`check_close` compares a
formula with a measurement (finite differences, a simulation, a trusted library);
:func:`predict` states a prediction and its tolerance *before* the measurement is made, a
tolerance that comes from the theory (a rounding bound, a neglected term), never from the number
that was measured. On failure the line ends with ✗ in an ``AssertionError``: a notebook run (and
nbval) stops there. Math layer: no widgets, no matplotlib; only ``print``.
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
    """Compare ``computed`` with ``reference``, print the result, and return the relative error
    (:func:`tp3helpers.gradcheck.relative_error`).

        >>> error = check_close("∂E/∂b: analytic vs finite differences", [1, 2], [1, 2 + 1e-9])
        ∂E/∂b: analytic vs finite differences, relative error 2e-10 ✓

    Parameters
    ----------
    label : str
        What is compared, e.g. ``"∂E/∂b: analytic vs finite differences"``.
    computed, reference : array_like
        Same shape; ``reference`` is the trusted side (finite differences, SciPy, a simulation).
    rtol : float, default 1e-7
        The check passes when the relative error is at most ``rtol`` ...
    atol : float, default 0
        ... or when every entry differs by at most ``atol`` (then the line reports the largest
        difference: use it for comparisons with 0, where a relative error is meaningless).
    show : {"error", "bound"}, default "error"
        ``"error"`` prints the measured error (``relative error 3e-10 ✓``); ``"bound"`` prints
        only the tolerance (``relative error < 1e-07 ✓``), a line that is the same on every
        machine, for cells marked ``# NBVAL_CHECK_OUTPUT``.

    Returns
    -------
    float
        The relative error (a notebook cell ending with the check does not echo it).

    Raises
    ------
    AssertionError
        When the check fails; the message is the printed line with ✗ and both values.
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
    """The relative error: a float that a notebook does not echo, as the check printed it."""

    def _ipython_display_(self) -> None:
        pass


def check_true(label: str, condition: object, detail: str = "") -> None:
    """Print ``label ✓ (detail)`` when ``condition`` holds; raise ``AssertionError`` with ✗ if not.

    ``detail`` says what was measured, e.g. ``"smallest eigenvalue -3e-16 >= -1e-12"``.
    """
    suffix = f" ({detail})" if detail else ""
    if not bool(condition):
        raise AssertionError(f"{label} ✗{suffix}")
    print(f"{label} ✓{suffix}")


class Prediction:
    """A prediction with its tolerance, stated before the measurement it will be compared with.

    Made by :func:`predict`; :meth:`check` compares a measured value with it.
    """

    def __init__(self, label: str, value: float, low: float, high: float, tolerance: str) -> None:
        self.label, self.value, self.low, self.high = label, value, low, high
        self.tolerance = tolerance

    def __repr__(self) -> str:
        return f"Prediction({self.label!r}, {_number(self.value)}, {self.tolerance})"

    def check(self, measured: object) -> float:
        """Print ``measured`` beside the prediction with ✓, or raise ``AssertionError`` with ✗.

        Returns the measured value as a float (a notebook cell ending with the check does not echo
        it).
        """
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

    The tolerance is one of: a relative one (``rtol=0.1``: within 10 %), an absolute one
    (``atol=2``: within ±2), or a one-sided bound derived from the theory (``at_least``,
    ``at_most``). Call this *before* measuring; then ``prediction.check(measured)``::

        >>> steps = predict("gradient descent, steps to 1e-6", 691.2, rtol=0.05)
        Prediction: gradient descent, steps to 1e-6 = 691 (within 5%)
        >>> _ = steps.check(688)
        gradient descent, steps to 1e-6: predicted 691 (within 5%), measured 688 ✓

    Numbers are printed with three significant digits (whole numbers below a million in full), so
    a cell marked ``# NBVAL_CHECK_OUTPUT`` prints the same line on every machine as long as the
    measurement is deterministic.
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
    """Three significant digits: 691, 0.0123, 2.5e-08; a whole number below a million in full
    (a count of steps: 1927, not 1.93e+03)."""
    if float(x).is_integer() and abs(x) < 1e6:
        return f"{int(x)}"
    return f"{x:.3g}"
