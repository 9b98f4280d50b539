"""Run the class's JupyterHub on this machine: the proxy, the hub, and every server they start.

``make hub`` runs this file: it starts JupyterHub's ``configurable-http-proxy`` and the hub with
``deploy/jupyterhub_config.py``, both on 127.0.0.1, prints the address and how students log in,
and on Ctrl-C (or SIGTERM) stops the hub, every student's server and kernel, and the proxy.

``make class-load`` uses :class:`Hub` from Python: the same processes, plus a hub restart
(:meth:`Hub.restart_hub`) while the proxy and the students' servers keep running.

The proxy and the hub each run in a session of their own (a Ctrl-C in the terminal reaches this
program only, which then stops them in order). Students' servers leave the hub's process tree
when the hub restarts, so this program makes itself their *subreaper* (Linux): processes orphaned
below it become its children, and :meth:`Hub.stop` finds and ends every one of them.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

DEPLOY = Path(__file__).resolve().parent
REPO = DEPLOY.parent
CONFIG = DEPLOY / "jupyterhub_config.py"
#: Installed by ``make hub`` with ``npm ci`` from deploy/package-lock.json (a pinned version).
PROXY = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def become_subreaper() -> bool:
    """Make orphaned descendants of this process its children (Linux ``PR_SET_CHILD_SUBREAPER``).

    Returns False where the system has no such call; :meth:`Hub.stop` then ends the servers it saw
    while they were still below the hub.
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER = 36


@dataclass
class HubSettings:
    """What the hub serves and where; the defaults are ``make hub``'s.

    Attributes
    ----------
    port : int
        The port students open, on 127.0.0.1 (``make hub HUB_PORT=...``).
    state : Path
        The hub's database, cookie secret and the students' folders.
    password : str
        The class's shared password (random when not given).
    notebooks : Path
        Copied into each new student's folder.
    service_token : str or None
        Registers the ``class-load`` service with this token (the load test's driver).
    admins : str
        User names that get the hub's admin page, separated by commas.
    log_dir : Path or None
        Where the hub and the proxy write their logs; None: this terminal.
    """

    port: int = 8000
    state: Path = REPO / ".hub"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(9))
    notebooks: Path = REPO / "notebooks"
    service_token: str | None = None
    admins: str = ""
    log_dir: Path | None = None


