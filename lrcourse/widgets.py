"""Building blocks for the lessons' interactive panels (ipywidgets + ipympl).

Only this layer imports ipywidgets. A panel is four parts: controls (built
with the sliders below), ``compute(**values) -> result`` and
``readout(result) -> str`` (numpy only, in a lesson's ``analysis.py``), and a
view with ``fig``, ``artists`` and ``update(result)`` (a lesson's
``figures.py``). ``Panel`` owns the rest: the readout widget, the error area,
blitting, caching, and ``panel.set(lr=0.1)``, which checks and snaps the
values and returns the readout text the notebooks print (nbval compares it).
Private-API workarounds live in ``_compat``.
"""

import base64
import collections
import contextlib
import functools
import html
import math
import numbers
import time
import traceback

import ipywidgets as W

from . import _compat
from .exercises import get_exercise
from .plotting import Blitter, png_bytes
from .readouts import grid_index, lr_grid


def control(widget_class, css, *, width="560px", **traits):
    """A course control: ``widget_class(**traits)`` with its description in
    full, a fixed width (None: the widget's own) and the CSS classes the
    browser tests find it by (``css`` and ``lr-control``).

    >>> control(W.IntSlider, "lr-n", value=3, min=1, max=9).value
    3
    """
    if width is not None:
        traits["layout"] = W.Layout(width=width)
    widget = widget_class(style={"description_width": "initial"}, **traits)
    widget.add_class(css)
    widget.add_class("lr-control")
    _compat.no_echo(widget)
    return widget


def log_slider(value, min_exp, max_exp, step, description="learning rate",
               css="lr-slider", continuous_update=True, fmt=".4g"):
    """A base-10 log slider for a rate, whose value sits exactly on its grid.

    ``value`` is snapped to the nearest ``10 ** (min_exp + i * step)`` so the
    browser never sends a changed value back.
    """
    grid = lr_grid(min_exp, max_exp, step)
    value = float(grid[grid_index(value, min_exp, step, len(grid))])
    return control(W.FloatLogSlider, css, value=value, base=10, min=min_exp,
                   max=max_exp, step=step, description=description,
                   readout_format=fmt, continuous_update=continuous_update)


def int_slider(value, lo, hi, description, css, continuous_update=True, step=1):
    """An integer slider from ``lo`` to ``hi``."""
    return control(W.IntSlider, css, value=value, min=lo, max=hi, step=step,
                   description=description, continuous_update=continuous_update)


def float_slider(value, lo, hi, step, description, css, continuous_update=True,
                 fmt=".3g"):
    """A linear slider from ``lo`` to ``hi`` in steps of ``step``."""
    return control(W.FloatSlider, css, value=value, min=lo, max=hi, step=step,
                   description=description, readout_format=fmt,
                   continuous_update=continuous_update)


def choice_slider(options, value, description, css, continuous_update=True):
    """A slider over a few ``options`` (keyboard and drag, like the others)."""
    return control(W.SelectionSlider, css, options=options, value=value,
                   description=description, continuous_update=continuous_update)


def readout_box(css="lr-readout"):
    """A text readout (monospace, pre-formatted) that tests can read."""
    box = W.HTML(value="", layout=W.Layout(min_height="5.5em"))
    box.add_class(css)
    return box


def pre(text):
    """Text as HTML that keeps line breaks, for a readout."""
    return ('<pre style="font-size:13px;line-height:1.35;margin:0">'
            f"{html.escape(text)}</pre>")


#: A browser's copy of a value set from code differs by less than this.
ECHO_RTOL = 1e-9
#: How many results an on-release panel keeps (by the tuple of control values).
CACHE_SIZE = 256


class Readout(str):
    """The text a panel shows under its figure, with ``values``: the control
    values it was computed from (after snapping to the sliders' grids).

    It prints as the text alone: ``print(panel.set(lr=0.1))``.
    """

    def __new__(cls, text, values):
        obj = super().__new__(cls, text)
        obj.values = dict(values)
        return obj


