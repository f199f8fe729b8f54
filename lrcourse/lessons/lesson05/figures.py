"""Figures of lesson 05: the reference network's training at several rates."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ...plotting import PALETTE, caption, course_style
from .analysis import LN2, OPTIMIZERS, best_accuracy, trial_data

#: How each outcome is drawn: colour, line style and marker all differ.
OUTCOME_STYLE = {
    "learned": {"color": PALETTE["blue"], "linestyle": "-", "marker": "o"},
    "crawling": {"color": PALETTE["orange"], "linestyle": "--", "marker": "s"},
    "stalled": {"color": PALETTE["vermillion"], "linestyle": ":", "marker": "X"},
    "diverged": {"color": PALETTE["purple"], "linestyle": "-.", "marker": "^"},
}

#: Fixed limits of the loss axes; larger losses are drawn at the top edge.
LOSS_TOP = 1.2


def clip_loss(values):
    """Losses pinned just under the top of the loss axes (NaN stays NaN)."""
    with np.errstate(invalid="ignore"):
        return np.minimum(np.asarray(values, dtype=float), LOSS_TOP * 0.99)


def floors(data_seed=0):
    """The two floors drawn on the plots: ln 2 and the best accuracy."""
    data = trial_data(data_seed)
    return LN2, best_accuracy(data.ages, data.y)


def setup_loss_axes(ax, epochs, data_seed=0, note=True):
    """Fixed limits, labels and the ln 2 line of a loss-per-epoch plot."""
    ax.set_xlim(-0.5, epochs + 0.5)
    ax.set_ylim(0.0, LOSS_TOP)
    ax.set_autoscale_on(False)
    ax.axhline(LN2, color=PALETTE["grey"], lw=1.5, ls="--")
    if note:
        ax.text(0.97, 0.97, "dashed: ln 2 = 0.693", transform=ax.transAxes,
                ha="right", va="top", fontsize=12, color="#444444")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")


def setup_accuracy_axes(ax, epochs, data_seed=0, note=True):
    """Fixed limits, labels and the 50% / best-possible lines."""
    _, best = floors(data_seed)
    ax.set_xlim(-0.5, epochs + 0.5)
    ax.set_ylim(40.0, 100.0)
    ax.set_autoscale_on(False)
    ax.axhline(100 * best, color=PALETTE["grey"], lw=1.5, ls="--")
    if note:
        ax.text(0.97, 0.03, "dashed: the best any rate can do",
                transform=ax.transAxes, ha="right", va="bottom", fontsize=12,
                color="#444444")
    ax.axhline(50.0, color=PALETTE["grey"], lw=1.0, ls=":")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training accuracy (%)")


def setup_rates_axes(ax, sweep):
    """The all-rates plot: final training loss against the rate (log scale)."""
    ax.set_xscale("log")
    lo, hi = sweep.lrs[0], sweep.lrs[-1]
    ax.set_xlim(lo / 1.6, hi * 1.6)
    ax.set_ylim(0.0, LOSS_TOP)
    ax.set_autoscale_on(False)
    ax.axhline(LN2, color=PALETTE["grey"], lw=1.5, ls="--")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("training loss")


def rates_side_by_side(sweep, lrs, epochs=None):
    """Key figure: several rates from identical initial weights, side by side.

    One column per rate: training loss (top) and accuracy (bottom) per epoch,
    each titled with what happened.
    """
    epochs = sweep.epochs if epochs is None else epochs
    n = len(lrs)
    with course_style():
        fig = Figure(figsize=(12.0, 6.4), layout="constrained")
        axes = fig.subplots(2, n, sharex=True)
    FigureCanvasAgg(fig)
    e = np.arange(epochs + 1)
    for col, lr in enumerate(lrs):
        i = sweep.index(lr)
        kind, text = sweep.outcome(i, epochs)
        style = OUTCOME_STYLE[kind]
        ax_l, ax_a = axes[0, col], axes[1, col]
        setup_loss_axes(ax_l, epochs, note=col == 0)
        setup_accuracy_axes(ax_a, epochs, note=col == 0)
        ax_l.plot(e, clip_loss(sweep.loss[i, :epochs + 1]), markersize=5, lw=1.6,
                  markevery=5, **style)
        ax_a.plot(e, 100 * sweep.accuracy[i, :epochs + 1], markersize=5, lw=1.6,
                  markevery=5, **style)
        name = "stalled (dead ReLUs)" if kind == "stalled" else text.split(":")[0]
        ax_l.set_title(f"lr = {sweep.lrs[i]:g}: {name}", fontsize=13)
        ax_l.text(0.5, 0.06, f"loss {sweep.loss[i, epochs]:.3f}",
                  transform=ax_l.transAxes, ha="center", va="bottom", fontsize=12)
        ax_a.text(0.5, 0.3, f"accuracy {100 * sweep.accuracy[i, epochs]:.1f}%",
                  transform=ax_a.transAxes, ha="center", va="bottom", fontsize=12)
        if col:
            ax_l.set_ylabel("")
            ax_a.set_ylabel("")
        ax_l.set_xlabel("")
    caption(fig, f"The reference network, {OPTIMIZERS[sweep.optimizer]}, batch size "
                 f"{sweep.batch_size}, {epochs} epochs, same initial weights and "
                 "batches: only the rate differs.")
    return fig


def inspector_limits(values, pad=0.08):
    """Axis limits around finite values, never empty."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return -1.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    span = hi - lo
    if span <= 1e-12 * max(1.0, abs(hi)):
        span = max(abs(hi), 1e-6) * 0.1
    return lo - pad * span, hi + pad * span

