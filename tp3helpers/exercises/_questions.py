"""The three kinds of exercise, with a hint after a wrong attempt and a solution on demand.

- :func:`code_exercise` turns a checker of the student's function into an exercise:
  ``check_softmax(my_softmax)``.
- :class:`NumericQuestion`: predict or derive a number or an array, ``q.check(0.25)``.
- :class:`ChoiceQuestion`: multiple choice, each wrong option with its own explanation,
  ``q.check("b")``.

Every exercise has ``.solution()``, which returns the worked solution (shown as Markdown when it
is the last line of a cell) and ``.solution_button()``, a "Show solution" button that works in
JupyterLab and in Voilà. Nothing is shown before it is asked for, so a stored notebook gives no
answer away. An answer left as ``...`` (or ``None``) counts as "not attempted".

:func:`reveal` is the "predict, then move the slider" prompt of the Explore sections.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from .._cells import close_widgets, replace_previous
from .._validation import short_repr
from ._feedback import Feedback, WrongResult, result_array

__all__ = [
    "Solution",
    "CodeExercise",
    "code_exercise",
    "NumericQuestion",
    "ChoiceQuestion",
    "reveal",
]


class Solution:
    """A worked solution in Markdown; it is rendered only when a cell shows it."""

    def __init__(self, exercise: str, markdown: str) -> None:
        self.exercise = exercise
        self.markdown = markdown

    def __str__(self) -> str:
        return f"Solution of {self.exercise}:\n\n{self.markdown}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        return f"**Solution of {self.exercise}.**\n\n{self.markdown}"


def _hidden_behind_button(label: str, markdown: str, intro: str = ""):
    """A widget with an optional ``intro``, a button, and ``markdown`` shown only after a click.

    The Markdown lives in the kernel until the click, so it is in no stored output.
    """
    import ipywidgets as widgets  # widget layer, imported only when a button is asked for
    from IPython.display import Markdown

    button = widgets.Button(description=label, button_style="info")
    out = widgets.Output()

    def show(_button: object) -> None:
        button.disabled = True
        out.append_display_data(Markdown(markdown))

    button.on_click(show)
    children = [button, out]
    if intro:
        children.insert(0, widgets.HTMLMath(value=intro))
    box = widgets.VBox(children)
    # Made again by the same notebook cell (a re-run), it replaces the previous one, closed.
    replace_previous(box, ("behind a button", label, markdown), close_widgets)
    return box


def reveal(question: str, answer: str):
    """A "predict, then move the slider" prompt: ``question``, then ``answer`` behind a button.

    Parameters
    ----------
    question : str
        What to predict before moving the explorer's controls (HTML, ``$...$`` maths allowed).
    answer : str
        What the explorer shows (Markdown); displayed only after "Reveal the answer" is clicked.
    """
    _require_text(question, "question")
    _require_text(answer, "answer")
    return _hidden_behind_button("Reveal the answer", answer, intro=f"<b>Predict:</b> {question}")


def _require_text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{name} must be a non-empty string, got {short_repr(value)}")
    return value


class _Exercise:
    """What every exercise has: a name, a hint for wrong attempts and a worked solution."""

    def __init__(self, name: str, *, hint: str, solution: str) -> None:
        self.name = _require_text(name, "name")
        self.hint = _require_text(hint, "hint")
        self._solution = _require_text(solution, "solution")

    def solution(self) -> Solution:
        """The worked solution; ends a cell to show it as Markdown (or ``print`` it)."""
        return Solution(self.name, self._solution)

    def solution_button(self):
        """A "Show solution" button (ipywidgets) that displays the worked solution when clicked."""
        return _hidden_behind_button("Show solution", self._solution)

    def _failed(self, message: str) -> Feedback:
        return Feedback(self.name, "failed", message, self.hint)

    def _not_attempted(self, what: str) -> Feedback:
        return Feedback(self.name, "not attempted", f"not attempted yet: {what}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class CodeExercise(_Exercise):
    """A code exercise: calling it with the student's function runs ``checker`` on it.

    ``checker(fn)`` returns a :class:`Feedback`; a failed one gets the exercise's hint.
    """

    def __init__(
        self, checker: Callable[[Callable], Feedback], *, hint: str, solution: str
    ) -> None:
        super().__init__(checker.__name__, hint=hint, solution=solution)
        self._checker = checker
        functools.update_wrapper(self, checker)

    def check(self, fn: Callable) -> Feedback:
        """Run the checker on the student's function ``fn``."""
        feedback = self._checker(fn)
        if feedback.status == "failed":
            return self._failed(feedback.message)
        return feedback

    __call__ = check


def code_exercise(*, hint: str, solution: str) -> Callable[[Callable], CodeExercise]:
    """Decorator: ``@code_exercise(hint=..., solution=...)`` on a checker makes a CodeExercise."""
    return functools.partial(CodeExercise, hint=hint, solution=solution)


