"""``make class-load``: how many students one machine serves, measured on a real JupyterHub.

Starts the hub as ``make hub`` does (deploy/hub.py, on 127.0.0.1 only, in a temporary folder) and
simulates a class (benchmarks/class_load_student.py): for N = 1, 2, 4, 8, ... students, each new
student logs in with a token, starts their server, opens notebook 3 and notebook 1 in kernels, runs
every cell and saves; then all N drag notebook 3's explorer slider at 10 moves a second for a fixed
time, each move timed from the widget update to the explorer's next frame. Meanwhile one real
Chromium student, logged in through the hub's login page, presses arrow keys on the same explorer
in Voila (/user/NAME/voila/) and times key press to new pixels, with the browser tests' code.
The CPU and memory of the hub, the proxy, the students' servers and kernels are sampled.

It stops at the first N whose 95th-percentile frame time reaches 150 ms or that shows an error
(or when the machine's memory would not hold twice as many students), then runs the fault checks
with four students dragging: the hub process restarted mid-drag, then one student's server killed;
and the isolation checks. Everything is written to the JSON file given; class_load_report.py turns
it into the table and plot of docs/class.md. Every process it started ends, whatever happens.

Usage: python benchmarks/class_load.py --json OUT.json [--quick] [--sizes 1,2,4] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "deploy"), str(REPO / "tests" / "browser")]  # scripts, not packages

from browser_support import MAIN_CONTROLS  # noqa: E402
from class_load_student import (  # noqa: E402
    Drag,
    Kernel,
    call,
    create_student,
    start_server,
    stop_server,
)
from hub import HOST, Hub, HubSettings, free_port  # noqa: E402

DRAGGED, ALSO_OPEN = "03_momentum_physics", "01_softmax_cross_entropy"
CONTROL = MAIN_CONTROLS[DRAGGED].control
RATE = 10.0  # moves a second, as a student drags
LIMIT_MS = 150.0  # the 95th-percentile frame time a class still finds live
MAX_STUDENTS = 128
PRESS_PAUSE_S = 1.0  # the Chromium student's pause between two timed key presses


@dataclass
class Student:
    """A simulated student: their token, server and the notebooks open in kernels."""

    name: str
    token: str
    server: str
    kernels: dict[str, Kernel] = field(default_factory=dict)
    saved: dict[str, dict] = field(default_factory=dict)  # notebook path -> as saved
    start_s: float = 0.0  # server start
    run_s: float = 0.0  # running the notebooks' cells


async def join(hub_url: str, admin_token: str, name: str, notebooks: list[str]) -> Student:
    """A new student: user and token, server started, each notebook run in a kernel and saved."""
    token = await create_student(hub_url, admin_token, name)
    student = Student(name, token, f"{hub_url}/user/{name}")
    student.start_s = await start_server(hub_url, name, token)
    began = time.monotonic()
    for notebook in notebooks:
        await open_notebook(student, notebook)
    student.run_s = time.monotonic() - began
    return student


async def open_notebook(student: Student, notebook: str) -> None:
    """Open ``notebook`` in a new kernel, Run All, save it with its outputs."""
    path = f"{notebook}.ipynb"
    kernel = await Kernel(student.server, student.token, path).open()
    student.kernels[notebook] = kernel
    student.saved[path] = await kernel.run_all()
    await kernel.save(student.saved[path])


# -- processes: who uses the CPU and the memory ---------------------------------------------------
GROUPS = ("hub", "proxy", "servers", "kernels", "driver", "browser")


def group_of(process: psutil.Process) -> str | None:
    try:
        line = " ".join(process.cmdline())
    except psutil.Error:
        return None
    if "jupyterhub-singleuser" in line:
        return "servers"
    if "ipykernel" in line:
        return "kernels"
    if "configurable-http-proxy" in line:
        return "proxy"
    if "jupyterhub" in line:  # the hub and its idle culler
        return "hub"
    if "chrom" in line or "playwright" in line:
        return "browser"
    return None


class Usage:
    """CPU time and resident memory of each group of processes over a window of time."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.cpu0: dict[int, float] = {}
        self.peak: dict[str, float] = dict.fromkeys(GROUPS, 0.0)
        self.peak_user: dict[str, float] = {}  # a student's server and kernels together
        self.began = 0.0
        self._stop = asyncio.Event()

    def _processes(self) -> list[tuple[str, psutil.Process]]:
        me = psutil.Process()
        found = [("driver", me)]
        for process in [*self.hub.processes(), *me.children(recursive=True)]:
            group = group_of(process)
            if group and all(process.pid != p.pid for _, p in found):
                found.append((group, process))
        return found

    def _sample(self) -> None:
        rss = dict.fromkeys(GROUPS, 0.0)
        users: dict[str, float] = {}
        for group, process in self._processes():
            try:
                mb = process.memory_info().rss / 2**20
                self.cpu0.setdefault(process.pid, _cpu(process) if not self.began else 0.0)
                rss[group] += mb
                if group in ("servers", "kernels"):
                    user = self._user(process)
                    users[user] = users.get(user, 0.0) + mb
            except psutil.Error:
                continue
        for group in GROUPS:
            self.peak[group] = max(self.peak[group], rss[group])
        for user, mb in users.items():
            self.peak_user[user] = max(self.peak_user.get(user, 0.0), mb)

    def _user(self, process: psutil.Process) -> str:
        """Whose server or kernel: the student's folder it works in (``?`` if elsewhere)."""
        home = self.hub.settings.state.resolve() / "users"
        try:
            return Path(process.cwd()).resolve().relative_to(home).parts[0]
        except (ValueError, IndexError):
            return "?"

    async def run(self) -> None:
        self._sample()
        self.began = time.monotonic()
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), 1.0)
            except asyncio.TimeoutError:
                self._sample()

    def stop(self) -> dict:
        """CPU (% of one core) and peak memory (MB) of each group since :meth:`run` began."""
        self._stop.set()
        seconds = time.monotonic() - self.began
        cpu = dict.fromkeys(GROUPS, 0.0)
        for group, process in self._processes():
            try:
                cpu[group] += (_cpu(process) - self.cpu0.get(process.pid, 0.0)) / seconds * 100
            except psutil.Error:
                continue
        return {"seconds": seconds, "cpu_percent": cpu, "peak_rss_mb": dict(self.peak),
                "peak_rss_mb_per_student": dict(sorted(self.peak_user.items()))}


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


