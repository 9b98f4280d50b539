"""The contract every explorer keeps, checked on all four (softmax, kernel, momentum, digits).

- every control changes the figure (the pixels of its Agg canvas) and the readout;
- bad constructor arguments are refused with an error that names the argument;
- extreme settings, and every control at either end of its range, give a readout (a message
  where the setting calls for one), never an exception;
- a value set from code that the explorer cannot show (``None`` in a drop-down, NaN, a number
  outside the slider's range) gives a message naming the control; a value between two stops is
  used as it was set, and only float noise around a stop (what a browser sends) is rounded away;
- in an event loop (a kernel) a move's frame is drawn at the loop's next turn, moves before it
  share it, and a frame that fails to draw says so in the readout;
- a stored notebook shows a picture of the figure; close frees the figure and every widget.

Each test looks at what a user sees: the canvas, the readout, the artists' data, the display.
Under Agg (no event loop) the digits explorer trains to the end inside each move, as the others
compute theirs.
"""

from __future__ import annotations

import asyncio
import gc
import html
import io
import math
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter
from PIL import Image
from threadpoolctl import threadpool_limits
from traitlets import TraitError

from tp3helpers.explorers import Explorer
from tp3helpers.explorers.digits import DigitsExplorer
from tp3helpers.explorers.kernels import KernelExplorer
from tp3helpers.explorers.momentum import MomentumExplorer
from tp3helpers.explorers.softmax import SoftmaxExplorer


@dataclass(frozen=True)
class Kind:
    """One explorer: how to build it, a new value for each control, which controls are float
    sliders, bad constructor arguments (keywords, error type, message), and extreme settings with
    a word of their message."""

    make: Callable[..., Explorer]
    moves: dict[str, object]
    sliders: tuple[str, ...]
    bad_arguments: list[tuple[dict, type, str]]
    extremes: list[tuple[dict[str, object], str]] = field(default_factory=list)


def _integer_from(name: str, low: int, high: int, values: list) -> list[tuple[dict, type, str]]:
    """Bad values of an integer argument from ``low`` to ``high`` and the error each gives."""
    return [({name: value}, TypeError if not isinstance(value, int) or isinstance(value, bool)
             else ValueError, f"{name} must be an integer from {low} to {high}, got {value!r}")
            for value in values]


KINDS = {
    "softmax": Kind(
        make=SoftmaxExplorer,
        moves={"logit_0": -3.0, "logit_1": 4.5, "logit_2": 0.7, "logit_3": 5.0, "target": 2,
               "temperature": 0.2},
        sliders=("logit_0", "logit_1", "logit_2", "logit_3", "temperature"),
        bad_arguments=[
            *_integer_from("num_classes", 2, 10, [1, 11, -1, 2.5, 4.0, "four", None, True]),
        ],
    ),
    "kernel": Kind(
        make=KernelExplorer,
        moves={"bandwidth": 3.0, "kernel": "polynomial", "order": 4},
        sliders=("bandwidth",),
        bad_arguments=[
            ({"alpha": -1.0}, ValueError, "alpha must be > 0, got -1.0"),
            ({"alpha": float("nan")}, ValueError, "alpha must be finite, got nan"),
            ({"alpha": None}, TypeError, "alpha must be a real number, got None"),
            *_integer_from("n_points", 2, 200, [0, 10**6, 10.5, True]),
            ({"seed": -1}, ValueError, "seed must be a non-negative integer, got -1"),
            ({"seed": "2"}, TypeError, "seed must be a non-negative integer, got '2'"),
        ],
        extremes=[
            ({"kernel": "polynomial", "bandwidth": 10**-1.5}, "cannot be computed"),
            ({"kernel": "minus_linear"}, "not a valid kernel"),
            ({"kernel": "linear", "bandwidth": 0.1}, "Ridge fit hidden"),
        ],
    ),
    "momentum": Kind(
        make=MomentumExplorer,
        moves={"rho": 0.5, "eta": 2.5, "condition_number": 10, "objective": "rosenbrock"},
        sliders=("rho", "eta"),
        bad_arguments=[
            *_integer_from("steps", 1, 5000, [-1, 0, 1.5, None, 10**7]),
            *_integer_from("resolution", 20, 1000, [3, "160"]),
        ],
        extremes=[
            ({"rho": 0.9, "eta": 4.4}, "diverged"),
            ({"objective": "rosenbrock", "eta": 4.0}, "diverged"),
            ({"rho": 1.0, "eta": 1.0}, "never converges"),
            ({"rho": 1.0, "eta": 4.0}, "grows like t"),
        ],
    ),
    "digits": Kind(
        make=lambda **kwargs: DigitsExplorer(**{"steps": 60, **kwargs}),
        moves={"bandwidth": 2.0, "l2": 1.0, "rho": 0.5, "eta": 2.0},
        sliders=("l2", "rho", "eta"),
        bad_arguments=[
            *_integer_from("steps", 1, 5000, [-1, 1.5, None]),
            *_integer_from("landmarks", 10, 1000, [5]),
        ],
        extremes=[
            ({"bandwidth": 0.3, "l2": 1.0, "eta": 8.0}, "diverge"),
            ({"l2": 0.001}, "is huge"),
        ],
    ),
}


