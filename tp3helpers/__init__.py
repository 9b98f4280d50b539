"""Helpers for the TP3 teaching notebooks.

Three layers, each importing only the ones before it:

1. math, pure NumPy: :mod:`~tp3helpers.softmax`, :mod:`~tp3helpers.gradcheck`, ...
2. plotting, artists drawn on a given ``ax``: :mod:`tp3helpers.plotting`
3. explorers, the ipywidgets wiring: :mod:`tp3helpers.explorers`

Importing :mod:`tp3helpers` loads only the math layer, so it works without Jupyter.
"""

__version__ = "0.1.0"
