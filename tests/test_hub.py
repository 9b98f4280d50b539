"""``make hub`` and the smoke version of ``make class-load``: a real JupyterHub, two students.

``make hub`` runs as a teacher runs it (its own port and state folder, a class password and a
driver's token in the environment); two simulated students of benchmarks/class_load_student.py
log in with tokens, run notebook 3 and drag its explorer's slider for a few seconds through the
hub; the isolation checks of ``make class-load`` run one by one; Ctrl-C then stops everything.

The hub needs the ``hub`` extra and JupyterHub's proxy, a Node.js program: the tests install both
with ``make hub-deps``, as ``make class-load`` does. Without npm they are skipped with that
advice; with ``CI`` set they fail instead.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent.parent
NPM_ADVICE = ("make hub needs Node.js 20 or newer with npm for JupyterHub's proxy "
              "(Debian: sudo apt-get install nodejs npm)")


def _make(*arguments: str, **kwargs) -> list[str]:
    """``make`` in the repository with this interpreter's environment as ``VENV``, not
    reinstalling what this environment already has (``-o``: the stamp counts as up to date)."""
    keep = [arg for stamp in ("lab+demo+hub",) for arg in ("-o", f"{VENV}/.installed-{stamp}")]
    return ["make", "--no-print-directory", "-C", str(REPO), *keep, *arguments, f"VENV={VENV}"]


@pytest.fixture(scope="module")
def deps() -> None:
    """The hub extra and the proxy, installed by ``make hub-deps`` (once; later runs: nothing)."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and the hub tests cannot run: {NPM_ADVICE}", pytrace=False)
        pytest.skip(NPM_ADVICE)
    done = subprocess.run(_make("hub-deps"), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"make hub-deps failed:\n{done.stdout[-3000:]}{done.stderr}"


@pytest.fixture(scope="module")
def class_load(deps):
    """benchmarks/class_load.py, imported (a script: its folder goes on the path)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import class_load

    return class_load


@pytest.fixture(scope="module")
def loop():
    """One event loop for the module: the students' connections to their kernels live in it."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


class MadeHub:
    """``make hub`` running in a session of its own, as in a terminal."""

    def __init__(self, tmp: Path, free_port) -> None:
        self.port, self.state, self.log = free_port(), tmp / "state", tmp / "make-hub.log"
        self.password, self.token = secrets.token_urlsafe(9), secrets.token_hex(32)
        env = {**os.environ, "TP3_HUB_PASSWORD": self.password,
               "TP3_HUB_SERVICE_TOKEN": self.token}
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                _make("hub", f"HUB_PORT={self.port}", f"HUB_STATE={self.state}"), env=env,
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while "JupyterHub serves" not in self.output():
            assert self.process.poll() is None, f"make hub exited:\n{self.output()[-3000:]}"
            assert time.monotonic() < deadline, f"make hub not serving:\n{self.output()[-3000:]}"
            time.sleep(0.25)

    def tree(self) -> list[psutil.Process]:
        """make, deploy/hub.py and everything below: proxy, hub, servers, kernels."""
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]

    def interrupt(self, timeout: float = 90.0) -> list[psutil.Process]:
        """Ctrl-C in the terminal: SIGINT to make's process group. Returns the processes of the
        tree (as it was just before) still running afterwards."""
        tree = self.tree() if self.process.poll() is None else []
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(timeout)
        _, alive = psutil.wait_procs(tree, timeout=10)
        return alive


@pytest.fixture(scope="module")
def made_hub(class_load, tmp_path_factory):
    hub = MadeHub(tmp_path_factory.mktemp("hub"), class_load.free_port)
    try:
        hub.wait_until_serving()
        yield hub
    finally:
        for process in hub.interrupt():  # never leave a process behind, even after a failure
            process.kill()


