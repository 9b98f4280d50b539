r"""Explorer for notebook 4: a kernel softmax classifier of handwritten digits, trained live.

Controls: the bandwidth :math:`h` of the Gaussian kernel, the penalty :math:`\alpha`, and the
momentum :math:`\rho` and step :math:`\eta` (in units of :math:`1/L`). Gradient descent always uses
the safe step :math:`1/L` of notebook 1, so moving :math:`\rho` or :math:`\eta` reruns only the
momentum run. The figure shows how far the training loss of each run is above its minimum
:math:`J^*` at each step (on a log scale, where a linear rate is a straight line), their held-out
accuracy and the held-out digits that the momentum run gets wrong. :math:`J^*` comes from a run
with Polyak's :math:`(\rho^\star, \eta^\star)` twice as long as the ones shown (or the lowest
loss seen, if a shown run goes lower), computed once per :math:`(h, \alpha)`.

Training takes longer than a frame. On a move the figure is reset at once (the first new frame),
then the runs proceed in a worker thread while a task on the kernel's event loop redraws the curves
every :data:`POLL_SECONDS` with a progress line, so the notebook stays responsive. A move made
during a run supersedes it: each run carries a generation number, and a run whose number is no
longer the latest stops at its next gradient evaluation. The first draw (when the explorer is
built) is always complete, and without a running event loop (plain Python, tests under Agg)
training runs synchronously inside the move; :meth:`DigitsExplorer.wait` waits for a background
run.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np

from .._validation import check_int_in_range
from ..digits import (
    NystromFeatures,
    SoftmaxObjective,
    accuracy,
    choose_landmarks,
    load_digits_split,
)
from ..momentum import momentum_descent, optimal_parameters
from ..plotting.digits import accuracy_bars, digit_gallery, set_accuracy, set_gallery
from ..plotting.figure import new_figure
from ..plotting.history import history_line, log_history_axes, set_history
from ..plotting.momentum import DESCENT_COLOUR, MOMENTUM_COLOUR
from ._base import Explorer, message_html

__all__ = ["DigitsExplorer", "digits_explorer", "digit_features"]

#: Seconds between two redraws while training runs in the background.
POLL_SECONDS = 0.08
_BANDWIDTHS = (0.3, 0.5, 0.7, 1.0, 1.4, 2.0, 3.0, 5.0, 10.0)
_GALLERY = 16
_GD_CACHE_SIZE = 32
#: The run that finds J* is this many times longer than the runs shown.
_REFERENCE_RUNS = 2
_LOSS_YLIM = (1e-10, 1e5)


@functools.lru_cache(maxsize=12)
def digit_features(bandwidth: float, landmarks: int = 300, seed: int = 2019) -> tuple:
    """Training and held-out Nyström features for one bandwidth, computed once per setting.

    Returns ``(split, features_train, features_test, nystrom, sigma_max)`` where ``sigma_max``
    is the largest singular value of the training features (for :math:`L`).
    """
    split = load_digits_split()
    centres = choose_landmarks(split.X_train, landmarks, np.random.default_rng(seed))
    nystrom = NystromFeatures(centres, bandwidth)
    phi = nystrom.transform(split.X_train)
    sigma_max = float(np.sqrt(np.linalg.eigvalsh(phi.T @ phi)[-1]))
    return split, phi, nystrom.transform(split.X_test), nystrom, sigma_max


class _Superseded(Exception):
    """Raised inside a run's gradient when a newer move has replaced it."""


@dataclass
class _Run:
    """One training run: the losses seen so far; when finished, the loss of every iterate,
    the last weights and the number of steps made (fewer than asked if it diverged)."""

    losses: list = field(default_factory=list)
    final_losses: np.ndarray | None = None
    last: np.ndarray | None = None
    steps: int = 0


