"""Where one move of a live panel's slider spends its CPU.

Two measurements, each per panel of ``benchmarks/panels.py``:

* ``kernel_costs``: in this process, the CPU time of a move split into the
  panel's compute, the rest of the callback (readout, other outputs, the
  view's ``update``), drawing (blit or full draw) and encoding the frame
  ipympl sends (the diff against the last frame and its PNG), with the bytes
  of the frames sent.
* ``server_costs``: a real ``jupyter server`` on 127.0.0.1 and one kernel,
  driven over the server's websocket as JupyterLab does (``tools/localhub``'s
  ``KernelChannel``, which also answers the figure's draw requests); the CPU
  time of the kernel and of the server process, per move, read from
  ``/proc`` (psutil) before and after the moves, and the bytes the browser
  receives per move. A move is either the slider's new value sent as the
  browser sends it (``drive="slider"``) or ``panel.set(lr=...)`` run as a
  cell (``drive="execute"``, as ``benchmarks/classroom.py`` does).

All figures are CPU times, not wall time: the machine is shared.
"""

import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

PARTS = ("compute", "callback", "draw", "encode")


class _Clock:
    """Inclusive CPU seconds spent in each wrapped call, by part."""

    def __init__(self):
        self.seconds = dict.fromkeys(PARTS, 0.0)
        self.frames = 0
        self.bytes = 0

    def wrap(self, part, fn):
        def timed(*args, **kwargs):
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[part] += time.process_time() - start
        return timed

    def count(self, send):
        def counted(data):
            self.frames += 1
            self.bytes += len(data)
            return send(data)
        return counted


class _TimedCompute:
    """A panel's compute (function or object with tables), timed."""

    def __init__(self, compute, clock):
        self._compute = compute
        self._timed = clock.wrap("compute", compute)

    def __call__(self, *args, **kwargs):
        return self._timed(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._compute, name)


def _instrument(panel, clock):
    """Wrap the panel's compute, drawing, encoding and sending."""
    panel.compute = _TimedCompute(panel.compute, clock)
    canvas = panel.fig.canvas
    canvas.get_diff_image = clock.wrap("encode", canvas.get_diff_image)
    canvas.send_binary = clock.count(canvas.send_binary)
    if panel.blitter is not None:
        panel.blitter.update = clock.wrap("draw", panel.blitter.update)
    else:  # a full drawing, which the browser asks for after draw_idle
        canvas.draw = clock.wrap("draw", canvas.draw)


def _move(panel, case, value):
    panel.set(**{case["control"]: value})
    if panel.blitter is None:
        panel.fig.canvas.draw()


def kernel_costs(case, moves=40):
    """CPU milliseconds per move by part, frames and bytes per move."""
    from lrcourse import _compat

    panel = case["make"]()
    _compat.mark_view_ready(panel.fig.canvas)  # as once a browser has connected
    values = list(case["values"])
    for value in values:  # warm-up: caches, fonts, the first full drawing
        _move(panel, case, value)
    clock = _Clock()
    _instrument(panel, clock)
    start = time.process_time()
    for i in range(moves):
        _move(panel, case, values[(i + 1) % len(values)])
    total = time.process_time() - start
    spent = clock.seconds
    own = {"compute": spent["compute"],
           "draw": spent["draw"] - spent["encode"],
           "encode": spent["encode"]}
    own["callback"] = total - sum(own.values())
    row = {part: 1000 * own[part] / moves for part in PARTS}
    row.update(total=1000 * total / moves, frames=clock.frames / moves,
               frame_bytes=clock.bytes / moves)
    return row


# ------------------------------------------------------------ a real server


