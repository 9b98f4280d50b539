"""What a notebook cell made: re-running the cell closes what it made before.

Students re-run cells all the time; without this, figures and widgets would pile up in memory.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Hashable

__all__ = ["close_widgets", "replace_previous", "running_cell"]

#: What each notebook cell made last, by (cell, maker): see :func:`replace_previous`.
_MADE_BY_CELL: dict[tuple[Hashable, Hashable], weakref.ref] = {}


def running_cell() -> Hashable | None:
    """The running cell's id (or else its source); ``None`` outside a Jupyter kernel."""
    ipython = sys.modules.get("IPython")  # not imported: no kernel
    kernel = getattr(ipython.get_ipython(), "kernel", None) if ipython is not None else None
    if kernel is None or not hasattr(kernel, "get_parent"):
        return None
    parent = kernel.get_parent()
    return parent.get("metadata", {}).get("cellId") or parent.get("content", {}).get("code")


def replace_previous(made: object, maker: Hashable, close: Callable[[object], None]) -> None:
    """Close what the running cell made last with ``maker`` (a kind: an explorer class, a figure
    label); remember ``made`` instead. Outside a kernel nothing is closed."""
    cell = running_cell()
    if cell is None:
        return
    previous = _MADE_BY_CELL.get((cell, maker), lambda: None)()
    if previous is not None and previous is not made:
        close(previous)
    _MADE_BY_CELL[(cell, maker)] = weakref.ref(made)


def close_widgets(*widgets: object) -> None:
    """Close each widget given and every widget its traits hold (an ipympl canvas's open toolbar
    keeps its figure alive); other objects are ignored."""
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
