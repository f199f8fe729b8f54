"""Figures of lesson 07: sweeps, the range test and the batch size."""

import numpy as np

from ...plotting import PALETTE, caption, live_figure, static_figure
from .analysis import NEAR_BEST, RULE_NAME, RULES, SWEEP_GRID

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
               label="ln 2 (a constant guess's loss)")


def draw_band(ax, band, y, style, **kw):
    """The near-best band as a thick bar at height ``y`` from its lowest to
    its highest grid rate, a square at each end (so a band of one rate still
    shows); returns the line."""
    (bar,) = ax.plot(list(band), [y, y], color=style["color"], lw=7, marker="s",
                     markersize=7, solid_capstyle="butt", **kw)
    return bar


def draw_mean_sweep(ax, sweeps, style, label):
    """A ``SeedSweeps``' mean curve; returns the line."""
    (line,) = ax.plot(sweeps.lrs, pin(sweeps.mean, SWEEP_TOP), markersize=5, lw=1.8,
                      label=label, **style)
    return line


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


def key_figure(bands, compare=(10, 40, 160)):
    """Key figure, plain SGD only: the mean sweep over seeds at three batch
    sizes with their near-best bands (left), and the band and each seed's
    own best rate at every batch size (right).

    Args:
        bands: a ``NearBestBands`` holding every batch size in ``compare``.
    """
    fig, (ax_u, ax_b) = static_figure(width=8.6, height=5.2, ncols=2)
    setup_sweep_axes(ax_u)
    ax_u.set_ylim(0.1, 1.35)
    n = len(bands.seeds)
    for k, (bs, st) in enumerate(zip(compare, BATCH_STYLES)):
        sw = bands.sweeps[bs]
        draw_mean_sweep(ax_u, sw, st, f"batch size {bs}")
        draw_band(ax_u, sw.band, 0.2 - 0.035 * k, st)
    ax_u.plot([], [], color=PALETTE["grey"], lw=7, solid_capstyle="butt",
              label="near-best band")
    ax_u.set_title(f"SGD: mean of {n} seeds")
    # above the plots: inside, the legend would hide the curves' tops
    fig.legend(*ax_u.get_legend_handles_labels(), loc="outside upper left",
               fontsize=11, ncol=3, handlelength=1.8, columnspacing=1.0,
               frameon=False, title="left plot:", title_fontsize=11,
               alignment="left")
    draw_band_chart(ax_b, bands)
    caption(fig, f"Plain SGD, 5 epochs, {n} seeds. Near-best: mean validation loss "
                 f"within {NEAR_BEST:.0%} of the lowest.")
    return fig


