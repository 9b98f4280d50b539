"""The notebook exercises and the Explore prompts, each with its text, answer and hints.

Each notebook's exercises and prompts live in its module (:mod:`.softmax` for notebook 1,
:mod:`.kernels` 2, :mod:`.momentum` 3, :mod:`.digits` 4): a notebook cell only names them, so
reading the notebook gives no answer away. The kinds of exercise are in :mod:`._exercise`, the
checking in :mod:`._feedback`.

To add an exercise, make one object whose name ends in ``_exercise`` in the notebook's module: a
:class:`NumericExercise` (the answer, a tolerance and the typical slips as ``mistakes``), a
:class:`CodeExercise` (:class:`Case`\\ s and a ``judge``) or a :class:`ChoiceExercise`
(:class:`Option`\\ s), each with two hints (the idea, then the step) and a worked solution. In the
notebook, import it in Setup; one cell shows it, the next ends with ``name.check(answer)`` and is
tagged ``nbval-check-output``. Its tests give it its right answer and each slip;
``tests/test_exercise_kinds.py`` finds it by itself and checks its hint ladder and that no stored
notebook shows its answer. A prompt is one line, ``Prompt(question, answer)``.
"""

from ._exercise import ChoiceExercise, CodeExercise, Exercise, NumericExercise, Option, Prompt
from ._feedback import Case, run_cases

__all__ = ["Exercise", "CodeExercise", "NumericExercise", "ChoiceExercise", "Option", "Prompt",
           "Case", "run_cases"]
