"""Plots for Question 2: Gram heatmaps, eigenvalue spectra, Gaussian-process samples, kernel ridge
fits and their errors over the bandwidth, decision boundaries. Each ``draw_*`` returns the artists
that the matching ``set_*`` updates in place.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.text import Text

__all__ = [
    "PSD_COLOUR",
    "NOT_PSD_COLOUR",
    "ROUNDING_COLOUR",
    "SPECTRUM_FLOOR",
    "draw_gram",
    "set_gram",
    "spectrum_colours",
    "draw_spectrum",
    "set_spectrum",
    "draw_gp_samples",
    "set_gp_samples",
    "draw_regression",
    "draw_decision",
    "draw_taylor_errors",
    "draw_bandwidth_errors",
]

PSD_COLOUR = "#1f77b4"
NOT_PSD_COLOUR = "#d62728"
ROUNDING_COLOUR = "0.6"
#: Room between an axes and its title, in points: the tick label at the top of the axes sticks
#: out by half its height, more than matplotlib's 6 points at presentation size.
TITLE_PAD = 10.0
#: Width of an average character of a note, as a share of its font size (DejaVu Sans).
CHAR_WIDTH = 0.6
#: Bottom of the spectrum's log axis: relative sizes below it (and exact zeros) are drawn there.
SPECTRUM_FLOOR = 1e-18


def _normalised(K: np.ndarray) -> np.ndarray:
    scale = float(np.abs(K).max(initial=0.0))
    return K / scale if scale > 0 else K


def draw_gram(ax: Axes, K: np.ndarray, *, title: str = "Gram matrix") -> QuadMesh:
    """Heatmap of ``K / max|K|`` on the fixed scale [-1, 1] (so that kernels of any size compare),
    row 0 at the top; a ``pcolormesh``, which redraws without resampling, unlike ``imshow``."""
    mesh = ax.pcolormesh(_normalised(K), cmap="RdBu_r", vmin=-1.0, vmax=1.0)
    ax.set_aspect("equal")
    ax.invert_yaxis()
    ax.set_title(title, pad=TITLE_PAD)
    ax.set_xlabel("point $j$ (sorted by $x$)")
    ax.set_ylabel("point $i$")
    ax.figure.colorbar(mesh, ax=ax, shrink=0.8, label="$K_{ij} / \\max|K|$")
    return mesh


def set_gram(mesh: QuadMesh, K: np.ndarray) -> None:
    """Show a new Gram matrix (same size) in the heatmap made by :func:`draw_gram`."""
    mesh.set_array(_normalised(K))


def spectrum_colours(relative: np.ndarray, tolerance: float) -> list[str]:
    r"""Colour of each relative eigenvalue :math:`\lambda_i / \max_j |\lambda_j|`: blue above
    ``tolerance``, grey within it (zero up to rounding), red below :math:`-` ``tolerance``."""
    return [
        PSD_COLOUR if r > tolerance else NOT_PSD_COLOUR if r < -tolerance else ROUNDING_COLOUR
        for r in np.asarray(relative, dtype=float)
    ]


_SPECTRUM_CLASSES = (
    (PSD_COLOUR, "$\\lambda_i > 0$"),
    (ROUNDING_COLOUR, "≈ 0 (rounding)"),
    (NOT_PSD_COLOUR, "$\\lambda_i < 0$"),
)


def draw_spectrum(ax: Axes, n: int, *, tolerance: float) -> tuple[Line2D, Line2D, Line2D]:
    r"""Axes for the eigenvalues of an n-by-n symmetric matrix: bar :math:`i` (largest first) of
    height :math:`|\lambda_i| / \max_j |\lambda_j|` on a log axis from :data:`SPECTRUM_FLOOR` to
    1, coloured by :func:`spectrum_colours`, under a dashed line at ``tolerance`` (the relative
    :math:`c\, n\, \varepsilon` of :func:`tp3helpers.kernels.psd_tolerance`). Returns one line
    per colour (its bars, separated by NaN)."""
    ax.set_yscale("log")
    ax.set_ylim(SPECTRUM_FLOOR, 10.0)
    ax.set_yticks([1e-18, 1e-12, 1e-6, 1.0])  # every sixth power: legible when the panel is short
    ax.minorticks_off()
    ax.set_xlim(0, n + 1)
    ax.axhline(tolerance, color="k", linestyle="--", linewidth=1.0,
               label=f"rounding {tolerance:.0e}")
    lines = tuple(
        ax.plot([], [], color=colour, linewidth=3.0, solid_capstyle="butt", label=label)[0]
        for colour, label in _SPECTRUM_CLASSES
    )
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=7, handlelength=1.5,
              frameon=False)
    ax.set_title("eigenvalues $|\\lambda_i| / \\max|\\lambda|$", pad=TITLE_PAD)
    ax.set_xlabel("index $i$ (largest to smallest)")
    return lines


def set_spectrum(
    lines: tuple[Line2D, Line2D, Line2D], eigenvalues: np.ndarray, *, tolerance: float
) -> None:
    """Show new eigenvalues (any order; NaN blanks the panel) on :func:`draw_spectrum`'s axes."""
    values = np.asarray(eigenvalues, dtype=float)
    if not np.isfinite(values).all():
        for line in lines:
            line.set_data([], [])
        return
    relative = _normalised(np.sort(values)[::-1])
    heights = np.clip(np.abs(relative), SPECTRUM_FLOOR, None)
    colours = np.array(spectrum_colours(relative, tolerance))
    index = np.arange(1, values.size + 1)
    for line, (colour, _) in zip(lines, _SPECTRUM_CLASSES, strict=True):
        mine = colours == colour
        # Each bar is (i, floor) -> (i, height), then a NaN that breaks the line.
        xs = np.repeat(index[mine], 3).astype(float)
        ys = np.column_stack([np.full(mine.sum(), SPECTRUM_FLOOR), heights[mine],
                              np.full(mine.sum(), np.nan)]).ravel()
        xs[2::3] = np.nan
        line.set_data(xs, ys)


