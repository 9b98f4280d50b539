"""Fixtures for the real-browser tests: Chromium driven by Playwright, Voilà and JupyterLab servers.

Chromium is ``$TP3_CHROMIUM`` if set, else ``/usr/bin/chromium`` (Debian's ``chromium`` package),
else Playwright's own browser if one was installed. Without one the tests skip, saying how to get
one; with ``CI`` set they fail instead. Servers run on a free loopback port, in their own process
group, with a temporary HOME and Jupyter/matplotlib dirs, on a copy of ``notebooks/``; they are
stopped by PID and the session checks that no server, kernel or browser process is left.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
import time
from pathlib import Path

import psutil
import pytest
from browser_support import (
    CHROMIUM_ARGS,
    INSTALL_HINT,
    NOTEBOOKS,
    REFERENCE_CELLS,
    REFERENCE_NOTEBOOK,
    REPO,
    REPORT,
    SCREENSHOTS_ENV,
    TRACKER,
    Chromium,
    Server,
    describe,
    find_chromium,
    free_port,
    isolated_env,
    make_command,
    percentile_summary,
    reap,
    start_server,
    versions,
    write_notebook,
)


def _chromium_or_reason() -> tuple[Chromium | None, str]:
    try:
        chromium = find_chromium()
    except FileNotFoundError as exc:
        return None, f"{exc}. {INSTALL_HINT}"
    return chromium, "" if chromium else INSTALL_HINT


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Shown when the browser tests are on the command line (see also the terminal summary)."""
    chromium, reason = _chromium_or_reason()
    browser = f"{chromium.executable} ({chromium.version()})" if chromium else reason
    pieces = ", ".join(f"{k} {v}" for k, v in versions().items())
    return [f"browser tests: {browser}", f"browser tests: {pieces}"]


#: Where the latency and drag measurements go (``benchmarks/report.py`` makes a table of them).
RESULTS_ENV = "TP3_BROWSER_RESULTS"


