r"""Explorer for Question 3: momentum rho and step eta on a quadratic bowl or Rosenbrock's valley.

Moving rho or eta reruns momentum and gradient descent and updates animated lines; the contours
and the rate map depend only on the loss: computed once per loss (:func:`_loss_data`) and shown as
one scene per loss (:meth:`Explorer.show_scene`).
"""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from .._validation import check_int_in_range
from ..momentum import (
    BOUNDED,
    DIVERGENT,
    Quadratic,
    Rosenbrock,
    convergence_rate,
    gradient_descent,
    has_diverged,
    iteration_regime,
    mechanical_energy,
    momentum_descent,
    momentum_to_physical,
    optimal_parameters,
    rotation_matrix,
)
from ..plotting.figure import new_figure
from ..plotting.history import history_line, log_history_axes, set_history
from ..plotting.momentum import (
    DESCENT_COLOUR,
    MOMENTUM_COLOUR,
    REGIME_NAMES,
    loss_contours,
    rate_colorbar,
    rate_image_data,
    rate_map,
    regime_boundaries,
    set_trajectory,
    trajectory_line,
)
from ._base import Explorer, message_html

__all__ = ["MomentumExplorer", "momentum_explorer"]

#: Most iterations per run (each control move reruns both).
MAX_STEPS = 5000
_CONDITION_NUMBERS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
_ETA_MAX = 4.5
_HISTORY_YLIM = (1e-14, 1e3)
_BOXES = {
    "quadratic": ((-2.0, 2.0), (-2.0, 2.0)),
    "rosenbrock": ((-2.0, 2.0), (-1.0, 3.0)),
}
_STARTS = {"quadratic": np.array([-1.8, -0.2]), "rosenbrock": np.array([-1.2, 1.0])}


def _rosenbrock() -> Rosenbrock:
    """Rosenbrock (a=1, b=100) divided by its largest curvature at the minimum (about 1001.6)."""
    raw = Rosenbrock(1.0, 100.0)
    return Rosenbrock(1.0, 100.0, scale=1.0 / raw.eigenvalues[-1])


