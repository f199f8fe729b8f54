"""Shared pieces of the browser tests: lessons, panels, and the page scripts.

The lessons and their panels are discovered from ``notebooks/``: a panel cell is
a code cell of the form ``name = panels.factory(...)`` whose last line is
``name``. The same panels are also built in this (the test) process, by running
the lesson's import cell, the panel cell and the cells that drive the panel,
so a test can compute the readout a slider value must produce and compare it
with what the browser shows.
"""

from __future__ import annotations

import contextlib
import html
import io
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = Path("/usr/bin/chromium")

#: The saved readout a browser must show while an on-release panel trains.
TRAINING = "training..."
DIVERGED = "diverged at update"


# ------------------------------------------------------------------ discovery

@dataclass
class PanelCell:
    index: int  # position among all cells of the notebook
    var: str  # the variable the panel is bound to
    source: str


@dataclass
class Lesson:
    path: Path
    nb: nbformat.NotebookNode = field(repr=False)
    panels: list[PanelCell]

    @property
    def name(self):
        return self.path.name

    @property
    def number(self):
        return self.path.name[:2]

    @property
    def exercises(self):
        """Exercise ids shown as answer boxes (``answer_box("NN.k")``)."""
        found = []
        for cell in self.nb.cells:
            if cell.cell_type == "code" and "answer_box" in cell.source:
                found += re.findall(r'"(\d\d\.\d+|practice)"', cell.source)
        return found


PANEL_RE = re.compile(r"^(\w+)\s*=\s*panels\.\w+\(", re.M)


def _panel_cells(nb):
    cells = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = [ln for ln in cell.source.strip().splitlines() if ln.strip()]
        if not lines:
            continue
        last = lines[-1].strip()
        names = PANEL_RE.findall(cell.source)
        if last in names:
            cells.append(PanelCell(i, last, cell.source))
    return cells


def discover_lessons():
    lessons = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # a lesson being written right now; skip it
            continue
        lessons.append(Lesson(path, nb, _panel_cells(nb)))
    return lessons


def lesson_by_number(number):
    for lesson in discover_lessons():
        if lesson.number == number:
            return lesson
    raise LookupError(f"no lesson {number} in {NOTEBOOKS}")


# ------------------------------------------------------ panels in this process

def _python_source(source):
    """The cell without IPython magics (``%matplotlib widget``, ``!cmd``)."""
    return "\n".join(ln for ln in source.splitlines()
                     if not ln.lstrip().startswith(("%", "!")))


def _drives(cell_source, var):
    return re.search(rf"\b{re.escape(var)}\.(set|update|widgets)\b", cell_source)


class InProcessLesson:
    """A lesson's panels built here, as the kernel builds them."""

    def __init__(self, lesson: Lesson):
        from lrcourse.widgets import Panel

        self.lesson = lesson
        self.ns = {"display": lambda *a, **k: None, "__name__": "__lesson__"}
        self.panels = []
        self.build_seconds = []
        cells = lesson.nb.cells
        code = [i for i, c in enumerate(cells) if c.cell_type == "code"]
        panel_at = {p.index: p for p in lesson.panels}
        self._run(cells[code[0]].source)  # the import cell
        for k, i in enumerate(code):
            if i not in panel_at:
                continue
            pc = panel_at[i]
            start = time.perf_counter()
            try:
                self._run(pc.source)
            except NameError:
                # the cell uses names made earlier: run everything before it
                for j in code[1:k]:
                    if j not in panel_at and "answer_box" not in cells[j].source:
                        self._run(cells[j].source)
                self._run(pc.source)
            self.build_seconds.append(time.perf_counter() - start)
            panel = self.ns[pc.var]
            if not isinstance(panel, Panel):
                continue
            # the cells after it that drive it, up to the next panel
            for j in code[k + 1:]:
                if j in panel_at:
                    break
                if _drives(cells[j].source, pc.var):
                    self._run(cells[j].source)
            self.panels.append((pc, panel))

    def _run(self, source):
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(_python_source(source), "<lesson cell>", "exec"), self.ns)


