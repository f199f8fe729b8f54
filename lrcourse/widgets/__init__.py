"""Building blocks for the lessons' interactive panels (ipywidgets + ipympl).

Only this package imports ipywidgets. A panel is built once: its figure is
made once and its callbacks update artists in place. Every factory returns
a ``Panel`` whose widgets can be driven from code (``panel.set(lr=0.1)``) and
whose readout can be read back (``panel.readout_text``), which is how the
notebooks print the numbers that nbval compares.
"""

import base64
import functools
import html
import math
import time

import ipywidgets as W

from ..exercises import get_exercise
from ..plotting import png_bytes
from ..readouts import grid_index, lr_grid


def log_slider(value, min_exp, max_exp, step, description="learning rate",
               css="lr-slider", continuous_update=True, fmt=".4g"):
    """A base-10 log slider for a rate, whose value sits exactly on its grid.

    ``value`` is snapped to the nearest ``10 ** (min_exp + i * step)`` so the
    browser never sends a changed value back.
    """
    grid = lr_grid(min_exp, max_exp, step)
    value = float(grid[grid_index(value, min_exp, step, len(grid))])
    slider = W.FloatLogSlider(
        value=value, base=10, min=min_exp, max=max_exp, step=step,
        description=description, readout_format=fmt,
        continuous_update=continuous_update,
        style={"description_width": "initial"},
        layout=W.Layout(width="560px"),
    )
    slider.add_class(css)
    slider.add_class("lr-control")
    return slider


def int_slider(value, lo, hi, description, css, continuous_update=True, step=1):
    slider = W.IntSlider(value=value, min=lo, max=hi, step=step,
                         description=description,
                         continuous_update=continuous_update,
                         style={"description_width": "initial"},
                         layout=W.Layout(width="560px"))
    slider.add_class(css)
    slider.add_class("lr-control")
    return slider


def float_slider(value, lo, hi, step, description, css, continuous_update=True,
                 fmt=".3g"):
    slider = W.FloatSlider(value=value, min=lo, max=hi, step=step,
                           description=description, readout_format=fmt,
                           continuous_update=continuous_update,
                           style={"description_width": "initial"},
                           layout=W.Layout(width="560px"))
    slider.add_class(css)
    slider.add_class("lr-control")
    return slider


def readout(css="lr-readout"):
    """A text readout (monospace, pre-formatted) that tests can read."""
    box = W.HTML(value="", layout=W.Layout(min_height="5.5em"))
    box.add_class(css)
    return box


def pre(text):
    """Text as HTML that keeps line breaks, for a readout."""
    return ('<pre style="font-size:13px;line-height:1.35;margin:0">'
            f"{html.escape(text)}</pre>")


#: A browser's copy of a value set from code differs by at most a few ulps.
ECHO_RTOL = 1e-9
#: How long after a value is set from code its browser copy is expected.
ECHO_SECONDS = 10.0


class Panel:
    """A live panel: widgets, a figure and the function that redraws them.

    ``widgets`` maps names to controls; ``update()`` recomputes and redraws;
    ``readout_text`` is the plain text last shown in the readout.
    """

    def __init__(self, layout, widgets, update, fig=None, status=None, blitter=None,
                 title="Panel"):
        self.layout = layout
        self.title = title
        self.blitter = blitter
        self.widgets = widgets
        self.fig = fig
        self._update = update
        self.readout_text = ""
        self.status = status  # e.g. "training..." for on-release panels
        self.errors = W.Output()
        self.last_update_seconds = None
        self.changed = None  # name of the control that moved last
        self._sent = {}  # name -> [(value, time)] set from code, see _stale_echo
        self._restoring = False
        for name, w in widgets.items():
            if hasattr(w, "observe"):
                w.observe(functools.partial(self._on_change, name), names="value")

    def _on_change(self, name, change=None):
        if self._restoring:
            return
        if change is not None and self._stale_echo(name, change["new"]):
            if not math.isclose(change["new"], change["old"], rel_tol=ECHO_RTOL):
                self._restoring = True  # put back the value set last, quietly
                try:
                    self.widgets[name].value = change["old"]
                finally:
                    self._restoring = False
            return
        with self.errors:  # an exception in a callback is shown, not lost
            self.update(name)

    def _stale_echo(self, name, new):
        """Whether a value from the browser only echoes one set from code.

        A float slider in the browser recomputes each value the kernel sets
        (a log slider as 10 ** position) and may send back a copy that
        differs in the last bits. Those copies arrive after the cell that set
        the values has finished, in order; the copy of an earlier value would
        move the panel back to a rate the cell had already left. Each value
        set from code is answered at most once, within ECHO_SECONDS; a move
        by the learner clears the list.
        """
        widget = self.widgets[name]
        from_browser = "value" in getattr(widget, "_property_lock", {})
        if not from_browser or not isinstance(new, float):
            return False
        now = time.monotonic()
        sent = [(v, t) for v, t in self._sent.get(name, []) if now - t < ECHO_SECONDS]
        for i, (value, _) in enumerate(sent):
            if math.isclose(new, value, rel_tol=ECHO_RTOL):
                self._sent[name] = sent[i + 1:]  # earlier ones came back exact
                return True
        self._sent[name] = []
        return False

    def update(self, changed=None):
        """Recompute and redraw; ``changed`` names the control that moved
        (None: everything)."""
        self.changed = changed
        start = time.perf_counter()
        text = self._update(self)
        if text is not None:
            self.readout_text = text
        if self.blitter is not None:
            self.blitter.update()
        elif self.fig is not None:
            self.fig.canvas.draw_idle()
        self.last_update_seconds = time.perf_counter() - start
        return self.readout_text

    def set(self, **values):
        """Set controls by name (each change redraws once) and return the
        readout text."""
        for name, value in values.items():
            if name not in self.widgets:
                raise ValueError(f"no control named {name!r}; "
                                 f"controls: {sorted(self.widgets)}")
            if isinstance(value, float):
                self._sent.setdefault(name, []).append((value, time.monotonic()))
            self.widgets[name].value = value
        return self.readout_text

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


def answer_box(exercise_id, placeholder="your answer"):
    """A text box with a Check button (works in Voila, where code is hidden).

    Returns the HBox; its ``children`` are the text box, the button and the
    feedback HTML.
    """
    exercise = get_exercise(exercise_id)
    text = W.Text(placeholder=placeholder, description=f"Exercise {exercise_id}:",
                  style={"description_width": "initial"},
                  layout=W.Layout(width="320px"))
    button = W.Button(description="Check", tooltip=f"check exercise {exercise_id}",
                      layout=W.Layout(width="80px"))
    feedback = W.HTML(value="")
    text.add_class("lr-answer")
    button.add_class("lr-check")
    feedback.add_class("lr-feedback")

    def on_check(_=None):
        try:
            result = exercise.check(text.value)
            message = result.message
        except (TypeError, ValueError) as err:
            message = f"Please enter {err}".replace("answer must be ", "")
        feedback.value = f"<span>{html.escape(message)}</span>"

    button.on_click(on_check)
    box = W.HBox([text, button, feedback])
    box.add_class("lr-exercise")
    box.check = on_check  # drivable from code and tests
    return box
