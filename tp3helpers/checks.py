r"""Visible checks for the notebooks: each prints what it compared and a ✓, or fails with ✗.

A class watching a notebook with its code hidden sees every proof::

    >>> error = check_close("∂E/∂b: analytic vs finite differences", [1.0, 2.0], [1.0, 2.0 + 1e-9])
    ∂E/∂b: analytic vs finite differences, relative error 2e-10 ✓

On failure the same line ends with ✗, followed by both values, in an ``AssertionError``: a
notebook run (and nbval) stops there. Comparisons use
:func:`tp3helpers.gradcheck.relative_error`,

.. math:: \frac{\lVert a - b \rVert_2}{\lVert a \rVert_2 + \lVert b \rVert_2}.

Math layer: no widgets, no matplotlib; only ``print``.
"""

from __future__ import annotations

import numpy as np

from .gradcheck import relative_error

__all__ = ["check_close", "check_true"]


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
    """Compare ``computed`` with ``reference``, print the result, and return the relative error.

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
