"""A learner on the course's hub, in the browser.

A real JupyterHub on 127.0.0.1 runs the course's recipe (deploy/jupyterhub/).
The learner clicks the nbgitpuller link to lesson 01, logs in, and lands in
JupyterLab on the lesson cloned into their home from a local git remote of the
course; they run it, press an arrow key on the rate slider and see the readout
change to the text ``lrcourse`` computes, and the figure redraw. Voila shows
the lesson to the logged-in learner, and sends anyone else to the login page.
"""

import shutil
import subprocess
import sys
import time
import urllib.parse

import pytest
from helpers import (
    JS_ERRORS,
    JS_PANEL_READY,
    LAB_NB,
    NOTEBOOKS,
    PANEL_ROOT,
    ROOT,
    move_slider,
    rate_sliders,
)

sys.path.insert(0, str(ROOT / "tools"))
from localhub import PASSWORD, LocalHub, missing_parts  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.hub]

MISSING = missing_parts() + (["git is not installed"] if not shutil.which("git")
                             else [])
if MISSING:
    pytest.skip("hub in the browser: " + "; ".join(MISSING),
                allow_module_level=True)

LESSON = "01"
LEARNER = "learner-web"
SPAWN_AND_PULL_TIMEOUT = 180_000  # ms: log in, spawn, clone, open Lab
RUN_TIMEOUT = 120_000  # ms: the lesson's cells, on a busy machine


@pytest.fixture(scope="module")
def course_remote(tmp_path_factory):
    """A bare git remote holding the course's notebooks/ (file:// URL)."""
    base = tmp_path_factory.mktemp("course-remote")
    work = base / "lrcourse"
    shutil.copytree(NOTEBOOKS, work / "notebooks", ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__"))
    ident = ["-c", "user.name=Course", "-c", "user.email=course@example.org"]
    for args in (["init", "-q", "-b", "main"], ["add", "."],
                 ["commit", "-q", "-m", "The course"]):
        subprocess.run(["git", *ident, *args], cwd=work, check=True)
    # named as on GitHub: nbgitpuller clones into a folder named after the URL
    remote = base / "remote" / "lrcourse"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(remote)],
                   check=True)
    return f"file://{remote}"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with LocalHub(tmp_path_factory.mktemp("lrcourse-hub-web")) as running:
        yield running


@pytest.fixture(scope="module")
def learner_page(browser, hub):
    context = browser.new_context(viewport={"width": 1800, "height": 1300},
                                  device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
    hub.stop_server(LEARNER)


def lesson_name(number):
    return sorted(NOTEBOOKS.glob(f"{number}_*.ipynb"))[0].name


def pull_link(hub, repo, number):
    query = urllib.parse.urlencode({
        "repo": repo, "branch": "main",
        "urlpath": f"lab/tree/lrcourse/notebooks/{lesson_name(number)}"})
    return f"{hub.url}/hub/user-redirect/git-pull?{query}"


def log_in(page, name):
    page.locator("input[name=username]").fill(name)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("#login_submit").click()


JS_RUN_STATE = """(scope) => {
  const nb = document.querySelector(scope);
  if (!nb) return 'no visible notebook';
  const ind = nb.querySelector('.jp-Notebook-ExecutionIndicator');
  const panel = nb.querySelector('.lr-readout');
  return {prompts: [...nb.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
            .map(e => e.textContent.trim()).join(' '),
          kernel: ind ? ind.getAttribute('data-status') : null,
          readout: panel ? panel.innerText.slice(0, 80) : null,
          dialogs: [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText)};
}"""


def wait_kernel_connected(page, hub, path, timeout=120):
    """Until the lesson's kernel is idle and the page is connected to it,
    choosing the course's kernel if Lab asks (it may, on a busy machine)."""
    deadline = time.monotonic() + timeout
    while True:
        dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
        if dialog.count():
            dialog.locator(".jp-mod-accept").click()
        for session in hub.user_api(LEARNER, "GET", "/sessions"):
            kernel = session.get("kernel") or {}
            if (session.get("path", "").endswith(path)
                    and kernel.get("execution_state") == "idle"
                    and kernel.get("connections", 0) >= 1):
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"no kernel for {path}: "
                                 f"{hub.user_api(LEARNER, 'GET', '/sessions')}")
        time.sleep(0.2)  # poll the condition


def run_all(page):
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-item:visible").filter(
        has=page.locator(".lm-Menu-itemLabel", has_text="Run All Cells")
    ).first.click()


def test_link_logs_in_pulls_and_the_slider_moves_the_readout(
        learner_page, hub, course_remote, inprocess):
    page = learner_page
    name = lesson_name(LESSON)
    page.goto(pull_link(hub, course_remote, LESSON), wait_until="domcontentloaded")
    assert "/hub/login" in page.url, page.url  # nobody gets in without the login
    log_in(page, LEARNER)
    page.wait_for_url(f"**/user/{LEARNER}/lab/tree/lrcourse/notebooks/{name}*",
                      timeout=SPAWN_AND_PULL_TIMEOUT)
    assert (hub.homes / LEARNER / "lrcourse" / "notebooks" / name).exists()

    wait_kernel_connected(page, hub, name)
    run_all(page)
    root = page.locator(f"{LAB_NB} {PANEL_ROOT}").first
    try:
        root.wait_for(state="attached", timeout=RUN_TIMEOUT)
        root.scroll_into_view_if_needed()
        page.wait_for_function(JS_PANEL_READY, arg=root.element_handle(),
                               timeout=RUN_TIMEOUT, polling=200)
    except Exception as err:
        page.screenshot(path=str(hub.base / "lesson.png"))
        state = page.evaluate(JS_RUN_STATE, LAB_NB)
        raise AssertionError(
            f"lesson {LESSON}'s panel did not draw: {state}; the page is in "
            f"{hub.base / 'lesson.png'}") from err
    assert page.evaluate(JS_ERRORS, LAB_NB) == []

    cell, panel = inprocess(LESSON, "hub").panels[0]
    slider_name, widget = rate_sliders(panel)[0]
    before = root.locator(".lr-readout").inner_text()
    move = move_slider(page, root, 0, slider_name, widget, panel, "key",
                       "ArrowRight")
    assert move.value != move.before, "the arrow key did not move the slider"
    assert move.shown == move.expected
    assert move.shown != " ".join(before.split())
    assert move.canvas_changed, "the figure was not redrawn"


def test_voila_presents_the_lesson_only_behind_the_login(
        learner_page, browser, hub):
    name = lesson_name(LESSON)
    url = f"{hub.url}/user/{LEARNER}/voila/render/lrcourse/notebooks/{name}"

    stranger = browser.new_context()
    try:
        page = stranger.new_page()
        page.goto(url, wait_until="domcontentloaded", timeout=60_000)
        assert "/hub/login" in page.url, page.url
        assert page.locator(PANEL_ROOT).count() == 0
    finally:
        stranger.close()

    page = learner_page
    page.goto(url, wait_until="domcontentloaded", timeout=RUN_TIMEOUT)
    root = page.locator(PANEL_ROOT).first
    root.wait_for(timeout=RUN_TIMEOUT)
    page.wait_for_function(JS_PANEL_READY, arg=root.element_handle(),
                           timeout=RUN_TIMEOUT, polling=200)
    assert page.locator('link[href*="lrcourse/static/present.css"]').count() == 1
    assert page.locator(".jp-CodeCell .jp-InputArea:visible").count() == 0
