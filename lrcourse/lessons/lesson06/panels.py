"""Lesson 06 panels: momentum on a bowl, and Adam against plain SGD."""

import ipywidgets as W
import numpy as np

from ..._validate import check_finite, check_fraction, check_positive
from ...optimizers import SGD, Adam
from ...plotting import PALETTE, Blitter, live_figure
from ...problems import Quadratic
from ...readouts import grid_index, lr_grid, what_happened
from ...widgets import Panel, float_slider, log_slider, pre, readout
from .analysis import run_rates

#: Momentum panel's rate grid: 10 ** (-3 + 0.0025 i), 0.001 to about 0.63.
#: Fine enough (0.58 % per notch) to find a stability limit to within 1 %.
MOM_MIN, MOM_MAX, MOM_STEP = -3.0, -0.2, 0.0025
#: Updates run per rate (the shrink factor is measured on them) and shown.
MOM_STEPS, MOM_SHOWN = 240, 60
#: Adam panel's rate grid 10 ** (-4 + 0.05 i), 0.0001 to about 3.16, and its
#: curvature grid 10 ** (-1 + 0.25 j), 0.1 to 100.
ADAM_MIN, ADAM_MAX, ADAM_STEP = -4.0, 0.5, 0.05
CURV_MIN, CURV_MAX, CURV_STEP = -1.0, 2.0, 0.25
ADAM_STEPS = 100

MOMENTUM_STYLE = {"color": PALETTE["blue"], "linestyle": "-", "marker": "o"}
PLAIN_STYLE = {"color": PALETTE["orange"], "linestyle": "--", "marker": "s"}


def _verdict(runs, i, factor):
    if runs.diverged_at[i]:
        return f"unstable: diverged at update {runs.diverged_at[i]}"
    if factor >= 1.0:
        return f"unstable: the distance grows x{factor:.4f} per update"
    return f"stable: the distance shrinks x{factor:.4f} per update"


def momentum_readout(lr, momentum, curvature, mom, plain, i, shown=MOM_SHOWN):
    """The momentum panel's text for grid rate ``i`` (runs of both optimizers)."""
    f_mom = float(mom.convergence_factors()[i])
    f_plain = float(plain.convergence_factors()[i])
    rises = int(mom.loss_rises(shown)[i])
    rises_plain = int(plain.loss_rises(shown)[i])
    lines = [
        f"lr = {lr:.4g}   momentum beta = {momentum:.2f}   lr x lambda = "
        f"{lr * curvature:.3f}   (lambda = {curvature:g})",
        f"with momentum:    {_verdict(mom, i, f_mom)}",
        f"                  loss rose on {rises} of the first {shown} updates",
        f"plain (beta = 0): {_verdict(plain, i, f_plain)}",
        f"                  loss rose on {rises_plain} of the first {shown} updates",
    ]
    if not (mom.diverged_at[i] or plain.diverged_at[i]):
        big_m = float(np.nanmax(mom.step_sizes()[i, :shown]))
        big_p = float(np.nanmax(plain.step_sizes()[i, :shown]))
        lines.append(
            f"largest step: {big_m:.4g} with momentum, {big_p:.4g} without "
            f"({big_m / big_p:.2f}x; 1/(1 - beta) = {1 / (1 - momentum):.2f})")
    return "\n".join(lines)


