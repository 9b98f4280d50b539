"""The three kinds of exercise (:class:`CodeExercise`, :class:`NumericExercise`,
:class:`ChoiceExercise`) and the Explore :class:`Prompt`, each shown as a card (:mod:`._display`)
whose answer is revealed only when asked for. An answer left as ``...`` (or a stub that raises
``NotImplementedError``) is "not attempted".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from .._validation import short_repr
from ._feedback import (
    Case,
    Feedback,
    Judge,
    NotAttempted,
    WrongResult,
    first_slip,
    matches,
    result_array,
    run_cases,
)

__all__ = ["Exercise", "CodeExercise", "NumericExercise", "ChoiceExercise", "Option", "Prompt"]


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{name} must be a non-empty string, got {short_repr(value)}")
    return value


class _Shown:
    """Shown in a notebook as a card: ``self._card()`` gives its text, button and hidden text."""

    def widget(self):
        """The widget a notebook shows: the text, and a button that reveals the answer."""
        from ._display import Card  # the widget layer, only when shown

        return Card(*self._card(), plain=repr(self))

    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        return self.widget()._repr_mimebundle_(**kwargs)


class Exercise(_Shown):
    """What every exercise has: a title, a statement, a ladder of hints and a worked solution.

    Each wrong attempt unlocks the next hint, and :meth:`reset` starts over.

    Parameters
    ----------
    title : str
        A few words, shown in bold above the statement and at the start of the feedback.
    statement : str
        The question, in Markdown (``$...$`` maths allowed).
    hints : sequence of str
        Two or more hints, in order: the first names the idea, the second the step.
    solution : str
        The worked solution, in Markdown; shown only when asked for.
    """

    #: The kind of answer, shown beside the title.
    kind = ""
    #: The not-attempted feedback says this.
    how_to_answer = "replace `...` with your answer and run the cell again."

    def __init__(self, title: str, statement: str, *, hints: Sequence[str], solution: str) -> None:
        self.title = _text(title, "title")
        self.statement = _text(statement, "statement")
        if isinstance(hints, str) or len(hints) < 2:
            raise TypeError(f"hints must be a sequence of two or more hints, got {hints!r}")
        self.hints = tuple(_text(hint, "each hint") for hint in hints)
        self.solution = _text(solution, "solution")
        self.wrong_attempts = 0

    def check(self, answer: object) -> Feedback:
        """Feedback on ``answer``; a wrong one names the mistake and adds the next hint."""
        try:
            status, message = self._assess(answer)
        except NotAttempted:
            return Feedback(self.title, "not attempted", f"not attempted yet: {self.how_to_answer}")
        if status == "passed":
            return Feedback(self.title, status, message)
        self.wrong_attempts += 1
        return Feedback(self.title, status, message, self.hints[: self.wrong_attempts],
                        len(self.hints))

    def reset(self) -> None:
        """Forget the wrong attempts: the next one gets the first hint again."""
        self.wrong_attempts = 0

    def _assess(self, answer: object) -> tuple[str, str]:
        """``("passed" | "failed", message)``; raises NotAttempted for an answer left out."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"Exercise: {self.title} ({self.kind})\n\n{self.statement}"

    def _card(self) -> tuple[str, str, str]:
        heading = f"**Exercise: {self.title}** *({self.kind})*"
        return f"{heading}\n\n{self.statement}", "Show solution", self.solution


class CodeExercise(Exercise):
    """Write a function; ``check(fn)`` calls it on each case and judges the result.

    Parameters
    ----------
    cases : sequence of Case
        The calls, in order; the feedback names the first that fails.
    judge : callable
        ``judge(result, *case.args)``: ``None`` when ``result`` is right, else what is wrong.
    success : str
        The feedback when every case passes.
    """

    kind = "write code"
    how_to_answer = "replace `raise NotImplementedError` with your code and run the cell again."

    def __init__(self, title: str, statement: str, *, cases: Sequence[Case], judge: Judge,
                 success: str, hints: Sequence[str], solution: str) -> None:
        super().__init__(title, statement, hints=hints, solution=solution)
        self.cases, self.judge, self.success = tuple(cases), judge, _text(success, "success")

    def _assess(self, fn: object) -> tuple[str, str]:
        problem = run_cases(fn, self.cases, self.judge)
        return ("failed", problem) if problem else ("passed", self.success)


#: A known wrong answer: a value (compared with the exercise's tolerance; it may have another shape
#: than the right answer) or a test of the answer array, and what it gets wrong.
Mistake = tuple[object, str]


