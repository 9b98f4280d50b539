"""Figures shared by every explorer and notebook figure: creation, snapshots, clean-up.

Students re-run cells all the time. A figure (or an explorer) made again by the same notebook
cell therefore replaces the one that cell made before, which is closed: re-running a cell does
not pile up figures ("More than 20 figures have been opened") nor memory. See
:func:`replace_previous`.
"""

from __future__ import annotations

import io
import sys
import weakref
from collections.abc import Callable, Hashable, Iterable

import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.figure import Figure

__all__ = [
    "close_figure",
    "close_widgets",
    "new_figure",
    "png_snapshot",
    "replace_previous",
    "running_cell",
]

#: Resolution of every explorer figure: sharp on a projector, small in a stored notebook.
FIGURE_DPI = 90

#: What each notebook cell made last, by (cell, maker): see :func:`replace_previous`.
_MADE_BY_CELL: dict[tuple[Hashable, Hashable], weakref.ref] = {}


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
        replace_previous(fig, ("figure", kwargs.get("label")), close_figure, in_scripts=False)
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


def running_cell() -> Hashable | None:
    """The notebook cell being run: its id if the front end sends one (JupyterLab does), else
    its source code; ``None`` outside a Jupyter kernel."""
    ipython = sys.modules.get("IPython")  # not imported: no kernel
    kernel = getattr(ipython.get_ipython(), "kernel", None) if ipython is not None else None
    if kernel is None or not hasattr(kernel, "get_parent"):
        return None
    parent = kernel.get_parent()
    return parent.get("metadata", {}).get("cellId") or parent.get("content", {}).get("code")


def replace_previous(
    made: object, maker: Hashable, close: Callable[[object], None], *, in_scripts: bool
) -> None:
    """Close what the running notebook cell made last with ``maker``; remember ``made`` instead.

    ``maker`` names the kind of object (an explorer class, a figure label). Outside a kernel
    there is no cell: with ``in_scripts`` the whole program counts as one cell (a loop that
    builds explorers keeps only the last one open), otherwise nothing is closed.
    """
    cell = running_cell()
    if cell is None and not in_scripts:
        return
    previous = _MADE_BY_CELL.get((cell, maker), lambda: None)()
    if previous is not None and previous is not made:
        close(previous)
    _MADE_BY_CELL[(cell, maker)] = weakref.ref(made)


def close_widgets(*widgets: object) -> None:
    """Close each Jupyter widget given and every widget its traits hold (children, layout, style,
    toolbar), even if it is closed already. ipywidgets keeps every open widget alive, and with it
    all it refers to: an ipympl canvas whose toolbar stays open keeps its figure in memory.
    Other objects are ignored."""
    ipywidgets = sys.modules.get("ipywidgets")  # not imported: no widget to close
    seen: set[int] = set()
    pending = list(widgets)
    while pending:
        widget = pending.pop()
        if ipywidgets is None or not isinstance(widget, ipywidgets.Widget) or id(widget) in seen:
            continue
        seen.add(id(widget))
        widget.close()
        for name in widget.keys:
            value = getattr(widget, name)
            pending.extend(value if isinstance(value, list | tuple) else [value])


def close_figure(fig: Figure) -> None:
    """Close ``fig`` for good: pyplot forgets it and, under ipympl, its canvas widget and the
    canvas's toolbar close too, so that the figure can be freed."""
    plt.close(fig)
    close_widgets(fig.canvas)
    fig.clear()