# -- the real browser -----------------------------------------------------------------------------
class ChromiumStudent(threading.Thread):
    """A student in Chromium (the browser tests' code): logs in on the hub's page, opens notebook
    3 in Voila at /user/NAME/voila/, and while :attr:`window` is set presses arrow keys on the
    explorer's slider, timing key press to new pixels; the times go to :attr:`latency`."""

    def __init__(self, hub_url: str, password: str) -> None:
        super().__init__(name="chromium-student", daemon=True)
        self.hub_url, self.password, self.name_ = hub_url, password, "chromium"
        self.ready, self.window, self.done = threading.Event(), threading.Event(), threading.Event()
        self.latency: list[float] = []
        self.error: str | None = None

    def run(self) -> None:
        from browser_support import (
            CHROMIUM_ARGS,
            explorer_parts,
            find_chromium,
            press_and_time,
            wait_for_control,
            wait_for_figure,
        )
        from playwright.sync_api import sync_playwright

        try:
            chromium = find_chromium()
            if chromium is None:
                raise RuntimeError("no Chromium: see tests/browser (TP3_CHROMIUM)")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium.executable, headless=True, args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1280, "height": 720})
                    page.set_default_timeout(120_000)
                    page.goto(f"{self.hub_url}/hub/login")
                    page.fill("input[name=username]", self.name_)
                    page.fill("input[name=password]", self.password)
                    page.click("input[type=submit], button[type=submit]")
                    page.wait_for_url("**/user/**", timeout=300_000)
                    page.goto(f"{self.hub_url}/user/{self.name_}/voila/render/{DRAGGED}.ipynb",
                              timeout=300_000)
                    wait_for_control(page, CONTROL, timeout_ms=300_000)
                    _, handle, _, canvas = explorer_parts(page, CONTROL)
                    wait_for_figure(page, canvas, timeout_ms=300_000)
                    self.ready.set()
                    while not self.done.is_set():
                        if self.window.wait(0.2) and not self.done.is_set():
                            latency = press_and_time(page, handle, canvas, timeout_ms=30_000)
                            if self.window.is_set():
                                self.latency.append(latency)
                            # Timing reads the canvas on every frame, about half a core here
                            # (a student's browser is on their own computer): one key a second.
                            self.done.wait(PRESS_PAUSE_S)
                finally:
                    browser.close()
        except Exception as exc:  # noqa: BLE001 - reported in the results, never hangs the run
            self.error = f"{type(exc).__name__}: {exc}"
            self.ready.set()

    def measure(self) -> list[float]:
        """Start a window of measurement; return the list its latencies go to (see :meth:`end`)."""
        self.latency = []
        self.window.set()
        return self.latency

    def end(self) -> list[float]:
        self.window.clear()
        return list(self.latency)


