"""Explorer widgets: one figure built once, controls that update its artists in place."""

from ._base import Explorer
from .digits import digits_explorer
from .kernels import kernel_explorer
from .momentum import momentum_explorer
from .softmax import softmax_explorer

__all__ = [
    "Explorer",
    "softmax_explorer",
    "kernel_explorer",
    "momentum_explorer",
    "digits_explorer",
]
