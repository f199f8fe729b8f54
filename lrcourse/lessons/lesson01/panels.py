"""Lesson 01 panel: the path of gradient descent, the step table, play/step."""

import ipywidgets as W
import numpy as np

from ...descent import classify_lr, gradient_descent
from ...plotting import (
    PALETTE,
    REGIME_STYLE,
    Blitter,
    clip_path,
    live_figure,
    loss_curve,
)
from ...problems import Quadratic
from ...readouts import descent_readout
from ...widgets import Panel, int_slider, log_slider, pre, readout

#: The panel's slider grid: 10 ** (-3 + 0.05 i), from 0.001 to about 1.58.
LR_MIN, LR_MAX, LR_STEP = -3.0, 0.2, 0.05


def step_table_html(trace, current=None, max_rows=12):
    """The step table: step, old weight, gradient, lr x gradient, new, loss."""
    head = ("<tr><th>update</th><th>old w</th><th>gradient</th><th>lr</th>"
            "<th>lr x gradient</th><th>new w = old - lr x grad</th>"
            "<th>loss</th></tr>")
    rows = trace.rows(1, max_rows)
    body = []
    for r in rows:
        mark = ' style="background:#FFE8A3;font-weight:bold"' if (
            r["step"] == current) else ""
        body.append(
            f"<tr{mark}><td>{r['step']}</td><td>{r['old']:.6f}</td>"
            f"<td>{r['grad']:.6f}</td><td>{r['lr']:.4g}</td>"
            f"<td>{r['lr_x_grad']:.6f}</td><td>{r['new']:.6f}</td>"
            f"<td>{r['loss']:.6f}</td></tr>")
    more = trace.steps - len(rows)
    note = f"<p>... and {more} more updates</p>" if more > 0 else ""
    return ('<table class="lr-step-table" style="font-family:monospace;'
            f'font-size:13px">{head}{"".join(body)}</table>{note}')


def descent_panel(lr=0.1, steps=20, start=3.0, curvature=2.0):
    """Gradient descent on ``f(w) = curvature/2 * w^2``, driven by a rate slider.

    Returns a ``Panel`` with controls ``lr``, ``steps`` and ``update`` (the
    update highlighted on the curve and in the table; Play walks through them).
    """
    problem = Quadratic(curvature=curvature, minimum=0.0)
    lo, hi = -4.5, 4.5
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

    fig, (ax_path, ax_loss) = live_figure(width=10.0, height=3.8)
    w, f = loss_curve(problem, lo, hi)
    top = float(f.max())
    ax_path.plot(w, f, color=PALETTE["grey"], lw=2, zorder=1)
    ax_path.set_xlim(lo, hi)
    ax_path.set_ylim(-0.03 * top, 1.05 * top)
    ax_path.set_autoscaley_on(False)
    ax_path.set_xlabel("weight w (no unit)")
    ax_path.set_ylabel("loss f(w)")
    (path,) = ax_path.plot([], [], markersize=5, lw=1.2, zorder=3)
    (current,) = ax_path.plot([], [], "o", markersize=13, mfc="none", mew=2.5,
                              color=PALETTE["black"], zorder=4)
    (step_line,) = ax_path.plot([], [], "-", lw=3, color=PALETTE["green"], zorder=2)
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(1e-12, 1e4)
    ax_loss.set_xlim(-0.5, 50.5)
    ax_loss.set_autoscale_on(False)
    ax_loss.set_xlabel("update k")
    ax_loss.set_ylabel("loss after update k")
    (loss_line,) = ax_loss.plot([], [], markersize=4, lw=1.2)
    (loss_now,) = ax_loss.plot([], [], "o", markersize=11, mfc="none", mew=2.5,
                               color=PALETTE["black"])
    title = ax_path.set_title("lr = 0.1: monotone")  # placeholder sizes the layout
    fig.tight_layout()

    text = readout()
    table = W.HTML()
    table.add_class("lr-table")
    state = {}

    def redraw_highlight(k):
        tr = state["trace"]
        k = min(k, tr.steps)
        xs, ys = clip_path(tr.weights, tr.losses, lo, hi, ax_path)
        current.set_data([xs[k]], [ys[k]])
        if k >= 1:
            step_line.set_data([xs[k - 1], xs[k]], [ys[k - 1], ys[k - 1]])
        else:
            step_line.set_data([], [])
        lk = np.clip(tr.losses[k], 1e-12, 1e4)
        loss_now.set_data([k], [lk])
        table.value = step_table_html(tr, current=k if k >= 1 else None,
                                      max_rows=max(12, k))

    def update(panel):
        name = panel.changed
        if name in (None, "lr", "steps"):
            rate = controls["lr"].value
            n = controls["steps"].value
            tr = gradient_descent(problem, lr=rate, steps=n, start=start)
            state["trace"] = tr
            regime = classify_lr(rate, curvature)
            style = REGIME_STYLE[regime]
            xs, ys = clip_path(tr.weights, tr.losses, lo, hi, ax_path)
            path.set_data(xs, ys)
            path.set(color=style["color"], linestyle=style["linestyle"],
                     marker=style["marker"])
            k = np.arange(len(tr.losses))
            loss_line.set_data(k, np.clip(tr.losses, 1e-12, 1e4))
            loss_line.set(color=style["color"], linestyle=style["linestyle"],
                          marker=style["marker"])
            title.set_text(f"lr = {rate:.4g}: {regime}")
            play.max = tr.steps
            text.value = pre(descent_readout(tr, curvature))
            panel.readout_text = descent_readout(tr, curvature)
        redraw_highlight(controls["update"].value)
        return panel.readout_text

    blitter = Blitter(fig, [path, current, step_line, loss_line, loss_now, title])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 01: gradient descent on a bowl")
    panel.layout = W.VBox([
        controls["lr"], controls["steps"],
        W.HBox([play, controls["update"]]),
        fig.canvas, text,
        W.HTML("<b>Step table</b> (follows the slider; the highlighted row is "
               "the update shown on the curve)"),
        table,
    ])
    panel.update()
    return panel
