"""Figures of lesson 09: the sharpness rising to 2/lr and hovering there."""

import numpy as np
from matplotlib.ticker import NullLocator

from ...plotting import PALETTE, caption, live_figure, static_figure
from .analysis import EDGE_BAND, edge_sweep, on_grid, trial_subset

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
    fig, (ax_s, ax_l, ax_p) = static_figure(width=12.0, height=4.2, ncols=3)
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
                  color=style["color"], linestyle=style["linestyle"])
    style_sharpness_axes(ax_s, steps)
    ax_s.set_title("sharpness; dashed: its 2/lr")
    ax_s.legend(loc="lower right", fontsize=11)
    style_loss_axes(ax_l, steps)
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
                 "sharpness climbs to about 2/lr and hovers there while the loss "
                 "keeps falling, unevenly.")
    return fig


class EdgeView:
    """The edge panel's figure: the sharpness against the update with the
    2/lr line, and the loss; styled by the run's outcome.
    ``update(run)`` takes an ``EdgeRun``."""

    def __init__(self, steps, figure=live_figure):
        self.fig, (ax_s, ax_l) = figure(width=10.0, height=3.9, ncols=2)
        style_sharpness_axes(ax_s, steps)
        style_loss_axes(ax_l, steps)
        self.sharp = ax_s.plot([], [], lw=1.4, **OUTCOME_STYLE["edge"],
                               markersize=3, markevery=10)[0]
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

    def update(self, run):
        style = OUTCOME_STYLE[outcome(run)]
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