def cases(table: Callable[[Kind], list]) -> list:
    """``(kind, item)`` for every item of every explorer's ``table``, with readable ids."""
    return [pytest.param(name, item, id=f"{name}-{index}")
            for name, kind in KINDS.items() for index, item in enumerate(table(kind))]


CONTROLS = [pytest.param(name, control, id=f"{name}-{control}")
            for name, kind in KINDS.items() for control in kind.moves]
SLIDERS = [pytest.param(name, control, id=f"{name}-{control}")
           for name, kind in KINDS.items() for control in kind.sliders]


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """The explorers' matrices are small: one BLAS thread is fastest for them (as in notebook 4),
    and a busy machine's threads do not contend."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture
def build(request):
    """``build(name, **kwargs)``: the explorer ``name`` of the table, closed after the test."""
    made = []

    def make(name: str, **kwargs) -> Explorer:
        made.append(KINDS[name].make(**kwargs))
        return made[-1]

    yield make
    for explorer in made:
        explorer.close()


def pixels(explorer: Explorer) -> np.ndarray:
    return np.asarray(explorer.figure.canvas.buffer_rgba()).copy()


def readout(explorer: Explorer) -> str:
    """The readout as text, HTML entities decoded."""
    return html.unescape(explorer.readout.value)


def open_widgets() -> int:
    """How many widgets are alive and open (a closed widget has no comm)."""
    gc.collect()
    return sum(isinstance(o, widgets.Widget) and o.comm is not None for o in gc.get_objects())


def ends(control: widgets.Widget) -> list:
    """The two ends of a control's range: its first and last option, or its min and max."""
    if hasattr(control, "options"):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [values[0], values[-1]]
    if isinstance(control, widgets.FloatLogSlider):
        return [control.base**control.min, control.base**control.max]
    return [control.min, control.max]


def slider_stop(control: widgets.Widget, index: int) -> float:
    """Stop number ``index`` of a slider, as Python computes it."""
    exponent = control.min + index * control.step
    return control.base**exponent if isinstance(control, widgets.FloatLogSlider) else exponent


# -- the controls -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", KINDS)
def test_the_table_moves_every_control_and_knows_the_sliders(build, name):
    controls = build(name).controls
    assert set(controls) == set(KINDS[name].moves)
    sliders = {control for control, widget in controls.items()
               if isinstance(widget, widgets.FloatSlider | widgets.FloatLogSlider)}
    assert sliders == set(KINDS[name].sliders)


@pytest.mark.parametrize(("name", "control"), CONTROLS)
def test_each_control_changes_the_figure_and_the_readout(build, assert_control_redraws, name,
                                                         control):
    assert_control_redraws(build(name), control, KINDS[name].moves[control])


@pytest.mark.parametrize(("name", "control"), CONTROLS)
def test_each_control_at_either_end_of_its_range_gives_a_readout(build, name, control):
    explorer = build(name)
    for value in ends(explorer.controls[control]):
        explorer.controls[control].value = value
        shown = readout(explorer)
        assert shown.strip() and "tp3-error" not in shown, (control, value, shown)


