"""Plots for Question 1: probability and gradient bars, decision regions, loss curves."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.text import Text
from matplotlib.ticker import ScalarFormatter
from matplotlib.transforms import offset_copy

__all__ = [
    "TARGET_COLOUR",
    "OTHER_COLOUR",
    "labelled_bars",
    "set_bar_values",
    "colour_target_bar",
    "decision_regions",
]

TARGET_COLOUR = "#d62728"
OTHER_COLOUR = "#1f77b4"
#: Width of a character of a value label, as a share of its font size (digits and signs of
#: DejaVu Sans are about 0.64 em wide).
CHAR_WIDTH = 0.64


def labelled_bars(
    ax: Axes,
    values: Sequence[float],
    *,
    ylim: tuple[float, float],
    title: str,
    ylabel: str,
    fmt: str = "{:.2f}",
    linthresh: float | None = None,
) -> tuple[BarContainer, list[Text]]:
    """One bar per class with its value written beyond it; with ``linthresh`` a symmetric-log y
    axis (linear on ``[-linthresh, linthresh]``), so that 0.001 and 10 both stay readable.
    Returns the bars and the value labels, for :func:`set_bar_values`."""
    k = len(values)
    if linthresh is not None:
        ax.set_yscale("symlog", linthresh=linthresh)
        ax.yaxis.set_major_formatter(ScalarFormatter())  # "10", not "$10^1$"
    bars = ax.bar(np.arange(k), values, color=OTHER_COLOUR, width=0.6)
    labels = [ax.text(i, 0.0, "", ha="center", fontsize=10) for i in range(k)]
    ax.set_xticks(np.arange(k), [f"class {i}" for i in range(k)])
    ax.set_ylim(*ylim)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    set_bar_values(bars, labels, values, fmt=fmt)
    return bars, labels


def set_bar_values(
    bars: BarContainer, labels: Sequence[Text], values: Sequence[float], *, fmt: str = "{:.2f}"
) -> None:
    """Update bar heights and their value labels in place: each label 3 points beyond its bar at
    any axis scale, upright if wider than the bar's share of the axes (clear of its neighbours)."""
    slot = bars[0].axes.bbox.width / len(bars)  # pixels per bar
    for bar, label, value in zip(bars, labels, values, strict=True):
        bar.set_height(value)
        label.set_position((bar.get_x() + bar.get_width() / 2, value))
        label.set_transform(
            offset_copy(bar.axes.transData, bar.figure, y=3 if value >= 0 else -3, units="points")
        )
        label.set_verticalalignment("bottom" if value >= 0 else "top")
        label.set_text(fmt.format(value))
        width = len(label.get_text()) * CHAR_WIDTH * label.get_fontsize() * bar.figure.dpi / 72
        label.set_rotation(90 if width > 0.9 * slot else 0)


def colour_target_bar(bars: BarContainer, target: int) -> None:
    """Colour the target class's bar apart from the others."""
    for i, bar in enumerate(bars):
        bar.set_color(TARGET_COLOUR if i == target else OTHER_COLOUR)


def decision_regions(
    ax: Axes,
    predict_proba: object,
    X: np.ndarray,
    y: np.ndarray,
    *,
    resolution: int = 200,
) -> None:
    """Shade the most probable class over a grid around ``X`` and scatter the data on top."""
    lo, hi = X.min(axis=0) - 1.0, X.max(axis=0) + 1.0
    gx, gy = np.meshgrid(*(np.linspace(lo[i], hi[i], resolution) for i in range(2)))
    proba = predict_proba(np.column_stack([gx.ravel(), gy.ravel()]))
    colours = plt.get_cmap("tab10")(np.arange(proba.shape[1]))  # one per class
    shade = colours[proba.argmax(axis=1)].reshape(resolution, resolution, 4)
    shade[..., 3] = 0.15 + 0.35 * proba.max(axis=1).reshape(resolution, resolution)
    ax.imshow(shade, origin="lower", extent=(lo[0], hi[0], lo[1], hi[1]), aspect="auto")
    for c, colour in enumerate(colours):
        ax.scatter(*X[y == c].T, s=14, color=colour, edgecolor="k", linewidth=0.3,
                   label=f"class {c}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="upper left", fontsize=8)
