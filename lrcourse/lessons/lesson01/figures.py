"""Figures of lesson 01: the path of gradient descent on a bowl, the panel's view."""

import numpy as np

from ...descent import classify_lr, gradient_descent
from ...plotting import (
    PALETTE,
    REGIME_STYLE,
    caption,
    clip_path,
    live_figure,
    loss_curve,
    static_figure,
)


def three_rates_figure(problem, lrs, steps, start, lo=-4.5, hi=4.5):
    """Key figure: the same bowl and start at three rates, side by side."""
    fig, axes = static_figure(width=8.8, height=3.8, ncols=len(lrs), sharey=True)
    w, f = loss_curve(problem, lo, hi)
    top = float(f.max())
    for ax, lr in zip(axes, lrs):
        tr = gradient_descent(problem, lr=lr, steps=steps, start=start)
        regime = classify_lr(lr, problem.curvature)
        ax.plot(w, f, color=PALETTE["grey"], lw=2)
        ax.set_ylim(-0.03 * top, top * 1.05)
        ax.set_autoscaley_on(False)
        xs, ys = clip_path(tr.weights, tr.losses, lo, hi, ax)
        ax.plot(xs, ys, markersize=5, lw=1.2, **REGIME_STYLE[regime])
        ax.set_xlim(lo, hi)
        ax.set_title(f"lr = {lr:g}: {regime}")
        ax.set_xlabel("weight w (no unit)")
        end = (f"diverged at update {tr.diverged_at}" if tr.diverged
               else f"loss after {tr.steps} updates:\n{tr.final_loss:.2g}")
        ax.text(0.5, 0.95, end, transform=ax.transAxes, ha="center", va="top",
                fontsize=12)
    axes[0].set_ylabel("loss f(w)")
    caption(fig, f"Gradient descent on f(w) = w² from w = {start:g}, "
                 f"{steps} updates: too small crawls; past 1/λ it "
                 "overshoots, yet still converges.")
    return fig


def step_sizes(trace):
    """Absolute size of each applied change (for the shrinking-steps plot)."""
    return np.abs(np.asarray(trace.updates, dtype=float))


class DescentView:
    """The descent panel's figure: the path on the bowl and the loss per
    update, each with the highlighted update ringed (a ``DescentRun``)."""

    def __init__(self, problem, lo=-4.5, hi=4.5):
        self.lo, self.hi = lo, hi
        self.fig, (self.ax_path, ax_loss) = live_figure(width=8.8, height=3.8)
        ax = self.ax_path
        w, f = loss_curve(problem, lo, hi)
        top = float(f.max())
        ax.plot(w, f, color=PALETTE["grey"], lw=2, zorder=1)
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.03 * top, 1.05 * top)
        ax.set_autoscaley_on(False)
        ax.set_xlabel("weight w (no unit)")
        ax.set_ylabel("loss f(w)")
        (self.path,) = ax.plot([], [], markersize=5, lw=1.2, zorder=3)
        (self.current,) = ax.plot([], [], "o", markersize=13, mfc="none", mew=2.5,
                                  color=PALETTE["black"], zorder=4)
        (self.step_line,) = ax.plot([], [], "-", lw=3, color=PALETTE["green"],
                                    zorder=2)
        ax_loss.set_yscale("log")
        ax_loss.set_ylim(1e-12, 1e4)
        ax_loss.set_xlim(-0.5, 50.5)
        ax_loss.set_autoscale_on(False)
        ax_loss.set_xlabel("update k")
        ax_loss.set_ylabel("loss after update k")
        (self.loss_line,) = ax_loss.plot([], [], markersize=4, lw=1.2)
        (self.loss_now,) = ax_loss.plot([], [], "o", markersize=11, mfc="none",
                                        mew=2.5, color=PALETTE["black"])
        # a placeholder title sizes the layout
        self.title = ax.set_title("lr = 0.1: monotone")
        self.fig.tight_layout()
        self.artists = [self.path, self.current, self.step_line, self.loss_line,
                        self.loss_now, self.title]
        self._trace = None
        self._xy = None

    def update(self, run):
        if run.trace is not self._trace:  # a new run, not just a new highlight
            self._draw_run(run)
        xs, ys = self._xy
        k, tr = run.shown, run.trace
        self.current.set_data([xs[k]], [ys[k]])
        if k >= 1:
            self.step_line.set_data([xs[k - 1], xs[k]], [ys[k - 1], ys[k - 1]])
        else:
            self.step_line.set_data([], [])
        self.loss_now.set_data([k], [np.clip(tr.losses[k], 1e-12, 1e4)])

    def _draw_run(self, run):
        tr = run.trace
        self._trace = tr
        self._xy = clip_path(tr.weights, tr.losses, self.lo, self.hi, self.ax_path)
        style = REGIME_STYLE[run.regime]
        self.path.set_data(*self._xy)
        k = np.arange(len(tr.losses))
        self.loss_line.set_data(k, np.clip(tr.losses, 1e-12, 1e4))
        for line in (self.path, self.loss_line):
            line.set(color=style["color"], linestyle=style["linestyle"],
                     marker=style["marker"])
        self.title.set_text(f"lr = {run.lr:.4g}: {run.regime}")
