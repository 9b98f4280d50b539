"""The explorers fit the room the browser reports, and their text is legible at every size.

Text size in CSS pixels is matplotlib's font size in points times the figure's dpi / 72 (ipympl
shows one figure pixel per CSS pixel; the browser tests check that the canvas is not scaled):
:func:`tp3helpers.plotting.figure.smallest_text_px` draws the figure and takes the smallest visible
text. The rooms below are what the browser reported for the explorers in Voilà at each viewport.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.text import Text

from tp3helpers.explorers import kernel_explorer, momentum_explorer, softmax_explorer
from tp3helpers.explorers._layout import (
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
             "momentum": momentum_explorer}

#: Viewport -> (explorer width, pane height) in Voilà, and two JupyterLab panel widths.
ROOMS = {"1024x768": (994, 768), "1280x720": (1250, 720), "1366x768": (1336, 768),
         "1920x1080": (1890, 1080), "lab-narrow": (560, 600), "lab-wide": (900, 700)}


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
    kinds = {name: arrange(*room).kind for name, room in ROOMS.items()}
    assert kinds == {"1024x768": "stacked", "1280x720": "side", "1366x768": "side",
                     "1920x1080": "side", "lab-narrow": "stacked", "lab-wide": "stacked"}
    assert 300 <= arrange(1250, 720).sidebar <= 420


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


def room_for_figure(width, height):
    """What the title, controls and readout leave for the figure, about as the browser measures."""
    return (width - 340, height - 60) if arrange(width, height).kind == "side" else (
        width, height - 200)


def fit(explorer, width, height, figure_room):
    """What happens when the browser reports a room: arrangement first, then the size."""
    name = arrange(width, height).name
    room = {"width": width, "height": height, "figure_width": figure_room[0],
            "figure_height": figure_room[1], "arrangement": name}
    explorer.fit.fit({**room, "arrangement": "stale"})  # may switch the arrangement
    assert explorer.fit.watcher.arrangement == name
    return explorer.fit.fit(room)


@pytest.mark.parametrize("name", sorted(ROOMS))
def test_explorer_takes_the_room_and_text_stays_legible(explorer, name):
    width, height = ROOMS[name]
    figure_room = room_for_figure(width, height)
    expected = figure_size(*figure_room, explorer.fit.design)
    now = explorer.fit.size()
    small_growth = all(0 <= e - n <= GROW_THRESHOLD for e, n in zip(expected, now, strict=True))
    assert fit(explorer, width, height, figure_room) is not small_growth
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
#: and a wide JupyterLab panel in normal size.
SCREENS = [(room, presentation) for room in ("1024x768", "1280x720", "1366x768", "1920x1080")
           for presentation in (False, True)] + [("lab-wide", False)]


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_no_text_is_cut_off_or_covers_another(name):
    """Every drawn text (titles, labels, ticks, legends, annotations) lies inside the figure and
    no two overlap, at the size each screen gives the figure."""
    problems = []
    for room, presentation in SCREENS:
        explorer = FACTORIES[name](presentation=presentation)
        try:
            width, height = ROOMS[room]
            figure_room = room_for_figure(width, height)
            fit(explorer, width, height, figure_room)
            fig = explorer.figure
            renderer = fig.canvas.get_renderer()
            boxes = [(t.get_text(), t.get_window_extent(renderer))
                     for t in drawn_texts(fig)]
            where = f"{room}{' presentation' if presentation else ''}"
            problems += [f"{where}: {text!r} leaves the figure {box.extents.round()}"
                         for text, box in boxes
                         if box.x0 < -1 or box.y0 < -1 or box.x1 > fig.bbox.width + 1
                         or box.y1 > fig.bbox.height + 1]
            problems += [f"{where}: {a!r} covers {b!r}"
                         for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
                         if min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > 1
                         and min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > 1]
        finally:
            explorer.close()
    assert not problems, "\n".join(problems)


def test_back_on_a_smaller_screen_the_figure_shrinks(explorer):
    """From a 1920 px wide screen back to 1280 px: the controls' column narrows (the kind of
    arrangement stays "side"), the browser is asked to measure again, and the figure shrinks."""
    fit(explorer, *ROOMS["1920x1080"], (1450, 1000))
    wide = explorer.fit.size()
    assert explorer.fit.watcher.arrangement != arrange(*ROOMS["1280x720"]).name
    fit(explorer, *ROOMS["1280x720"], (900, 660))
    assert explorer.fit.size()[0] == 900 < wide[0]


def test_small_growth_is_ignored_and_shrinking_is_not(explorer):
    assert fit(explorer, 994, 768, (994, 300))  # the height binds
    size = explorer.fit.size()
    assert size[1] == 300
    assert not fit(explorer, 994, 768, (994, 305))  # the readout lost a line: no full redraw
    assert explorer.fit.size() == size
    assert fit(explorer, 994, 768, (994, 280))  # it gained one: the figure makes room
    assert explorer.fit.size()[1] == 280


def test_a_slider_move_still_updates_after_a_resize(explorer):
    fit(explorer, 1250, 720, (900, 660))
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
