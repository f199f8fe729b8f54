"""A real JupyterHub on loopback, started from deploy/jupyterhub/, for the hub
tests and the classroom load test.

``LocalHub`` starts ``jupyterhub`` with the course's recipe in its try-out mode
(shared password, one folder per learner under a temporary directory), on
127.0.0.1 with free ports, plus an API token with which it creates learners,
spawns their servers and starts kernels in them. ``KernelChannel`` talks to one
kernel through the learner's server (the Jupyter protocol over a websocket, as
JupyterLab does). Everything it starts stops when the hub stops.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
PASSWORD = "lrcourse-try-password"
PROXY = "configurable-http-proxy"
START_TIMEOUT = 60  # s: the hub and its proxy answering
SPAWN_TIMEOUT = 120  # s: one learner's server ready


def find_proxy():
    """The configurable-http-proxy command (``make proxy`` installs it into
    the environment's ``node/`` folder), or None."""
    local = Path(sys.prefix) / "node" / "node_modules" / ".bin" / PROXY
    if local.exists():
        return str(local)
    return shutil.which(PROXY)


def missing_parts():
    """Why a local hub cannot start here (empty when it can)."""
    why = []
    for module in ("jupyterhub", "nbgitpuller"):
        try:
            __import__(module)
        except ImportError:
            why.append(f"{module} is not installed (pip install -e '.[hub]')")
    if find_proxy() is None:
        why.append(f"{PROXY} is not installed (make proxy: npm install)")
    return why


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


WRAPPER = """\
c = get_config()  # noqa: F821
load_subconfig({recipe!r})  # noqa: F821
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {base!r} + "/proxy.pid"
c.JupyterHub.db_url = "sqlite:///" + {base!r} + "/hub.sqlite"
c.JupyterHub.cookie_secret_file = {base!r} + "/cookie_secret"
c.JupyterHub.pid_file = {base!r} + "/hub.pid"
c.JupyterHub.concurrent_spawn_limit = 0
c.JupyterHub.services = [{{"name": "course-admin", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "course-admin",
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:hub"],
    "services": ["course-admin"],
}}]
"""


class LocalHub:
    """``with LocalHub(base) as hub:`` a JupyterHub on 127.0.0.1."""

    def __init__(self, base, extra_env=None):
        self.base = Path(base)
        self.base.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(16)
        self.homes = self.base / "home"
        self.log_path = self.base / "jupyterhub.log"
        self.extra_env = dict(extra_env or {})
        self.proc = None

    # ------------------------------------------------------------ lifetime

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        proxy = find_proxy()
        if proxy is None:
            raise RuntimeError(f"{PROXY} not found: run 'make proxy'")
        config = self.base / "jupyterhub_config.py"
        config.write_text(WRAPPER.format(
            recipe=str(RECIPE), hub_port=free_port(), api_port=free_port(),
            proxy=proxy, base=str(self.base), token=self.token))
        env = dict(os.environ, **self.extra_env)
        env.update(LRCOURSE_HUB_URL=self.url, LRCOURSE_HUB_TRY_PASSWORD=PASSWORD,
                   LRCOURSE_HUB_HOMES=str(self.homes))
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=str(self.base), env=env, stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT)
        try:
            self._wait(lambda: self.api("GET", "/info"), START_TIMEOUT, "start")
        except BaseException:
            self.stop()
            raise

    def stop(self):
        """Stop the hub, which stops its proxy and every learner's server."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        self.proc = None
        self._stop_leftover_proxy()

    def _stop_leftover_proxy(self):
        """The hub stops its proxy on the way out; make sure of it."""
        import signal

        pid_file = self.base / "proxy.pid"
        try:
            pid = int(pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if PROXY.encode() in cmdline:  # still our proxy, not a reused pid
                os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            pass  # no pid file, or the proxy has gone already

    def log_tail(self, n=4000):
        return self.log_path.read_text(errors="replace")[-n:]

    def _wait(self, probe, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited: {self.log_tail()}")
            try:
                result = probe()
                if result:
                    return result
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"hub: {what} timed out: {self.log_tail()}")
            time.sleep(0.2)

    # ------------------------------------------------------------ REST API

    def request(self, method, url, body=None, timeout=60, raw=False):
        """JSON in, JSON out (or the text, with ``raw``), with the token."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": f"token {self.token}",
            "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            text = r.read()
        if raw:
            return text.decode("utf-8", "replace")
        return json.loads(text) if text else {}

    def api(self, method, path, body=None):
        """The hub's REST API (``/hub/api`` + path)."""
        return self.request(method, f"{self.url}/hub/api{path}", body)

    def user_api(self, name, method, path, body=None):
        """A learner's Jupyter server API, through the proxy."""
        return self.request(method, f"{self.url}/user/{name}/api{path}", body)

    def add_learner(self, name):
        try:
            self.api("POST", f"/users/{name}")
        except urllib.error.HTTPError as err:
            if err.code != 409:  # 409: the learner exists already
                raise

    def spawn(self, name):
        """Start the learner's server; return once it answers through the proxy."""
        self.add_learner(name)
        try:
            self.api("POST", f"/users/{name}/server")
        except urllib.error.HTTPError as err:
            if err.code != 400:  # 400: already running
                raise

        def ready():
            server = self.api("GET", f"/users/{name}")["servers"].get("")
            return bool(server and server["ready"]) and self.user_api(
                name, "GET", "/status")

        self._wait(ready, SPAWN_TIMEOUT, f"spawning {name}")

    def stop_server(self, name):
        self.api("DELETE", f"/users/{name}/server")
        self._wait(lambda: not self.api("GET", f"/users/{name}")["servers"],
                   SPAWN_TIMEOUT, f"stopping {name}")

    def start_kernel(self, name, kernel="python3"):
        return self.user_api(name, "POST", "/kernels", {"name": kernel})["id"]

    def channel_url(self, name, kernel_id):
        ws = self.url.replace("http://", "ws://", 1)
        return f"{ws}/user/{name}/api/kernels/{kernel_id}/channels"


