"""Lesson 02 panels: the three regimes on a bowl, and a jump between valleys."""

import ipywidgets as W
import numpy as np

from ...descent import classify_lr, gradient_descent
from ...plotting import PALETTE, REGIME_STYLE, Blitter, clip_path, live_figure
from ...problems import Quadratic, TwoValleys
from ...regimes import (
    fell_every_update,
    first_rise,
    hump_of,
    regime_readout,
    valleys_readout,
)
from ...widgets import Panel, log_slider, pre, readout
from .figures import RateStrip

#: The regimes panel's rate grid: 10 ** (-5 + 0.05 i), from 1e-5 to about 3.98.
LR_MIN, LR_MAX, LR_STEP = -5.0, 0.6, 0.05
#: The curvatures the regimes panel offers (lambda).
CURVATURES = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 100.0, 1000.0, 10000.0)
#: The valleys panel's rate grid: 10 ** (-2 + 0.05 i), from 0.01 to 1.
VALLEY_MIN, VALLEY_MAX, VALLEY_STEP = -2.0, 0.0, 0.05


def curvature_control(value):
    """A keyboard-friendly slider over ``CURVATURES``."""
    if value not in CURVATURES:
        raise ValueError(f"curvature must be one of {CURVATURES}, got {value!r}")
    control = W.SelectionSlider(options=[(f"{c:g}", c) for c in CURVATURES],
                                value=value, description="curvature λ",
                                style={"description_width": "initial"},
                                layout=W.Layout(width="560px"))
    control.add_class("lr-curvature")
    control.add_class("lr-control")
    return control


def regimes_panel(lr=0.1, curvature=2.0, steps=20, start=3.0):
    """Gradient descent on ``curvature/2 * w^2`` with the regime strip.

    Controls ``lr`` and ``curvature``. Above the plots, a strip shows the
    slider's whole range split at 1/lambda and 2/lambda, with the current
    rate marked; below, the path on the curve, the weight and the loss per
    update. Losses are shown relative to the starting loss, so the axes stay
    the same for every curvature.
    """
    lo, hi = -4.5, 4.5
    controls = {"lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP),
                "curvature": curvature_control(curvature)}
    fig, ax0 = live_figure(width=10.5, height=5.0, ncols=1)
    ax0.remove()
    gs = fig.add_gridspec(2, 3, height_ratios=[1, 4.2], hspace=0.75, wspace=0.45,
                          left=0.075, right=0.985, top=0.9, bottom=0.12)
    strip = RateStrip(fig.add_subplot(gs[0, :]), 10 ** LR_MIN, 10 ** LR_MAX)
    ax_path, ax_w, ax_f = (fig.add_subplot(gs[1, i]) for i in range(3))

    w = np.linspace(lo, hi, 300)
    ax_path.plot(w, (w / start) ** 2, color=PALETTE["grey"], lw=2)
    ax_path.set(xlim=(lo, hi), ylim=(-0.06, 2.45), xlabel="weight w (no unit)",
                ylabel="loss / starting loss")
    (path,) = ax_path.plot([], [], markersize=5, lw=1.2, zorder=3)
    note = ax_path.text(0.5, 0.97, "", transform=ax_path.transAxes, ha="center",
                        va="top", fontsize=12)
    ax_w.axhline(0.0, color=PALETTE["grey"], lw=1)
    ax_w.set(xlim=(-0.5, steps + 0.5), ylim=(lo, hi), xlabel="update k",
             ylabel="weight w (no unit)")
    (w_line,) = ax_w.plot([], [], markersize=4, lw=1.2)
    ax_f.set_yscale("log")
    ax_f.set(xlim=(-0.5, steps + 0.5), ylim=(1e-12, 1e7), xlabel="update k",
             ylabel="loss / starting loss")
    (f_line,) = ax_f.plot([], [], markersize=4, lw=1.2)
    story = ax_f.text(0.5, 0.97, "", transform=ax_f.transAxes, ha="center",
                      va="top", fontsize=12)
    for ax in (ax_path, ax_w, ax_f):
        ax.set_autoscale_on(False)
    text = readout()

    def update(panel):
        rate, lam = controls["lr"].value, controls["curvature"].value
        if panel.changed in (None, "curvature"):
            strip.set_curvature(lam)
            blitter.background = None  # the strip moved: one full redraw
        strip.set_rate(rate)
        tr = gradient_descent(Quadratic(curvature=lam), lr=rate, steps=steps,
                              start=start)
        regime = classify_lr(rate, lam)
        style = REGIME_STYLE[regime]
        rel = tr.losses / tr.losses[0]
        xs, ys = clip_path(tr.weights, rel, lo, hi, ax_path)
        k = np.arange(len(rel))
        path.set_data(xs, ys)
        w_line.set_data(k, np.clip(tr.weights, lo - 0.2, hi + 0.2))
        f_line.set_data(k, np.clip(rel, 1e-12, 1e7))
        for line in (path, w_line, f_line):
            line.set(color=style["color"], linestyle=style["linestyle"],
                     marker=style["marker"])
        note.set_text(f"lr x λ = {rate * lam:.3g}: {regime}")
        story.set_text("diverged" if tr.diverged else (
            "loss fell every update" if fell_every_update(tr.losses) else
            "loss rose" if first_rise(tr.losses) else "loss stayed level"))
        message = regime_readout(tr, lam)
        text.value = pre(message)
        return message

    # only what moves with the rate is animated; the strip is redrawn in full
    # when the curvature changes
    blitter = Blitter(fig, [*strip.moving, path, note, w_line, f_line, story])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 02: the three regimes")
    panel.layout = W.VBox([controls["lr"], controls["curvature"], fig.canvas, text])
    panel.update()
    return panel


