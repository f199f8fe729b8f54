"""Lesson 04 panels: the loss floor of a noisy bowl and of real mini-batches.

Both panels precompute every slider setting when they are built (the bowl:
one vectorized noisy sweep per noise level; the network: one ``sweep_fit``
per batch size), so moving a slider only looks results up and redraws.
"""

import math

import ipywidgets as W
import numpy as np

from ...descent import sweep
from ...plotting import PALETTE, Blitter, live_figure
from ...problems import Quadratic
from ...readouts import grid_index, lr_grid
from ...widgets import Panel, float_slider, log_slider, pre, readout
from .analysis import (
    minibatch_floors,
    noise_floor,
    noisy_sweep,
    running_mean,
    settle_updates,
    settled_reference,
)

#: Noisy-bowl rate grid: 10 ** (-3 + 0.05 i), 0.001 to about 3.16.
BOWL_MIN, BOWL_MAX, BOWL_STEP = -3.0, 0.5, 0.05
#: Noise levels of the bowl panel's second slider.
NOISE_MIN, NOISE_MAX, NOISE_STEP = 0.25, 2.0, 0.25
#: Mini-batch rate grid: 10 ** (-2.5 + 0.125 i), about 0.0032 to 1.
NET_MIN, NET_MAX, NET_STEP = -2.5, 0.0, 0.125
#: Batch sizes of the mini-batch panel.
BATCH_SIZES = (5, 10, 20, 50, 100)
#: Mean loss above which a run counts as thrown out of the valley.
KNOCKED_OUT = 0.6

LOSS_FLOOR_PLOT = 1e-6


def _noise_levels():
    n = int(round((NOISE_MAX - NOISE_MIN) / NOISE_STEP))
    return [round(NOISE_MIN + i * NOISE_STEP, 4) for i in range(n + 1)]


def bowl_readout(lr, curvature, noise, steps, runs, floor, rise, diverged_at,
                 start):
    """The noisy-bowl panel's text for one rate and noise level."""
    theory = noise_floor(lr, curvature, noise)
    last = steps // 2
    lines = [f"lr = {lr:.4g}   lr x lambda = {lr * curvature:.3f}   "
             f"noise sigma = {noise:.2f}   ({steps} updates, {runs} runs)"]
    if diverged_at:
        lines.append(f"diverged at update {diverged_at}: lr > 2/lambda = "
                     f"{2 / curvature:.4g}, so there is no floor at all")
        return "\n".join(lines)
    lines.append(f"theory floor   lr sigma^2 / (2 (2 - lr lambda)) = {theory:.5f}")
    lines.append(f"measured floor (mean loss, updates {steps - last + 1}-{steps}, "
                 f"all runs) = {floor:.5f}")
    need = settle_updates(lr, curvature, start, theory)
    if need > steps - last:
        lines.append(f"still falling: it needs about {need:,.0f} updates to reach "
                     "its floor (the small-rate trade-off)")
    else:
        lines.append(f"hovering: the loss rose after {rise:.0%} of those updates, "
                     "it does not fall every step")
    return "\n".join(lines)


