"""A quantity per iteration (a loss, an energy, a distance) on log axes whose limits stay fixed,
so that a new line never rescales them: notebooks 1, 3 and 4 and their explorers."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

__all__ = ["log_history_axes", "history_line", "set_history"]


def log_history_axes(
    ax: Axes, *, steps: int, ylim: tuple[float, float], title: str, ylabel: str
) -> None:
    """Log-scale axes for ``steps`` iterations, with fixed limits."""
    ax.set_yscale("log")
    ax.set_xlim(0, steps)
    ax.set_ylim(*ylim)
    ax.set_title(title)
    ax.set_xlabel("iteration $t$")
    ax.set_ylabel(ylabel)
    ax.minorticks_off()  # 17 decades of minor ticks cost more to draw than they tell
    ax.grid(True, which="major", alpha=0.3)


def history_line(ax: Axes, *, colour: str, label: str, style: str = "-") -> Line2D:
    """An empty line of a history, for :func:`set_history`."""
    (line,) = ax.plot([], [], style, color=colour, linewidth=1.4, label=label)
    return line


def set_history(line: Line2D, values: np.ndarray) -> None:
    """Plot ``values[t]`` against ``t``; values <= 0 left out (a log axis cannot show them),
    values far above the axes clipped (a diverging run)."""
    y = np.asarray(values, dtype=float)
    top = line.axes.get_ylim()[1]
    y = np.where(y > 0, np.minimum(y, top * 1e3), np.nan)
    line.set_data(np.arange(y.size), y)