def _map_grid(resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """The (eta, rho) values of the rate map's columns and rows."""
    return np.linspace(0.0, _ETA_MAX, resolution), np.linspace(0.0, 1.0, resolution)


@lru_cache(maxsize=32)
def _loss_data(name: str, kappa: int, resolution: int) -> tuple:
    """The loss, its rates and regimes over the (eta, rho) grid, its optimal (rho*, eta*) and,
    for the quadratic, its eigenvectors (the columns of Q in A = Q diag(lambda) Q^T)."""
    if name == "quadratic":
        objective = Quadratic.from_eigenvalues([1.0 / kappa, 1.0], rotation_matrix(np.pi / 6))
    else:
        objective = _rosenbrock()
    lam = objective.eigenvalues
    eta, rho = _map_grid(resolution)
    rates = convergence_rate(rho[:, None], eta[None, :], lam)
    regimes = iteration_regime(rho[:, None], eta[None, :], lam)
    vectors = np.linalg.eigh(objective.A)[1] if name == "quadratic" else None
    return objective, rates, regimes, optimal_parameters(lam[0], lam[-1]), vectors


@lru_cache(maxsize=64)
def _descent_run(name: str, kappa: int, resolution: int, eta: float, steps: int) -> np.ndarray:
    """Plain gradient descent on this loss: a rho move reuses it."""
    objective = _loss_data(name, kappa, resolution)[0]
    return gradient_descent(objective.grad, _STARTS[name], eta=eta, steps=steps)


def _draw_panels(fig, ax_path, ax_map, ax_loss, ax_energy, steps: int, resolution: int) -> dict:
    """The four panels' artists by name, with no data yet."""
    eta, rho = _map_grid(resolution)
    artists = {
        "path_gd": trajectory_line(ax_path, colour=DESCENT_COLOUR,
                                   label="gradient descent"),
        "path": trajectory_line(ax_path, colour=MOMENTUM_COLOUR, label="momentum"),
        "rate_map": rate_map(ax_map, eta, rho, np.zeros((rho.size, eta.size))),
    }
    ax_path.legend(loc="lower right", fontsize=8)
    rate_colorbar(fig, artists["rate_map"], ax_map)
    (artists["point"],) = ax_map.plot([], [], "o", color=MOMENTUM_COLOUR, clip_on=False,
                                      markeredgecolor="white", markersize=9,
                                      label="momentum", zorder=6)
    (artists["point_gd"],) = ax_map.plot([], [], "s", color=DESCENT_COLOUR, clip_on=False,
                                         markeredgecolor="white", markersize=7,
                                         label="gradient descent", zorder=6)
    (artists["optimum"],) = ax_map.plot([], [], "*", color="gold", markeredgecolor="k",
                                        markersize=13, label="optimal", zorder=5)
    ax_map.legend(loc="upper right", fontsize=7, framealpha=0.8)
    ax_map.set_title("rate r(η, ρ)")
    log_history_axes(ax_loss, steps=steps, ylim=_HISTORY_YLIM,
                     title="loss per iteration",
                     ylabel="$E(w_t) - E^\\star$")
    artists["loss_gd"] = history_line(ax_loss, colour=DESCENT_COLOUR, label="gradient descent")
    artists["loss"] = history_line(ax_loss, colour=MOMENTUM_COLOUR, label="momentum")
    artists["loss_parts"] = (
        history_line(ax_loss, colour="#ff7f0e", label="momentum along λ_min", style="--"),
        history_line(ax_loss, colour="#8c564b", label="momentum along λ_max", style=":"),
    )
    ax_loss.legend(loc="lower left", fontsize=8)
    log_history_axes(ax_energy, steps=steps, ylim=_HISTORY_YLIM,
                     title="energy of the ball", ylabel="energy")
    artists["energy"] = (
        history_line(ax_energy, colour="#2ca02c", label="kinetic", style="-"),
        history_line(ax_energy, colour="#9467bd", label="potential", style="-"),
        history_line(ax_energy, colour="k", label="total", style="--"),
    )
    ax_energy.legend(loc="lower left", fontsize=8)
    return artists


class MomentumExplorer(Explorer):
    r"""Controls ``rho``, ``eta``, ``condition_number`` and ``objective``.

    ``steps`` (at most 5000) is the number of iterations of each run. Display it under
    ``%matplotlib widget``.
    The quadratic has eigenvalues :math:`1/\kappa` and :math:`1`; the Rosenbrock valley is scaled
    so that its largest curvature at the minimum is also 1 (its rate map uses that Hessian).

    Artists: ``path``, ``path_gd`` (momentum and gradient descent trajectories), ``point``,
    ``point_gd`` (their (eta, rho) on the map), ``loss``, ``loss_gd`` (loss per iteration),
    ``loss_parts`` (the momentum loss along each eigenvector, :math:`\tfrac12 \lambda_i c_{i,t}^2`
    with :math:`c_t = Q^\top (w_t - w^\star)`; empty for Rosenbrock), ``energy`` (kinetic,
    potential, total), ``rate_map`` and ``optimum`` (the star at the optimal parameters).
    """

    def __init__(self, *, steps: int = 150, resolution: int = 160,
                 presentation: bool | None = None) -> None:
        self.steps = check_int_in_range(steps, "steps", 1, MAX_STEPS)
        self.resolution = check_int_in_range(resolution, "resolution", 20, 1000)
        controls: dict[str, widgets.Widget] = {
            "rho": widgets.FloatSlider(value=0.8, min=0.0, max=1.0, step=0.01,
                                       description="momentum ρ"),
            "eta": widgets.FloatSlider(value=1.0, min=0.01, max=_ETA_MAX, step=0.01,
                                       description="step η"),
            "condition_number": widgets.SelectionSlider(
                options=_CONDITION_NUMBERS, value=100, description="condition number κ"),
            "objective": widgets.Dropdown(
                options=[("quadratic bowl", "quadratic"), ("Rosenbrock valley", "rosenbrock")],
                value="quadratic", description="loss"),
        }
        fig = new_figure(10.0, 7.0, replace=False)
        (ax_path, ax_map), (ax_loss, ax_energy) = fig.subplots(2, 2)
        artists = _draw_panels(fig, ax_path, ax_map, ax_loss, ax_energy, steps, resolution)
        super().__init__(fig, controls, artists, title="Momentum as a heavy ball", columns=2,
                         animated=["path", "path_gd", "point", "point_gd", "loss", "loss_gd",
                                   "loss_parts", "energy"], presentation=presentation)

    def _show_loss(self, name, kappa, objective, rates, regimes, best) -> None:
        """Show the contours, rate map and regime lines of this loss."""
        ax_path, ax_map = self.artists["path"].axes, self.artists["rate_map"].axes
        xlim, ylim = _BOXES[name]
        eta_grid, rho_grid = _map_grid(self.resolution)

        def draw() -> list:
            return loss_contours(ax_path, objective.value, xlim, ylim, minimum=objective.minimum
                                 ) + regime_boundaries(ax_map, eta_grid, rho_grid, regimes)

        self.show_scene((name, kappa), draw)
        ax_path.set_xlim(*xlim)
        ax_path.set_ylim(*ylim)
        ax_path.set_title("quadratic bowl" if name == "quadratic" else "Rosenbrock valley (scaled)")
        self.artists["rate_map"].set_data(rate_image_data(rates))
        self.artists["optimum"].set_data([best[1]], [best[0]])

    def update(self, changed: str | None) -> str:
        rho, eta = float(self.value("rho")), float(self.value("eta"))
        name, kappa = self.value("objective"), int(self.value("condition_number"))
        if name != "quadratic":
            kappa = 0  # the condition number applies to the quadratic only
        objective, rates, regimes, best, vectors = _loss_data(name, kappa, self.resolution)
        if (name, kappa) != self.scene:
            self._show_loss(name, kappa, objective, rates, regimes, best)
            self.controls["condition_number"].disabled = name != "quadratic"
        art = self.artists
        path = momentum_descent(objective.grad, _STARTS[name], rho=rho, eta=eta, steps=self.steps)
        path_gd = _descent_run(name, kappa, self.resolution, eta, self.steps)
        set_trajectory(art["path"], path)
        set_trajectory(art["path_gd"], path_gd)
        art["point"].set_data([eta], [rho])
        art["point_gd"].set_data([eta], [0.0])
        set_history(art["loss"], objective.value(path))
        # the error along each eigenvector follows its own recurrence (notebook 3, Beyond)
        if vectors is None:
            parts = [[], []]
        else:
            components = (path - objective.minimum) @ vectors  # c_t = Q^T (w_t - w*)
            parts = (0.5 * objective.eigenvalues * components**2).T
        for line, part in zip(art["loss_parts"], parts, strict=True):
            set_history(line, part)
        set_history(art["loss_gd"], objective.value(path_gd))
        for line, series in zip(art["energy"],
                                mechanical_energy(objective.value, path, dt=np.sqrt(eta)),
                                strict=True):
            set_history(line, series)
        return self._readout(name, objective, rho, eta, path, path_gd, best)

    def _readout(self, name, objective, rho, eta, path, path_gd, best) -> str:
        lam = objective.eigenvalues
        rate = convergence_rate(rho, eta, lam)
        rate_gd = convergence_rate(0.0, eta, lam)
        code = iteration_regime(rho, eta, lam)
        regime = REGIME_NAMES[code]
        rate_best = convergence_rate(best[0], best[1], lam)
        where = "" if name == "quadratic" else " near the minimum"
        lines = [
            f"<b>rate</b>{where} r = {rate:.4f} ({regime}) &nbsp;·&nbsp; gradient descent at "
            f"this η: {rate_gd:.4f} &nbsp;·&nbsp; optimal ρ* = {best[0]:.3f}, η* = {best[1]:.3f}: "
            f"r* = {rate_best:.4f}",
            f"<b>after {self.steps} steps</b> loss: momentum {objective.value(path[-1]):.2e}, "
            f"gradient descent {objective.value(path_gd[-1]):.2e}",
        ]
        if name == "quadratic":
            # one direction's roots depend on eta * lambda only: all directions in one call each
            rates, codes = (f(rho, eta * lam, 1.0) for f in (convergence_rate, iteration_regime))
            lines.append("<b>per eigen-direction</b> " + " &nbsp;·&nbsp; ".join(
                f"λ = {value:g}: r = {r:.4f} ({REGIME_NAMES[int(c)]})"
                for value, r, c in zip(lam, rates, codes, strict=True)))
        _, friction, dt = momentum_to_physical(rho, eta)
        lines.append(f"<b>ball</b> m = 1, friction c = {friction:.3f}, Δt = {dt:.3f}"
                     + (" (no friction: it never settles)" if rho == 1 else ""))
        if name != "quadratic":
            lines.append("The condition number applies to the quadratic only; Rosenbrock's "
                         f"Hessian at the minimum has κ = {lam[-1] / lam[0]:.0f}.")
        html = "<br>".join(lines)
        advice = {  # on the quadratic, momentum converges iff 0 <= rho < 1, eta < 2(1 + rho)/lam
            "momentum": "Lower η (on the quadratic it converges only if η < 2(1 + ρ)/λ_max, so "
                        "a larger ρ < 1 also helps).",
            "gradient descent": "Lower η (on the quadratic it converges only if η < 2/λ_max; "
                                "momentum allows up to 2(1 + ρ)/λ_max).",
        }
        for label, run in (("momentum", path), ("gradient descent", path_gd)):
            if has_diverged(run, self.steps):
                html += message_html(
                    f"The {label} run diverged after {len(run) - 1} steps: its iterate left every "
                    f"bound, so the plots show only the steps before. {advice[label]}", "warning")
        if code == BOUNDED and not has_diverged(path, self.steps):
            html += message_html(f"With r = {rate:.4f} the momentum run is bounded{where}: its "
                                 "error neither grows nor shrinks, so it never converges.", "info")
        elif code == DIVERGENT and not has_diverged(path, self.steps):
            why = (f"r = {rate:.4f} > 1{where}: its error grows like r^t" if rate > 1 + 1e-12
                   else "a double root −1 at ρ = 1, ηλ = 4: its error grows like t")
            html += message_html(f"The momentum run diverges ({why}), although it has not left "
                                 f"the plots' range within {self.steps} steps.", "warning")
        if rate_gd > 1 + 1e-12 and not has_diverged(path_gd, self.steps):
            html += message_html(
                f"The gradient descent run diverges (r = {rate_gd:.4f} > 1{where}: η > 2/λ_max), "
                f"although it has not left the plots' range within {self.steps} steps.", "warning")
        return html


momentum_explorer = MomentumExplorer
