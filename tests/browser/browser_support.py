"""Shared by the browser tests and ``make screenshots``: Chromium, servers, processes, pixels.

Nothing here imports Playwright at module level, so the test modules can be collected (and skipped
with a clear message) on a machine without a browser.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import psutil

REPO = Path(__file__).resolve().parents[2]

#: Notebooks served in the tests; ``TP3_NOTEBOOKS_DIR`` points the tests at another folder.
NOTEBOOKS = Path(os.environ.get("TP3_NOTEBOOKS_DIR", REPO / "notebooks")).resolve()

#: Where ``make screenshots`` (and any run with this variable set) writes the explorer pictures.
SCREENSHOTS_ENV = "TP3_SCREENSHOTS_DIR"

#: Environment variable naming the Chromium (or Chrome) executable to drive.
CHROMIUM_ENV = "TP3_CHROMIUM"
DEBIAN_CHROMIUM = "/usr/bin/chromium"

#: Headless flags for a sandboxed machine that may run as root with no GPU and no outside network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

INSTALL_HINT = (
    "No Chromium found for the browser tests. Install Debian's package "
    "(`sudo apt-get install chromium`, which gives /usr/bin/chromium), or point "
    f"{CHROMIUM_ENV} at a Chromium or Chrome executable, or run "
    "`.venv/bin/python -m playwright install chromium` where downloads are allowed."
)


class MainControl(NamedTuple):
    """What the tests move in a notebook: the explorer control's name and the screenshot's name."""

    control: str
    image: str


#: Every notebook of the course and the control the browser tests move in its explorer. The control
#: is found by the CSS class ``tp3-control-<name>`` that :class:`tp3helpers.explorers.Explorer`
#: puts on each of its controls. Notebooks not present yet are simply not collected.
MAIN_CONTROLS: dict[str, MainControl] = {
    "01_softmax_cross_entropy": MainControl("logit_0", "softmax_explorer"),
    "02_exponential_kernel": MainControl("bandwidth", "kernel_explorer"),
    "03_momentum_physics": MainControl("rho", "momentum_explorer"),
    "04_together_digits": MainControl("rho", "digits_explorer"),
    # Not a notebook of the course: the reference the explorers are timed against (below).
    "reference_plot": MainControl("frequency", "reference_plot"),
}

#: A one-line ipympl plot whose slider updates the line with ``set_data`` and ``draw_idle``: what
#: ipympl's own examples do, and the reference the explorers' latency and drag frame rate are
#: compared with, served beside the notebooks in the same run. Its box carries the explorers'
#: CSS hooks so that the same test code finds its slider and canvas.
REFERENCE_NOTEBOOK = "reference_plot"
REFERENCE_CELLS = ["""\
%matplotlib widget
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np""", """\
with plt.ioff():
    fig, ax = plt.subplots()
x = np.linspace(0, 2 * np.pi, 200)
(line,) = ax.plot(x, np.sin(x))
slider = widgets.FloatSlider(value=1.0, min=0.1, max=5.0, step=0.1, description="frequency")


def move(change):
    line.set_data(x, np.sin(change["new"] * x))
    fig.canvas.draw_idle()


slider.observe(move, names="value")
slider.add_class("tp3-control-frequency")
readout = widgets.HTML("a one-line reference plot")
readout.add_class("tp3-readout")
box = widgets.VBox([slider, fig.canvas, readout])
box.add_class("tp3-explorer")
box"""]


def write_notebook(path: Path, cells: list[str]) -> None:
    """A notebook of code cells for the Python 3 kernel."""
    import nbformat

    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(nbformat.v4.new_notebook(
        metadata=kernel, cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)


def present_notebooks() -> list[str]:
    """Names (without ``.ipynb``) of the course's notebooks in :data:`NOTEBOOKS`, sorted."""
    return sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


# -- Chromium -------------------------------------------------------------------------------------
@dataclass
class Chromium:
    executable: str
    source: str  # how it was found

    def version(self) -> str:
        try:
            out = subprocess.run(
                [self.executable, "--version"], capture_output=True, text=True, timeout=30
            ).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            return f"unknown ({exc})"
        return out.strip().splitlines()[-1] if out.strip() else "unknown"


