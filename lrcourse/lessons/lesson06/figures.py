"""Figures of lesson 06: what momentum and Adam make of a learning rate."""

import numpy as np

from ...optimizers import SGD, Adam
from ...plotting import PALETTE, caption, static_figure
from ...problems import Quadratic
from ...readouts import lr_grid
from .analysis import first_updates, largest_stable_lr, run_rates

BETA_STYLES = (
    {"color": PALETTE["orange"], "linestyle": "--"},
    {"color": PALETTE["green"], "linestyle": "-."},
    {"color": PALETTE["blue"], "linestyle": "-"},
    {"color": PALETTE["purple"], "linestyle": ":"},
)
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
