"""Lesson 00 panel: a warm-up slider, one update of gradient descent."""

import ipywidgets as W
import numpy as np

from ...descent import classify_lr, gradient_descent
from ...plotting import PALETTE, Blitter, live_figure, loss_curve
from ...problems import Quadratic
from ...readouts import REGIME_TEXT
from ...widgets import Panel, float_slider, log_slider, pre, readout

#: The warm-up slider's grid: 10 ** (-3 + 0.05 i), from 0.001 to about 2.
LR_MIN, LR_MAX, LR_STEP = -3.0, 0.3, 0.05
#: Start weights the second slider offers.
W_MIN, W_MAX, W_STEP = -4.0, 4.0, 0.5


def one_step_readout(lr, start, curvature):
    """The warm-up panel's text: one update, written out."""
    problem = Quadratic(curvature=curvature)
    tr = gradient_descent(problem, lr=lr, steps=1, start=start)
    row = tr.rows()[0]
    regime = classify_lr(lr, curvature)
    return "\n".join([
        f"weight w = {start:.2f}   gradient = lambda x w = {curvature:g} x {start:.2f}"
        f" = {row['grad']:.4f}",
        f"step = lr x gradient = {lr:.4g} x {row['grad']:.4f} = {row['lr_x_grad']:.4f}",
        f"new w = old w - step = {start:.2f} - ({row['lr_x_grad']:.4f}) = "
        f"{row['new']:.4f}",
        f"loss {float(problem.loss(start)):.4f} -> {row['loss']:.4f}   "
        f"(lr x lambda = {lr * curvature:.3f}: {REGIME_TEXT[regime]})",
    ])


def warmup_panel(lr=0.1, start=3.0, curvature=2.0):
    """One update on the bowl ``f(w) = curvature/2 * w^2``: the old weight,
    the step ``lr x gradient`` as an arrow and the new weight. Controls
    ``lr`` (a log slider) and ``start`` (the weight before the update)."""
    problem = Quadratic(curvature=curvature)
    lo, hi = -6.5, 6.5
    controls = {
        "lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP),
        "start": float_slider(start, W_MIN, W_MAX, W_STEP, "weight before the update",
                              "lr-start", fmt=".1f"),
    }
    fig, ax = live_figure(width=9.0, height=3.6, ncols=1)
    w, f = loss_curve(problem, lo, hi)
    top = float(problem.loss(W_MAX)) * 1.15
    ax.plot(w, f, color=PALETTE["grey"], lw=2, zorder=1)
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.05 * top, top)
    ax.set_autoscale_on(False)
    ax.set_xlabel("weight w (no unit)")
    ax.set_ylabel("loss L(w)")
    (tangent,) = ax.plot([], [], color=PALETTE["green"], lw=2, ls="--",
                         label="slope = gradient")
    (arrow,) = ax.plot([], [], color=PALETTE["black"], lw=2.5,
                       label="step = lr x gradient")
    (head,) = ax.plot([], [], color=PALETTE["black"], marker=">", ms=11, ls="none")
    (drop,) = ax.plot([], [], color=PALETTE["black"], lw=1, ls=":")
    (old,) = ax.plot([], [], "o", color=PALETTE["blue"], ms=11, label="old w")
    (new,) = ax.plot([], [], "s", ms=11, mfc="none", mew=2.5, label="new w",
                     color=PALETTE["orange"])
    ax.legend(loc="upper center", fontsize=12, ncol=2, framealpha=0.9)
    title = ax.text(0.02, 0.04, "", transform=ax.transAxes, fontsize=12,
                    bbox={"fc": "white", "ec": "none", "alpha": 0.85})
    fig.tight_layout()
    text = readout()

    def update(panel):
        rate = controls["lr"].value
        w0 = controls["start"].value
        tr = gradient_descent(problem, lr=rate, steps=1, start=w0)
        w1 = float(tr.weights[1])
        f0 = float(problem.loss(w0))
        g = float(problem.grad(w0))
        span = np.array([w0 - 1.2, w0 + 1.2])
        tangent.set_data(span, f0 + g * (span - w0))
        w1_shown = float(np.clip(w1, lo + 0.1, hi - 0.1))
        arrow.set_data([w0, w1_shown], [f0, f0])
        head.set_data([w1_shown], [f0])
        head.set_marker(">" if w1 >= w0 else "<")
        drop.set_data([w1_shown, w1_shown], [f0, min(float(problem.loss(w1)), top)])
        old.set_data([w0], [f0])
        new.set_data([w1_shown], [min(float(problem.loss(w1)), top)])
        regime = classify_lr(rate, curvature)
        title.set_text(f"lr = {rate:.4g}: one update ({regime})")
        message = one_step_readout(rate, w0, curvature)
        text.value = pre(message)
        return message

    blitter = Blitter(fig, [tangent, arrow, head, drop, old, new, title])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 00: one update, step = lr x gradient")
    panel.layout = W.VBox([controls["lr"], controls["start"], fig.canvas, text])
    panel.update()
    return panel
