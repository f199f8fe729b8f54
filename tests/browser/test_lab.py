"""Every lesson in JupyterLab: restart and run all, then drive every panel.

For each lesson found in notebooks/: open it, restart the kernel and run all
cells, wait for the widgets and check that no cell shows an error. Then, for
each panel, move its rate slider (lesson 01: by dragging the handle, by arrow
keys and by typing into the slider's readout; other lessons: arrow keys),
read the value the browser's slider holds, and check that the readout is the
text ``lrcourse`` computes for that value (the same panel, built in this
process) and that the figure was redrawn; on-release panels must show
"training..." first; a diverging rate must say so.
"""

import re
import time

import pytest
from helpers import (
    DIVERGED,
    JS_ERRORS,
    JS_PANEL_READY,
    JS_PANEL_STATE,
    LAB_NB,
    PANEL_ROOT,
    answer_in_page,
    answers_to_try,
    discover_lessons,
    drive_without_rate,
    exercise_id_of,
    expected_feedback,
    find_diverging_value,
    grid_of,
    lesson_by_number,
    move_slider,
    norm,
    rate_sliders,
    readout_text,
    screenshot_panel,
    slider_base,
    slider_value,
)

#: What a readout says when too high a rate freezes a network instead, or
#: when a one-update panel can only name the regime.
TOO_HIGH = re.compile(r"stalled|dead ReLUs|divergent \(lr > 2/lambda\)|"
                      r"no better than a coin toss|does not converge")

#: Panels whose rate slider stays below the limit on purpose: they compare
#: schedules or optimizers at rates that train (lesson 10's river valley,
#: schedule-free and AdamW panels); their top rate must read as a result.
STABLE_RANGE = {("10", "valley"), ("10", "free"), ("10", "decay")}


def has_other_drive(panel):
    """A panel without a rate slider is driven by a train button (``rule``)
    or by a choice slider on release (lesson 10's warmup length)."""
    import ipywidgets as W

    return "rule" in panel.widgets or any(
        isinstance(w, W.SelectionSlider) for w in panel.widgets.values())

pytestmark = pytest.mark.browser

LESSONS = discover_lessons()
LESSON_IDS = [lesson.number for lesson in LESSONS]
PANEL_IDS = [(lesson.number, k) for lesson in LESSONS
             for k in range(len(lesson.panels))]
RUN_TIMEOUT = 300_000  # ms for a whole lesson to run in the kernel (07 and 10 train
# networks over several seeds: about a minute alone, more on a shared machine)
MULTI_INPUT = {"01"}  # lessons whose rate slider is also dragged and typed into

_state = {"lesson": None, "problem": None}
_rate_left_by_notebook = {}  # (lesson, k): (kernel-side value, browser value)


def _menu(page, top, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
    page.locator(".lm-Menu-item:visible").filter(
        has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(
            f"^{re.escape(item)}$"))).click()


JS_RUN_STATE = """(scope) => {
  const nb = document.querySelector(scope);
  if (!nb) return false;
  if (nb.querySelector('[data-mime-type="application/vnd.jupyter.error"]'))
    return 'error';
  const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
  const done = prompts.length > 0
    && prompts.every(e => /^\\[\\d+\\]:$/.test(e.textContent.trim()));
  const idle = nb.querySelector(
    '.jp-Notebook-ExecutionIndicator[data-status="idle"]');
  return done && idle ? 'done' : false;
}"""


JS_RUN_DIAGNOSIS = """(scope) => {
  const nb = document.querySelector(scope);
  if (!nb) return 'no visible notebook';
  const ind = nb.querySelector('.jp-Notebook-ExecutionIndicator');
  return {prompts: [...nb.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
            .map(e => e.textContent.trim()).join(' '),
          status: ind ? ind.getAttribute('data-status') : null,
          dialogs: [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText)};
}"""


def wait_kernel_connected(server, path, timeout=90):
    """Wait until the lesson's kernel has started, is idle and the page is
    connected to it: restarting it earlier breaks the page's connection (the
    server logs a websocket error and the kernel stays "starting")."""
    deadline = time.monotonic() + timeout
    while True:
        for session in server.get_json("/api/sessions"):
            kernel = session.get("kernel") or {}
            if (session.get("path") == path
                    and kernel.get("execution_state") == "idle"
                    and kernel.get("connections", 0) >= 1):
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"the kernel of {path} did not become idle and "
                                 f"connected: {server.get_json('/api/sessions')}")
        time.sleep(0.1)  # poll the condition


