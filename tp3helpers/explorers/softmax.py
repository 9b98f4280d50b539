"""Explorer for Question 1: logits, target and temperature drive softmax and its gradient."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._validation import check_int_in_range
from ..gradcheck import numerical_gradient, relative_error
from ..plotting.figure import new_figure
from ..plotting.softmax import colour_target_bar, labelled_bars, set_bar_values
from ..softmax import cross_entropy, log_softmax, one_hot, softmax
from ._base import Explorer

__all__ = ["SoftmaxExplorer", "softmax_explorer"]

#: The logit sliders go from -LOGIT_LIMIT to LOGIT_LIMIT.
LOGIT_LIMIT = 6.0
#: |y_k - t_k| <= 1 and τ >= 0.1, so |∂E/∂a_k| <= 10: ±25 leaves room for the value labels.
GRADIENT_LIMIT = 25.0
#: The gradient on the bars and in the readout (significant digits: 4.5e-4 must not read as 0).
GRADIENT_FORMAT = "{:+.3g}"


def _format_vector(values: np.ndarray) -> str:
    return "[" + ", ".join(GRADIENT_FORMAT.format(v) for v in values) + "]"


class SoftmaxExplorer(Explorer):
    r"""Sliders for the logits :math:`a_k`, the true class and a temperature :math:`\tau`.

    Controls ``logit_0`` … ``logit_{K-1}`` (``num_classes`` K from 2 to 10), ``target`` and
    ``temperature``. Display it under ``%matplotlib widget``. The probabilities are
    :math:`y = \operatorname{softmax}(a / \tau)`; the right panel shows the gradient of
    :math:`E = -\ln y_{\text{target}}` (notebook 1, Explore)

    .. math:: \frac{\partial E}{\partial a_k} = \frac{y_k - t_k}{\tau},

    on a symmetric-log axis (as :math:`\tau \to 0` it grows like :math:`1/\tau` or vanishes),
    and the readout compares it with central finite differences.

    Artists: ``prob_bars`` and ``grad_bars`` (bar containers, one bar per class) and their value
    labels ``prob_labels`` and ``grad_labels``.
    """

    def __init__(self, num_classes: int = 4, *, presentation: bool | None = None) -> None:
        k = check_int_in_range(num_classes, "num_classes", 2, 10)
        start = np.linspace(2.0, -1.0, k)
        self.num_classes = k
        controls: dict[str, widgets.Widget] = {
            f"logit_{i}": widgets.FloatSlider(
                value=float(start[i]),
                min=-LOGIT_LIMIT,
                max=LOGIT_LIMIT,
                step=0.1,
                description=f"logit a{i}",
                continuous_update=True,
            )
            for i in range(k)
        }
        controls["target"] = widgets.Dropdown(
            options=[(f"class {i}", i) for i in range(k)],
            value=0,
            description="true class",
        )
        controls["temperature"] = widgets.FloatLogSlider(
            value=1.0,
            base=10,
            min=-1,
            max=1,
            step=0.05,
            description="temperature τ",
        )
        fig = new_figure(9.0, 3.2, replace=False)
        ax_p, ax_g = fig.subplots(1, 2)
        zeros = np.zeros(k)
        prob_bars, prob_labels = labelled_bars(
            ax_p,
            zeros,
            ylim=(0.0, 1.12),
            title="probabilities $y_k = $ softmax$(a/\\tau)_k$",
            ylabel="$y_k$",
        )
        grad_bars, grad_labels = labelled_bars(
            ax_g,
            zeros,
            ylim=(-GRADIENT_LIMIT, GRADIENT_LIMIT),
            title="gradient $\\partial E/\\partial a_k = (y_k - t_k)/\\tau$",
            ylabel="$(y_k - t_k)/\\tau$ (symmetric log scale)",
            fmt=GRADIENT_FORMAT,
            linthresh=1.0,
        )
        artists = {
            "prob_bars": prob_bars,
            "prob_labels": prob_labels,
            "grad_bars": grad_bars,
            "grad_labels": grad_labels,
        }
        super().__init__(fig, controls, artists, title="Softmax cross-entropy explorer",
                         presentation=presentation)

    def logits(self) -> np.ndarray:
        """The logits currently set on the sliders."""
        return np.array([self.value(f"logit_{i}") for i in range(self.num_classes)])

    def update(self, changed: str | None) -> str:
        a = self.logits()
        target = int(self.value("target"))
        temperature = float(self.value("temperature"))
        t = one_hot(np.array([target]), self.num_classes)[0]
        y = softmax(a / temperature)
        art = self.artists
        set_bar_values(art["prob_bars"], art["prob_labels"], y)
        analytic = (y - t) / temperature
        set_bar_values(art["grad_bars"], art["grad_labels"], analytic, fmt=GRADIENT_FORMAT)
        if changed in (None, "target"):
            colour_target_bar(art["prob_bars"], target)
            colour_target_bar(art["grad_bars"], target)
        loss = cross_entropy((a / temperature)[None, :], [target])
        # The same loss as cross_entropy, without its checks: 2K evaluations per slider move.
        numeric = numerical_gradient(lambda z: -log_softmax(z / temperature)[target], a)
        return (
            f"<b>loss</b> E = −ln y<sub>{target}</sub> = {loss:.4g} &nbsp;·&nbsp; "
            f"|Σ<sub>k</sub>(y<sub>k</sub> − t<sub>k</sub>)| = {abs(np.sum(y - t)):.1e}<br>"
            f"<b>∂E/∂a</b> = (y − t)/τ, the bars = {_format_vector(analytic)}<br>"
            f"<b>∂E/∂a</b> finite differences = {_format_vector(numeric)} "
            f"&nbsp;(relative error {relative_error(analytic, numeric):.1e})"
        )


softmax_explorer = SoftmaxExplorer