@pytest.mark.parametrize(("name", "extreme"), cases(lambda kind: kind.extremes))
def test_extreme_settings_give_a_message_never_an_exception(build, name, extreme):
    setting, words = extreme
    explorer = build(name)
    before = pixels(explorer)
    for control, value in setting.items():
        explorer.controls[control].value = value
    shown = readout(explorer)
    assert "tp3-error" not in shown and "tp3-message" in shown and words in shown, shown
    assert (pixels(explorer) != before).any()


# -- values set from code -----------------------------------------------------------------------


def bad_values(control: widgets.Widget) -> list:
    """Values a student can set from code that the explorer cannot show: ``None`` in a
    drop-down; NaN, or a number beyond either end of a slider's range (:func:`widen` it first,
    or ipywidgets clips the number to the range)."""
    if isinstance(control, widgets.Dropdown):
        return [None]
    low, high = ends(control)
    if isinstance(control, widgets.FloatLogSlider):
        return [math.nan, low / 10, high * 10]
    return [math.nan, low - 1.0, high + 1.0]


def widen(control: widgets.Widget) -> None:
    """Widen a slider's range by 2 at each end (two decades for a log slider)."""
    if hasattr(control, "min"):
        control.min, control.max = control.min - 2, control.max + 2


@pytest.mark.parametrize(("name", "control"), CONTROLS)
def test_a_value_the_explorer_cannot_show_gives_a_message_naming_the_control(build, name,
                                                                             control):
    explorer = build(name)
    widget = explorer.controls[control]
    if hasattr(widget, "options") and not isinstance(widget, widgets.Dropdown):
        # a selection slider refuses anything but its options itself: the explorer is unchanged
        before = explorer.readout.value
        with pytest.raises(TraitError):
            widget.value = None
        assert explorer.readout.value == before
        return
    values = bad_values(widget)
    widen(widget)
    for value in values:
        widget.value = value  # must not raise
        shown = readout(explorer)
        assert "tp3-warning" in shown and "tp3-error" not in shown, shown
        assert f'controls["{control}"]' in shown and f"got {value!r}" in shown, shown
        assert widget.description in shown
    widget.value = KINDS[name].moves[control]  # a good value again: the explorer recovers
    assert "This setting cannot be shown" not in readout(explorer)


@pytest.mark.parametrize(("name", "control"), SLIDERS)
def test_float_noise_around_a_stop_is_the_stop(build, name, control):
    """A browser's arrow key sends 1.9999999999999998 for the stop 2."""
    explorer = build(name)
    widget = explorer.controls[control]
    stop = slider_stop(widget, 7)
    for noisy in (np.nextafter(stop, -np.inf), np.nextafter(stop, np.inf)):
        widget.value = float(noisy)
        assert explorer.value(control) == float(f"{stop:.12g}")


@pytest.mark.parametrize(("name", "control"), SLIDERS)
def test_a_value_set_from_code_between_two_stops_is_used_as_set(build, name, control):
    explorer = build(name)
    widget = explorer.controls[control]
    value = (slider_stop(widget, 7) + 2 * slider_stop(widget, 8)) / 3
    widget.value = value
    assert explorer.value(control) == value
    assert "This setting cannot be shown" not in readout(explorer)


def test_a_tiny_value_is_not_rounded_to_nothing(build):
    """Issue 24.6: a value set from code was rounded to 10 decimals (1e-12 became 0)."""
    explorer = build("softmax")
    explorer.controls["logit_0"].value = 1e-12
    assert explorer.logits()[0] == 1e-12


# -- constructor, display, errors, close --------------------------------------------------------


@pytest.mark.parametrize(("name", "bad"), cases(lambda kind: kind.bad_arguments))
def test_bad_constructor_arguments_are_refused_by_name(name, bad):
    arguments, error, message = bad
    with pytest.raises(error, match=re.escape(message)):
        KINDS[name].make(**arguments)