def rate_sliders(panel):
    """``[(name, widget)]`` of the panel's rate sliders (CSS ``lr-slider``),
    in the order the browser shows them."""
    import ipywidgets as W

    names = {id(w): n for n, w in panel.widgets.items()}
    found = []

    def walk(w):
        if "lr-slider" in getattr(w, "_dom_classes", ()):
            found.append((names.get(id(w)), w))
        for child in getattr(w, "children", ()) or ():
            if isinstance(child, W.Widget):
                walk(child)

    walk(panel.layout)
    return found


def norm(text):
    return " ".join(html.unescape(text or "").split())


def grid_of(slider):
    """The values a log slider can take, as the browser computes them."""
    n = int(round((slider.max - slider.min) / slider.step))
    return [slider.base ** (slider.min + i * slider.step) for i in range(n + 1)]


def find_diverging_value(panel, name, slider, tries=8):
    """``(value, readout)`` for the highest of the top ``tries`` slider values
    whose readout reports a divergence (any wording), else ``(None, readout
    at the highest value)``."""
    saved = slider.value
    top = None
    try:
        for value in reversed(grid_of(slider)[-tries:]):
            text = norm(panel.set(**{name: value}))
            top = top or text
            # an outcome ("diverged", "diverges"), not the regime's name
            if re.search(r"\bdiverge[ds]\b", text, re.I):
                return value, text
        return None, top
    finally:
        panel.set(**{name: saved})


# ------------------------------------------------------------ page scripts

#: Lab's visible notebook; every selector on the Lab page is scoped to it.
LAB_NB = ".jp-NotebookPanel:not(.lm-mod-hidden)"

#: The output holding one panel (its readout identifies it), in page order.
PANEL_ROOT = ".jp-OutputArea-output:has(.lr-readout)"
CANVAS = ".jupyter-matplotlib-canvas-div canvas"

# error outputs, tracebacks and widgets that failed to render, as text
JS_ERRORS = """(scope) => {
  const root = scope ? document.querySelector(scope) : document;
  if (!root) return ['no such element: ' + scope];
  const bad = [];
  for (const out of root.querySelectorAll('.jp-OutputArea-output')) {
    const mime = out.getAttribute('data-mime-type') || '';
    const text = out.innerText || '';
    if (mime === 'application/vnd.jupyter.error'
        || /Traceback \\(most recent call last\\)|Error displaying widget/.test(text)
        || /Model not found|Failed to load model|error when executing cell/.test(text)
        || (mime === 'application/vnd.jupyter.stderr' && /Error|Warning/.test(text))) {
      bad.push(mime + ': ' + text.slice(0, 600));
    }
  }
  return bad;
}"""

# record every text the readout shows, with a timestamp, and the key press time
JS_WATCH = """(root) => {
  const r = root.querySelector('.lr-readout');
  if (window.__lrWatch) window.__lrWatch.obs.disconnect();
  const w = window.__lrWatch = {log: [], key: null, start: r.innerText};
  w.obs = new MutationObserver(() => w.log.push([performance.now(), r.innerText]));
  w.obs.observe(r, {subtree: true, childList: true, characterData: true});
  document.addEventListener('keydown', () => { w.key = performance.now(); },
                            {capture: true, once: true});
}"""

JS_WATCH_RESULT = """() => {
  const w = window.__lrWatch; w.obs.disconnect();
  return {log: w.log, key: w.key};
}"""

JS_CANVAS_SNAPSHOT = """(root) => {
  const c = root.querySelector('.jupyter-matplotlib-canvas-div canvas');
  window.__lrCanvas = c ? c.toDataURL() : null;
  return window.__lrCanvas !== null;
}"""

