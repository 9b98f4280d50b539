"""The explorers fit the room the browser reports, and their text is legible at every size.

Text size in CSS pixels is matplotlib's font size in points times the figure's dpi / 72 (ipympl
shows one figure pixel per CSS pixel; the browser tests check that the canvas is not scaled):
:func:`tp3helpers.plotting.figure.smallest_text_px` draws the figure and takes the smallest visible
text. The rooms below are what the browser reported for the explorers in Voilà at each viewport.
"""

from __future__ import annotations

import asyncio

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.text import Text

from tp3helpers.explorers import (
    digits_explorer,
    kernel_explorer,
    momentum_explorer,
    softmax_explorer,
)
from tp3helpers.explorers._layout import (
    GAP,
    GROW_THRESHOLD,
    MAX_STRETCH,
    MIN_FIGURE,
    arrange,
    figure_size,
)
from tp3helpers.plotting.figure import (
    NORMAL,
    PRESENTATION,
    PRESENTATION_ENV,
    smallest_text_px,
    text_style,
)

FACTORIES = {"softmax": softmax_explorer, "kernel": kernel_explorer,
             "momentum": momentum_explorer, "digits": lambda **kw: digits_explorer(steps=20, **kw)}

#: Voilà's viewports -> (explorer width, window height).
SCREENS_VOILA = {"1024x768": (994, 768), "1280x720": (1250, 720), "1366x768": (1336, 768),
                 "1920x1080": (1890, 1080)}
#: JupyterLab with the file browser open at 1366x768 (the notebook panel about 960 px wide and
#: 640 px high), in an 860 px window, and two notebooks side by side: panels of 550 to 900 px.
SCREENS_LAB = {f"lab-{w}": (w, 640) for w in (550, 700, 900, 960)}
ROOMS = {**SCREENS_VOILA, **SCREENS_LAB}


def is_panel(name: str) -> bool:
    return name.startswith("lab-")


@pytest.fixture(params=sorted(FACTORIES))
def explorer(request):
    made = FACTORIES[request.param]()
    yield made
    made.close()


def test_a_narrow_room_gets_a_taller_figure_never_a_wider_one():
    """A notebook panel 405 px wide (two notebooks side by side) and a wide, short design: the
    minimum height is reached by stretching the figure, which stays within the panel."""
    width, height = figure_size(405, 600, (810, 288))
    assert width == 405 and height == MIN_FIGURE[1]


def test_wide_screens_put_controls_beside_the_figure():
    kinds = {name: arrange(*room).kind for name, room in SCREENS_VOILA.items()}
    assert kinds == {"1024x768": "stacked", "1280x720": "side", "1366x768": "side",
                     "1920x1080": "side"}
    assert 300 <= arrange(1250, 720).sidebar <= 420


@pytest.mark.parametrize(("design", "expected"), [
    ((900, 630), {"lab-550": "stacked", "lab-700": "stacked", "lab-900": "side",
                  "lab-960": "side"}),  # the momentum figure, 10 x 7 in
    ((810, 288), {"lab-550": "stacked", "lab-700": "stacked", "lab-900": "stacked",
                  "lab-960": "stacked"}),  # the softmax figure, 9 x 3.2 in
])
def test_in_a_notebook_panel_the_larger_figure_decides(design, expected):
    """In JupyterLab at 1366x768 with the file browser open, the momentum figure above its
    controls was 552 x 387 px with 400 px empty on its right: beside them it uses the width."""
    kinds = {name: arrange(*room, design).kind for name, room in SCREENS_LAB.items()}
    assert kinds == expected
    beside = figure_size(960 - arrange(960, 640, design).sidebar - GAP, 600, design)
    if expected["lab-960"] == "side":
        assert beside[0] > 552 * 1.15


@pytest.mark.parametrize("room", [(900, 500), (1500, 400), (400, 900), (100, 50), (897, 676.5)])
def test_figure_size_fills_one_side_of_the_room_and_keeps_its_shape(room):
    design = (900, 630)
    width, height = figure_size(*room, design)
    assert width >= MIN_FIGURE[0] and height >= MIN_FIGURE[1]
    if room[0] >= MIN_FIGURE[0] and room[1] >= MIN_FIGURE[1]:
        assert width <= room[0] and height <= room[1]
        assert width == room[0] or height == room[1]  # one side binds
    stretch = (design[0] / design[1]) / (width / height)  # > 1: taller than the design's shape
    assert 1 - 0.01 <= stretch <= MAX_STRETCH + 0.01
    if width >= design[0]:
        assert stretch == pytest.approx(1, rel=0.01)