def _range_error(name, widget, lo, hi, value, kind="a number"):
    label = getattr(widget, "description", "") or name
    return ValueError(f"{name} ({label!r}) must be {kind} from {lo:g} to {hi:g}; "
                      f"got {value!r}")


def _number(name, widget, value, lo, hi, integer=False):
    """``value`` as a float (or int), refused unless finite and in [lo, hi]."""
    kind = "an integer" if integer else "a number"
    allowed = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, allowed):
        raise TypeError(f"{name} must be {kind} from {lo:g} to {hi:g}; "
                        f"got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number from {lo:g} to {hi:g}; "
                         f"got {value!r}")
    slack = ECHO_RTOL * max(abs(lo), abs(hi), 1.0)
    if not lo - slack <= value <= hi + slack:
        raise _range_error(name, widget, lo, hi, value, kind)
    return int(value) if integer else float(value)


def _snap_log(name, widget, value):
    grid = lr_grid(widget.min, widget.max, widget.step)
    value = _number(name, widget, value, float(grid[0]), float(grid[-1]))
    return float(grid[grid_index(value, widget.min, widget.step, len(grid))])


def _snap_linear(name, widget, value, integer=False):
    lo, hi, step = widget.min, widget.max, widget.step
    value = _number(name, widget, value, lo, hi, integer)
    n = int(round((hi - lo) / step))
    i = min(max(int(round((value - lo) / step)), 0), n)
    if integer:
        return int(lo + i * step)
    return round(lo + i * step, 12)  # 0.1 * 3 is 0.30000000000000004


def _on_grid(widget):
    """A control's value; a log slider's snapped to its grid (which
    ``log_slider`` starts it on)."""
    value = widget.value
    if isinstance(widget, W.FloatLogSlider):
        grid = lr_grid(widget.min, widget.max, widget.step)
        return float(grid[grid_index(value, widget.min, widget.step, len(grid))])
    return value


def _option_values(widget):
    options = widget.options
    if isinstance(options, dict):
        return list(options.values())
    return [o[1] if isinstance(o, tuple) and len(o) == 2 else o for o in options]


def checked_value(name, widget, value):
    """The value a control takes for ``value``, snapped to its grid; refused
    (ValueError/TypeError naming the control and its range) if out of it."""
    if isinstance(widget, W.FloatLogSlider):
        return _snap_log(name, widget, value)
    if isinstance(widget, W.FloatSlider):
        return _snap_linear(name, widget, value)
    if isinstance(widget, W.IntSlider):
        return _snap_linear(name, widget, value, integer=True)
    if isinstance(widget, (W.SelectionSlider, W.Dropdown, W.ToggleButtons,
                           W.RadioButtons)):
        options = _option_values(widget)
        if value not in options:
            raise ValueError(f"{name} must be one of {options}; got {value!r}")
    if isinstance(widget, (W.Checkbox, W.ToggleButton)) and not isinstance(
            value, bool):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return value


