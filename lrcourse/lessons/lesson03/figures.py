"""Figures of lesson 03: the U of updates against the rate, the fixed
budget, and gradient descent on an ill-conditioned 2-D bowl; the views of
the lesson's two panels."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ...descent import gradient_descent, stability_limits
from ...plotting import PALETTE, REGIME_STYLE, caption, course_style, live_figure
from ...problems import Quadratic
from ...readouts import lr_grid
from ...regimes import best_fixed_rate, budget_losses, steps_curve
from .analysis import with_rate

#: Where "never" (diverged, or not within the sweep's length) is drawn on a
#: U plot, as a multiple of the sweep's length.
NEVER = 2.0
#: The floor and ceiling of a loss-after-N-updates plot.
LOSS_FLOOR, LOSS_TOP = 1e-24, 1e3


def u_values(steps, max_steps):
    """Steps for a log plot: ``inf`` pinned at ``NEVER * max_steps``."""
    return np.where(np.isfinite(steps), np.maximum(steps, 1), NEVER * max_steps)


def setup_u_axes(ax, lo, hi, max_steps, narrow=False):
    """A log-log axes for updates needed against the rate, with a band at
    the top for the rates that need more than ``max_steps`` updates or never
    arrive (the sweep cannot tell those apart). On a ``narrow`` axes the
    band's label takes two lines, clear of the lines drawn near ``hi``."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    top, sep = (5.5, "\n") if narrow else (2.2, " ")
    ax.set_ylim(0.7, NEVER * max_steps * top)
    ax.axhline(max_steps, color=PALETTE["grey"], lw=1, ls=":")
    ax.text(lo * 1.15, NEVER * max_steps * np.sqrt(top) * 1.05,
            f"> {max_steps} updates{sep}or never", va="center", fontsize=12,
            color="#555555")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("updates to reach tol (log)")
    ax.set_autoscale_on(False)


def draw_u(ax, lrs, steps, max_steps, **style):
    """The U: updates needed against the rate. Returns the line."""
    kw = {"color": PALETTE["blue"], "lw": 2}
    kw.update(style)
    (line,) = ax.plot(lrs, u_values(steps, max_steps), **kw)
    return line


def mark_limits(ax, curvature, labels=True):
    """Dashed lines at 1/lambda and 2/lambda, labelled on top."""
    artists = []
    for x, name, ha in zip(stability_limits(curvature), ("1/λ ", " 2/λ"),
                           ("right", "left")):
        artists.append(ax.axvline(x, color=PALETTE["black"], lw=1.2, ls="--"))
        if labels:
            artists.append(ax.text(x, 1.01, name, ha=ha, va="bottom",
                                   fontsize=12, transform=ax.get_xaxis_transform()))
    return artists


def setup_budget_axes(ax, lo, hi):
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(LOSS_FLOOR / 10, LOSS_TOP * 100)
    ax.axhline(LOSS_TOP, color=PALETTE["grey"], lw=1, ls=":")
    ax.text(lo * 1.15, LOSS_TOP * 8, "diverged", va="center", fontsize=12,
            color="#555555")
    ax.axhline(LOSS_FLOOR, color=PALETTE["grey"], lw=1, ls=":")
    ax.text(lo * 1.15, LOSS_FLOOR * 30, f"losses < {LOSS_FLOOR:.0e} drawn here",
            va="bottom", fontsize=12, color="#555555")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel(f"loss after N updates (log, floor {LOSS_FLOOR:.0e})")
    ax.set_autoscale_on(False)


def budget_values(losses):
    """Losses for a log plot: diverged at the ``LOSS_TOP`` line; anything
    below ``LOSS_FLOOR`` (0 included) at the floor, which the axes label."""
    return np.clip(np.where(np.isfinite(losses), losses, LOSS_TOP), LOSS_FLOOR,
                   LOSS_TOP)


def draw_contours(ax, bowl, xlim, ylim, levels=10):
    """Fixed contour lines of a 2-D bowl (geometric levels) and its minimum.
    Returns ``[contour_set, minimum_marker]`` (remove both to redraw)."""
    x = np.linspace(*xlim, 161)
    y = np.linspace(*ylim, 121)
    xx, yy = np.meshgrid(x, y)
    f = bowl.loss(np.stack([xx, yy], axis=-1))
    top = float(np.max(f))
    lv = top * np.geomspace(1e-4, 0.6, levels)
    cs = ax.contour(xx, yy, f, levels=lv, colors=PALETTE["grey"], linewidths=1)
    (star,) = ax.plot(*bowl.minimum, marker="*", color=PALETTE["black"], ms=14,
                      mec="white", ls="none", zorder=5)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("weight w1 (no unit)")
    ax.set_ylabel("weight w2 (no unit)")
    return [cs, star]