def find_chromium() -> Chromium | None:
    """``$TP3_CHROMIUM``, else ``/usr/bin/chromium``, else Playwright's own browser if installed."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        path = shutil.which(named)
        if path is None:
            raise FileNotFoundError(f"{CHROMIUM_ENV}={named!r} is not an executable file")
        return Chromium(path, f"${CHROMIUM_ENV}")
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return Chromium(DEBIAN_CHROMIUM, "Debian package")
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except Exception:  # noqa: BLE001 - no Playwright driver, no browser
        return None
    return Chromium(path, "Playwright's download") if os.access(path, os.X_OK) else None


def versions() -> dict[str, str]:
    """Versions of the pieces the browser tests exercise."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("playwright", "voila", "jupyterlab", "ipywidgets", "ipympl"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


# -- processes ------------------------------------------------------------------------------------
class ProcessTracker:
    """Every process the browser tests started, directly or not, so that the end can check them."""

    def __init__(self) -> None:
        self.seen: dict[int, psutil.Process] = {}

    def add(self, processes: Iterable[psutil.Process]) -> None:
        for process in processes:
            self.seen.setdefault(process.pid, process)

    def add_tree(self, pid: int) -> list[psutil.Process]:
        """Record ``pid`` and its descendants now; return them."""
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
        self.add(tree)
        return tree

    def alive(self) -> list[psutil.Process]:
        # is_running() also compares creation times, so a reused PID does not count.
        return [p for p in self.seen.values() if p.is_running() and not _is_zombie(p)]


def _is_zombie(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def describe(processes: Iterable[psutil.Process]) -> str:
    lines = []
    for process in processes:
        try:
            lines.append(f"{process.pid}: {' '.join(process.cmdline())[:160]}")
        except psutil.Error:
            lines.append(f"{process.pid}: (gone)")
    return "\n".join(lines)


def reap(processes: list[psutil.Process], timeout: float = 5.0) -> list[psutil.Process]:
    """Wait for ``processes`` to end; terminate, then kill, those that do not. Return the killed."""
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    forced = list(alive)
    for process in alive:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(alive, timeout=3)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=3)
    return forced


#: Every process the session started, checked at the end.
TRACKER = ProcessTracker()

#: What the session found and measured, shown in the terminal summary.
REPORT: dict[str, object] = {"latency": {}, "drag": {}}


