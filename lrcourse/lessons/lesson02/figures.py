"""Figures of lesson 02: the three regimes, the rate strip, two valleys."""

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ...descent import classify_lr, gradient_descent, stability_limits
from ...plotting import PALETTE, REGIME_STYLE, caption, course_style, static_figure
from ...regimes import fell_every_update, first_rise, sign_changes

#: How the strip under the slider fills each regime: colour and hatch differ.
STRIP_STYLE = {
    "monotone": {"color": PALETTE["sky"], "hatch": ""},
    "oscillating": {"color": PALETTE["orange"], "hatch": "//"},
    "divergent": {"color": PALETTE["vermillion"], "hatch": "xx"},
}


class RateStrip:
    """A log-scale rate axis with the three regimes and the current rate.

    Everything it draws can move (``set_curvature``, ``set_rate``), so a
    panel can animate all of ``artists``.
    """

    def __init__(self, ax, lo, hi):
        self.ax, self.lo, self.hi = ax, lo, hi
        ax.set_xscale("log")
        ax.set_xlim(lo, hi)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.grid(False)
        ax.set_autoscale_on(False)
        ax.set_xlabel("learning rate (log scale): the slider's range")
        self.boxes, self.names = {}, {}
        for regime, style in STRIP_STYLE.items():
            box = Rectangle((lo, 0.0), 0.0, 1.0, facecolor=style["color"],
                            alpha=0.45, hatch=style["hatch"], edgecolor="#555555",
                            lw=0)
            ax.add_patch(box)
            self.boxes[regime] = box
            self.names[regime] = ax.text(lo, 0.5, regime, ha="center", va="center",
                                         fontsize=12)
        self.lines = [ax.axvline(lo, color=PALETTE["black"], lw=1.5, ls="--")
                      for _ in range(2)]
        self.labels = [ax.text(lo, 1.04, label, ha="center", va="bottom",
                               fontsize=12, transform=ax.get_xaxis_transform())
                       for label in ("1/λ", "2/λ")]
        (self.marker,) = ax.plot([lo], [0.8], marker="v", markersize=13,
                                 color=PALETTE["black"], mec="white", ls="none")
        self.now = ax.axvline(lo, color=PALETTE["black"], lw=3)

    @property
    def artists(self):
        return [*self.boxes.values(), *self.names.values(), *self.lines,
                *self.labels, self.now, self.marker]

    @property
    def moving(self):
        """The artists that follow the rate (the rest follow the curvature)."""
        return [self.now, self.marker]

    def set_curvature(self, curvature):
        once, twice = stability_limits(curvature)
        edges = {"monotone": (self.lo, once), "oscillating": (once, twice),
                 "divergent": (twice, self.hi)}
        for regime, (a, b) in edges.items():
            a, b = max(a, self.lo), min(b, self.hi)
            box, name = self.boxes[regime], self.names[regime]
            if b <= a:
                box.set_visible(False)
                name.set_visible(False)
                continue
            box.set_visible(True)
            box.set_bounds(a, 0.0, b - a, 1.0)
            # the full name where the band is wide enough (log width), else
            # its first three letters, else nothing
            decades = np.log10(b / a)
            name.set_text(regime if decades > 0.6 else regime[:3] + ".")
            name.set_visible(bool(decades > 0.2))
            name.set_position((np.sqrt(a * b), 0.45))
        for line, label, x in zip(self.lines, self.labels, (once, twice)):
            inside = self.lo <= x <= self.hi
            line.set_visible(inside)
            label.set_visible(inside)
            line.set_xdata([x, x])
            label.set_x(x)

    def set_rate(self, lr):
        self.now.set_xdata([lr, lr])
        self.marker.set_data([lr], [0.8])


def regimes_figure(curvature, lrs, start, steps):
    """Key figure: weight (top) and loss (bottom) per update at three rates."""
    with course_style():
        return _regimes_figure(curvature, lrs, start, steps)


def _regimes_figure(curvature, lrs, start, steps):
    fig, _ = static_figure(width=12.0, height=6.6, ncols=1)
    fig.clear()
    grid = fig.subplots(2, len(lrs), sharex=True)
    once, twice = stability_limits(curvature)
    for col, lr in enumerate(lrs):
        ax_w, ax_f = grid[0, col], grid[1, col]
        tr = gradient_descent(_bowl(curvature), lr=lr, steps=steps, start=start)
        regime = classify_lr(lr, curvature)
        style = REGIME_STYLE[regime]
        k = np.arange(len(tr.weights))
        w = np.clip(tr.weights, -4 * abs(start), 4 * abs(start))
        ax_w.axhline(0.0, color=PALETTE["grey"], lw=1)
        ax_w.plot(k, w, markersize=5, lw=1.3, **style)
        ax_w.set_ylim(-3.2 * abs(start), 3.2 * abs(start))
        flips = sign_changes(tr.weights)
        ax_w.set_title(f"lr = {lr:g} (lr x λ = {lr * curvature:.2g}): {regime}\n"
                       f"w crossed the minimum {flips} time"
                       f"{'' if flips == 1 else 's'}")
        ax_f.plot(k, np.clip(tr.losses, 1e-12, 1e8), markersize=5, lw=1.3, **style)
        ax_f.set_yscale("log")
        ax_f.set_ylim(1e-10, 1e8)
        ax_f.set_xlabel("update k")
        ax_f.xaxis.set_major_locator(MaxNLocator(integer=True))  # no "12.5"
        rise = first_rise(tr.losses)
        story = (f"loss rose at update {rise}" if rise is not None else
                 "loss fell at every update" if fell_every_update(tr.losses)
                 else "loss never rose")
        ax_f.text(0.97, 0.95, story, ha="right", va="top",
                  transform=ax_f.transAxes, fontsize=12)
    grid[0, 0].set_ylabel("weight w (no unit)")
    grid[1, 0].set_ylabel("loss (log scale)")
    caption(fig, f"λ = {curvature:g}, w0 = {start:g}: 1/λ = {once:g} and 2/λ = "
                 f"{twice:g} split monotone, oscillating (the loss still falls) "
                 "and divergent runs.")
    return fig


def _bowl(curvature):
    from ...problems import Quadratic

    return Quadratic(curvature=curvature, minimum=0.0)


def divergence_figure(weights, losses):
    """The raw numbers of a run with no safety net: log10 of |w| and of the
    loss per update, until they overflow to inf (and then NaN)."""
    fig, ax = static_figure(width=10.0, height=3.8, ncols=1)
    k = np.arange(len(weights))
    top = np.log10(np.finfo(float).max)
    with np.errstate(all="ignore"):
        series = (np.log10(np.abs(weights)), np.log10(np.asarray(losses)))
    for values, label, style in zip(series, ("|w|", "loss"),
                                    (REGIME_STYLE["divergent"],
                                     REGIME_STYLE["oscillating"])):
        finite = np.isfinite(values)
        ax.plot(k[finite], values[finite], lw=2, label=label,
                color=style["color"], linestyle=style["linestyle"])
        gone = int(np.argmin(finite)) if not finite.all() else None
        if gone is not None:
            ax.plot([gone], [top], ls="none", ms=10, label=f"{label} = inf from "
                    f"update {gone}", marker=style["marker"], color=style["color"])
    ax.axhline(top, color=PALETTE["black"], lw=1)
    ax.set_ylim(-5, 340)
    ax.set_xlabel("update k")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("log10 of the value")
    ax.text(0.01, 0.97, "black line: the largest float, about 1.8e308",
            transform=ax.transAxes, va="top", fontsize=12)
    ax.legend(loc="lower right")
    return fig
