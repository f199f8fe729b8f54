"""Figures of lesson 01: the path of gradient descent on a bowl."""

import numpy as np

from ...descent import classify_lr, gradient_descent
from ...plotting import (
    PALETTE,
    REGIME_STYLE,
    caption,
    clip_path,
    loss_curve,
    static_figure,
)


def three_rates_figure(problem, lrs, steps, start, lo=-4.5, hi=4.5):
    """Key figure: the same bowl and start at three rates, side by side."""
    fig, axes = static_figure(width=12.0, height=3.8, ncols=len(lrs), sharey=True)
    w, f = loss_curve(problem, lo, hi)
    top = float(f.max())
    for ax, lr in zip(axes, lrs):
        tr = gradient_descent(problem, lr=lr, steps=steps, start=start)
        regime = classify_lr(lr, problem.curvature)
        ax.plot(w, f, color=PALETTE["grey"], lw=2)
        ax.set_ylim(-0.03 * top, top * 1.05)
        ax.set_autoscaley_on(False)
        xs, ys = clip_path(tr.weights, tr.losses, lo, hi, ax)
        ax.plot(xs, ys, markersize=5, lw=1.2, **REGIME_STYLE[regime])
        ax.set_xlim(lo, hi)
        ax.set_title(f"lr = {lr:g}: {regime}")
        ax.set_xlabel("weight w (no unit)")
        end = (f"diverged at update {tr.diverged_at}" if tr.diverged
               else f"loss after {tr.steps} updates: {tr.final_loss:.2g}")
        ax.text(0.5, 0.95, end, transform=ax.transAxes, ha="center", va="top",
                fontsize=12)
    axes[0].set_ylabel("loss f(w)")
    caption(fig, f"Gradient descent on f(w) = w² from w = {start:g}, "
                 f"{steps} updates: too small crawls, too large overshoots.")
    return fig


def step_sizes(trace):
    """Absolute size of each applied change (for the shrinking-steps plot)."""
    return np.abs(np.asarray(trace.updates, dtype=float))
