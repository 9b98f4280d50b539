"""Figures of every explorer and notebook: creation, legible text sizes, snapshots, clean-up.

Text sizes are in CSS pixels: ipympl shows one figure pixel per CSS pixel (on a high-density
screen it raises the dpi by the device pixel ratio), so ``s`` points are ``s * dpi / 72`` of them.
"""

from __future__ import annotations

import io
import os
import sys
import warnings
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text

from .._cells import close_widgets, replace_previous
from .._foreign_internals import forget_pixels
from .._validation import check_in_range

__all__ = ["TextStyle", "NORMAL", "PRESENTATION", "MIN_READOUT_PX", "close_figure", "css_px",
           "make_legible", "new_figure", "png_snapshot", "smallest_text_px", "text_style",
           "PRESENTATION_ENV"]

#: Resolution of every explorer figure: sharp on a projector, small in a stored notebook.
FIGURE_DPI = 90


@dataclass(frozen=True)
class TextStyle:
    """How large an explorer's text and lines are drawn (sizes in CSS pixels)."""

    min_text_px: float  # no text on the figure is smaller
    scale: float  # every text size and line width is first multiplied by this
    readout_px: float  # font size of the readout


#: Smallest text of an explorer's readout, CSS pixels.
MIN_READOUT_PX = 14.0

#: On a laptop or a desktop screen: nothing on the figure smaller than 12 CSS pixels; the readout
#: at 17 px, so that its subscripts (0.83 em) are still 14 px.
NORMAL = TextStyle(min_text_px=12.0, scale=1.0, readout_px=17.0)
#: For a projector at 1280x720 seen from 10 m: text about 1.5 times larger, thicker lines.
PRESENTATION = TextStyle(min_text_px=17.0, scale=1.5, readout_px=22.0)

#: Environment variable that puts every explorer in presentation size (``make demo`` sets it).
PRESENTATION_ENV = "TP3_PRESENTATION"


def text_style(presentation: bool | None = None) -> TextStyle:
    """The presentation or the normal sizes; ``None`` asks the variable ``TP3_PRESENTATION``."""
    if presentation is None:
        presentation = os.environ.get(PRESENTATION_ENV, "0").strip() not in ("", "0")
    return PRESENTATION if presentation else NORMAL


# Axes and lines already scaled, and the size each text was given (make_legible runs again
# after new artists appear, and after ``ax.set_title`` and the like reset a text's size).
_STYLED: weakref.WeakSet = weakref.WeakSet()
_TEXT_SIZES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def css_px(fig: Figure, points: float) -> float:
    """Height in CSS pixels of a ``points`` font on ``fig`` as ipympl shows it."""
    ratio = getattr(fig.canvas, "device_pixel_ratio", 1.0) or 1.0
    return points * fig.dpi / ratio / 72.0


def make_legible(fig: Figure, style: TextStyle = NORMAL) -> None:
    """Give each text of ``fig`` the size ``max(size * scale, minimum)``, each line the width
    ``width * scale``: once per artist, again for a text whose size was reset (``ax.set_title``).
    Tick labels go through ``tick_params``, so that ticks made later follow."""
    minimum = style.min_text_px / css_px(fig, 1.0)  # in points

    def size(points: float) -> float:
        return max(points * style.scale, minimum)

    tick_labels = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                tick_labels.update((tick.label1, tick.label2))
        if ax not in _STYLED:
            _STYLED.add(ax)
            for axis in (ax.xaxis, ax.yaxis):
                for tick in axis.get_major_ticks()[:1]:  # the first tick, if there is one
                    axis.set_tick_params(which="both", labelsize=size(tick.label1.get_fontsize()),
                                         width=tick.tick1line.get_markeredgewidth() * style.scale,
                                         length=tick.tick1line.get_markersize() * style.scale)
        for line in [*ax.lines, *(ax.get_legend().get_lines() if ax.get_legend() else [])]:
            if line not in _STYLED:
                _STYLED.add(line)
                line.set_linewidth(line.get_linewidth() * style.scale)
                line.set_markersize(line.get_markersize() * style.scale)
        for collection in ax.collections:
            if collection not in _STYLED and hasattr(collection, "get_linewidth"):
                _STYLED.add(collection)
                collection.set_linewidth(collection.get_linewidth() * style.scale)
    for text in fig.findobj(Text):
        if text not in tick_labels and _TEXT_SIZES.get(text) != text.get_fontsize():
            text.set_fontsize(size(text.get_fontsize()))
            _TEXT_SIZES[text] = text.get_fontsize()


def smallest_text_px(fig: Figure) -> tuple[float, str]:
    """The smallest visible text of ``fig`` once drawn, in CSS pixels, and that text."""
    fig.canvas.draw()
    shown = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    smallest = min(shown, key=lambda t: t.get_fontsize())
    return css_px(fig, smallest.get_fontsize()), smallest.get_text()


#: Largest width or height of a figure, in inches (4,500 pixels at ``FIGURE_DPI``).
MAX_FIGURE_INCHES = 50.0

#: What ipympl's toolbar says each time a figure is made: its ``__init__`` hands the canvas to
#: ``traitlets`` too (https://github.com/matplotlib/ipympl/issues/611, also #488).
_TOOLBAR_WARNING = r"Passing unrecognized arguments to super\(Toolbar\)\.__init__\(\)"


def new_figure(width: float, height: float, *, replace: bool = True, **kwargs: object) -> Figure:
    """A figure of ``width`` x ``height`` inches, each in (0, ``MAX_FIGURE_INCHES``], not shown
    until the caller displays it (made inside ``plt.ioff()``); ipympl's header, footer and resize
    handle hidden.

    In a notebook it closes what the same cell made with the same ``label`` (a ``plt.figure``
    keyword, like the other ``kwargs``), unless ``replace=False`` (explorers replace themselves).
    """
    for value, name in ((width, "width"), (height, "height")):
        check_in_range(value, name, 0.0, MAX_FIGURE_INCHES, low_inclusive=False)
    with plt.ioff(), warnings.catch_warnings():
        # only that warning is silenced: a notebook runs under PYTHONWARNINGS=error
        warnings.filterwarnings("ignore", _TOOLBAR_WARNING, DeprecationWarning)
        fig = plt.figure(figsize=(width, height), dpi=FIGURE_DPI, layout="constrained", **kwargs)
    ipympl_traits = {"header_visible": False, "footer_visible": False, "resizable": False,
                     "toolbar_position": "right"}
    for name, value in ipympl_traits.items():
        if hasattr(fig.canvas, name):
            setattr(fig.canvas, name, value)
    if replace:
        replace_previous(fig, ("figure", kwargs.get("label")), close_figure)
    return fig


def png_snapshot(fig: Figure, animated: Iterable[Artist] = ()) -> bytes:
    """PNG bytes of ``fig`` as it looks now, its ``animated`` (blitted) artists included."""
    artists = list(animated)
    for artist in artists:
        artist.set_animated(False)
    try:
        with io.BytesIO() as buffer:
            fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
            return buffer.getvalue()
    finally:
        for artist in artists:
            artist.set_animated(True)


def close_figure(fig: Figure) -> None:
    """Close ``fig`` for good: pyplot forgets it, its canvas widget and toolbar close, and it drops
    its artists and pixels, which IPython's ``Out`` could otherwise keep alive."""
    if sys.is_finalizing():  # an explorer collected at exit: nothing left to free
        return
    plt.close(fig)
    close_widgets(fig.canvas)
    fig.clear()
    forget_pixels(fig.canvas)