class Hub:
    """The proxy and the hub as two processes, and everything started below them.

    Use as a context manager: leaving the block (normally, by an exception or Ctrl-C) stops all.
    """

    def __init__(self, settings: HubSettings) -> None:
        if not 0 < settings.port < 65536:
            raise ValueError(f"port={settings.port!r}: expected a TCP port, 1 to 65535")
        if not PROXY.exists():
            raise FileNotFoundError(f"{PROXY} is missing: run `make hub-proxy` (needs npm)")
        self.settings = settings
        self.url = f"http://{HOST}:{settings.port}"
        self.api_port, self.proxy_api_port = free_port(), free_port()
        self.proxy_token = secrets.token_hex(32)
        self.proxy: subprocess.Popen | None = None
        self.hub: subprocess.Popen | None = None
        #: Every process seen below the proxy and the hub, by PID (with its start time).
        self.seen: dict[int, psutil.Process] = {}
        self.subreaper = become_subreaper()
        self._stopping = threading.Event()
        self._reaper = threading.Thread(target=self._reap_orphans, name="reaper", daemon=True)

    # -- processes --------------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        s = self.settings
        env = dict(os.environ)
        env.update({
            "TP3_HUB_STATE": str(s.state), "TP3_HUB_PORT": str(s.port),
            "TP3_HUB_API_PORT": str(self.api_port),
            "TP3_HUB_PROXY_API_PORT": str(self.proxy_api_port),
            "CONFIGPROXY_AUTH_TOKEN": self.proxy_token, "TP3_HUB_PASSWORD": s.password,
            "TP3_HUB_NOTEBOOKS": str(s.notebooks), "TP3_HUB_ADMINS": s.admins,
            # The environment's programs first: jupyterhub-singleuser, the kernels' Python.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        })
        env.pop("TP3_HUB_SERVICE_TOKEN", None)
        if s.service_token:
            env["TP3_HUB_SERVICE_TOKEN"] = s.service_token
        return env

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = None
        if self.settings.log_dir is not None:
            self.settings.log_dir.mkdir(parents=True, exist_ok=True)
            log = open(self.settings.log_dir / f"{name}.log", "ab")  # noqa: SIM115
        try:
            process = subprocess.Popen(
                argv, cwd=self.settings.state, env=self._env(), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT if log else None, start_new_session=True,
            )
        finally:
            if log is not None:
                log.close()
        self._note(process.pid)
        return process

    def _note(self, pid: int) -> None:
        """Remember ``pid`` and every process below it now."""
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        for process in tree:
            self.seen.setdefault(process.pid, process)

    def processes(self) -> list[psutil.Process]:
        """The processes started for the class that run now: proxy, hub, servers, kernels."""
        for process in (self.proxy, self.hub):
            if process is not None and process.poll() is None:
                self._note(process.pid)
        for process in list(self.seen.values()):
            if _alive(process):
                self._note(process.pid)
        if self.subreaper:  # orphans of a stopped hub: its students' servers
            for child in psutil.Process().children():
                if child.pid not in self.seen and _started_for(child, self.settings.state):
                    self._note(child.pid)
        return [p for p in self.seen.values() if _alive(p)]

    def _reap_orphans(self) -> None:
        """Collect the exit status of orphans that ended below this process (its subreaper's duty):
        a killed student's server left as a zombie would look alive to the hub, which then waits
        for it to stop. Only processes started for the class, never another child's."""
        while not self._stopping.wait(0.5):
            ours = {p.pid for p in (self.proxy, self.hub) if p is not None}
            for child in psutil.Process().children():
                if child.pid in self.seen and child.pid not in ours and not _alive(child):
                    try:
                        os.waitpid(child.pid, os.WNOHANG)
                    except ChildProcessError:
                        pass

    def start(self, timeout: float = 120.0) -> Hub:
        """Start the proxy and the hub; return when the hub's API answers through the proxy."""
        if self.subreaper and not self._reaper.is_alive():
            self._reaper.start()
        self.settings.state.mkdir(parents=True, exist_ok=True)
        (self.settings.state / "users").mkdir(exist_ok=True)
        self.proxy = self._start("proxy", [
            str(PROXY), "--ip", HOST, "--port", str(self.settings.port),
            "--api-ip", HOST, "--api-port", str(self.proxy_api_port),
            "--default-target", f"http://{HOST}:{self.api_port}",
            "--error-target", f"http://{HOST}:{self.api_port}/hub/error",
        ])
        self.start_hub(timeout)
        return self

    def start_hub(self, timeout: float = 120.0) -> None:
        """Start the hub process and wait until ``/hub/api`` answers through the proxy."""
        jupyterhub = Path(sys.executable).parent / "jupyterhub"
        self.hub = self._start("hub", [str(jupyterhub), "-f", str(CONFIG)])
        deadline = time.monotonic() + timeout
        while True:
            for name, process in (("proxy", self.proxy), ("hub", self.hub)):
                if process.poll() is not None:
                    raise RuntimeError(f"the {name} exited with {process.returncode}"
                                       f"{self._log_hint(name)}")
            # The hub's own port first (the proxy would log each refused try as an error),
            # then the address students use.
            if _answers(f"http://{HOST}:{self.api_port}/hub/api") and _answers(
                    f"{self.url}/hub/api"):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the hub did not answer in {timeout:g} s{self._log_hint('hub')}")
            time.sleep(0.25)

    def _log_hint(self, name: str) -> str:
        if self.settings.log_dir is None:
            return " (its log is above)"
        path = self.settings.log_dir / f"{name}.log"
        try:
            tail = path.read_text(errors="replace").splitlines()[-30:]
        except OSError:
            return ""
        return f"; the end of {path}:\n" + "\n".join(tail)

    def stop_hub(self, timeout: float = 30.0) -> None:
        """Stop the hub process only (SIGTERM, then SIGKILL): the proxy and servers keep running."""
        if self.hub is None:
            return
        self._note(self.hub.pid)
        _end(self.hub, timeout)
        self.hub = None

    def restart_hub(self, timeout: float = 120.0) -> float:
        """Stop and start the hub process; return the seconds the hub was away."""
        began = time.monotonic()
        self.stop_hub()
        self.start_hub(timeout)
        return time.monotonic() - began

    def stop(self, timeout: float = 20.0) -> list[str]:
        """Stop the hub, then every student's server (each stops its kernels), then the proxy; end
        by force whatever is left. Returns a line per process that had to be ended by force."""
        running = self.processes()
        self.stop_hub()
        servers = [p for p in running if _is_user_server(p)]
        for server in servers:
            _signal(server, signal.SIGTERM)  # a Jupyter server stops its kernels on SIGTERM
        psutil.wait_procs(servers, timeout=timeout)
        if self.proxy is not None:
            _end(self.proxy, timeout)
            self.proxy = None
        left = self.processes()
        forced = [f"{p.pid}: {_cmdline(p)[:120]}" for p in left]
        for process in left:
            _signal(process, signal.SIGTERM)
        _, alive = psutil.wait_procs(left, timeout=5)
        for process in alive:
            _signal(process, signal.SIGKILL)
        psutil.wait_procs(alive, timeout=5)
        self._stopping.set()
        return forced

    def __enter__(self) -> Hub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the hub's REST API -----------------------------------------------------------------------
    def api(self, method: str, path: str, token: str, body: object = None) -> tuple[int, object]:
        """Call ``/hub/api/PATH`` with ``token``; return the HTTP status and the decoded JSON."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/hub/api/{path.lstrip('/')}", data=data, method=method,
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        return status, json.loads(text) if text else None


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _cmdline(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return "(gone)"


def _is_user_server(process: psutil.Process) -> bool:
    return "jupyterhub-singleuser" in _cmdline(process)


def _started_for(process: psutil.Process, state: Path) -> bool:
    """A student's server of this hub: its working folder is under the hub's state folder."""
    try:
        return Path(process.cwd()).is_relative_to(state.resolve())
    except (psutil.Error, OSError):
        return False


def _signal(process: psutil.Process, sig: int) -> None:
    try:
        process.send_signal(sig)
    except psutil.NoSuchProcess:
        pass


def _end(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM to ``process``; SIGKILL if it has not ended within ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


# -- make hub -------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("HUB_PORT") or 8000))
    parser.add_argument("--state", type=Path, default=REPO / ".hub",
                        help="the hub's database and the students' folders (default .hub/)")
    args = parser.parse_args(argv)
    password = os.environ.get("TP3_HUB_PASSWORD") or secrets.token_urlsafe(9)
    settings = HubSettings(port=args.port, state=args.state.resolve(), password=password,
                           admins=os.environ.get("TP3_HUB_ADMINS", ""),
                           service_token=os.environ.get("TP3_HUB_SERVICE_TOKEN") or None)
    stop = {"asked": False}

    def ask_to_stop(signum: int, frame: object) -> None:
        stop["asked"] = True

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, ask_to_stop)
    hub = Hub(settings)
    try:
        hub.start()
        print(
            f"\nJupyterHub serves the tp3 notebooks at {hub.url}/ (this machine only).\n"
            "Students: open that address and log in with any user name (a new name is a new\n"
            f"student) and the class password: {settings.password}\n"
            "(choose it with TP3_HUB_PASSWORD=...; TP3_HUB_ADMINS=name,... gives the admin page,\n"
            "where you add, stop and remove students). Each student gets JupyterLab with the\n"
            "notebooks in their own folder, and Voila at /user/NAME/voila/.\n"
            f"Students' folders and the hub's database: {settings.state}\n"
            "Ctrl-C stops the hub, every student's server and the proxy.\n",
            flush=True,
        )
        while not stop["asked"] and hub.proxy.poll() is None and hub.hub.poll() is None:
            time.sleep(0.2)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C does not cut the clean-up short
        forced = hub.stop()
        print("Stopped the hub, the students' servers and the proxy."
              + (" Ended by force: " + "; ".join(forced) if forced else ""), flush=True)
    if not stop["asked"]:
        print("The hub or the proxy stopped on its own: see its log above.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
