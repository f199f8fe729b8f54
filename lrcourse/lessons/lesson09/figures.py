"""Figures of lesson 09: the sharpness rising to 2/lr and hovering there."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from ...plotting import PALETTE, caption, course_style, live_figure
from .adam_edge import adam_edge_run
from .analysis import EDGE_BAND, edge_sweep, on_grid, trial_subset

#: Every static figure of the lesson is at most this wide (inches at 100 dpi).
WIDTH = 8.8

#: Fixed axis limits shared by the panel and the key figure.
SHARP_LIM = (0.0, 6.0)
LOSS_LIM = (0.2, 1.0)

#: How each outcome is drawn: colour, line style and marker all differ.
OUTCOME_STYLE = {
    "edge": {"color": PALETTE["blue"], "linestyle": "-", "marker": "o"},
    "below": {"color": PALETTE["orange"], "linestyle": "--", "marker": "s"},
    "dead": {"color": PALETTE["vermillion"], "linestyle": ":", "marker": "^"},
}
#: A second style for a second edge-of-stability curve in one plot.
EDGE_STYLE_2 = {"color": PALETTE["green"], "linestyle": "-.", "marker": "D"}
OUTCOME_LABEL = {"edge": "edge of stability", "below": "below the edge",
                 "dead": "dead ReLUs (loss ln 2)"}


def outcome(run):
    """``"edge"``, ``"below"`` or ``"dead"`` (a diverged run counts as dead)."""
    if run.stalled or run.diverged:
        return "dead"
    return "edge" if run.plateau() >= EDGE_BAND[0] * run.ceiling else "below"


def style_sharpness_axes(ax, steps):
    """Labels and fixed limits of a sharpness-against-update plot."""
    ax.set_xlim(0, steps)
    ax.set_ylim(*SHARP_LIM)
    ax.set_autoscale_on(False)
    ax.set_xlabel("update k")
    ax.set_ylabel("sharpness λ_max (no unit)")


def style_loss_axes(ax, steps):
    """Labels and fixed limits of a loss-against-update plot (log scale)."""
    ax.set_yscale("log")
    ax.set_xlim(0, steps)
    ax.set_ylim(*LOSS_LIM)
    ax.set_autoscale_on(False)
    ticks = [0.2, 0.3, 0.4, 0.6, 0.8, 1.0]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("update k")
    ax.set_ylabel("training loss (log scale)")


def plot_sharpness(ax, run, style, label=None):
    """The sharpness against the update, and the dashed 2/lr line in the same
    colour. Returns ``(curve, ceiling_line)``."""
    top = SHARP_LIM[1] * 1.02
    (curve,) = ax.plot(run.measured_at, np.minimum(run.sharpness, top), lw=1.4,
                       markersize=3, markevery=10, label=label, **style)
    (line,) = ax.plot([0, run.steps], [run.ceiling] * 2, lw=1.6,
                      color=style["color"], linestyle=(0, (6, 3)), alpha=0.8)
    return curve, line


def key_figure(curve_lrs, summary_lrs, steps=1000, seed=0):
    """Key figure: the sharpness against the update for a few rates (each with
    its 2/lr), their losses, and where the sharpness settles at every rate of
    ``summary_lrs``, against the curve 2/lr. Rates on the slider's range are
    taken at its nearest notch (``on_grid``).
    """
    curve_lrs = [on_grid(lr) for lr in curve_lrs]
    summary_lrs = [on_grid(lr) for lr in summary_lrs]
    X, y = trial_subset(n=420, seed=seed)
    runs = edge_sweep(list(curve_lrs), X, y, steps=steps, every=10, seed=seed)
    summary = edge_sweep(list(summary_lrs), X, y, steps=steps, every=50, seed=seed)
    fig, axes = mosaic_figure([["s", "l"], ["p", "p"]], height=7.6)
    ax_s, ax_l, ax_p = axes["s"], axes["l"], axes["p"]
    edge_seen = 0
    for run in runs:
        kind = outcome(run)
        style = OUTCOME_STYLE[kind]
        if kind == "edge":
            style = OUTCOME_STYLE["edge"] if edge_seen == 0 else EDGE_STYLE_2
            edge_seen += 1
        off = run.ceiling > SHARP_LIM[1]
        label = f"lr {run.lr:.3g}" + (f" (2/lr = {run.ceiling:.0f}, off scale)"
                                      if off else "")
        plot_sharpness(ax_s, run, style, label=label)
        ax_l.plot(np.arange(run.steps + 1), run.losses, lw=0.9,
                  color=style["color"], linestyle=style["linestyle"],
                  label=f"lr {run.lr:.3g}")
    style_sharpness_axes(ax_s, steps)
    ax_s.set_title("sharpness; dashed: its 2/lr")
    ax_s.plot([], [], color=PALETTE["black"], linestyle=(0, (6, 3)), lw=1.6,
              label="2/lr of the same colour")
    mark_overshoot(ax_s, runs)
    ax_s.legend(loc="lower right", fontsize=11)
    style_loss_axes(ax_l, steps)
    ax_l.legend(loc="upper right", fontsize=11)
    ax_l.set_title("loss: falls, but not every update")

    rates = np.array([r.lr for r in summary])
    grid = np.geomspace(rates.min() / 1.2, rates.max() * 1.2, 100)
    ax_p.plot(grid, 2.0 / grid, color=PALETTE["black"], lw=1.5, linestyle="--",
              label="2/lr")
    for kind in ("edge", "below", "dead"):
        pick = [r for r in summary if outcome(r) == kind]
        if pick:
            ax_p.plot([r.lr for r in pick], [r.plateau() for r in pick],
                      OUTCOME_STYLE[kind]["marker"], markersize=8,
                      color=OUTCOME_STYLE[kind]["color"], label=OUTCOME_LABEL[kind])
    ax_p.set_xscale("log")
    ax_p.set_yscale("log")
    for axis, ticks in ((ax_p.xaxis, [0.1, 0.2, 0.5, 1, 2]),
                        (ax_p.yaxis, [0.5, 1, 2, 4, 8, 16])):
        axis.set_ticks(ticks, [f"{t:g}" for t in ticks])
        axis.set_minor_locator(NullLocator())
    ax_p.set_xlabel("learning rate (log scale)")
    ax_p.set_ylabel(f"sharpness, median of updates {steps // 2}-{steps}")
    ax_p.set_title("where the sharpness settles")
    ax_p.legend(loc="lower left", fontsize=11)
    caption(fig, "Full-batch gradient descent on the reference network: the "
                 "sharpness climbs to about 2/lr\nand hovers there while the loss "
                 "keeps falling, unevenly.")
    return fig


def mark_overshoot(ax, runs):
    """Point at the first overshoot of the first edge-of-stability run whose
    sharpness passes 2/lr by more than 10% (the event of the next section)."""
    for run in runs:
        over = np.nonzero(run.sharpness > 1.1 * run.ceiling)[0]
        if outcome(run) == "edge" and over.size:
            i = over[0] + int(np.argmax(run.sharpness[over[0]:over[0] + 3]))
            at, value = run.measured_at[i], run.sharpness[i]
            text = f"overshoot to {value:.1f}\n(update {at}); the loss spikes next"
            ax.annotate(text,
                        xy=(at, value), xytext=(250, 4.25), va="bottom",
                        fontsize=11, arrowprops={"arrowstyle": "->", "lw": 1.2})
            return


def mosaic_figure(layout, height, width=WIDTH):
    """A static (Agg) figure in the course style with axes laid out by
    ``layout`` (matplotlib's ``subplot_mosaic``). Returns ``(fig, axes)``."""
    with course_style():
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplot_mosaic(layout)
    FigureCanvasAgg(fig)
    return fig, axes


class EdgeView:
    """The edge panel's figure: the sharpness against the update with the
    2/lr line, and the loss; styled by the run's outcome.
    ``update(run)`` takes an ``EdgeRun``."""

    def __init__(self, steps, figure=live_figure):
        self.fig, (ax_s, ax_l) = figure(width=WIDTH, height=3.9, ncols=2)
        style_sharpness_axes(ax_s, steps)
        style_loss_axes(ax_l, steps)
        self.sharp = ax_s.plot([], [], lw=1.4, **OUTCOME_STYLE["edge"],
                               markersize=3, markevery=10, label="sharpness")[0]
        self.ceiling = ax_s.plot([0, steps], [np.nan, np.nan], lw=2.0,
                                 color=PALETTE["black"], linestyle=(0, (6, 3)),
                                 label="2/lr")[0]
        ax_s.legend(loc="upper right", fontsize=11)
        self.loss = ax_l.plot([], [], lw=0.9, color=PALETTE["blue"])[0]
        self.title_s = ax_s.text(0.02, 0.97, "", transform=ax_s.transAxes, ha="left",
                                 va="top", fontsize=12)
        self.title_l = ax_l.text(0.98, 0.97, "", transform=ax_l.transAxes, ha="right",
                                 va="top", fontsize=12)
        self.fig.tight_layout()
        self.artists = [self.sharp, self.ceiling, self.loss, self.title_s,
                        self.title_l]
        self._kind = "edge"  # the style the legend shows

    def update(self, run):
        kind = outcome(run)
        style = OUTCOME_STYLE[kind]
        top = SHARP_LIM[1] * 1.02
        self.sharp.set_data(run.measured_at, np.minimum(run.sharpness, top))
        self.sharp.set(color=style["color"], linestyle=style["linestyle"],
                       marker=style["marker"])
        self.ceiling.set_ydata([min(run.ceiling, top)] * 2)
        self.loss.set_data(np.arange(len(run.losses)),
                           np.clip(run.losses, 0.5 * 0.2, 2.0))
        self.loss.set(color=style["color"], linestyle=style["linestyle"])
        self.title_s.set_text(f"lr = {run.lr:.3g}, 2/lr = {run.ceiling:.3g}")
        self.title_l.set_text(f"loss rose at {run.rises()} of {run.steps} updates"
                              if not run.stalled else "stalled at ln 2 = 0.693")
        if kind == self._kind:
            return False
        self._kind = kind  # the legend follows the curve's style
        self.sharp.axes.legend(loc="upper right", fontsize=11)
        return True


def stabilisation_figure(event):
    """The self-stabilisation event (a ``stabilisation_event``), update by
    update: the sharpness against 2/lr, the step along the sharpest
    direction, and the loss; the crossing, the return below 2/lr and the
    loss spike are marked."""
    updates = len(event.along_top)
    fig, axes = mosaic_figure([["s"], ["a"], ["l"]], height=8.6, width=8.6)
    k = np.arange(updates + 1)
    blue, orange, red = PALETTE["blue"], PALETTE["orange"], PALETTE["vermillion"]
    ax = axes["s"]
    ax.plot(k, event.sharpness, "-o", color=blue, markersize=3, lw=1.4,
            label="sharpness, measured at every update")
    ax.axhline(event.ceiling, color=PALETTE["black"], linestyle=(0, (6, 3)),
               lw=1.6, label=f"2/lr = {event.ceiling:.2f}")
    ax.set_ylabel("sharpness")
    axes["a"].bar(np.arange(updates), event.along_top, width=0.8, color=orange,
                  label="step along the sharpest direction")
    axes["a"].set_ylabel("step component")
    axes["l"].plot(k, event.losses, "-s", color=red, markersize=3, lw=1.4,
                   label="training loss")
    axes["l"].set_ylabel("loss")
    marks = [(event.crossing, "crosses 2/lr", "-."),
             (event.back_below, "back under 2/lr", ":"),
             (event.spike, "loss spike", "--")]
    for name, where in (("s", "lower right"), ("a", "lower left"),
                        ("l", "upper right")):
        axes[name].legend(loc=where, fontsize=11)
        for at, label, style in marks:
            axes[name].axvline(at, color=PALETTE["black"], linestyle=style, lw=1.3,
                               label=f"update {at}: {label}")
        axes[name].set_xlim(0, updates)
    handles = axes["l"].get_legend_handles_labels()
    fig.legend(handles[0][1:], handles[1][1:], loc="outside lower center",
               ncols=3, fontsize=11)
    axes["l"].set_xlabel("update k")
    axes["s"].set_title(f"lr = {event.lr:.3g}: the sharpness overshoots 2/lr, the "
                        "oscillation grows,\nthe loss spikes, the sharpness falls back")
    return fig


#: Adam's figure: one style per rate (colour, line style and marker differ).
ADAM_STYLES = (OUTCOME_STYLE["edge"], OUTCOME_STYLE["below"], EDGE_STYLE_2)


def adam_runs(lrs=(0.003, 0.01, 0.03), steps=1000, every=10, seed=0):
    """``adam_edge_run`` at each rate of ``lrs`` on the lesson's data."""
    X, y = trial_subset(n=420, seed=seed)
    return [adam_edge_run(lr, X, y, steps=steps, every=every, seed=seed)
            for lr in lrs]


def adam_figure(runs):
    """Left: Adam's preconditioned sharpness with each rate's 38/lr (dashed).
    Right: the plain sharpness of the same runs with each rate's 2/lr."""
    fig, axes = mosaic_figure([["p", "h"]], height=4.4)
    for run, style in zip(runs, ADAM_STYLES):
        line = {"lw": 1.3, "markersize": 4, "markevery": 10, **style}
        dash = {"color": style["color"], "linestyle": (0, (6, 3)), "lw": 1.6}
        axes["p"].plot(run.measured_at, run.preconditioned, **line,
                       label=f"lr {run.lr:g}")
        axes["p"].axhline(run.ceiling, **dash, label=f"38/lr = {run.ceiling:.0f}")
        axes["h"].plot(run.measured_at, run.sharpness, **line,
                       label=f"lr {run.lr:g}")
        axes["h"].axhline(2 / run.lr, **dash, label=f"2/lr = {2 / run.lr:.0f}")
    for name, title in (("p", "preconditioned sharpness\n(top eigenvalue of P⁻¹H)"),
                        ("h", "plain sharpness\n(top eigenvalue of H)")):
        ax = axes[name]
        ax.set_yscale("log")
        ax.set_xlim(0, runs[0].steps)
        ax.set_xlabel("update k")
        ax.set_title(title)
        ax.legend(loc="lower right", fontsize=11, ncols=2)
    axes["p"].set_ylim(50, 1e5)  # room for the spike of lr 0.01 and the legend
    axes["h"].set_ylim(1, 1e3)
    caption(fig, "Full-batch Adam (beta_1 = 0.9), live weights: at lr 0.01 and "
                 "0.03 the preconditioned sharpness\nhovers just under 38/lr "
                 "(at 0.003 it is still climbing); the plain sharpness does not "
                 "stop at 2/lr.")
    return fig
