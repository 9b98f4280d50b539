"""``make lab`` and ``make demo`` start their servers, as root and as an ordinary user, and the demo
answers only requests addressed to a local host name (no DNS rebinding).

Each test runs the Makefile target itself (``make_command``: this environment as the venv, no
reinstall) in its own process group, waits until the server answers, and stops it by its PID. No
browser is needed.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_support import REPO, TRACKER, describe, free_port, isolated_env, make_command
from browser_support import start_server as _start_server

ORDINARY_USER = "nobody"


def _ordinary_user_reason() -> str:
    """Why the tests cannot run a server as an ordinary user here ('' when they can)."""
    if os.geteuid() != 0:
        return "the tests already run as an ordinary user"
    if shutil.which("runuser") is None:
        return "no runuser command to switch user"
    try:
        pwd.getpwnam(ORDINARY_USER)
    except KeyError:
        return f"no user {ORDINARY_USER!r} on this machine"
    probe = ["runuser", "-u", ORDINARY_USER, "--", "test", "-r", str(REPO / "Makefile"),
             "-a", "-x", sys.executable]
    if subprocess.run(probe, capture_output=True).returncode != 0:
        return f"user {ORDINARY_USER!r} cannot read the repository or run {sys.executable}"
    return ""


USERS = [
    pytest.param("current", id="root" if os.geteuid() == 0 else "user"),
    pytest.param(ORDINARY_USER, id=ORDINARY_USER, marks=pytest.mark.skipif(
        bool(_ordinary_user_reason()), reason=_ordinary_user_reason() or "runs")),
]


@pytest.fixture
def server_home():
    """A HOME and Jupyter dirs that either user can write (pytest's own tmp dirs are private)."""
    root = Path(tempfile.mkdtemp(prefix="tp3-server-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def start(target: str, user: str, root: Path, url: str, **variables: str):
    """Run ``make TARGET`` as ``user`` with the environment of :func:`isolated_env`."""
    env = isolated_env(root)
    argv = make_command(target, **variables)
    if user != "current":
        owner = pwd.getpwnam(user)
        for path in [root, *root.rglob("*")]:
            os.chown(path, owner.pw_uid, owner.pw_gid)
        names = ("HOME", "PATH", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                 "MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_PLATFORM_DIRS")
        argv = ["runuser", "-u", user, "--", "env", *(f"{n}={env[n]}" for n in names), *argv]
    return _start_server(f"make {target}", argv, url=url, cwd=REPO, env=env,
                         log=root / f"{target}.log", tracker=TRACKER, timeout=120)


def stop(server) -> None:
    left = server.stop()
    assert not left, f"{server.name} left processes running:\n{describe(left)}"


def status(url: str, host: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_allow_root_only_for_root():
    """The lab command has --allow-root exactly when the user is root."""
    shown = subprocess.run([*make_command("lab"), "--dry-run"], capture_output=True, text=True,
                           check=True).stdout
    assert "jupyter lab" in shown, shown
    assert ("--allow-root" in shown) == (os.geteuid() == 0), shown
    if not _ordinary_user_reason():
        shown = subprocess.run(
            ["runuser", "-u", ORDINARY_USER, "--", *make_command("lab"), "--dry-run"],
            capture_output=True, text=True, check=True).stdout
        assert "jupyter lab" in shown and "--allow-root" not in shown, shown


@pytest.mark.parametrize("user", USERS)
def test_make_lab_answers(user, server_home):
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}/api/status?token={token}"
    server = start("lab", user, server_home, url, SERVER_ARGS=(
        f"--no-browser --port={port} --IdentityProvider.token={token} "
        "--ServerApp.jpserver_extensions=jupyter_lsp=False"))
    try:
        assert status(server.url) == 200, server.log_tail()
    finally:
        stop(server)


@pytest.mark.parametrize("user", USERS)
def test_make_demo_answers_local_names_only(user, server_home):
    asked = free_port()
    server = start("demo", user, server_home, f"http://127.0.0.1:{asked}/", PORT=str(asked),
                   DEMO_DIR=str(server_home / "demo"), SERVER_ARGS="--no-browser")
    port = server.port  # the one it bound
    base = f"http://127.0.0.1:{port}"
    try:
        answers = {host: status(f"{base}/", host)
                   for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost",
                                f"[::1]:{port}", "evil.com", f"evil.com:{port}")}
        # A notebook page (which would start a kernel) is refused before anything runs.
        answers["evil.com render"] = status(f"{base}/voila/render/x.ipynb", "evil.com")
        expected = {host: 403 if host.startswith("evil.com") else 200 for host in answers}
        assert answers == expected, server.log_tail()
    finally:
        stop(server)


def test_a_server_whose_port_was_taken_is_found_where_it_moved(server_home):
    """Between the test's choice of a port and the server's bind, another process can take the
    port (a kernel's ZMQ socket, which does not speak HTTP); Voila then moves to another one. The
    tests find the server where it says it listens, and never ask the process that took its port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taker:
        taker.bind(("127.0.0.1", 0))
        taker.listen()
        taken = taker.getsockname()[1]
        server = start("demo", "current", server_home, f"http://127.0.0.1:{taken}/",
                       PORT=str(taken), DEMO_DIR=str(server_home / "demo"),
                       SERVER_ARGS="--no-browser")
        try:
            assert server.port != taken, server.log_tail()
            assert status(server.url) == 200, server.log_tail()
        finally:
            stop(server)
