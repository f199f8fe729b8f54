"""Figures of lesson 04: the loss floor on a noisy bowl and on mini-batches."""

import numpy as np

from ...plotting import PALETTE, caption, static_figure
from ...problems import Quadratic
from ...readouts import lr_grid
from .analysis import (
    minibatch_floors,
    noise_floor,
    noisy_sweep,
    settle_updates,
    settled_reference,
)


def floor_figure(noise=1.0, curvature=1.0, start=2.0, steps=1000, runs=16,
                 batch_sizes=(10, 50), seed=0):
    """Key figure: the loss hovering at a floor, and the floor growing with the
    rate on a noisy bowl and on real mini-batches (three panels)."""
    fig, (ax_run, ax_bowl, ax_net) = static_figure(width=12.0, height=4.0, ncols=3)
    bowl = Quadratic(curvature=curvature)
    pair = noisy_sweep(bowl, [0.3, 0.03], steps, start, noise=noise, rng=seed,
                       runs=runs)
    k = np.arange(steps + 1)
    for i, (lr, colour) in enumerate(((0.3, PALETTE["orange"]),
                                      (0.03, PALETTE["blue"]))):
        ax_run.plot(k, np.clip(pair.losses[i, 0], 1e-6, None), lw=0.5, alpha=0.45,
                    color=colour)
        ax_run.plot(k, pair.losses[i].mean(axis=0), lw=2.2, color=colour,
                    label=f"lr = {lr:g} (mean of {runs} runs)")
        floor = noise_floor(lr, curvature, noise)
        ax_run.axhline(floor, lw=1.5, ls="--", color=PALETTE["black"])
        ax_run.text(steps * 0.98, floor * 1.3, f"floor {floor:.3f}", ha="right",
                    va="bottom", fontsize=12,
                    bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1})
    ax_run.set_yscale("log")
    ax_run.set_ylim(1e-5, 1e2)
    ax_run.set_xlim(0, steps)
    ax_run.set_xlabel("update k")
    ax_run.set_ylabel("loss after update k")
    ax_run.set_title("noisy bowl: the loss per update")
    ax_run.legend(loc="upper right", fontsize=12)

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
    ax_bowl.legend(loc="upper left", fontsize=12)

    model, X, y = settled_reference(seed=seed)
    net_grid = lr_grid(-2.5, -0.5, 0.125)
    markers = ("o", "s", "^", "D")
    for bs, marker, colour in zip(batch_sizes, markers,
                                  (PALETTE["blue"], PALETTE["orange"],
                                   PALETTE["green"], PALETTE["purple"])):
        fl = minibatch_floors(model, X, y, net_grid, bs, seed=seed + 1)
        ax_net.plot(net_grid, np.clip(fl.excess, 1e-6, None), marker=marker, ms=5,
                    color=colour, label=f"batch size {bs}")
    ax_net.set_xscale("log")
    ax_net.set_yscale("log")
    ax_net.set_xlabel("learning rate (log scale)")
    ax_net.set_ylabel("floor - start loss")
    ax_net.set_title("drug-trial network, plain SGD")
    ax_net.legend(loc="upper left", fontsize=12)
    caption(fig, "The loss stops falling and hovers at a floor that grows with the "
                 "rate: on a noisy bowl and on real mini-batches (larger batches, "
                 "lower floor).")
    return fig
