"""Figures of lesson 06: what momentum and Adam make of a learning rate."""

import numpy as np

from ...optimizers import SGD, Adam
from ...plotting import PALETTE, caption, live_figure, static_figure
from ...problems import Quadratic
from ...readouts import lr_grid
from .analysis import first_updates, largest_stable_lr, run_rates

BETA_STYLES = (
    {"color": PALETTE["orange"], "linestyle": "--"},
    {"color": PALETTE["green"], "linestyle": "-."},
    {"color": PALETTE["blue"], "linestyle": "-"},
    {"color": PALETTE["purple"], "linestyle": ":"},
)
#: The panels' two curves: with momentum (or Adam), and plain SGD.
MOMENTUM_STYLE = {"color": PALETTE["blue"], "linestyle": "-", "marker": "o"}
PLAIN_STYLE = {"color": PALETTE["orange"], "linestyle": "--", "marker": "s"}
RATE_STYLES = (
    {"color": PALETTE["sky"], "linestyle": "--", "marker": "s"},
    {"color": PALETTE["blue"], "linestyle": "-", "marker": "o"},
    {"color": PALETTE["vermillion"], "linestyle": ":", "marker": "^"},
)


def draw_shrink_factors(ax, curvature=10.0, momenta=(0.0, 0.5, 0.8), steps=400):
    """Measured shrink factor per update against the rate, one curve per
    momentum, with each largest stable rate (bisection) marked."""
    problem = Quadratic(curvature=curvature)
    grid = lr_grid(-3.0, -0.2, 0.005)
    limits = []
    for beta, style in zip(momenta, BETA_STYLES):
        runs = run_rates(problem, SGD(momentum=beta), grid, steps, 1.0)
        limit = largest_stable_lr(problem, SGD(momentum=beta), grid[0], grid[-1])
        limits.append(limit)
        ax.plot(grid, np.clip(runs.convergence_factors(), 0, 1.6), lw=2,
                label=f"β = {beta:g}: stable for lr < {limit:.3f}", **style)
        ax.plot([limit], [1.0], "o", color=style["color"], markersize=7)
    ax.axhline(1.0, color=PALETTE["black"], lw=1, linestyle=":")
    ax.set_xscale("log")
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(0.0, 1.6)
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("shrink factor per update")
    ax.set_title(f"SGD with momentum β on a bowl, λ = {curvature:g}")
    ax.legend(loc="lower left", fontsize=11)
    return limits


def draw_first_updates(ax, lr=1e-3):
    """Size of the first update against the gradient's size, Adam and SGD."""
    grads = np.logspace(-8, 4, 121)
    adam = np.abs(first_updates(Adam(lr=lr), grads))
    sgd = np.abs(first_updates(SGD(lr=lr), grads))
    ax.loglog(grads, sgd, lw=2, label="SGD: lr x gradient", color=PALETTE["orange"],
              linestyle="--")
    ax.loglog(grads, adam, lw=2.5, label="Adam", color=PALETTE["blue"])
    ax.axhline(lr, color=PALETTE["black"], lw=1, linestyle=":")
    ax.text(2e-8, lr * 1.6, f"lr = {lr:g}", fontsize=12)
    ax.set_xlim(grads[0], grads[-1])
    ax.set_ylim(1e-12, 1e2)
    ax.set_xlabel("first gradient (log scale)")
    ax.set_ylabel("size of the first update")
    ax.set_title(f"the first update at lr = {lr:g}")
    ax.legend(loc="upper left", fontsize=11)
    return adam, sgd


def draw_network_rates(ax, history):
    """Training loss per epoch of the reference network, one line per rate
    (a ``SweepHistory`` from ``sweep_fit(..., optimizer="adam")``)."""
    loss = history["loss"]
    epochs = np.arange(1, loss.shape[1] + 1)
    for lr, row, acc, style in zip(history.lrs, loss, history["accuracy"][:, -1],
                                   RATE_STYLES):
        ax.plot(epochs, row, lw=1.8, markersize=4, markevery=3,
                label=f"lr {lr:g}: accuracy {100 * acc:.0f}%", **style)
    ax.set_xlim(0.5, epochs[-1] + 0.5)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.set_title("Adam on the reference network")
    ax.legend(loc="lower left", fontsize=11)