class JupyterServer:
    """``with JupyterServer(base) as server:`` jupyter server on 127.0.0.1."""

    def __init__(self, base, protocol="v1"):
        from localhub import free_port

        self.base = Path(base)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.protocol = protocol
        self.proc = None

    def __enter__(self):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(ROOT), str(ROOT / "benchmarks")]),
            OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        env.pop("MPLBACKEND", None)
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR",
                     "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
            env[name] = str(self.base / name.lower())
        self._log = open(self.base / "server.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--no-browser",
             f"--ServerApp.token={self.token}", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", f"--ServerApp.root_dir={self.base}",
             "--ServerApp.port_retries=0"] + (["--allow-root"] if os.getuid() == 0
                                              else []),
            cwd=self.base, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                self.request("GET", "/api/status")
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("jupyter server did not start; see "
                           f"{self.base / 'server.log'}")

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={"Authorization": f"token {self.token}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"null")

    def kernel(self):
        """A new kernel's channel (not yet connected) and its process."""
        import psutil
        from localhub import KernelChannel

        kernel_id = self.request("POST", "/api/kernels", {"name": "python3"})["id"]
        ws = self.url.replace("http://", "ws://", 1)
        channel = KernelChannel(f"{ws}/api/kernels/{kernel_id}/channels",
                                self.token, protocol=self.protocol)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for proc in psutil.Process(self.proc.pid).children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if f"kernel-{kernel_id}" in " ".join(proc.cmdline()):
                        return channel, proc
            time.sleep(0.1)
        raise RuntimeError("the kernel process did not appear")


BUILD = """
import json as _json
from panels import CASES as _CASES
from lrcourse.widgets import _option_values
_case = [c for _, f in _CASES for c in f() if c["name"] == {name!r}][0]
_panel = _case["make"]()
display(_panel)
_w = _panel.widgets[_case["control"]]
_options = _option_values(_w) if hasattr(_w, "index") else None
print(_json.dumps({{"model_id": _w.model_id, "values": list(_case["values"]),
                   "states": [{{"index": _options.index(v)}} if _options else
                              {{"value": v}} for v in _case["values"]]}}))
"""


def _cpu(proc):
    times = proc.cpu_times()
    return times.user + times.system


async def _drive(server, kernel, channel, name, moves, drive):
    import psutil

    info = json.loads((await channel.execute(BUILD.format(name=name))).strip())
    values = info["values"]

    async def move(i):
        value = values[(i + 1) % len(values)]
        if drive == "slider":  # a selection slider's browser sends its index
            state = info["states"][(i + 1) % len(values)]
            await channel.set_widget(info["model_id"], state)
        else:
            await channel.execute(f"_ = _panel.set(**{{_case['control']: {value!r}}})")

    for i in range(len(values)):  # warm-up
        await move(i)
    server_proc = psutil.Process(server.proc.pid)
    cpu0 = (_cpu(kernel), _cpu(server_proc))
    seen0 = (channel.messages, channel.bytes, channel.frames, channel.frame_bytes)
    for i in range(moves):
        await move(i)
    cpu1 = (_cpu(kernel), _cpu(server_proc))
    seen1 = (channel.messages, channel.bytes, channel.frames, channel.frame_bytes)
    per = [(b - a) / moves for a, b in zip(seen0, seen1)]
    return {"kernel": 1000 * (cpu1[0] - cpu0[0]) / moves,
            "server": 1000 * (cpu1[1] - cpu0[1]) / moves,
            "messages": per[0], "bytes": per[1], "frames": per[2],
            "frame_bytes": per[3]}


def server_costs(cases, moves=60, drive="slider", protocol="v1"):
    """``{case name: per-move figures}`` for each case, each in a fresh kernel
    of one jupyter server."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="lrcourse-moves-") as base, \
            JupyterServer(base, protocol=protocol) as server:
        for case in cases:
            channel, kernel = server.kernel()

            async def run(channel=channel, kernel=kernel, case=case):
                await channel.connect()
                try:
                    return await _drive(server, kernel, channel, case["name"],
                                        moves, drive)
                finally:
                    channel.close()

            results[case["name"]] = asyncio.run(run())
            kernel_id = channel.url.rsplit("/", 2)[-2]
            server.request("DELETE", f"/api/kernels/{kernel_id}")
    return results
