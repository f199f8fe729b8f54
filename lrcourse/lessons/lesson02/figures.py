"""Figures of lesson 02: the three regimes, the rate strip, two valleys, and
the views of the lesson's two panels."""

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ...descent import classify_lr, gradient_descent, stability_limits
from ...plotting import (
    PALETTE,
    REGIME_STYLE,
    caption,
    clip_path,
    course_style,
    live_figure,
    static_figure,
)
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
    fig, _ = static_figure(width=8.8, height=6.6, ncols=1)
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
        ax_w.set_title(f"lr = {lr:g}: {regime}\n(lr x λ = {lr * curvature:.2g})\n"
                       f"w crossed the minimum\n{flips} time"
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
                 f"{twice:g} split monotone,\noscillating (the loss still falls) "
                 "and divergent runs.")
    return fig


def _bowl(curvature):
    from ...problems import Quadratic

    return Quadratic(curvature=curvature, minimum=0.0)


def divergence_figure(weights, losses):
    """The raw numbers of a run with no safety net: log10 of |w| and of the
    loss per update, until they overflow to inf (and then NaN)."""
    fig, ax = static_figure(width=8.8, height=3.8, ncols=1)
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


class RegimesView:
    """The regimes panel's figure: the rate strip above the path on the
    curve, the weight and the loss per update (a ``RegimeRun``). Losses are
    relative to the starting loss, so the axes fit every curvature."""

    def __init__(self, lr_lo, lr_hi, steps, start, lo=-4.5, hi=4.5):
        self.lo, self.hi = lo, hi
        self.fig, ax0 = live_figure(width=8.8, height=5.0, ncols=1)
        ax0.remove()
        gs = self.fig.add_gridspec(2, 3, height_ratios=[1, 4.2], hspace=0.75,
                                   wspace=0.45, left=0.075, right=0.985, top=0.9,
                                   bottom=0.12)
        self.strip = RateStrip(self.fig.add_subplot(gs[0, :]), lr_lo, lr_hi)
        ax_path, ax_w, ax_f = (self.fig.add_subplot(gs[1, i]) for i in range(3))
        self.ax_path = ax_path
        w = np.linspace(lo, hi, 300)
        ax_path.plot(w, (w / start) ** 2, color=PALETTE["grey"], lw=2)
        ax_path.set(xlim=(lo, hi), ylim=(-0.06, 2.45), xlabel="weight w (no unit)",
                    ylabel="loss / starting loss")
        (self.path,) = ax_path.plot([], [], markersize=5, lw=1.2, zorder=3)
        self.note = ax_path.text(0.5, 0.97, "", transform=ax_path.transAxes,
                                 ha="center", va="top", fontsize=12)
        ax_w.axhline(0.0, color=PALETTE["grey"], lw=1)
        ax_w.set(xlim=(-0.5, steps + 0.5), ylim=(lo, hi), xlabel="update k",
                 ylabel="weight w (no unit)")
        (self.w_line,) = ax_w.plot([], [], markersize=4, lw=1.2)
        ax_f.set_yscale("log")
        ax_f.set(xlim=(-0.5, steps + 0.5), ylim=(1e-12, 1e7), xlabel="update k",
                 ylabel="loss / starting loss")
        (self.f_line,) = ax_f.plot([], [], markersize=4, lw=1.2)
        self.story = ax_f.text(0.5, 0.97, "", transform=ax_f.transAxes,
                               ha="center", va="top", fontsize=12)
        for ax in (ax_path, ax_w, ax_f):
            ax.set_autoscale_on(False)
        # only what moves with the rate is animated; the strip follows the
        # curvature and is then drawn in full
        self.artists = [*self.strip.moving, self.path, self.note, self.w_line,
                        self.f_line, self.story]
        self._curvature = None

    def update(self, run):
        new_curvature = run.curvature != self._curvature
        if new_curvature:
            self.strip.set_curvature(run.curvature)
            self._curvature = run.curvature
        self.strip.set_rate(run.lr)
        tr = run.trace
        rel = tr.losses / tr.losses[0]
        k = np.arange(len(rel))
        self.path.set_data(*clip_path(tr.weights, rel, self.lo, self.hi,
                                      self.ax_path))
        self.w_line.set_data(k, np.clip(tr.weights, self.lo - 0.2, self.hi + 0.2))
        self.f_line.set_data(k, np.clip(rel, 1e-12, 1e7))
        style = REGIME_STYLE[run.regime]
        for line in (self.path, self.w_line, self.f_line):
            line.set(color=style["color"], linestyle=style["linestyle"],
                     marker=style["marker"])
        self.note.set_text(f"lr x λ = {run.lr * run.curvature:.3g}: {run.regime}")
        self.story.set_text(run.story)
        return new_curvature


#: How the valleys panel draws a run, by where it ended.
VALLEY_STYLE = {"diverged": REGIME_STYLE["divergent"],
                "right": REGIME_STYLE["monotone"], "left": REGIME_STYLE["oscillating"]}


class ValleysView:
    """The valleys panel's figure: the path on the two-valley loss and the
    weight per update, with the valley bottoms and the hump (a ``ValleyRun``)."""

    def __init__(self, problem, hump, steps, lo=-2.0, hi=2.0):
        self.lo, self.hi = lo, hi
        left, right = problem.minima()
        self.fig, (ax_path, ax_w) = live_figure(width=8.8, height=3.9)
        self.ax_path = ax_path
        w = np.linspace(lo, hi, 400)
        ax_path.plot(w, problem.loss(w), color=PALETTE["grey"], lw=2)
        ax_path.set(xlim=(lo, hi), ylim=(-0.6, 5.0), xlabel="weight w (no unit)",
                    ylabel="loss f(w)")
        (self.path,) = ax_path.plot([], [], markersize=5, lw=1.2, zorder=3)
        self.note = ax_path.text(0.5, 0.97, "", transform=ax_path.transAxes,
                                 ha="center", va="top", fontsize=12)
        for y, name in ((left, "left valley"), (hump, "hump"),
                        (right, "right valley")):
            ax_w.axhline(y, color=PALETTE["grey"], lw=1,
                         ls="--" if name == "hump" else "-")
            ax_w.text(steps + 0.3, y, name, va="bottom", ha="right", fontsize=12,
                      color="#555555")
        ax_w.set(xlim=(-0.5, steps + 0.5), ylim=(-2.3, 2.3), xlabel="update k",
                 ylabel="weight w (no unit)")
        (self.w_line,) = ax_w.plot([], [], markersize=4, lw=1.2)
        for ax in (ax_path, ax_w):
            ax.set_autoscale_on(False)
        self.fig.tight_layout()
        self.artists = [self.path, self.note, self.w_line]

    def update(self, run):
        tr = run.trace
        k = np.arange(len(tr.weights))
        self.path.set_data(*clip_path(tr.weights, tr.losses, self.lo, self.hi,
                                      self.ax_path))
        self.w_line.set_data(k, np.clip(tr.weights, -2.25, 2.25))
        style = VALLEY_STYLE[run.ended]
        for line in (self.path, self.w_line):
            line.set(color=style["color"], linestyle=style["linestyle"],
                     marker=style["marker"])
        self.note.set_text(f"lr = {run.lr:.3g}")