def draw_gp_samples(ax: Axes, grid: np.ndarray, n_samples: int) -> tuple[list[Line2D], Text]:
    """Axes for ``n_samples`` Gaussian-process samples on ``grid`` divided by
    :math:`\\max_x \\sqrt{\\tilde k(x, x)}`, so that the y-axis is fixed and the eye compares
    shapes. Returns the lines and a text for a note shown when there is nothing to draw."""
    lines = [
        ax.plot(grid, np.full_like(grid, np.nan), linewidth=1.3)[0] for _ in range(n_samples)
    ]
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(-3.2, 3.2)
    ax.axhline(0.0, color="0.7", linewidth=0.8)
    ax.set_title("samples of GP(0, $\\tilde k$)")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)\\,/\\,\\max\\sqrt{\\tilde k(x, x)}$")
    note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=9,
                   color=NOT_PSD_COLOUR)
    return lines, note


def set_gp_samples(
    artists: tuple[list[Line2D], Text], samples: np.ndarray, *, note: str = ""
) -> None:
    """New samples (one per row; NaN blanks) and ``note``, wrapped to the axes' current width."""
    lines, text = artists
    for line, sample in zip(lines, np.atleast_2d(samples), strict=True):
        line.set_ydata(sample)
    char_px = CHAR_WIDTH * text.get_fontsize() * text.figure.dpi / 72
    columns = max(8, int(0.9 * text.axes.bbox.width / char_px))
    text.set_text("\n".join(textwrap.fill(part, columns) for part in note.split("\n")))


def draw_regression(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    grid: np.ndarray,
    truth: np.ndarray,
    *,
    ylim: tuple[float, float] = (-2.0, 2.0),
) -> Line2D:
    """Noisy training data and the noise-free curve (legend beside the axes); returns an empty
    line for the fitted curve."""
    ax.plot(grid, truth, color="0.55", linewidth=1.5, label="noise-free curve")
    ax.scatter(x, y, s=12, color="k", zorder=3, label="training data")
    (fit,) = ax.plot(grid, np.full_like(grid, np.nan), color="#d62728", linewidth=2.0, label="fit")
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(*ylim)
    ax.set_title("kernel ridge regression", pad=TITLE_PAD)
    ax.set_xlabel("$x$")
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8, frameon=False)
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
    """Shade the sign of ``decision`` (a real number per row of points) around ``X``, with its
    zero level set, and the points coloured by their 0/1 ``labels``."""
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


def draw_bandwidth_errors(
    ax: Axes, bandwidths: np.ndarray, train: np.ndarray, held_out: np.ndarray
) -> list[Line2D]:
    """Training and held-out error against the bandwidth, one row per repetition (seed): the
    mean as a line, the range as a band (where bands do not overlap, the gap is not luck)."""
    lines = []
    curves = ((train, "#1f77b4", "training"), (held_out, "#d62728", "held-out"))
    for errors, colour, label in curves:
        errors = np.atleast_2d(errors)
        ax.fill_between(bandwidths, errors.min(axis=0), errors.max(axis=0), color=colour, alpha=0.2)
        lines += ax.plot(bandwidths, errors.mean(axis=0), "o-", color=colour, markersize=3,
                         label=f"{label} RMSE (mean of {errors.shape[0]}, band: min–max)")
    ax.set_xscale("log")
    ax.set_xlabel("bandwidth $h$")
    ax.set_ylabel("root mean squared error")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return lines