# -- servers --------------------------------------------------------------------------------------
def free_port() -> int:
    """A loopback port free now: a hint for a server, which may find it taken when it binds
    (see :func:`start_server`)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: How Voilà and Jupyter servers announce in their log the loopback address they listen on.
ANNOUNCED = re.compile(r"http://127\.0\.0\.1:(\d+)/")


def isolated_env(root: Path) -> dict[str, str]:
    """Environment for a server: its own HOME, Jupyter and matplotlib dirs under ``root``."""
    env = dict(os.environ)
    for var, sub in {
        "HOME": "home",
        "JUPYTER_CONFIG_DIR": "jupyter/config",
        "JUPYTER_DATA_DIR": "jupyter/data",
        "JUPYTER_RUNTIME_DIR": "jupyter/runtime",
        "MPLCONFIGDIR": "matplotlib",
        "IPYTHONDIR": "ipython",
    }.items():
        path = root / sub
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    # The kernel runs this interpreter's environment (where tp3helpers is installed).
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


@dataclass
class Server:
    """A Jupyter or Voilà server in its own process group, stopped by its PID."""

    name: str
    process: subprocess.Popen
    url: str
    log: Path
    tracker: ProcessTracker
    forced: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(ANNOUNCED.match(self.url).group(1))

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> list[psutil.Process]:
        """SIGTERM to the process group, wait, escalate to SIGKILL; then end any kernel left.

        Returns the processes of the server's tree still running afterwards (none, normally).
        """
        tree = self.tracker.add_tree(self.process.pid)
        if self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.forced.append(f"{self.name} needed SIGKILL")
                _signal_group(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        # Kernels run in sessions of their own: a clean shutdown ends them, else end them here.
        killed = reap([p for p in tree if p.pid != self.process.pid])
        self.forced.extend(f"{self.name}: ended left-over {describe([p])}" for p in killed)
        return [p for p in tree if p.is_running() and not _is_zombie(p)]


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def start_server(
    name: str,
    argv: list[str],
    *,
    url: str,
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    tracker: ProcessTracker,
    timeout: float = 90.0,
) -> Server:
    """Start ``argv`` in a new session and wait until it answers ``url`` (any HTTP status) on
    the port it announces in its log; the returned server's ``url`` has that port.

    The port in ``url`` (from :func:`free_port`) is only asked for: between the test's choice
    and the server's bind another process can take it (a kernel's ZMQ socket, which does not
    speak HTTP), and Voilà and Jupyter then move to another port. So the server is asked only
    once it has said where it listens, never on a port it may not hold.
    """
    with open(log, "wb") as out:
        process = subprocess.Popen(
            argv, cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    server = Server(name, process, url, log, tracker)
    tracker.add_tree(process.pid)
    asked = ANNOUNCED.match(url)
    if asked is None:
        raise ValueError(f"url must start with http://127.0.0.1:<port>/, got {url!r}")
    deadline = time.monotonic() + timeout
    announced = None
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{server.log_tail()}")
        if announced is None:
            announced = ANNOUNCED.search(log.read_text(errors="replace"))
            if announced is not None:
                server.url = f"http://127.0.0.1:{announced.group(1)}{url[asked.end() - 1:]}"
        if announced is not None:
            try:
                with urllib.request.urlopen(server.url, timeout=5):
                    break
            except urllib.error.HTTPError:
                break  # it answers
            except (urllib.error.URLError, OSError):
                pass
        if time.monotonic() > deadline:
            server.stop()
            raise TimeoutError(f"{name} did not answer {server.url} in {timeout} s (port "
                               f"announced: {announced and announced.group(1)}):\n"
                               f"{server.log_tail()}")
        time.sleep(0.25)
    return server


#: The install stamps the Makefile's server targets depend on: the tests run those targets with
#: this interpreter's environment as ``VENV`` and tell make not to reinstall (``make -o``).
_STAMPS = ("lab", "lab+demo")


def make_command(target: str, **variables: str) -> list[str]:
    """``make TARGET`` in the repository, run as the Makefile runs it, with this environment.

    ``VENV`` is this interpreter's environment (``.venv`` in a normal checkout), so the server is
    the installed one; ``variables`` set Makefile variables such as ``PORT`` or ``SERVER_ARGS``.
    """
    venv = Path(sys.executable).parent.parent
    keep = [arg for stamp in _STAMPS for arg in ("-o", f"{venv}/.installed-{stamp}")]
    settings = [f"{name}={value}" for name, value in {"VENV": str(venv), **variables}.items()]
    return ["make", "--no-print-directory", "-C", str(REPO), *keep, target, *settings]


def percentile_summary(values: list[float]) -> tuple[float, float]:
    """Median and maximum."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return median, ordered[-1]


# -- pages (Playwright objects are passed in) -----------------------------------------------------
VOILA_ERROR = "There was an error when executing cell"
#: An IPython error output as JupyterLab and Voilà (``--show_tracebacks``) render it as text.
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s*Cell In\[\d+\], line \d+", re.M)
CANVAS = ".jupyter-matplotlib-figure canvas"