def room_for_figure(name, design):
    """What the title, controls and readout leave for the figure, about as the browser measures."""
    width, height = ROOMS[name]
    arrangement = arrange(width, height, design if is_panel(name) else None)
    if arrangement.kind == "side":
        return width - arrangement.sidebar - GAP - 10, height - 60
    return width, height - 200


def fit(explorer, name, figure_room=None):
    """What happens when the browser reports a room: arrangement first, then the size."""
    width, height = ROOMS[name]
    figure_room = figure_room or room_for_figure(name, explorer.fit.design)
    arrangement = arrange(width, height, explorer.fit.design if is_panel(name) else None).name
    room = {"width": width, "height": height, "figure_width": figure_room[0],
            "figure_height": figure_room[1], "arrangement": arrangement, "panel": is_panel(name)}
    explorer.fit.fit({**room, "arrangement": "stale"})  # may switch the arrangement
    assert explorer.fit.watcher.arrangement == arrangement
    return explorer.fit.fit(room)


@pytest.mark.parametrize("name", sorted(ROOMS))
def test_explorer_takes_the_room_and_text_stays_legible(explorer, name):
    figure_room = room_for_figure(name, explorer.fit.design)
    expected = figure_size(*figure_room, explorer.fit.design)
    now = explorer.fit.size()
    small_growth = all(0 <= e - n <= GROW_THRESHOLD for e, n in zip(expected, now, strict=True))
    assert fit(explorer, name, figure_room) is not small_growth
    if small_growth:  # a few pixels more are not worth a full redraw
        expected = now
    assert explorer.fit.size() == expected
    after = np.asarray(explorer.figure.canvas.buffer_rgba())
    assert after.shape[:2] == (expected[1], expected[0])  # drawn at that size
    assert not np.array_equal(after[:20, :20], np.zeros_like(after[:20, :20]))
    smallest, text = smallest_text_px(explorer.figure)
    assert smallest >= NORMAL.min_text_px, f"{text!r} is {smallest:.1f} CSS px at {name}"


def drawn_texts(fig) -> list[Text]:
    """The non-empty texts a full draw of ``fig`` puts on the canvas (tick labels of ticks out of
    view exist but are not drawn)."""
    drawn: list[Text] = []
    draw = Text.draw

    def noting(text, renderer):
        if text.get_visible() and text.get_text().strip():
            drawn.append(text)
        return draw(text, renderer)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Text, "draw", noting)
        fig.canvas.draw()  # the explorer draws its animated texts right after
    return list(dict.fromkeys(drawn))


#: Where an instructor or a student sees the explorers: the four screens in Voilà, in both sizes,
#: and JupyterLab's notebook panels from 550 to 960 px wide in normal size.
SCREENS = [(room, presentation) for room in SCREENS_VOILA for presentation in (False, True)] + [
    (room, False) for room in SCREENS_LAB]

#: Every kind of message each explorer can show, as the control moves that bring it up from the
#: first settings: a diverging run, an invalid kernel, an overflow, extreme values, a training in
#: progress (``TRAINING``: the first frame of a move in an event loop).
TRAINING = "training"
MESSAGES = {
    "softmax": {
        "first settings": [],
        "cold and sure: large gradients": [("temperature", 0.1)],
        "extreme logits, another class": [("logit_0", -6.0), ("logit_1", 6.0),
                                          ("logit_2", -6.0), ("logit_3", 6.0), ("target", 3)],
        "hot: flat probabilities": [("temperature", 10.0), ("target", 2)],
    },
    "kernel": {
        "first settings": [],
        "not a kernel: no Gaussian process": [("kernel", "minus_linear")],
        "exp(k) overflows": [("kernel", "linear"), ("bandwidth", 10**-1.5)],
        "Taylor order, ill-conditioned fit": [("order", 3), ("bandwidth", 10.0)],
    },
    "momentum": {
        "first settings": [],
        "both runs diverge": [("rho", 0.0), ("eta", 4.5)],
        "bounded: rho = 1": [("rho", 1.0)],
        "kappa = 1": [("condition_number", 1)],
        "Rosenbrock": [("objective", "rosenbrock"), ("eta", 2.5)],
    },
    "digits": {
        "first settings": [],
        "momentum diverges": [("bandwidth", 0.3), ("l2", 1.0), ("eta", 8.0), ("rho", 0.99)],
        "huge kappa": [("l2", 0.001)],
        "training in progress": [("l2", 0.3), ("rho", 0.99), ("eta", 8.0), TRAINING],
    },
}


