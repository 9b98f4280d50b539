"""Notebook 1 in JupyterLab, as a student uses it: Run All Cells gives no error output, and the
explorer's main slider is there and moves the figure. Every explorer follows the notebook panel's
width, with the file browser open, at a wide and at a narrow panel."""

from __future__ import annotations

import re
import time

import nbformat
import pytest
from browser_support import (
    MAIN_CONTROLS,
    NOTEBOOKS,
    TRACEBACK,
    explorer_parts,
    fit_problems,
    move_and_check,
    wait_for_control,
    wait_for_figure,
)

from tp3helpers.plotting.figure import MIN_READOUT_PX

NOTEBOOK = "01_softmax_cross_entropy"
IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
PROMPTS = ".jp-Notebook .jp-CodeCell .jp-InputArea-prompt"

pytestmark = pytest.mark.skipif(
    not (NOTEBOOKS / f"{NOTEBOOK}.ipynb").exists(), reason=f"{NOTEBOOK}.ipynb is not written yet"
)


def prompts(page) -> list[str]:
    return [p.strip() for p in page.locator(PROMPTS).all_inner_texts()]


def run_all_cells(page, timeout_s: float = 240) -> None:
    """Menu Run → Run All Cells, then wait until the kernel is idle and no cell is pending."""
    deadline = time.monotonic() + timeout_s
    while True:  # the first click can come before the kernel is really connected: retry
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            page.wait_for_function(
                "(sel) => [...document.querySelectorAll(sel)].some("
                "  (p) => /\\[(\\*|\\d+)\\]/.test(p.textContent))",
                arg=PROMPTS, timeout=5_000,
            )
            break
        except Exception as exc:
            if type(exc).__name__ != "TimeoutError" or time.monotonic() > deadline:
                raise
    page.wait_for_function(
        "(sel) => ![...document.querySelectorAll(sel)].some((p) => p.textContent.includes('*'))",
        arg=PROMPTS, timeout=(deadline - time.monotonic()) * 1000,
    )
    page.wait_for_selector(IDLE, timeout=30_000)


def saved_error_outputs(page, path) -> list[str]:
    """Save the (copied) notebook from the page and list the error outputs it holds."""
    page.keyboard.press("Escape")  # command mode, so that the shortcut goes to the notebook
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !document.querySelector('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty')",
        timeout=30_000,
    )
    notebook = nbformat.read(path, as_version=4)
    return [
        f"cell {i}: {output.get('ename')}: {output.get('evalue')}"
        for i, cell in enumerate(notebook.cells)
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def test_notebook_1_runs_in_jupyterlab(page, lab, notebook_copy):
    base, token = lab
    page.goto(f"{base}/lab/tree/{NOTEBOOK}.ipynb?token={token}", timeout=120_000)
    page.wait_for_selector(".jp-Notebook", timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    run_all_cells(page)

    # JupyterLab renders errors and stderr with the same MIME type: tell them apart by the text.
    shown = [
        text for text in page.locator(".jp-OutputArea-output").all_inner_texts()
        if TRACEBACK.search(text)
    ]
    saved = saved_error_outputs(page, notebook_copy / f"{NOTEBOOK}.ipynb")
    assert not shown and not saved, "error output in JupyterLab:\n" + "\n".join(
        saved + [text[:1500] for text in shown]
    )
    unrun = [p for p in prompts(page) if not re.fullmatch(r"\[\d+\]:", p)]
    assert not unrun, f"cells not run: {prompts(page)}"

    control = MAIN_CONTROLS[NOTEBOOK].control
    wait_for_control(page, control)
    _, handle, _, canvas = explorer_parts(page, control)
    wait_for_figure(page, canvas)
    move_and_check(page, control)
    assert page.locator(".tp3-explorer .tp3-error").count() == 0


#: Window sizes, with the file browser open: a wide notebook panel, and a narrow one (the width
#: each of two notebooks side by side gets on a 1366 px screen).
PANEL_WINDOWS = {"wide": (1366, 768), "narrow": (860, 768)}
EVERY_EXPLORER = """%matplotlib widget
from tp3helpers.explorers import kernel_explorer, momentum_explorer, softmax_explorer"""


def test_every_explorer_follows_the_panel_width(page, lab, notebook_copy):
    """In a notebook with the three explorers: each one inside the panel, no sideways scroll bar,
    the figure not scaled by CSS (its text is then the size the unit tests check, 12 CSS px at
    least), readout text at least 14 px; at a wide and at a narrow panel."""
    cells = [EVERY_EXPLORER, "softmax_explorer()", "kernel_explorer()", "momentum_explorer()"]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    notebook = nbformat.v4.new_notebook(metadata=kernel,
                                        cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(notebook, notebook_copy / "every_explorer.ipynb")
    base, token = lab
    page.set_viewport_size(dict(zip(("width", "height"), PANEL_WINDOWS["wide"], strict=True)))
    # A workspace of its own, reset: the notebook of the previous test stays closed, so the
    # locators below see this notebook's explorers only.
    page.goto(f"{base}/lab/workspaces/every-explorer/tree/every_explorer.ipynb?reset&token={token}",
              timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    run_all_cells(page)
    if not page.locator("#filebrowser").is_visible():
        page.keyboard.press("Control+Shift+f")  # open the file browser
    page.locator("#filebrowser").wait_for(state="visible")
    explorers = page.locator(".jp-Notebook .tp3-explorer")
    try:
        explorers.nth(len(cells) - 2).wait_for(state="attached", timeout=120_000)
    except Exception as exc:
        if type(exc).__name__ != "TimeoutError":
            raise
        outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
        raise AssertionError(f"{explorers.count()} of {len(cells) - 1} explorers shown after "
                             f"Run All; outputs: {[o[:300] for o in outputs]}") from None
    problems = []
    for name, (width, height) in PANEL_WINDOWS.items():
        page.set_viewport_size({"width": width, "height": height})
        panel = page.locator(".jp-NotebookPanel").first.bounding_box()
        for i, explorer in enumerate(explorers.all()):
            wait_for_figure(page, explorer.locator(".jupyter-matplotlib-figure canvas").first)
            found = fit_problems(explorer, min_readout_px=MIN_READOUT_PX, check_share=False)
            box = explorer.bounding_box()
            if box["x"] + box["width"] > panel["x"] + panel["width"] + 1:
                found.append(f"wider than the {panel['width']:.0f} px notebook panel: {box}")
            problems += [f"{name} panel, explorer {i}: {problem}" for problem in found]
    assert not problems, "\n".join(problems)
