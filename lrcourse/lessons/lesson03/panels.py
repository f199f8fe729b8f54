"""Lesson 03 panels: the trade-off on a bowl, and an ill-conditioned 2-D bowl."""

import ipywidgets as W

from ...widgets import Panel, int_slider, log_slider
from .analysis import IllConditioned, Tradeoff
from .figures import BowlView, TradeoffView

#: The trade-off panel's slider: 10 ** (-3 + 0.05 i), 0.001 to about 1.58.
LR_MIN, LR_MAX, LR_STEP = -3.0, 0.2, 0.05
#: Its curves are swept on a finer grid that contains every slider value.
FINE_STEP = Tradeoff.fine_step
#: The 2-D panel's slider: 10 ** (-3 + 0.02 i), 0.001 to about 0.316.
BOWL_MIN, BOWL_MAX, BOWL_STEP = -3.0, -0.5, 0.02
#: The condition-number slider: 10 ** (0.1 i), 1 to 100.
COND_MIN, COND_MAX, COND_STEP = 0.0, 2.0, 0.1
MAX_BUDGET = Tradeoff.max_budget


def tradeoff_panel(lr=0.01, curvature=2.0, start=1.0, tol=1e-3, budget=20,
                   max_steps=5000):
    """Updates needed and loss reached on a fixed budget, against the rate.

    Controls ``lr`` and ``budget``. Both curves come from one vectorized
    sweep over a fine grid of rates, made once; the slider moves a marker.
    """
    compute = Tradeoff(curvature, start, tol, max_steps, LR_MIN, LR_MAX, LR_STEP)
    controls = {"lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP),
                "budget": int_slider(budget, 1, MAX_BUDGET, "update budget N",
                                     "lr-budget")}
    return Panel(title="Lesson 03: the rate trade-off", controls=controls,
                 compute=compute, view=TradeoffView(compute),
                 readout=compute.readout)


def bowl2d_panel(lr=0.1, condition=10.0, sharpness=10.0, rotation=30.0,
                 start=(-2.2, -0.2), steps=60, tol=1e-3, max_steps=2000):
    """Gradient descent on ``Bowl2D(curvatures=(sharpness/condition,
    sharpness), rotation)``: contours with the path, the path along the steep
    and the flat direction, and the U of updates needed for this bowl.

    Controls ``lr`` (live) and ``condition`` (on release: new contours and a
    new sweep). The sharpness stays fixed, so the limit 2/sharpness does too.
    """
    compute = IllConditioned(sharpness, rotation, start, steps, tol, max_steps,
                             (BOWL_MIN, BOWL_MAX, BOWL_STEP))
    controls = {
        "lr": log_slider(lr, BOWL_MIN, BOWL_MAX, BOWL_STEP),
        "condition": log_slider(condition, COND_MIN, COND_MAX, COND_STEP,
                                description="condition number λmax/λmin",
                                css="lr-condition", continuous_update=False),
    }
    legend = W.HTML("<span style='font-size:13px'>Right plot: updates to reach "
                    f"{tol:g} (blue), the best fixed rate (green dash-dot), "
                    "the limit 2/λmax (black dashes), the slider's rate "
                    f"(vermillion); the top band holds the rates that need more "
                    f"than {max_steps} updates or never arrive.</span>")

    def layout(panel):
        return W.VBox([controls["lr"], controls["condition"], panel.fig.canvas,
                       legend, panel.readout_widget])

    return Panel(title="Lesson 03: an ill-conditioned 2-D bowl", controls=controls,
                 compute=compute, readout=compute.readout, layout=layout,
                 view=BowlView(compute.lrs, sharpness, steps, max_steps),
                 cache=True)  # a revisited grid value reuses its run