# -- one class size -------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(drags: list[Drag]) -> dict:
    frames = [ms for drag in drags for ms in drag.frame_ms]
    return {
        "median_ms": percentile(frames, 50), "p95_ms": percentile(frames, 95),
        "max_ms": max(frames) if frames else None,
        "ticks": sum(d.ticks for d in drags), "sent": sum(d.sent for d in drags),
        "answered": sum(d.answered for d in drags), "unchanged": sum(d.unchanged for d in drags),
        "lost": sum(d.lost for d in drags),
        "distinct_frames": sum(d.distinct_frames for d in drags),
        "errors": [e for d in drags for e in d.errors],
    }


async def drag_all(students: list[Student], seconds: float, rng: random.Random) -> list[Drag]:
    """Every student drags notebook 3's slider at once (each starting within one move's time)."""
    return list(await asyncio.gather(*(
        s.kernels[DRAGGED].drag(CONTROL, seconds, RATE, delay=rng.uniform(0, 1 / RATE))
        for s in students)))


async def measure_size(hub: Hub, students: list[Student], seconds: float, rng: random.Random,
                       chromium: ChromiumStudent | None) -> dict:
    usage = Usage(hub)
    sampler = asyncio.ensure_future(usage.run())
    browser = chromium.measure() if chromium else []
    drags = await drag_all(students, seconds, rng)
    if chromium:
        browser = chromium.end()
    used = usage.stop()
    await sampler
    result = {"students": len(students), "seconds": seconds, **summary(drags), **used,
              "browser_ms": browser,
              "server_start_s": [s.start_s for s in students],
              "notebook_run_s": [s.run_s for s in students]}
    result["ok"] = bool(result["p95_ms"] is not None and result["p95_ms"] < LIMIT_MS
                        and not result["errors"] and result["lost"] == 0)
    return result


# -- isolation ------------------------------------------------------------------------------------
def check(name: str, passed: bool, seen: str) -> dict:
    return {"check": name, "passed": bool(passed), "seen": seen}


async def token_checks(hub_url: str, a: Student, b: Student) -> list[dict]:
    """Student ``a``'s token opens ``a``'s server, and neither ``b``'s nor the hub's user list."""
    status_a, _ = await call("GET", f"{a.server}/api/status", a.token, ok=(200, 403))
    status_b, _ = await call("GET", f"{b.server}/api/status", a.token, ok=(200, 302, 403))
    status_nb, _ = await call("GET", f"{b.server}/api/contents/{DRAGGED}.ipynb", a.token,
                              ok=(200, 302, 403))
    status_hub, _ = await call("GET", f"{hub_url}/hub/api/users", a.token, ok=(200, 403))
    return [
        check(f"{a.name}'s token opens {a.name}'s server", status_a == 200, f"HTTP {status_a}"),
        check(f"{a.name}'s token on {b.name}'s server answers 403", status_b == 403,
              f"HTTP {status_b}"),
        check(f"{a.name}'s token cannot read {b.name}'s notebook", status_nb == 403,
              f"HTTP {status_nb}"),
        check(f"{a.name}'s token cannot list the hub's users", status_hub == 403,
              f"HTTP {status_hub}"),
    ]


def listening_check(processes: list[psutil.Process]) -> dict:
    """Every socket the hub, the proxy, the servers and the kernels listen on is on loopback."""
    listening, wide = [], []
    for process in processes:
        # psutil 6 renamed Process.connections to net_connections.
        connections = getattr(process, "net_connections", None) or process.connections
        try:
            sockets = connections(kind="inet")
        except psutil.Error:
            continue
        for sock in sockets:
            if sock.status == psutil.CONN_LISTEN:
                where = f"{group_of(process) or process.name()} {sock.laddr.ip}:{sock.laddr.port}"
                listening.append(where)
                if sock.laddr.ip not in (HOST, "::1"):
                    wide.append(where)
    kinds = {group_of(p) for p in processes} - {None}
    return check("hub, proxy, servers and kernels listen on 127.0.0.1 only",
                 not wide and {"hub", "proxy", "servers", "kernels"} <= kinds,
                 f"{len(listening)} listening sockets" + (f"; not loopback: {wide}" if wide else "")
                 + f"; processes seen: {sorted(kinds)}")