def noisy_bowl_panel(lr=0.1, noise=1.0, curvature=1.0, start=2.0, steps=1000,
                     runs=16, seed=0):
    """Gradient descent on a bowl whose gradient carries noise ``sigma``.

    Left: the loss of one run per update, with the noise-free run and the
    theory floor. Right: the floor against the rate (theory line, measured
    markers). Controls ``lr`` and ``noise``; both are live (every setting is
    precomputed, ``runs`` repeats each).
    """
    problem = Quadratic(curvature=curvature)
    grid = lr_grid(BOWL_MIN, BOWL_MAX, BOWL_STEP)
    levels = _noise_levels()
    if not any(math.isclose(noise, s) for s in levels):
        raise ValueError(f"noise must be one of {levels}, got {noise!r}")
    results = {}
    for sigma in levels:
        run = noisy_sweep(problem, grid, steps, start, noise=sigma, rng=seed,
                          runs=runs)
        with np.errstate(all="ignore"):
            mean_path = run.losses.mean(axis=1)
        results[sigma] = {
            "floor": run.floor(), "rise": run.rise_fraction(),
            "path": run.losses[:, 0, :], "mean": mean_path,
            "diverged": [runs_at[0] for runs_at in run.diverged_at],
            "settled": np.array([settle_updates(r, curvature, start, f) <= steps // 2
                                 for r, f in zip(grid, noise_floor(grid, curvature,
                                                                   sigma))]),
        }
    quiet = sweep(problem, grid, steps, start).losses
    controls = {
        "lr": log_slider(lr, BOWL_MIN, BOWL_MAX, BOWL_STEP),
        "noise": float_slider(noise, NOISE_MIN, NOISE_MAX, NOISE_STEP,
                              "gradient noise sigma", "lr-noise", fmt=".2f"),
    }

    fig, (ax_loss, ax_floor) = live_figure(width=11.0, height=4.2)
    k = np.arange(steps + 1)
    low, high = 1e-6, 1e5
    ax_loss.set_yscale("log")
    ax_loss.set_xlim(0, steps)
    ax_loss.set_ylim(low, high)
    ax_loss.set_autoscale_on(False)
    ax_loss.set_xlabel("update k")
    ax_loss.set_ylabel("loss after update k")
    (quiet_line,) = ax_loss.plot([], [], color=PALETTE["grey"], lw=2, ls="--",
                                 label="no noise")
    (path_line,) = ax_loss.plot([], [], color=PALETTE["sky"], lw=0.7,
                                label="one run")
    (mean_line,) = ax_loss.plot([], [], color=PALETTE["blue"], lw=2,
                                label=f"mean of {runs} runs")
    (floor_line,) = ax_loss.plot([], [], color=PALETTE["vermillion"], lw=2.5,
                                 ls="-.", label="theory floor")
    ax_loss.legend(loc="upper right", fontsize=12, framealpha=0.9, ncol=2,
                   handlelength=1.5, columnspacing=1.0)
    title = ax_loss.text(0.03, 0.04, "", transform=ax_loss.transAxes, ha="left",
                         va="bottom", fontsize=12,
                         bbox={"fc": "white", "ec": "none", "alpha": 0.85})

    ax_floor.set_xscale("log")
    ax_floor.set_yscale("log")
    ax_floor.set_xlim(grid[0] / 1.2, grid[-1] * 1.6)
    ax_floor.set_ylim(low, high)
    ax_floor.set_autoscale_on(False)
    ax_floor.set_xlabel("learning rate (log scale)")
    ax_floor.set_ylabel("loss floor (mean loss)")
    ax_floor.axvline(2 / curvature, color=PALETTE["black"], lw=1, ls=":")
    ax_floor.text(2 / curvature / 1.1, 2e-6, "2/λ", ha="right", fontsize=12)
    fine = np.geomspace(grid[0], 2 / curvature * 0.999, 300)
    (theory_line,) = ax_floor.plot([], [], color=PALETTE["vermillion"], lw=2,
                                   ls="-.", label="theory")
    (measured,) = ax_floor.plot([], [], "o", color=PALETTE["blue"], ms=4,
                                label="measured")
    (unsettled,) = ax_floor.plot([], [], "o", color=PALETTE["blue"], ms=5,
                                 mfc="white", label="still falling")
    (here,) = ax_floor.plot([], [], "s", ms=12, mfc="none", mew=2.5,
                            color=PALETTE["black"], label="this rate")
    ax_floor.legend(loc="upper left", fontsize=12, framealpha=0.9, ncol=2,
                    handlelength=1.5, columnspacing=1.0)
    fig.tight_layout()
    text = readout()

    def update(panel):
        rate = controls["lr"].value
        sigma = min(levels, key=lambda s: abs(s - controls["noise"].value))
        i = grid_index(rate, BOWL_MIN, BOWL_STEP, len(grid))
        res = results[sigma]
        if panel.changed in (None, "noise"):
            theory_line.set_data(fine, np.clip(noise_floor(fine, curvature, sigma),
                                               low, high))
            shown = np.clip(res["floor"], low, high)
            done = res["settled"]
            measured.set_data(grid[done], shown[done])
            unsettled.set_data(grid[~done], shown[~done])
        path = np.clip(res["path"][i], low, high)
        path_line.set_data(k[np.isfinite(path)], path[np.isfinite(path)])
        mean = np.clip(res["mean"][i], low, high)
        mean_line.set_data(k[np.isfinite(mean)], mean[np.isfinite(mean)])
        q = np.clip(quiet[i], low, high)
        quiet_line.set_data(k[np.isfinite(q)], q[np.isfinite(q)])
        theory = noise_floor(rate, curvature, sigma)
        diverged = res["diverged"][i]
        if diverged:
            floor_line.set_data([], [])
            here.set_data([grid[i]], [high / 20])
            title.set_text(f"lr = {rate:.4g}: diverged")
        else:
            floor_line.set_data([0, steps], [max(theory, low)] * 2)
            here.set_data([grid[i]], [max(float(res["floor"][i]), low)])
            title.set_text(f"lr = {rate:.4g}, sigma = {sigma:.2f}")
        message = bowl_readout(float(grid[i]), curvature, sigma, steps, runs,
                               float(res["floor"][i]), float(res["rise"][i]),
                               diverged, start)
        text.value = pre(message)
        return message

    blitter = Blitter(fig, [quiet_line, path_line, mean_line, floor_line, title,
                            theory_line, measured, unsettled, here])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 04: the loss floor of a noisy bowl")
    panel.layout = W.VBox([controls["lr"], controls["noise"], fig.canvas, text])
    panel.update()
    return panel


