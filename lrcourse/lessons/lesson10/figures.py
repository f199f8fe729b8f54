"""Figures of lesson 10: the river valley (WSD, cosine, constant), branched
decays, schedule-free AdamW, AdamW's decay and batch size; and the views of
the lesson's panels. Every figure is at most 9 inches wide (900 px)."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ...plotting import PALETTE, caption, course_style, live_figure
from .analysis import (
    BATCH_SIZES,
    GENTLE,
    KIND_LABELS,
    KINDS,
    START,
    STEEP,
    branched_decays,
    critical_batch,
    updates_to_target,
    valley_floor,
    valley_paths,
    valley_run,
)

#: One colour and line style per schedule (never colour alone).
KIND_STYLE = {
    "constant": {"color": PALETTE["grey"], "linestyle": "-"},
    "cosine": {"color": PALETTE["blue"], "linestyle": "--"},
    "wsd": {"color": PALETTE["vermillion"], "linestyle": "-"},
}
#: The loss axis of the valley plots (log scale).
LOSS_LO, LOSS_HI = 1e-3, 20.0
#: The valley plots' limits: along (x) and across (y).
ALONG, ACROSS = (-2.0, 21.0), (-4.0, 4.0)


def grid_figure(width, height, nrows, ncols):
    """A static (Agg) figure with a grid of axes, in the course's style."""
    with course_style():
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(nrows, ncols)
    FigureCanvasAgg(fig)
    return fig, axes


def draw_valley(ax):
    """Contours of the valley's loss, across (vertical) against along."""
    u = np.linspace(*ALONG, 200)
    v = np.linspace(*ACROSS, 120)
    U, V = np.meshgrid(u, v)
    loss = 0.5 * (STEEP * V**2 + GENTLE * U**2)
    ax.contour(U, V, loss, levels=[0.05, 0.2, 0.5, 1, 2, 4, 7], colors="0.75",
               linewidths=0.8)
    ax.plot([0], [0], marker="*", ms=13, color=PALETTE["black"], linestyle="none")
    ax.plot([START[1]], [START[0]], marker="o", ms=8, color=PALETTE["black"],
            linestyle="none")
    ax.set_xlim(*ALONG)
    ax.set_ylim(*ACROSS)
    ax.set_xlabel("along the valley (gentle)")
    ax.set_ylabel("across (steep, noisy)")


def _clip(values):
    v = np.asarray(values, dtype=float)
    return np.clip(np.where(np.isfinite(v), v, LOSS_HI * 2), LOSS_LO * 0.5,
                   LOSS_HI * 2)


def _loss_axis(ax, steps):
    ax.set_yscale("log")
    ax.set_xlim(0, steps)
    ax.set_ylim(LOSS_LO, LOSS_HI)
    ax.set_autoscale_on(False)
    ax.set_xlabel("update k")
    ax.set_ylabel("expected loss (log scale)")


def valley_figure(lr=0.5, decay_start=800, seed=0):
    """Key figure: constant, cosine and WSD at one peak rate on the river
    valley: the rates, two seeded paths, the loss across and along."""
    run = valley_run(lr, decay_start, seed=seed)
    fig, ((ax_rate, ax_path), (ax_split, ax_loss)) = grid_figure(9.0, 6.6, 2, 2)
    k = np.arange(run.steps + 1)
    for kind in KINDS:
        style, name = KIND_STYLE[kind], KIND_LABELS[kind]
        ax_rate.plot(k[:-1], run.rates[kind], lw=2.2, label=name, **style)
        ax_loss.plot(k, _clip(run.total(kind)), lw=2.2,
                     label=f"{name}: {run.final(kind):.3f}", **style)
    ax_rate.set_xlabel("update k")
    ax_rate.set_ylabel("learning rate")
    ax_rate.set_ylim(0, lr * 1.5)
    ax_rate.set_title(f"three schedules, peak {lr:.3g}")
    ax_rate.legend(loc="upper right")
    draw_valley(ax_path)
    _paths(ax_path, run, seed)
    for kind, ls in (("cosine", "--"), ("wsd", "-")):
        color = KIND_STYLE[kind]["color"]
        ax_split.plot(k, _clip(run.across[kind]), color=color, linestyle=ls, lw=2,
                      label=f"{KIND_LABELS[kind]}, across")
        ax_split.plot(k, _clip(run.along[kind]), color=color, linestyle=ls, lw=1.2,
                      marker="|", markevery=100, label=f"{KIND_LABELS[kind]}, along")
    _loss_axis(ax_split, run.steps)
    ax_split.set_title("the loss split: across and along")
    ax_split.legend(loc="lower left")
    _loss_axis(ax_loss, run.steps)
    ax_loss.axhline(valley_floor(lr), color=PALETTE["black"], lw=1, linestyle=":",
                    label=f"noise floor across: {valley_floor(lr):.3f}")
    ax_loss.set_title("expected loss (final value in the legend)")
    ax_loss.legend(loc="lower left")
    caption(fig, "A high rate runs along the valley but bounces across it; "
                 "the decay removes the bounce.")
    return fig