# ---------------------------------------------------------------- kernels


#: The kernel websocket protocols a ``KernelChannel`` speaks.
PROTOCOLS = {"v1": "v1.kernel.websocket.jupyter.org", "legacy": None}


def _from_v1(raw):
    """A message of the v1 websocket protocol as a dict (like the legacy one)."""
    from jupyter_server.services.kernels.connection.base import (
        deserialize_msg_from_ws_v1,
    )

    channel, parts = deserialize_msg_from_ws_v1(raw)
    msg = dict(zip(("header", "parent_header", "metadata", "content"),
                   (json.loads(part) for part in parts[:4])))
    msg.update(channel=channel, buffers=parts[4:])
    return msg


class KernelChannel:
    """One kernel's channels over the server's websocket (asyncio).

    It also plays the part of JupyterLab's figure views: every ipympl canvas
    the kernel opens is told it is shown, each ``draw`` the kernel asks for is
    answered, and a move is over once the kernel has sent the new frame, as it
    is in a browser. ``protocol="v1"`` speaks the websocket protocol
    JupyterLab 4 picks (``v1.kernel.websocket.jupyter.org``: the server
    relays each message without decoding it); ``"legacy"`` the JSON one.
    """

    def __init__(self, url, token, protocol="v1"):
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {sorted(PROTOCOLS)}; "
                             f"got {protocol!r}")
        self.url = url
        self.token = token
        self.protocol = protocol
        self.session = uuid.uuid4().hex
        self.ws = None
        self.canvases = set()  # comm ids of ipympl figures
        self.frames = 0  # figure frames received
        self.frame_bytes = 0
        self.messages = 0  # every message received, and their bytes
        self.bytes = 0
        self._drawing = set()  # our draw answers the kernel has not finished

    async def connect(self):
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        req = HTTPRequest(self.url, headers={
            "Authorization": f"token {self.token}"}, request_timeout=300,
            connect_timeout=300)
        self.ws = await websocket_connect(
            req, max_message_size=64 << 20,
            subprotocols=[PROTOCOLS[self.protocol]] if self.protocol == "v1" else None)
        return self

    def close(self):
        if self.ws is not None:
            self.ws.close()
            self.ws = None

    async def _send(self, msg_type, content):
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "session": self.session, "username": "learner",
                  "msg_type": msg_type, "version": "5.3", "date": ""}
        if self.protocol == "v1":
            from jupyter_server.services.kernels.connection.base import (
                serialize_msg_to_ws_v1,
            )

            parts = [json.dumps(part).encode() for part in (header, {}, {}, content)]
            await self.ws.write_message(serialize_msg_to_ws_v1(parts, "shell"),
                                        binary=True)
        else:
            await self.ws.write_message(json.dumps({
                "header": header, "parent_header": {}, "metadata": {},
                "channel": "shell", "content": content, "buffers": []}))
        return msg_id

    async def _to_canvas(self, comm_id, kind):
        content = {"comm_id": comm_id,
                   "data": {"method": "custom", "content": {"type": kind}}}
        return await self._send("comm_msg", content)

    async def _read(self, deadline):
        import asyncio

        from jupyter_server.services.kernels.connection.base import (
            deserialize_binary_message,
        )

        left = max(deadline - time.monotonic(), 0.01)
        raw = await asyncio.wait_for(self.ws.read_message(), left)
        if raw is None:
            raise RuntimeError("the kernel's websocket closed")
        self.messages += 1
        self.bytes += len(raw)
        if self.protocol == "v1":
            return _from_v1(raw), len(raw)
        if isinstance(raw, bytes):
            return deserialize_binary_message(raw), len(raw)
        return json.loads(raw), 0

    async def _figures(self, msg, size):
        """Answer the kernel's figure messages as a figure view would."""
        kind, content = msg["header"]["msg_type"], msg["content"]
        if kind == "comm_open":
            state = content.get("data", {}).get("state", {})
            if state.get("_model_name") == "MPLCanvasModel":
                self.canvases.add(content["comm_id"])
                for ask in ("send_image_mode", "refresh", "initialized"):
                    self._drawing.add(await self._to_canvas(content["comm_id"], ask))
        elif kind == "comm_msg" and content["comm_id"] in self.canvases:
            if msg.get("buffers"):
                self.frames += 1
                self.frame_bytes += size
                return
            data = content.get("data", {}).get("content", {}).get("data", "")
            if '"draw"' in data:
                self._drawing.add(await self._to_canvas(content["comm_id"], "draw"))
        elif kind == "status" and content["execution_state"] == "idle":
            self._drawing.discard(msg["parent_header"].get("msg_id"))

    async def set_widget(self, model_id, state, timeout=120):
        """Send a widget's new state as a browser does when a learner moves
        it (a comm message); return once the kernel is idle again and every
        frame it drew has arrived."""
        msg_id = await self._send("comm_msg", {
            "comm_id": model_id,
            "data": {"method": "update", "state": state, "buffer_paths": []}})
        await self._until_done(msg_id, timeout, replied=True)

    async def execute(self, code, timeout=120):
        """Run code; return its stdout once the kernel is idle and every
        frame it drew has arrived. Raises RuntimeError on an error."""
        msg_id = await self._send("execute_request", {
            "code": code, "silent": False, "store_history": False,
            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        return await self._until_done(msg_id, timeout)

    async def _until_done(self, msg_id, timeout, replied=False):
        out, error, idle = [], None, False
        deadline = time.monotonic() + timeout
        while not (replied and idle and not self._drawing):
            msg, size = await self._read(deadline)
            await self._figures(msg, size)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "execute_reply":
                replied = True
            elif kind == "status":
                idle = content["execution_state"] == "idle"
        if error:
            raise RuntimeError(error)
        return "".join(out)
