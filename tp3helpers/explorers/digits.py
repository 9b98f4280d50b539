r"""Explorer for notebook 4: a kernel softmax classifier of handwritten digits, trained live.

Controls: the bandwidth :math:`h`, the penalty :math:`\alpha`, the momentum :math:`\rho` and the
step :math:`\eta` (in units of :math:`1/L`); gradient descent always uses the safe step :math:`1/L`,
so a move of :math:`\rho` or :math:`\eta` reruns only the momentum run. The figure shows each
run's loss above its minimum :math:`J^*` (log scale), their held-out accuracy and the held-out
digits the momentum run gets wrong. :math:`J^*` comes from a run with Polyak's
:math:`(\rho^\star, \eta^\star)` twice as long as the runs shown, once per :math:`(h, \alpha)`.

Training runs as an :mod:`asyncio` task on the kernel's own loop, pausing every
:data:`CHUNK_SECONDS` so that the kernel can answer the browser and draw. A move resets the figure
(the first new frame: the new setting, its curves empty), cancels the running task and starts a
new one, which trains once the controls have rested for :data:`SETTLE_SECONDS` and redraws the
curves every :data:`REDRAW_SECONDS`. All in the kernel's one thread. Without an event loop (a
script, the tests) and for the first draw, a move trains to the end before it returns.

The curves and the progress line are blitted on every frame (:mod:`._base`); the accuracy bars
and the gallery are the figure's *layer*, drawn again when a training finishes.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MaxNLocator

from .._validation import check_int_in_range
from ..digits import (
    NystromFeatures,
    SoftmaxObjective,
    accuracy,
    choose_landmarks,
    load_digits_split,
    predicted_steps,
)
from ..momentum import DIVERGENCE_BOUND, optimal_parameters, steps_to_tolerance
from ..plotting.digits import accuracy_bars, digit_gallery, set_accuracy, set_gallery
from ..plotting.figure import new_figure
from ..plotting.history import history_line, log_history_axes, set_history
from ..plotting.momentum import DESCENT_COLOUR, MOMENTUM_COLOUR
from ._base import Explorer, message_html

__all__ = ["DigitsExplorer", "Run", "descend", "digit_features", "digits_explorer"]

#: Seconds of training between two pauses, in which the kernel answers messages and draws.
CHUNK_SECONDS = 0.015
#: Training starts once the controls have not moved for this long (seconds): longer than the gap
#: between two moves of a dragged slider, short enough to go unnoticed.
SETTLE_SECONDS = 0.1
#: While training, the curves are redrawn at most this often (seconds).
REDRAW_SECONDS = 0.1
#: The readout counts the steps until the distance to the minimum has shrunk by this factor (as in
#: notebook 4's Check), that is until the gap J - J* has shrunk by its square.
TOLERANCE = 1e-4
_BANDWIDTHS = (0.3, 0.5, 0.7, 1.0, 1.4, 2.0, 3.0, 5.0, 10.0)
_GALLERY = 16
#: The run that finds J* is this many times longer than the runs shown.
_REFERENCE_RUNS = 2
_LOSS_YLIM = (1e-10, 1e5)


@functools.lru_cache(maxsize=12)
def digit_features(bandwidth: float, landmarks: int = 300, seed: int = 2019) -> tuple:
    """``(split, features_train, features_test, nystrom, sigma_max)`` for one bandwidth, cached;
    ``sigma_max`` is the largest singular value of the training features (for :math:`L`)."""
    split = load_digits_split()
    centres = choose_landmarks(split.X_train, landmarks, np.random.default_rng(seed))
    nystrom = NystromFeatures(centres, bandwidth)
    phi = nystrom.transform(split.X_train)
    sigma_max = float(np.sqrt(np.linalg.eigvalsh(phi.T @ phi)[-1]))
    return split, phi, nystrom.transform(split.X_test), nystrom, sigma_max


@dataclass
class Run:
    """One training run: the loss :math:`J(w_t)` of every iterate so far; once it has finished,
    the last weights, and whether it stopped early because it diverged."""

    losses: list = field(default_factory=list)
    last: np.ndarray | None = None
    diverged: bool = False

    @property
    def finished(self) -> bool:
        return self.last is not None


def descend(run: Run, objective: SoftmaxObjective, *, rho: float, eta: float,
            steps: int) -> Iterator[None]:
    r"""Momentum descent from :math:`w_0 = 0`, yielding (a pause) every :data:`CHUNK_SECONDS`.

    .. math:: v_{t+1} = \rho\, v_t - \nabla J(w_t), \qquad w_{t+1} = w_t + \eta\, v_{t+1}

    as :func:`tp3helpers.momentum.momentum_descent`, stopping before an iterate beyond
    :data:`~tp3helpers.momentum.DIVERGENCE_BOUND`. ``run.losses`` receives each :math:`J(w_t)`
    as soon as it is known; ``rho = 0`` is gradient descent.
    """
    w = np.zeros(objective.size)
    v = np.zeros_like(w)
    loss, gradient = objective.value_and_grad(w)
    run.losses.append(loss)
    pause = time.perf_counter() + CHUNK_SECONDS
    for _ in range(steps):
        v = rho * v - gradient
        w_next = w + eta * v
        if not np.abs(w_next).max() <= DIVERGENCE_BOUND:  # too large, or not finite
            run.diverged = True
            break
        w = w_next
        loss, gradient = objective.value_and_grad(w)
        run.losses.append(loss)
        if time.perf_counter() > pause:
            yield
            pause = time.perf_counter() + CHUNK_SECONDS
    run.last = w


@dataclass
class _Training:
    """Everything one setting computes, filled in by :meth:`DigitsExplorer._train`."""

    settings: tuple
    stage: str = "computing the kernel features"
    minimum: float | None = None  # J* for this (h, α), from a long run with (ρ*, η*)
    gd: Run = field(default_factory=Run)
    momentum: Run = field(default_factory=Run)
    error: Exception | None = None
    done: bool = False
    result: dict = field(default_factory=dict)


def _draw_figure(fig, steps: int) -> dict:
    """The loss panel, the accuracy bars and the gallery; returns the artists by name."""
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.25, 1.0])
    ax_loss, ax_acc = top.subplots(1, 2, width_ratios=[1.6, 1.0])
    log_history_axes(ax_loss, steps=steps, ylim=_LOSS_YLIM,
                     title="training loss above its minimum", ylabel="$J(W_t) - J^*$")
    ax_loss.xaxis.set_major_locator(MaxNLocator(integer=True))  # "0", not "0.0", by 10^-10
    artists: dict[str, object] = {
        "loss_gd": history_line(ax_loss, colour=DESCENT_COLOUR, label="gradient descent, η = 1/L"),
        "loss": history_line(ax_loss, colour=MOMENTUM_COLOUR, label="momentum ρ, η"),
    }
    # Both runs start at the same loss and fall: the upper right corner stays empty.
    ax_loss.legend(loc="upper right", fontsize=9)
    artists["progress"] = ax_loss.text(0.02, 0.03, "", transform=ax_loss.transAxes, ha="left",
                                       va="bottom", fontsize=10)
    artists["accuracy_bars"], artists["accuracy_labels"] = accuracy_bars(
        ax_acc, ["gradient\ndescent", "momentum"], [DESCENT_COLOUR, MOMENTUM_COLOUR])
    ax_acc.set_title("held-out digits")
    bottom.suptitle("held-out digits the momentum model gets wrong: predicted (true)",
                    fontsize=11)
    artists["digits"], artists["digit_titles"] = digit_gallery(bottom, _GALLERY)
    return artists


class DigitsExplorer(Explorer):
    r"""Controls ``bandwidth``, ``l2``, ``rho`` and ``eta`` (the step times :math:`L`).

    Parameters
    ----------
    steps : int
        Iterations of each run, from 1 to 5000.
    landmarks : int
        Number of Nyström landmarks, from 10 to 1000.
    presentation : bool or None
        Presentation size (see :class:`~._base.Explorer`).

    In a kernel a move returns at once and :attr:`training` is true until its runs have finished.

    Artists: ``loss_gd`` and ``loss`` (the loss curves), ``progress``, ``accuracy_bars`` and
    ``accuracy_labels``, ``digits`` and ``digit_titles`` (the misclassified held-out digits).
    """

    def __init__(self, *, steps: int = 200, landmarks: int = 300,
                 presentation: bool | None = None) -> None:
        self._task: asyncio.Task | None = None
        # Gradient descent and J* depend on (h, λ) only: kept for the moves of ρ and η.
        self._descent: tuple[tuple, float, Run, dict] | None = None
        self.steps = check_int_in_range(steps, "steps", 1, 5000)
        self.landmarks = check_int_in_range(landmarks, "landmarks", 10, 1000)
        controls = {
            "bandwidth": widgets.SelectionSlider(options=_BANDWIDTHS, value=1.0,
                                                 description="bandwidth h"),
            "l2": widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=2, step=0.25,
                                         description="penalty α"),
            "rho": widgets.FloatSlider(value=0.76, min=0.0, max=0.99, step=0.01,
                                       description="momentum ρ"),
            "eta": widgets.FloatSlider(value=3.5, min=0.1, max=8.0, step=0.1,
                                       description="step η·L"),
        }
        fig = new_figure(10.0, 6.4, replace=False)
        self._shown: dict | None = None  # the results the accuracy bars and gallery show
        super().__init__(fig, controls, _draw_figure(fig, self.steps),
                         title="Digits: kernel softmax trained with momentum", columns=2,
                         animated=["loss_gd", "loss", "progress"],
                         layer=["accuracy_bars", "accuracy_labels", "digits", "digit_titles"],
                         presentation=presentation)

    @property
    def training(self) -> bool:
        """True while the runs of the last move are still training in the background."""
        return self._task is not None and not self._task.done()

    def close(self) -> None:
        """Stop any training, close the figure and widgets, and let go of the runs."""
        if self._task is not None:
            self._task.cancel()
        self._task, self._descent, self._shown = None, None, None
        super().close()

    # -- the controls ----------------------------------------------------------------------------
    def settings(self) -> tuple[float, float, float, float]:
        """``(bandwidth, l2, rho, eta_times_L)`` as set now, rounded."""
        return (float(self.value("bandwidth")), round(float(self.value("l2")), 6),
                float(self.value("rho")), float(self.value("eta")))

    def update(self, changed: str | None) -> str:
        if self._task is not None:
            self._task.cancel()  # the previous move's training is superseded
            self._task = None
        job = _Training(self.settings())
        if self._descent is not None and self._descent[0] == job.settings[:2]:
            _, job.minimum, job.gd, basics = self._descent
            job.result.update(basics)
        self._show(job)  # the first new frame: the new setting, its curves reset
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if changed is None or loop is None:  # the first draw, or a script: train to the end
            for _ in self._train(job):
                pass
            self._show(job)
        else:
            self._task = loop.create_task(self._follow(job))
        return self._readout(job)

    # -- training --------------------------------------------------------------------------------
    async def _follow(self, job: _Training) -> None:
        """Once the controls rest, train ``job`` (a new move cancels this task), redrawing the
        curves as they fill in."""
        await asyncio.sleep(SETTLE_SECONDS)
        drawn = time.perf_counter()
        for _ in self._train(job):
            await asyncio.sleep(0)
            if time.perf_counter() - drawn > REDRAW_SECONDS:
                self._redraw(job)
                drawn = time.perf_counter()
        self._redraw(job)

    def _train(self, job: _Training) -> Iterator[None]:
        """All the runs of ``job``, pausing now and then; an error ends them and is shown."""
        try:
            yield from self._train_steps(job)
        except Exception as exc:  # noqa: BLE001 - shown in the readout, never raised
            job.error = exc
        job.done = True

    def _train_steps(self, job: _Training) -> Iterator[None]:
        h, l2, rho, eta_L = job.settings
        split, phi, phi_test, nystrom, sigma_max = digit_features(h, self.landmarks)
        objective = SoftmaxObjective(phi, split.y_train, l2)
        mu, L = l2, 0.5 * sigma_max**2 + l2
        best = optimal_parameters(mu, L)
        basics = {"mu": mu, "L": L, "kept": nystrom.kept, "best": best}
        job.result.update(basics)
        yield
        if job.minimum is None:
            job.stage = "finding the minimum J*"
            reference = Run()
            yield from descend(reference, objective, rho=best[0], eta=best[1],
                               steps=_REFERENCE_RUNS * self.steps)
            job.minimum = min(reference.losses)
        if not job.gd.finished:
            job.stage = "gradient descent"
            yield from descend(job.gd, objective, rho=0.0, eta=1.0 / L, steps=self.steps)
        job.stage = "momentum"
        self._descent = ((h, l2), job.minimum, job.gd, basics)
        yield from descend(job.momentum, objective, rho=rho, eta=eta_L / L, steps=self.steps)
        # With a huge κ the reference run stops short of the minimum: a shown run that gets
        # lower is the better estimate of J*.
        job.minimum = min(job.minimum, *job.gd.losses, *job.momentum.losses)
        self._descent = ((h, l2), job.minimum, job.gd, basics)
        for name, run in (("gd", job.gd), ("momentum", job.momentum)):
            predicted = objective.predict(run.last, phi_test)
            job.result[name] = accuracy(predicted, split.y_test)
            job.result[f"{name}_predicted"] = predicted
        job.result["split"] = split

    # -- drawing ---------------------------------------------------------------------------------
    def _redraw(self, job: _Training) -> None:
        """Show ``job`` as it is now, figure and readout."""
        self._show(job)
        self.readout.value = self._readout(job)
        self._blit.update()  # the base class's blit manager: the artists as they are now

    def _show(self, job: _Training) -> None:
        art = self.artists
        for line, run in ((art["loss_gd"], job.gd), (art["loss"], job.momentum)):
            if job.minimum is None or not run.losses:
                set_history(line, [])
            else:  # the gap to J*; a loss at (or, while running, below) J* is left out
                set_history(line, np.asarray(run.losses) - job.minimum)
        art["progress"].set_text(self._progress_text(job))
        result = job.result
        if "momentum_predicted" in result and result is not self._shown:
            # While a move trains, the bars and the gallery still show the last finished run.
            set_accuracy(art["accuracy_bars"], art["accuracy_labels"],
                         [result["gd"], result["momentum"]])
            split = result["split"]
            set_gallery(art["digits"], art["digit_titles"], split.X_test,
                        result["momentum_predicted"], split.y_test)
            self._shown = result
            self.redraw_layer()

    def _progress_text(self, job: _Training) -> str:
        """The momentum run's setting, and how far training has got."""
        h, l2, rho, eta_L = job.settings
        setting = f"ρ = {rho:.2f}, η·L = {eta_L:.1f}"
        if job.error is not None:
            return f"{setting}\nstopped: see below"
        if job.done:
            return setting
        done = len(job.gd.losses) + len(job.momentum.losses)
        return f"{setting}\ntraining: {min(done, 2 * self.steps)} / {2 * self.steps} steps"

    def _readout(self, job: _Training) -> str:
        h, l2, rho, eta_L = job.settings
        result = job.result
        if job.error is not None:
            return message_html(f"This setting cannot be trained (h = {h}, α = {l2:g}): "
                                f"{type(job.error).__name__}: {job.error}", "warning")
        if "L" not in result:
            return f"<b>h = {h}, α = {l2:g}</b>: computing the kernel features…"
        mu, L = result["mu"], result["L"]
        rho_star, eta_star = result["best"]
        lines = [f"<b>momentum</b> ρ = {rho:.2f}, η = {eta_L:.2f}/L = {eta_L / L:.4g} against "
                 f"<b>gradient descent</b> η = 1/L = {1 / L:.4g}, {self.steps} steps each",
                 f"<b>curvature</b> μ = α = {mu:g}, L = ½σ<sub>max</sub>² + α = {L:.4g}, κ = L/μ = "
                 f"{L / mu:.4g} &nbsp;·&nbsp; optimal ρ* = {rho_star:.3f}, η*·L = "
                 f"{eta_star * L:.3f} &nbsp;·&nbsp; {result['kept']} of {self.landmarks} "
                 "landmark eigenvalues kept"]
        if not job.done:
            lines.append(f"<i>training: {job.stage}…</i>")
        else:
            counts = [f"{name} {self._steps_for(run, job.minimum, *params, mu, L)}"
                      for name, run, params in (("gradient descent", job.gd, (0.0, 1 / L)),
                                                ("momentum", job.momentum, (rho, eta_L / L)))]
            lines.append(f"<b>held-out accuracy</b> gradient descent {100 * result['gd']:.1f} %, "
                         f"momentum {100 * result['momentum']:.1f} %")
            k = round(-np.log10(TOLERANCE))
            lines.append(f"<b>steps to the minimum</b> (distance ÷ 10<sup>{k}</sup>, J − J* ÷ "
                         f"10<sup>{2 * k}</sup>; J* = {job.minimum:.6g}): " + ", ".join(counts))
        html = "<br>".join(lines)
        run = job.momentum
        if job.done and (run.diverged or run.losses[-1] > run.losses[0]):
            what = (f"diverged after {len(run.losses) - 1} steps" if run.diverged
                    else "ends above its starting loss: it diverges")
            html += message_html(
                f"The momentum run {what}. Lower η·L (on a quadratic it converges only if "
                f"η·L < 2(1 + ρ) = {2 * (1 + rho):.2f} at the largest curvature) or ρ.",
                "warning")
        if L / mu > 1e4:
            html += message_html(f"κ = {L / mu:.3g} is huge: α is tiny, so {self.steps} steps "
                                 "are far too few for gradient descent.", "info")
        return html

    def _steps_for(self, run: Run, minimum: float, rho: float, eta: float, mu: float,
                   L: float) -> str:
        """Steps until the run's gap to J* is TOLERANCE² times its first: measured, and as
        notebook 3's rate on a quadratic with curvatures in [μ, L] predicts."""
        gap = np.asarray(run.losses) - minimum
        measured = steps_to_tolerance(gap, TOLERANCE**2) if gap[0] > 0 else 0
        text = str(measured) if measured is not None else f"> {len(run.losses) - 1}"
        try:
            text += f" (predicted {predicted_steps(rho, eta, mu, L, TOLERANCE)})"
        except ValueError:  # no convergence at this (ρ, η) on [μ, L]
            text += " (predicted: never)"
        return text


def digits_explorer(*, steps: int = 200, presentation: bool | None = None) -> DigitsExplorer:
    """The digits explorer (see :class:`DigitsExplorer`), for ``%matplotlib widget``."""
    return DigitsExplorer(steps=steps, presentation=presentation)
