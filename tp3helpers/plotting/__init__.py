"""Plotting layer: functions that draw on a given ``ax`` and return the artists to update."""

from .figure import new_figure, png_snapshot

__all__ = ["new_figure", "png_snapshot"]