def valleys_panel(lr=0.1, start=1.5, steps=40, tilt=0.3):
    """Gradient descent on ``TwoValleys(tilt)``: a large step can jump the hump.

    Control ``lr``. Left: the path on the loss curve; right: the weight per
    update with the two valley bottoms and the hump marked.
    """
    problem = TwoValleys(tilt=tilt)
    lo, hi = -2.0, 2.0
    left, right = problem.minima()
    controls = {"lr": log_slider(lr, VALLEY_MIN, VALLEY_MAX, VALLEY_STEP)}
    fig, (ax_path, ax_w) = live_figure(width=10.0, height=3.9)
    w = np.linspace(lo, hi, 400)
    ax_path.plot(w, problem.loss(w), color=PALETTE["grey"], lw=2)
    ax_path.set(xlim=(lo, hi), ylim=(-0.6, 5.0), xlabel="weight w (no unit)",
                ylabel="loss f(w)")
    (path,) = ax_path.plot([], [], markersize=5, lw=1.2, zorder=3)
    note = ax_path.text(0.5, 0.97, "", transform=ax_path.transAxes, ha="center",
                        va="top", fontsize=12)
    for y, name in ((left, "left valley"), (hump_of(problem), "hump"),
                    (right, "right valley")):
        ax_w.axhline(y, color=PALETTE["grey"], lw=1, ls="--" if name == "hump"
                     else "-")
        ax_w.text(steps + 0.3, y, name, va="bottom", ha="right", fontsize=12,
                  color="#555555")
    ax_w.set(xlim=(-0.5, steps + 0.5), ylim=(-2.3, 2.3), xlabel="update k",
             ylabel="weight w (no unit)")
    (w_line,) = ax_w.plot([], [], markersize=4, lw=1.2)
    for ax in (ax_path, ax_w):
        ax.set_autoscale_on(False)
    fig.tight_layout()
    text = readout()

    def update(panel):
        rate = controls["lr"].value
        tr = gradient_descent(problem, lr=rate, steps=steps, start=start)
        k = np.arange(len(tr.weights))
        xs, ys = clip_path(tr.weights, tr.losses, lo, hi, ax_path)
        path.set_data(xs, ys)
        w_line.set_data(k, np.clip(tr.weights, -2.25, 2.25))
        style = (REGIME_STYLE["divergent"] if tr.diverged else
                 REGIME_STYLE["monotone"] if tr.weights[-1] > hump_of(problem)
                 else REGIME_STYLE["oscillating"])
        for line in (path, w_line):
            line.set(color=style["color"], linestyle=style["linestyle"],
                     marker=style["marker"])
        note.set_text(f"lr = {rate:.3g}")
        message = valleys_readout(tr, problem)
        text.value = pre(message)
        return message

    blitter = Blitter(fig, [path, note, w_line])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 02: a jump into the other valley")
    panel.layout = W.VBox([controls["lr"], fig.canvas, text])
    panel.update()
    return panel