JS_CANVAS_CHANGED = """(root) => {
  const c = root.querySelector('.jupyter-matplotlib-canvas-div canvas');
  return c !== null && c.toDataURL() !== window.__lrCanvas;
}"""

# the canvas holds a drawing (not blank) and the readout has text
JS_PANEL_READY = """(root) => {
  const c = root.querySelector('.jupyter-matplotlib-canvas-div canvas');
  const r = root.querySelector('.lr-readout');
  if (!r || !r.innerText.trim()) return false;
  if (!c) return true;  // a panel without a figure
  if (!c.width || !c.height) return false;
  const blank = document.createElement('canvas');
  blank.width = c.width; blank.height = c.height;
  return c.toDataURL() !== blank.toDataURL();
}"""


# why a panel is not ready, for the failure message
JS_PANEL_STATE = """(root) => {
  const c = root.querySelector('.jupyter-matplotlib-canvas-div canvas');
  const r = root.querySelector('.lr-readout');
  return {readout: r ? r.innerText.slice(0, 80) : null,
          canvas: c ? [c.width, c.height] : null};
}"""


def readout_text(root):
    return norm(root.locator(".lr-readout").inner_text())


def wait_readout(page, root, expected, timeout=15_000):
    """Wait until the panel's readout shows ``expected`` (normalized)."""
    handle = root.element_handle()
    try:
        page.wait_for_function(
            """([root, want]) => {
                 const r = root.querySelector('.lr-readout');
                 if (!r) return false;
                 return r.innerText.split(/\\s+/).filter(Boolean).join(' ') === want;
               }""",
            arg=[handle, expected], timeout=timeout, polling="raf")
    except Exception:
        pass  # the assertion below reports the difference
    return readout_text(root)


def wait_canvas_changed(page, root, timeout=15_000):
    try:
        page.wait_for_function(JS_CANVAS_CHANGED, arg=root.element_handle(),
                               timeout=timeout, polling=50)
        return True
    except Exception:
        return False


# the rate slider's value as ipywidgets computes it from the noUiSlider handle
JS_SLIDER_VALUE = """(el, base) => {
  const raw = Number(el.querySelector('.noUi-target').noUiSlider.get());
  return base ? Math.pow(base, raw) : raw;
}"""


def slider_value(slider, base):
    """The value the browser's slider holds (``slider``: its locator)."""
    return slider.evaluate(JS_SLIDER_VALUE, base)


def latency_ms(watch, expected):
    """Key press to the readout first showing ``expected``, in ms."""
    if watch["key"] is None:
        return None
    for t, text in watch["log"]:
        if norm(text) == expected:
            return t - watch["key"]
    return None


def log(msg):
    print(msg, file=sys.stderr)


# ------------------------------------------------------------- interactions

# the panel's controls, figure and readout (not what follows the readout)
JS_PANEL_BOX = """(root) => {
  root.scrollIntoView({block: 'center'});
  const boxes = [];
  const parts = root.querySelectorAll(
    '.widget-slider, .widget-play, .widget-button, .widget-toggle-button,'
    + ' .widget-dropdown select, .widget-checkbox input,'
    + ' .jupyter-matplotlib-canvas-div canvas');
  for (const el of parts) boxes.push(el.getBoundingClientRect());
  const text = document.createRange();  // the readout's text, not its full width
  const ro = root.querySelector('.lr-readout');
  text.selectNodeContents(ro.querySelector('pre') || ro);
  const r = text.getBoundingClientRect();
  boxes.push(r);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity;
  for (const b of boxes) {
    if (!b.width || !b.height || b.top > r.bottom) continue;
    x0 = Math.min(x0, b.left); y0 = Math.min(y0, b.top); x1 = Math.max(x1, b.right);
  }
  const pad = 6;
  return {x: Math.max(0, x0 - pad), y: Math.max(0, y0 - pad),
          width: x1 - x0 + 2 * pad, height: r.bottom - y0 + 2 * pad};
}"""