Mistake = tuple[object, str]


class NumericQuestion(_Exercise):
    """Predict or derive a number or an array; ``check(answer)`` compares it with ``expected``.

    Parameters
    ----------
    name : str
        Shown in the feedback.
    expected : float or array_like
        The right answer (computed from the notebook's data where it depends on it); it is never
        printed.
    rtol, atol : float
        Tolerance of the comparison, as in :func:`numpy.allclose`.
    mistakes : sequence of (value or predicate, explanation)
        Known wrong answers: a value (compared with the same tolerance; it may have another
        shape than ``expected``, e.g. one row per sample where a sum was asked) or a function of
        the answer array returning True; the first that matches gives its explanation.
    hint, solution : str
        The hint shown after a wrong attempt; the worked solution (Markdown) shown on demand.
    """

    def __init__(
        self,
        name: str,
        expected: object,
        *,
        rtol: float = 1e-6,
        atol: float = 1e-9,
        mistakes: Sequence[Mistake] = (),
        hint: str,
        solution: str,
    ) -> None:
        super().__init__(name, hint=hint, solution=solution)
        try:
            self._expected = result_array(expected, what="expected is")
        except WrongResult as exc:
            raise TypeError(str(exc)) from None
        if not np.isfinite(self._expected).all():
            raise ValueError(f"expected must be finite, got {short_repr(expected)}")
        self._rtol, self._atol = float(rtol), float(atol)
        self._mistakes = []
        for wrong, explanation in mistakes:
            if not callable(wrong):
                wrong = result_array(wrong, what="a mistake's value is")
            self._mistakes.append((wrong, _require_text(explanation, "explanation")))

    def _matches(self, answer: np.ndarray, target: np.ndarray) -> bool:
        if answer.size == 1 and target.size == 1:
            answer, target = answer.reshape(()), target.reshape(())
        if answer.shape != target.shape:
            return False
        return bool(np.allclose(answer, target, rtol=self._rtol, atol=self._atol))

    def check(self, answer: object) -> Feedback:
        """Feedback on ``answer`` (a number or an array); ``...`` means not attempted."""
        if answer is ... or answer is None:
            return self._not_attempted("replace `...` with your answer and run the cell again.")
        try:
            got = result_array(answer, what="your answer is")
        except WrongResult as exc:
            return self._failed(str(exc))
        if not np.isfinite(got).all():
            return self._failed(f"your answer {short_repr(answer)} contains NaN or inf")
        if self._matches(got, self._expected):
            return Feedback(self.name, "passed", "correct.")
        for wrong, explanation in self._mistakes:
            if self._matches(got, wrong) if isinstance(wrong, np.ndarray) else _holds(wrong, got):
                return self._failed(f"{short_repr(answer)} is not right: {explanation}")
        if self._expected.size == 1 and got.size != 1:
            return self._failed(f"your answer has shape {got.shape}; expected a single number")
        if self._expected.size > 1 and got.shape != self._expected.shape:
            return self._failed(
                f"your answer has shape {got.shape}; expected shape {self._expected.shape}"
            )
        return self._failed(f"{short_repr(answer)} is not right.")


def _holds(predicate: Callable[[np.ndarray], object], answer: np.ndarray) -> bool:
    try:
        return bool(predicate(answer))
    except Exception:  # noqa: BLE001 - a predicate that does not apply does not match
        return False


class ChoiceQuestion(_Exercise):
    """Multiple choice: ``options`` maps each letter to ``(is_right, explanation)``.

    Exactly one option is right. ``check(letter)`` explains the chosen option, so every wrong
    choice gets its own feedback.
    """

    def __init__(
        self, name: str, options: dict[str, tuple[bool, str]], *, hint: str, solution: str
    ) -> None:
        super().__init__(name, hint=hint, solution=solution)
        if not isinstance(options, dict) or len(options) < 2:
            raise TypeError(f"options must be a dict of two or more options, got {options!r}")
        self._options = {}
        for key, (right, explanation) in options.items():
            self._options[_require_text(key, "option key").strip().lower()] = (
                bool(right), _require_text(explanation, "explanation"))
        rights = [key for key, (right, _) in self._options.items() if right]
        if len(rights) != 1:
            raise ValueError(f"exactly one option must be right, got {len(rights)}")

    def check(self, choice: object) -> Feedback:
        """Feedback on ``choice``, one of the option letters; ``...`` means not attempted."""
        if choice is ... or choice is None:
            return self._not_attempted("replace `...` with the letter of your choice.")
        letters = ", ".join(repr(key) for key in self._options)
        key = choice.strip().lower() if isinstance(choice, str) else None
        if key not in self._options:
            return self._failed(f"answer with one of {letters}; got {short_repr(choice)}")
        right, explanation = self._options[key]
        if right:
            return Feedback(self.name, "passed", f"correct: {explanation}")
        return self._failed(f"({key}) is not right: {explanation}")
