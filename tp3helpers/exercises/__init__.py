"""The notebook exercises and the Explore prompts, each with its text, answer and hints.

Every exercise and prompt lives in the module of its notebook (:mod:`.softmax` for notebook 1,
:mod:`.kernels` 2, :mod:`.momentum` 3, :mod:`.digits` 4), with its statement, its hints and its
worked solution: a notebook cell only names it, so reading the notebook gives no answer away.
The three kinds of exercise and the prompt are described in :mod:`._exercise`, the checking in
:mod:`._feedback`.

How to add an exercise
----------------------
1. In the notebook's module, make one object (its name ends in ``_exercise``)::

       leaky_step_exercise = NumericExercise(
           "the effective step",                                    # title
           "With $\\rho = 0.95$ and $\\eta = 0.002$, ... which step?",  # statement, Markdown
           0.002 / (1 - 0.95),                                      # the right answer
           rtol=1e-3,
           mistakes=[(0.002 * 0.05, "divide by 1 - rho, do not multiply")],  # typical slips
           hints=["The velocity is a sum of past gradients weighted 1, rho, rho^2, ...",  # idea
                  "On a constant gradient that sum tends to g / (1 - rho)."],          # step
           solution=r"... worked solution, Markdown ...",
       )

   For code, give ``cases`` (:class:`Case`: a name for the feedback and the arguments) and one
   ``judge(result, *args)`` returning ``None`` or what is wrong; :func:`result_array` turns the
   student's result into an array or says why it cannot. For a choice, give ``options``
   (letter -> :class:`Option` with its text, whether it is right, and why).
2. In the notebook: import it in Setup, then a cell that shows it (``leaky_step_exercise``: the
   statement and a *Show solution* button) and an answer cell ending in
   ``leaky_step_exercise.check(answer)``, with the cell tag ``nbval-check-output`` (nbval then
   checks that the stored notebook says "not attempted").
3. In the notebook's exercise tests: the right answer passes, each typical slip gets its own
   feedback. The shared tests (``tests/test_exercise_kinds.py``) find every exercise and prompt of
   the four modules by themselves and check their hint ladders and that no stored notebook shows
   an answer.

A prompt is one line: ``damping_prompt = Prompt("Set rho = 1: ...?", "Neither: ...")``, shown by a
cell ``damping_prompt`` in the Explore section.
"""

from ._exercise import ChoiceExercise, CodeExercise, Exercise, NumericExercise, Option, Prompt
from ._feedback import (
    Case,
    Feedback,
    WrongResult,
    result_array,
    result_number,
    result_pair,
    run_cases,
)

__all__ = [
    "Exercise",
    "CodeExercise",
    "NumericExercise",
    "ChoiceExercise",
    "Option",
    "Prompt",
    "Case",
    "Feedback",
    "WrongResult",
    "result_array",
    "result_number",
    "result_pair",
    "run_cases",
]
