"""What a notebook cell made: re-running the cell replaces it, and closing frees it.

Students re-run cells all the time. Each run of a cell that builds an explorer, a figure or an
exercise's widgets would add one more, never closed: figures pile up (Matplotlib warns after 20)
and so does memory. :func:`replace_previous` closes what the same cell made before instead, and
:func:`close_widgets` closes a widget with every widget it holds.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Hashable

__all__ = ["close_widgets", "replace_previous", "running_cell"]

#: What each notebook cell made last, by (cell, maker): see :func:`replace_previous`.
_MADE_BY_CELL: dict[tuple[Hashable, Hashable], weakref.ref] = {}


def running_cell() -> Hashable | None:
    """The notebook cell being run: its id if the front end sends one (JupyterLab does), else
    its source code; ``None`` outside a Jupyter kernel."""
    ipython = sys.modules.get("IPython")  # not imported: no kernel
    kernel = getattr(ipython.get_ipython(), "kernel", None) if ipython is not None else None
    if kernel is None or not hasattr(kernel, "get_parent"):
        return None
    parent = kernel.get_parent()
    return parent.get("metadata", {}).get("cellId") or parent.get("content", {}).get("code")


def replace_previous(made: object, maker: Hashable, close: Callable[[object], None]) -> None:
    """Close what the running notebook cell made last with ``maker``; remember ``made`` instead.

    ``maker`` names the kind of object (an explorer class, a figure label). Outside a kernel
    there is no cell and nothing is closed: a script or a test may hold several explorers.
    """
    cell = running_cell()
    if cell is None:
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