def key_figure(history, curvature=10.0, momenta=(0.0, 0.5, 0.8), lr=1e-3):
    """Key figure: momentum's stable range, Adam's first step, Adam's rate."""
    fig, (ax1, ax2, ax3) = static_figure(width=12.0, height=4.2, ncols=3)
    draw_shrink_factors(ax1, curvature, momenta)
    draw_first_updates(ax2, lr)
    draw_network_rates(ax3, history)
    caption(fig, "Momentum widens the stable range; Adam's first update is about lr "
                 "at any gradient; yet Adam's rate still decides the outcome.")
    return fig


def _fixed(*axes):
    for ax in axes:
        ax.set_autoscale_on(False)


class MomentumView:
    """The momentum panel's figure: the weight and the loss per update with
    and without momentum, and the shrink factor per update of every rate.

    ``update(point)`` takes a ``MomentumPoint``; the momentum curve of the
    right plot is redrawn only when the momentum changed.
    """

    def __init__(self, runs, figure=live_figure):
        self.fig, (ax_w, ax_f, ax_map) = figure(width=11.0, height=3.6, ncols=3)
        grid, shown = runs.lrs, runs.shown
        self.k = np.arange(shown + 1)
        for ax, ylabel in ((ax_w, "weight w (no unit)"), (ax_f, "loss after update k")):
            ax.set_xlim(-1, shown + 1)
            ax.set_xlabel("update k")
            ax.set_ylabel(ylabel)
        ax_w.set_ylim(-2.6, 2.6)
        ax_w.axhline(0.0, color=PALETTE["grey"], lw=1)
        ax_f.set_yscale("log")
        ax_f.set_ylim(1e-12, 1e3)
        ax_map.set_xscale("log")
        ax_map.set_xlim(grid[0], grid[-1])
        ax_map.set_ylim(0.0, 1.6)
        ax_map.set_xlabel("learning rate (log scale)")
        ax_map.set_ylabel("shrink factor per update")
        ax_map.axhline(1.0, color=PALETTE["black"], lw=1, linestyle=":")
        ax_map.text(grid[0] * 1.3, 1.04, "above 1: unstable", fontsize=12)
        ax_map.plot(grid, np.clip(runs.plain.convergence_factors(), 0, 1.6), lw=2,
                    label="plain", color=PLAIN_STYLE["color"], linestyle="--")
        _fixed(ax_w, ax_f, ax_map)
        mk = {"markersize": 4, "lw": 1.2}
        self.w_plain = ax_w.plot([], [], label="plain (β = 0)", **mk, **PLAIN_STYLE)[0]
        self.w_mom = ax_w.plot([], [], label="with momentum", **mk,
                               **MOMENTUM_STYLE)[0]
        self.f_plain = ax_f.plot([], [], **mk, **PLAIN_STYLE)[0]
        self.f_mom = ax_f.plot([], [], **mk, **MOMENTUM_STYLE)[0]
        self.rises = ax_f.plot([], [], "^", markersize=7, mfc="none", mew=1.5,
                               color=PALETTE["vermillion"])[0]
        self.map_mom = ax_map.plot([], [], lw=2, label="with momentum",
                                   color=MOMENTUM_STYLE["color"])[0]
        self.marker = ax_map.plot([], [], color=PALETTE["black"], lw=1.5)[0]
        ax_w.legend(loc="upper right", fontsize=12)
        ax_map.legend(loc="lower left", fontsize=12, framealpha=0.95)
        self.title = ax_w.set_title("")
        ax_f.set_title("loss per update (△: it rose)")
        ax_map.set_title("stable where below 1")
        self.fig.tight_layout()
        self.artists = [self.w_plain, self.w_mom, self.f_plain, self.f_mom,
                        self.rises, self.map_mom, self.marker, self.title]
        self.grid, self.mom = grid, None

    def update(self, point):
        i, n, mom = point.i, len(self.k), point.mom
        if mom is not self.mom:
            self.map_mom.set_data(self.grid,
                                  np.clip(mom.convergence_factors(), 0, 1.6))
            self.mom = mom
        self.marker.set_data([self.grid[i]] * 2, [0.0, 1.6])
        for line, runs in ((self.w_plain, point.plain), (self.w_mom, mom)):
            line.set_data(self.k, np.clip(runs.weights[i, :n], -2.6, 2.6))
        for line, runs in ((self.f_plain, point.plain), (self.f_mom, mom)):
            line.set_data(self.k, np.clip(runs.losses[i, :n], 1e-12, 1e3))
        loss = mom.losses[i, :n]
        with np.errstate(invalid="ignore"):
            up = np.flatnonzero(loss[1:] > loss[:-1]) + 1
        self.rises.set_data(up, np.clip(loss[up], 1e-12, 1e3))
        self.title.set_text(f"lr = {point.lr:.4g}, β = {point.momentum:.2f}")


