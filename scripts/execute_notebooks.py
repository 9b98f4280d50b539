"""Execute notebooks in place, top to bottom, and store them without widget state.

Usage: python scripts/execute_notebooks.py notebooks/*.ipynb

Widget views (``application/vnd.jupyter.widget-view+json``) and the notebook's saved widget state
are removed: opened before running, or on a code host, a notebook then shows each widget's readable
fallback instead of "model not found": an exercise's or a prompt's text (``text/markdown``), an
explorer's still picture with its caption (``text/html``, see
:func:`tp3helpers.explorers._base.still_html`), a figure's PNG. Where an output holds both a PNG and
an HTML copy of the same picture, one copy is kept, which halves the stored size: the HTML where it
is an explorer's captioned still picture, else the PNG.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: The class of an explorer's captioned still picture.
STILL = 'class="tp3-still"'


def strip_widgets(nb: nbformat.NotebookNode) -> None:
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            data = output.get("data")
            if data is not None:
                data.pop(WIDGET_VIEW, None)
                if "image/png" in data and "text/html" in data:
                    captioned = STILL in "".join(data["text/html"])
                    data.pop("image/png" if captioned else "text/html")
                if not data:
                    continue
            kept.append(output)
        cell.outputs = kept
        cell.metadata.pop("execution", None)


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    strip_widgets(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print(f"executed {path} ({path.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]]
    if not paths:
        sys.exit("usage: execute_notebooks.py NOTEBOOK.ipynb ...")
    for notebook in paths:
        execute(notebook)
