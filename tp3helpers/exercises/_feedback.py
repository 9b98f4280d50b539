"""Feedback objects returned by the exercise checkers.

A checker calls the student's function on a series of cases. Each case returns ``None`` when the
answer is right or a sentence saying what is wrong. A stub that still raises
``NotImplementedError`` is reported as not attempted yet, so the stored notebook runs clean.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Feedback", "run_cases"]

Case = Callable[[Callable[..., object]], "str | None"]

_ICONS = {"not attempted": "○", "passed": "✔", "failed": "✘"}
_COLOURS = {"not attempted": "#555555", "passed": "#1a7f37", "failed": "#a40000"}


@dataclass(frozen=True)
class Feedback:
    """What a checker found: ``status`` is ``"not attempted"``, ``"passed"`` or ``"failed"``."""

    exercise: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"{_ICONS[self.status]} {self.exercise}: {self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return (
            f'<div style="color:{_COLOURS[self.status]}"><b>{_ICONS[self.status]} '
            f"{html.escape(self.exercise)}</b>: {html.escape(self.message)}</div>"
        )


def run_cases(
    exercise: str, fn: Callable[..., object], cases: Sequence[Case], success: str
) -> Feedback:
    """Run ``cases`` against the student's ``fn`` and stop at the first problem.

    Warnings raised by ``fn`` (overflow, invalid value) count as failures: a correct answer
    computes without them.
    """
    if not callable(fn):
        return Feedback(exercise, "failed", f"expected a function, got {fn!r}")
    for case in cases:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                problem = case(fn)
        except NotImplementedError:
            return Feedback(
                exercise,
                "not attempted",
                "not attempted yet: replace `raise NotImplementedError` with your code "
                "and run the cell again.",
            )
        except Warning as warning:
            problem = f"your function raised a warning ({type(warning).__name__}: {warning})"
        except Exception as exc:  # noqa: BLE001 - any error in student code is feedback
            problem = f"your function raised {type(exc).__name__}: {exc}"
        if problem:
            return Feedback(exercise, "failed", problem)
    return Feedback(exercise, "passed", success)