def environment_check(processes: list[psutil.Process], secret_values: list[str],
                      students: int) -> dict:
    """No secret of the hub in the environment of any student's server or kernel."""
    leaks, looked = [], 0
    for process in processes:
        if group_of(process) not in ("servers", "kernels"):
            continue
        try:
            environment = process.environ()
        except psutil.Error:
            continue
        looked += 1
        leaks += [f"{process.pid}: {key}" for key, value in environment.items()
                  if any(secret in value for secret in secret_values)]
    return check("no admin or proxy secret in a student's server or kernel environment",
                 looked >= 2 * students and not leaks and all(secret_values),
                 f"{looked} environments read" + (f"; found in {leaks}" if leaks else ""))


async def isolation_checks(hub_url: str, students: list[Student], processes: list[psutil.Process],
                           secret_values: list[str]) -> list[dict]:
    """Each check: its name, passed or not, and what was seen."""
    return [*await token_checks(hub_url, students[0], students[1]), listening_check(processes),
            environment_check(processes, secret_values, len(students))]


def hub_secrets(state: Path, tokens: list[str]) -> list[str]:
    """The secrets a student must never hold: ``tokens`` (the driver's admin token, the proxy's
    token) and the hub's cookie secret."""
    cookie = state / "jupyterhub_cookie_secret"
    return [*tokens, *([cookie.read_text().strip()] if cookie.exists() else [])]


# -- faults ---------------------------------------------------------------------------------------
def server_tree(hub: Hub, name: str) -> list[psutil.Process]:
    """Student ``name``'s server and its kernels."""
    home = (hub.settings.state / "users" / name).resolve()
    servers = []
    for process in hub.processes():
        if group_of(process) == "servers":
            try:
                if Path(process.cwd()).resolve() == home:
                    servers.append(process)
            except psutil.Error:
                continue
    return [p for server in servers for p in [server, *server.children(recursive=True)]]


async def faults(hub: Hub, students: list[Student], seconds: float,
                 rng: random.Random) -> dict:
    """While the students drag: restart the hub at a quarter of the time, kill the last student's
    server at 60% of it. Then every student must reach their server, and the last one starts
    again and finds their saved notebook as it was."""
    loop = asyncio.get_running_loop()
    victim = students[-1]
    result: dict = {"students": len(students), "seconds": seconds, "victim": victim.name}

    async def restart_hub() -> None:
        await asyncio.sleep(seconds / 4)
        result["hub_away_s"] = await loop.run_in_executor(None, hub.restart_hub)

    async def kill_server() -> None:
        await asyncio.sleep(seconds * 0.6)
        tree = server_tree(hub, victim.name)
        for process in tree:
            process.kill()
        result["killed_processes"] = len(tree)

    drags, *_ = await asyncio.gather(drag_all(students, seconds, rng), restart_hub(),
                                     kill_server())
    others = summary(drags[:-1])
    result["others"] = others
    result["victim_drag"] = summary(drags[-1:])
    reach = []
    for student in students[:-1]:
        status, _ = await call("GET", f"{student.server}/api/status", student.token,
                               ok=(200, 403, 503))
        reach.append(f"{student.name}: HTTP {status}")
    result["after_restart"] = reach
    result["all_reach_their_server"] = all(r.endswith("200") for r in reach)

    # The victim: the hub stops what is left of the server, the student starts it again.
    await stop_server(hub.url, victim.name, victim.token)
    result["victim_restart_s"] = await start_server(hub.url, victim.name, victim.token)
    intact = []
    for path, saved in victim.saved.items():
        now = await Kernel(victim.server, victim.token, path).notebook()
        intact.append(_same_notebook(now, saved))
    result["saved_notebooks_intact"] = all(intact) and len(intact) == len(victim.saved)
    await open_notebook(victim, DRAGGED)
    result["victim_after"] = summary([await victim.kernels[DRAGGED].drag(CONTROL, 3, RATE)])
    result["ok"] = bool(
        result["all_reach_their_server"] and result["saved_notebooks_intact"]
        and others["lost"] == 0 and not others["errors"] and others["answered"] > 0
        and result["victim_after"]["answered"] > 0 and not result["victim_after"]["errors"])
    return result


