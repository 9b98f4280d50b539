"""The explorer pages of ``make demo`` (``scripts/explorer_pages.py``) as a class opens them:
listed first on the demo's index page; each ready within a few seconds of the click, with its
explorer on the first screen at 1280x720; and a link to a notebook's section lands on that
section once Voilà has run the page.

The page is the whole of what Voilà does for one click: a new kernel, the Setup section's
imports, the explorer's first frame, Voilà's own scripts in the browser.
"""

from __future__ import annotations

import json
import time
import urllib.request

import psutil
import pytest
from browser_support import (
    ALL_CELLS_RUN_JS,
    DRAWN_JS,
    MAIN_CONTROLS,
    REPO,
    REPORT,
    TRACKER,
    VIEWPORTS,
    assert_no_error,
    describe,
    explorer_parts,
    free_port,
    isolated_env,
    make_command,
    present_notebooks,
    start_server,
    wait_for_control,
    wait_for_figure,
    wait_for_idle_cpu,
    wait_until_settled,
)

#: The prefix ``scripts/explorer_pages.py`` gives an explorer page's name.
PAGE_PREFIX = "00_explore_"
NOTEBOOKS = present_notebooks()

#: Seconds from the click to the explorer's first frame. The page's work, measured on this
#: 2-core machine with nothing else running: a kernel starts (about 1 s), imports NumPy,
#: Matplotlib, ipympl and tp3helpers (scikit-learn too for the digits; about 2 s), builds the
#: explorer and draws its first frame (under 1 s; the digits explorer's data and features
#: about 1 s more), and the browser loads Voilà's scripts and renders the widgets (about 1 s):
#: about 5 s. Twice that allows for a machine that runs one other job as heavy as this one.
#: A whole notebook runs every cell first: tens of seconds.
PAGE_LIMIT_S = 10.0

def new_page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(60_000)
    page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[0], strict=True)))
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return page


def test_index_lists_the_explorer_pages_first(browser_context, voila_url):
    page = new_page(browser_context)
    try:
        page.goto(f"{voila_url}/", wait_until="load")
        page.get_by_text(PAGE_PREFIX).first.wait_for()  # the list is filled in by script
        names = [line.strip() for line in page.inner_text("body").splitlines()
                 if line.strip().endswith(".ipynb")]
    finally:
        page.close()
    pages = [f"{PAGE_PREFIX}{name}.ipynb" for name in NOTEBOOKS]
    assert names[:len(pages)] == pages, names
    assert {f"{name}.ipynb" for name in NOTEBOOKS} <= set(names[len(pages):]), names


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_explorer_page_is_ready_in_seconds_on_the_first_screen(notebook, browser_context,
                                                               voila_url):
    control = MAIN_CONTROLS[notebook].control
    wait_for_idle_cpu()  # the time is the page's own, not what earlier tests left running
    page = new_page(browser_context)
    try:
        start = time.monotonic()
        page.goto(f"{voila_url}/voila/render/{PAGE_PREFIX}{notebook}.ipynb", wait_until="commit")
        wait_for_control(page, control)
        explorer, _, _, canvas = explorer_parts(page, control)
        canvas.wait_for(state="visible")
        page.wait_for_function(DRAWN_JS, arg=canvas.element_handle(), polling=50)
        seconds = time.monotonic() - start
        REPORT.setdefault("pages", {})[notebook] = seconds  # type: ignore[union-attr]
        print(f"{PAGE_PREFIX}{notebook}: explorer drawn {seconds:.1f} s after the click "
              f"(limit {PAGE_LIMIT_S:g} s)")
        page.wait_for_function(ALL_CELLS_RUN_JS)
        wait_for_figure(page, canvas)
        geometry = wait_until_settled(explorer)
        assert_no_error(page)
        assert not page.js_errors, page.js_errors
    finally:
        page.close()
    assert seconds <= PAGE_LIMIT_S, f"the explorer took {seconds:.1f} s to appear"
    width, height = VIEWPORTS[0]
    assert geometry["top"] >= -1 and geometry["bottom"] <= height + 1, (
        f"the explorer is not on the first {width}x{height} screen: {geometry}")


#: The notebook and the section a link points at: the section is far down the notebook, below
#: cells whose outputs fill in as Voilà runs them.
SECTION_LINK = ("02_exponential_kernel", "Explore")


#: The distance from the window's top (in CSS px) at which the section's heading counts as on
#: it: a few pixels for rounding, none of its text hidden.
ON_TOP_PX = 2
#: The heading has landed when it stays put this long.
STILL_S = 2.5

#: The heading's distance from where following a link puts it: the top of the pane that scrolls
#: it (Voilà scrolls a box of its own), less the heading's scroll margin and the pane's scroll
#: padding (the room the page's style keeps above a heading one jumps to).
_FROM_PANE_TOP_JS = """(h) => {
  let pane = h.parentElement;
  while (pane && !['auto', 'scroll'].includes(getComputedStyle(pane).overflowY)) {
    pane = pane.parentElement;
  }
  const top = pane ? Math.max(0, pane.getBoundingClientRect().top) : 0;
  const kept = (parseFloat(getComputedStyle(h).scrollMarginTop) || 0)
    + (pane ? parseFloat(getComputedStyle(pane).scrollPaddingTop) || 0 : 0);
  return h.getBoundingClientRect().top - top - kept;
}"""


