"""Lesson 09 panel: full-batch training with the sharpness traced (on release)."""

import ipywidgets as W
import numpy as np

from ...plotting import PALETTE, Blitter, live_figure
from ...readouts import grid_index, lr_grid
from ...widgets import Panel, log_slider, pre, readout
from .analysis import LR_MAX, LR_MIN, LR_STEP, edge_readout, edge_run, trial_subset
from .figures import (
    OUTCOME_STYLE,
    SHARP_LIM,
    outcome,
    style_loss_axes,
    style_sharpness_axes,
)

__all__ = ["LR_MAX", "LR_MIN", "LR_STEP", "edge_panel"]


def edge_panel(lr=0.5011872336272722, steps=1000, every=10, n=420, seed=0):
    """Full-batch gradient descent on the reference network at the slider's
    rate: the sharpness against the update with the 2/lr line, and the loss.

    The slider acts on release: the readout says "training..." while the run
    (about 0.3-0.5 s) is computed; runs are kept, so a revisited rate is
    instant. Returns a ``Panel`` with the control ``lr``.
    """
    X, y = trial_subset(n=n, seed=seed)
    grid = lr_grid(LR_MIN, LR_MAX, LR_STEP)
    controls = {"lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP,
                                 continuous_update=False)}
    fig, (ax_s, ax_l) = live_figure(width=10.0, height=3.9)
    style_sharpness_axes(ax_s, steps)
    style_loss_axes(ax_l, steps)
    (sharp_line,) = ax_s.plot([], [], lw=1.4, **OUTCOME_STYLE["edge"],
                              markersize=3, markevery=10)
    (ceiling,) = ax_s.plot([0, steps], [np.nan, np.nan], lw=2.0,
                           color=PALETTE["black"], linestyle=(0, (6, 3)),
                           label="2/lr")
    ax_s.legend(loc="upper right", fontsize=11)
    (loss_line,) = ax_l.plot([], [], lw=0.9, color=PALETTE["blue"])
    title_s = ax_s.text(0.02, 0.97, "", transform=ax_s.transAxes, ha="left",
                        va="top", fontsize=12)
    title_l = ax_l.text(0.98, 0.97, "", transform=ax_l.transAxes, ha="right",
                        va="top", fontsize=12)
    fig.tight_layout()

    text = readout()
    runs = {}  # grid index -> EdgeRun, so a revisited rate costs nothing

    def update(panel):
        rate = controls["lr"].value
        i = grid_index(rate, LR_MIN, LR_STEP, len(grid))
        if i not in runs:
            text.value = pre("training...")  # shown while the run is computed
            runs[i] = edge_run(float(grid[i]), X, y, steps=steps, every=every,
                               seed=seed, iterations=5)
        run = runs[i]
        kind = outcome(run)
        style = OUTCOME_STYLE[kind]
        top = SHARP_LIM[1] * 1.02
        sharp_line.set_data(run.measured_at, np.minimum(run.sharpness, top))
        sharp_line.set(color=style["color"], linestyle=style["linestyle"],
                       marker=style["marker"])
        ceiling.set_ydata([min(run.ceiling, top)] * 2)
        k = np.arange(len(run.losses))
        loss_line.set_data(k, np.clip(run.losses, 0.5 * 0.2, 2.0))
        loss_line.set(color=style["color"], linestyle=style["linestyle"])
        title_s.set_text(f"lr = {run.lr:.3g}, 2/lr = {run.ceiling:.3g}")
        title_l.set_text(f"loss rose at {run.rises()} of {run.steps} updates"
                         if not run.stalled else "stalled at ln 2 = 0.693")
        message = edge_readout(run)
        text.value = pre(message)
        return message

    blitter = Blitter(fig, [sharp_line, ceiling, loss_line, title_s, title_l])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 09: the sharpness during full-batch training")
    panel.runs = runs
    panel.layout = W.VBox([controls["lr"], fig.canvas, text])
    panel.update()
    return panel
