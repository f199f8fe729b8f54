"""Figures of lesson 04: the loss floor on a noisy bowl and on mini-batches,
and the views of the lesson's two panels."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ...plotting import PALETTE, caption, course_style, live_figure
from ...problems import Quadratic
from ...readouts import lr_grid
from .analysis import (
    KNOCKED_OUT,
    UPDATES,
    minibatch_floors,
    noise_floor,
    noisy_sweep,
    running_mean,
    settle_updates,
    settled_quiet,
    settled_reference,
)


def floor_figure(noise=1.0, curvature=1.0, start=2.0, steps=1000, runs=16,
                 batch_sizes=(10, 100), seeds=(0, 1, 2)):
    """Key figure: the loss hovering at a floor, and the floor growing with the
    rate on a noisy bowl (top) and on real mini-batches, where a larger batch
    lowers it (bottom: the range over ``seeds`` as a band)."""
    with course_style():
        fig = Figure(figsize=(8.8, 7.6), layout="constrained")
        axes = fig.subplot_mosaic([["run", "bowl"], ["net", "net"]])
    FigureCanvasAgg(fig)
    bowl = Quadratic(curvature=curvature)
    _two_runs(axes["run"], bowl, noise, start, steps, runs, seeds[0])
    _bowl_floors(axes["bowl"], bowl, noise, start, steps, runs, seeds[0])
    _network_floors(axes["net"], batch_sizes, seeds)
    caption(fig, "The loss hovers at a floor that grows with the rate;\n"
                 "on real mini-batches a larger batch lowers it.")
    return fig


def _two_runs(ax_run, bowl, noise, start, steps, runs, seed):
    curvature = bowl.curvature
    pair = noisy_sweep(bowl, [0.3, 0.03], steps, start, noise=noise, rng=seed,
                       runs=runs)
    k = np.arange(steps + 1)
    for i, (lr, colour) in enumerate(((0.3, PALETTE["orange"]),
                                      (0.03, PALETTE["blue"]))):
        ax_run.plot(k, np.clip(pair.losses[i, 0], 1e-6, None), lw=0.5, alpha=0.45,
                    color=colour, label=f"lr = {lr:g}: one run")
        ax_run.plot(k, pair.losses[i].mean(axis=0), lw=2.2, color=colour,
                    label=f"lr = {lr:g}: mean of {runs} runs")
        floor = noise_floor(lr, curvature, noise)
        ax_run.axhline(floor, lw=1.5, ls="--", color=PALETTE["black"],
                       label="theory floor" if i == 0 else None)
    ax_run.set_yscale("log")
    ax_run.set_ylim(1e-5, 1e5)
    ax_run.set_xlim(0, steps)
    ax_run.set_xlabel("update k")
    ax_run.set_ylabel("loss after update k")
    ax_run.set_title("noisy bowl: loss per update")
    ax_run.legend(loc="upper right", fontsize=11, ncol=1, handlelength=1.5)


def _bowl_floors(ax_bowl, bowl, noise, start, steps, runs, seed):
    curvature = bowl.curvature
    grid = lr_grid(-2.5, 0.25, 0.125)
    run = noisy_sweep(bowl, grid, steps, start, noise=noise, rng=seed, runs=runs)
    fine = np.geomspace(grid[0], grid[-1], 200)
    ax_bowl.plot(fine, noise_floor(fine, curvature, noise), color=PALETTE["vermillion"],
                 lw=2, ls="-.", label="theory")
    floors = run.floor()
    done = np.array([settle_updates(r, curvature, start, f) <= steps // 2
                     for r, f in zip(grid, noise_floor(grid, curvature, noise))])
    ax_bowl.plot(grid[done], floors[done], "o", color=PALETTE["blue"], ms=5,
                 label="simulated")
    ax_bowl.plot(grid[~done], floors[~done], "o", color=PALETTE["blue"], ms=5,
                 mfc="white", label="still falling")
    ax_bowl.set_xscale("log")
    ax_bowl.set_yscale("log")
    ax_bowl.set_xlabel("learning rate (log scale)")
    ax_bowl.set_ylabel("loss floor (mean loss)")
    ax_bowl.set_title(f"noisy bowl, λ = {curvature:g}, σ = {noise:g}")
    ax_bowl.legend(loc="upper left", fontsize=11)


#: The rates of the key figure's network plot (the panel's, up to 0.32).
NET_GRID = (-2.5, -0.5, 0.125)


def _network_floors(ax_net, batch_sizes, seeds):
    net_grid = lr_grid(*NET_GRID)
    styles = (("o", "-", PALETTE["blue"]), ("s", "--", PALETTE["orange"]),
              ("^", ":", PALETTE["green"]))
    for bs, (marker, ls, colour) in zip(batch_sizes, styles):
        parts = np.array([_noise_part(seed, bs, net_grid) for seed in seeds])
        parts = np.clip(parts, 1e-6, None)
        ax_net.fill_between(net_grid, parts.min(axis=0), parts.max(axis=0),
                            color=colour, alpha=0.25, lw=0,
                            label=f"batch size {bs}: range over {len(seeds)} seeds")
        ax_net.plot(net_grid, parts[0], marker=marker, ls=ls, ms=5, color=colour,
                    label=f"batch size {bs}: seed {seeds[0]}")
    ax_net.set_xscale("log")
    ax_net.set_yscale("log")
    ax_net.set_xlabel("learning rate (log scale)")
    ax_net.set_ylabel("the noise's part\nof the floor")
    ax_net.set_title(f"drug-trial network, plain SGD, {UPDATES} updates "
                     "for every batch size")
    ax_net.set_ylim(1e-5, 0.2)  # room for the legend below the lines
    ax_net.legend(loc="lower right", fontsize=11, ncol=2)


def _noise_part(seed, batch_size, lrs):
    model, X, y = settled_reference(seed=seed)
    return minibatch_floors(model, X, y, lrs, batch_size, seed=seed + 1,
                            quiet=settled_quiet(seed, NET_GRID)).excess


class NoisyBowlView:
    """The noisy-bowl panel's figure (a ``NoisyPoint``). Left: the loss of
    one run per update, the mean of all runs, the noise-free run and the
    theory floor. Right: the floor against the rate (theory line, measured
    markers, hollow where still falling), this rate boxed."""

    low, high = 1e-6, 1e5

    def __init__(self, lrs, curvature, steps, runs):
        self.lrs, self.curvature, self.steps = lrs, curvature, steps
        self.k = np.arange(steps + 1)
        self.fig, (ax_loss, ax_floor) = live_figure(width=9.0, height=4.4)
        self._loss_axes(ax_loss, runs)
        self._floor_axes(ax_floor)
        self.fig.tight_layout()
        self.artists = [self.quiet_line, self.path_line, self.mean_line,
                        self.floor_line, self.title, self.theory_line,
                        self.measured, self.unsettled, self.here]
        self._table = None

    def _loss_axes(self, ax, runs):
        ax.set_yscale("log")
        ax.set_xlim(0, self.steps)
        ax.set_ylim(self.low, self.high)
        ax.set_autoscale_on(False)
        ax.set_xlabel("update k")
        ax.set_ylabel("loss after update k")
        (self.quiet_line,) = ax.plot([], [], color=PALETTE["grey"], lw=2, ls="--",
                                     label="no noise")
        (self.path_line,) = ax.plot([], [], color=PALETTE["sky"], lw=0.7,
                                    label="one run")
        (self.mean_line,) = ax.plot([], [], color=PALETTE["blue"], lw=2,
                                    label=f"mean of {runs} runs")
        (self.floor_line,) = ax.plot([], [], color=PALETTE["vermillion"], lw=2.5,
                                     ls="-.", label="theory floor")
        ax.legend(loc="upper right", fontsize=12, framealpha=0.9, ncol=2,
                  handlelength=1.5, columnspacing=1.0)
        self.title = ax.text(0.03, 0.04, "", transform=ax.transAxes, ha="left",
                             va="bottom", fontsize=12,
                             bbox={"fc": "white", "ec": "none", "alpha": 0.85})

    def _floor_axes(self, ax):
        limit = 2 / self.curvature
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(self.lrs[0] / 1.2, self.lrs[-1] * 1.6)
        ax.set_ylim(self.low, self.high)
        ax.set_autoscale_on(False)
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("loss floor (mean loss)")
        ax.axvline(limit, color=PALETTE["black"], lw=1, ls=":")
        ax.text(limit / 1.1, 2e-6, "2/λ", ha="right", fontsize=12)
        self.fine = np.geomspace(self.lrs[0], limit * 0.999, 300)
        (self.theory_line,) = ax.plot([], [], color=PALETTE["vermillion"], lw=2,
                                      ls="-.", label="theory")
        (self.measured,) = ax.plot([], [], "o", color=PALETTE["blue"], ms=4,
                                   label="measured")
        (self.unsettled,) = ax.plot([], [], "o", color=PALETTE["blue"], ms=5,
                                    mfc="white", label="still falling")
        (self.here,) = ax.plot([], [], "s", ms=12, mfc="none", mew=2.5,
                               color=PALETTE["black"], label="this rate")
        ax.legend(loc="upper left", fontsize=12, framealpha=0.9, ncol=2,
                  handlelength=1.5, columnspacing=1.0)

    def _show_table(self, table):
        self._table = table
        self.theory_line.set_data(self.fine, np.clip(
            noise_floor(self.fine, self.curvature, table.sigma), self.low, self.high))
        shown = np.clip(table.floor, self.low, self.high)
        done = table.settled
        self.measured.set_data(self.lrs[done], shown[done])
        self.unsettled.set_data(self.lrs[~done], shown[~done])

    def _set_finite(self, line, values):
        values = np.clip(values, self.low, self.high)
        ok = np.isfinite(values)
        line.set_data(self.k[ok], values[ok])

    def update(self, point):
        table, i = point.table, point.index
        if table is not self._table:  # a new noise level
            self._show_table(table)
        self._set_finite(self.path_line, table.path[i])
        self._set_finite(self.mean_line, table.mean[i])
        self._set_finite(self.quiet_line, point.quiet)
        if point.diverged_at:
            self.floor_line.set_data([], [])
            self.here.set_data([self.lrs[i]], [self.high / 20])
            self.title.set_text(f"lr = {point.lr:.4g}: diverged")
        else:
            self.floor_line.set_data([0, self.steps],
                                     [max(point.theory, self.low)] * 2)
            self.here.set_data([self.lrs[i]],
                               [max(float(table.floor[i]), self.low)])
            self.title.set_text(f"lr = {point.lr:.4g}, sigma = {table.sigma:.2f}")


def noise_part(floors):
    """The noise's part of each floor, NaN (not drawn) where the run, or the
    noise-free run beside it, was thrown out of the valley: the difference
    then says nothing about noise."""
    out = np.maximum(floors.floor, floors.quiet) > KNOCKED_OUT
    return np.where(out, np.nan, floors.excess)


class MinibatchView:
    """The mini-batch panel's figure (a ``MinibatchPoint``). Left: the
    mini-batch loss per update and its running mean; right: each batch
    size's floor above the start against the rate, this one's drawn bold."""

    top = 1.3
    low, high = 1e-5, 1.0

    def __init__(self, floors, lrs, updates):
        self.lrs = lrs
        self.fig, (ax_run, ax_floor) = live_figure(width=9.0, height=4.2)
        ax_run.set_xlim(0, updates)
        ax_run.set_ylim(0, self.top)
        ax_run.set_autoscale_on(False)
        ax_run.set_xlabel("update k")
        ax_run.set_ylabel("mini-batch loss")
        ax_run.axhline(next(iter(floors.values())).start_loss,
                       color=PALETTE["black"], lw=1.2, ls=":", label="start")
        (self.raw,) = ax_run.plot([], [], color=PALETTE["sky"], lw=0.6, alpha=0.8,
                                  label="each mini-batch")
        (self.smooth,) = ax_run.plot([], [], color=PALETTE["blue"], lw=2.2,
                                     label="running mean")
        (self.floor_line,) = ax_run.plot([], [], color=PALETTE["vermillion"],
                                         lw=2.5, ls="-.", label="floor")
        ax_run.legend(loc="upper right", fontsize=11, framealpha=0.9, ncol=2,
                      handlelength=1.5, columnspacing=1.0)
        self._floor_axes(ax_floor, floors)
        self.fig.tight_layout()
        self.artists = [self.raw, self.smooth, self.floor_line, self.current,
                        self.here, self.label]
        self._floors = None

    def _floor_axes(self, ax, floors):
        lrs, low, high = self.lrs, self.low, self.high
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(lrs[0] / 6, lrs[-1] * 1.3)
        ax.set_ylim(low, high)
        ax.set_autoscale_on(False)
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("the noise's part of the floor")
        for bs, fl in floors.items():
            ex = np.clip(noise_part(fl), low, high)
            ax.plot(lrs, ex, color=PALETTE["grey"], lw=1, alpha=0.8)
            above = np.flatnonzero(fl.excess > 0)
            j = int(above[0]) if above.size else 0
            ax.text(lrs[j] / 1.12, ex[j], f"B = {bs}", ha="right", va="center",
                    fontsize=12, color=PALETTE["black"])
        (self.current,) = ax.plot([], [], "o-", color=PALETTE["blue"], lw=2.2, ms=4,
                                  label="thick: your batch size")
        ax.plot([], [], color=PALETTE["grey"], lw=1, label="grey: the others")
        ax.legend(loc="lower right", fontsize=11, framealpha=0.9, handlelength=1.5)
        (self.here,) = ax.plot([], [], "s", ms=12, mfc="none", mew=2.5,
                               color=PALETTE["black"])
        self.label = ax.text(0.03, 0.95, "", transform=ax.transAxes, va="top",
                             fontsize=12,
                             bbox={"fc": "white", "ec": "none", "alpha": 0.85})

    def update(self, point):
        fl, i = point.floors, point.index
        if fl is not self._floors:  # a new batch size
            self._floors = fl
            self.current.set_data(self.lrs, np.clip(noise_part(fl), self.low,
                                                    self.high))
            self.label.set_text(f"batch size {fl.batch_size}")
        losses = fl.batch_losses[i]
        ok = np.isfinite(losses)
        x = np.arange(losses.size) + 1
        self.raw.set_data(x[ok], np.clip(losses[ok], 0, self.top))
        window = 40
        self.smooth.set_data(x[ok], np.clip(running_mean(losses[ok], window), 0,
                                            self.top))
        if fl.diverged_at[i] or not np.isfinite(fl.floor[i]):
            self.floor_line.set_data([], [])
            self.here.set_data([], [])
        else:
            self.floor_line.set_data([fl.settle, fl.updates],
                                     [min(float(fl.floor[i]), self.top)] * 2)
            self.here.set_data([self.lrs[i]],
                               [float(np.clip(noise_part(fl)[i], self.low,
                                              self.high))])
