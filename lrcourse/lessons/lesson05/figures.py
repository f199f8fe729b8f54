"""Figures of lesson 05: the reference network's training at several rates."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ...plotting import PALETTE, caption, course_style, live_figure
from .analysis import LN2, OPTIMIZERS

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


def setup_loss_axes(ax, epochs, note=True):
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


def setup_accuracy_axes(ax, epochs, note=True):
    """Fixed limits, labels and the 50% line (a coin toss)."""
    ax.set_xlim(-0.5, epochs + 0.5)
    ax.set_ylim(40.0, 100.0)
    ax.set_autoscale_on(False)
    ax.axhline(50.0, color=PALETTE["grey"], lw=1.5, ls="--")
    if note:
        ax.text(0.97, 0.03, "dashed: 50%", transform=ax.transAxes,
                ha="right", va="bottom", fontsize=12, color="#444444")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training accuracy (%)")


def setup_rates_axes(ax, lrs):
    """The all-rates plot: final training loss against the rate (log scale)."""
    ax.set_xscale("log")
    lo, hi = lrs[0], lrs[-1]
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
        fig = Figure(figsize=(8.8, 6.4), layout="constrained")
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
        ax_l.set_title(f"lr = {sweep.lrs[i]:g}:\n{name}", fontsize=13)
        ax_l.text(0.5, 0.06, f"loss {sweep.loss[i, epochs]:.3f}",
                  transform=ax_l.transAxes, ha="center", va="bottom", fontsize=12)
        ax_a.text(0.5, 0.3, f"accuracy {100 * sweep.accuracy[i, epochs]:.1f}%",
                  transform=ax_a.transAxes, ha="center", va="bottom", fontsize=12)
        if col:
            ax_l.set_ylabel("")
            ax_a.set_ylabel("")
        ax_l.set_xlabel("")
    caption(fig, f"The reference network, {OPTIMIZERS[sweep.optimizer]}, batch size "
                 f"{sweep.batch_size}, {epochs} epochs,\nsame initial weights and "
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



def _ring(ax, size=11):
    """An empty marker (a ring) for the point the sliders select."""
    return ax.plot([], [], "o", ms=size, mfc="none", mew=2.2,
                   color=PALETTE["black"])[0]


class TrainingView:
    """The training panel's figure: loss and accuracy per epoch of the
    selected rate, and the loss of every rate after the selected epoch.

    ``update(point)`` takes a ``TrainingPoint``.
    """

    def __init__(self, lrs, epochs, figure=live_figure):
        self.fig, (ax_loss, ax_acc, ax_rates) = figure(width=9.0, height=3.9,
                                                       ncols=3)
        setup_loss_axes(ax_loss, epochs)
        setup_accuracy_axes(ax_acc, epochs)
        setup_rates_axes(ax_rates, lrs)
        line = {"lw": 1.8, "markersize": 4, "markevery": 5}
        self.loss = ax_loss.plot([], [], **line)[0]
        self.acc = ax_acc.plot([], [], **line)[0]
        self.loss_now, self.acc_now = _ring(ax_loss), _ring(ax_acc)
        self.all_rates = ax_rates.plot([], [], color=PALETTE["grey"], lw=1.2)[0]
        self.kinds = {kind: ax_rates.plot([], [], ls="none", ms=6, color=st["color"],
                                          marker=st["marker"], label=kind)[0]
                      for kind, st in OUTCOME_STYLE.items() if kind != "diverged"}
        self.rate_now = _ring(ax_rates, size=13)
        ax_rates.legend(loc="upper left", fontsize=11, framealpha=0.9,
                        handletextpad=0.3, borderpad=0.3)
        self.label = ax_loss.text(0.03, 0.04, "", transform=ax_loss.transAxes,
                                  fontsize=12, va="bottom")
        self.rates_label = ax_rates.text(0.97, 0.04, "", transform=ax_rates.transAxes,
                                         fontsize=12, ha="right", va="bottom")
        ax_loss.set_title("loss per epoch")
        ax_acc.set_title("accuracy per epoch")
        ax_rates.set_title("every rate, same start")
        self.fig.tight_layout()
        self.artists = [self.loss, self.acc, self.loss_now, self.acc_now,
                        self.all_rates, *self.kinds.values(), self.rate_now,
                        self.label, self.rates_label]

    def update(self, point):
        sw, i, e_max = point.sweep, point.i, point.epochs
        style = OUTCOME_STYLE[point.kind]
        e = np.arange(e_max + 1)
        for line, values in ((self.loss, clip_loss(sw.loss[i, :e_max + 1])),
                             (self.acc, 100 * sw.accuracy[i, :e_max + 1])):
            line.set_data(e, values)
            line.set(color=style["color"], linestyle=style["linestyle"],
                     marker=style["marker"])
        self.loss_now.set_data([e_max], clip_loss([sw.loss[i, e_max]]))
        self.acc_now.set_data([e_max], [100 * sw.accuracy[i, e_max]])
        final = clip_loss(sw.loss[:, e_max])
        self.all_rates.set_data(sw.lrs, final)
        kinds = np.array(point.kinds)
        for kind, line in self.kinds.items():
            line.set_data(sw.lrs[kinds == kind], final[kinds == kind])
        self.rate_now.set_data([sw.lrs[i]], [final[i]])
        self.label.set_text(f"{OPTIMIZERS[sw.optimizer]}, lr = {sw.lrs[i]:.4g}: "
                            f"{point.kind}")
        self.rates_label.set_text(f"after epoch {e_max}")


class InspectorView:
    """The inspector's figure: one weight's value and its change per update
    over a replayed run, the selected update ringed.

    ``update(point)`` takes an ``InspectorPoint``; a new replay redraws the
    curves and limits (and asks for one full drawing: returns True), a new
    update only moves the rings.
    """

    def __init__(self, updates, figure=live_figure):
        self.fig, (self.ax_w, self.ax_c) = figure(width=9.0, height=3.6, ncols=2)
        for ax in (self.ax_w, self.ax_c):
            ax.set_xlabel("update k")
            ax.set_xlim(-0.02 * updates, 1.03 * updates)
            ax.set_autoscale_on(False)
            ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3),
                                useMathText=True)
        self.value = self.ax_w.plot([], [], color=PALETTE["blue"], lw=1.5)[0]
        self.value_now = _ring(self.ax_w)
        self.change = self.ax_c.plot([], [], color=PALETTE["blue"], lw=1.2,
                                     label="applied change")[0]
        self.sgd = self.ax_c.plot([], [], color=PALETTE["orange"], lw=1.2, ls="--",
                                  label="-lr x gradient")[0]
        self.change_now = _ring(self.ax_c)
        self.ax_c.axhline(0.0, color=PALETTE["grey"], lw=1.0)
        self.ax_c.legend(loc="upper right", fontsize=11, framealpha=0.9)
        self.fig.tight_layout()
        self.artists = [self.value_now, self.change_now]
        self.replay = None

    def _draw_replay(self, rep):
        k = np.arange(1, rep.updates + 1)
        self.value.set_data(k, rep.new)
        self.ax_w.set_ylim(*inspector_limits(np.concatenate([rep.old[:1], rep.new])))
        self.ax_w.set_ylabel(f"value of {rep.name}")
        sgd = -rep.lrs * rep.grad
        self.change.set_data(k, rep.change)
        self.sgd.set_data(k, sgd)
        self.ax_c.set_ylim(*inspector_limits(np.concatenate([rep.change, sgd])))
        self.ax_c.set_ylabel("change per update")
        self.ax_c.set_title(f"{OPTIMIZERS[rep.optimizer]}, lr = {rep.lr:.4g}")
        epochs = rep.updates // rep.updates_per_epoch
        self.ax_w.set_title(f"{rep.name}: first {epochs} epochs of the seeded run")
        self.fig.tight_layout()
        self.replay = rep

    def update(self, point):
        rep, k = point.replay, point.k
        new = rep is not self.replay
        if new:
            self._draw_replay(rep)
        self.value_now.set_data([k], [rep.new[k - 1]])
        self.change_now.set_data([k], [rep.change[k - 1]])
        return new
