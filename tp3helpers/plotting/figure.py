"""Figure creation and static snapshots shared by every explorer and notebook figure."""

from __future__ import annotations

import io
from collections.abc import Iterable

import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.figure import Figure

__all__ = ["new_figure", "png_snapshot"]

#: Resolution of every explorer figure: sharp on a projector, small in a stored notebook.
FIGURE_DPI = 90


def new_figure(width: float, height: float, **kwargs: object) -> Figure:
    """A figure on the current backend that is not displayed by itself.

    Under ``%matplotlib widget`` a figure made by ``plt.figure`` shows up as soon as it exists;
    made inside ``plt.ioff()`` it shows only where the caller displays it (once). With ipympl the
    canvas header, footer and resize handle are hidden: the explorer around it is the interface.
    """
    with plt.ioff():
        fig = plt.figure(figsize=(width, height), dpi=FIGURE_DPI, layout="constrained", **kwargs)
    canvas = fig.canvas
    for attribute in ("header_visible", "footer_visible", "resizable"):
        if hasattr(canvas, attribute):
            setattr(canvas, attribute, False)
    if hasattr(canvas, "toolbar_position"):
        canvas.toolbar_position = "right"
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
