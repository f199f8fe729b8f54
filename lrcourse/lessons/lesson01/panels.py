"""Lesson 01 panel: the path of gradient descent, the step table, play/step."""

import ipywidgets as W

from ...widgets import Panel, int_slider, log_slider
from .analysis import Descent, descent_run_readout, run_step_table
from .figures import DescentView

#: The panel's slider grid: 10 ** (-3 + 0.05 i), from 0.001 to about 1.58.
LR_MIN, LR_MAX, LR_STEP = -3.0, 0.2, 0.05
TABLE_NOTE = ("<b>Step table</b> (follows the slider; the highlighted row is "
              "the update shown on the curve)")


def descent_panel(lr=0.1, steps=20, start=3.0, curvature=2.0):
    """Gradient descent on ``f(w) = curvature/2 * w^2``, driven by a rate slider.

    Returns a ``Panel`` with controls ``lr``, ``steps`` and ``update`` (the
    update highlighted on the curve and in the table; Play walks through them).
    """
    compute = Descent(curvature, start)
    controls = {
        "lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP),
        "steps": int_slider(steps, 1, 50, "updates", "lr-steps"),
        "update": int_slider(0, 0, steps, "show update", "lr-update"),
    }
    play = W.Play(value=0, min=0, max=steps, step=1, interval=700,
                  description="play the updates one at a time")
    play.add_class("lr-play")
    W.jslink((play, "value"), (controls["update"], "value"))
    W.jslink((play, "max"), (controls["update"], "max"))

    def layout(panel):
        c = panel.widgets
        return W.VBox([c["lr"], c["steps"], W.HBox([play, c["update"]]),
                       panel.fig.canvas, panel.readout_widget, W.HTML(TABLE_NOTE),
                       panel.outputs["table"]])

    panel = Panel(title="Lesson 01: gradient descent on a bowl", controls=controls,
                  compute=compute, view=DescentView(compute.problem),
                  readout=descent_run_readout, layout=layout, cache=True,
                  outputs={"table": run_step_table,
                           "play": (play, lambda run: {"max": run.trace.steps})})
    panel.warm_frames("lr")  # a drag over the rate's notches then only resends frames
    return panel