def _paths(ax, run, seed):
    w = valley_paths(run.rates["wsd"], seed)
    s = run.decay_start
    ax.plot(w[:s + 1, 1], w[:s + 1, 0], color=PALETTE["vermillion"], lw=0.7,
            label=f"WSD at the peak (seed {seed})")
    ax.plot(w[s:, 1], w[s:, 0], color=PALETTE["blue"], lw=1.6,
            label="WSD during its decay")
    ax.set_title("the river valley: one WSD run")
    ax.legend(loc="lower right")


def branch_figure(lr=0.5, starts=(200, 400, 600, 800), decay_steps=100):
    """Decays of 100 updates branched from one constant-rate run."""
    constant, branches = branched_decays(lr, starts, decay_steps)
    fig, ax = grid_figure(9.0, 3.8, 1, 1)
    k = np.arange(len(constant))
    ax.plot(k, _clip(constant), color=PALETTE["grey"], lw=2.2,
            label=f"constant {lr:g}")
    markers = ("o", "s", "^", "D", "v")
    for (s, loss), m in zip(branches.items(), markers):
        ax.plot(np.arange(s, s + len(loss)), _clip(loss), color=PALETTE["vermillion"],
                lw=2.0, marker=m, markevery=[len(loss) - 1], ms=8,
                label=f"decay from {s}: {loss[-1]:.3f}")
    _loss_axis(ax, len(constant) - 1)
    ax.set_ylim(0.01, 10)
    ax.set_title("a linear decay over 100 updates, branched from one run")
    ax.legend(loc="upper right", ncols=2)
    caption(fig, "Wherever a decay starts, the loss drops below the constant "
                 "run within its 100 updates.")
    return fig


def batch_figure(adam_best, adam_batches, sgd_best_batches, sgd_best):
    """Batch size and the rate on the noisy bowl: updates to the target loss
    (left) and the best rate (right) against the batch size."""
    updates, best = updates_to_target()
    b = np.array(BATCH_SIZES, dtype=float)
    crit = critical_batch(b, updates)
    fig, (ax_u, ax_r) = grid_figure(9.0, 3.9, 1, 2)
    ax_u.plot(b, updates, "o-", color=PALETTE["blue"], lw=2, label="SGD, best rate")
    ax_u.plot(b, updates[0] * b[0] / b, color=PALETTE["black"], lw=1.2,
              linestyle="--", label="perfect scaling (1/B)")
    ax_u.axvline(crit, color=PALETTE["vermillion"], lw=1.5, linestyle=":")
    ax_u.text(crit * 1.1, updates[0] * 0.5, f"critical\nbatch ~{crit:g}",
              color=PALETTE["vermillion"])
    ax_u.set_title("updates to reach the target loss")
    ax_u.set_ylabel("updates")
    ax_r.plot(sgd_best_batches, sgd_best, "o-", color=PALETTE["blue"], lw=2,
              label="SGD (exact)")
    ax_r.plot(sgd_best_batches, sgd_best[0] * np.asarray(sgd_best_batches)
              / sgd_best_batches[0], color=PALETTE["blue"], lw=1, linestyle="--",
              label="linear rule")
    ax_r.plot(adam_batches, adam_best, "s-", color=PALETTE["orange"], lw=2,
              label="Adam (measured)")
    ax_r.plot(adam_batches, adam_best[0] * np.sqrt(np.asarray(adam_batches)
                                                   / adam_batches[0]),
              color=PALETTE["orange"], lw=1, linestyle="-.", label="square-root rule")
    ax_r.set_title("best rate for a fixed number of samples")
    ax_r.set_ylabel("best learning rate")
    for ax in (ax_u, ax_r):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("batch size B (log scale)")
        ax.legend(loc="best")
    caption(fig, "Double the batch, double SGD's rate, halve the updates: "
                 "up to a critical batch.")
    return fig