def open_and_run(page, server, lesson):
    """Open the lesson, clear it, restart the kernel and run all cells."""
    for session in server.get_json("/api/sessions"):  # earlier lessons' kernels
        server.request("DELETE", f"/api/sessions/{session['id']}")
    page.goto(f"{server.url}/lab/tree/{lesson.name}?reset",
              wait_until="domcontentloaded")
    page.locator(f"{LAB_NB} .jp-Notebook-ExecutionIndicator[data-status='idle']"
                 ).wait_for(timeout=90_000)
    wait_kernel_connected(server, lesson.name)
    _menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(
        """(scope) => [...document.querySelectorAll(
             scope + ' .jp-CodeCell .jp-InputArea-prompt')].every(
             e => !/\\d/.test(e.textContent))""", arg=LAB_NB)
    _menu(page, "Kernel", "Restart Kernel and Run All Cells…")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    try:
        return page.wait_for_function(JS_RUN_STATE, arg=LAB_NB, timeout=RUN_TIMEOUT,
                                      polling=200).json_value()
    except Exception as err:
        seen = page.evaluate(JS_RUN_DIAGNOSIS, LAB_NB)
        raise AssertionError(f"run-all did not finish: {seen}") from err


def panel_roots(page):
    return page.locator(f"{LAB_NB} {PANEL_ROOT}")


def wait_panels(page, count, timeout=60_000):
    page.wait_for_function(
        """([sel, n, ready]) => {
             const roots = document.querySelectorAll(sel);
             const isReady = eval(ready);
             return roots.length === n && [...roots].every(r => isReady(r));
           }""",
        arg=[f"{LAB_NB} {PANEL_ROOT}", count, JS_PANEL_READY], timeout=timeout,
        polling=200)


@pytest.fixture
def lab_lesson(lab_page, lab_server, inprocess, stats):
    """Returns ``open(number)``: the lesson opened and run in Lab (once)."""

    def open_(number):
        if _state["lesson"] != number:
            lesson = lesson_by_number(number)
            _state.update(lesson=number, problem="the lesson did not open")
            start = time.perf_counter()
            lab = inprocess(number, "lab")
            try:
                state = open_and_run(lab_page, lab_server, lesson)
            except Exception as err:
                _state["problem"] = f"could not open and run {lesson.name}: {err}"
                raise
            if state != "done":
                _state["problem"] = f"a cell raised an error ({state})"
            else:
                _state["problem"] = None
                try:
                    wait_panels(lab_page, len(lab.panels))
                except Exception:
                    roots = panel_roots(lab_page)
                    seen = [roots.nth(i).evaluate(JS_PANEL_STATE)
                            for i in range(roots.count())]
                    _state["problem"] = (
                        f"the panels did not render in time: expected "
                        f"{len(lab.panels)} panels with a readout and a drawn "
                        f"figure; found {seen} (canvas [0, 0]: the ipympl view "
                        "never got its size, see matplotlib/ipympl#472)")
            stats["phases"][f"Lab lesson {number} open + run all"] = (
                time.perf_counter() - start)
        return lesson_by_number(number), inprocess(number, "lab")

    return open_


@pytest.mark.parametrize("lesson", LESSON_IDS)
def test_lesson_runs_without_errors(lesson, lab_lesson, lab_page, screenshot_dir):
    info, lab = lab_lesson(lesson)
    errors = lab_page.evaluate(JS_ERRORS, LAB_NB)
    assert not errors, f"lesson {lesson} shows errors:\n" + "\n".join(errors)
    assert _state["problem"] is None, _state["problem"]
    roots = panel_roots(lab_page)
    assert roots.count() == len(lab.panels)
    # each readout is the one lrcourse gives for the value its slider shows
    for k, (cell, panel) in enumerate(lab.panels):
        if not rate_sliders(panel):
            continue  # a panel driven by other controls (reported below)
        name, widget = rate_sliders(panel)[0]
        value = slider_value(roots.nth(k).locator(".lr-slider").first,
                             slider_base(widget))
        shown = readout_text(roots.nth(k))
        _rate_left_by_notebook[(lesson, k)] = (widget.value, value)
        expected = norm(panel.set(**{name: value}))
        assert shown == expected, (
            f"lesson {lesson}, panel {cell.var} (cell {cell.index}): after run-all "
            f"the slider shows {value!r} but the readout is not lrcourse's for it\n"
            f" browser: {shown}\nlrcourse: {expected}")
    if lab.panels:  # the main panel, at the rate the notebook sets
        cell, panel = lab.panels[0]
        kernel_value, browser_value = _rate_left_by_notebook.get((lesson, 0), (0, 0))
        if browser_value != pytest.approx(kernel_value, rel=1e-9):
            name, widget = rate_sliders(panel)[0]
            move_slider(lab_page, roots.nth(0), 0, name, widget, panel, "type",
                        repr(kernel_value), has_canvas=panel.fig is not None)
        screenshot_panel(lab_page, roots.nth(0),
                         screenshot_dir / f"lesson{lesson}.png")


