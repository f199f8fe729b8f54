"""Lesson 03 panels: the trade-off on a bowl, and an ill-conditioned 2-D bowl."""

import ipywidgets as W
import numpy as np

from ...descent import gradient_descent, sweep
from ...plotting import PALETTE, REGIME_STYLE, Blitter, live_figure
from ...problems import Bowl2D, Quadratic
from ...readouts import grid_index, lr_grid
from ...regimes import (
    best_fixed_rate,
    bowl_readout,
    eigen_coordinates,
    fewest,
    losses_after,
    steps_curve,
    tradeoff_readout,
)
from ...widgets import Panel, int_slider, log_slider, pre, readout
from .figures import (
    budget_values,
    clip_2d,
    draw_contours,
    draw_u,
    mark_limits,
    setup_budget_axes,
    setup_u_axes,
    u_values,
)

#: The trade-off panel's slider: 10 ** (-3 + 0.05 i), 0.001 to about 1.58.
LR_MIN, LR_MAX, LR_STEP = -3.0, 0.2, 0.05
#: Its curves are swept on a finer grid that contains every slider value.
FINE_STEP = 0.01
#: The 2-D panel's slider: 10 ** (-3 + 0.02 i), 0.001 to about 0.316.
BOWL_MIN, BOWL_MAX, BOWL_STEP = -3.0, -0.5, 0.02
#: The condition-number slider: 10 ** (0.1 i), 1 to 100.
COND_MIN, COND_MAX, COND_STEP = 0.0, 2.0, 0.1
MAX_BUDGET = 200


def tradeoff_panel(lr=0.01, curvature=2.0, start=1.0, tol=1e-3, budget=20,
                   max_steps=5000):
    """Updates needed and loss reached on a fixed budget, against the rate.

    Controls ``lr`` and ``budget``. Both curves come from one vectorized
    sweep over a fine grid of rates, made once; the slider moves a marker.
    """
    problem = Quadratic(curvature=curvature)
    fine = lr_grid(LR_MIN, LR_MAX, FINE_STEP)
    steps, _ = steps_curve(problem, fine, start, tol, max_steps)
    runs = sweep(problem, fine, steps=MAX_BUDGET, start=start)
    fastest = fewest(fine, steps)
    controls = {"lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP),
                "budget": int_slider(budget, 1, MAX_BUDGET, "update budget N",
                                     "lr-budget")}
    fig, (ax_u, ax_b) = live_figure(width=10.5, height=4.0)
    lo, hi = fine[0], fine[-1]
    setup_u_axes(ax_u, lo, hi, max_steps)
    draw_u(ax_u, fine, steps, max_steps)
    mark_limits(ax_u, curvature)
    setup_budget_axes(ax_b, lo, hi)
    mark_limits(ax_b, curvature)
    (budget_line,) = ax_b.plot([], [], color=PALETTE["orange"], lw=2)
    marks = []
    for ax in (ax_u, ax_b):
        marks.append(ax.axvline(lo, color=PALETTE["vermillion"], lw=2.5))
        marks.append(ax.plot([], [], "o", ms=11, mfc="none", mew=2.5,
                             color=PALETTE["black"])[0])
    note = ax_b.text(0.03, 0.55, "", transform=ax_b.transAxes, fontsize=12)
    fig.tight_layout()
    text = readout()
    state = {}

    def update(panel):
        rate = controls["lr"].value
        n = controls["budget"].value
        i = grid_index(rate, LR_MIN, FINE_STEP, len(fine))
        if panel.changed in (None, "budget") or "losses" not in state:
            state["losses"] = losses_after(runs, n)
            budget_line.set_data(fine, budget_values(state["losses"]))
            note.set_text(f"N = {n}")
        losses = state["losses"]
        best = int(np.argmin(losses))
        marks[0].set_xdata([rate, rate])
        marks[1].set_data([rate], [u_values(steps[i:i + 1], max_steps)[0]])
        marks[2].set_xdata([rate, rate])
        marks[3].set_data([rate], [budget_values(losses[i:i + 1])[0]])
        message = tradeoff_readout(rate, curvature, tol, float(steps[i]),
                                   fastest, n,
                                   float(losses[i]), (fine[best], losses[best]),
                                   diverged_at=runs.diverged_at[i])
        text.value = pre(message)
        return message

    blitter = Blitter(fig, [budget_line, note, *marks])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 03: the rate trade-off")
    panel.layout = W.VBox([controls["lr"], controls["budget"], fig.canvas, text])
    panel.update()
    return panel