class Panel:
    """A live panel: controls, a compute function, a view and a readout.

    ``compute(**values)`` turns the control values into a result (numpy only),
    ``view.update(result)`` moves the artists of ``view.fig`` (listed in
    ``view.artists``, which are blitted; it returns True when it also changed
    something else, and the figure is then drawn in full once),
    ``readout(result)`` gives the text shown under the figure.

    ``outputs`` maps a name to ``fn``: an extra HTML widget (CSS class
    ``lr-<name>``) showing ``fn(result)``; or to ``(widget, fn)``: the traits
    in the dict ``fn(result)`` are set on ``widget``. ``actions`` maps a name
    to ``(button, fn)``: a click (or ``panel.actions[name]()``) shows
    ``fn(**values)``, a result computed on demand. ``layout(panel)``, if given,
    arranges ``panel.widgets``, ``panel.fig.canvas``, ``panel.readout_widget``,
    ``panel.outputs`` and ``panel.buttons`` in one widget. With ``cache=True``
    (on-release panels) results are kept by the tuple of control values.
    ``busy`` is the text the readout shows while a result is computed (a
    cache miss, an action), or ``busy(changed, values)`` giving it (None:
    nothing shown). ``panel.compute`` is the compute function or object.

    ``panel.set(lr=0.4)`` checks and snaps the values, moves the controls and
    returns the ``Readout``; ``panel.result`` is the last result and
    ``panel.compute`` the compute function (or object, with its tables).
    """

    def __init__(self, *, title, controls, compute, readout, view=None,
                 cache=False, outputs=None, actions=None, layout=None, busy=None):
        self._setup(controls, getattr(view, "fig", None), title)
        self.view = view
        self.compute, self._readout, self._busy = compute, readout, busy
        self._cache = collections.OrderedDict() if cache else None
        self.result = None
        self.readout_widget = readout_box()
        self.outputs, self._output_fns = _outputs(outputs or {})
        actions = dict(actions or {})
        self.buttons = {name: button for name, (button, _) in actions.items()}
        self._action_fns = {name: fn for name, (_, fn) in actions.items()}
        self.actions = {name: functools.partial(self._act, name) for name in actions}
        for name, button in self.buttons.items():
            button.on_click(functools.partial(self._on_click, name))
        artists = list(getattr(view, "artists", None) or [])
        self.blitter = Blitter(self.fig, artists) if artists else None
        # a cached panel's frame is a function of its controls: resend it
        self.frames = (_compat.FrameCache.for_canvas(
            self.fig.canvas, lambda: self.blitter.background)
            if cache and self.blitter is not None else None)
        self.layout = layout(self) if layout is not None else self._default_layout()
        self.update()

    def _setup(self, controls, fig, title):
        """What every panel shares: controls, observers, the error area."""
        self.title = title
        self.widgets = dict(controls)
        self.fig = fig
        self.readout_text = ""
        self.errors = W.Output()
        self.last_update_seconds = None
        self.changed = None  # name of the control that moved last
        self._error = None  # the exception a callback hit during set(), if any
        self._held = None  # sliders whose sync waits for the cell's end, see set
        self._held_widgets = set()
        for name, w in self.widgets.items():
            if hasattr(w, "observe"):
                w.observe(functools.partial(self._on_change, name), names="value")

    def _default_layout(self):
        canvas = [self.fig.canvas] if self.fig is not None else []
        return W.VBox([*self.widgets.values(), *canvas, self.readout_widget,
                       *self.outputs.values(), *self.buttons.values()])

    def values(self):
        """The controls' current values, by name, a log slider's on its grid:
        the browser's value for a notch can differ from the grid's in its
        last bits, and results and frames are kept by these values."""
        return {name: _on_grid(w) for name, w in self.widgets.items()}

    def _on_change(self, name, change=None):
        if change is not None and _browser_copy(self.widgets[name], change):
            return
        self._shown(self.update, name)

    def _on_click(self, name, _button=None):
        self._shown(self._act, name)

    def _shown(self, fn, *args):
        """Run a callback; its exception goes to the error area, never lost,
        and is raised again by ``set`` when code caused it."""
        try:
            fn(*args)
        except Exception as err:  # noqa: BLE001 - shown to the learner
            self._error = err
            text = "".join(traceback.format_exception(err))
            self.errors.outputs = ()
            self.errors.append_stderr(text)
        else:
            self.errors.outputs = ()

    def update(self, changed=None):
        """Recompute and redraw; ``changed`` names the control that moved
        (None: everything). Returns the ``Readout``."""
        self.changed = changed
        start = time.perf_counter()
        values = self.values()
        self._show(self._result_for(values), state=tuple(values.values()))
        self.last_update_seconds = time.perf_counter() - start
        return Readout(self.readout_text, values)

    def _result_for(self, values):
        if self._cache is None:
            self._show_busy(values)
            return self.compute(**values)
        key = tuple(values.values())
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        self._show_busy(values)
        result = self._cache[key] = self.compute(**values)
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return result

    def _show_busy(self, values):
        """Say that a result is being computed (e.g. "training...")."""
        busy = self._busy
        text = busy(self.changed, values) if callable(busy) else busy
        if text:
            self.readout_widget.value = pre(text)

    def warm_frames(self, name="lr"):
        """Draw each step between neighbouring notches of the log slider
        ``name`` once, ahead, so that a learner's drag over them only resends
        kept frames (a panel with a frame cache; others are left alone).

        For a live panel whose results are cheap (it computes each notch's
        result once, as a drag would); the controls, the readout and the
        result shown stay as they were. Returns the number of frames kept.
        """
        if self.frames is None:
            return 0
        widget = self.widgets[name]
        if not isinstance(widget, W.FloatLogSlider):
            raise TypeError(f"{name} must name a log slider of the panel")
        grid = lr_grid(widget.min, widget.max, widget.step)
        here = grid_index(widget.value, widget.min, widget.step, len(grid))
        last = len(grid) - 1
        walk = [*range(here + 1, last + 1), *range(last - 1, -1, -1),
                *range(1, here + 1)]
        values = self.values()
        for k in walk:
            values[name] = float(grid[k])
            if self.view.update(self._result_for(values)):
                self.blitter.background = None
            self._redraw(False, tuple(values.values()))
        return len(self.frames)

    def _act(self, name):
        self.changed = name
        values = self.values()
        self._show_busy(values)
        self._show(self._action_fns[name](**values))
        return Readout(self.readout_text, values)

    def _show(self, result, state=None):
        """Show ``result``; ``state`` is the controls' values it depends on
        alone (None: an action's result)."""
        redraw_all = self.view is not None and self.view.update(result)
        text = self._readout(result)
        self.result = result
        self.readout_text = text
        self.readout_widget.value = pre(text)
        for apply in self._output_fns.values():
            apply(result)
        self._redraw(redraw_all, state)

    def _redraw(self, redraw_all=False, state=None):
        if self.blitter is not None:
            if redraw_all:  # parts not blitted moved: one full drawing
                self.blitter.background = None
            elif self.frames is not None and self.frames.resend(state):
                return
            if self.frames is not None:
                self.frames.before_drawing()
            self.blitter.update()
            if self.frames is not None:
                self.frames.after_drawing(state)
        elif self.fig is not None:
            self.fig.canvas.draw_idle()

    def set(self, **values):
        """Set controls by name and return the ``Readout``.

        Every value is checked first (``checked_value``): an unknown name or a
        value outside a control's range is refused with nothing changed. Float
        values are snapped to the slider's grid (``panel.set(lr=0.4)`` takes the
        grid rate nearest 0.4); ``Readout.values`` gives the values used. Each
        control that changes redraws once.

        In a notebook, a float slider's new value reaches the browser once,
        when the cell ends. A browser slider answers each value it receives
        with its own copy (a log slider's is 10 ** position, a few ulps off),
        and those copies are read only after the cells queued by Run All have
        run; copies of the values a cell stepped through on its way would
        move the panel back to one of them. The final value's copy changes
        nothing (see ``_browser_copy``).
        """
        checked = self._checked(values)
        self._error = None
        for name, value in checked.items():
            widget = self.widgets[name]
            if isinstance(widget, (W.FloatSlider, W.FloatLogSlider)):
                self._hold_until_cell_end(widget)
            widget.value = value
            if self._error is not None:
                err, self._error = self._error, None
                raise err
        return Readout(self.readout_text, self.values())

    def _checked(self, values):
        unknown = sorted(set(values) - set(self.widgets))
        if unknown:
            raise ValueError(f"no control named {unknown[0]!r}; "
                             f"controls: {sorted(self.widgets)}")
        return {name: checked_value(name, self.widgets[name], value)
                for name, value in values.items()}

    def _hold_until_cell_end(self, widget):
        shell = _shell()
        if shell is None:
            return
        if self._held is None:
            self._held = contextlib.ExitStack()
            self._held_widgets = set()
            shell.events.register("post_run_cell", self._release)
        if id(widget) not in self._held_widgets:
            self._held.enter_context(widget.hold_sync())
            self._held_widgets.add(id(widget))

    def _release(self, *args):
        held, self._held = self._held, None
        shell = _shell()
        if shell is not None:
            shell.events.unregister("post_run_cell", self._release)
        if held is not None:
            held.close()  # sends each held slider's final value

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, plus a PNG of the figure as drawn now, so the
        saved notebook still shows the plot where no kernel runs (GitHub,
        nbviewer), and a fixed one-line text for nbval to compare."""
        box = W.VBox([self.layout, self.errors])
        bundle = box._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle["text/plain"] = (f"{self.title} (a live panel: move its controls "
                                "in JupyterLab)")
        if self.fig is not None:
            bundle["image/png"] = base64.b64encode(
                png_bytes(self.fig, dpi=self.fig.dpi)).decode("ascii")
        return bundle


def _outputs(spec):
    """The output widgets by name, and for each the function that shows a
    result in it: ``fn`` makes an HTML widget (CSS class ``lr-<name>``) whose
    value is ``fn(result)``; ``(widget, fn)`` sets the traits in the dict
    ``fn(result)`` on ``widget`` (say a Play button's ``max``)."""
    widgets, appliers = {}, {}
    for name, part in spec.items():
        if isinstance(part, tuple):
            widget, fn = part
            appliers[name] = functools.partial(_set_traits, widget, fn)
        else:
            widget = W.HTML()
            widget.add_class(f"lr-{name}")
            appliers[name] = functools.partial(_set_value, widget, part)
        widgets[name] = widget
    return widgets, appliers


def _set_value(widget, fn, result):
    widget.value = fn(result)


def _set_traits(widget, fn, result):
    for trait, value in fn(result).items():
        setattr(widget, trait, value)


def _shell():
    """The running IPython shell, or None outside one."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _browser_copy(widget, change):
    """Whether a change is the browser's copy of the value the kernel holds:
    same value but for the last bits, so nothing needs redrawing."""
    return (_compat.set_from_browser(widget)
            and isinstance(change["new"], float)
            and isinstance(change["old"], float)
            and math.isclose(change["new"], change["old"], rel_tol=ECHO_RTOL))


class AnswerBox(W.HBox):
    """A text box with a Check button (works in Voila, where code is hidden).

    Its ``children`` are the text box, the button and the feedback HTML;
    ``check()`` does what the button does, for code and tests.
    """

    def __init__(self, exercise_id, placeholder="your answer"):
        self.exercise = get_exercise(exercise_id)
        text = W.Text(placeholder=placeholder,
                      description=f"Exercise {exercise_id}:",
                      style={"description_width": "initial"},
                      layout=W.Layout(width="320px"))
        button = W.Button(description="Check", tooltip=f"check exercise {exercise_id}",
                          layout=W.Layout(width="80px"))
        feedback = W.HTML(value="")
        text.add_class("lr-answer")
        button.add_class("lr-check")
        feedback.add_class("lr-feedback")
        super().__init__([text, button, feedback])
        self.add_class("lr-exercise")
        button.on_click(self.check)

    def check(self, _button=None):
        """Check the typed answer and show the feedback."""
        text, _, feedback = self.children
        try:  # check() answers any text; this keeps the box from staying blank
            message = self.exercise.check(text.value).message
        except Exception as err:  # noqa: BLE001 - shown to the learner instead
            message = f"Sorry, this answer could not be checked ({err})."
        feedback.value = f"<span>{html.escape(message)}</span>"


def answer_box(exercise_id, placeholder="your answer"):
    """An ``AnswerBox`` for the exercise ``exercise_id``."""
    return AnswerBox(exercise_id, placeholder)
