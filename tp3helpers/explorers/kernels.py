r"""Explorer for Question 2: the kernel :math:`\exp(k)` (or a Taylor partial sum) at a bandwidth.

The base kernel is evaluated on rescaled inputs, :math:`k_h(x, x') = k(x / h, x' / h)`, so the
bandwidth :math:`h` plays the same role for every base kernel: for the linear one
:math:`k_h = x x' / h^2`, and :math:`\exp(k_h)` is the Gaussian kernel up to the factors
:math:`f(x) f(x')`.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from .. import kernels
from .._validation import check_positive, check_positive_int
from ..plotting.figure import new_figure
from ..plotting.kernels import (
    draw_gram,
    draw_regression,
    draw_spectrum,
    set_gram,
    set_spectrum,
)
from ._base import Explorer, message_html

__all__ = ["KernelExplorer", "kernel_explorer", "BASE_KERNELS", "ridge_data"]

#: Base kernels at unit scale, by control value: (label, formula in HTML, kernel).
BASE_KERNELS: dict[str, tuple[str, str, Callable[..., np.ndarray]]] = {
    "gaussian": ("Gaussian", "exp(−(x − x′)²/2h²)", kernels.gaussian),
    "linear": ("linear", "x x′/h²", kernels.linear),
    "polynomial": ("polynomial, degree 2", "(x x′/h² + 1)²", kernels.polynomial),
    "minus_linear": (
        "minus linear (not valid)", "−x x′/h²", lambda X, Y=None: -kernels.linear(X, Y)
    ),
}

#: Largest condition number of K + alpha I for which the ridge fit is shown.
MAX_CONDITION = 1e12
#: Taylor orders offered by the ``order`` control, then the exact exponential.
MAX_ORDER = 15


def ridge_data(rng: np.random.Generator, n: int = 40, noise: float = 0.25):
    """Noisy samples of :math:`\\sin(3x)` on [-1, 1]: sorted ``x``, ``y``, a grid and the truth."""
    x = np.sort(rng.uniform(-1.0, 1.0, size=n))
    y = np.sin(3.0 * x) + noise * rng.normal(size=n)
    grid = np.linspace(-1.0, 1.0, 100)
    return x, y, grid, np.sin(3.0 * grid)


class KernelExplorer(Explorer):
    r"""Bandwidth, base kernel and Taylor order set :math:`\kappa = \exp(k_h)` or :math:`T_N(k_h)`.

    Panels: the Gram matrix of :math:`\kappa` on the training inputs, its eigenvalues with the
    smallest marked (green when PSD up to rounding, red otherwise) and a kernel ridge regression
    with :math:`\kappa` on noisy 1-D data. The readout gives the smallest eigenvalue, the Taylor
    error and the fit's errors, or says why a setting cannot be shown.

    Artists: ``gram`` (the heatmap's mesh), ``spectrum`` (the eigenvalue markers, the marker of
    the smallest one and the line at its level) and ``fit`` (the ridge regression's curve).
    """

    def __init__(self, *, n_points: int = 40, alpha: float = 0.1, seed: int = 2,
                 presentation: bool | None = None) -> None:
        n = check_positive_int(n_points, "n_points")
        self.alpha = check_positive(alpha, "alpha")
        self.x, self.y, self.grid, self.truth = ridge_data(np.random.default_rng(seed), n=n)
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
        fig = new_figure(11.5, 3.5)
        ax_gram, ax_spec, ax_fit = fig.subplots(1, 3, width_ratios=[1.0, 1.0, 1.3])
        artists = {
            "gram": draw_gram(ax_gram, np.eye(n)),
            "spectrum": draw_spectrum(ax_spec, n, tolerance=kernels.psd_tolerance(np.ones(n))),
            "fit": draw_regression(ax_fit, self.x, self.y, self.grid, self.truth),
        }
        super().__init__(fig, controls, artists, title="Exponential kernel explorer",
                         presentation=presentation)

    def kernel(self) -> tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]:
        """The current base kernel :math:`k_h` and the shown kernel :math:`\\kappa`."""
        h = float(self.value("bandwidth"))
        if not (np.isfinite(h) and h > 0):
            raise ValueError(f"bandwidth must be > 0, got {h!r}")
        unit = BASE_KERNELS[self.value("kernel")][2]

        def base(X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
            return unit(X / h, None if Y is None else Y / h)

        base.__name__ = str(self.value("kernel"))
        order = self.value("order")
        if order == "exact":
            return base, kernels.exp_kernel(base)
        return base, kernels.taylor_exp_kernel(base, order)

    def _blank(self) -> None:
        """Empty every panel, so that nothing stale stays on screen after a failed setting."""
        n = self.x.size
        set_gram(self.artists["gram"], np.full((n, n), np.nan))
        set_spectrum(self.artists["spectrum"], np.full(n, np.nan), psd=False)
        self._hide_fit()

    def _hide_fit(self) -> None:
        self.artists["fit"].set_ydata(np.full_like(self.grid, np.nan))

    def update(self, changed: str | None) -> str:
        base, shown = self.kernel()
        try:
            gram = shown(self.x)
        except ValueError as exc:  # exp overflows float64: a numerically impossible setting
            self._blank()
            return message_html(f"{exc}. Increase the bandwidth h.", "warning")
        eigenvalues = np.linalg.eigvalsh(gram)
        tol = kernels.psd_tolerance(eigenvalues)
        psd = bool(eigenvalues[0] >= -tol)
        set_gram(self.artists["gram"], gram)
        set_spectrum(self.artists["spectrum"], eigenvalues, psd=psd)
        lines = [self._kernel_line(eigenvalues, tol, psd)]
        order = self.value("order")
        if order != "exact":
            error = np.abs(gram - kernels.exp_kernel(base)(self.x)).max()
            lines.append(f"Taylor order {order}: largest |T<sub>N</sub> − exp(K)| = {error:.2e}")
        lines.append(self._fit_line(shown, eigenvalues, psd))
        return "<br>".join(lines)

    def _kernel_line(self, eigenvalues: np.ndarray, tol: float, psd: bool) -> str:
        label, formula, _ = BASE_KERNELS[self.value("kernel")]
        order = self.value("order")
        name = "exp(k)" if order == "exact" else f"T<sub>{order}</sub>(k)"
        verdict = (
            '<span style="color:#1a7f37">PSD ✓</span>' if psd
            else '<span style="color:#a40000">not PSD ✗</span>'
        )
        return (
            f"<b>κ = {name}</b> with k = {label}, k<sub>h</sub>(x, x′) = {formula}, "
            f"h = {self.value('bandwidth'):.3g} &nbsp;·&nbsp; λ<sub>min</sub> = "
            f"{eigenvalues[0]:.3e}, λ<sub>max</sub> = {eigenvalues[-1]:.3e} "
            f"(tolerance {tol:.1e}): {verdict}"
        )

    def _fit_line(
        self, shown: Callable[..., np.ndarray], eigenvalues: np.ndarray, psd: bool
    ) -> str:
        low, high = eigenvalues[0] + self.alpha, eigenvalues[-1] + self.alpha
        if not psd or low <= 0 or high / low > MAX_CONDITION:
            self._hide_fit()
        if not psd:
            return message_html(
                "Ridge fit hidden: κ is not a valid kernel here (K has a negative eigenvalue), "
                "so there is no feature space in which to fit a ridge regression.", "warning",
            )
        if low <= 0 or high / low > MAX_CONDITION:
            condition = "∞" if low <= 0 else f"{high / low:.1e}"
            return message_html(
                f"Ridge fit hidden: K + αI (α = {self.alpha:g}) has condition number {condition} "
                "in float64, so its solution would be rounding noise. Increase the bandwidth h.",
                "warning",
            )
        model = kernels.KernelRidge(shown, alpha=self.alpha).fit(self.x, self.y)
        prediction = model.predict(self.grid)
        self.artists["fit"].set_ydata(prediction)
        train = np.sqrt(np.mean((model.predict(self.x) - self.y) ** 2))
        test = np.sqrt(np.mean((prediction - self.truth) ** 2))
        return (
            f"<b>ridge fit</b> (α = {self.alpha:g}): RMSE on the noisy training data {train:.3f}, "
            f"against the noise-free curve {test:.3f}"
        )


def kernel_explorer(*, n_points: int = 40, alpha: float = 0.1, seed: int = 2,
                    presentation: bool | None = None) -> KernelExplorer:
    """Build the exponential kernel explorer.

    Controls: ``bandwidth`` (log scale), ``kernel`` (the base kernel :math:`k`) and ``order``
    (a Taylor order 0 to 15, or ``"exact"`` for :math:`\\exp(k)`). ``n_points`` is the
    size of the training set and of the Gram matrix; the update time grows with it (about
    40 keeps a slider move within one 60 Hz frame). ``alpha`` is the ridge penalty, ``seed`` seeds
    the noisy data. Display the returned widget under ``%matplotlib widget``.
    ``presentation=True`` shows it in presentation size (larger text, thicker lines).
    """
    return KernelExplorer(n_points=n_points, alpha=alpha, seed=seed, presentation=presentation)
