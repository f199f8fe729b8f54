"""Figures of lesson 07: sweeps, the range test and the batch size."""

import numpy as np

from ...plotting import PALETTE, caption, live_figure, static_figure
from .analysis import RULE_NAME, RULES, SWEEP_GRID

#: How each range-test suggestion is drawn (colour, marker and name differ).
RULE_STYLE = {
    "valley": {"color": PALETTE["blue"], "marker": "o", "linestyle": "-"},
    "steep": {"color": PALETTE["orange"], "marker": "s", "linestyle": "--"},
    "minimum_over_10": {"color": PALETTE["green"], "marker": "D", "linestyle": "-."},
    "minimum": {"color": PALETTE["vermillion"], "marker": "^", "linestyle": ":"},
}

#: Fixed loss limits of the lesson's plots; larger values are pinned at the top.
LOSS_LO, LOSS_HI = 0.2, 1.0
#: The sweep plots reach higher, leaving room for a legend above the curves.
SWEEP_TOP = 1.3
#: Styles of the batch sizes in the key figure (small -> large).
BATCH_STYLES = [
    {"color": PALETTE["sky"], "linestyle": "-", "marker": "o"},
    {"color": PALETTE["blue"], "linestyle": "--", "marker": "s"},
    {"color": PALETTE["purple"], "linestyle": ":", "marker": "^"},
]


def pin(values, hi=LOSS_HI):
    """Losses for plotting: values above ``hi`` (or NaN) pinned just below it."""
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), np.minimum(v, hi * 0.985), hi * 0.985)


def setup_sweep_axes(ax, lo_exp=-3.1, hi_exp=0.7):
    ax.set_xscale("log")
    ax.set_xlim(10.0 ** lo_exp, 10.0 ** hi_exp)
    ax.set_ylim(LOSS_LO, SWEEP_TOP)
    ax.set_autoscale_on(False)
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("final validation loss")
    ax.axhline(np.log(2), color=PALETTE["black"], lw=1, ls=":",
               label="ln 2 (dead ReLUs)")


def draw_sweep(ax, lrs, val_loss, *, label=None, style=None, best=True):
    """Final validation loss against rate; returns ``(line, best_marker)``."""
    style = style or {"color": PALETTE["blue"], "linestyle": "-", "marker": "o"}
    (line,) = ax.plot(lrs, pin(val_loss, SWEEP_TOP), markersize=5, lw=1.5,
                      label=label, **style)
    marker = None
    if best:
        i = int(np.nanargmin(val_loss))
        (marker,) = ax.plot([lrs[i]], [val_loss[i]], "*", markersize=17,
                            color=style["color"], mec=PALETTE["black"], zorder=5)
    return line, marker


def setup_range_axes(ax, result):
    ax.set_xscale("log")
    ax.set_xlim(result.start_lr / 2, result.end_lr * 2)
    ax.set_ylim(0.0, 2.0)
    ax.set_autoscale_on(False)
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("training loss per batch")


def draw_range_test(ax, result, *, legend=True):
    """The raw and smoothed losses of a range test and its suggestions.

    Returns ``{rule: marker}``; the legend names each rule and its rate.
    """
    setup_range_axes(ax, result)
    raw = np.clip(np.where(np.isfinite(result.losses), result.losses, 1.97), 0, 1.97)
    ax.plot(result.lrs, raw, color=PALETTE["grey"], lw=1, alpha=0.7,
            label="loss of each batch")
    ax.plot(result.lrs, np.clip(result.smoothed, 0, 1.97), color=PALETTE["black"],
            lw=2, label="smoothed (beta 0.98)")
    markers = {}
    for rule, (rate, loss) in result.suggestion_points().items():
        st = RULE_STYLE[rule]
        (m,) = ax.plot([rate], [loss], st["marker"], color=st["color"], markersize=10,
                       mec=PALETTE["black"], zorder=5,
                       label=f"{RULE_NAME[rule]}: {rate:.3g}")
        markers[rule] = m
    if legend:
        ax.legend(loc="upper left", fontsize=12, framealpha=0.9)
    return markers


def key_figure(data_lrs, sweeps, reference_batch, result, compare):
    """Key figure: a sweep, the range test, and the sweep at three batch sizes.

    Args:
        data_lrs: the swept rates.
        sweeps: ``{batch_size: SweepHistory}`` holding ``reference_batch`` (first
            panel) and the (up to three) batch sizes in ``compare`` (third).
        result: a ``RangeTestResult``.
    """
    fig, (ax_sweep, ax_range, ax_batch) = static_figure(width=12.0, height=4.4, ncols=3)
    ref = sweeps[reference_batch]
    v = ref["val_loss"][:, -1]
    setup_sweep_axes(ax_sweep)
    draw_sweep(ax_sweep, data_lrs, v, label=f"batch size {reference_batch}")
    best = data_lrs[int(np.nanargmin(v))]
    ax_sweep.set_title(f"sweep: best rate {best:.3g}")
    ax_sweep.legend(loc="upper center", fontsize=12, framealpha=0.9)

    draw_range_test(ax_range, result, legend=False)
    ax_range.legend(loc="upper left", fontsize=12, framealpha=0.9)
    ax_range.set_title("range test (Adam, 100 batches)")

    setup_sweep_axes(ax_batch)
    for bs, st in zip(compare, BATCH_STYLES):
        draw_sweep(ax_batch, data_lrs, sweeps[bs]["val_loss"][:, -1], style=st,
                   label=f"batch size {bs}")
    ax_batch.set_title("the best rate moves with batch size")
    ax_batch.legend(loc="upper right", fontsize=12, framealpha=0.9,
                    handlelength=1.8, borderaxespad=0.3, labelspacing=0.25)
    caption(fig, "Sweep: final validation loss after 5 epochs of SGD (stars: best "
                 "rate); the range test's suggestions; a larger batch needs a "
                 "larger rate.")
    return fig