@pytest.mark.skipif(SECTION_LINK[0] not in NOTEBOOKS, reason=f"no {SECTION_LINK[0]}.ipynb")
def test_a_section_link_lands_on_its_section_once_the_page_has_run(browser_context, voila_url):
    """As a reader follows the link: nothing in the page is touched until the heading has
    stayed put for a while (measuring the figures above it would make the browser lay out
    cells it skips while they are out of view, and move the heading)."""
    notebook, section = SECTION_LINK
    page = new_page(browser_context)
    try:
        page.goto(f"{voila_url}/voila/render/{notebook}.ipynb#{section}", wait_until="commit",
                  timeout=180_000)
        page.wait_for_function(ALL_CELLS_RUN_JS, timeout=180_000)
        heading = page.locator(f"[id='{section}']")
        tops: list[float] = []
        deadline = time.monotonic() + 60
        while len(tops) < STILL_S / 0.25 or len(set(tops[-int(STILL_S / 0.25):])) > 1:
            assert time.monotonic() < deadline, f"the heading kept moving: {tops[-20:]}"
            page.wait_for_timeout(250)
            tops.append(round(heading.evaluate(_FROM_PANE_TOP_JS)))
        assert_no_error(page)
    finally:
        page.close()
    print(f"{notebook}#{section}: the heading {tops[-1]} px below the top of its pane")
    assert abs(tops[-1]) <= ON_TOP_PX, (
        f"the '{section}' heading stays {tops[-1]} px from the top of the window, not at it")


# -- kernels of closed pages --------------------------------------------------------------------
#: Culling as voila.json sets it for make demo, and shortened for the test: an idle kernel with
#: no page connected ends after ``cull_idle_timeout`` s, checked every ``cull_interval`` s.
CULLING = json.loads((REPO / "voila.json").read_text())["MappingKernelManager"]
SHORT_CULLING = {"cull_idle_timeout": 4, "cull_interval": 1}


def kernels(server) -> list[psutil.Process]:
    return [p for p in psutil.Process(server.process.pid).children(recursive=True)
            if "ipykernel" in " ".join(p.cmdline())]


def test_make_demo_culls_the_kernels_of_closed_pages(voila_server):
    """Voila reads the culling settings of voila.json: it says so in its log when it starts
    its first kernel (here, for a page asked for and never shown)."""
    url = f"{voila_server.url}voila/render/{PAGE_PREFIX}{NOTEBOOKS[0]}.ipynb"
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200
    expected = (f"Culling kernels with idle durations > {CULLING['cull_idle_timeout']} seconds "
                f"at {CULLING['cull_interval']} second intervals")
    deadline = time.monotonic() + 30
    while expected not in voila_server.log.read_text():
        assert time.monotonic() < deadline, voila_server.log_tail()
        time.sleep(0.5)


def test_a_closed_pages_kernel_ends_an_open_pages_stays(browser_context, notebook_copy,
                                                        tmp_path):
    """With the culling shortened: the kernel of an open page lives on, however idle; once the
    page is closed, its kernel ends within the idle time and one check interval (and a second
    for the kernel to exit)."""
    port = free_port()
    short = " ".join(f"--MappingKernelManager.{k}={v}" for k, v in SHORT_CULLING.items())
    argv = make_command("demo", PORT=str(port), NOTEBOOKS=str(notebook_copy),
                        DEMO_DIR=str(tmp_path / "demo"), SERVER_ARGS=f"--no-browser {short}")
    server = start_server("voila (culling)", argv, url=f"http://127.0.0.1:{port}/",
                          cwd=REPO, env=isolated_env(tmp_path), log=tmp_path / "voila.log",
                          tracker=TRACKER)
    limit = SHORT_CULLING["cull_idle_timeout"] + SHORT_CULLING["cull_interval"] + 1
    try:
        notebook = NOTEBOOKS[0]
        page = new_page(browser_context)
        page.goto(f"{server.url}voila/render/{PAGE_PREFIX}{notebook}.ipynb")
        wait_for_control(page, MAIN_CONTROLS[notebook].control)
        page.wait_for_function(ALL_CELLS_RUN_JS)
        (kernel,) = kernels(server)
        time.sleep(2 * limit)
        assert kernel.is_running(), "the kernel of an open page was ended"
        page.close()
        closed = time.monotonic()
        try:
            kernel.wait(timeout=limit)
        except psutil.TimeoutExpired:
            raise AssertionError(f"the kernel of a closed page still runs after {limit} s:\n"
                                 f"{describe([kernel])}\n{server.log_tail()}") from None
        print(f"the closed page's kernel ended {time.monotonic() - closed:.1f} s after the page "
              f"closed (culling after {SHORT_CULLING['cull_idle_timeout']} s idle, checked "
              f"every {SHORT_CULLING['cull_interval']} s)")
    finally:
        left = server.stop()
        assert not left, describe(left)