def batch_size_slider(value, description="batch size", css="lr-batch-size"):
    """A slider over ``BATCH_SIZES`` (keyboard and drag, like the others)."""
    if value not in BATCH_SIZES:
        raise ValueError(f"batch_size must be one of {BATCH_SIZES}, got {value!r}")
    slider = W.SelectionSlider(options=list(BATCH_SIZES), value=value,
                               description=description, continuous_update=True,
                               style={"description_width": "initial"},
                               layout=W.Layout(width="560px"))
    slider.add_class(css)
    slider.add_class("lr-control")
    return slider


def minibatch_readout(floors, i):
    """The mini-batch panel's text for rate ``floors.lrs[i]``."""
    lr = float(floors.lrs[i])
    n_up = floors.batch_losses.shape[1]
    lines = [f"batch size {floors.batch_size}, lr = {lr:.4g}: plain SGD, "
             f"{floors.epochs} epochs ({n_up} updates) from the trained start",
             f"start: training loss {floors.start_loss:.4f}"]
    if floors.diverged_at[i]:
        lines.append(f"diverged at update {int(floors.diverged_at[i])}")
        return "\n".join(lines)
    floor = float(floors.floor[i])
    first = floors.settle + 1
    lines.append(f"floor: mean mini-batch loss in epochs {first}-{floors.epochs} "
                 f"= {floor:.4f}, {floor - floors.start_loss:+.4f} from the start")
    if floor > KNOCKED_OUT:
        lines.append(f"thrown out of the valley: no better than a coin toss "
                     f"(ln 2 = {math.log(2):.3f}; lesson 05 shows why)")
    else:
        lines.append(f"the mini-batch loss rose after {floors.rise_fraction[i]:.0%} "
                     "of those updates")
    return "\n".join(lines)


