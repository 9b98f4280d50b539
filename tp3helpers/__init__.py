"""Helpers for the TP3 teaching notebooks, in three layers, each importing only those before it:
math in pure NumPy (:mod:`~tp3helpers.softmax`, :mod:`~tp3helpers.kernels`, ...), plotting
(:mod:`tp3helpers.plotting`), explorers (:mod:`tp3helpers.explorers`). Importing
:mod:`tp3helpers` loads only the math layer, so it works without Jupyter.
"""

__version__ = "0.1.0"
