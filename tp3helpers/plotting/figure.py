"""Figures shared by every explorer and notebook figure: creation, snapshots, clean-up.

Students re-run cells all the time. A figure made again by the same notebook cell therefore
replaces the one that cell made before, which is closed: re-running a cell does not pile up
figures ("More than 20 figures have been opened") nor memory (see :mod:`tp3helpers._cells`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from .._cells import close_widgets, replace_previous

__all__ = ["close_figure", "new_figure", "png_snapshot"]

#: Resolution of every explorer figure: sharp on a projector, small in a stored notebook.
FIGURE_DPI = 90


def new_figure(width: float, height: float, *, replace: bool = True, **kwargs: object) -> Figure:
    """A figure on the current backend that is not displayed by itself.

    Under ``%matplotlib widget`` a figure made by ``plt.figure`` shows up as soon as it exists;
    made inside ``plt.ioff()`` it shows only where the caller displays it (once). With ipympl the
    canvas header, footer and resize handle are hidden: the explorer around it is the interface.

    In a notebook, the figure replaces (and closes) the one the same cell made before with the
    same ``label`` (a keyword of :func:`matplotlib.pyplot.figure`); ``replace=False`` keeps it
    open (explorers do, as they replace themselves). Other ``kwargs`` go to ``plt.figure``.
    """
    with plt.ioff():
        fig = plt.figure(figsize=(width, height), dpi=FIGURE_DPI, layout="constrained", **kwargs)
    canvas = fig.canvas
    for attribute in ("header_visible", "footer_visible", "resizable"):
        if hasattr(canvas, attribute):
            setattr(canvas, attribute, False)
    if hasattr(canvas, "toolbar_position"):
        canvas.toolbar_position = "right"
    if replace:
        replace_previous(fig, ("figure", kwargs.get("label")), close_figure)
    return fig


def png_snapshot(fig: Figure, animated: Iterable[Artist] = ()) -> bytes:
    """PNG bytes of ``fig`` as it looks now, including artists that are drawn by blitting.

    Artists flagged ``animated`` are skipped by a normal draw; they are drawn here too by clearing
    the flag for the duration of the snapshot.
    """
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
    """Close ``fig`` for good: pyplot forgets it and, under ipympl, its canvas widget and the
    canvas's toolbar close too, so that the figure can be freed.

    The closed figure may still be referred to: IPython's output history ``Out`` keeps what a
    cell's last line returned, such as ``fig.canvas``. So the figure also lets go of what is big:
    its artists, and the canvas's drawing buffers (the Agg renderer, and under ipympl the last
    image sent to the browser). They are made again if the figure is ever drawn.
    """
    plt.close(fig)
    close_widgets(fig.canvas)
    fig.clear()
    canvas = fig.canvas
    if hasattr(canvas, "renderer"):  # Agg-based canvas: its renderer holds the pixels
        canvas.renderer, canvas._lastKey = None, None
    if hasattr(canvas, "_last_buff"):  # ipympl (WebAgg): the last image sent
        canvas._last_buff = np.empty((0, 0))
    if hasattr(canvas, "_data_url"):  # ipympl: that image as a PNG, for a browser not yet open
        canvas._data_url = None