@pytest.mark.parametrize(("lesson", "k"), PANEL_IDS,
                         ids=[f"{n}-panel{k}" for n, k in PANEL_IDS])
def test_panel_keeps_the_rate_the_notebook_set(lesson, k, lab_lesson):
    """After run-all the slider sits where the lesson's last ``panel.set``
    left it (a browser that sends a value back must not move it)."""
    info, lab = lab_lesson(lesson)
    assert _state["problem"] is None, _state["problem"]
    if not rate_sliders(lab.panels[k][1]):
        # no rate to keep: such a panel is driven by its train button, which
        # test_rate_slider_drives_readout_and_figure presses
        assert has_other_drive(lab.panels[k][1]), "a panel without a rate slider"
        return
    if (lesson, k) not in _rate_left_by_notebook:
        pytest.fail("test_lesson_runs_without_errors did not record the rate")
    kernel, browser = _rate_left_by_notebook[(lesson, k)]
    assert browser == pytest.approx(kernel, rel=1e-9), (
        f"lesson {lesson}, panel {k}: the notebook leaves the rate at {kernel!r}, "
        f"but after run-all the slider and readout show {browser!r}: the browser "
        "sent an earlier value back (FloatLogSlider recomputes 10**exponent "
        "from noUiSlider, which differs in the last bits from the value the "
        "kernel set, and the kernel applies that stale echo after the cells ran)")


def _check_move(move, lesson, var, release):
    where = f"lesson {lesson}, panel {var}, {move.how}"
    assert move.value != move.before, f"{where}: the slider did not move"
    assert move.shown == move.expected, (
        f"{where}: slider value {move.value!r}: the browser's readout differs "
        f"from what lrcourse computes\n browser: {move.shown}\n"
        f"lrcourse: {move.expected}")
    assert move.canvas_changed is not False, f"{where}: the figure did not change"
    if release:
        assert move.saw_training, (
            f"{where}: on-release panel never showed 'training...' "
            f"(readout texts seen: {move.texts})")


@pytest.mark.parametrize(("lesson", "k"), PANEL_IDS,
                         ids=[f"{n}-panel{k}" for n, k in PANEL_IDS])
def test_rate_slider_drives_readout_and_figure(lesson, k, lab_lesson, lab_page,
                                               stats):
    info, lab = lab_lesson(lesson)
    assert _state["problem"] is None, _state["problem"]
    cell, panel = lab.panels[k]
    root = panel_roots(lab_page).nth(k)
    sliders = rate_sliders(panel)
    if not sliders:  # driven by a rule toggle and a train button instead
        shown, expected, changed = drive_without_rate(lab_page, root, panel)
        assert shown == expected, (
            f"lesson {lesson}, panel {cell.var}: after the train button\n"
            f" browser: {shown}\nlrcourse: {expected}")
        assert changed, f"lesson {lesson}, panel {cell.var}: the figure did not change"
        return
    has_canvas = panel.fig is not None
    for j, (name, widget) in enumerate(sliders):
        release = not widget.continuous_update
        # the key pointing away from the end the slider is nearest to
        up = widget.value < widget.base ** ((widget.min + widget.max) / 2)
        keys = ["ArrowRight", "ArrowRight", "ArrowLeft"] if up else [
            "ArrowLeft", "ArrowLeft", "ArrowRight"]
        if release:
            keys = keys[:1]
        for key in keys:
            move = move_slider(lab_page, root, j, name, widget, panel, "key", key,
                               has_canvas=has_canvas)
            _check_move(move, lesson, cell.var, release)
            if move.latency_ms is not None:
                stats["release_ms" if release else "latency_ms"].append(
                    move.latency_ms)
        if lesson in MULTI_INPUT:
            sign = 1 if up else -1
            move = move_slider(lab_page, root, j, name, widget, panel, "drag",
                               40 if up else -40, has_canvas=has_canvas)
            _check_move(move, lesson, cell.var, release)
            # an off-grid number, several notches away: it must snap
            typed = f"{move.value * widget.base ** (7.3 * widget.step * sign):.3g}"
            move = move_slider(lab_page, root, j, name, widget, panel, "type",
                               typed, has_canvas=has_canvas)
            _check_move(move, lesson, cell.var, release)
    errors = lab_page.evaluate(JS_ERRORS, LAB_NB)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize(("lesson", "k"), PANEL_IDS,
                         ids=[f"{n}-panel{k}" for n, k in PANEL_IDS])