def setup_epoch_axes(ax, epochs, ylabel):
    """Fixed limits and labels of a loss-per-epoch plot (epochs 1..epochs)."""
    ax.set_xlim(0.8, epochs + 0.2)
    ax.set_ylim(LOSS_LO, LOSS_HI)
    ax.set_autoscale_on(False)
    ax.set_xticks(range(1, epochs + 1))
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)


class SweepView:
    """The sweep panel's figure: final validation loss against the rate at
    one batch size (the reference batch size dashed grey), and the losses
    per epoch of the selected rate. ``update(point)`` takes a ``SweepPoint``;
    the rate curve is redrawn only when the batch size changed."""

    def __init__(self, lrs, reference, epochs, figure=live_figure,
                 reference_batch=10):
        self.fig, (ax_u, ax_e) = figure(width=10.5, height=4.0, ncols=2)
        setup_sweep_axes(ax_u, SWEEP_GRID[0] - 0.1, SWEEP_GRID[1] + 0.1)
        ax_u.plot(lrs, pin(reference, SWEEP_TOP), color=PALETTE["grey"], ls="--",
                  lw=1.5, label=f"batch size {reference_batch}")
        self.curve = ax_u.plot([], [], "o-", color=PALETTE["blue"], markersize=5,
                               lw=1.5, label="this batch size")[0]
        self.best = ax_u.plot([], [], "*", markersize=17, color=PALETTE["blue"],
                              mec=PALETTE["black"], zorder=5, label="best rate")[0]
        self.ring = ax_u.plot([], [], "o", markersize=14, mfc="none", mew=2.5,
                              color=PALETTE["black"], zorder=6)[0]
        ax_u.legend(loc="upper center", fontsize=12, framealpha=0.9, ncol=2,
                    handlelength=1.5, columnspacing=0.8)
        setup_epoch_axes(ax_e, epochs, "loss")
        self.ep = np.arange(1, epochs + 1)
        self.val = ax_e.plot([], [], "o-", color=PALETTE["vermillion"], lw=2,
                             label="validation")[0]
        self.train = ax_e.plot([], [], "s--", color=PALETTE["blue"], lw=1.5,
                               label="training")[0]
        ax_e.legend(loc="upper right", fontsize=12, framealpha=0.9)
        self.title = ax_e.text(0.03, 0.04, "", transform=ax_e.transAxes, fontsize=12,
                               va="bottom", ha="left")
        self.fig.tight_layout()
        self.artists = [self.curve, self.best, self.ring, self.val, self.train,
                        self.title]
        self.lrs, self.history = lrs, None

    def update(self, point):
        h, i, lrs = point.history, point.i, self.lrs
        v = h["val_loss"][:, -1]
        if h is not self.history:
            self.curve.set_data(lrs, pin(v, SWEEP_TOP))
            b = int(np.nanargmin(v))
            self.best.set_data([lrs[b]], [v[b]])
            self.history = h
        self.ring.set_data([lrs[i]], [pin(v[i:i + 1], SWEEP_TOP)[0]])
        self.val.set_data(self.ep, pin(h["val_loss"][i]))
        self.train.set_data(self.ep, pin(h["loss"][i]))
        self.title.set_text(f"lr = {lrs[i]:.3g}, batch size {point.batch_size}")


class RangeView:
    """The range-test panel's figure: the range test with its suggestions
    (the selected one ringed), and the validation loss per epoch of each
    suggestion trained so far. ``update(point)`` takes a ``RangePoint``."""

    def __init__(self, result, epochs, figure=live_figure):
        self.fig, (ax_r, ax_v) = figure(width=10.5, height=4.2, ncols=2)
        draw_range_test(ax_r, result)
        self.points = result.suggestion_points()
        self.ring = ax_r.plot([], [], "o", markersize=18, mfc="none", mew=2.5,
                              color=PALETTE["black"], zorder=6)[0]
        setup_epoch_axes(ax_v, epochs, "validation loss")
        self.ep = np.arange(1, epochs + 1)
        self.lines = {r: ax_v.plot([], [], lw=2, markersize=7, label=RULE_NAME[r],
                                   **RULE_STYLE[r])[0] for r in RULES}
        ax_v.legend(loc="upper right", fontsize=12, framealpha=0.9,
                    title="trained with")
        self.fig.tight_layout()
        self.artists = [self.ring, *self.lines.values()]
        self.drawn = {}

    def update(self, point):
        rate, loss = self.points[point.rule]
        self.ring.set_data([rate], [min(loss, 1.97)])
        for rule, curve in point.curves.items():
            if self.drawn.get(rule) is not curve:
                self.lines[rule].set_data(self.ep, pin(curve))
                self.drawn[rule] = curve