def _same_notebook(now: dict, saved: dict) -> bool:
    """The same cells: sources, outputs and execution counts."""
    def cells(notebook: dict) -> list:
        return [("".join(c["source"]) if isinstance(c["source"], list) else c["source"],
                 c.get("outputs"), c.get("execution_count")) for c in notebook["cells"]]
    return cells(now) == cells(saved)


# -- the whole run --------------------------------------------------------------------------------
def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": psutil.cpu_count(), "memory_gb": psutil.virtual_memory().total
            / 2**30, "python": platform.python_version(), "system": platform.platform()}


def versions() -> dict:
    from importlib.metadata import version
    names = ("jupyterhub", "jupyter_server", "jupyterlab", "ipykernel", "ipywidgets", "ipympl",
             "voila", "matplotlib", "tornado")
    found = {name: version(name) for name in names}
    from hub import PROXY
    package = json.loads((PROXY.parents[1] / "configurable-http-proxy" / "package.json")
                         .read_text())
    found["configurable-http-proxy"] = package["version"]
    return found


async def run_class(hub: Hub, admin_token: str, args: argparse.Namespace, out: dict) -> None:
    rng = random.Random(20190408)
    notebooks = [DRAGGED] if args.quick else [DRAGGED, ALSO_OPEN]
    out["notebooks"] = notebooks
    chromium = None
    if not args.no_browser:
        chromium = ChromiumStudent(hub.url, hub.settings.password)
        chromium.start()
        await asyncio.get_running_loop().run_in_executor(None, chromium.ready.wait)
        out["browser_error"] = chromium.error
        if chromium.error:
            raise RuntimeError(f"the Chromium student failed: {chromium.error}")
    students: list[Student] = []
    try:
        for size in args.sizes:
            new = size - len(students)
            if new > 0 and students:
                per = max(r["peak_rss_mb"]["servers"] + r["peak_rss_mb"]["kernels"]
                          for r in out["sizes"]) / len(students)
                free = psutil.virtual_memory().available / 2**20
                if free < new * per * 1.5 + 2048:
                    out["stopped"] = (f"memory: {new} more students need about {new * per:.0f} "
                                      f"MB, {free:.0f} MB available")
                    break
            began = time.monotonic()
            students += await asyncio.gather(*(
                join(hub.url, admin_token, f"student{len(students) + i + 1}", notebooks)
                for i in range(new)))
            print(f"{size} students ready in {time.monotonic() - began:.0f} s; dragging for "
                  f"{args.seconds:g} s", flush=True)
            result = await measure_size(hub, students, args.seconds, rng, chromium)
            out["sizes"].append(result)
            print(f"  N={size}: median {_fmt(result['median_ms'])} ms, p95 "
                  f"{_fmt(result['p95_ms'])} ms, {result['answered']}/{result['sent']} answered, "
                  f"{len(result['errors'])} errors, {result['lost']} lost", flush=True)
            if not result["ok"]:
                out["stopped"] = f"N={size} is past the line (p95 >= {LIMIT_MS:g} ms or an error)"
                await refine(hub, students, args, rng, chromium, out)
                break
        if chromium:
            chromium.done.set()
            chromium.window.set()
        # The checks below need a few students even when the line came at 1 or 2.
        wanted = max(2, 0 if args.no_faults else args.fault_students)
        students += await asyncio.gather(*(
            join(hub.url, admin_token, f"student{len(students) + i + 1}", notebooks)
            for i in range(wanted - len(students))))
        if len(students) >= 2:
            processes = hub.processes()
            secret_values = hub_secrets(hub.settings.state, [admin_token, hub.proxy_token])
            out["isolation"] = await isolation_checks(hub.url, students, processes, secret_values)
        fault_students = students[:min(len(students), args.fault_students)]
        if len(fault_students) >= 2 and not args.no_faults:
            print(f"faults: {len(fault_students)} students drag for {args.fault_seconds:g} s; "
                  "the hub restarts, then one student's server is killed", flush=True)
            out["faults"] = await faults(hub, fault_students, args.fault_seconds, rng)
    finally:
        if chromium:
            chromium.done.set()
            chromium.window.set()
            await asyncio.get_running_loop().run_in_executor(None, chromium.join, 60)
        for student in students:
            for kernel in student.kernels.values():
                await kernel.close()