#: Installed in the page: watches one canvas's pixels every animation frame and notes the time of
#: the first key press after installation and of the first and last pixel change after it.
_WATCH_JS = """
(canvas) => {
  const context = canvas.getContext('2d');
  const read = () => context.getImageData(0, 0, canvas.width, canvas.height).data;
  const state = {keyAt: null, changedAt: null, lastChange: performance.now(), stop: false};
  let previous = read();
  if (window.__tp3watch) window.__tp3watch.stop = true;
  window.__tp3watch = state;
  window.addEventListener('keydown', (event) => {
    if (state.keyAt === null) state.keyAt = event.timeStamp;
  }, {capture: true, once: true});
  const differs = (a, b) => {
    if (a.length !== b.length) return true;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
    return false;
  };
  const tick = () => {
    if (state.stop) return;
    const now = performance.now();
    const pixels = read();
    if (differs(pixels, previous)) {
      previous = pixels;
      state.lastChange = now;
      if (state.keyAt !== null && state.changedAt === null) state.changedAt = now;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""


#: True once a canvas holds a picture: not every pixel is the same.
DRAWN_JS = """
(canvas) => {
  if (!canvas.width || !canvas.height) return false;
  const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 4; i < d.length; i += 4) {
    if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) return true;
  }
  return false;
}
"""


def assert_no_error(page) -> None:
    """No cell error, traceback or explorer error message in a Voilà page."""
    body = page.inner_text("body")
    assert VOILA_ERROR not in body, body[body.index(VOILA_ERROR) :][:2000]
    traceback = TRACEBACK.search(body)
    if traceback is not None:
        start = max(0, traceback.start() - 200)
        raise AssertionError("error output in Voila:\n" + body[start : start + 2000])
    errors = page.locator(".tp3-error")
    assert errors.count() == 0, errors.first.inner_text()


def explorer_parts(page, control: str):
    """Locators of the explorer holding control ``control``: (explorer, handle, readout, canvas)."""
    explorer = page.locator(".tp3-explorer", has=page.locator(f".tp3-control-{control}")).first
    handle = explorer.locator(f".tp3-control-{control} .noUi-handle").first
    readout = explorer.locator(".tp3-readout").first
    canvas = explorer.locator(CANVAS).first
    return explorer, handle, readout, canvas


def wait_for_control(page, control: str, timeout_ms: float = 60_000) -> None:
    """Wait for an explorer's control ``control``; fail with the controls the page has."""
    try:
        page.locator(f".tp3-explorer .tp3-control-{control}").first.wait_for(
            state="attached", timeout=timeout_ms)
    except Exception as exc:
        if type(exc).__name__ != "TimeoutError":
            raise
        hooks = page.evaluate(
            "() => [...document.querySelectorAll('.tp3-explorer [class*=\"tp3-control-\"]')]"
            ".flatMap((e) => [...e.classList].filter((c) => c.startsWith('tp3-control-')))"
        )
        names = [hook.removeprefix("tp3-control-") for hook in hooks]
        raise AssertionError(f"no explorer control {control!r} within {timeout_ms / 1000:g} s; "
                             f"controls in the page: {names}\n{exc}") from None


#: With progressive rendering Voilà shows a placeholder in each cell until the cell has run.
ALL_CELLS_RUN_JS = "() => !document.querySelector('.voila-skeleton-container')"


def wait_for_figure(page, canvas, timeout_ms: float = 60_000) -> None:
    """Wait until the ipympl canvas has a size and a picture that stays unchanged for a moment."""
    canvas.wait_for(state="attached", timeout=timeout_ms)
    try:
        canvas.wait_for(state="visible", timeout=timeout_ms)
    except Exception as exc:
        if type(exc).__name__ != "TimeoutError":
            raise
        size = canvas.evaluate("(c) => `${c.width}x${c.height}`")
        raise AssertionError(
            f"the explorer's figure never showed (canvas {size}): the ipympl view did not start"
        ) from None
    page.wait_for_function(DRAWN_JS, arg=canvas.element_handle(), polling=100, timeout=timeout_ms)
    canvas.evaluate(_WATCH_JS)
    page.wait_for_function(
        "() => performance.now() - window.__tp3watch.lastChange > 400", timeout=timeout_ms
    )
    # Stop watching: reading the canvas on every frame keeps a core a third busy.
    page.evaluate("() => { window.__tp3watch.stop = true; }")


def arrow_towards_room(handle) -> str:
    """``ArrowRight`` unless the slider is at its maximum (then ``ArrowLeft``)."""
    now, top = (handle.get_attribute(a) for a in ("aria-valuenow", "aria-valuemax"))
    try:
        return "ArrowRight" if float(now) < float(top) - 1e-9 else "ArrowLeft"
    except (TypeError, ValueError):
        return "ArrowRight"