def bowl2d_panel(lr=0.1, condition=10.0, sharpness=10.0, rotation=30.0,
                 start=(-2.2, -0.2), steps=60, tol=1e-3, max_steps=2000):
    """Gradient descent on ``Bowl2D(curvatures=(sharpness/condition,
    sharpness), rotation)``: contours with the path, the path along the steep
    and the flat direction, and the U of updates needed for this bowl.

    Controls ``lr`` (live) and ``condition`` (on release: new contours and a
    new sweep). The sharpness stays fixed, so the limit 2/sharpness does too.
    """
    grid = lr_grid(BOWL_MIN, BOWL_MAX, BOWL_STEP)
    controls = {
        "lr": log_slider(lr, BOWL_MIN, BOWL_MAX, BOWL_STEP),
        "condition": log_slider(condition, COND_MIN, COND_MAX, COND_STEP,
                                description="condition number λmax/λmin",
                                css="lr-condition", continuous_update=False),
    }
    xlim, ylim = (-2.6, 2.6), (-1.7, 1.7)
    fig, (ax_c, ax_e, ax_u) = live_figure(width=12.0, height=4.1, ncols=3,
                                          gridspec_kw={"width_ratios": [1.5, 1, 1]})
    (path,) = ax_c.plot([], [], lw=1.3, ms=4)
    ax_e.axhline(0.0, color=PALETTE["grey"], lw=1)
    ax_e.set(xlim=(-0.5, steps + 0.5), ylim=(-2.6, 2.6), xlabel="update k",
             ylabel="distance along direction")
    ax_e.set_autoscale_on(False)
    style_s = {"color": PALETTE["purple"], "linestyle": "--", "marker": "^"}
    style_f = {"color": PALETTE["blue"], "linestyle": "-", "marker": "o"}
    (steep_line,) = ax_e.plot([], [], lw=1.3, ms=4, label="steep (λmax)",
                              **style_s)
    (flat_line,) = ax_e.plot([], [], lw=1.3, ms=4, label="flat (λmin)", **style_f)
    ax_e.legend(loc="lower right", fontsize=12)
    setup_u_axes(ax_u, grid[0], grid[-1], max_steps)
    ax_u.axvline(2.0 / sharpness, color=PALETTE["black"], lw=1.2, ls="--")
    ax_u.text(2.0 / sharpness, 1.01, "2/λmax", ha="center", va="bottom",
              fontsize=12, transform=ax_u.get_xaxis_transform())
    (u_line,) = ax_u.plot([], [], color=PALETTE["blue"], lw=2)
    best_line = ax_u.axvline(grid[0], color=PALETTE["green"], lw=1.5, ls="-.")
    now = ax_u.axvline(grid[0], color=PALETTE["vermillion"], lw=2.5)
    (now_dot,) = ax_u.plot([], [], "o", ms=11, mfc="none", mew=2.5,
                           color=PALETTE["black"])
    fig.tight_layout()
    text = readout()
    state = {"contours": None, "u": {}}

    def set_bowl(kappa):
        bowl = Bowl2D(curvatures=(sharpness / kappa, sharpness), rotation=rotation)
        for artist in state["contours"] or []:
            artist.remove()
        state["contours"] = draw_contours(ax_c, bowl, xlim, ylim)
        key = round(kappa, 9)
        if key not in state["u"]:
            state["u"][key] = steps_curve(bowl, grid, start, tol, max_steps)
        state["bowl"] = bowl
        state["steps"], state["diverged"] = state["u"][key]
        u_line.set_data(grid, u_values(state["steps"], max_steps))
        best = best_fixed_rate(bowl.curvatures)
        best_line.set_xdata([best, best])
        blitter.background = None  # contours and the U moved: one full redraw

    def update(panel):
        if panel.changed in (None, "condition"):
            set_bowl(controls["condition"].value)
        rate = controls["lr"].value
        bowl, u = state["bowl"], state["steps"]
        tr = gradient_descent(bowl, lr=rate, steps=steps, start=start)
        path.set_data(*clip_2d(tr.weights, xlim, ylim))
        regime = "divergent" if tr.diverged else (
            "oscillating" if rate * sharpness > 1 else "monotone")
        path.set(**REGIME_STYLE[regime])
        e = eigen_coordinates(bowl, tr.weights)
        k = np.arange(len(e))
        flat_line.set_data(k, np.clip(e[:, 0], -2.55, 2.55))
        steep_line.set_data(k, np.clip(e[:, 1], -2.55, 2.55))
        i = grid_index(rate, BOWL_MIN, BOWL_STEP, len(grid))
        now.set_xdata([rate, rate])
        now_dot.set_data([rate], [u_values(u[i:i + 1], max_steps)[0]])
        message = bowl_readout(tr, bowl, tol, float(u[i]), fewest(grid, u),
                               max_steps, diverged=bool(state["diverged"][i]))
        text.value = pre(message)
        return message

    blitter = Blitter(fig, [path, steep_line, flat_line, now, now_dot])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 03: an ill-conditioned 2-D bowl")
    legend = W.HTML("<span style='font-size:13px'>Right plot: updates to reach "
                    f"{tol:g} (blue), the best fixed rate (green dash-dot), "
                    "the limit 2/λmax (black dashes), the slider's rate "
                    f"(vermillion); the top band holds the rates that need more "
                    f"than {max_steps} updates or never arrive.</span>")
    panel.layout = W.VBox([controls["lr"], controls["condition"], fig.canvas,
                           legend, text])
    panel.update()
    return panel


def bench_cases():
    """The panels as the notebook builds them, for the benchmark suite."""
    grid = lr_grid(LR_MIN, LR_MAX, LR_STEP)
    bowl = lr_grid(BOWL_MIN, BOWL_MAX, BOWL_STEP)
    cond = lr_grid(COND_MIN, COND_MAX, COND_STEP)

    def make_bowl():
        return bowl2d_panel(lr=0.1, condition=100.0, sharpness=10.0, rotation=30.0,
                            start=(-2.2, -0.2), steps=60)

    return [
        {"name": "03 trade-off", "kind": "live", "control": "lr",
         "make": lambda: tradeoff_panel(lr=0.1, curvature=2.0, start=1.0,
                                        tol=1e-3, budget=20),
         "values": [float(grid[i]) for i in (0, 35, 40, 47, 55, 62)]},
        {"name": "03 2-D bowl", "kind": "live", "control": "lr",
         "make": make_bowl,
         "values": [float(bowl[i]) for i in (50, 100, 114, 115, 116)]},
        {"name": "03 2-D bowl condition", "kind": "release",
         "control": "condition", "make": make_bowl,
         "values": [float(cond[i]) for i in (0, 10, 15, 20)]},
    ]