def show_message(explorer, moves) -> None:
    """Bring the controls back to their first values, then make ``moves``."""
    for name, value in explorer.first_values.items():
        if explorer.controls[name].value != value:
            explorer.controls[name].value = value
    moves = list(moves)
    in_a_loop = TRAINING in moves
    moves = [move for move in moves if move != TRAINING]

    async def move_in_a_loop() -> None:  # the last move draws its first frame, then is cancelled
        explorer.controls[moves[-1][0]].value = moves[-1][1]

    for name, value in moves[:-1] if in_a_loop else moves:
        explorer.controls[name].value = value
    if in_a_loop:
        asyncio.run(move_in_a_loop())


def text_problems(fig, where: str) -> list[str]:
    """Texts that leave the figure or cover another, as drawn now."""
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in drawn_texts(fig)]
    problems = [f"{where}: {text!r} leaves the figure {box.extents.round()}"
                for text, box in boxes
                if box.x0 < -1 or box.y0 < -1 or box.x1 > fig.bbox.width + 1
                or box.y1 > fig.bbox.height + 1]
    return problems + [f"{where}: {a!r} covers {b!r}"
                       for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
                       if min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > 1
                       and min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > 1]


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_no_text_is_cut_off_or_covers_another(name):
    """For every message the explorer can show (:data:`MESSAGES`), at the size each screen gives
    the figure: every drawn text (titles, labels, ticks, legends, annotations, notes) lies inside
    the figure and no two overlap. (That no number of the readout is broken across two lines
    is checked in the browser, which keeps each whole: ``tests/browser``.)"""
    problems = []
    for room, presentation in SCREENS:
        explorer = FACTORIES[name](presentation=presentation)
        explorer.first_values = {n: c.value for n, c in explorer.controls.items()}
        try:
            fit(explorer, room)
            for message, moves in MESSAGES[name].items():
                show_message(explorer, moves)
                where = f"{room}{' presentation' if presentation else ''}, {message}"
                explorer.figure.canvas.draw()
                problems += text_problems(explorer.figure, where)
        finally:
            explorer.close()
    assert not problems, "\n".join(problems)


def test_back_on_a_smaller_screen_the_figure_shrinks(explorer):
    """From a 1920 px wide screen back to 1280 px: the controls' column narrows (the kind of
    arrangement stays "side"), the browser is asked to measure again, and the figure shrinks."""
    fit(explorer, "1920x1080", (1450, 1000))
    wide = explorer.fit.size()
    assert explorer.fit.watcher.arrangement != arrange(*ROOMS["1280x720"]).name
    fit(explorer, "1280x720", (900, 660))
    assert explorer.fit.size()[0] == 900 < wide[0]


def test_small_growth_is_ignored_and_shrinking_is_not(explorer):
    assert fit(explorer, "1024x768", (994, 300))  # the height binds
    size = explorer.fit.size()
    assert size[1] == 300
    assert not fit(explorer, "1024x768", (994, 305))  # the readout lost a line: no full redraw
    assert explorer.fit.size() == size
    assert fit(explorer, "1024x768", (994, 280))  # it gained one: the figure makes room
    assert explorer.fit.size()[1] == 280


def test_a_slider_move_still_updates_after_a_resize(explorer):
    fit(explorer, "1280x720", (900, 660))
    name, control = next((n, c) for n, c in explorer.controls.items() if hasattr(c, "max"))
    before = np.asarray(explorer.figure.canvas.buffer_rgba()).copy()
    text = explorer.readout.value
    control.value = control.max if control.value != control.max else control.min
    assert not np.array_equal(before, np.asarray(explorer.figure.canvas.buffer_rgba())), name
    assert explorer.readout.value != text


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_presentation_size_has_larger_text_and_thicker_lines(name):
    normal, shown = FACTORIES[name](), FACTORIES[name](presentation=True)
    try:
        assert shown.style is PRESENTATION and normal.style is NORMAL
        small_normal, _ = smallest_text_px(normal.figure)
        small_shown, text = smallest_text_px(shown.figure)
        assert small_shown >= PRESENTATION.min_text_px > small_normal - 1e-9, text

        def widths(explorer):
            return [line.get_linewidth() for ax in explorer.figure.axes for line in ax.lines]

        assert widths(shown) == pytest.approx([w * PRESENTATION.scale for w in widths(normal)])
        assert shown.readout.style.font_size == f"{PRESENTATION.readout_px:g}px"
        assert normal.readout.style.font_size == f"{NORMAL.readout_px:g}px"
    finally:
        normal.close()
        shown.close()


def test_the_environment_variable_that_make_demo_sets(monkeypatch):
    monkeypatch.setenv(PRESENTATION_ENV, "1")
    assert text_style() is PRESENTATION and text_style(False) is NORMAL
    monkeypatch.setenv(PRESENTATION_ENV, "0")
    assert text_style() is NORMAL and text_style(True) is PRESENTATION
    monkeypatch.delenv(PRESENTATION_ENV)
    assert text_style() is NORMAL