def press_and_time(
    page, handle, canvas, timeout_ms: float = 15_000, quiet_ms: float = 250
) -> float:
    """Press an arrow key on ``handle``; milliseconds until ``canvas`` shows new pixels.

    Waits afterwards until the canvas has been still for ``quiet_ms``, so that the next move starts
    from a settled figure.
    """
    key = arrow_towards_room(handle)
    canvas.evaluate(_WATCH_JS)
    handle.focus()
    page.keyboard.press(key)
    page.wait_for_function("() => window.__tp3watch.changedAt !== null", timeout=timeout_ms)
    page.wait_for_function(
        f"() => performance.now() - window.__tp3watch.lastChange > {quiet_ms}", timeout=timeout_ms
    )
    state = page.evaluate(
        "() => { const s = window.__tp3watch; s.stop = true; return [s.keyAt, s.changedAt]; }"
    )
    return state[1] - state[0]


#: Installed in the page: counts the animation frames in which one canvas's pixels changed, from
#: the first key press after installation to the last one.
_COUNT_JS = """
(canvas) => {
  const context = canvas.getContext('2d');
  const read = () => context.getImageData(0, 0, canvas.width, canvas.height).data;
  const state = {firstKey: null, lastKey: null, changes: [], stop: false};
  let previous = read();
  if (window.__tp3count) window.__tp3count.stop = true;
  window.__tp3count = state;
  window.addEventListener('keydown', (event) => {
    if (state.firstKey === null) state.firstKey = event.timeStamp;
    state.lastKey = event.timeStamp;
  }, {capture: true});
  const tick = (now) => {
    if (state.stop) return;
    const pixels = read();
    for (let i = 0; i < pixels.length; i++) {
      if (pixels[i] !== previous[i]) { state.changes.push(now); break; }
    }
    previous = pixels;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""


def drag_frame_rate(page, handle, canvas, presses: int = 60, per_second: float = 30.0,
                    turn_every: int = 10) -> dict:
    """Hold the slider's arrow key as a keyboard repeats it: ``presses`` presses at
    ``per_second``, turning back every ``turn_every`` presses (to stay inside the range).
    Returns the frames per second in which the canvas changed between the first and the last
    press, with the counts."""
    canvas.evaluate(_COUNT_JS)
    handle.focus()
    start = time.monotonic()
    for i in range(presses):
        page.keyboard.press("ArrowRight" if (i // turn_every) % 2 == 0 else "ArrowLeft")
        time.sleep(max(0.0, start + (i + 1) / per_second - time.monotonic()))
    state = page.evaluate(
        "() => { const s = window.__tp3count; s.stop = true; return s; }")
    span = state["lastKey"] - state["firstKey"]
    frames = sum(state["firstKey"] <= t <= state["lastKey"] for t in state["changes"])
    return {"fps": 1000 * frames / span, "frames": frames, "presses": presses,
            "span_ms": span}


def wait_for_idle_cpu(busy_share: float = 0.25, timeout_s: float = 60.0) -> float:
    """Wait until the machine's CPUs are less than ``busy_share`` busy over half a second (or
    ``timeout_s`` passed), so that a timing does not share the CPUs with work left by earlier
    tests, such as the digits explorer still training after the keyboard test moved its controls.
    Returns the last busy share measured."""
    deadline = time.monotonic() + timeout_s
    while True:
        busy = psutil.cpu_percent(interval=0.5) / 100
        if busy < busy_share or time.monotonic() > deadline:
            return busy


def poll_until_changed(read, before, timeout_s: float = 15.0, what: str = "value"):
    """Call ``read()`` until it differs from ``before``; return the new value."""
    deadline = time.monotonic() + timeout_s
    while True:
        now = read()
        if now != before:
            return now
        if time.monotonic() > deadline:
            raise AssertionError(f"the {what} did not change within {timeout_s} s")
        time.sleep(0.1)


def move_and_check(page, control: str) -> None:
    """Move ``control`` one step with the keyboard: readout text and canvas pixels both change."""
    _, handle, readout, canvas = explorer_parts(page, control)
    handle.wait_for(state="visible")
    text_before = readout.inner_text()
    pixels_before = canvas.screenshot()
    key = arrow_towards_room(handle)
    handle.focus()
    page.keyboard.press(key)
    poll_until_changed(canvas.screenshot, pixels_before, what=f"figure after {key} on {control}")
    poll_until_changed(readout.inner_text, text_before, what=f"readout after {key} on {control}")


# -- fit and legibility ---------------------------------------------------------------------------
#: The viewports an explorer must fit in Voilà (the first is the projector's, for screenshots).
VIEWPORTS = [(1280, 720), (1024, 768), (1366, 768), (1920, 1080)]

#: Geometry of one explorer as the browser laid it out: its box, the viewport, the page's and the
#: explorer's horizontal overflow, the canvas's CSS and backing sizes, the readout's font sizes.
_GEOMETRY_JS = """
(explorer) => {
  const rect = explorer.getBoundingClientRect();
  const canvas = explorer.querySelector('.jupyter-matplotlib-figure canvas');
  const crect = canvas.getBoundingClientRect();
  const readout = explorer.querySelector('.tp3-readout');
  const texts = [readout, ...readout.querySelectorAll('*')].filter(
    (e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
  const root = document.scrollingElement || document.documentElement;
  let sideways = root.scrollWidth - root.clientWidth;  // any box around it that scrolls sideways
  for (let n = explorer.parentElement; n; n = n.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(n).overflowX)) {
      sideways = Math.max(sideways, n.scrollWidth - n.clientWidth);
    }
  }
  return {
    top: rect.top, bottom: rect.bottom, left: rect.left, right: rect.right,
    width: rect.width, height: rect.height,
    viewport: [window.innerWidth, window.innerHeight],
    page_overflow: sideways,
    explorer_overflow: explorer.scrollWidth - explorer.clientWidth,
    canvas_css: [crect.width, crect.height], canvas_px: [canvas.width, canvas.height],
    dpr: window.devicePixelRatio,
    readout_px: Math.min(...texts.map((e) => parseFloat(getComputedStyle(e).fontSize))),
    // Each number of the readout on one line: a span broken across lines has two line boxes.
    numbers: readout.querySelectorAll('.tp3-number').length,
    broken_numbers: [...readout.querySelectorAll('.tp3-number')]
      .filter((e) => e.getClientRects().length > 1).map((e) => e.textContent),
    arrangement: getComputedStyle(explorer).gridTemplateAreas,
  };
}
"""


def explorer_geometry(explorer) -> dict:
    return explorer.evaluate(_GEOMETRY_JS)


def wait_until_settled(explorer, quiet_s: float = 0.8, timeout_s: float = 90.0) -> dict:
    """Wait until Python has handled the last room the browser reported (the explorer's
    ``data-tp3-room`` is ``fitted``) and the box and canvas then keep their size for ``quiet_s``;
    return the geometry."""
    deadline = time.monotonic() + timeout_s
    last, since = None, time.monotonic()
    while True:
        geometry = explorer_geometry(explorer)
        shape = (round(geometry["width"]), round(geometry["height"]),
                 tuple(geometry["canvas_px"]), geometry["arrangement"],
                 explorer.get_attribute("data-tp3-room"))
        if shape != last or shape[-1] != "fitted":
            last, since = shape, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return geometry
        if time.monotonic() > deadline:
            raise AssertionError(f"the explorer kept changing size for {timeout_s} s: {geometry}")
        time.sleep(0.1)


def fit_problems(explorer, *, min_readout_px: float, share: float = 0.8,
                 check_share: bool = True, check_height: bool = True) -> list[str]:
    """What is wrong with the explorer's fit now (scrolled to its top); empty when it fits.

    The explorer is inside the viewport (across only, with ``check_height=False``: a notebook
    scrolls down through a tall output), uses ``share`` of its width or height, nothing scrolls
    sideways, the canvas is not scaled by CSS (one figure pixel per CSS pixel, so the figure's
    text has the size in CSS pixels that its font size in points times dpi / 72 gives), the
    readout's text is at least ``min_readout_px`` and each of its numbers is on one line.
    """
    wait_until_settled(explorer)
    explorer.evaluate("(e) => e.scrollIntoView({block: 'start'})")
    wait_until_settled(explorer, quiet_s=0.3)
    # Outputs above may still change height (figures of other cells): scroll again, then measure.
    explorer.evaluate("(e) => e.scrollIntoView({block: 'start'})")
    g = explorer_geometry(explorer)
    width, height = g["viewport"]
    problems = []
    if (check_height and (g["top"] < -1 or g["bottom"] > height + 1)
            or g["left"] < -1 or g["right"] > width + 1):
        problems.append(f"not inside the {width}x{height} viewport: {g}")
    if check_share and g["width"] < share * width and g["height"] < share * height:
        problems.append(f"uses less than {share:.0%} of the viewport's width and height: {g}")
    if g["page_overflow"] > 0 or g["explorer_overflow"] > 0:
        problems.append(f"scrolls sideways: {g}")
    scale = [px / (css * g["dpr"]) for px, css in zip(g["canvas_px"], g["canvas_css"], strict=True)]
    if any(abs(s - 1) > 0.01 for s in scale):
        problems.append(f"the canvas is scaled by CSS ({scale}): figure text size unknown: {g}")
    if g["readout_px"] < min_readout_px:
        problems.append(f"readout text {g['readout_px']} px < {min_readout_px} px")
    if g["numbers"] == 0 or g["broken_numbers"]:
        problems.append(f"readout numbers broken across lines: {g['broken_numbers']} "
                        f"(of {g['numbers']} kept whole)")
    return problems


# -- keyboard -------------------------------------------------------------------------------------
#: The focused element: which explorer control it belongs to, what it is, its value, and whether
#: it is at the end of its range (then the arrow key goes the other way).
_FOCUS_JS = """
() => {
  const a = document.activeElement;
  const control = a && a.closest('[class*="tp3-control-"]');
  if (!control) return {name: null};
  const name = [...control.classList].find((c) => c.startsWith('tp3-control-')).slice(12);
  if (a.classList.contains('noUi-handle')) {
    const now = parseFloat(a.getAttribute('aria-valuenow'));
    // The value as the slider shows it (noUiSlider's aria-valuenow is not always kept up to date).
    const shown = control.querySelector('.widget-readout');
    return {name, kind: 'slider',
            value: shown ? shown.textContent : a.getAttribute('aria-valuenow'),
            last: now >= parseFloat(a.getAttribute('aria-valuemax')) - 1e-9};
  }
  if (a.tagName === 'SELECT') {
    return {name, kind: 'select', value: a.value,
            last: a.selectedIndex === a.options.length - 1};
  }
  return {name, kind: a.tagName.toLowerCase(), value: null, last: false};
}
"""


def tab_through_controls(page, explorer, count: int) -> list[str]:
    """From the explorer's title, press Tab until focus leaves the explorer's controls. On each
    slider handle or drop-down reached, press an arrow key and check that the control's value and
    the figure's pixels change. Returns the control names in the order they were reached."""
    canvas = explorer.locator(CANVAS).first
    explorer.locator(".widget-html").first.click()  # where sequential focus navigation starts
    reached: list[str] = []
    for _ in range(4 * count + 8):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUS_JS)
        if focused["name"] is None:
            if reached:
                break  # past the last control
            continue
        if focused["kind"] not in ("slider", "select") or focused["name"] in reached:
            continue  # a slider's editable number, or a part of a control already done
        if focused["kind"] == "slider":
            key = "ArrowLeft" if focused["last"] else "ArrowRight"
        else:
            key = "ArrowUp" if focused["last"] else "ArrowDown"
        pixels = canvas.screenshot()
        what = f"control {focused['name']} after {key}"
        page.keyboard.press(key)
        poll_until_changed(lambda: page.evaluate(_FOCUS_JS).get("value"), focused["value"],
                           what=what)
        poll_until_changed(canvas.screenshot, pixels, what=f"figure after {what}")
        reached.append(focused["name"])
    return reached
