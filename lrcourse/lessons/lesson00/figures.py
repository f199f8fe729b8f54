"""Figures of lesson 00: the three regimes at a glance."""

import numpy as np

from ...descent import classify_lr, gradient_descent
from ...plotting import PALETTE, REGIME_STYLE, caption, static_figure
from ...problems import Quadratic


def regimes_figure(curvature=2.0, lrs=(0.3, 0.8, 1.1), steps=12, start=3.0):
    """Key figure: the weight after each update at three rates, one per regime,
    with ``lr x lambda`` in each title."""
    fig, axes = static_figure(width=12.0, height=3.8, ncols=len(lrs), sharey=True)
    bowl_limit = 4.0 * abs(start)
    for ax, lr in zip(axes, lrs):
        tr = gradient_descent(Quadratic(curvature=curvature), lr=lr, steps=steps,
                              start=start)
        regime = classify_lr(lr, curvature)
        k = np.arange(tr.weights.size)
        shown = np.clip(tr.weights, -bowl_limit, bowl_limit)
        ax.axhline(0.0, color=PALETTE["grey"], lw=1.5)
        ax.plot(k, shown, ms=6, lw=1.5, **REGIME_STYLE[regime])
        ax.set_ylim(-bowl_limit, bowl_limit)
        ax.set_xlim(-0.5, steps + 0.5)
        ax.set_title(f"lr x λ = {lr * curvature:.1f}: {regime}")
        ax.set_xlabel("update k")
        note = f"|w| after {steps}: {abs(float(tr.weights[-1])):.2g}"
        if tr.diverged or np.any(np.abs(tr.weights) > bowl_limit):
            note += " (runs away)"
        ax.text(0.5, 0.05, note, transform=ax.transAxes, ha="center", fontsize=12,
                bbox={"fc": "white", "ec": "none", "alpha": 0.85})
    axes[0].set_ylabel("weight w (minimum at 0)")
    caption(fig, f"Bowl of curvature λ = {curvature:g} from w = {start:g}: "
                 "lr x λ below 1 slides in, between 1 and 2 overshoots but "
                 "converges, above 2 runs away.")
    return fig
