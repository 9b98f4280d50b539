"""Plots for Question 2: Gram heatmaps, eigenvalue spectra, kernel ridge fits, decision boundaries.

Each ``draw_*`` function draws on the ``ax`` it is given and returns the artists that change; the
matching ``set_*`` function updates them in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D

__all__ = [
    "PSD_COLOUR",
    "NOT_PSD_COLOUR",
    "SPECTRUM_LINTHRESH",
    "draw_gram",
    "set_gram",
    "draw_spectrum",
    "set_spectrum",
    "draw_regression",
    "draw_decision",
    "draw_taylor_errors",
]

PSD_COLOUR = "#1a7f37"
NOT_PSD_COLOUR = "#d62728"
#: Below this size a normalised eigenvalue is drawn on a linear scale (the symlog axis's middle).
SPECTRUM_LINTHRESH = 1e-16


def _normalised(K: np.ndarray) -> np.ndarray:
    scale = float(np.abs(K).max(initial=0.0))
    return K / scale if scale > 0 else K


def draw_gram(ax: Axes, K: np.ndarray, *, title: str = "Gram matrix $K / \\max|K|$") -> QuadMesh:
    """Heatmap of ``K`` divided by its largest absolute entry, on a fixed colour scale [-1, 1].

    The fixed scale lets one compare kernels whose values differ by orders of magnitude. Row 0 is
    at the top, as in a printed matrix. A ``pcolormesh`` redraws about three times faster than
    ``imshow`` for a small matrix (no resampling), which keeps slider moves fluid.
    """
    mesh = ax.pcolormesh(_normalised(K), cmap="RdBu_r", vmin=-1.0, vmax=1.0)
    ax.set_aspect("equal")
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel("point $j$ (sorted by $x$)")
    ax.set_ylabel("point $i$")
    ax.figure.colorbar(mesh, ax=ax, shrink=0.8)
    return mesh


def set_gram(mesh: QuadMesh, K: np.ndarray) -> None:
    """Show a new Gram matrix (same size) in the heatmap made by :func:`draw_gram`."""
    mesh.set_array(_normalised(K))


def draw_spectrum(ax: Axes, n: int, *, tolerance: float) -> tuple[Line2D, Line2D, Line2D]:
    r"""Axes for the eigenvalues :math:`\lambda_i / \max_j |\lambda_j|` of an n-by-n matrix.

    The y-axis is symmetric-log with fixed limits, so values from :math:`10^{-16}` to 1 of either
    sign are readable without rescaling; a grey band shows the PSD ``tolerance`` (relative).
    Returns the eigenvalue markers, the marker of the smallest one and a dashed line at its level.
    """
    index = np.arange(1, n + 1)
    ax.set_yscale("symlog", linthresh=SPECTRUM_LINTHRESH, linscale=1.0)
    ax.set_ylim(-2.0, 2.0)
    ax.set_xlim(0, n + 1)
    ax.set_yticks([-1, -1e-4, -1e-8, -1e-12, 0, 1e-12, 1e-8, 1e-4, 1])
    ax.axhspan(-tolerance, tolerance, color="0.85", zorder=0, label="rounding tolerance")
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    (points,) = ax.plot(index, np.ones(n), "o", color="#1f77b4", markersize=3, label="$\\lambda_i$")
    (smallest,) = ax.plot(
        [n], [1.0], "*", markersize=14, color=PSD_COLOUR, label="smallest (red: not PSD)"
    )
    (level,) = ax.plot([0, n + 1], [1.0, 1.0], "--", linewidth=1.0, color=PSD_COLOUR)
    ax.set_title("eigenvalues $\\lambda_i / \\max|\\lambda|$ (symlog)")
    ax.set_xlabel("index $i$ (sorted)")
    ax.legend(loc="lower left", fontsize=8)
    return points, smallest, level


def set_spectrum(
    artists: tuple[Line2D, Line2D, Line2D], eigenvalues: np.ndarray, *, psd: bool
) -> None:
    """Show new eigenvalues (any order) on the axes made by :func:`draw_spectrum`."""
    points, smallest, level = artists
    values = np.sort(np.asarray(eigenvalues, dtype=float))[::-1]
    values = _normalised(values)
    points.set_ydata(values)
    smallest.set_data([values.size], [values[-1]])
    level.set_ydata([values[-1], values[-1]])
    colour = PSD_COLOUR if psd else NOT_PSD_COLOUR
    smallest.set_color(colour)
    level.set_color(colour)


def draw_regression(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    grid: np.ndarray,
    truth: np.ndarray,
    *,
    ylim: tuple[float, float] = (-2.0, 2.0),
) -> Line2D:
    """Noisy training data and the noise-free curve; returns an empty line for the fitted curve."""
    ax.plot(grid, truth, color="0.55", linewidth=1.5, label="noise-free curve")
    ax.scatter(x, y, s=12, color="k", zorder=3, label="training data")
    (fit,) = ax.plot(grid, np.full_like(grid, np.nan), color="#d62728", linewidth=2.0, label="fit")
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(*ylim)
    ax.set_title("kernel ridge regression")
    ax.set_xlabel("$x$")
    ax.legend(loc="upper left", fontsize=8)
    return fit


def draw_decision(
    ax: Axes,
    decision: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    labels: np.ndarray,
    *,
    resolution: int = 120,
    title: str = "",
) -> AxesImage:
    """Shade the sign of ``decision`` on a grid around ``X`` and draw its zero level set.

    ``labels`` are 0/1; ``decision(points)`` returns one real number per row of ``points``.
    """
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(*(np.linspace(lo[i], hi[i], resolution) for i in range(2)))
    values = np.asarray(decision(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(gx.shape)
    image = ax.imshow(
        np.tanh(values), origin="lower", extent=(lo[0], hi[0], lo[1], hi[1]), cmap="RdBu_r",
        vmin=-1.5, vmax=1.5, aspect="auto",
    )
    ax.contour(gx, gy, values, levels=[0.0], colors="k", linewidths=1.5)
    for label, colour in ((0, "#1f77b4"), (1, "#d62728")):
        ax.scatter(*X[labels == label].T, s=10, color=colour, edgecolor="k", linewidth=0.3)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    return image


def draw_taylor_errors(
    ax: Axes, orders: Sequence[int], errors: Sequence[float], bounds: Sequence[float]
) -> list[Line2D]:
    """Largest error of each Taylor partial sum against :math:`\\exp(K)`, with its bound."""
    lines = ax.semilogy(orders, errors, "o-", label="max $|T_N - \\exp(K)|$")
    lines += ax.semilogy(orders, bounds, "--", color="0.4", label="bound $e^{m} m^{N+1}/(N+1)!$")
    ax.set_xlabel("Taylor order $N$")
    ax.set_ylabel("largest error")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return lines