def clip_2d(weights, xlim, ylim):
    """A 2-D path clipped just outside the axes so a diverging one stays drawn."""
    w = np.asarray(weights, dtype=float)
    pad_x, pad_y = 0.02 * (xlim[1] - xlim[0]), 0.02 * (ylim[1] - ylim[0])
    return (np.clip(w[:, 0], xlim[0] - pad_x, xlim[1] + pad_x),
            np.clip(w[:, 1], ylim[0] - pad_y, ylim[1] + pad_y))


def tradeoff_figure(curvature, start, tol, budget, bowl, bowl_start, bowl_lrs,
                    bowl_steps):
    """Key figure: the U, the fixed budget, and three rates on a 2-D bowl."""
    with course_style():
        return _tradeoff_figure(curvature, start, tol, budget, bowl, bowl_start,
                                bowl_lrs, bowl_steps)


def _tradeoff_figure(curvature, start, tol, budget, bowl, bowl_start, bowl_lrs,
                     bowl_steps):
    fig = Figure(figsize=(8.8, 8.0), layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.15, 1], hspace=0.04)
    ax_u, ax_b = top.subplots(1, 2)
    small = bottom.subplots(1, 3)
    problem = Quadratic(curvature=curvature)
    lrs, _ = with_rate(lr_grid(-3, np.log10(4 / curvature), 0.01), 1 / curvature)
    max_steps = 5000
    steps, _ = steps_curve(problem, lrs, start, tol, max_steps)
    setup_u_axes(ax_u, lrs[0], lrs[-1], max_steps)
    draw_u(ax_u, lrs, steps, max_steps)
    mark_limits(ax_u, curvature)
    ax_u.set_title(f"updates to |w| < {tol:g}", pad=22)
    setup_budget_axes(ax_b, lrs[0], lrs[-1])
    ax_b.plot(lrs, budget_values(budget_losses(problem, lrs, budget, start)),
              color=PALETTE["orange"], lw=2)
    mark_limits(ax_b, curvature)
    ax_b.set_title(f"loss after a budget of {budget} updates", pad=22)
    # one small axes per rate: drawn together, the two near the limit tangle
    xlim = (-2.6, 2.6)
    ylim = (-1.7, 1.7)
    names = ("too small", "best fixed", "near the limit")
    styles = (REGIME_STYLE["monotone"], REGIME_STYLE["oscillating"],
              REGIME_STYLE["divergent"])
    lam = bowl.curvatures
    for j, (lr, name, style) in enumerate(zip(bowl_lrs, names, styles)):
        ax_c = small[j]
        draw_contours(ax_c, bowl, xlim, ylim)
        tr = gradient_descent(bowl, lr=lr, steps=bowl_steps, start=bowl_start)
        ax_c.plot(*clip_2d(tr.weights, xlim, ylim), lw=1.3, ms=4, **style)
        ax_c.set_title(f"lr {lr:.3f} ({name})")  # as the caption's best rate
        if j:
            ax_c.set_ylabel("")
    bottom.suptitle(f"the 2-D bowl: curvatures {lam.min():g} and {lam.max():g}, "
                    f"{bowl_steps} updates from the same start", fontsize=13)
    best = best_fixed_rate(lam)
    caption(fig, f"λ = {curvature:g}: fastest near 1/λ, never past 2/λ.\nOn the 2-D "
                 f"bowl the best rate 2/(λmax + λmin) = {best:.3f} zig-zags in the "
                 "steep direction.")
    return fig


class TradeoffView:
    """The trade-off panel's figure: the U of updates needed and the loss
    after the budget against the rate, the slider's rate marked on both
    (a ``TradeoffPoint``; the U comes from the ``Tradeoff`` sweep)."""

    def __init__(self, tradeoff):
        t = tradeoff
        self.max_steps = t.max_steps
        self.lrs = t.lrs
        self.fig, (ax_u, ax_b) = live_figure(width=8.8, height=4.0)
        lo, hi = t.lrs[0], t.lrs[-1]
        setup_u_axes(ax_u, lo, hi, t.max_steps)
        draw_u(ax_u, t.lrs, t.steps, t.max_steps)
        mark_limits(ax_u, t.curvature)
        setup_budget_axes(ax_b, lo, hi)
        mark_limits(ax_b, t.curvature)
        (self.budget_line,) = ax_b.plot([], [], color=PALETTE["orange"], lw=2)
        self.marks = []
        for ax in (ax_u, ax_b):
            self.marks.append(ax.axvline(lo, color=PALETTE["vermillion"], lw=2.5))
            self.marks.append(ax.plot([], [], "o", ms=11, mfc="none", mew=2.5,
                                      color=PALETTE["black"])[0])
        self.note = ax_b.text(0.03, 0.55, "", transform=ax_b.transAxes, fontsize=12)
        self.fig.tight_layout()
        self.artists = [self.budget_line, self.note, *self.marks]
        self._losses = None

    def update(self, point):
        if point.losses is not self._losses:  # a new budget
            self._losses = point.losses
            self.budget_line.set_data(self.lrs, budget_values(point.losses))
            self.note.set_text(f"N = {point.budget}")
        rate = point.lr
        self.marks[0].set_xdata([rate, rate])
        self.marks[1].set_data([rate], u_values(np.array([point.steps]),
                                                self.max_steps))
        self.marks[2].set_xdata([rate, rate])
        self.marks[3].set_data([rate], budget_values(np.array([point.loss])))


