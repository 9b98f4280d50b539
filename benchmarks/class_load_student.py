"""A simulated student of ``make class-load``: what JupyterLab and a student do, over the network.

A :class:`Student` talks to JupyterHub as hubtraf does (https://github.com/yuvipanda/hubtraf): the
class's driver creates the user and a token for them through the hub's REST API, and the student
starts their server with that token (``POST /hub/api/users/NAME/server``). Then, through the
proxy, like JupyterLab: the server's REST API opens a notebook in a kernel (``POST /api/sessions``)
and reads and saves it (``/api/contents``), and the kernel's WebSocket carries Jupyter messages
(https://jupyter-client.readthedocs.io/en/stable/messaging.html) in Jupyter Server's own framing,
encoded and decoded by Jupyter Server's functions.

:class:`Kernel` runs every code cell of the notebook as JupyterLab's Run All does, and keeps the
state of every widget the kernel opens, as a browser's widget manager does. It answers the ipympl
canvas as ipympl's browser side does (``refresh``, ``send_image_mode``, ``initialized`` when the
canvas opens; ``draw`` when the kernel asks for a draw). :meth:`Kernel.drag` moves the explorer's
slider as a mouse drag does: at a fixed rate, each move the widget ``update`` message a browser
sends, throttled as ipywidgets throttles it (while an update waits for the kernel, newer values
wait in a buffer and the last one goes when the kernel is idle). Each update is timed until the
canvas's next image message: the frame the browser would draw.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from jupyter_server.services.kernels.connection.base import deserialize_binary_message
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClosedError, websocket_connect

#: Every request has this long to answer (a loaded hub starting a class's servers is slow).
REQUEST_TIMEOUT = 180.0
#: A cell has this long to run.
CELL_TIMEOUT = 300.0
#: After the last move, the frames still awaited have this long to arrive.
LAST_FRAME_TIMEOUT = 10.0
#: Seconds after the kernel's idle status within which an update's frame comes, if it has one
#: (the explorer draws it at the kernel's next turn: milliseconds, even on a loaded server).
FRAME_AFTER_IDLE = 2.0

AsyncHTTPClient.configure(None, max_clients=256)


class StudentError(RuntimeError):
    """Something a student did failed: the message says what, for whom and the answer."""


async def call(method: str, url: str, token: str, body: object = None,
               ok: tuple[int, ...] = (200, 201, 202, 204)) -> tuple[int, object]:
    """An HTTP request with ``Authorization: token ...``; returns the status and decoded JSON.

    A status not in ``ok`` raises :class:`StudentError`.
    """
    request = HTTPRequest(
        url, method=method, headers={"Authorization": f"token {token}"},
        body=None if body is None else json.dumps(body),
        allow_nonstandard_methods=True, request_timeout=REQUEST_TIMEOUT, follow_redirects=False,
    )
    try:
        answer = await AsyncHTTPClient().fetch(request, raise_error=False)
    except (OSError, HTTPClientError) as exc:
        raise StudentError(f"{method} {url}: {exc}") from exc
    text = answer.body or b""
    if answer.code not in ok:
        raise StudentError(f"{method} {url}: HTTP {answer.code} {text[:300]!r}")
    try:
        return answer.code, json.loads(text) if text else None
    except ValueError:
        return answer.code, text.decode(errors="replace")


# -- the hub: users, tokens, servers ---------------------------------------------------------------
async def create_student(hub_url: str, admin_token: str, name: str) -> str:
    """Create user ``name`` with the driver's token; return a new token of the user's own."""
    await call("POST", f"{hub_url}/hub/api/users/{name}", admin_token, {}, ok=(201, 409))
    _, token = await call("POST", f"{hub_url}/hub/api/users/{name}/tokens", admin_token,
                          {"note": "class-load student", "expires_in": 4 * 3600})
    return token["token"]


async def start_server(hub_url: str, name: str, token: str, timeout: float = 300.0) -> float:
    """Start the user's server with their own token, as hubtraf does; return the seconds it took.

    201: started; 202: starting (poll the user's model until the server is ready); 400: already
    running.
    """
    began = time.monotonic()
    status, _ = await call("POST", f"{hub_url}/hub/api/users/{name}/server", token,
                           ok=(201, 202, 400))
    while status != 201:
        _, user = await call("GET", f"{hub_url}/hub/api/users/{name}", token)
        server = user.get("servers", {}).get("", {})
        if server.get("ready"):
            break
        if time.monotonic() - began > timeout:
            raise StudentError(f"{name}'s server was not ready after {timeout:g} s: {server}")
        await asyncio.sleep(0.5)
    return time.monotonic() - began


async def stop_server(hub_url: str, name: str, token: str, timeout: float = 120.0) -> None:
    """Stop the user's server (as the hub's "Stop My Server" does) and wait until it is gone."""
    began = time.monotonic()
    await call("DELETE", f"{hub_url}/hub/api/users/{name}/server", token, ok=(202, 204, 400))
    while True:
        _, user = await call("GET", f"{hub_url}/hub/api/users/{name}", token)
        if "" not in user.get("servers", {}):
            return
        if time.monotonic() - began > timeout:
            raise StudentError(f"{name}'s server did not stop in {timeout:g} s")
        await asyncio.sleep(0.5)


# -- a kernel over its WebSocket -------------------------------------------------------------------
def new_message(msg_type: str, content: dict, session: str, channel: str = "shell") -> dict:
    """A Jupyter message as a frontend sends it (protocol 5.3)."""
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session,
                   "username": "student", "version": "5.3",
                   "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
        "parent_header": {}, "metadata": {}, "content": content, "channel": channel,
        "buffers": [],
    }


@dataclass
class Drag:
    """What one drag measured: a frame time per answered update, and the counts."""

    frame_ms: list[float] = field(default_factory=list)
    ticks: int = 0  # moves of the mouse (at the drag's rate)
    sent: int = 0  # updates sent (the others waited in the throttle's buffer and were merged)
    answered: int = 0  # updates whose frame came
    unchanged: int = 0  # updates that changed nothing (the value the kernel had): no frame
    lost: int = 0  # updates never answered (the connection closed, the kernel died)
    distinct_frames: int = 0  # frames that differ from the frame before
    errors: list[str] = field(default_factory=list)


class Kernel:
    """A notebook open in a kernel of a student's server, seen as JupyterLab sees it."""

    def __init__(self, server_url: str, token: str, path: str) -> None:
        self.server_url, self.token, self.path = server_url, token, path
        self.session = uuid.uuid4().hex
        self.models: dict[str, dict] = {}  # widget comm id -> state
        self.waiting: dict[str, asyncio.Future] = {}  # request msg id -> reply content
        self.idle: dict[str, asyncio.Future] = {}  # request msg id -> its iopub idle status
        self.outputs: dict[str, list[dict]] = {}  # execute request msg id -> outputs
        #: canvas comm id -> called with the time and the PNG of each frame
        self.on_frame: dict[str, Callable[[float, bytes], None]] = {}
        self.frames_waiting: set[str] = set()  # canvases that asked for a draw (ipympl's flag)
        self.closed = asyncio.Event()
        self.connection = None
        self.kernel_id = ""
        # The drag under way: the slider's comm id, updates waiting for the kernel (msg id -> time
        # sent), updates waiting for their frame, the value in the throttle's buffer.
        self._slider = ""
        self.pending_updates: dict[str, float] = {}
        self._unanswered: list[tuple[str, float]] = []
        self._buffered: float | None = None
        self._drag = Drag()
        self._last_frame = b""
        self._last_idle = 0.0

    # -- connection -------------------------------------------------------------------------------
    async def open(self) -> Kernel:
        """Open the notebook in a new kernel (a JupyterLab session) and connect to it."""
        _, model = await call("POST", f"{self.server_url}/api/sessions", self.token, {
            "path": self.path, "name": self.path, "type": "notebook",
            "kernel": {"name": "python3"},
        })
        self.kernel_id = model["kernel"]["id"]
        url = (f"{self.server_url.replace('http', 'ws', 1)}/api/kernels/{self.kernel_id}/channels"
               f"?session_id={self.session}")
        request = HTTPRequest(url, headers={"Authorization": f"token {self.token}"},
                              request_timeout=REQUEST_TIMEOUT)
        self.connection = await websocket_connect(request, max_message_size=64 * 2**20)
        self._reader = asyncio.ensure_future(self._read())
        await self.request("kernel_info_request", {})
        return self

    async def close(self) -> None:
        """Disconnect (the kernel keeps running, as when a browser tab closes)."""
        if self.connection is not None:
            self.connection.close()
            await asyncio.wait([self._reader], timeout=5)

    def send(self, msg_type: str, content: dict) -> str:
        """Send a shell message; return its id."""
        message = new_message(msg_type, content, self.session)
        if self.closed.is_set():
            raise StudentError(f"{self.path}: the kernel's connection is closed")
        self.connection.write_message(json.dumps(message))
        return message["header"]["msg_id"]

    async def request(self, msg_type: str, content: dict, outputs: list | None = None,
                      timeout: float = CELL_TIMEOUT) -> dict:
        """Send a shell request; return its reply's content once the kernel is idle again. The
        outputs the request makes (iopub) go to ``outputs``, if given."""
        loop = asyncio.get_running_loop()
        msg_id = self.send(msg_type, content)
        self.waiting[msg_id], self.idle[msg_id] = loop.create_future(), loop.create_future()
        if outputs is not None:
            self.outputs[msg_id] = outputs
        try:
            reply, _ = await asyncio.wait_for(
                asyncio.gather(self.waiting[msg_id], self.idle[msg_id]), timeout)
        finally:
            for pending in (self.waiting, self.idle, self.outputs):
                pending.pop(msg_id, None)
        return reply

    async def _read(self) -> None:
        try:
            while True:
                raw = await self.connection.read_message()
                if raw is None:
                    break
                message = (json.loads(raw) if isinstance(raw, str)
                           else deserialize_binary_message(raw))
                self._handle(message, time.perf_counter())
        finally:
            self.closed.set()
            for future in [*self.waiting.values(), *self.idle.values()]:
                if not future.done():
                    future.set_exception(StudentError(f"{self.path}: connection closed"))

    # -- messages from the kernel -----------------------------------------------------------------
    def _handle(self, message: dict, now: float) -> None:
        kind, content = message["header"]["msg_type"], message["content"]
        parent = message.get("parent_header", {}).get("msg_id")
        if message.get("channel") == "shell" and parent in self.waiting:
            _resolve(self.waiting[parent], content)
        elif kind == "status" and content.get("execution_state") == "idle" and parent:
            if parent in self.idle:
                _resolve(self.idle[parent], None)
            if parent in self.pending_updates:
                self._update_done(parent)
        elif kind in ("stream", "display_data", "execute_result", "error"):
            if parent in self.outputs:
                self.outputs[parent].append(_output(kind, content))
        elif kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.models[content["comm_id"]] = dict(content["data"].get("state", {}))
            if self.models[content["comm_id"]].get("_model_name") == "MPLCanvasModel":
                for step in ("refresh", "send_image_mode", "initialized"):  # ipympl's browser side
                    self.custom(content["comm_id"], {"type": step})
        elif kind == "comm_msg" and content["comm_id"] in self.models:
            self._widget_message(content["comm_id"], content["data"], message, now)
        elif kind == "comm_close":
            self.models.pop(content["comm_id"], None)

    def _widget_message(self, comm_id: str, data: dict, message: dict, now: float) -> None:
        if data.get("method") in ("update", "echo_update"):
            self.models[comm_id].update(data.get("state", {}))
        elif data.get("method") == "custom" and "data" in data.get("content", {}):
            event = json.loads(data["content"]["data"])  # ipympl's messages
            if event.get("type") == "binary" and message.get("buffers"):
                self.frames_waiting.discard(comm_id)
                if comm_id in self.on_frame:
                    self.on_frame[comm_id](now, bytes(message["buffers"][0]))
            elif event.get("type") == "draw" and comm_id not in self.frames_waiting:
                self.frames_waiting.add(comm_id)  # ipympl asks for one frame at a time
                self.custom(comm_id, {"type": "draw"})

    def custom(self, comm_id: str, content: dict) -> str:
        """A widget's custom message from the browser side (ipympl's messages)."""
        return self.send("comm_msg", {"comm_id": comm_id,
                                      "data": {"method": "custom", "content": content}})

    # -- a notebook ------------------------------------------------------------------------------
    async def notebook(self) -> dict:
        """The notebook as the server has it (``GET /api/contents``)."""
        _, model = await call("GET", f"{self.server_url}/api/contents/{quote(self.path)}"
                                     "?content=1&type=notebook", self.token)
        return model["content"]

    async def run_all(self) -> dict:
        """Run every code cell in order, as JupyterLab's Run All; return the notebook with its
        outputs and execution counts. A cell that raises stops the run with :class:`StudentError`
        unless it is tagged ``raises-exception``."""
        notebook = await self.notebook()
        for index, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            outputs: list[dict] = []
            reply = await self.request("execute_request", {
                "code": source, "silent": False, "store_history": True, "user_expressions": {},
                "allow_stdin": False, "stop_on_error": True,
            }, outputs)
            cell["outputs"], cell["execution_count"] = outputs, reply.get("execution_count")
            allowed = "raises-exception" in cell.get("metadata", {}).get("tags", [])
            if reply["status"] != "ok" and not allowed:
                raise StudentError(f"{self.path}: code cell {index} raised "
                                   f"{reply.get('ename')}: {reply.get('evalue')}")
        return notebook

    async def save(self, notebook: dict) -> None:
        """Save the notebook on the server, as JupyterLab's Save does."""
        await call("PUT", f"{self.server_url}/api/contents/{quote(self.path)}", self.token,
                   {"type": "notebook", "format": "json", "content": notebook})

    # -- the explorer -----------------------------------------------------------------------------
    def find(self, comm_id: str, test: Callable[[dict], bool]) -> str | None:
        """The first widget at or below ``comm_id`` (through ``children``) that passes ``test``."""
        state = self.models.get(comm_id, {})
        if test(state):
            return comm_id
        for child in state.get("children", []):
            found = self.find(child.removeprefix("IPY_MODEL_"), test)
            if found:
                return found
        return None

    def explorer(self, control: str) -> tuple[str, str, str]:
        """Comm ids of the explorer's control ``control``, its canvas and its readout."""
        hook = f"tp3-control-{control}"
        for comm_id, state in self.models.items():
            if "tp3-explorer" in state.get("_dom_classes", ()):
                slider = self.find(comm_id, lambda s: hook in s.get("_dom_classes", ()))
                canvas = self.find(comm_id, lambda s: s.get("_model_name") == "MPLCanvasModel")
                readout = self.find(comm_id, lambda s: "tp3-readout" in s.get("_dom_classes", ()))
                if slider and canvas and readout:
                    return slider, canvas, readout
        raise StudentError(f"{self.path}: no explorer with control {control!r} among the "
                           f"{len(self.models)} widgets the kernel opened")

    def stops(self, slider: str) -> list[float]:
        """The values a mouse drag goes through: the slider's grid, there and back."""
        s = self.models[slider]
        count = int(round((s["max"] - s["min"]) / s["step"]))
        values = [round(s["min"] + i * s["step"], 10) for i in range(count + 1)]
        if s.get("_model_name") == "FloatLogSliderModel":  # min, max and step are exponents
            values = [round(s["base"] ** v, 10) for v in values]
        start = min(range(len(values)), key=lambda i: abs(values[i] - s["value"]))
        cycle = values + values[-2:0:-1]
        return cycle[start + 1:] + cycle[:start + 1]

    def _update_done(self, msg_id: str) -> None:
        """The kernel is idle after update ``msg_id``: the throttle lets the buffered value go.

        An explorer draws an update's frame at the kernel's next turn, after this idle status and
        before the kernel handles the next update. So an earlier update still without a frame
        when this one is idle needed none: its value was the slider's value already (a drag that
        turned back at the end of the slider), and nothing changed.
        """
        self.pending_updates.pop(msg_id, None)
        ids = [waiting for waiting, _ in self._unanswered]
        if msg_id in ids:
            earlier = ids.index(msg_id)
            self._drag.unchanged += earlier
            del self._unanswered[:earlier]
        self._last_idle = time.perf_counter()
        if self._buffered is not None and not self.pending_updates and not self.closed.is_set():
            value, self._buffered = self._buffered, None
            self._send_update(value)

    def _settled(self) -> bool:
        """True once the drag's last update is idle and had time for its frame; an update
        idle that long without one needed none (see :meth:`_update_done`)."""
        if self._buffered is not None or self.pending_updates:
            return False
        if self._unanswered and time.perf_counter() - self._last_idle < FRAME_AFTER_IDLE:
            return False
        self._drag.unchanged += len(self._unanswered)
        self._unanswered = []
        return True

    def _send_update(self, value: float) -> None:
        msg_id = self.send("comm_msg", {"comm_id": self._slider, "data": {
            "method": "update", "state": {"value": value}, "buffer_paths": []}})
        self.pending_updates[msg_id] = time.perf_counter()
        self._unanswered.append((msg_id, time.perf_counter()))
        self._drag.sent += 1

    def _frame(self, now: float, png: bytes) -> None:
        """A new frame of the explorer's canvas: it answers the oldest update without one."""
        self._drag.distinct_frames += png != self._last_frame
        self._last_frame = png
        if self._unanswered:
            _, sent = self._unanswered.pop(0)
            self._drag.frame_ms.append((now - sent) * 1e3)
            self._drag.answered += 1

    async def drag(self, control: str, seconds: float, rate: float = 10.0,
                   delay: float = 0.0) -> Drag:
        """Drag the explorer's ``control`` for ``seconds`` at ``rate`` moves a second, starting
        after ``delay`` seconds; time each update until the canvas's next frame."""
        self._slider, canvas, readout = self.explorer(control)
        self._drag, self._buffered, self._unanswered = Drag(), None, []
        self.pending_updates = {}
        self.on_frame[canvas] = self._frame
        values = self.stops(self._slider)
        began = time.perf_counter() + delay
        try:
            for tick in range(int(round(seconds * rate))):
                wait = began + tick / rate - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                if self.closed.is_set():
                    break
                self._drag.ticks += 1
                value = values[tick % len(values)]
                if self.pending_updates:
                    self._buffered = value  # ipywidgets' throttle: the newest value waits
                else:
                    self._send_update(value)
                shown = str(self.models.get(readout, {}).get("value", ""))
                if "tp3-error" in shown:
                    error = f"{self.path}: the explorer shows {re.sub('<[^>]+>', ' ', shown)}"
                    if error not in self._drag.errors:  # once per message, not once per move
                        self._drag.errors.append(error)
            deadline = time.perf_counter() + LAST_FRAME_TIMEOUT
            while (not self._settled() and time.perf_counter() < deadline
                   and not self.closed.is_set()):
                await asyncio.sleep(0.05)
        except (StudentError, WebSocketClosedError) as exc:
            self._drag.errors.append(str(exc))
        finally:
            self.on_frame.pop(canvas, None)
        self._drag.lost = len(self._unanswered) + (self._buffered is not None)
        return self._drag


def _resolve(future: asyncio.Future, value: object) -> None:
    if not future.done():
        future.set_result(value)


def _output(kind: str, content: dict) -> dict:
    """A notebook output (nbformat 4) from an iopub message."""
    output = {"output_type": kind, **{k: v for k, v in content.items() if k != "transient"}}
    if kind in ("display_data", "execute_result"):
        output.setdefault("metadata", {})
    return output
