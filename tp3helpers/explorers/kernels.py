r"""Explorer for Question 2: the kernel :math:`\exp(k)` (or a Taylor partial sum) at a bandwidth.

The kernel shown, :math:`\tilde k`, is :math:`\exp(k_h)` or its Taylor sum :math:`T_N(k_h)`,
never :math:`k_h` itself, where :math:`k_h(x, x') = k(x / h, x' / h)` for every base kernel.
Every panel comes from one evaluation of :math:`\tilde k` on the training inputs and the plotted
grid together: either all panels show the setting, or all are blanked and the readout says why.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from .. import kernels
from .._validation import check_int_in_range, check_nonnegative_int, check_positive
from ..plotting.figure import new_figure
from ..plotting.kernels import (
    draw_gp_samples,
    draw_gram,
    draw_regression,
    draw_spectrum,
    set_gp_samples,
    set_gram,
    set_spectrum,
)
from ._base import Explorer, message_html

__all__ = ["KernelExplorer", "kernel_explorer", "BASE_KERNELS", "SHOWN", "ridge_data"]

#: Base kernels at unit scale, by control value: (label, formula in HTML, kernel).
BASE_KERNELS: dict[str, tuple[str, str, Callable[..., np.ndarray]]] = {
    "gaussian": ("Gaussian", "exp(−(x − x′)²/2h²)", kernels.gaussian),
    "linear": ("linear", "x x′/h²", kernels.linear),
    "polynomial": ("polynomial, degree 2", "(x x′/h² + 1)²", kernels.polynomial),
    "minus_linear": (
        "minus linear (not valid)", "−x x′/h²", lambda X, Y=None: -kernels.linear(X, Y)
    ),
}

#: What the exact exponential of each base kernel is, said beside it in the readout.
SHOWN: dict[str, str] = {
    "gaussian": "the exponential of a Gaussian kernel, not a Gaussian kernel itself",
    "linear": "a Gaussian kernel without its factors f(x) f(x′) = exp(−(x² + x′²)/2h²)",
    "polynomial": "the exponential of a polynomial kernel",
    "minus_linear": "the exponential of minus a valid kernel",
}

#: Largest condition number of K + alpha I for which the ridge fit is shown.
MAX_CONDITION = 1e12
#: Largest training set (its Gram matrix and spectrum are computed on every control move).
MAX_POINTS = 200
#: Taylor orders offered by the ``order`` control, then the exact exponential.
MAX_ORDER = 15
#: Functions drawn from the Gaussian process in the samples panel.
N_SAMPLES = 3


def ridge_data(rng: np.random.Generator, n: int = 40, noise: float = 0.25):
    """Noisy samples of :math:`\\sin(3x)` on [-1, 1]: sorted ``x``, ``y``, a grid and the truth."""
    x = np.sort(rng.uniform(-1.0, 1.0, size=n))
    y = np.sin(3.0 * x) + noise * rng.normal(size=n)
    grid = np.linspace(-1.0, 1.0, 100)
    return x, y, grid, np.sin(3.0 * grid)


class KernelExplorer(Explorer):
    r"""Bandwidth, base kernel and Taylor order set the shown kernel :math:`\tilde k`.

    Controls: ``bandwidth`` (log scale), ``kernel`` (the base kernel :math:`k`) and ``order`` (a
    Taylor order 0 to 15, or ``"exact"``). ``n_points`` (2 to 200) is the size of the training
    set, ``alpha`` (> 0) the ridge penalty, ``seed`` (an integer >= 0) seeds the data and the
    Gaussian-process draws. Display it under ``%matplotlib widget``.

    Artists: ``gram`` (the Gram matrix's mesh), ``spectrum`` (its eigenvalues: positive, zero up to
    rounding, negative), ``samples`` (functions drawn from the Gaussian process of covariance
    :math:`\tilde k`, the same seeded draws at every setting, and a note when there is none) and
    ``fit`` (a kernel ridge regression with :math:`\tilde k` on noisy 1-D data).
    """

    def __init__(self, *, n_points: int = 40, alpha: float = 0.1, seed: int = 2,
                 presentation: bool | None = None) -> None:
        n = check_int_in_range(n_points, "n_points", 2, MAX_POINTS)
        self.alpha = check_positive(alpha, "alpha")
        self.seed = check_nonnegative_int(seed, "seed")
        self.x, self.y, self.grid, self.truth = ridge_data(np.random.default_rng(self.seed), n=n)
        controls: dict[str, widgets.Widget] = {
            "bandwidth": widgets.FloatLogSlider(
                value=0.5, base=10, min=-1.5, max=1.0, step=0.05, description="bandwidth h",
                readout_format=".3f",
            ),
            "kernel": widgets.Dropdown(
                options=[(label, key) for key, (label, _, _) in BASE_KERNELS.items()],
                value="gaussian", description="base kernel k",
            ),
            "order": widgets.SelectionSlider(
                options=[(str(n), n) for n in range(MAX_ORDER + 1)] + [("exact", "exact")],
                value="exact", description="Taylor order",
            ),
        }
        #: The relative PSD tolerance of kernels.psd_tolerance, the same for every setting.
        self.tolerance = kernels.psd_tolerance(np.ones(n))
        fig = new_figure(10.0, 4.0, replace=False)
        (ax_gram, ax_spec), (ax_gp, ax_fit) = fig.subplots(2, 2)
        artists = {
            "gram": draw_gram(ax_gram, np.eye(n)),
            "spectrum": draw_spectrum(ax_spec, n, tolerance=self.tolerance),
            "samples": draw_gp_samples(ax_gp, self.grid[::2], N_SAMPLES),
            "fit": draw_regression(ax_fit, self.x, self.y, self.grid, self.truth),
        }
        super().__init__(fig, controls, artists, title="Exponential kernel explorer",
                         presentation=presentation)

    def kernel(self) -> tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]:
        """The current base kernel :math:`k_h` and the shown kernel :math:`\\tilde k`."""
        base = self._base_kernel(float(self.value("bandwidth")))
        order = self.value("order")
        if order == "exact":
            return base, kernels.exp_kernel(base)
        return base, kernels.taylor_exp_kernel(base, order)

    def _base_kernel(self, h: float) -> Callable[..., np.ndarray]:
        """The chosen base kernel at bandwidth ``h``, :math:`k_h(x, x') = k(x / h, x' / h)`."""
        unit = BASE_KERNELS[self.value("kernel")][2]

        def base(X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
            return unit(X / h, None if Y is None else Y / h)

        base.__name__ = str(self.value("kernel"))
        return base

    def _blank(self) -> None:
        """Empty every panel: nothing stale stays on screen after a failed setting."""
        n = self.x.size
        set_gram(self.artists["gram"], np.full((n, n), np.nan))
        set_spectrum(self.artists["spectrum"], np.full(n, np.nan), tolerance=self.tolerance)
        set_gp_samples(self.artists["samples"], np.full((N_SAMPLES, self.grid[::2].size), np.nan))
        self.artists["fit"].set_ydata(np.full_like(self.grid, np.nan))

    def update(self, changed: str | None) -> str:
        base, shown = self.kernel()
        n = self.x.size
        points = np.concatenate([self.x, self.grid])
        peak = float(base(points).max())  # a broken base kernel's error goes to the readout
        if self.value("order") == "exact" and peak > kernels.EXP_OVERFLOW:
            self._blank()
            return self._overflow_message(peak, points)
        # One evaluation for all panels: training Gram matrix, grid Gram matrix and cross terms.
        everything = shown(points)
        gram, cross = everything[:n, :n], everything[n:, :n]
        grid_gram = everything[n::2, n::2]  # every other grid point: enough to see the shape
        eigenvalues = np.linalg.eigvalsh(gram)
        psd = bool(eigenvalues[0] >= -kernels.psd_tolerance(eigenvalues))
        set_gram(self.artists["gram"], gram)
        set_spectrum(self.artists["spectrum"], eigenvalues, tolerance=self.tolerance)
        lines = [self._kernel_line(eigenvalues, psd)]
        order = self.value("order")
        if order != "exact":
            try:
                error = f"{np.abs(gram - kernels.exp_kernel(base)(self.x)).max():.2e}"
            except ValueError:
                error = "∞ (exp(K) itself overflows float64)"
            lines.append(f"Taylor order {order}: largest |T<sub>N</sub> − exp(K)| = {error}")
        lines.append(self._samples_line(grid_gram))
        lines.append(self._fit_line(gram, cross, eigenvalues, psd))
        return "<br>".join(lines)

    def _overflow_message(self, peak: float, points: np.ndarray) -> str:
        slider = self.controls["bandwidth"]
        stops = 10.0 ** np.arange(slider.min, slider.max + slider.step / 2, slider.step)
        finite = [h for h in stops if self._base_kernel(h)(points).max() <= kernels.EXP_OVERFLOW]
        advice = f"h = {min(finite):.3g} or more" if finite else "a larger bandwidth"
        return message_html(
            f"At h = {self.value('bandwidth'):.3g} the base kernel k_h reaches {peak:.4g} on the "
            f"plotted range, and exp({peak:.4g}) is beyond the largest float64 number (about "
            f"1.8e308 = exp({kernels.EXP_OVERFLOW:.2f})), so exp(k_h) cannot be computed. "
            f"Increase the bandwidth h ({advice} works with this base kernel), or choose a Taylor "
            "order: a polynomial in k_h stays finite much longer.",
            "warning",
        )

    def _kernel_line(self, eigenvalues: np.ndarray, psd: bool) -> str:
        key = self.value("kernel")
        label, formula, _ = BASE_KERNELS[key]
        order = self.value("order")
        name = "exp(k<sub>h</sub>)" if order == "exact" else f"T<sub>{order}</sub>(k<sub>h</sub>)"
        shown = f" ({SHOWN[key]})" if order == "exact" else ""
        verdict = (
            '<span style="color:#1a7f37">PSD ✓</span>' if psd
            else '<span style="color:#a40000">not PSD ✗</span>'
        )
        top = float(np.abs(eigenvalues).max())
        relative = eigenvalues[0] / top if top > 0 else 0.0
        return (
            f"<b>shown k̃ = {name}</b>{shown}, with k = {label}, "
            f"k<sub>h</sub>(x, x′) = {formula}, "
            f"h = {self.value('bandwidth'):.3g} &nbsp;·&nbsp; λ<sub>min</sub> = "
            f"{relative:+.1e} × max|λ| (max|λ| = {top:.3e}; rounding level "
            f"{self.tolerance:.0e}): {verdict}"
        )

    def _samples_line(self, grid_gram: np.ndarray) -> str:
        scale = float(grid_gram.diagonal().max())
        try:
            if not scale > 0:
                raise ValueError("zero variance")
            samples = kernels.gp_samples(
                grid_gram / scale, N_SAMPLES, np.random.default_rng(self.seed)
            )
        except ValueError:
            set_gp_samples(
                self.artists["samples"], np.full((N_SAMPLES, self.grid[::2].size), np.nan),
                note="$\\tilde{k}$ is not PSD:\nno Gaussian process",
            )
            return message_html(
                "No functions drawn: k̃ is not a valid kernel on the plotted range, so it is not "
                "the covariance of any Gaussian process.", "warning",
            )
        set_gp_samples(self.artists["samples"], samples)
        return (
            f"<b>GP samples</b>: {N_SAMPLES} functions with covariance k̃, divided by "
            f"max √k̃(x, x) = {np.sqrt(scale):.3g}"
        )

    def _fit_line(
        self, gram: np.ndarray, cross: np.ndarray, eigenvalues: np.ndarray, psd: bool
    ) -> str:
        self.artists["fit"].set_ydata(np.full_like(self.grid, np.nan))
        if not psd:
            return message_html(
                "Ridge fit hidden: k̃ is not a valid kernel here (K has a negative eigenvalue), "
                "so there is no feature space in which to fit a ridge regression.", "warning",
            )
        low, high = eigenvalues[0] + self.alpha, eigenvalues[-1] + self.alpha
        if low <= 0 or high / low > MAX_CONDITION:
            condition = "∞" if low <= 0 else f"{high / low:.1e}"
            return message_html(
                f"Ridge fit hidden: K + αI (α = {self.alpha:g}) has condition number {condition} "
                "in float64, so its solution would be rounding noise. Increase the bandwidth h.",
                "warning",
            )
        # The fit of kernels.KernelRidge, from the matrices already computed (notebook 2).
        dual = np.linalg.solve(gram + self.alpha * np.eye(len(gram)), self.y)
        prediction = cross @ dual
        self.artists["fit"].set_ydata(prediction)
        train = np.sqrt(np.mean((gram @ dual - self.y) ** 2))
        test = np.sqrt(np.mean((prediction - self.truth) ** 2))
        return (
            f"<b>ridge fit</b> (α = {self.alpha:g}): RMSE on the noisy training data {train:.3f}, "
            f"against the noise-free curve {test:.3f}"
        )


kernel_explorer = KernelExplorer
