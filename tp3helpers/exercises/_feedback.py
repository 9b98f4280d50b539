"""Checking an answer: the :class:`Feedback`, the student's result read as an array, a number or
a pair, the phrases the judges share, and :func:`run_cases`, the one runner of every code
exercise's :class:`Case`\\ s."""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .._validation import short_repr

__all__ = ["Case", "Feedback", "NotAttempted", "WrongResult", "first_slip", "matches", "not_close",
           "only_some_digits", "result_array", "result_number", "result_pair", "run_cases"]

_ICONS = {"not attempted": "○", "passed": "✔", "failed": "✘"}
_COLOURS = {"not attempted": "#555555", "passed": "#1a7f37", "failed": "#a40000"}
# A result larger than this is refused before any copy (a student may return a huge view).
MAX_RESULT_SIZE = 1_000_000
#: Said once every hint of the ladder has been given.
NO_MORE_HINTS = "No more hints: Show solution, under the statement, gives a worked solution."


@dataclass(frozen=True)
class Feedback:
    """What a check found: ``status`` is ``"not attempted"``, ``"passed"`` or ``"failed"``;
    ``hints`` are the hints given so far (one more after each failed attempt), out of ``ladder``."""

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
        lines = [f"Hint {i} of {self.ladder}: {hint}" for i, hint in enumerate(self.hints, 1)]
        if self.hints and len(self.hints) == self.ladder:
            lines.append(NO_MORE_HINTS)
        return lines

    def __str__(self) -> str:
        head = f"{_ICONS[self.status]} {self.exercise}: {self.message}"
        return "\n  ".join([head, *self._lines()])

    __repr__ = __str__

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
    """Raised by a judge for a result it rejects before comparing it: wrong kind, wrong shape, a
    swapped pair (not a crash)."""


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
    copy, and results with more than ``MAX_RESULT_SIZE`` entries are refused, so a wrong answer
    never makes the checker allocate a huge array.
    """
    wanted = f"an array of shape {shape}" if shape is not None else "an array of real numbers"
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


def result_pair(value: object, right: tuple, names: tuple[str, str], first: str,
                read: Callable = result_array, **kwargs: object) -> tuple:
    """The two items of a returned pair such as ``(w, v)``, each read by ``read`` (with
    ``kwargs``), or WrongResult: not a pair, an item of the wrong kind, or the ``right`` pair in
    the other order ("the pair is swapped: return (w, v), position first")."""
    pair = f"({names[0]}, {names[1]})"
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise WrongResult(f"your function returned {_describe(value)}; return the pair {pair}")
    a, b = (read(x, what=f"the {name} you returned is", **kwargs)
            for x, name in zip(value, names, strict=True))
    if np.allclose(a, right[1]) and np.allclose(b, right[0]) and not np.allclose(b, right[1]):
        raise WrongResult(f"the pair is swapped: return {pair}, {first} first")
    return a, b


def not_close(got: np.ndarray, want: np.ndarray, what: str = "you return",
              **tolerance: float) -> str | None:
    """``None`` when ``got`` is close to ``want`` (:func:`numpy.allclose` with ``tolerance``),
    else "you return [...], expected [...]", both rounded to four decimals."""
    if np.allclose(got, want, **tolerance):
        return None
    return f"{what} {np.round(got, 4)}, expected {np.round(want, 4)}"


def matches(got: object, known: object, **tolerance: float) -> bool:
    """``got`` is the value ``known`` (the same shape, or both of size 1, and close by
    :func:`numpy.allclose` with ``tolerance``), or passes the test ``known(got)``."""
    if callable(known):
        try:
            return bool(known(got))
        except Exception:  # noqa: BLE001 - a test that does not apply does not match
            return False
    same_shape = np.shape(got) == np.shape(known) or np.size(got) == np.size(known) == 1
    return same_shape and bool(np.allclose(got, known, **tolerance))


def first_slip(got: object, slips: Sequence[tuple[object, str]], **tolerance: float) -> str | None:
    """The ``why`` of the first known slip ``(wrong value or test, why)`` that ``got``
    :func:`matches`; a wrong value ``None`` is skipped."""
    return next((why for wrong, why in slips
                 if wrong is not None and matches(got, wrong, **tolerance)), None)


def only_some_digits(off: float, size: float) -> str | None:
    """What to say of an answer ``off`` away from an exact one of size ``size`` that is close but
    not exact to rounding, as finite differences are (within 1e-5 of ``size``); None otherwise."""
    if off > 1e-5 * size:
        return None
    return (f"agrees to about {int(-np.log10(off / size))} digits only, as finite differences "
            "do; the chain rule gives every digit")


@dataclass(frozen=True)
class Case:
    """One call of the student's function: ``name`` says which in the feedback ("for a = [1, 2]
    your function returned ..."; empty for a single call) and ``note``, added when it fails, what
    the case is about. The function gets copies of the arrays in ``args``, the judge the originals,
    so a function that changes its input cannot change what it is judged against."""

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

    Each result goes, with the case's arguments, to ``judge``. An error or a warning inside ``fn``
    is reported as the student's, a :class:`WrongResult` as what the result was, an error in the
    judge as the checker's fault. Raises :class:`NotAttempted` when ``fn`` still raises
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