class ValleyView:
    """The WSD panel's figure: one seeded WSD run in the valley (left; blue
    during its decay) and the expected loss of the three schedules (right)."""

    def __init__(self, steps, figure=live_figure):
        self.fig, (ax_path, ax_loss) = figure(width=9.0, height=3.8, ncols=2)
        draw_valley(ax_path)
        ax_path.set_autoscale_on(False)
        self.stable = ax_path.plot([], [], color=PALETTE["vermillion"], lw=0.7,
                                   label="WSD, before its decay")[0]
        self.decay = ax_path.plot([], [], color=PALETTE["blue"], lw=1.6,
                                  label="WSD, during its decay")[0]
        ax_path.legend(loc="lower right")
        ax_path.set_title("one WSD run (seed 0)")
        _loss_axis(ax_loss, steps)
        self.lines = {k: ax_loss.plot([], [], lw=2.2, label=KIND_LABELS[k],
                                      **KIND_STYLE[k])[0] for k in KINDS}
        self.start = ax_loss.axvline(0, color=PALETTE["black"], lw=1, linestyle=":")
        ax_loss.legend(loc="lower left")
        ax_loss.set_title("expected loss")
        self.fig.tight_layout()
        self.artists = [self.stable, self.decay, *self.lines.values(), self.start]

    def update(self, run):
        w, s = run.path, run.decay_start
        lo, hi = ACROSS
        across = np.clip(w[:, 0], lo - 1, hi + 1)
        self.stable.set_data(w[:s + 1, 1], across[:s + 1])
        self.decay.set_data(w[s:, 1], across[s:])
        k = np.arange(run.steps + 1)
        for kind, line in self.lines.items():
            line.set_data(k, _clip(run.total(kind)))
        self.start.set_xdata([s, s])


SF_STYLE = {
    "x": {"color": PALETTE["blue"], "linestyle": "-", "marker": "o"},
    "y": {"color": PALETTE["sky"], "linestyle": ":", "marker": "v"},
    "adam": {"color": PALETTE["grey"], "linestyle": "-", "marker": "s"},
    "adam_decay": {"color": PALETTE["vermillion"], "linestyle": "--", "marker": "D"},
}
SF_LABELS = {"x": "schedule-free: averaged x", "y": "schedule-free: iterate y",
             "adam": "Adam, constant", "adam_decay": "Adam, linear decay"}


class ScheduleFreeView:
    """The schedule-free panel's figure: mean loss per update at the chosen
    rate (left), and the final mean loss against the rate (right)."""

    def __init__(self, lrs, table, steps, figure=live_figure):
        self.fig, (ax_run, ax_rate) = figure(width=9.0, height=4.4, ncols=2)
        ax_run.set_yscale("log")
        ax_run.set_xlim(0, steps)
        ax_run.set_ylim(1e-3, 10)
        ax_run.set_autoscale_on(False)
        ax_run.set_xlabel("update k")
        ax_run.set_ylabel("mean loss (log scale)")
        ax_run.set_title("the run at this rate")
        self.lines, self.marks = {}, {}
        for key, style in SF_STYLE.items():
            line_style = {k: v for k, v in style.items() if k != "marker"}
            self.lines[key] = ax_run.plot([], [], lw=1.8, label=SF_LABELS[key],
                                          **line_style)[0]
            ax_rate.plot(lrs, table[key][:, -1], lw=1.5, ms=4, **style)
            self.marks[key] = ax_rate.plot([], [], ms=11, mfc="white", mew=2,
                                           color=style["color"],
                                           marker=style["marker"],
                                           linestyle="none")[0]
        self.fig.legend(handles=list(self.lines.values()), loc="lower center",
                        ncols=2, frameon=False)
        ax_rate.set_xscale("log")
        ax_rate.set_yscale("log")
        ax_rate.set_xlabel("learning rate (log scale)")
        ax_rate.set_ylabel(f"mean loss after {steps} updates")
        ax_rate.set_title("every rate (marker: this one)")
        ax_rate.set_autoscale_on(False)
        self.fig.tight_layout(rect=(0, 0.13, 1, 1))
        self.artists = [*self.lines.values(), *self.marks.values()]

    def update(self, result):
        for key, line in self.lines.items():
            loss = result["losses"][key]
            line.set_data(np.arange(len(loss)), np.clip(loss, 1e-4, 20))
            self.marks[key].set_data([result["lr"]], [loss[-1]])


