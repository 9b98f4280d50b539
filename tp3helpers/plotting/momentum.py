"""Plots for Question 3: loss contours with trajectories, log-scale histories, the rate map."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colorbar import Colorbar
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from scipy import ndimage

from ..momentum import (
    BOUNDED,
    COMPLEX_PAIR,
    DIVERGENT,
    MONOTONE,
    OSCILLATING,
    REAL_NEGATIVE,
    REAL_POSITIVE,
    convergence_rate,
    root_kind,
)

__all__ = [
    "MOMENTUM_COLOUR",
    "DESCENT_COLOUR",
    "BOUNDED_COLOUR",
    "REGIME_NAMES",
    "loss_contours",
    "trajectory_line",
    "set_trajectory",
    "rate_map",
    "rate_image_data",
    "rate_colorbar",
    "regime_boundaries",
    "ROOT_KIND_NAMES",
    "root_kind_map",
]

MOMENTUM_COLOUR = "#d62728"
DESCENT_COLOUR = "#1f77b4"
BOUNDED_COLOUR = "#ff7f0e"
REGIME_NAMES = {MONOTONE: "monotone", OSCILLATING: "oscillating", DIVERGENT: "divergent",
                BOUNDED: "bounded, never converges"}

#: Coordinates beyond this many axis spans are clipped before drawing (a diverging run reaches
#: 1e50, which the renderer handles badly).
_CLIP_SPANS = 50.0


def loss_contours(
    ax: Axes,
    value: Callable[[np.ndarray], np.ndarray],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    *,
    resolution: int = 120,
    levels: int = 14,
    minimum: Sequence[float] | None = None,
) -> list[Artist]:
    """Log-spaced filled contours of ``value`` (of points of shape (..., 2)) over the box, and the
    ``minimum`` as a star; returns them, for removal when the loss changes."""
    gx, gy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    z = np.asarray(value(np.stack([gx, gy], axis=-1)))
    low = max(z[z > 0].min(), z.max() * 1e-8)  # a log scale of at most 8 decades
    z = np.clip(z, low, None)
    bounds = np.geomspace(low, z.max(), levels)
    filled = ax.contourf(gx, gy, z, levels=bounds, norm=LogNorm(), cmap="Greys_r", alpha=0.55)
    lines = ax.contour(gx, gy, z, levels=bounds, colors="0.35", linewidths=0.5)
    artists: list[Artist] = [filled, lines]
    if minimum is not None:
        (star,) = ax.plot(*minimum, marker="*", color="gold", markeredgecolor="k",
                          markersize=12, linestyle="none", zorder=5)
        artists.append(star)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    # No tick label at the top edge: half of it would stand above the axes, into a long title.
    ax.yaxis.set_major_locator(MaxNLocator(prune="upper"))
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    return artists


def trajectory_line(ax: Axes, *, colour: str, label: str) -> Line2D:
    """An empty path with small markers at the iterates, for :func:`set_trajectory`."""
    (line,) = ax.plot([], [], "-o", color=colour, markersize=2.5, linewidth=1.2, label=label,
                      zorder=4)
    return line


def set_trajectory(line: Line2D, positions: np.ndarray) -> None:
    """Show the iterates ``positions`` (T, 2) on ``line``, clipped far outside the axes."""
    ax = line.axes
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    sx, sy = _CLIP_SPANS * (x1 - x0), _CLIP_SPANS * (y1 - y0)
    line.set_data(np.clip(positions[:, 0], x0 - sx, x1 + sx),
                  np.clip(positions[:, 1], y0 - sy, y1 + sy))


def rate_map(ax: Axes, eta: np.ndarray, rho: np.ndarray, rates: np.ndarray) -> AxesImage:
    """The convergence rate ``rates`` (shape (len(rho), len(eta))) as :math:`1 - r` on a log
    colour scale (bright: fast), light grey where :math:`r \\ge 1`; update it with
    ``image.set_data(rate_image_data(rates))``."""
    image = ax.imshow(
        rate_image_data(rates), origin="lower", aspect="auto",
        extent=(eta[0], eta[-1], rho[0], rho[-1]), interpolation="nearest",
        cmap=mpl.colormaps["viridis"].with_extremes(bad="0.85", under="#1a0a2e"),
        norm=LogNorm(vmin=1e-3, vmax=1.0),
    )
    ax.set_xlabel(r"step $\eta$")
    ax.set_ylabel(r"momentum $\rho$")
    return image


def rate_image_data(rates: np.ndarray) -> np.ma.MaskedArray:
    """What :func:`rate_map` shows: :math:`1 - r`, masked where :math:`r \\ge 1`."""
    return np.ma.masked_invalid(np.where(rates < 1.0, 1.0 - rates, np.nan))


def rate_colorbar(fig: Figure, image: AxesImage, ax: Axes) -> Colorbar:
    """A colour bar for :func:`rate_map` whose ticks read as the rate :math:`r` itself."""
    bar = fig.colorbar(image, ax=ax, extend="min")
    ticks = [1e-3, 1e-2, 1e-1, 1.0]
    bar.set_ticks(ticks, labels=[f"{1 - t:g}" for t in ticks])
    bar.set_label("rate r (grey: r > 1)")
    return bar


def regime_boundaries(
    ax: Axes, eta: np.ndarray, rho: np.ndarray, regimes: np.ndarray
) -> list[Artist]:
    """Lines between the regimes of :func:`tp3helpers.momentum.iteration_regime`, a label in each
    region and the bounded cells (rate exactly 1, as on :math:`\\rho = 1`) as orange marks.
    Returns the artists, for removal when the eigenvalues change."""
    bounded = regimes == BOUNDED
    lines = np.where(bounded, DIVERGENT, regimes)  # the edge of convergence, drawn once
    edges = ax.contour(eta, rho, lines, levels=[MONOTONE + 0.5, OSCILLATING + 0.5],
                       colors=["white", "black"], linewidths=1.2, linestyles=["--", "-"], zorder=2)
    artists: list[Artist] = [edges]
    ge, gr = np.meshgrid(eta, rho)
    artists += ax.plot(ge[bounded], gr[bounded], "s", color=BOUNDED_COLOUR, markersize=2.5,
                       clip_on=False, zorder=3, label="bounded (r = 1)")
    # each label goes on the cell nearest its region's centroid with room for it around
    label_box = np.ones((2 * max(1, rho.size // 40) + 1, 2 * max(1, eta.size // 9) + 1))
    for code, name in REGIME_NAMES.items():
        inside = regimes == code
        if code == BOUNDED or inside.sum() < 20:
            continue
        room = ndimage.binary_erosion(inside, structure=label_box)
        spot = room if room.any() else inside
        ce, cr = ge[inside].mean(), gr[inside].mean()
        d = ((ge - ce) / np.ptp(eta)) ** 2 + ((gr - cr) / np.ptp(rho)) ** 2
        i = np.argmin(np.where(spot, d, np.inf))
        near_left = not room.any() and ge.flat[i] < eta[0] + np.ptp(eta) / 3
        artists.append(ax.text(ge.flat[i], gr.flat[i], name, va="center",
                               ha="left" if near_left else "center",
                               fontsize=8, color="black" if code == DIVERGENT else "white",
                               fontweight="bold"))
    return artists


#: What the error does for each kind of roots, as :func:`root_kind_map` labels it.
ROOT_KIND_NAMES = {REAL_POSITIVE: "creeps\n(real roots ≥ 0)",
                   COMPLEX_PAIR: "spirals\n(complex pair)",
                   REAL_NEGATIVE: "flips\n(real roots < 0)"}
_ROOT_KIND_COLOURS = ("#a6cee3", "#fdbf6f", "#b2df8a")


def root_kind_map(ax: Axes, *, x_max: float = 4.5, resolution: int = 400) -> dict[str, Artist]:
    r"""One eigen-direction's map over :math:`(\eta\lambda, \rho)`: the kind of roots of
    :math:`z^2 - (1 + \rho - \eta\lambda) z + \rho` (:func:`tp3helpers.momentum.root_kind`) in
    three colours, grey where the rate is at least 1, the border of the complex region
    :math:`\rho = (1 - \sqrt{\eta\lambda})^2` and the edge :math:`\eta\lambda = 2(1 + \rho)`.
    Returns the artists by name: ``image``, ``border``, ``edge`` and the ``labels``."""
    x = np.linspace(0.0, x_max, resolution)
    rho = np.linspace(0.0, 1.0, resolution)
    grid_x, grid_rho = np.meshgrid(x, rho)
    kinds = root_kind(grid_rho, grid_x).astype(float)
    kinds[convergence_rate(grid_rho, grid_x, [1.0]) >= 1.0] = np.nan
    cmap = mpl.colors.ListedColormap(_ROOT_KIND_COLOURS).with_extremes(bad="0.82")
    image = ax.imshow(np.ma.masked_invalid(kinds), origin="lower", aspect="auto", cmap=cmap,
                      vmin=-0.5, vmax=2.5, extent=(0.0, x_max, 0.0, 1.0),
                      interpolation="nearest")
    curve = np.linspace(0.0, min(4.0, x_max), 400)
    (border,) = ax.plot(curve, (1 - np.sqrt(curve)) ** 2, "k--", linewidth=1.2,
                        label=r"$\rho = (1 - \sqrt{\eta\lambda})^2$")
    (edge,) = ax.plot(2 * (1 + rho), rho, "k-", linewidth=1.4,
                      label=r"edge $\eta\lambda = 2(1 + \rho)$")
    spots = {REAL_POSITIVE: (0.12, 0.08), COMPLEX_PAIR: (1.3, 0.6), REAL_NEGATIVE: (2.7, 0.08)}
    labels = [ax.text(*spots[code], name, ha="center", va="center", fontsize=9)
              for code, name in ROOT_KIND_NAMES.items()]
    labels[0].set_ha("left")
    labels.append(ax.text(3.9, 0.55, "diverges\n(r > 1)", ha="center", va="center", fontsize=9))
    ax.set_xlabel(r"$\eta\lambda$")
    ax.set_ylabel(r"momentum $\rho$")
    ax.set_xlim(0.0, x_max)
    ax.set_ylim(0.0, 1.0)
    return {"image": image, "border": border, "edge": edge, "labels": labels}