def screenshot_panel(page, root, path, max_bytes=150_000):
    """Save the panel (controls, figure, readout) as a PNG at ``path``."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    clip = page.evaluate(JS_PANEL_BOX, root.element_handle())
    page.screenshot(path=str(path), clip=clip)
    if path.stat().st_size > max_bytes or "docs" in path.parts:
        from PIL import Image

        with Image.open(path) as img:
            small = img.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
        small.save(path, optimize=True)
    return path

def readout_widget_text(panel):
    """The in-process readout widget's text (what its HTML shows)."""
    import ipywidgets as W

    def walk(w):
        if "lr-readout" in getattr(w, "_dom_classes", ()):
            return w
        for child in getattr(w, "children", ()) or ():
            if isinstance(child, W.Widget):
                found = walk(child)
                if found is not None:
                    return found
        return None

    box = walk(panel.layout)
    return norm(re.sub(r"<[^>]+>", " ", box.value)) if box is not None else None


def slider_base(widget):
    import ipywidgets as W

    return widget.base if isinstance(widget, W.FloatLogSlider) else None


@dataclass
class Move:
    """What one change of a rate slider did in the browser."""
    how: str
    before: float
    value: float
    expected: str
    shown: str
    canvas_changed: bool | None
    texts: list  # every readout text seen, in order
    latency_ms: float | None

    @property
    def saw_training(self):
        return any(TRAINING in norm(t) for t in self.texts)


def move_slider(page, root, k, name, widget, panel, how, arg=None,
                has_canvas=True, timeout=15_000):
    """Move the panel's k-th rate slider in the browser, ``how``:

    - ``"key"``: press ``arg`` (e.g. ``"ArrowRight"``) on the focused handle;
    - ``"drag"``: drag the handle ``arg`` pixels to the right;
    - ``"type"``: type ``arg`` into the slider's readout and press Enter.

    Then read the browser slider's value, compute the readout for it in this
    process (``panel.set``) and wait until the page shows it.
    """
    slider = root.locator(".lr-slider").nth(k)
    base = slider_base(widget)
    handle = root.element_handle()
    before = slider_value(slider, base)
    if has_canvas:
        page.evaluate(JS_CANVAS_SNAPSHOT, handle)
    page.evaluate(JS_WATCH, handle)
    knob = slider.locator(".noUi-handle")
    if how == "key":
        knob.focus()
        page.keyboard.press(arg)
    elif how == "drag":
        knob.scroll_into_view_if_needed()
        box = knob.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + arg / 2, y, steps=4)
        page.mouse.move(x + arg, y, steps=4)
        page.mouse.up()
    elif how == "type":
        box = slider.locator(".widget-readout")
        box.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(str(arg))
        page.keyboard.press("Enter")
    else:
        raise ValueError(f"how must be key, drag or type, not {how!r}")
    value = slider_value(slider, base)
    expected = norm(panel.set(**{name: value}))
    shown = wait_readout(page, root, expected, timeout=timeout)
    changed = wait_canvas_changed(page, root) if has_canvas else None
    watch = page.evaluate(JS_WATCH_RESULT)
    lat = latency_ms(watch, expected) if how == "key" else None
    return Move(how, before, value, expected, shown, changed,
                [t for _, t in watch["log"]], lat)


def plain(html_text):
    return norm(re.sub(r"<[^>]+>", " ", html_text or ""))


def expected_feedback(exercise_id, typed):
    """The feedback text ``answer_box`` shows for ``typed``, computed here."""
    from lrcourse.widgets import answer_box

    box = answer_box(exercise_id)
    box.children[0].value = typed
    box.check()
    return plain(box.children[2].value)