DECAY_STYLE = {
    "adamw": ({"color": PALETTE["blue"], "linestyle": "-"}, "AdamW"),
    "predicted": ({"color": PALETTE["black"], "linestyle": ":"},
                  "(1 - lr x weight_decay)^k"),
    "adam_l2": ({"color": PALETTE["vermillion"], "linestyle": "--"},
                "Adam + L2 in the loss"),
    "adam": ({"color": PALETTE["grey"], "linestyle": "-."}, "Adam, no penalty"),
}


class DecayView:
    """The AdamW panel's figure: a weight the data does not need, per update
    at the chosen rate (left), and where it ends against the rate (right)."""

    def __init__(self, lrs, table, steps, figure=live_figure):
        self.fig, (ax_run, ax_rate) = figure(width=9.0, height=4.4, ncols=2)
        ax_run.set_xlim(0, steps)
        ax_run.set_ylim(-0.1, 1.1)
        ax_run.set_autoscale_on(False)
        ax_run.set_xlabel("update k")
        ax_run.set_ylabel("the weight")
        ax_run.set_title("a weight the data does not need")
        self.lines, self.marks = {}, {}
        for key, (style, label) in DECAY_STYLE.items():
            self.lines[key] = ax_run.plot([], [], lw=2.0, label=label, **style)[0]
            ax_rate.plot(lrs, table[key][:, -1], lw=1.8, **style)
            self.marks[key] = ax_rate.plot([], [], marker="o", ms=9, mfc="white",
                                           mew=2, color=style["color"],
                                           linestyle="none")[0]
        # below the plots: inside, the legend would cover a curve at some rate
        self.fig.legend(handles=list(self.lines.values()), loc="lower center",
                        ncols=2, frameon=False)
        ax_rate.set_xscale("log")
        ax_rate.set_xlabel("learning rate (log scale)")
        ax_rate.set_ylabel(f"the weight after {steps} updates")
        ax_rate.set_ylim(-0.1, 1.1)
        ax_rate.set_title("every rate (marker: this one)")
        ax_rate.set_autoscale_on(False)
        self.fig.tight_layout(rect=(0, 0.13, 1, 1))
        self.artists = [*self.lines.values(), *self.marks.values()]

    def update(self, result):
        for key, line in self.lines.items():
            w = result["weights"][key]
            line.set_data(np.arange(len(w)), w)
            self.marks[key].set_data([result["lr"]], [w[-1]])


#: How each outcome of a seed is drawn (line style and colour).
OUTCOME_STYLE = {
    "trained": {"color": PALETTE["blue"], "linestyle": "-"},
    "dead": {"color": PALETTE["vermillion"], "linestyle": "--"},
    "diverged": {"color": PALETTE["black"], "linestyle": ":"},
    "unsettled": {"color": PALETTE["orange"], "linestyle": "-."},
}


