"""Notebook 1 in JupyterLab, as a student uses it: Run All Cells gives no error output, and the
explorer's main slider is there and moves the figure. Every explorer follows the notebook panel's
width, with the file browser open: one notebook in a wide window, one in a narrow window, and two
notebooks side by side."""

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
    write_notebook,
)

from tp3helpers.plotting.figure import MIN_READOUT_PX

NOTEBOOK = "01_softmax_cross_entropy"
IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
PROMPTS = ".jp-Notebook .jp-CodeCell .jp-InputArea-prompt"

pytestmark = pytest.mark.skipif(
    not (NOTEBOOKS / f"{NOTEBOOK}.ipynb").exists(), reason=f"{NOTEBOOK}.ipynb is not written yet"
)


#: JupyterLab's "Select Kernel" dialog: it asks which kernel to start when the notebook's own
#: did not start in time (seen on a loaded machine), and blocks the menus until answered.
KERNEL_DIALOG_TITLE = "Select Kernel"


def wait_for_kernel(page, timeout_s: float = 120) -> None:
    """Wait until the notebook's kernel is idle and no dialog blocks the page. If JupyterLab
    asks which kernel to start, answer as a student would: accept the kernel it proposes."""
    deadline = time.monotonic() + timeout_s
    while True:
        dialog = page.locator(".jp-Dialog", has=page.locator(
            ".jp-Dialog-header", has_text=KERNEL_DIALOG_TITLE)).first
        if dialog.is_visible():
            choice = dialog.locator("select")
            proposed = choice.first.input_value() if choice.count() else "(no list)"
            dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
            print(f"JupyterLab asked for a kernel: accepted its proposal {proposed!r}")
        elif page.locator(IDLE).count():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the notebook's kernel was not idle within {timeout_s} s")
        page.wait_for_timeout(250)


def prompts(page) -> list[str]:
    return [p.strip() for p in page.locator(PROMPTS).all_inner_texts()]


def run_all_cells(page, timeout_s: float = 240) -> None:
    """Menu Run → Run All Cells, then wait until the kernel is idle and no cell is pending."""
    deadline = time.monotonic() + timeout_s
    while True:  # the first click can come before the kernel is really connected, or a
        # dialog can come up between the check and the click: retry
        wait_for_kernel(page, deadline - time.monotonic())
        try:
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click(
                timeout=5_000)
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click(
                timeout=5_000)
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
    wait_for_kernel(page, 30)


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
    wait_for_kernel(page)
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


def test_select_kernel_dialog_is_answered_as_a_student_would(page, lab, notebook_copy):
    """A notebook whose kernel JupyterLab cannot start at once brings the "Select Kernel" dialog
    (here: a kernel name this machine does not have); the tests accept the kernel JupyterLab
    proposes, and the notebook then runs."""
    path = notebook_copy / "unknown_kernel.ipynb"
    write_notebook(path, ["print(6 * 7)"])
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.kernelspec = {"name": "no-such-kernel", "display_name": "No such kernel"}
    nbformat.write(notebook, path)
    base, token = lab
    page.goto(f"{base}/lab/workspaces/unknown-kernel/tree/{path.name}?reset&token={token}",
              timeout=120_000)
    page.locator(".jp-Dialog-header", has_text=KERNEL_DIALOG_TITLE).wait_for(timeout=120_000)
    run_all_cells(page)
    assert "42" in page.locator(".jp-OutputArea-output").first.inner_text()


#: Layouts of the main area, with the file browser open: one notebook in a wide window, one in a
#: narrow window, and two notebooks side by side in the wide window.
PANEL_LAYOUTS = {"wide": (1366, 768, False), "narrow": (860, 768, False),
                 "side by side": (1366, 768, True)}
EVERY_EXPLORER = "%matplotlib widget\nfrom tp3helpers import explorers"
EXPLORER_CELLS = [f"explorers.{name}_explorer()" for name in ("softmax", "kernel", "momentum",
                                                              "digits")]
#: Opens notebook ``path`` in a new panel to the right of the current one (JupyterLab's "split
#: right", as when a tab is dragged to the right edge).
OPEN_BESIDE_JS = """(path) => window.jupyterapp.commands.execute(
    'docmanager:open', {path, options: {mode: 'split-right'}}).then(() => null)"""


def test_every_explorer_follows_the_panel_width(page, lab, notebook_copy):
    """In a notebook with the four explorers: each one within its notebook panel's width (the
    notebook scrolls down through a tall one), no sideways scroll bar, the figure not scaled by
    CSS (its text is then the size the unit tests check, 12 CSS px at least), readout text at
    least 14 px; in every layout of :data:`PANEL_LAYOUTS`."""
    write_notebook(notebook_copy / "every_explorer.ipynb", [EVERY_EXPLORER, *EXPLORER_CELLS])
    write_notebook(notebook_copy / "beside.ipynb", ["# the second notebook of the pair"])
    base, token = lab
    width, height, _ = PANEL_LAYOUTS["wide"]
    page.set_viewport_size({"width": width, "height": height})
    # A workspace of its own, reset: the notebook of the previous test stays closed, so the
    # locators below see this notebook's explorers only.
    page.goto(f"{base}/lab/workspaces/every-explorer/tree/every_explorer.ipynb?reset&token={token}",
              timeout=120_000)
    wait_for_kernel(page)
    run_all_cells(page)
    if not page.locator("#filebrowser").is_visible():
        page.keyboard.press("Control+Shift+f")  # open the file browser
    page.locator("#filebrowser").wait_for(state="visible")
    explorers = page.locator(".tp3-explorer")
    try:
        explorers.nth(len(EXPLORER_CELLS) - 1).wait_for(state="attached", timeout=120_000)
    except Exception as exc:
        if type(exc).__name__ != "TimeoutError":
            raise
        outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
        raise AssertionError(f"{explorers.count()} of {len(EXPLORER_CELLS)} explorers shown "
                             f"after Run All; outputs: {[o[:300] for o in outputs]}") from None
    problems = []
    for name, (width, height, pair) in PANEL_LAYOUTS.items():
        page.set_viewport_size({"width": width, "height": height})
        if pair:
            page.evaluate(OPEN_BESIDE_JS, "beside.ipynb")
            page.locator(".jp-NotebookPanel").nth(1).wait_for(state="visible")
        panels = page.locator(".jp-NotebookPanel")
        assert panels.count() == (2 if pair else 1), f"{name}: {panels.count()} notebook panels"
        panel = panels.first.bounding_box()
        if pair:  # the two notebooks share the main area
            other = panels.nth(1).bounding_box()
            assert other["x"] >= panel["x"] + panel["width"] - 1, (panel, other)
        for i, explorer in enumerate(explorers.all()):
            wait_for_figure(page, explorer.locator(".jupyter-matplotlib-figure canvas").first)
            found = fit_problems(explorer, min_readout_px=MIN_READOUT_PX, check_share=False,
                                 check_height=False)
            box = explorer.bounding_box()
            if box["x"] + box["width"] > panel["x"] + panel["width"] + 1:
                found.append(f"wider than the {panel['width']:.0f} px notebook panel: {box}")
            problems += [f"{name}, {panel['width']:.0f} px panel, explorer {i}: {problem}"
                         for problem in found]
    assert not problems, "\n".join(problems)
