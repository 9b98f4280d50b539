"""Feedback objects returned by the exercise checkers, and the plumbing that runs a student's code.

A checker calls the student's function on a series of cases. Each case returns ``None`` when the
answer is right or a sentence saying what is wrong. A stub that still raises
``NotImplementedError`` is reported as not attempted yet, so the stored notebook runs clean.

Blame goes where it belongs: an error raised inside the student's function is reported as such
("your function raised ..."); a result of the wrong kind (a string, a dict, complex numbers, the
wrong shape) is reported by what it was and what was expected (:func:`result_array`), and the
checker never converts or broadcasts it blindly.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .._validation import short_repr

__all__ = ["Feedback", "WrongResult", "result_array", "result_number", "run_cases"]

Case = Callable[[Callable[..., object]], "str | None"]

_ICONS = {"not attempted": "○", "passed": "✔", "failed": "✘"}
_COLOURS = {"not attempted": "#555555", "passed": "#1a7f37", "failed": "#a40000"}
NOT_ATTEMPTED = (
    "not attempted yet: replace `raise NotImplementedError` with your code and run the cell again."
)
# A result larger than this is refused before any copy (a student may return a huge view).
MAX_RESULT_SIZE = 1_000_000


@dataclass(frozen=True)
class Feedback:
    """What a checker found: ``status`` is ``"not attempted"``, ``"passed"`` or ``"failed"``.

    After a failed attempt ``hint`` (when the exercise has one) is shown below the message.
    """

    exercise: str
    status: str
    message: str
    hint: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def _show_hint(self) -> bool:
        return self.status == "failed" and bool(self.hint)

    def __str__(self) -> str:
        text = f"{_ICONS[self.status]} {self.exercise}: {self.message}"
        return text + (f"\n  Hint: {self.hint}" if self._show_hint() else "")

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        text = (
            f'<div style="color:{_COLOURS[self.status]}"><b>{_ICONS[self.status]} '
            f"{html.escape(self.exercise)}</b>: {html.escape(self.message)}"
        )
        if self._show_hint():
            text += f"<br><i>Hint:</i> {html.escape(self.hint)}"
        return text + "</div>"


class WrongResult(Exception):
    """Raised by a checker when the student's result has the wrong kind or shape (not a crash)."""


class _StudentError(Exception):
    """An exception or warning raised inside the student's own function."""


class _NotAttempted(Exception):
    pass


def _describe(value: object) -> str:
    return f"{short_repr(value)} (a {type(value).__name__})"


def result_array(
    value: object, *, shape: tuple[int, ...] | None = None, what: str = "your function returned"
) -> np.ndarray:
    """The student's ``value`` as a float array, or :class:`WrongResult` saying what was wrong.

    ``what`` starts the sentence, e.g. ``"for a = [1, 2, 3] your function returned"``. The shape
    is compared before any conversion, and results with more than ``MAX_RESULT_SIZE`` entries are
    refused, so a wrong answer never makes the checker allocate a huge array.
    """
    wanted = f"an array of shape {shape}" if shape is not None else "an array of real numbers"
    if shape == ():
        wanted = "a real number"
    if value is None or isinstance(value, str | bytes | dict | set):
        raise WrongResult(f"{what} {_describe(value)}; expected {wanted}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged lists and other shapes NumPy refuses
        raise WrongResult(f"{what} {_describe(value)}; expected {wanted}") from exc
    if arr.dtype.kind == "c":
        raise WrongResult(
            f"{what} complex numbers, {short_repr(value)}; expected real numbers "
            "(if a step of yours went through complex numbers, keep the real part)"
        )
    if arr.dtype.kind not in "biuf":
        raise WrongResult(f"{what} {_describe(value)}; expected {wanted}")
    if shape is not None and arr.shape != shape:
        raise WrongResult(f"{what} an array of shape {arr.shape}; expected {wanted}")
    if arr.size > MAX_RESULT_SIZE:
        raise WrongResult(f"{what} an array of shape {arr.shape}, far too large; expected {wanted}")
    return arr.astype(np.float64)


def result_number(value: object, *, what: str = "your function returned") -> float:
    """The student's ``value`` as one real number (a size-1 array is accepted), or WrongResult."""
    if isinstance(value, bool):
        raise WrongResult(f"{what} {_describe(value)}; expected a real number")
    arr = result_array(value, what=what)
    if arr.size != 1:
        raise WrongResult(f"{what} an array of shape {arr.shape}; expected a real number")
    return float(arr.reshape(()))


def _guarded(fn: Callable[..., object]) -> Callable[..., object]:
    """``fn`` with its own exceptions and warnings wrapped, so they are not mistaken for ours."""

    def call(*args: object, **kwargs: object) -> object:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                return fn(*args, **kwargs)
        except NotImplementedError as exc:
            raise _NotAttempted from exc
        except Warning as warning:
            raise _StudentError(
                f"your function raised a warning ({type(warning).__name__}: {warning})"
            ) from warning
        except Exception as exc:  # noqa: BLE001 - any error in student code is feedback
            raise _StudentError(f"your function raised {type(exc).__name__}: {exc}") from exc

    return call


def run_cases(
    exercise: str,
    fn: Callable[..., object],
    cases: Sequence[Case],
    success: str,
    hint: str = "",
) -> Feedback:
    """Run ``cases`` against the student's ``fn`` and stop at the first problem.

    Each case receives a guarded ``fn``: what the student's code raises, including warnings
    (overflow, invalid value: a correct answer computes without them), is reported as theirs; a
    result of the wrong kind is reported through :class:`WrongResult`. An error in the checker's
    own code is reported as the checker's, never blamed on the student.
    """
    if not callable(fn):
        return Feedback(exercise, "failed", f"expected a function, got {short_repr(fn)}", hint)
    student = _guarded(fn)
    for case in cases:
        try:
            problem = case(student)
        except _NotAttempted:
            return Feedback(exercise, "not attempted", NOT_ATTEMPTED)
        except (_StudentError, WrongResult) as exc:
            problem = str(exc)
        except Exception as exc:  # noqa: BLE001 - report, never raise into the notebook
            problem = (
                f"the checker could not use your function's result ({type(exc).__name__}: {exc}); "
                "this is a fault of the checker: check the kind and shape your function returns"
            )
        if problem:
            return Feedback(exercise, "failed", problem, hint)
    return Feedback(exercise, "passed", success)