class AdamView:
    """The Adam panel's figure: the weight and the size of each update of
    Adam and SGD at one rate; ``update(point)`` takes an ``AdamPoint``."""

    def __init__(self, steps, figure=live_figure):
        self.fig, (ax_w, ax_s) = figure(width=11.0, height=3.8, ncols=2)
        self.steps = steps
        ax_w.set_xlim(-1, steps + 1)
        ax_w.set_ylim(-3.2, 3.2)
        ax_w.axhline(0.0, color=PALETTE["grey"], lw=1)
        ax_w.set_xlabel("update k")
        ax_w.set_ylabel("weight w (no unit)")
        ax_s.set_yscale("log")
        ax_s.set_xlim(0, steps + 1)
        ax_s.set_ylim(1e-8, 1e3)
        ax_s.set_xlabel("update k")
        ax_s.set_ylabel("size of the update |change|")
        _fixed(ax_w, ax_s)
        mk = {"markersize": 3, "lw": 1.2}
        self.w_sgd = ax_w.plot([], [], label="SGD", **mk, **PLAIN_STYLE)[0]
        self.w_adam = ax_w.plot([], [], label="Adam", **mk, **MOMENTUM_STYLE)[0]
        self.s_sgd = ax_s.plot([], [], **mk, **PLAIN_STYLE)[0]
        self.s_adam = ax_s.plot([], [], **mk, **MOMENTUM_STYLE)[0]
        self.rate = ax_s.plot([], [], color=PALETTE["black"], lw=1.5, linestyle=":",
                              label="the rate lr")[0]
        ax_w.legend(loc="upper right", fontsize=12)
        ax_s.legend(loc="upper right", fontsize=12)
        self.title = ax_w.set_title("")
        ax_s.set_title("update sizes")
        self.fig.tight_layout()
        self.artists = [self.w_sgd, self.w_adam, self.s_sgd, self.s_adam, self.rate,
                        self.title]

    def update(self, point):
        i, k = point.i, np.arange(self.steps + 1)
        self.w_adam.set_data(k, np.clip(point.adam.weights[i], -3.2, 3.2))
        self.w_sgd.set_data(k, np.clip(point.sgd.weights[i], -3.2, 3.2))
        self.s_adam.set_data(k[1:], np.clip(point.adam.step_sizes()[i], 1e-8, 1e3))
        self.s_sgd.set_data(k[1:], np.clip(point.sgd.step_sizes()[i], 1e-8, 1e3))
        self.rate.set_data([0, self.steps + 1], [point.lr, point.lr])
        self.title.set_text(f"lr = {point.lr:.4g}, λ = {point.lam:.4g}")