class BowlView:
    """The 2-D bowl panel's figure: contours with the path, the path along
    the steep and the flat direction, and the U of updates needed for this
    bowl (a ``BowlRun``). A new bowl redraws the contours and the U."""

    xlim, ylim = (-2.6, 2.6), (-1.7, 1.7)

    def __init__(self, lrs, sharpness, steps, max_steps):
        self.lrs, self.max_steps = lrs, max_steps
        self.fig, (self.ax_c, ax_e, ax_u) = live_figure(
            width=8.8, height=4.1, ncols=3, gridspec_kw={"width_ratios": [1.5, 1, 1]})
        (self.path,) = self.ax_c.plot([], [], lw=1.3, ms=4)
        ax_e.axhline(0.0, color=PALETTE["grey"], lw=1)
        ax_e.set(xlim=(-0.5, steps + 0.5), ylim=(-2.6, 2.6), xlabel="update k",
                 ylabel="signed coordinate along\neach eigen-direction")
        ax_e.set_autoscale_on(False)
        style_s = {"color": PALETTE["purple"], "linestyle": "--", "marker": "^"}
        style_f = {"color": PALETTE["blue"], "linestyle": "-", "marker": "o"}
        (self.steep_line,) = ax_e.plot([], [], lw=1.3, ms=4, label="steep (λmax)",
                                       **style_s)
        (self.flat_line,) = ax_e.plot([], [], lw=1.3, ms=4, label="flat (λmin)",
                                      **style_f)
        ax_e.legend(loc="lower right", fontsize=12)
        setup_u_axes(ax_u, lrs[0], lrs[-1], max_steps, narrow=True)
        ax_u.axvline(2.0 / sharpness, color=PALETTE["black"], lw=1.2, ls="--")
        ax_u.text(2.0 / sharpness, 1.01, "2/λmax", ha="center", va="bottom",
                  fontsize=12, transform=ax_u.get_xaxis_transform())
        (self.u_line,) = ax_u.plot([], [], color=PALETTE["blue"], lw=2,
                                   label="updates needed")
        self.best_line = ax_u.axvline(lrs[0], color=PALETTE["green"], lw=1.5,
                                      ls="-.", label="best fixed rate")
        self.now = ax_u.axvline(lrs[0], color=PALETTE["vermillion"], lw=2.5,
                                label="the slider's rate")
        (self.now_dot,) = ax_u.plot([], [], "o", ms=11, mfc="none", mew=2.5,
                                    color=PALETTE["black"])
        ax_u.legend(loc="lower left", fontsize=11, handlelength=1.5)
        self.fig.tight_layout()
        self.artists = [self.path, self.steep_line, self.flat_line, self.now,
                        self.now_dot]
        self._bowl, self._contours = None, []

    def _draw_bowl(self, run):
        for artist in self._contours:
            artist.remove()
        self._contours = draw_contours(self.ax_c, run.bowl, self.xlim, self.ylim)
        self.u_line.set_data(self.lrs, u_values(run.steps, self.max_steps))
        best = best_fixed_rate(run.bowl.curvatures)
        self.best_line.set_xdata([best, best])
        self._bowl = run.bowl

    def update(self, run):
        new_bowl = run.bowl is not self._bowl
        if new_bowl:
            self._draw_bowl(run)
        self.path.set_data(*clip_2d(run.trace.weights, self.xlim, self.ylim))
        self.path.set(**REGIME_STYLE[run.regime])
        k = np.arange(len(run.along))
        self.flat_line.set_data(k, np.clip(run.along[:, 0], -2.55, 2.55))
        self.steep_line.set_data(k, np.clip(run.along[:, 1], -2.55, 2.55))
        i, rate = run.index, run.lr
        self.now.set_xdata([rate, rate])
        self.now_dot.set_data([rate], u_values(run.steps[i:i + 1], self.max_steps))
        return new_bowl
