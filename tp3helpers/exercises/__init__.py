"""Checkers for the notebook exercises; each returns a :class:`Feedback` with specific advice."""

from ._feedback import Feedback
from .softmax import check_cross_entropy_grad, check_softmax

__all__ = ["Feedback", "check_softmax", "check_cross_entropy_grad"]