def momentum_panel(lr=0.05, momentum=0.9, curvature=10.0, start=1.0):
    """SGD with momentum on the bowl ``lambda/2 w^2`` beside plain SGD.

    Controls ``lr`` and ``momentum``. For each momentum value the package's
    ``SGD(momentum=beta)`` runs every grid rate in one vectorized pass (cached
    per beta); moving the rate only looks results up. The right plot is the
    measured shrink factor per update against the rate: below 1 is stable.
    """
    lr = check_positive("lr", lr)
    momentum = check_fraction("momentum", momentum, closed_high=False)
    if momentum > 0.99:
        raise ValueError(f"momentum must be in [0, 0.99], got {momentum!r}")
    problem = Quadratic(curvature=curvature, minimum=0.0)
    start = check_finite("start", start)
    grid = lr_grid(MOM_MIN, MOM_MAX, MOM_STEP)
    controls = {
        "lr": log_slider(lr, MOM_MIN, MOM_MAX, MOM_STEP),
        "momentum": float_slider(momentum, 0.0, 0.99, 0.01, "momentum beta",
                                 "lr-momentum", fmt=".2f"),
    }
    cache = {}

    def runs_for(beta):
        key = round(float(beta), 4)
        if key not in cache:
            if len(cache) > 24:
                cache.pop(next(iter(cache)))
            cache[key] = run_rates(problem, SGD(momentum=key), grid, MOM_STEPS, start)
        return cache[key]

    plain = runs_for(0.0)
    plain_f = plain.convergence_factors()

    fig, (ax_w, ax_f, ax_map) = live_figure(width=11.0, height=3.6, ncols=3)
    k = np.arange(MOM_SHOWN + 1)
    ax_w.set_xlim(-1, MOM_SHOWN + 1)
    ax_w.set_ylim(-2.6, 2.6)
    ax_w.set_xlabel("update k")
    ax_w.set_ylabel("weight w (no unit)")
    ax_w.axhline(0.0, color=PALETTE["grey"], lw=1)
    ax_f.set_yscale("log")
    ax_f.set_xlim(-1, MOM_SHOWN + 1)
    ax_f.set_ylim(1e-12, 1e3)
    ax_f.set_xlabel("update k")
    ax_f.set_ylabel("loss after update k")
    ax_map.set_xscale("log")
    ax_map.set_xlim(grid[0], grid[-1])
    ax_map.set_ylim(0.0, 1.6)
    ax_map.set_xlabel("learning rate (log scale)")
    ax_map.set_ylabel("shrink factor per update")
    ax_map.axhline(1.0, color=PALETTE["black"], lw=1, linestyle=":")
    ax_map.text(grid[0] * 1.3, 1.04, "above 1: unstable", fontsize=12)
    ax_map.plot(grid, np.clip(plain_f, 0, 1.6), lw=2, label="plain",
                color=PLAIN_STYLE["color"], linestyle="--")
    for ax in (ax_w, ax_f, ax_map):
        ax.set_autoscale_on(False)
    mk = {"markersize": 4, "lw": 1.2}
    (w_plain,) = ax_w.plot([], [], label="plain (β = 0)", **mk, **PLAIN_STYLE)
    (w_mom,) = ax_w.plot([], [], label="with momentum", **mk, **MOMENTUM_STYLE)
    (f_plain,) = ax_f.plot([], [], **mk, **PLAIN_STYLE)
    (f_mom,) = ax_f.plot([], [], **mk, **MOMENTUM_STYLE)
    (rises,) = ax_f.plot([], [], "^", markersize=7, mfc="none", mew=1.5,
                         color=PALETTE["vermillion"])
    (map_mom,) = ax_map.plot([], [], lw=2, label="with momentum",
                             color=MOMENTUM_STYLE["color"])
    (marker,) = ax_map.plot([], [], color=PALETTE["black"], lw=1.5)
    ax_w.legend(loc="upper right", fontsize=12)
    ax_map.legend(loc="lower left", fontsize=12, framealpha=0.95)
    title = ax_w.set_title("")
    ax_f.set_title("loss per update (△: it rose)")
    ax_map.set_title("stable where below 1")
    fig.tight_layout()

    text = readout()

    def update(panel):
        rate = controls["lr"].value
        beta = controls["momentum"].value
        i = grid_index(rate, MOM_MIN, MOM_STEP, len(grid))
        mom = runs_for(beta)
        if panel.changed in (None, "momentum"):
            map_mom.set_data(grid, np.clip(mom.convergence_factors(), 0, 1.6))
        marker.set_data([grid[i], grid[i]], [0.0, 1.6])
        for line, runs in ((w_plain, plain), (w_mom, mom)):
            line.set_data(k, np.clip(runs.weights[i, : MOM_SHOWN + 1], -2.6, 2.6))
        for line, runs in ((f_plain, plain), (f_mom, mom)):
            line.set_data(k, np.clip(runs.losses[i, : MOM_SHOWN + 1], 1e-12, 1e3))
        loss = mom.losses[i, : MOM_SHOWN + 1]
        with np.errstate(invalid="ignore"):
            up = np.flatnonzero(loss[1:] > loss[:-1]) + 1
        rises.set_data(up, np.clip(loss[up], 1e-12, 1e3))
        title.set_text(f"lr = {grid[i]:.4g}, β = {beta:.2f}")
        msg = momentum_readout(float(grid[i]), beta, curvature, mom, plain, i)
        text.value = pre(msg)
        return msg

    blitter = Blitter(fig, [w_plain, w_mom, f_plain, f_mom, rises, map_mom, marker,
                            title])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 06: momentum on a bowl")
    panel.layout = W.VBox([controls["lr"], controls["momentum"], fig.canvas, text])
    panel.update()
    return panel


def adam_readout(lr, curvature, start, adam, sgd, i):
    """The Adam panel's text for grid rate ``i``."""
    a1 = abs(float(adam.updates[i, 0]))
    s1 = abs(float(sgd.updates[i, 0]))
    g1 = curvature * abs(start)
    return "\n".join([
        f"lr = {lr:.4g}   curvature lambda = {curvature:.4g}   "
        f"first gradient lambda x w0 = {g1:.4g}",
        f"first update  Adam: {a1:.6g} ({a1 / lr:.3f} x lr)   "
        f"SGD: {s1:.6g} (lr x gradient)",
        f"Adam: {what_happened(adam.trace(i))}",
        f"SGD:  {what_happened(sgd.trace(i))}",
        f"farthest from the minimum (start: {abs(start):.3g}): "
        f"Adam {_farthest(adam, i)}, SGD {_farthest(sgd, i)}",
    ])


