"""The notebook exercises: code checkers, numeric and multiple-choice questions, and prompts.

Each exercise's feedback (:class:`Feedback`) is specific to the mistake, adds a hint after a
wrong attempt, and the worked solution is shown only on demand (``.solution()`` or
``.solution_button()``). :func:`reveal` is the "predict, then move the slider" prompt.
"""

from ._feedback import Feedback
from ._questions import ChoiceQuestion, CodeExercise, NumericQuestion, code_exercise, reveal
from .kernels import check_exp_counterexample, check_is_psd, check_taylor_exp_gram
from .momentum import check_momentum_step, check_physical_to_momentum
from .softmax import check_cross_entropy_grad, check_softmax

__all__ = [
    "Feedback",
    "CodeExercise",
    "code_exercise",
    "NumericQuestion",
    "ChoiceQuestion",
    "reveal",
    "check_softmax",
    "check_cross_entropy_grad",
    "check_is_psd",
    "check_taylor_exp_gram",
    "check_exp_counterexample",
    "check_momentum_step",
    "check_physical_to_momentum",
]
