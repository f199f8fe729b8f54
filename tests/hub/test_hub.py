"""The single-machine recipe, for real: JupyterHub on loopback, a learner's
server spawned through the REST API, a kernel running a lesson's panel in it,
Voila behind the hub's login."""

import asyncio
import json
import urllib.error
import urllib.request

import pytest
from localhub import KernelChannel

pytestmark = pytest.mark.hub

LEARNER = "learner1"
PROBE = """
import json, os
import lrcourse
print(json.dumps({k: os.environ.get(k) for k in
                  ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                   "HOME", "MEM_LIMIT", "CPU_LIMIT")}))
"""
PANEL = """
from lrcourse.lessons.lesson01 import panels
panel = panels.descent_panel()
a, b = panel.set(lr=0.01), panel.set(lr=0.5)
print(json.dumps([a != b, bool(a.strip()), bool(b.strip())]))
"""


@pytest.fixture(scope="module")
def learner(hub):
    hub.spawn(LEARNER)
    yield LEARNER
    hub.stop_server(LEARNER)


def run(hub, name, *cells, frames=None):
    """Each cell's stdout, from a new kernel in the learner's server; with a
    list ``frames``, append the figure frames each cell brought."""
    async def go():
        kernel_id = hub.start_kernel(name)
        channel = await KernelChannel(hub.channel_url(name, kernel_id),
                                      hub.token).connect()
        try:
            outs = []
            for cell in cells:
                before = channel.frames
                outs.append(await channel.execute(cell))
                if frames is not None:
                    frames.append(channel.frames - before)
            return outs
        finally:
            channel.close()
            hub.user_api(name, "DELETE", f"/kernels/{kernel_id}")

    return asyncio.run(go())


def test_learner_kernel_has_one_blas_thread_home_and_limits(hub, learner):
    (out,) = run(hub, learner, PROBE)
    seen = json.loads(out)
    assert seen["OPENBLAS_NUM_THREADS"] == "1"
    assert seen["OMP_NUM_THREADS"] == "1"
    assert seen["MKL_NUM_THREADS"] == "1"
    assert seen["HOME"] == str(hub.homes / learner)
    assert seen["MEM_LIMIT"] == str(1 << 30)  # 1G, passed on by the spawner
    assert float(seen["CPU_LIMIT"]) == 1.0


def test_lesson_panel_moves_in_the_learners_kernel(hub, learner):
    """The readout changes, and the figure's new frames reach the client."""
    frames = []
    _, out, _ = run(hub, learner, "%matplotlib widget\nimport json", PANEL,
                    "panel.set(lr=0.2)", frames=frames)
    assert json.loads(out) == [True, True, True]
    assert frames[1] >= 1 and frames[2] >= 1, frames


def test_learner_server_needs_the_hubs_login(hub, learner):
    """No token, no cookie: the proxy's route sends the browser to log in."""
    opener = urllib.request.build_opener(NoRedirect())
    for path in ("lab", "api/kernels", "voila/tree"):
        url = f"{hub.url}/user/{learner}/{path}"
        with pytest.raises(urllib.error.HTTPError) as err:
            opener.open(url, timeout=30)
        assert err.value.code in (302, 403), (path, err.value.code)
        if err.value.code == 302:
            assert "/hub/" in err.value.headers["Location"], path


def test_voila_presents_a_lesson_behind_the_login(hub, learner):
    """Voila is an extension of the learner's server: with the hub's token
    it renders the lesson with the course's template."""
    import shutil

    from localhub import ROOT

    lesson = sorted((ROOT / "notebooks").glob("00_*.ipynb"))[0]
    home = hub.homes / learner
    shutil.copy(lesson, home / lesson.name)
    url = f"{hub.url}/user/{learner}/voila/render/{lesson.name}"
    req = urllib.request.Request(url, headers={
        "Authorization": f"token {hub.token}"})
    with urllib.request.urlopen(req, timeout=180) as r:
        page = r.read().decode("utf-8", "replace")
    assert r.status == 200
    assert "lrcourse/static/present.css" in page, page[-2000:]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
