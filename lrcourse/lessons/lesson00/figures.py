"""Figures of lesson 00: the three regimes at a glance; the warm-up panel's view."""

import numpy as np

from ...descent import classify_lr, gradient_descent
from ...plotting import (
    PALETTE,
    REGIME_STYLE,
    caption,
    live_figure,
    loss_curve,
    static_figure,
)
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


class WarmupView:
    """The warm-up panel's figure: the bowl, the old weight, the tangent, the
    step ``lr x gradient`` as an arrow and the new weight (a ``OneUpdate``)."""

    def __init__(self, curvature, w_max, lo=-6.5, hi=6.5):
        self.problem = Quadratic(curvature=curvature)
        self.lo, self.hi = lo, hi
        self.fig, ax = live_figure(width=9.0, height=3.6, ncols=1)
        w, f = loss_curve(self.problem, lo, hi)
        self.top = float(self.problem.loss(w_max)) * 1.15
        ax.plot(w, f, color=PALETTE["grey"], lw=2, zorder=1)
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.05 * self.top, self.top)
        ax.set_autoscale_on(False)
        ax.set_xlabel("weight w (no unit)")
        ax.set_ylabel("loss L(w)")
        (self.tangent,) = ax.plot([], [], color=PALETTE["green"], lw=2, ls="--",
                                  label="slope = gradient")
        (self.arrow,) = ax.plot([], [], color=PALETTE["black"], lw=2.5,
                                label="step = lr x gradient")
        (self.head,) = ax.plot([], [], color=PALETTE["black"], marker=">", ms=11,
                               ls="none")
        (self.drop,) = ax.plot([], [], color=PALETTE["black"], lw=1, ls=":")
        (self.old,) = ax.plot([], [], "o", color=PALETTE["blue"], ms=11,
                              label="old w")
        (self.new,) = ax.plot([], [], "s", ms=11, mfc="none", mew=2.5, label="new w",
                              color=PALETTE["orange"])
        ax.legend(loc="upper center", fontsize=12, ncol=2, framealpha=0.9)
        self.title = ax.text(0.02, 0.04, "", transform=ax.transAxes, fontsize=12,
                             bbox={"fc": "white", "ec": "none", "alpha": 0.85})
        self.fig.tight_layout()
        self.artists = [self.tangent, self.arrow, self.head, self.drop, self.old,
                        self.new, self.title]

    def update(self, u):
        w0, w1, f0 = u.start, u.new, u.loss_before
        span = np.array([w0 - 1.2, w0 + 1.2])
        self.tangent.set_data(span, f0 + u.grad * (span - w0))
        w1_shown = float(np.clip(w1, self.lo + 0.1, self.hi - 0.1))
        f1_shown = min(float(self.problem.loss(w1)), self.top)
        self.arrow.set_data([w0, w1_shown], [f0, f0])
        self.head.set_data([w1_shown], [f0])
        self.head.set_marker(">" if w1 >= w0 else "<")
        self.drop.set_data([w1_shown, w1_shown], [f0, f1_shown])
        self.old.set_data([w0], [f0])
        self.new.set_data([w1_shown], [f1_shown])
        self.title.set_text(f"lr = {u.lr:.4g}: one update ({u.regime})")
