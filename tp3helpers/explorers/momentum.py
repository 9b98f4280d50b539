r"""Explorer for Question 3: momentum rho and step eta on a quadratic bowl or Rosenbrock's valley.

Four panels: the two trajectories (momentum and plain gradient descent) on the loss contours,
the map of the convergence rate over the (eta, rho) plane with the current point, the loss per
iteration, and the ball's kinetic, potential and total energy. Moving rho or eta only recomputes
the two runs and updates animated lines (blitting); the contours and the rate map depend only on
the objective and its eigenvalues and are rebuilt only when those change.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..momentum import (
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


class MomentumExplorer(Explorer):
    r"""Controls ``rho``, ``eta``, ``condition_number`` and ``objective``.

    The quadratic has eigenvalues :math:`1/\kappa` and :math:`1` (rotated by 30 degrees); the
    Rosenbrock valley is scaled so that its largest curvature at the minimum is also 1, so the
    step :math:`\eta` means the same on both. For Rosenbrock the rate map uses the Hessian at the
    minimum, a local prediction, and ``condition_number`` does not apply.
    """

    def __init__(self, *, steps: int = 150, resolution: int = 160) -> None:
        self.steps = steps
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
        fig = new_figure(10.0, 7.0)
        (self._ax_path, self._ax_map), (self._ax_loss, self._ax_energy) = fig.subplots(2, 2)
        self._map_eta = np.linspace(0.0, _ETA_MAX, resolution)
        self._map_rho = np.linspace(0.0, 1.0, resolution)
        # Per (objective, condition number): data and static artists (the base class keeps the
        # blit background of each, see Explorer.set_scene).
        self._key: tuple[str, int] | None = None
        self._cache: dict[tuple[str, int], tuple] = {}
        self._statics: dict[tuple[str, int], list] = {}
        self._last_gd: tuple = (None, None)
        self._build_static_axes(fig)
        super().__init__(fig, controls, title="Momentum as a heavy ball", columns=2)
        self.animate(self._path_m, self._path_gd, self._point, self._point_gd, self._loss_m,
                     self._loss_gd, *self._energy_lines)
        self.refresh(None)
        # The panels keep the place the first draw gave them: no layout pass on later redraws.
        fig.set_layout_engine("none")

    # -- figure --------------------------------------------------------------------------------
    def _build_static_axes(self, fig) -> None:
        self._path_gd = trajectory_line(self._ax_path, colour=DESCENT_COLOUR,
                                        label="gradient descent (ρ = 0)")
        self._path_m = trajectory_line(self._ax_path, colour=MOMENTUM_COLOUR, label="momentum")
        self._ax_path.legend(loc="lower right", fontsize=8)
        self._image = rate_map(self._ax_map, self._map_eta, self._map_rho,
                               np.zeros((self._map_rho.size, self._map_eta.size)))
        rate_colorbar(fig, self._image, self._ax_map)
        (self._point,) = self._ax_map.plot([], [], "o", color=MOMENTUM_COLOUR, clip_on=False,
                                           markeredgecolor="white", markersize=9,
                                           label="momentum (η, ρ)", zorder=6)
        (self._point_gd,) = self._ax_map.plot([], [], "s", color=DESCENT_COLOUR, clip_on=False,
                                              markeredgecolor="white", markersize=7,
                                              label="gradient descent (η, 0)", zorder=6)
        (self._best,) = self._ax_map.plot([], [], "*", color="gold", markeredgecolor="k",
                                          markersize=13, label="optimal (η*, ρ*)", zorder=5)
        self._ax_map.legend(loc="upper right", fontsize=7, framealpha=0.8)
        log_history_axes(self._ax_loss, steps=self.steps, ylim=_HISTORY_YLIM,
                         title="loss per iteration", ylabel="$E(w_t) - E^\\star$")
        self._loss_gd = history_line(self._ax_loss, colour=DESCENT_COLOUR,
                                     label="gradient descent")
        self._loss_m = history_line(self._ax_loss, colour=MOMENTUM_COLOUR, label="momentum")
        self._ax_loss.legend(loc="lower left", fontsize=8)
        log_history_axes(self._ax_energy, steps=self.steps, ylim=_HISTORY_YLIM,
                         title="energy of the ball (m = 1, Δt = √η)", ylabel="energy")
        self._energy_lines = (
            history_line(self._ax_energy, colour="#2ca02c", label="kinetic", style="-"),
            history_line(self._ax_energy, colour="#9467bd", label="potential", style="-"),
            history_line(self._ax_energy, colour="k", label="total", style="--"),
        )
        self._ax_energy.legend(loc="lower left", fontsize=8)

    def _key_of(self, name: str, kappa: int) -> tuple[str, int]:
        return (name, kappa if name == "quadratic" else 0)

    def _objective_data(self, key: tuple[str, int]) -> tuple:
        """Objective, rate map, regimes and optimal parameters, computed once per key."""
        if key not in self._cache:
            name, kappa = key
            if name == "quadratic":
                objective = Quadratic.from_eigenvalues([1.0 / kappa, 1.0],
                                                       rotation_matrix(np.pi / 6))
            else:
                objective = _rosenbrock()
            lam = objective.eigenvalues
            grid_rho, grid_eta = self._map_rho[:, None], self._map_eta[None, :]
            rates = convergence_rate(grid_rho, grid_eta, lam)
            regimes = iteration_regime(grid_rho, grid_eta, lam)
            self._cache[key] = (objective, rates, regimes, optimal_parameters(lam[0], lam[-1]))
        return self._cache[key]

    def _show_static(self, key: tuple[str, int]) -> None:
        """Show the contours and regime lines of ``key`` (made on its first visit), hide the rest.

        Each key's static artists are kept (hidden) with the background of the figure drawn with
        them, so coming back to a loss seen before blits on that background without a full draw.
        """
        name = key[0]
        objective, rates, regimes, best = self._objective_data(key)
        for artist in self._statics.get(self._key, ()):
            artist.set_visible(False)
        xlim, ylim = _BOXES[name]
        if key in self._statics:
            for artist in self._statics[key]:
                artist.set_visible(True)
        else:
            self._statics[key] = loss_contours(
                self._ax_path, objective.value, xlim, ylim, minimum=objective.minimum
            ) + regime_boundaries(self._ax_map, self._map_eta, self._map_rho, regimes)
        self._ax_path.set_xlim(*xlim)
        self._ax_path.set_ylim(*ylim)
        self._image.set_data(rate_image_data(rates))
        self._best.set_data([best[1]], [best[0]])
        self._ax_path.set_title("quadratic bowl" if name == "quadratic"
                                else "Rosenbrock valley (scaled)")
        self._ax_map.set_title("convergence rate r(ρ, η) on this loss")
        self._key = key
        self.set_scene(key)

    # -- update --------------------------------------------------------------------------------
    def update(self, changed: str | None) -> str:
        rho, eta = float(self.value("rho")), float(self.value("eta"))
        name, kappa = self.value("objective"), int(self.value("condition_number"))
        key = self._key_of(name, kappa)
        objective, _, _, best = self._objective_data(key)
        if key != self._key:
            self._show_static(key)
            self.controls["condition_number"].disabled = name != "quadratic"
        start = _STARTS[name]
        path = momentum_descent(objective.grad, start, rho=rho, eta=eta, steps=self.steps)
        if self._last_gd[0] != (key, eta):  # plain gradient descent does not depend on rho
            self._last_gd = ((key, eta), gradient_descent(objective.grad, start, eta=eta,
                                                   steps=self.steps))
        path_gd = self._last_gd[1]
        set_trajectory(self._path_m, path)
        set_trajectory(self._path_gd, path_gd)
        self._point.set_data([eta], [rho])
        self._point_gd.set_data([eta], [0.0])
        set_history(self._loss_m, objective.value(path))
        set_history(self._loss_gd, objective.value(path_gd))
        for line, series in zip(self._energy_lines,
                                mechanical_energy(objective.value, path, dt=np.sqrt(eta)),
                                strict=True):
            set_history(line, series)
        return self._readout(name, objective, rho, eta, path, path_gd, best)

    def _readout(self, name, objective, rho, eta, path, path_gd, best) -> str:
        lam = objective.eigenvalues
        rate = convergence_rate(rho, eta, lam)
        rate_gd = convergence_rate(0.0, eta, lam)
        regime = REGIME_NAMES[iteration_regime(rho, eta, lam)]
        rate_best = convergence_rate(best[0], best[1], lam)
        where = "" if name == "quadratic" else " near the minimum"
        lines = [
            f"<b>rate</b>{where} r = {rate:.4f} ({regime}) &nbsp;·&nbsp; gradient descent at "
            f"this η: {rate_gd:.4f} &nbsp;·&nbsp; optimal ρ* = {best[0]:.3f}, η* = {best[1]:.3f}: "
            f"r* = {rate_best:.4f}",
            f"<b>after {self.steps} steps</b> loss: momentum {_loss(objective, path)}, "
            f"gradient descent {_loss(objective, path_gd)}",
        ]
        if eta > 0 and rho <= 1:
            _, friction, dt = momentum_to_physical(rho, eta)
            lines.append(f"<b>ball</b> m = 1, friction c = {friction:.3f}, Δt = {dt:.3f}"
                         + (" (no friction: it never settles)" if rho == 1 else ""))
        if name != "quadratic":
            lines.append("The condition number applies to the quadratic only; Rosenbrock's "
                         f"Hessian at the minimum has κ = {lam[-1] / lam[0]:.0f}.")
        html = "<br>".join(lines)
        for label, run in (("momentum", path), ("gradient descent", path_gd)):
            if has_diverged(run, self.steps):
                html += message_html(
                    f"The {label} run diverged after {len(run) - 1} steps: its iterate left every "
                    f"bound, so the plots show only the steps before. Lower η or ρ "
                    f"(on the quadratic it converges only if η < 2(1 + ρ)/λ_max).", "warning")
        if rate >= 1 and not has_diverged(path, self.steps):
            kind = "never settles" if rate < 1 + 1e-9 else "grows without bound"
            html += message_html(f"With r = {rate:.3f} ≥ 1 the momentum run {kind}{where}: "
                                 "it does not converge.", "warning")
        return html


def _loss(objective, path: np.ndarray) -> str:
    return f"{objective.value(path[-1]):.2e}"


def momentum_explorer(*, steps: int = 150) -> MomentumExplorer:
    """Build the momentum explorer: controls ``rho``, ``eta``, ``condition_number``, ``objective``.

    Display the returned widget (the last expression of a cell) under ``%matplotlib widget``.
    ``steps`` is the number of iterations of each run (150 by default).
    """
    return MomentumExplorer(steps=steps)
