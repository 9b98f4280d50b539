"""Checkers for the notebook exercises; each returns a :class:`Feedback` with specific advice."""

from ._feedback import Feedback
from .kernels import check_exp_counterexample, check_is_psd, check_taylor_exp_gram
from .momentum import check_momentum_step, check_physical_to_momentum
from .softmax import check_cross_entropy_grad, check_softmax

__all__ = [
    "Feedback",
    "check_softmax",
    "check_cross_entropy_grad",
    "check_is_psd",
    "check_taylor_exp_gram",
    "check_exp_counterexample",
    "check_momentum_step",
    "check_physical_to_momentum",
]