def minibatch_panel(lr=0.1, batch_size=10, epochs=3, seed=0):
    """The reference network on the trial data, plain mini-batch SGD from
    trained weights: the mini-batch loss per update (left) and each rate's
    floor above the start (right), for rate and batch-size sliders.

    Every rate and batch size is trained once when the panel is built
    (``minibatch_floors``, the package's ``sweep_fit``), so both sliders
    are live.
    """
    if batch_size not in BATCH_SIZES:
        raise ValueError(f"batch_size must be one of {BATCH_SIZES}, "
                         f"got {batch_size!r}")
    model, X, y = settled_reference(seed=seed)
    grid = lr_grid(NET_MIN, NET_MAX, NET_STEP)
    floors = {bs: minibatch_floors(model, X, y, grid, bs, epochs=epochs,
                                   seed=seed + 1) for bs in BATCH_SIZES}
    controls = {
        "lr": log_slider(lr, NET_MIN, NET_MAX, NET_STEP),
        "batch_size": batch_size_slider(batch_size),
    }
    fig, (ax_run, ax_floor) = live_figure(width=11.0, height=4.2)
    top = 1.3
    ax_run.set_xlim(0, epochs)
    ax_run.set_ylim(0, top)
    ax_run.set_autoscale_on(False)
    ax_run.set_xlabel("epoch")
    ax_run.set_ylabel("mini-batch loss")
    start_loss = floors[BATCH_SIZES[0]].start_loss
    ax_run.axhline(start_loss, color=PALETTE["black"], lw=1.2, ls=":",
                   label="start")
    (raw,) = ax_run.plot([], [], color=PALETTE["sky"], lw=0.6, alpha=0.8,
                         label="each mini-batch")
    (smooth,) = ax_run.plot([], [], color=PALETTE["blue"], lw=2.2,
                            label="running mean")
    (floor_line,) = ax_run.plot([], [], color=PALETTE["vermillion"], lw=2.5,
                                ls="-.", label="floor")
    ax_run.legend(loc="upper right", fontsize=12, framealpha=0.9, ncol=2,
                  handlelength=1.5, columnspacing=1.0)

    low, high = 1e-5, 1.0
    ax_floor.set_xscale("log")
    ax_floor.set_yscale("log")
    ax_floor.set_xlim(grid[0] / 3.5, grid[-1] * 1.3)
    ax_floor.set_ylim(low, high)
    ax_floor.set_autoscale_on(False)
    ax_floor.set_xlabel("learning rate (log scale)")
    ax_floor.set_ylabel("floor - start loss")
    for bs in BATCH_SIZES:
        ex = np.clip(floors[bs].excess, low, high)
        ax_floor.plot(grid, ex, color=PALETTE["grey"], lw=1, alpha=0.8)
        j = int(np.flatnonzero(floors[bs].excess > 0)[0]) if np.any(
            floors[bs].excess > 0) else 0
        ax_floor.text(grid[j] / 1.12, ex[j], f"b={bs}", ha="right", va="center",
                      fontsize=12, color=PALETTE["black"])
    (current,) = ax_floor.plot([], [], "o-", color=PALETTE["blue"], lw=2.2, ms=4)
    (here,) = ax_floor.plot([], [], "s", ms=12, mfc="none", mew=2.5,
                            color=PALETTE["black"])
    label = ax_floor.text(0.03, 0.95, "", transform=ax_floor.transAxes, va="top",
                          fontsize=12,
                          bbox={"fc": "white", "ec": "none", "alpha": 0.85})
    fig.tight_layout()
    text = readout()

    def update(panel):
        bs = controls["batch_size"].value
        rate = controls["lr"].value
        fl = floors[bs]
        i = grid_index(rate, NET_MIN, NET_STEP, len(grid))
        if panel.changed in (None, "batch_size"):
            current.set_data(grid, np.clip(fl.excess, low, high))
            label.set_text(f"batch size {bs}")
        losses = fl.batch_losses[i]
        ok = np.isfinite(losses)
        x = (np.arange(losses.size) + 1) / fl.updates_per_epoch
        raw.set_data(x[ok], np.clip(losses[ok], 0, top))
        window = max(fl.updates_per_epoch // 5, 1)
        smooth.set_data(x[ok], np.clip(running_mean(losses[ok], window), 0, top))
        if fl.diverged_at[i] or not np.isfinite(fl.floor[i]):
            floor_line.set_data([], [])
            here.set_data([], [])
        else:
            floor_line.set_data([fl.settle, fl.epochs],
                                [min(float(fl.floor[i]), top)] * 2)
            here.set_data([grid[i]], [float(np.clip(fl.excess[i], low, high))])
        message = minibatch_readout(fl, i)
        text.value = pre(message)
        return message

    blitter = Blitter(fig, [raw, smooth, floor_line, current, here, label])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 04: the loss floor on real mini-batches")
    panel.floors = floors
    panel.layout = W.VBox([controls["lr"], controls["batch_size"], fig.canvas,
                           text])
    panel.update()
    return panel


def bench_cases():
    """Panels of this lesson for the benchmark suite, built as the notebook does."""
    bowl = lr_grid(BOWL_MIN, BOWL_MAX, BOWL_STEP)
    net = lr_grid(NET_MIN, NET_MAX, NET_STEP)
    return [
        {"name": "04 noisy bowl",
         "make": lambda: noisy_bowl_panel(lr=0.1, noise=1.0, curvature=1.0,
                                          start=2.0, steps=1000, runs=16, seed=0),
         "control": "lr", "values": [float(v) for v in bowl[::7]], "kind": "live"},
        {"name": "04 mini-batches",
         "make": lambda: minibatch_panel(lr=0.1, batch_size=10, epochs=3, seed=0),
         "control": "lr", "values": [float(v) for v in net[::3]], "kind": "live"},
    ]