def answers_to_try(exercise_id):
    """The commonest wrong answer (or a blank-ish one) and the right one."""
    from lrcourse.exercises import get_exercise

    ex = get_exercise(exercise_id)
    wrong = str(ex.hints[0][0]) if ex.hints else "-12345"
    right = ex.answer
    right = f"{right!r}" if isinstance(right, float) else str(right)
    return [wrong, right]


def answer_in_page(page, box, typed, expected, timeout=15_000, retries=None):
    """Type into an exercise box, press its Check button and return the
    feedback text once it shows ``expected`` (or when the wait ends).

    ipywidgets sends the button's click as soon as it happens, while the text
    box's value may still wait in the browser behind an earlier message; the
    kernel then checks an older value. If the first feedback differs, Check is
    pressed once more (the value has arrived by then) and ``retries`` (a list)
    records it.
    """
    feedback = box.locator(".lr-feedback")
    box.locator(".lr-answer input").fill(typed)
    button = box.locator("button.lr-check, .lr-check button").first
    for attempt in range(2):
        button.click()
        try:
            page.wait_for_function(
                """([el, want]) =>
                     el.innerText.split(/\\s+/).filter(Boolean).join(' ') === want""",
                arg=[feedback.element_handle(), expected],
                timeout=timeout if attempt else 5_000)
            break
        except Exception:
            if attempt == 0 and retries is not None:
                retries.append((typed, norm(feedback.inner_text())))
    return norm(feedback.inner_text())


def exercise_id_of(box):
    label = box.locator(".lr-answer .widget-label").first.inner_text()
    match = re.search(r"(\d\d\.\d+|practice)", label)
    return match.group(1) if match else None


def press_choice(page, root, panel, name, timeout=60_000):
    """Drive a panel whose control is a choice slider on release (lesson 10's
    warmup length): move its handle one notch by keyboard and return
    ``(shown, expected, canvas_changed)`` as ``press_train`` does."""
    widget = panel.widgets[name]
    values = list(widget._options_values)
    j = values.index(widget.value)
    nxt, key = (j + 1, "ArrowRight") if j + 1 < len(values) else (j - 1, "ArrowLeft")
    handle = root.element_handle()
    page.evaluate(JS_CANVAS_SNAPSHOT, handle)
    css = [c for c in widget._dom_classes if c != "lr-control"][0]
    knob = root.locator(f".{css} .noUi-handle").first
    knob.focus()
    knob.press(key)
    panel.set(**{name: values[nxt]})
    expected = norm(panel.readout_text)
    shown = wait_readout(page, root, expected, timeout=timeout)
    return shown, expected, wait_canvas_changed(page, root)


def drive_without_rate(page, root, panel):
    """A panel with no rate slider: its train button, or else its first
    choice slider (``press_train`` / ``press_choice``)."""
    if "rule" in panel.widgets:
        return press_train(page, root, panel)
    import ipywidgets as W

    name = next(n for n, w in panel.widgets.items()
                if isinstance(w, W.SelectionSlider))
    return press_choice(page, root, panel, name)


def press_train(page, root, panel, timeout=15_000):
    """Drive a panel that has no rate slider but a rule toggle (``.lr-rule``)
    and a train button (``.lr-train``): pick another rule, press the button,
    and return ``(shown, expected, canvas_changed)``, the readout in the page
    and the one this process computes for the same rule."""
    toggle = panel.widgets["rule"]
    labels, values = list(toggle._options_labels), list(toggle._options_values)
    j = (values.index(toggle.value) + 1) % len(values)
    handle = root.element_handle()
    page.evaluate(JS_CANVAS_SNAPSHOT, handle)
    exact = re.compile(rf"^\s*{re.escape(labels[j])}\s*$")
    root.locator(".lr-rule button").filter(has_text=exact).first.click()
    root.locator("button.lr-train").first.click()
    panel.set(rule=values[j])
    panel.actions["train"]()
    expected = norm(panel.readout_text)
    shown = wait_readout(page, root, expected, timeout=timeout)
    return shown, expected, wait_canvas_changed(page, root)
