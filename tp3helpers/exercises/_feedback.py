"""Checking an answer: the feedback, the kind of a result, and :func:`run_cases`, the one runner
of every code exercise's :class:`Case`\\ s."""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .._validation import short_repr

__all__ = ["Case", "Feedback", "NotAttempted", "WrongResult", "result_array", "result_number",
           "result_pair", "run_cases"]

_ICONS = {"not attempted": "○", "passed": "✔", "failed": "✘"}
_COLOURS = {"not attempted": "#555555", "passed": "#1a7f37", "failed": "#a40000"}
# A result larger than this is refused before any copy (a student may return a huge view).
MAX_RESULT_SIZE = 1_000_000
#: Said once every hint of the ladder has been given.
NO_MORE_HINTS = "No more hints: Show solution, under the statement, gives a worked solution."


@dataclass(frozen=True)
class Feedback:
    """What a check found: ``status`` is ``"not attempted"``, ``"passed"`` or ``"failed"``.

    ``hints`` are the hints given so far, after a failed attempt (one more after each, see
    :class:`~tp3helpers.exercises.Exercise`), out of ``ladder`` in all.
    """

    exercise: str
    status: str
    message: str
    hints: tuple[str, ...] = ()
    ladder: int = 0

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def _lines(self) -> list[str]:
        """The hint lines, numbered "Hint 1 of 2: ..."."""
        lines = [f"Hint {i} of {self.ladder}: {hint}" for i, hint in enumerate(self.hints, 1)]
        if self.hints and len(self.hints) == self.ladder:
            lines.append(NO_MORE_HINTS)
        return lines

    def __str__(self) -> str:
        head = f"{_ICONS[self.status]} {self.exercise}: {self.message}"
        return "\n  ".join([head, *self._lines()])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        from ._display import presentation_px  # the widget layer, only when shown in a notebook

        size = presentation_px()
        style = f"color:{_COLOURS[self.status]}" + (f";font-size:{size:g}px" if size else "")
        lines = "".join(f"<br><i>{html.escape(line)}</i>" for line in self._lines())
        return (
            f'<div class="tp3-feedback" style="{style}"><b>{_ICONS[self.status]} '
            f"{html.escape(self.exercise)}</b>: {html.escape(self.message)}{lines}</div>"
        )


class WrongResult(Exception):
    """Raised by a judge when the student's result has the wrong kind or shape (not a crash)."""


class NotAttempted(Exception):
    """The student's function still raises ``NotImplementedError``."""


class _StudentError(Exception):
    """An exception or warning raised inside the student's own function."""


def _describe(value: object) -> str:
    return f"{short_repr(value)} (a {type(value).__name__})"


def result_array(
    value: object, *, shape: tuple[int, ...] | None = None, what: str = "your function returned"
) -> np.ndarray:
    """The student's ``value`` as a float array, or :class:`WrongResult` saying what was wrong.

    ``what`` starts the sentence, e.g. ``"your answer is"``. The shape is compared before any
    conversion, and results with more than ``MAX_RESULT_SIZE`` entries are refused, so a wrong
    answer never makes the checker allocate a huge array.
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


def only_some_digits(off: float, size: float) -> str | None:
    """What to say of an answer ``off`` away from an exact one of size ``size`` that is close but
    not exact to rounding, as finite differences are (within 1e-5 of ``size``); None otherwise."""
    if off > 1e-5 * size:
        return None
    return (f"agrees to about {int(-np.log10(off / size))} digits only, as finite differences "
            "do; the chain rule gives every digit")


def result_pair(value: object, what: str) -> tuple[object, object]:
    """The two items of a returned pair such as ``(w_new, v_new)``, or WrongResult."""
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise WrongResult(f"your function returned {_describe(value)}; return the pair {what}")
    return value[0], value[1]


@dataclass(frozen=True)
class Case:
    """One call of the student's function.

    Attributes
    ----------
    name : str
        Which call, as the feedback says it: ``"a = [1, 2, 3]"`` gives "for a = [1, 2, 3] your
        function returned ...". Empty for an exercise with a single call.
    args : tuple
        The arguments. The student's function gets copies of the arrays among them, the judge the
        originals, so a function that changes its input cannot change what it is judged against.
    note : str
        What this case is about, added to the feedback when it fails, e.g. "exp(1000) overflows
        float64".
    """

    name: str
    args: tuple = ()
    note: str = ""

    def call(self, fn: Callable[..., object]) -> object:
        """``fn`` on copies of the arguments; its own errors and warnings are reported as such."""
        args = [a.copy() if isinstance(a, np.ndarray) else a for a in self.args]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                return fn(*args)
        except NotImplementedError as exc:
            raise NotAttempted from exc
        except Warning as warning:
            raise _StudentError(
                f"your function raised a warning ({type(warning).__name__}: {warning})"
            ) from warning
        except Exception as exc:  # noqa: BLE001 - any error in student code is feedback
            raise _StudentError(f"your function raised {type(exc).__name__}: {exc}") from exc

    def told(self, problem: str) -> str:
        """``problem`` as the feedback says it, with the case's name and note."""
        text = f"for {self.name} {problem}" if self.name else problem
        return f"{text} — {self.note}" if self.note else text


#: ``judge(result, *case.args)``: ``None`` when the result is right, else what is wrong with it.
Judge = Callable[..., "str | None"]


def run_cases(fn: object, cases: Sequence[Case], judge: Judge) -> str | None:
    """What is wrong with the student's ``fn`` on the first case it fails, or ``None``.

    Each result goes, with the case's arguments, to ``judge``, which returns ``None`` when it is
    right or a sentence saying what is wrong; the feedback names the failing case ("for a =
    [1000, 1000, 999] ..."). An error or a warning inside ``fn`` is reported as the student's, a
    result of the wrong kind by what it was (:func:`result_array`), an error in the judge as the
    checker's fault. Raises :class:`NotAttempted` when ``fn`` still raises
    ``NotImplementedError``, so that the stored notebook runs clean.
    """
    if not callable(fn):
        return f"expected a function, got {_describe(fn)}"
    for case in cases:
        try:
            problem = judge(case.call(fn), *case.args)
        except NotAttempted:
            raise
        except (_StudentError, WrongResult) as exc:
            problem = str(exc)
        except Exception as exc:  # noqa: BLE001 - report, never raise into the notebook
            problem = (
                f"the checker could not use your function's result ({type(exc).__name__}: {exc}); "
                "this is a fault of the checker: check the kind and shape your function returns"
            )
        if problem:
            return case.told(problem)
    return None
