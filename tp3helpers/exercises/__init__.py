"""The notebook exercises: code checkers, numeric and multiple-choice questions, and prompts.

Each exercise's feedback (:class:`Feedback`) is specific to the mistake, adds a hint after a
wrong attempt, and the worked solution is shown only on demand (``.solution()`` or
``.solution_button()``). :func:`reveal` is the "predict, then move the slider" prompt.
"""

from ._feedback import Feedback
from ._questions import ChoiceQuestion, CodeExercise, NumericQuestion, code_exercise, reveal
from .kernels import (
    check_exp_counterexample,
    check_is_psd,
    check_taylor_exp_gram,
    feature_count_question,
    kernel_prompt,
    smallest_eigenvalue_question,
    valid_kernel_question,
)
from .momentum import check_momentum_step, check_physical_to_momentum
from .softmax import (
    bias_gradient_question,
    check_cross_entropy_grad,
    check_softmax,
    curvature_question,
)

__all__ = [
    "Feedback",
    "CodeExercise",
    "code_exercise",
    "NumericQuestion",
    "ChoiceQuestion",
    "reveal",
    "check_softmax",
    "check_cross_entropy_grad",
    "bias_gradient_question",
    "curvature_question",
    "check_is_psd",
    "check_taylor_exp_gram",
    "check_exp_counterexample",
    "valid_kernel_question",
    "smallest_eigenvalue_question",
    "feature_count_question",
    "kernel_prompt",
    "check_momentum_step",
    "check_physical_to_momentum",
]
