"""Servers, browser and ordering for the browser tests.

One JupyterLab and one Voila server are started per session, on free ports
bound to 127.0.0.1, serving a temporary copy of ``notebooks/`` with every
Jupyter, IPython and Matplotlib directory moved to temporary folders (the
kernel is still this environment's ``python3``). One headless Chromium
(``/usr/bin/chromium``, never a downloaded one) serves every test. Without
Chromium or Playwright the tests are skipped with the reason shown in the
header and in the summary (and CI, with LRCOURSE_REQUIRE_ALL=1, fails them).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import CHROMIUM, NOTEBOOKS, ROOT, discover_lessons

HERE = Path(__file__).resolve().parent
LESSONS = discover_lessons()
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60  # seconds
STATS = {"latency_ms": [], "release_ms": [], "phases": {}, "exercise_retries": []}


def _why_skip():
    if not CHROMIUM.exists():
        return (f"no Chromium at {CHROMIUM} "
                "(install it: sudo apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed in this environment"
    return None


SKIP_REASON = _why_skip()


def pytest_report_header(config):
    if SKIP_REASON:
        return f"browser tests: SKIPPED: {SKIP_REASON}"
    names = ", ".join(lesson.number for lesson in LESSONS) or "none"
    return f"browser tests: {CHROMIUM}; lessons found: {names}"


def _in_here(item):
    return HERE in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config, items):
    """Skip without a browser; otherwise run each lesson's tests together
    (Lab tests first, then Voila), so each lesson is opened once."""
    mine = [item for item in items if _in_here(item)]
    if not mine:
        return
    if SKIP_REASON:
        mark = pytest.mark.skip(reason=SKIP_REASON)
        for item in mine:
            item.add_marker(mark)
        return
    order = {id(item): n for n, item in enumerate(items)}

    def key(item):
        if not _in_here(item):
            return (0, "", "", order[id(item)])
        params = getattr(getattr(item, "callspec", None), "params", {})
        lesson = params.get("lesson", "zz")  # lesson-free tests run last
        return (1, item.path.name, lesson, order[id(item)])

    items.sort(key=key)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    tr = terminalreporter
    if SKIP_REASON and any(r.nodeid.startswith("tests/browser/")
                           for r in tr.stats.get("skipped", [])):
        tr.write_sep("-", f"browser tests skipped: {SKIP_REASON}")
    lat = STATS["latency_ms"]
    if lat or STATS["release_ms"] or STATS["phases"]:
        tr.write_sep("-", "browser test timings")
        if lat:
            tr.write_line(
                "live panels, key press to readout: median "
                f"{statistics.median(lat):.0f} ms, max {max(lat):.0f} ms, "
                f"n = {len(lat)} (target <= 200 ms)")
        rel = STATS["release_ms"]
        if rel:
            tr.write_line(
                f"on-release panels, key press to result: median "
                f"{statistics.median(rel):.0f} ms, max {max(rel):.0f} ms, "
                f"n = {len(rel)}")
        if STATS["exercise_retries"]:
            tr.write_line(
                "exercise boxes whose first Check saw an older value of the text "
                f"box (pressed again): {STATS['exercise_retries']}")
        for name, seconds in STATS["phases"].items():
            tr.write_line(f"{name}: {seconds:.1f} s")


# ---------------------------------------------------------------- servers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def workspace(tmp_path_factory):
    """A copy of notebooks/ and the temporary Jupyter directories."""
    base = tmp_path_factory.mktemp("lrcourse-browser")
    served = base / "notebooks"
    shutil.copytree(NOTEBOOKS, served, ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__"))
    dirs = {}
    for name in ("config", "data", "runtime", "ipython", "mpl", "settings",
                 "workspaces", "xdg"):
        dirs[name] = base / name
        dirs[name].mkdir()
    # keep every cell in the page and the news off (Lab user settings)
    for rel, value in (
            ("@jupyterlab/notebook-extension/tracker.jupyterlab-settings",
             {"windowingMode": "none"}),
            ("@jupyterlab/apputils-extension/notification.jupyterlab-settings",
             {"fetchNews": "false", "checkForUpdates": False})):
        path = dirs["settings"] / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    return {"base": base, "served": served, **dirs}


def server_env(ws, extra_path=()):
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the lessons choose theirs
    jupyter_path = [str(p) for p in extra_path]
    # this environment's kernelspec and front-end extensions, even though
    # JUPYTER_DATA_DIR points elsewhere
    jupyter_path.append(str(Path(sys.prefix) / "share" / "jupyter"))
    env.update(
        JUPYTER_CONFIG_DIR=str(ws["config"]),
        JUPYTER_DATA_DIR=str(ws["data"]),
        JUPYTER_RUNTIME_DIR=str(ws["runtime"]),
        JUPYTER_PATH=os.pathsep.join(jupyter_path),
        JUPYTERLAB_SETTINGS_DIR=str(ws["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(ws["workspaces"]),
        IPYTHONDIR=str(ws["ipython"]),
        MPLCONFIGDIR=str(ws["mpl"]),
        PYTHONHASHSEED="0",
    )
    return env


class Server:
    def __init__(self, name, cmd, env, port, ready_path, logdir):
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = logdir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, env=env, cwd=str(logdir),
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:  # poll until the server answers (or gives up)
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + ready_path, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not start: {self.log_tail()}")
            time.sleep(0.1)

    def get_json(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return json.load(r)

    def request(self, method, path):
        req = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status

    def log_tail(self, n=4000):
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-n:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()  # the server shuts its kernels down
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def _allow_root():
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@pytest.fixture(scope="session")
def lab_server(workspace):
    start = time.perf_counter()
    port = free_port()
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
           "--ServerApp.token=", "--ServerApp.password=",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", "--ServerApp.open_browser=False",
           "--ServerApp.disable_check_xsrf=True",
           f"--ServerApp.root_dir={workspace['served']}",
           "--LabApp.extension_manager=readonly",
           "--LabApp.news_url=", *_allow_root()]
    server = Server("jupyterlab", cmd, server_env(workspace), port, "/api/status",
                    workspace["base"])
    STATS["phases"]["JupyterLab start"] = time.perf_counter() - start
    yield server
    server.stop()


@pytest.fixture(scope="session")
def voila_server(workspace):
    start = time.perf_counter()
    port = free_port()
    cmd = [sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
           "--template=lrcourse", "--theme=light", "--show_tracebacks=True",
           str(workspace["served"])]
    env = server_env(workspace, extra_path=[ROOT / "presentation"])
    server = Server("voila", cmd, env, port, "/voila/tree", workspace["base"])
    STATS["phases"]["Voila start"] = time.perf_counter() - start
    yield server
    server.stop()


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser(workspace):
    from playwright.sync_api import sync_playwright

    env = dict(os.environ, XDG_CONFIG_HOME=str(workspace["xdg"]),
               XDG_CACHE_HOME=str(workspace["xdg"]))
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=CHROMIUM_ARGS, env=env)
        yield b
        b.close()


def _new_page(browser):
    # wide enough for the widest panel beside Lab's file browser
    context = browser.new_context(viewport={"width": 1800, "height": 1300},
                                  device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return page


@pytest.fixture(scope="session")
def lab_page(browser, lab_server):
    page = _new_page(browser)
    yield page
    page.context.close()


@pytest.fixture(scope="session")
def voila_page(browser, voila_server):
    page = _new_page(browser)
    yield page
    page.context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory):
    """docs/images/ with LRCOURSE_SCREENSHOTS=1, else a temporary folder."""
    if os.environ.get("LRCOURSE_SCREENSHOTS") == "1":
        path = ROOT / "docs" / "images"
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def stats():
    return STATS


@pytest.fixture(scope="session")
def inprocess():
    """``get(number, context)``: the lesson's panels built in this process,
    one build per lesson and context ("lab", "voila"), as the kernel has them
    after running the lesson from the top."""
    from helpers import InProcessLesson, lesson_by_number

    cache = {}

    def get(number, context):
        key = (number, context)
        if key not in cache:
            start = time.perf_counter()
            cache[key] = InProcessLesson(lesson_by_number(number))
            STATS["phases"][f"in-process build {number} ({context})"] = (
                time.perf_counter() - start)
        return cache[key]

    return get
