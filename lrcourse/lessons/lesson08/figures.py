"""Figures of lesson 08: schedules, a rate changed by hand, and re-compiling."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ...plotting import PALETTE, caption, course_style, live_figure, static_figure
from .analysis import KINDS, compose

#: Every figure of the lesson is at most this wide (inches at 100 dpi).
WIDTH = 8.8

#: The composer's names of the schedule kinds.
KIND_LABELS = {
    "constant": "constant",
    "step_decay": "step decay",
    "exponential_decay": "exponential",
    "cosine_decay": "cosine",
    "one_cycle": "one-cycle",
}

#: The composer's loss axis limits (log scale), fixed so runs compare by eye.
LOSS_LO, LOSS_HI = 1e-4, 1e3

#: One colour + line style per schedule kind (never colour alone).
KIND_STYLE = {
    "constant": {"color": PALETTE["grey"], "linestyle": "-"},
    "step_decay": {"color": PALETTE["orange"], "linestyle": "--"},
    "exponential_decay": {"color": PALETTE["green"], "linestyle": "-."},
    "cosine_decay": {"color": PALETTE["blue"], "linestyle": "-"},
    "warmup + cosine": {"color": PALETTE["purple"], "linestyle": ":"},
    "one_cycle": {"color": PALETTE["vermillion"], "linestyle": (0, (5, 1, 1, 1))},
}


def schedules_figure(lr=0.5, steps=300, warmup_steps=30, curvature=1.0, noise=1.0,
                     start=5.0):
    """Key figure: six schedules with one peak rate, and the expected loss of
    SGD on a noisy bowl under each."""
    fig, (ax_rate, ax_loss) = stacked_figure(height=7.6)
    settings = [(k, k, 0) for k in KINDS if k != "one_cycle"]
    settings += [("warmup + cosine", "cosine_decay", warmup_steps),
                 ("one_cycle", "one_cycle", 0)]
    for label, kind, warm in settings:
        run = compose(kind, lr=lr, warmup_steps=warm, steps=steps,
                      curvature=curvature, noise=noise, start=start, seed=0)
        style = KIND_STYLE[label]
        name = label.replace("_", " ")
        ax_rate.plot(np.arange(steps), run.rates, lw=2.2, label=name, **style)
        ax_loss.plot(np.arange(steps + 1), run.expected, lw=2.2,
                     label=f"{name}: {run.final_expected:.3f}", **style)
    ax_rate.set_xlabel("update k")
    ax_rate.set_ylabel("learning rate")
    ax_rate.set_ylim(0, lr * 1.55)
    ax_rate.set_title(f"the rate (peak {lr:g})")
    ax_rate.legend(loc="upper center", fontsize=11, ncols=3, columnspacing=1.0)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("update k")
    ax_loss.set_ylabel("expected loss (log scale)")
    ax_loss.set_ylim(1e-3, 2e3)
    ax_loss.set_title(f"SGD on a noisy bowl (lambda = {curvature:g}, "
                      f"noise {noise:g})")
    ax_loss.legend(loc="upper right", fontsize=11, title="final expected loss",
                   title_fontsize=11, ncols=3, columnspacing=1.0)
    caption(fig, f"Six schedules peaking at {lr:g}, {steps} updates: the loss "
                 "floor falls\nas the rate falls; a constant rate stays on its floor.")
    return fig


def stacked_figure(height, width=WIDTH):
    """A static (Agg) figure in the course style: two axes, one above the
    other. Returns ``(fig, (top, bottom))``."""
    with course_style():
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(2, 1)
    FigureCanvasAgg(fig)
    return fig, tuple(axes)


def _smooth(values, window):
    v = np.asarray(values, dtype=float)
    if len(v) < window:
        return np.full(len(v), np.nan)
    kernel = np.ones(window) / window
    out = np.full(len(v), np.nan)
    out[window - 1:] = np.convolve(v, kernel, mode="valid")
    return out


def _joined(histories, key):
    return np.concatenate([getattr(h.trace, key) for h in histories])


def rate_change_figure(changed, kept, window=210, labels=("changed", "kept")):
    """The rate and the loss per update for two runs: ``changed`` (a list of
    Histories, one per ``fit`` call) and ``kept`` (one History).

    The loss is the mini-batch loss averaged over ``window`` updates.
    """
    fig, (ax_rate, ax_loss) = static_figure(width=WIDTH, height=4.2, ncols=2)
    boundary = len(changed[0].trace.lrs)
    runs = [(labels[0], changed, PALETTE["blue"], "-"),
            (labels[1], [kept], PALETTE["orange"], "--")]
    for label, hists, color, ls in runs:
        lrs, losses = _joined(hists, "lrs"), _joined(hists, "losses")
        k = np.arange(1, len(lrs) + 1)
        ax_rate.plot(k, lrs, color=color, linestyle=ls, lw=2.2, label=label)
        ax_loss.plot(k, _smooth(losses, window), color=color, linestyle=ls, lw=2.2,
                     label=label)
    for ax, where in ((ax_rate, "lower left"), (ax_loss, "upper right")):
        ax.axvline(boundary + 0.5, color=PALETTE["black"], lw=1, linestyle=":")
        ax.set_xlabel("update k")
        ax.legend(loc=where, fontsize=11)  # the rate's drop is on the right
    ax_rate.set_yscale("log")
    ax_rate.set_ylabel("learning rate (log scale)")
    ax_rate.set_title("trace.lrs: the rate of each update")
    ax_loss.set_ylabel(f"mini-batch loss, mean of {window}")
    ax_loss.set_title("the loss drops to a lower floor")
    lows = _smooth(_joined(changed, "losses"), window)
    lo = float(np.nanmin(lows))
    ax_loss.set_ylim(lo * 0.9, lo * 1.6)
    caption(fig, "The rate lowered by hand after update "
                 f"{boundary}:\nthe loss settles to a lower floor within an epoch.")
    return fig


def recompile_figure(switch, before=50):
    """Update size and loss around the moment of ``compile``.

    ``switch`` is a ``recompile_experiment``; the update size is the root
    mean square change of a weight, in units of its rate.
    """
    fig, (ax_size, ax_loss) = static_figure(width=WIDTH, height=4.4, ncols=2)
    n_params = switch.weights_moved["kept"].size
    scale = switch.lr * np.sqrt(n_params)
    runs = [("kept training\n(moments kept)", "kept", PALETTE["blue"], "-", "o"),
            ("re-compiled\n(moments lost)", "recompiled", PALETTE["vermillion"],
             "--", "^")]
    for label, mode, color, ls, marker in runs:
        h0, h1 = switch.before[mode], switch.after[mode]
        n0 = len(h0.trace.update_norms)
        k = np.arange(n0 - before + 1, n0 + len(h1.trace.update_norms) + 1)
        size = np.concatenate([h0.trace.update_norms[-before:],
                               h1.trace.update_norms]) / scale
        loss = np.concatenate([h0.trace.losses[-before:], h1.trace.losses])
        style = {"color": color, "linestyle": ls, "lw": 2.0}
        ax_size.plot(k, size, label=label, **style)
        ax_size.plot(k[before], size[before], marker=marker, markersize=10,
                     color=color, linestyle="none")
        ax_loss.plot(k, loss, label=label, **style)
        ax_loss.plot(k[before], loss[before], marker=marker, markersize=10,
                     color=color, linestyle="none")
    for ax in (ax_size, ax_loss):
        ax.axvline(n0 + 0.5, color=PALETTE["black"], lw=1, linestyle=":",
                   label="compile")
    ax_size.set_xlabel("update k")
    ax_size.set_ylabel("RMS change per weight / lr")
    ax_size.set_ylim(0, 1.1)
    ax_size.set_title("each update, in units of lr")
    ax_size.legend(loc="upper left", fontsize=11)
    ax_loss.set_xlabel("update k")
    ax_loss.set_ylabel("training loss")
    ax_loss.set_title("the loss before each update")
    ax_loss.legend(loc="upper right", fontsize=11)
    caption(fig, "Re-compiling resets Adam: its next update moves each weight that "
                 "has a gradient\nby about lr, and the loss jumps.")
    return fig


class ComposerView:
    """The composer's figure: the rate at every update (its axis follows the
    peak), and the loss of one seeded run, the expected loss, the floor of
    the current rate and the floor of a constant peak rate.

    ``update(run)`` takes a ``ComposerRun``. The rate axis rescales, so the
    view has no blitted artists: each update draws the figure once.
    """

    def __init__(self, steps, curvature, seed, figure=live_figure):
        self.fig, (self.ax_rate, ax_loss) = figure(width=WIDTH, height=3.9, ncols=2)
        self.steps, self.limit = steps, 2.0 / curvature
        self.ax_rate.set_xlim(0, steps)
        self.ax_rate.set_xlabel("update k")
        self.ax_rate.set_ylabel("learning rate")
        self.rate = self.ax_rate.plot([], [], color=PALETTE["blue"], lw=2.2)[0]
        self.limit_marks = (
            self.ax_rate.axhline(self.limit, color=PALETTE["vermillion"],
                                 linestyle=":", lw=1.8),
            self.ax_rate.text(0.98 * steps, self.limit,
                              f"2/\N{GREEK SMALL LETTER LAMDA} = {self.limit:g}",
                              ha="right", va="bottom", fontsize=12,
                              color=PALETTE["vermillion"]))
        self.rate_title = self.ax_rate.set_title("")
        ax_loss.set_yscale("log")
        ax_loss.set_xlim(0, steps)
        ax_loss.set_ylim(LOSS_LO, LOSS_HI)
        ax_loss.set_autoscale_on(False)
        ax_loss.set_xlabel("update k")
        ax_loss.set_ylabel("loss (log scale)")
        self.run = ax_loss.plot([], [], color=PALETTE["sky"], lw=0.8,
                                label=f"one run (seed {seed})")[0]
        self.floor = ax_loss.plot([], [], color=PALETTE["orange"], lw=2.0,
                                  linestyle="--", label="floor of the current rate")[0]
        self.mean = ax_loss.plot([], [], color=PALETTE["black"], lw=2.2,
                                 label="expected loss")[0]
        self.peak = ax_loss.plot([], [], color=PALETTE["purple"], lw=1.6,
                                 linestyle="-.", label="constant peak rate")[0]
        ax_loss.legend(loc="upper right", fontsize=11, framealpha=0.9)
        self.loss_title = ax_loss.set_title("")
        self.fig.tight_layout()
        self.artists = []

    @staticmethod
    def _clip(values):
        v = np.asarray(values, dtype=float)
        return np.clip(np.where(np.isfinite(v), v, LOSS_HI * 2), LOSS_LO, LOSS_HI * 2)

    def update(self, run):
        steps, rates = self.steps, run.rates
        self.rate.set_data(np.arange(steps), rates)
        top = max(float(rates.max()), 1e-12) * 1.12
        self.ax_rate.set_ylim(0, top)
        for mark in self.limit_marks:
            mark.set_visible(self.limit <= top)
        self.rate_title.set_text(f"{KIND_LABELS[run.kind]}, peak {run.lr:.3g}")
        losses = run.trace.losses
        self.run.set_data(np.arange(len(losses)), self._clip(losses))
        self.mean.set_data(np.arange(steps + 1), self._clip(run.expected))
        self.floor.set_data(np.arange(1, steps + 1), self._clip(run.floors))
        self.peak.set_data([0, steps], self._clip([run.peak_floor] * 2))
        if run.diverged_at is not None:
            self.loss_title.set_text(f"diverged at update {run.diverged_at}")
        else:
            self.loss_title.set_text(f"expected final loss {run.final_expected:.2g}")