@dataclass
class _Job:
    """Everything one move computes; filled in by :meth:`DigitsExplorer._train`."""

    generation: int
    settings: tuple
    stage: str = "computing the kernel features"
    minimum: float | None = None  # J* for this (h, α), from a long run with (ρ*, η*)
    gd: _Run = field(default_factory=_Run)
    momentum: _Run = field(default_factory=_Run)
    done: bool = False
    error: Exception | None = None
    result: dict = field(default_factory=dict)


def _draw_figure(fig, steps: int) -> dict:
    """The loss panel, the accuracy bars and the gallery; returns the artists by name."""
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.25, 1.0])
    ax_loss, ax_acc = top.subplots(1, 2, width_ratios=[1.6, 1.0])
    log_history_axes(ax_loss, steps=steps, ylim=_LOSS_YLIM,
                     title="training loss above its minimum", ylabel="$J(W_t) - J^*$")
    artists: dict[str, object] = {
        "loss_gd": history_line(ax_loss, colour=DESCENT_COLOUR, label="gradient descent, η = 1/L"),
        "loss": history_line(ax_loss, colour=MOMENTUM_COLOUR, label="momentum ρ, η"),
    }
    ax_loss.legend(loc="lower left", fontsize=9)
    artists["progress"] = ax_loss.text(0.98, 0.97, "", transform=ax_loss.transAxes, ha="right",
                                       va="top", fontsize=10)
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
        Iterations of each run.
    landmarks : int
        Number of Nyström landmarks.
    background : bool or None
        ``True``: train in a thread followed by an asyncio task (needs a running event loop, as
        in a Jupyter kernel); ``False``: train synchronously on each move; ``None`` (default):
        background when an event loop is running.
    presentation : bool or None
        Larger text and thicker lines, for a projector (default: the environment variable
        ``TP3_PRESENTATION``, which ``make demo`` sets).

    Raises ``TypeError`` or ``ValueError`` naming the argument when ``steps`` is not an integer
    from 1 to 5000 or ``landmarks`` not one from 10 to 1000.

    Artists by name: ``loss_gd`` and ``loss`` (training loss per step of gradient descent and
    momentum), ``progress`` (the progress line), ``accuracy_bars`` and ``accuracy_labels``
    (held-out accuracy), ``digits`` and ``digit_titles`` (the misclassified held-out digits).
    """

    def __init__(self, *, steps: int = 200, landmarks: int = 300,
                 background: bool | None = None, presentation: bool | None = None) -> None:
        self._in_background = background
        self._generation = 0
        self._job: _Job | None = None
        self._thread: threading.Thread | None = None
        self._gd_cache: dict[tuple, _Run] = {}
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
        super().__init__(fig, controls, _draw_figure(fig, self.steps),
                         title="Digits: kernel softmax trained with momentum", columns=2,
                         presentation=presentation)
        fig.set_layout_engine("none")  # the panels keep the place the first draw gave them

    def close(self) -> None:
        """Stop any run in progress (its worker and redraw task end at their next check), then
        close the figure and widgets, and let go of the runs (IPython's ``Out`` history may keep
        the closed explorer)."""
        self._generation += 1
        super().close()
        self._job, self._thread = None, None
        self._gd_cache.clear()

    # -- the controls ----------------------------------------------------------------------------
    def settings(self) -> tuple[float, float, float, float]:
        """``(bandwidth, l2, rho, eta_times_L)`` as set now, rounded."""
        return (float(self.value("bandwidth")), round(float(self.value("l2")), 6),
                float(self.value("rho")), float(self.value("eta")))

    def update(self, changed: str | None) -> str:
        self._generation += 1
        job = _Job(self._generation, self.settings())
        # rho and eta leave gradient descent and the minimum unchanged
        job.gd, job.minimum = self._gd_cache.get(job.settings[:2], (job.gd, None))
        self._job = job
        self._show(job)  # the first new frame: curves reset, progress at 0
        if changed is None or not self._use_background():  # the first draw is complete
            self._train(job)
            self._show(job)
            return self._readout(job)
        # Started by _follow, once this move's frame is drawn: a worker running during the draw
        # would compete with it for the interpreter.
        self._thread = threading.Thread(target=self._train, args=(job,), daemon=True)
        asyncio.get_running_loop().create_task(self._follow(job))
        return self._readout(job)

    def _use_background(self) -> bool:
        if self._in_background is False:
            return False
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            if self._in_background:
                raise RuntimeError("background=True needs a running asyncio event loop") from None
            return False
        return True

    # -- training (worker thread or inline) ------------------------------------------------------
    def _train(self, job: _Job) -> None:
        try:
            self._train_steps(job)
        except _Superseded:
            pass
        except Exception as exc:  # noqa: BLE001 - shown in the readout by the main thread
            job.error = exc
        job.done = True

    def _train_steps(self, job: _Job) -> None:
        h, l2, rho, eta_L = job.settings
        split, phi, phi_test, nystrom, sigma_max = digit_features(h, self.landmarks)
        objective = SoftmaxObjective(phi, split.y_train, l2)
        mu, L = l2, 0.5 * sigma_max**2 + l2
        best = optimal_parameters(mu, L)
        job.result.update(mu=mu, L=L, kept=nystrom.kept, best=best)
        if job.minimum is None:
            job.stage = "finding the minimum J*"
            reference = momentum_descent(self._checked(job, objective.grad),
                                         np.zeros(objective.size), rho=best[0], eta=best[1],
                                         steps=_REFERENCE_RUNS * self.steps)
            job.minimum = objective.value(reference[-1])
        if job.gd.last is None:
            job.stage = "gradient descent"
            self._run(job, job.gd, objective, 0.0, 1.0 / L)
            if len(self._gd_cache) >= _GD_CACHE_SIZE:
                self._gd_cache.pop(next(iter(self._gd_cache)))
            self._gd_cache[(h, l2)] = (job.gd, job.minimum)
        job.stage = "momentum"
        self._run(job, job.momentum, objective, rho, eta_L / L)
        # With a huge kappa the reference run stops short of the minimum: a shown run that gets
        # lower is the better estimate of J*.
        lowest = min(job.minimum, job.gd.final_losses.min(), job.momentum.final_losses.min())
        if lowest < job.minimum:
            job.minimum = lowest
            self._gd_cache[(h, l2)] = (job.gd, lowest)
        for name, run in (("gd", job.gd), ("momentum", job.momentum)):
            predicted = objective.predict(run.last, phi_test)
            job.result[name] = accuracy(predicted, split.y_test)
            job.result[f"{name}_predicted"] = predicted
        job.result["split"] = split

    def _checked(self, job: _Job, grad):
        """``grad``, stopping the run (``_Superseded``) once a newer move has replaced ``job``."""
        def checked(w: np.ndarray) -> np.ndarray:
            if job.generation != self._generation:
                raise _Superseded
            return grad(w)

        return checked

    def _run(self, job: _Job, run: _Run, objective: SoftmaxObjective, rho: float,
             eta: float) -> None:
        def grad(w: np.ndarray) -> np.ndarray:
            loss, g = objective.value_and_grad(w)
            run.losses.append(loss)
            return g

        grad = self._checked(job, grad)

        positions = momentum_descent(grad, np.zeros(objective.size), rho=rho, eta=eta,
                                     steps=self.steps)
        run.final_losses = np.array([objective.value(w) for w in positions])
        # a copy: the last row alone, not a view that would keep every iterate in memory
        run.last, run.steps = positions[-1].copy(), len(positions) - 1

    # -- drawing (main thread) -------------------------------------------------------------------
    async def _follow(self, job: _Job) -> None:
        """Start training ``job`` and redraw its curves as it runs; stop when a newer move
        supersedes it."""
        if job.generation == self._generation:
            self._start_worker()
        while not job.done:
            await asyncio.sleep(POLL_SECONDS)
            if job.generation != self._generation:
                return
            self._show(job)
            self.readout.value = self._readout(job)
            self._redraw()
        if job.generation == self._generation:
            self._show(job)
            self.readout.value = self._readout(job)
            self._redraw()

    def _redraw(self) -> None:
        try:
            self._blit.update()  # the base class's blit manager: the artists as they are now
        except Exception as exc:  # noqa: BLE001
            self.readout.value += message_html(f"Redraw failed: {exc}", "error")

    def _start_worker(self) -> None:
        if self._thread is not None and self._thread.ident is None:  # not started yet
            self._thread.start()

    def wait(self, timeout: float = 60.0) -> None:
        """Block until the current run has finished and show it (for scripts and tests)."""
        if self._thread is not None:
            self._start_worker()
            self._thread.join(timeout)
        job = self._job
        if job is not None and job.done and job.generation == self._generation:
            self._show(job)
            self.readout.value = self._readout(job)
            self._redraw()

    def _show(self, job: _Job) -> None:
        art = self.artists
        for line, run in ((art["loss_gd"], job.gd), (art["loss"], job.momentum)):
            losses = run.final_losses if run.final_losses is not None else run.losses
            if job.minimum is None or len(losses) == 0:
                set_history(line, [])
            else:  # the gap to J*; a loss at (or, while running, below) J* is left out
                set_history(line, np.asarray(losses) - job.minimum)
        result = job.result
        set_accuracy(art["accuracy_bars"], art["accuracy_labels"],
                     [result.get("gd"), result.get("momentum")])
        if "momentum_predicted" in result:
            split = result["split"]
            set_gallery(art["digits"], art["digit_titles"], split.X_test,
                        result["momentum_predicted"], split.y_test)
        else:
            set_gallery(art["digits"], art["digit_titles"], np.zeros((0, 64)), [], [])
        art["progress"].set_text(self._progress_text(job))

    def _progress_text(self, job: _Job) -> str:
        if job.error is not None:
            return "stopped: see the message below"
        if job.done:
            return "done"
        done = len(job.gd.losses) + len(job.momentum.losses)
        return f"training: {job.stage}, {min(done, 2 * self.steps)} / {2 * self.steps} steps"

    def _readout(self, job: _Job) -> str:
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
            lines.append(f"<i>{self._progress_text(job)}</i>")
        else:
            lines.append(f"<b>held-out accuracy</b> gradient descent {100 * result['gd']:.1f} %, "
                         f"momentum {100 * result['momentum']:.1f} % &nbsp;·&nbsp; final loss "
                         f"above J* = {job.minimum:.6g}: gradient descent "
                         f"{job.gd.final_losses[-1] - job.minimum:.2e}, momentum "
                         f"{job.momentum.final_losses[-1] - job.minimum:.2e}")
        html = "<br>".join(lines)
        run = job.momentum
        if job.done and (run.steps < self.steps or run.final_losses[-1] > run.final_losses[0]):
            what = (f"diverged after {run.steps} steps" if run.steps < self.steps
                    else "ends above its starting loss: it diverges")
            html += message_html(
                f"The momentum run {what}. Lower η·L (on a quadratic it converges only if "
                f"η·L < 2(1 + ρ) = {2 * (1 + rho):.2f} at the largest curvature) or ρ.",
                "warning")
        if L / mu > 1e4:
            html += message_html(f"κ = {L / mu:.3g} is huge: α is tiny, so {self.steps} steps "
                                 "are far too few for gradient descent.", "info")
        return html


def digits_explorer(*, steps: int = 200, background: bool | None = None,
                    presentation: bool | None = None) -> DigitsExplorer:
    """Build the digits explorer: controls ``bandwidth``, ``l2``, ``rho``, ``eta``.

    Display the returned widget under ``%matplotlib widget``. ``steps`` is the number of
    iterations of each run; see :class:`DigitsExplorer` for ``background``.
    ``presentation=True`` shows it in presentation size (larger text, thicker lines).
    """
    return DigitsExplorer(steps=steps, background=background, presentation=presentation)
