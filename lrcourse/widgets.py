"""Building blocks for the lessons' interactive panels (ipywidgets + ipympl).

Only this package imports ipywidgets. A panel is built once: its figure is
made once and its callbacks update artists in place. Every factory returns
a ``Panel`` whose widgets can be driven from code (``panel.set(lr=0.1)``) and
whose readout can be read back (``panel.readout_text``), which is how the
notebooks print the numbers that nbval compares.
"""

import base64
import contextlib
import functools
import html
import math
import time

import ipywidgets as W

from .exercises import get_exercise
from .plotting import png_bytes
from .readouts import grid_index, lr_grid


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


#: A browser's copy of a value set from code differs by less than this.
ECHO_RTOL = 1e-9


class Panel:
    """A live panel: widgets, a figure and the function that redraws them.

    ``widgets`` maps names to controls; ``update()`` recomputes and redraws;
    ``readout_text`` is the plain text last shown in the readout.
    """

    def __init__(self, layout, widgets, update, fig=None, blitter=None,
                 title="Panel"):
        self.layout = layout
        self.title = title
        self.blitter = blitter
        self.widgets = widgets
        self.fig = fig
        self._update = update
        self.readout_text = ""
        self.errors = W.Output()
        self.last_update_seconds = None
        self.changed = None  # name of the control that moved last
        self._held = None  # sliders whose sync waits for the cell's end, see set
        for name, w in widgets.items():
            if hasattr(w, "observe"):
                w.observe(functools.partial(self._on_change, name), names="value")

    def _on_change(self, name, change=None):
        if change is not None and _browser_copy(self.widgets[name], change):
            return
        with self.errors:  # an exception in a callback is shown, not lost
            self.update(name)

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
        readout text.

        In a notebook, a float slider's new value reaches the browser once,
        when the cell ends. A browser slider answers each value it receives
        with its own copy (a log slider's is 10 ** position, a few ulps off),
        and those copies are read only after the cells queued by Run All have
        run; copies of the values a cell stepped through on its way would
        move the panel back to one of them. The final value's copy changes
        nothing (see ``_browser_copy``).
        """
        for name, value in values.items():
            if name not in self.widgets:
                raise ValueError(f"no control named {name!r}; "
                                 f"controls: {sorted(self.widgets)}")
            widget = self.widgets[name]
            if isinstance(widget, (W.FloatSlider, W.FloatLogSlider)):
                self._hold_until_cell_end(widget)
            widget.value = value
        return self.readout_text

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
    from_browser = "value" in getattr(widget, "_property_lock", {})
    return (from_browser and isinstance(change["new"], float)
            and isinstance(change["old"], float)
            and math.isclose(change["new"], change["old"], rel_tol=ECHO_RTOL))


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
        try:  # check() answers any text; this keeps the box from staying blank
            message = exercise.check(text.value).message
        except Exception as err:
            message = f"Sorry, this answer could not be checked ({err})."
        feedback.value = f"<span>{html.escape(message)}</span>"

    button.on_click(on_check)
    box = W.HBox([text, button, feedback])
    box.add_class("lr-exercise")
    box.check = on_check  # drivable from code and tests
    return box