def _farthest(runs, i):
    d = runs.distances()[i]
    d = d[np.isfinite(d)]
    far = f"{float(d.max()):.3g}"
    return f"{far} before diverging" if runs.diverged_at[i] else far


def adam_panel(lr=0.001, curvature=10.0, start=1.0):
    """Adam and plain SGD at the same rate on the bowl ``lambda/2 w^2``.

    Controls ``lr`` and ``curvature`` (which scales every gradient). Both
    optimizers run every grid rate for every grid curvature when the panel
    is built; the sliders only look results up.
    """
    lr = check_positive("lr", lr)
    curvature = check_positive("curvature", curvature)
    start = check_finite("start", start)
    grid = lr_grid(ADAM_MIN, ADAM_MAX, ADAM_STEP)
    curvs = lr_grid(CURV_MIN, CURV_MAX, CURV_STEP)
    runs = {}
    for j, lam in enumerate(curvs):
        problem = Quadratic(curvature=float(lam))
        runs[j] = (run_rates(problem, Adam(), grid, ADAM_STEPS, start),
                   run_rates(problem, SGD(), grid, ADAM_STEPS, start))
    controls = {
        "lr": log_slider(lr, ADAM_MIN, ADAM_MAX, ADAM_STEP),
        "curvature": log_slider(curvature, CURV_MIN, CURV_MAX, CURV_STEP,
                                description="curvature lambda (scales the gradient)",
                                css="lr-curvature"),
    }
    fig, (ax_w, ax_s) = live_figure(width=11.0, height=3.8, ncols=2)
    k = np.arange(ADAM_STEPS + 1)
    ax_w.set_xlim(-1, ADAM_STEPS + 1)
    ax_w.set_ylim(-3.2, 3.2)
    ax_w.axhline(0.0, color=PALETTE["grey"], lw=1)
    ax_w.set_xlabel("update k")
    ax_w.set_ylabel("weight w (no unit)")
    ax_s.set_yscale("log")
    ax_s.set_xlim(0, ADAM_STEPS + 1)
    ax_s.set_ylim(1e-8, 1e3)
    ax_s.set_xlabel("update k")
    ax_s.set_ylabel("size of the update |change|")
    for ax in (ax_w, ax_s):
        ax.set_autoscale_on(False)
    mk = {"markersize": 3, "lw": 1.2}
    (w_sgd,) = ax_w.plot([], [], label="SGD", **mk, **PLAIN_STYLE)
    (w_adam,) = ax_w.plot([], [], label="Adam", **mk, **MOMENTUM_STYLE)
    (s_sgd,) = ax_s.plot([], [], **mk, **PLAIN_STYLE)
    (s_adam,) = ax_s.plot([], [], **mk, **MOMENTUM_STYLE)
    (rate_line,) = ax_s.plot([], [], color=PALETTE["black"], lw=1.5, linestyle=":",
                             label="the rate lr")
    ax_w.legend(loc="upper right", fontsize=12)
    ax_s.legend(loc="upper right", fontsize=12)
    title = ax_w.set_title("")
    ax_s.set_title("update sizes")
    fig.tight_layout()
    text = readout()

    def update(panel):
        i = grid_index(controls["lr"].value, ADAM_MIN, ADAM_STEP, len(grid))
        j = grid_index(controls["curvature"].value, CURV_MIN, CURV_STEP, len(curvs))
        adam, sgd = runs[j]
        rate, lam = float(grid[i]), float(curvs[j])
        w_adam.set_data(k, np.clip(adam.weights[i], -3.2, 3.2))
        w_sgd.set_data(k, np.clip(sgd.weights[i], -3.2, 3.2))
        ks = np.arange(1, ADAM_STEPS + 1)
        s_adam.set_data(ks, np.clip(adam.step_sizes()[i], 1e-8, 1e3))
        s_sgd.set_data(ks, np.clip(sgd.step_sizes()[i], 1e-8, 1e3))
        rate_line.set_data([0, ADAM_STEPS + 1], [rate, rate])
        title.set_text(f"lr = {rate:.4g}, λ = {lam:.4g}")
        msg = adam_readout(rate, lam, start, adam, sgd, i)
        text.value = pre(msg)
        return msg

    blitter = Blitter(fig, [w_sgd, w_adam, s_sgd, s_adam, rate_line, title])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 06: Adam against SGD on a bowl")
    panel.layout = W.VBox([controls["lr"], controls["curvature"], fig.canvas, text])
    panel.update()
    return panel