@pytest.mark.parametrize("name", KINDS)
def test_a_stored_notebook_shows_a_picture_of_the_figure(build, name):
    explorer = build(name)
    shown, _ = DisplayFormatter().format(explorer)
    assert "application/vnd.jupyter.widget-view+json" in shown and shown["text/plain"]
    with Image.open(io.BytesIO(shown["image/png"])) as picture:
        width, height = picture.size
    assert (width, height) == tuple(round(v) for v in explorer.figure.bbox.size)


@pytest.mark.parametrize("name", KINDS)
def test_a_snapshot_leaves_no_trace_on_the_next_frames(build, name):
    """The picture for a stored notebook draws the moving artists too: they must not stay in the
    background that later moves are drawn on. Two explorers, one of them displayed first, make
    the same move: the same pixels."""
    shown, hidden = build(name), build(name)
    DisplayFormatter().format(shown)
    control, value = next(iter(KINDS[name].moves.items()))
    for explorer in (shown, hidden):
        explorer.controls[control].value = value
    np.testing.assert_array_equal(pixels(shown), pixels(hidden))


@pytest.mark.parametrize("name", KINDS)
def test_an_error_in_update_goes_to_the_readout_not_the_notebook(build, name, monkeypatch):
    explorer = build(name)

    def broken(changed):
        raise RuntimeError("boom")

    monkeypatch.setattr(explorer, "update", broken)
    control, value = next(iter(KINDS[name].moves.items()))
    explorer.controls[control].value = value  # must not raise
    assert "tp3-error" in readout(explorer) and "boom" in readout(explorer)


@pytest.mark.parametrize("name", KINDS)
def test_in_an_event_loop_moves_before_the_next_turn_share_one_frame(name):
    """In a kernel a move's frame is drawn at the loop's next turn, once the kernel has answered
    the browser: the pixels do not change inside the move, and two moves made before that turn
    are drawn as one frame (while a slider is dragged, the next move arrives during the drawing).
    Each control of the table is moved, then the readout's control is moved back: one frame."""

    async def scenario():
        explorer = KINDS[name].make()
        canvas = explorer.figure.canvas
        frames = []
        draw = canvas.blit
        canvas.blit = lambda bbox=None: (frames.append(1), draw(bbox))
        try:
            control, value = next(iter(KINDS[name].moves.items()))
            before, first = pixels(explorer), explorer.controls[control].value
            explorer.controls[control].value = value
            explorer.controls[control].value = first
            explorer.controls[control].value = value
            inside = np.array_equal(pixels(explorer), before)
            await asyncio.sleep(0)
            return inside, np.array_equal(pixels(explorer), before), frames
        finally:
            explorer.close()

    inside, unchanged_after, frames = asyncio.run(scenario())
    assert inside and not unchanged_after
    assert len(frames) <= 1, frames  # a full draw (a new scene) does not blit: 0 blits then


@pytest.mark.parametrize("name", KINDS)
def test_in_an_event_loop_a_frame_that_fails_to_draw_says_so_in_the_readout(name):
    async def scenario():
        explorer = KINDS[name].make()

        def broken(*args, **kwargs):
            raise RuntimeError("no canvas")

        explorer.figure.canvas.blit = broken
        explorer.figure.canvas.draw = broken
        try:
            control, value = next(iter(KINDS[name].moves.items()))
            explorer.controls[control].value = value  # no error here: the frame comes later
            await asyncio.sleep(0)
            return readout(explorer)
        finally:
            explorer.figure.canvas.__dict__.pop("draw", None)
            explorer.close()

    assert "Redraw failed: no canvas" in asyncio.run(scenario())


@pytest.mark.parametrize("name", KINDS)
def test_close_frees_the_figure_and_every_widget(name):
    before = open_widgets()
    explorer = KINDS[name].make()
    figure, number = weakref.ref(explorer.figure), explorer.figure.number
    assert open_widgets() - before > 10  # controls, readout, layouts, styles...
    explorer.close()
    explorer.close()  # closing twice is harmless
    del explorer
    gc.collect()
    assert not plt.fignum_exists(number)
    assert figure() is None
    assert open_widgets() == before
