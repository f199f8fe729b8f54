"""Figures of lesson 00: where rates sit on a log slider; the warm-up panel's view."""

import numpy as np

from ...plotting import (
    PALETTE,
    caption,
    live_figure,
    loss_curve,
    static_figure,
)
from ...problems import Quadratic
from .analysis import rate_at, track_position


def log_track_figure(min_exp=-3.0, max_exp=0.3, marks=(0.001, 0.01, 0.1, 1.0)):
    """Key figure: where rates sit on a slider's track, spaced evenly (a
    linear slider) and spaced by powers of ten (the course's log sliders)."""
    fig, ax = static_figure(width=8.6, height=3.6, ncols=1)
    lo, hi = 10.0 ** min_exp, 10.0 ** max_exp
    rows = {"a linear track": lambda r: (r - lo) / (hi - lo),
            "the course's log track": lambda r: track_position(r, min_exp, max_exp)}
    for y, (name, where) in zip((1.0, 0.0), rows.items()):
        ax.plot([0, 1], [y, y], color=PALETTE["grey"], lw=6, solid_capstyle="round")
        ax.text(0.0, y + 0.22, name, ha="left", va="bottom", fontsize=13)
        for rate, style in zip(marks, _MARK_STYLES):
            ax.plot(where(rate), y, ls="none", ms=12, label=f"lr = {rate:g}"
                    if y else None, **style)
            if not y:
                ax.annotate(f"{rate:g}", (where(rate), y), xytext=(0, -24),
                            textcoords="offset points", ha="center", fontsize=12)
    middle = rate_at(0.5, min_exp, max_exp)
    ax.axvline(0.5, color=PALETTE["black"], lw=1, ls="--")
    ax.text(0.5, 0.5, f"middle: {(lo + hi) / 2:.3g} on the linear track,\n"
            f"{middle:.3g} on the log track", ha="center", va="center",
            fontsize=12, bbox={"fc": "white", "ec": "none", "alpha": 0.9})
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.7, 1.6)
    ax.axis("off")
    ax.legend(loc="upper right", ncols=4, frameon=False, fontsize=12,
              bbox_to_anchor=(1.0, 1.12), handletextpad=0.2, columnspacing=0.8)
    caption(fig, f"A track from {lo:g} to {hi:.3g}. Evenly spaced, 0.001 to 0.1 "
                 "crowd into the left end;\non a log track each power of ten "
                 "gets the same length.")
    return fig


#: One marker per marked rate, told apart by shape as well as colour.
_MARK_STYLES = [{"marker": m, "color": PALETTE[c]} for m, c in (
    ("o", "blue"), ("s", "orange"), ("D", "green"), ("^", "vermillion"))]


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