def _write_results(path: Path) -> None:
    """The browser's timings as JSON, with the machine they were taken on."""
    import platform

    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    latency: dict[str, list[float]] = REPORT["latency"]  # type: ignore[assignment]
    results = {
        "machine": {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
                    "browser": REPORT["browser"], "load_average": os.getloadavg(),
                    "versions": versions()},
        "datetime": time.strftime("%Y-%m-%dT%H:%M", time.gmtime()),
        "latency": {name: {"moves_ms": values, "median_ms": percentile_summary(values)[0]}
                    for name, values in latency.items()},
        "drag": REPORT["drag"],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    if "browser" not in REPORT:
        return
    write = terminalreporter.write_line
    terminalreporter.section("browser tests")
    write(f"browser: {REPORT['browser']}")
    write("versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    latency: dict[str, list[float]] = REPORT["latency"]  # type: ignore[assignment]
    for name, values in latency.items():
        median, worst = percentile_summary(values)
        write(
            f"latency {name}: key press to new canvas pixels, {len(values)} moves in Voila: "
            f"median {median:.0f} ms, max {worst:.0f} ms"
        )
        write("    each move (ms): " + " ".join(f"{v:.0f}" for v in values))
    drag: dict[str, dict] = REPORT["drag"]  # type: ignore[assignment]
    for name, found in drag.items():
        write(f"drag {name}: {found['fps']:.1f} frames/s ({found['frames']} frames changed in "
              f"{found['span_ms']:.0f} ms of {found['presses']} key presses)")
    if latency or drag:
        path = Path(os.environ.get(RESULTS_ENV, REPO / "benchmarks" / "results" / "browser.json"))
        _write_results(path)
        write(f"timings written to {path} (benchmarks/report.py makes a table of them)")
    if "screenshots" in REPORT:
        write(f"screenshots: {REPORT['screenshots']}")
    if REPORT.get("forced"):
        write("processes ended by force: " + "; ".join(REPORT["forced"]))  # type: ignore[arg-type]


# -- processes ------------------------------------------------------------------------------------
@pytest.fixture(scope="session", autouse=True)
def _no_process_left_behind():
    """At the very end, every server, kernel and browser process the tests started has ended."""
    yield
    alive = TRACKER.alive()
    if alive:
        listing = describe(alive)
        reap(alive, timeout=1)
        pytest.fail(f"browser tests left processes running (now ended):\n{listing}")
    ours = ("chrom", "voila", "jupyterlab", "jupyter-lab", "playwright")
    strays = [
        p for p in psutil.Process().children(recursive=True)
        if any(word in " ".join(_cmdline(p)) for word in ours)
    ]
    assert not strays, "browser or server processes still running:\n" + describe(strays)


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


# -- browser --------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium() -> Chromium:
    found, reason = _chromium_or_reason()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and the browser tests cannot run. {reason}", pytrace=False)
        pytest.skip(reason)
    REPORT["browser"] = f"{found.executable} ({found.version()}, {found.source})"
    return found


@pytest.fixture(scope="module")
def browser_context(chromium: Chromium, tmp_path_factory: pytest.TempPathFactory):
    """One headless Chromium with a fresh temporary profile for each test module.

    Not for the whole session: Playwright's synchronous API keeps an asyncio event loop running
    in the main thread while it is started, and the tests after the browser tests (the digits
    explorer's background runs among them) must not find one."""
    from playwright.sync_api import sync_playwright

    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    playwright = sync_playwright().start()
    context = None
    try:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=chromium.executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        started = [p for p in me.children(recursive=True) if p.pid not in before]
        TRACKER.add(started)
        yield context
    finally:
        started = [p for p in me.children(recursive=True) if p.pid not in before]
        TRACKER.add(started)
        if context is not None:
            context.close()
        playwright.stop()
        forced = reap(started, timeout=10)
        REPORT.setdefault("forced", []).extend(  # type: ignore[union-attr]
            f"browser process {p.pid}" for p in forced
        )


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # shown in failure messages
    yield page
    page.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``$TP3_SCREENSHOTS_DIR`` (``make screenshots`` sets docs/images) or a temporary folder."""
    named = os.environ.get(SCREENSHOTS_ENV)
    path = Path(named) if named else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    REPORT["screenshots"] = str(path)
    return path


# -- servers --------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def notebook_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The notebooks, copied (JupyterLab may save them, and the tests must not change them), and
    the reference plot beside them."""
    target = tmp_path_factory.mktemp("notebooks") / "notebooks"
    shutil.copytree(NOTEBOOKS, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    write_notebook(target / f"{REFERENCE_NOTEBOOK}.ipynb", REFERENCE_CELLS)
    return target


def _serve(name: str, argv: list[str], url: str, root: Path) -> Server:
    env = isolated_env(root)
    _write_lab_settings(Path(env["JUPYTER_CONFIG_DIR"]))
    return start_server(name, argv, url=url, cwd=root, env=env, log=root / f"{name}.log",
                        tracker=TRACKER)


def _stop(server: Server) -> None:
    left = server.stop()
    REPORT.setdefault("forced", []).extend(server.forced)  # type: ignore[union-attr]
    assert not left, f"{server.name} left processes running:\n{describe(left)}"


def _write_lab_settings(config_dir: Path) -> None:
    """JupyterLab quiet and complete: no news pop-up, every cell kept in the page."""
    settings = config_dir / "lab" / "user-settings" / "@jupyterlab"
    files = {
        "apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false", "checkForUpdates": False,
        },
        "notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }
    for relative, content in files.items():
        path = settings / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))
    # Server extensions the tests do not need (language servers scan the machine at start).
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {"jupyter_lsp": False}}}
    ))


@pytest.fixture(scope="module")
def voila_server(chromium, notebook_copy: Path, tmp_path_factory: pytest.TempPathFactory):
    """Voilà serving the notebooks with ``make demo`` (plus tracebacks, no browser)."""
    port = free_port()
    root = tmp_path_factory.mktemp("voila")
    argv = make_command("demo", PORT=str(port), NOTEBOOKS=str(notebook_copy),
                        DEMO_DIR=str(root / "demo"),
                        SERVER_ARGS="--no-browser --show_tracebacks=True")
    server = _serve("voila", argv, f"http://127.0.0.1:{port}/", root)
    try:
        yield server
    finally:
        _stop(server)


@pytest.fixture(scope="module")
def voila_url(voila_server: Server) -> str:
    """Base URL of :func:`voila_server`, without the final slash."""
    return voila_server.url.rstrip("/")


@pytest.fixture(scope="module")
def lab(chromium, notebook_copy: Path, tmp_path_factory: pytest.TempPathFactory):
    """``(base URL, token)`` of JupyterLab on loopback with a random token."""
    port = free_port()
    token = secrets.token_hex(16)
    root = tmp_path_factory.mktemp("lab")
    argv = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={notebook_copy}", "--ServerApp.allow_root=True",
        "--LabApp.extension_manager=readonly",
        # window.jupyterapp: a test opens a second notebook beside the first with a lab command.
        "--LabApp.expose_app_in_browser=True",
    ]
    server = _serve("jupyterlab", argv, f"http://127.0.0.1:{port}/api/status?token={token}", root)
    try:
        yield f"http://127.0.0.1:{server.port}", token
    finally:
        _stop(server)