def test_diverging_rate_is_reported(lesson, k, lab_lesson, lab_page):
    info, lab = lab_lesson(lesson)
    assert _state["problem"] is None, _state["problem"]
    cell, panel = lab.panels[k]
    root = panel_roots(lab_page).nth(k)
    if not rate_sliders(panel):
        # its rates are the range test's suggestions, none of them diverging;
        # what it shows is checked by test_rate_slider_drives_readout_and_figure
        assert has_other_drive(panel), "a panel without a rate slider"
        return
    name, widget = rate_sliders(panel)[0]
    if lesson == "01":
        value = "1.26"  # snaps to 10 ** 0.1 = 1.2589
    else:
        grid_value, text = find_diverging_value(panel, name, widget)
        if grid_value is None and (lesson, cell.var) in STABLE_RANGE:
            assert not re.search(r"\bnan\b|\binf\b", text), (
                f"lesson {lesson}, panel {cell.var}: the top rate reads {text}")
            return
        if grid_value is None:
            # Too high a rate need not explode: these networks freeze with dead
            # ReLUs, and a one-update panel can only name the regime. The top
            # of the slider must then name that outcome instead.
            outcome = TOO_HIGH.search(text)
            assert outcome, (
                f"lesson {lesson}, panel {cell.var}: at the top of the slider the "
                f"readout names neither a divergence nor a stall: {text}")
            grid_value, phrase = grid_of(widget)[-1], outcome.group(0)
        else:
            assert DIVERGED in text, (
                f"lesson {lesson}, panel {cell.var}: at {grid_value!r} the readout "
                f"reports divergence without '{DIVERGED} k': {text}")
            phrase = DIVERGED
        value = repr(grid_value)
    slider = root.locator(".lr-slider").first
    if slider_value(slider, slider_base(widget)) == pytest.approx(float(value),
                                                                  rel=1e-2):
        # already there (see test_panel_keeps_the_rate_the_notebook_set)
        _check_move(move_slider(lab_page, root, 0, name, widget, panel, "key",
                                "ArrowLeft", has_canvas=panel.fig is not None),
                    lesson, cell.var, not widget.continuous_update)
    move = move_slider(lab_page, root, 0, name, widget, panel, "type", value,
                       has_canvas=panel.fig is not None)
    # an on-release panel may keep runs it made before (the notebook's own
    # cells ran this rate), so "training..." need not show here; the slider
    # test above checks it on rates not run yet
    _check_move(move, lesson, cell.var, release=False)
    phrase = DIVERGED if lesson == "01" else phrase
    assert phrase in move.shown, (
        f"lesson {lesson}, panel {cell.var}: at {move.value!r} the readout does "
        f"not say '{phrase}': {move.shown}")
    assert not lab_page.evaluate(JS_ERRORS, LAB_NB)


@pytest.mark.parametrize("lesson", LESSON_IDS)
def test_exercise_boxes_answer(lesson, lab_lesson, lab_page, stats):
    info, lab = lab_lesson(lesson)
    assert _state["problem"] is None, _state["problem"]
    boxes = lab_page.locator(f"{LAB_NB} .lr-exercise")
    if boxes.count() == 0:
        pytest.xfail(f"lesson {lesson} has no exercise boxes")
    box = boxes.nth(0)
    ex_id = exercise_id_of(box)
    for typed in answers_to_try(ex_id):
        want = expected_feedback(ex_id, typed)
        got = answer_in_page(lab_page, box, typed, want,
                             retries=stats["exercise_retries"])
        assert got == want, f"exercise {ex_id}, typed {typed!r}"