class WarmupView:
    """The warmup panel's figure: the rate per update (left) and each seed's
    full-batch loss (right), drawn by outcome (trained: solid; every ReLU of
    a layer dead: dashed)."""

    def __init__(self, seeds, steps, peak, figure=live_figure):
        self.fig, (ax_rate, ax_loss) = figure(width=9.0, height=3.6, ncols=2)
        self.steps = steps
        ax_rate.set_xlim(0, steps)
        ax_rate.set_ylim(0, 2.2)
        ax_rate.set_autoscale_on(False)
        ax_rate.set_xlabel("update k")
        ax_rate.set_ylabel("learning rate")
        ax_rate.set_title("the rate: linear warmup, then the peak")
        self.rate = ax_rate.plot([], [], color=PALETTE["blue"], lw=2.2)[0]
        ax_loss.set_xlim(0, steps)
        ax_loss.set_ylim(0.15, 1.2)
        ax_loss.set_autoscale_on(False)
        ax_loss.set_xlabel("update k")
        ax_loss.set_ylabel("full-batch loss")
        ax_loss.axhline(np.log(2), color=PALETTE["grey"], lw=1, linestyle=":")
        ax_loss.text(steps * 0.98, np.log(2) + 0.02, "ln 2", ha="right")
        self.lines = [ax_loss.plot([], [], lw=1.3)[0] for _ in range(seeds)]
        for name, style in OUTCOME_STYLE.items():
            ax_loss.plot([], [], lw=1.6, label=name, **style)
        ax_loss.legend(loc="upper right", ncols=2)
        self.title = ax_loss.set_title("")
        self.fig.tight_layout()
        self.artists = [self.rate, *self.lines]

    def update(self, runs):
        k = np.arange(len(runs.lrs) + 1)
        self.rate.set_data(k[:-1], runs.lrs)  # the rate of update k, from k = 0
        for line, loss, outcome in zip(self.lines, runs.losses, runs.outcomes):
            line.set_data(k, np.clip(np.nan_to_num(loss, nan=5.0), 0, 5))
            line.set(**OUTCOME_STYLE[outcome])
        self.title.set_text(f"{runs.optimizer}: {runs.count('trained')} of "
                            f"{len(runs.outcomes)} seeds trained")
        return True  # the title changed: draw the figure once


def sharpness_figure(trace):
    """The sharpness during warmup (median and range over seeds) against the
    ceiling 2/lr of the rate in force (``network.sharpness_during_warmup``)."""
    fig, ax = grid_figure(9.0, 3.8, 1, 1)
    at, s = np.asarray(trace.measured_at), np.asarray(trace.sharpness)
    ax.fill_between(at, s.min(axis=0), s.max(axis=0), color=PALETTE["sky"],
                    alpha=0.35, label=f"range over {len(s)} seeds")
    ax.plot(at, np.median(s, axis=0), color=PALETTE["blue"], lw=2.2,
            marker="o", ms=4, label="sharpness (median)")
    ceiling = np.asarray(trace.ceiling)
    ax.plot(at, ceiling, color=PALETTE["vermillion"], lw=2, linestyle="--",
            label="2 / (rate in force)")
    end = trace.runs.warmup_steps
    ax.axvline(end, color=PALETTE["black"], lw=1, linestyle=":")
    ax.text(end + 3, 7.5, "warmup ends")
    ax.set_ylim(0, 8)
    ax.set_xlim(0, at[-1])
    ax.set_xlabel("update k")
    ax.set_ylabel("sharpness (top Hessian eigenvalue)")
    ax.set_title(f"SGD, full batch, warmup to {trace.runs.peak_lr:g} over {end} "
                 "updates")
    ax.legend(loc="upper right")
    caption(fig, "The sharpness rises while the rate is small, then follows the "
                 "falling ceiling 2/lr down.")
    return fig


def network_batch_figure(sgd, adam):
    """The best rate and its near-best band against the batch size on the
    network, for SGD and Adam (``network.batch_rate_bands`` results), with
    the linear and square-root rules drawn from the smallest batch."""
    fig, axes = grid_figure(9.0, 3.8, 1, 2)
    for ax, bands, rule, name in ((axes[0], sgd, 1.0, "linear rule"),
                                  (axes[1], adam, 0.5, "square-root rule")):
        b = np.asarray(bands.batch_sizes, dtype=float)
        lo, hi = np.asarray(bands.bands).T
        ax.fill_between(b, lo, hi, color=PALETTE["sky"], alpha=0.4,
                        label=f"within {bands.margin:.0%} of the best")
        ax.plot(b, bands.best, "o-", color=PALETTE["blue"], lw=2,
                label=f"best rate ({len(bands.seeds)} seeds' mean loss)")
        ax.plot(b, bands.best[0] * (b / b[0]) ** rule, color=PALETTE["black"],
                lw=1.2, linestyle="--", label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("batch size (log scale)")
        ax.set_ylabel("learning rate (log scale)")
        title = "SGD" if bands.optimizer == "sgd" else "Adam"
        ax.set_title(f"{title}, {bands.epochs} epochs")
        ax.legend(loc="upper left")
    growth = adam.batch_sizes[-1] / adam.batch_sizes[0]
    caption(fig, "On the network SGD follows the linear rule to a batch of about 20; "
                 "Adam's best rate grows far less\nthan the batch (dashed: the "
                 f"square-root rule; the linear rule would be {growth:.0f}-fold).")
    return fig
