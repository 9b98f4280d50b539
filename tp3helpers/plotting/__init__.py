"""Plotting layer: functions that draw on a given ``ax`` and return the artists they made.

Callers (the explorers) keep those artists and update them in place on every slider move.
"""

from .figure import new_figure, png_snapshot

__all__ = ["new_figure", "png_snapshot"]
