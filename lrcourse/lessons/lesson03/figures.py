"""Figures of lesson 03: the U of updates against the rate, the fixed
budget, and gradient descent on an ill-conditioned 2-D bowl."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ...descent import gradient_descent, stability_limits
from ...plotting import PALETTE, REGIME_STYLE, caption, course_style
from ...problems import Quadratic
from ...readouts import lr_grid
from ...regimes import best_fixed_rate, budget_losses, steps_curve

#: Where "never" (diverged, or not within the sweep's length) is drawn on a
#: U plot, as a multiple of the sweep's length.
NEVER = 2.0
#: The floor and ceiling of a loss-after-N-updates plot.
LOSS_FLOOR, LOSS_TOP = 1e-24, 1e3


def u_values(steps, max_steps):
    """Steps for a log plot: ``inf`` pinned at ``NEVER * max_steps``."""
    return np.where(np.isfinite(steps), np.maximum(steps, 1), NEVER * max_steps)


def setup_u_axes(ax, lo, hi, max_steps):
    """A log-log axes for updates needed against the rate, with a band at
    the top for the rates that need more than ``max_steps`` updates or never
    arrive (the sweep cannot tell those apart)."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(0.7, NEVER * max_steps * 2.2)
    ax.axhline(max_steps, color=PALETTE["grey"], lw=1, ls=":")
    ax.text(lo * 1.15, NEVER * max_steps * 1.5, f"> {max_steps} updates or never",
            va="center", fontsize=12, color="#555555")
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
    fig = Figure(figsize=(12.0, 8.0), layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.15, 1], hspace=0.04)
    ax_u, ax_b = top.subplots(1, 2)
    small = bottom.subplots(1, 3)
    problem = Quadratic(curvature=curvature)
    lrs = lr_grid(-3, np.log10(4 / curvature), 0.01)
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
        ax_c.set_title(f"lr {lr:.3g} ({name})")
        if j:
            ax_c.set_ylabel("")
    bottom.suptitle(f"the 2-D bowl: curvatures {lam.min():g} and {lam.max():g}, "
                    f"{bowl_steps} updates from the same start", fontsize=13)
    best = best_fixed_rate(lam)
    caption(fig, f"λ = {curvature:g}: fastest near 1/λ, never past 2/λ. On the 2-D "
                 f"bowl the best rate 2/(λmax + λmin) = {best:.3f} zig-zags in the "
                 "steep direction.")
    return fig
