"""Open each notebook's Voilà page many times in a row and time how long its explorer takes to come.

``make soak`` runs this (it is not part of ``make test``): Voilà as ``make demo`` serves it, one
headless Chromium, and for each notebook ``--runs`` page loads one after the other, each a new
page with its own kernel. For each load it prints the seconds from the request to the explorer's
figure drawn and still. A load whose explorer has not come within ``--timeout`` seconds is a
failure: the page's console, its errors, the kernel messages it exchanged over its websocket,
its text and HTML, a screenshot and the Voilà server's log lines of that load (the kernel's
output goes there too) are saved under ``--logs``. The exit status is 1 if any load failed.

Usage: python scripts/soak_voila.py [--runs 20] [--timeout 120] [--viewport 1280x720]
                                    [--logs soak-logs] [NOTEBOOK ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))  # the browser tests' own helpers

from browser_support import (  # noqa: E402
    CHROMIUM_ARGS,
    MAIN_CONTROLS,
    TRACKER,
    describe,
    find_chromium,
    free_port,
    isolated_env,
    make_command,
    percentile_summary,
    present_notebooks,
    start_server,
    wait_for_control,
    wait_for_figure,
)


class PageLog:
    """Everything one page says while it loads: console lines, errors, websocket frames."""

    def __init__(self, page) -> None:
        self.lines: list[str] = []
        self.frames: list[str] = []
        start = time.monotonic()

        def stamp() -> str:
            return f"{time.monotonic() - start:8.3f}s"

        page.on("console", lambda m: self.lines.append(f"{stamp()} console.{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.lines.append(f"{stamp()} page error: {e}"))
        page.on("requestfailed", lambda r: self.lines.append(
            f"{stamp()} request failed: {r.method} {r.url} {r.failure}"))

        def on_socket(socket) -> None:
            self.lines.append(f"{stamp()} websocket opened: {socket.url}")
            socket.on("framesent", lambda f: self.frames.append(f"{stamp()} > {_summary(f)}"))
            socket.on("framereceived",
                      lambda f: self.frames.append(f"{stamp()} < {_summary(f)}"))
            socket.on("close", lambda _: self.lines.append(f"{stamp()} websocket closed"))

        page.on("websocket", on_socket)


def _decode(frame: bytes) -> dict | None:
    """A kernel message in Jupyter's binary websocket framing (v1.kernel.websocket.jupyter.org):
    the number of offsets, the offsets, then channel, header, parent header, metadata, content
    and buffers at those offsets."""
    try:
        count = int.from_bytes(frame[:8], "little")
        offsets = [int.from_bytes(frame[8 + 8 * i:16 + 8 * i], "little") for i in range(count)]
        parts = [frame[a:b] for a, b in zip(offsets, [*offsets[1:], len(frame)], strict=True)]
        return {"channel": parts[0].decode(), "header": json.loads(parts[1]),
                "content": json.loads(parts[4]), "buffers": len(parts) - 5}
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def _summary(frame: object) -> str:
    """A kernel message on the websocket: its type, and what a comm message does."""
    message = _decode(frame) if isinstance(frame, bytes) else None
    if message is None:
        try:
            message = json.loads(frame)
        except (TypeError, ValueError):
            return f"{len(frame)} bytes, not a kernel message"
    header = message.get("header", {})
    content = message.get("content", {})
    detail = ""
    if "comm_id" in content:
        data = content.get("data", {})
        detail = f" comm {content['comm_id'][:8]} {data.get('method', '')}"
        if isinstance(data.get("state"), dict):
            detail += f" {data['state'].get('_model_name', '')}"
        if "target_name" in content:
            detail += f" target {content['target_name']}"
        if data.get("method") == "update_states":
            detail += f" ({len(data.get('states', {}))} widgets)"
    elif "comms" in content:
        detail = f" ({len(content['comms'])} comms)"
    elif "execution_state" in content:
        detail = f" {content['execution_state']}"
    elif header.get("msg_type") in ("error", "stream"):
        detail = " " + str(content.get("text", content.get("evalue", "")))[:300]
    return f"{message.get('channel', '')} {header.get('msg_type', '')}{detail}"


def open_once(context, url: str, notebook: str, timeout_s: float, slowdown: float = 1.0):
    """Load the page; return (seconds to the explorer or None, the page, its log). With
    ``slowdown`` > 1 the page's CPU is throttled that many times (Chromium's DevTools), as on a
    slow or busy computer."""
    page = context.new_page()
    log = PageLog(page)
    if slowdown > 1:
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    start = time.monotonic()
    try:
        page.goto(url, wait_until="load", timeout=timeout_s * 1000)
        left = max(1.0, timeout_s - (time.monotonic() - start)) * 1000
        wait_for_control(page, MAIN_CONTROLS[notebook].control, timeout_ms=left)
        canvas = page.locator(".tp3-explorer .jupyter-matplotlib-figure canvas").first
        left = max(1.0, timeout_s - (time.monotonic() - start)) * 1000
        wait_for_figure(page, canvas, timeout_ms=left)
        return time.monotonic() - start, page, log
    except Exception as exc:  # noqa: BLE001 - a timeout or an assertion: this load failed
        log.lines.append(f"failed after {time.monotonic() - start:.1f} s: "
                         f"{type(exc).__name__}: {exc}")
        log.lines.append(f"cells run by then: {cells_run(page)}")
        return None, page, log


def cells_run(page) -> str:
    """How many of the page's cells Voilà had run: a slow page is not a page that never comes.
    (With progressive rendering a cell shows a placeholder until it has run.)"""
    try:
        total, waiting = page.evaluate(
            "() => [document.querySelectorAll('[cell-index]').length, "
            "document.querySelectorAll('.voila-skeleton-container').length]")
    except Exception as exc:  # noqa: BLE001 - the page may be gone
        return f"unknown ({exc})"
    return f"{total - waiting} of {total}"


def save_failure(folder: Path, page, log: PageLog, server_log: Path, offset: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page-log.txt").write_text("\n".join(log.lines) + "\n")
    (folder / "kernel-messages.txt").write_text("\n".join(log.frames) + "\n")
    with open(server_log, "rb") as server:
        server.seek(offset)
        (folder / "server-log.txt").write_bytes(server.read())
    try:
        (folder / "page-text.txt").write_text(page.inner_text("body"))
        (folder / "page.html").write_text(page.content())
        page.screenshot(path=folder / "page.png", full_page=False)
    except Exception as exc:  # noqa: BLE001 - the page may be gone
        (folder / "page-text.txt").write_text(f"(could not read the page: {exc})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="names without .ipynb (default: all)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per page load")
    parser.add_argument("--viewport", default="1280x720")
    parser.add_argument("--logs", type=Path, default=REPO / "soak-logs")
    parser.add_argument("--cpu-slowdown", type=float, default=1.0,
                        help="throttle the page's CPU this many times (a slow computer)")
    parser.add_argument("--voila-args", default="", help="more options for Voilà, e.g. "
                        "--VoilaConfiguration.progressive_rendering=False")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or [n for n in present_notebooks() if n in MAIN_CONTROLS]
    width, height = (int(v) for v in args.viewport.split("x"))
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("No Chromium found (see tests/browser/browser_support.py).")

    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {name: [] for name in notebooks}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tp3-soak-") as tmp:
        root = Path(tmp)
        port = free_port()
        argv_ = make_command("demo", PORT=str(port), NOTEBOOKS=str(REPO / "notebooks"),
                             DEMO_DIR=str(root / "demo"),
                             SERVER_ARGS="--no-browser --show_tracebacks=True --debug "
                             + args.voila_args)
        server_log = root / "voila.log"
        server = start_server("voila", argv_, url=f"http://127.0.0.1:{port}/", cwd=REPO,
                              env=isolated_env(root), log=server_log, tracker=TRACKER)
        try:
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    str(root / "profile"), executable_path=chromium.executable, headless=True,
                    args=CHROMIUM_ARGS, viewport={"width": width, "height": height})
                for notebook in notebooks:
                    url = f"{server.url}voila/render/{notebook}.ipynb"
                    for run in range(1, args.runs + 1):
                        offset = server_log.stat().st_size
                        seconds, page, log = open_once(context, url, notebook, args.timeout,
                                                       args.cpu_slowdown)
                        if seconds is None:
                            folder = args.logs / f"{notebook}-{run:02d}"
                            save_failure(folder, page, log, server_log, offset)
                            failures.append(f"{notebook} load {run}: logs in {folder}")
                            print(f"{notebook} load {run:2d}: no explorer within "
                                  f"{args.timeout:g} s, {log.lines[-1]} (logs in {folder})",
                                  flush=True)
                        else:
                            times[notebook].append(seconds)
                            missing = sum("model not found" in line for line in log.lines)
                            print(f"{notebook} load {run:2d}: explorer after {seconds:5.1f} s"
                                  + (f" ({missing} 'widget model not found' errors)"
                                     if missing else ""), flush=True)
                        page.close()
                context.close()
        finally:
            left = server.stop()
            if left:
                print("processes left by the server:\n" + describe(left))
    print(f"\n{args.runs} loads per notebook at {width}x{height}, limit {args.timeout:g} s:")
    for notebook, values in times.items():
        if values:
            median, worst = percentile_summary(values)
            print(f"  {notebook}: {len(values)}/{args.runs} came; median {median:.1f} s, "
                  f"max {worst:.1f} s; each: " + " ".join(f"{v:.1f}" for v in values))
        else:
            print(f"  {notebook}: 0/{args.runs} came")
    for failure in failures:
        print("  FAILED " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