def draw_band_chart(ax, bands):
    """The near-best band at every batch size (bars) and each seed's own best
    rate (dots): the band moves up with the batch size, loosely."""
    sizes = list(bands.sweeps)
    for k, bs in enumerate(sizes):
        sw = bands.sweeps[bs]
        draw_band(ax, sw.band, k, {"color": PALETTE["blue"]},
                  label="near-best band" if k == 0 else None)
        best = sw.best_per_seed()
        jitter = np.linspace(-0.22, 0.22, len(best))
        ax.plot(best, k + jitter, "o", color=PALETTE["orange"], mec=PALETTE["black"],
                markersize=5, label="best rate of one seed" if k == 0 else None)
    ax.set_xscale("log")
    ax.set_xlim(10.0 ** -2, 10.0 ** 0.7)
    ax.set_yticks(range(len(sizes)), [str(bs) for bs in sizes])
    ax.set_ylim(len(sizes) - 0.4, -1.6)
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("batch size")
    ax.set_title("SGD: near-best band per batch size")
    ax.legend(loc="upper left", fontsize=11, framealpha=0.9)


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
    one batch size (each seed thin, their mean thick, the near-best band as
    a bar; batch size 10's mean dashed grey), and the mean losses per epoch
    of the selected rate. ``update(point)`` takes a ``SweepPoint``; the rate
    curves are redrawn only when the batch size changed."""

    def __init__(self, lrs, reference, epochs, figure=live_figure,
                 reference_batch=10, n_seeds=5, optimizer="plain SGD"):
        self.fig, (ax_u, ax_e) = figure(width=8.6, height=5.0, ncols=2)
        setup_sweep_axes(ax_u, SWEEP_GRID[0] - 0.1, SWEEP_GRID[1] + 0.1)
        ax_u.set_ylim(0.15, 1.35)
        ax_u.set_title(f"{optimizer}, {epochs} epochs")
        ax_u.plot(lrs, pin(reference, SWEEP_TOP), color=PALETTE["grey"], ls="--",
                  lw=1.5, label=f"batch {reference_batch}, mean")
        self.seeds = [ax_u.plot([], [], "-", color=PALETTE["sky"], lw=0.9,
                                label="each seed" if k == 0 else None)[0]
                      for k in range(n_seeds)]
        self.curve = ax_u.plot([], [], "o-", color=PALETTE["blue"], markersize=4,
                               lw=1.8, label=f"mean of {n_seeds} seeds")[0]
        self.band = draw_band(ax_u, [np.nan, np.nan], 0.2, {"color":
                              PALETTE["orange"]}, label="near-best band")
        self.ring = ax_u.plot([], [], "o", markersize=14, mfc="none", mew=2.5,
                              color=PALETTE["black"], zorder=6,
                              label="selected rate")[0]
        setup_epoch_axes(ax_e, epochs, "loss (mean of seeds)")
        self.ep = np.arange(1, epochs + 1)
        self.val = ax_e.plot([], [], "o-", color=PALETTE["vermillion"], lw=2,
                             label="validation")[0]
        self.train = ax_e.plot([], [], "s--", color=PALETTE["blue"], lw=1.5,
                               label="training")[0]
        ax_e.legend(loc="upper right", fontsize=12, framealpha=0.9)
        self.title = ax_e.text(0.03, 0.04, "", transform=ax_e.transAxes, fontsize=12,
                               va="bottom", ha="left")
        # the left plot's legend below both plots: inside, it would hide the
        # largest rates' seeds
        self.fig.tight_layout(rect=(0, 0.13, 1, 1))
        self.fig.legend(*ax_u.get_legend_handles_labels(), loc="lower left",
                        bbox_to_anchor=(0.02, 0.0), fontsize=11, ncol=3,
                        handlelength=1.5, columnspacing=1.0, labelspacing=0.3,
                        frameon=False, title="left plot:", title_fontsize=11,
                        alignment="left")
        self.artists = [*self.seeds, self.curve, self.band, self.ring, self.val,
                        self.train, self.title]
        self.lrs, self.sweeps = lrs, None

    def update(self, point):
        sw, i, lrs = point.sweeps, point.i, self.lrs
        if sw is not self.sweeps:
            for line, v in zip(self.seeds, sw.val):
                line.set_data(lrs, pin(v, SWEEP_TOP))
            self.curve.set_data(lrs, pin(sw.mean, SWEEP_TOP))
            self.band.set_data(list(sw.band), [0.2, 0.2])
            self.sweeps = sw
        self.ring.set_data([lrs[i]], [pin(sw.mean[i:i + 1], SWEEP_TOP)[0]])
        self.val.set_data(self.ep, pin(sw.epoch_val[i]))
        self.train.set_data(self.ep, pin(sw.epoch_loss[i]))
        self.title.set_text(f"lr = {lrs[i]:.3g}, batch size {point.batch_size}")


class RangeView:
    """The range-test panel's figure: the range test with its suggestions
    (the selected one ringed), and the validation loss per epoch of each
    suggestion trained so far. ``update(point)`` takes a ``RangePoint``."""

    def __init__(self, result, epochs, figure=live_figure):
        self.fig, (ax_r, ax_v) = figure(width=8.6, height=4.2, ncols=2)
        draw_range_test(ax_r, result)
        ax_r.set_title(f"range test: {result.optimizer}, batch size "
                       f"{result.batch_size}")
        self.points = result.suggestion_points()
        self.ring = ax_r.plot([], [], "o", markersize=18, mfc="none", mew=2.5,
                              color=PALETTE["black"], zorder=6)[0]
        setup_epoch_axes(ax_v, epochs, "validation loss")
        ax_v.set_title(f"trained with Adam, {epochs} epochs")
        self.ep = np.arange(1, epochs + 1)
        self.lines = {r: ax_v.plot([], [], lw=2, markersize=7, label=RULE_NAME[r],
                                   **RULE_STYLE[r])[0] for r in RULES}
        self.ax_v = ax_v
        self._legend()
        self.fig.tight_layout()
        self.artists = [self.ring, *self.lines.values()]
        self.drawn = {}

    def _legend(self):
        """The right plot's legend: only the rules trained so far."""
        trained = [r for r in RULES if r in getattr(self, "drawn", {})]
        if not trained:
            self.ax_v.legend([], [], loc="upper right", fontsize=12,
                             title="press Train", title_fontsize=12)
            return
        self.ax_v.legend([self.lines[r] for r in trained],
                         [RULE_NAME[r] for r in trained], loc="upper right",
                         fontsize=12, framealpha=0.9, title="trained with",
                         title_fontsize=12)

    def update(self, point):
        rate, loss = self.points[point.rule]
        self.ring.set_data([rate], [min(loss, 1.97)])
        new_rules = False
        for rule, curve in point.curves.items():
            if self.drawn.get(rule) is not curve:
                self.lines[rule].set_data(self.ep, pin(curve))
                new_rules = new_rules or rule not in self.drawn
                self.drawn[rule] = curve
        if new_rules:  # the legend (not blitted) changes: one full drawing
            self._legend()
        return new_rules