async def refine(hub: Hub, students: list[Student], args: argparse.Namespace,
                 rng: random.Random, chromium: ChromiumStudent | None, out: dict) -> None:
    """Between the last class size under the line and the first over it, halve the gap (at most
    three times): the first n students drag, the others keep their kernels open and idle."""
    good = max((r["students"] for r in out["sizes"] if r["ok"]), default=0)
    bad = out["sizes"][-1]["students"]
    for _ in range(3):
        if bad - good <= 1:
            break
        size = (good + bad) // 2
        print(f"refining: {size} of the {len(students)} students drag", flush=True)
        result = await measure_size(hub, students[:size], args.seconds, rng, chromium)
        result["refined"] = True
        out["sizes"].append(result)
        good, bad = (size, bad) if result["ok"] else (good, size)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, required=True, help="where the results go")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 and 2 students, notebook 3 only, 4 s drags")
    parser.add_argument("--sizes", help="class sizes, e.g. 1,2,4 (default: doubling from 1 "
                                        f"until the {LIMIT_MS:g} ms line, at most {MAX_STUDENTS})")
    parser.add_argument("--seconds", type=float, help="seconds each class size drags (20)")
    parser.add_argument("--fault-students", type=int, default=4)
    parser.add_argument("--fault-seconds", type=float, help="seconds of the fault run (30)")
    parser.add_argument("--no-browser", action="store_true", help="no Chromium student")
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args(argv)
    if args.sizes:
        args.sizes = [int(n) for n in args.sizes.split(",")]
        if any(b <= a for a, b in zip([0, *args.sizes[:-1]], args.sizes, strict=True)):
            parser.error(f"--sizes {args.sizes}: expected increasing positive numbers")
    else:
        args.sizes = [1, 2] if args.quick else [2**i for i in range(8) if 2**i <= MAX_STUDENTS]
    args.seconds = args.seconds or (4.0 if args.quick else 20.0)
    args.fault_seconds = args.fault_seconds or (12.0 if args.quick else 30.0)
    if args.seconds <= 0 or args.seconds > 600 or args.fault_seconds <= 0:
        parser.error("--seconds: expected more than 0 and at most 600")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    began = time.monotonic()
    service_token = secrets.token_hex(32)
    state = Path(tempfile.mkdtemp(prefix="tp3-class-load-"))
    out: dict = {"machine": machine(), "load_before": os.getloadavg(),
                 "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                 "rate_per_s": RATE, "limit_ms": LIMIT_MS, "control": f"{DRAGGED}.{CONTROL}",
                 "versions": versions(), "sizes": [], "quick": args.quick}
    settings = HubSettings(port=free_port(), state=state, service_token=service_token,
                           log_dir=state / "logs")
    hub = Hub(settings)
    # SIGTERM as Ctrl-C: the finally below stops every process either way.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        hub.start()
        print(f"hub at {hub.url} (state in {state})", flush=True)
        asyncio.run(run_class(hub, service_token, args, out))
    except KeyboardInterrupt:
        out["interrupted"] = True
        print("interrupted: stopping every process the run started", flush=True)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C does not cut the clean-up short
        out["forced"] = hub.stop()
        left = [p for p in psutil.Process().children(recursive=True) if group_of(p)]
        out["left_running"] = [f"{p.pid} {group_of(p)}" for p in left]
        out["seconds_total"] = time.monotonic() - began
        out["load_after"] = os.getloadavg()
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1, default=str))
        print(f"results in {args.json}; the run took {out['seconds_total'] / 60:.1f} min",
              flush=True)
        logs = args.json.parent / "class_load_logs"  # the hub's and the proxy's, for a post-mortem
        shutil.rmtree(logs, ignore_errors=True)
        shutil.copytree(state / "logs", logs, dirs_exist_ok=True)
        shutil.rmtree(state, ignore_errors=True)
    return 130 if out.get("interrupted") else 0


if __name__ == "__main__":
    raise SystemExit(main())