class NumericExercise(Exercise):
    """Predict or derive a number or an array; ``check(answer)`` compares it with ``expected``.

    Parameters
    ----------
    expected : float or array_like
        The right answer; never printed.
    rtol, atol : float
        Tolerance of the comparison, as in :func:`numpy.allclose`.
    mistakes : sequence of (value or callable, str)
        Known wrong answers and their explanations; the first that matches explains the answer.
        A callable receives the answer as a float array and returns True when it matches.
    """

    kind = "predict a value"

    def __init__(self, title: str, statement: str, expected: object, *, rtol: float = 1e-6,
                 atol: float = 1e-9, mistakes: Sequence[Mistake] = (), hints: Sequence[str],
                 solution: str) -> None:
        super().__init__(title, statement, hints=hints, solution=solution)
        try:
            self.expected = result_array(expected, what="expected is")
        except WrongResult as exc:
            raise TypeError(str(exc)) from None
        if not np.isfinite(self.expected).all():
            raise ValueError(f"expected must be finite, got {short_repr(expected)}")
        self.rtol, self.atol = float(rtol), float(atol)
        self.mistakes = [
            (wrong if callable(wrong) else result_array(wrong, what="a mistake's value is"),
             _text(explanation, "each mistake's explanation"))
            for wrong, explanation in mistakes
        ]

    def _assess(self, answer: object) -> tuple[str, str]:
        if answer is ... or answer is None:
            raise NotAttempted
        try:
            got = result_array(answer, what="your answer is")
        except WrongResult as exc:
            return "failed", str(exc)
        if not np.isfinite(got).all():
            return "failed", f"your answer {short_repr(answer)} contains NaN or inf"
        tolerance = {"rtol": self.rtol, "atol": self.atol}
        if matches(got, self.expected, **tolerance):
            return "passed", "correct."
        why = first_slip(got, self.mistakes, **tolerance)
        if why:
            return "failed", f"{short_repr(answer)} is not right: {why}"
        expected = self.expected
        if got.shape != expected.shape and not got.size == expected.size == 1:
            wanted = "a single number" if expected.size == 1 else f"shape {expected.shape}"
            return "failed", f"your answer has shape {got.shape}; expected {wanted}"
        return "failed", f"{short_repr(answer)} is not right."


class Option(NamedTuple):
    """One option of a :class:`ChoiceExercise`: its text, whether it is right, and why."""

    text: str
    right: bool
    why: str


class ChoiceExercise(Exercise):
    """Choose one option; ``check(letter)`` explains the option chosen, right or wrong.

    Parameters
    ----------
    options : mapping of str to Option
        The options by letter, listed under the statement in this order; exactly one is right.
    title, statement, hints, solution
        As for :class:`Exercise`; the statement is the question, without the options.
    """

    kind = "choose an option"
    how_to_answer = "replace `...` with the letter of your choice and run the cell again."

    def __init__(self, title: str, statement: str, options: Mapping[str, Option], *,
                 hints: Sequence[str], solution: str) -> None:
        if not isinstance(options, Mapping) or len(options) < 2:
            raise TypeError(f"options must map two or more letters to an Option, got {options!r}")
        self.options = {
            _text(key, "each option's letter").strip().lower(): Option(*option)
            for key, option in options.items()
        }
        rights = [key for key, option in self.options.items() if option.right]
        if len(rights) != 1:
            raise ValueError(f"exactly one option must be right, got {len(rights)}: {rights}")
        listing = "\n".join(f"- ({key}) {option.text}" for key, option in self.options.items())
        super().__init__(title, f"{statement}\n\n{listing}", hints=hints, solution=solution)

    def _assess(self, choice: object) -> tuple[str, str]:
        if choice is ... or choice is None:
            raise NotAttempted
        key = choice.strip().lower() if isinstance(choice, str) else None
        if key not in self.options:
            letters = ", ".join(repr(key) for key in self.options)
            return "failed", f"answer with one of {letters}; got {short_repr(choice)}"
        option = self.options[key]
        if option.right:
            return "passed", f"correct: {option.why}"
        return "failed", f"({key}) is not right: {option.why}"


class Prompt(_Shown):
    """"Predict, then move the slider": a question, and its answer behind a button.

    Parameters
    ----------
    question : str
        What to predict before moving the explorer's controls (Markdown, ``$...$`` maths allowed).
    answer : str
        What the explorer shows (Markdown); displayed only after *Reveal the answer* is clicked.
    """

    def __init__(self, question: str, answer: str) -> None:
        self.question = _text(question, "question")
        self.answer = _text(answer, "answer")

    def __repr__(self) -> str:
        return f"Predict: {self.question}"

    def _card(self) -> tuple[str, str, str]:
        return f"**Predict:** {self.question}", "Reveal the answer", self.answer