@pytest.fixture(scope="module")
def students(class_load, made_hub, loop):
    """Two students who ran notebook 3 in a kernel of their server, started with their token."""

    async def join_two():
        return await asyncio.gather(*(
            class_load.join(made_hub.url, made_hub.token, name, [class_load.DRAGGED])
            for name in ("ada", "blaise")))

    joined = loop.run_until_complete(join_two())
    yield joined
    for student in joined:
        for kernel in student.kernels.values():
            loop.run_until_complete(kernel.close())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str, token: str) -> tuple[int, str, str]:
    """GET with a token, redirects not followed: status, Location header, body."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as answer:
            return answer.status, "", answer.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", ""), ""


def test_make_hub_says_where_and_how_to_log_in(made_hub):
    text = made_hub.output()
    assert f"{made_hub.url}/" in text and made_hub.password in text
    assert "Ctrl-C stops" in text


def test_login_page_takes_the_class_password_only(made_hub):
    """The dummy authenticator with the shared password of TP3_HUB_PASSWORD."""

    jar = urllib.request.HTTPCookieProcessor()
    opener = urllib.request.build_opener(jar, NoRedirect)
    opener.open(f"{made_hub.url}/hub/login").read()
    xsrf = next(c.value for c in jar.cookiejar if c.name == "_xsrf")

    def log_in(password: str) -> tuple[int, str]:
        form = urllib.parse.urlencode({"username": "charlotte", "password": password,
                                       "_xsrf": xsrf}).encode()
        try:
            with opener.open(f"{made_hub.url}/hub/login", data=form) as answer:
                return answer.status, ""
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "")

    # Refused: the login page again (JupyterHub 5.0 answers 200, later versions 403), no cookie.
    assert log_in("not the class password")[0] in (200, 403)
    status, location = log_in(made_hub.password)
    assert status == 302 and location.endswith("/hub/spawn"), (status, location)


def test_each_student_gets_the_notebooks_jupyterlab_and_voila(made_hub, students):
    ada = students[0]
    home = made_hub.state / "users" / ada.name
    assert sorted(p.name for p in home.glob("*.ipynb")) == sorted(
        p.name for p in (REPO / "notebooks").glob("*.ipynb"))

    status, location, _ = get(f"{ada.server}/", ada.token)
    assert status == 302 and location.rstrip("?") == f"/user/{ada.name}/lab", (status, location)
    status, _, page = get(f"{ada.server}/lab", ada.token)
    assert status == 200 and "JupyterLab" in page
    status, _, page = get(f"{ada.server}/voila/tree", ada.token)
    assert status == 200 and "Voilà" in page


def test_two_students_drag_through_the_hub(class_load, students, loop):
    """Each move of the slider gets its frame, the frames change, nothing is lost or wrong."""
    drags = loop.run_until_complete(class_load.drag_all(students, 3.0, random.Random(1)))
    for student, drag in zip(students, drags, strict=True):
        assert not drag.errors, f"{student.name}: {drag.errors}"
        assert drag.lost == 0 and drag.ticks == 30, drag
        # Every update sent got its frame (or needed none); how many the throttle merged
        # depends on the machine's load: this is not a timing test.
        assert drag.answered + drag.unchanged == drag.sent and drag.answered >= 5, drag
        assert drag.distinct_frames >= drag.answered, f"{student.name}: frames did not change"
        assert max(drag.frame_ms) < 10_000


def test_a_token_opens_only_its_own_server(class_load, made_hub, students, loop):
    checks = loop.run_until_complete(class_load.token_checks(made_hub.url, *students))
    failed = [c for c in checks if not c["passed"]]
    assert len(checks) == 4 and not failed, failed


def test_everything_listens_on_loopback_only(class_load, made_hub, students):
    result = class_load.listening_check(made_hub.tree())
    assert result["passed"], result


def test_no_hub_secret_in_a_students_environment(class_load, made_hub, students):
    proxy = next(p for p in made_hub.tree() if class_load.group_of(p) == "proxy")
    secret_values = class_load.hub_secrets(
        made_hub.state, [made_hub.token, proxy.environ()["CONFIGPROXY_AUTH_TOKEN"]])
    assert len(secret_values) == 3  # the driver's token, the proxy's, the cookie secret
    result = class_load.environment_check(made_hub.tree(), secret_values, len(students))
    assert result["passed"], result


def test_ctrl_c_stops_the_hub_and_every_server(made_hub, students, class_load):
    kinds = {class_load.group_of(p) for p in made_hub.tree()}
    assert {"hub", "proxy", "servers", "kernels"} <= kinds, kinds
    left = made_hub.interrupt()
    # make itself ends by the SIGINT it got, after deploy/hub.py has stopped everything.
    assert made_hub.process.returncode in (0, -signal.SIGINT), made_hub.output()[-2000:]
    assert not left, f"still running after Ctrl-C: {[' '.join(p.cmdline()) for p in left]}"
    assert re.search(r"Stopped the hub, the students' servers and the proxy\.$",
                     made_hub.output().strip(), re.M)


def test_class_load_ends_every_process_when_interrupted(deps, tmp_path):
    """Ctrl-C in the middle of ``make class-load`` (a student's server running): the run stops
    the hub, the proxy and the server, says so and removes its temporary folder."""
    results = tmp_path / "class_load.json"
    run = subprocess.Popen(
        [sys.executable, str(REPO / "benchmarks" / "class_load.py"), "--json", str(results),
         "--quick", "--no-browser", "--no-faults", "--sizes", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        first = run.stdout.readline()
        state = Path(re.search(r"state in (\S+)\)", first).group(1))
        deadline = time.monotonic() + 180
        while not any("singleuser" in " ".join(p.cmdline()) for p in _below(run.pid)):
            assert run.poll() is None and time.monotonic() < deadline, first + run.stdout.read()
            time.sleep(0.5)
        tree = _below(run.pid)
        os.killpg(run.pid, signal.SIGINT)
        output = first + run.stdout.read()
        assert run.wait(120) == 130, output
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    _, alive = psutil.wait_procs(tree, timeout=10)
    assert not alive, f"left running: {[p.cmdline() for p in alive]}"
    assert "interrupted: stopping every process the run started" in output
    assert not state.exists()  # the temporary state folder is removed too


def _below(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
