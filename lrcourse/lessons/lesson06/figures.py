"""Figures of lesson 06: what momentum and Adam make of a learning rate."""

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure

from ...optimizers import SGD, Adam
from ...plotting import PALETTE, caption, course_style, live_figure, static_figure
from ...problems import Quadratic
from ...readouts import lr_grid
from ...regimes import eigen_coordinates
from .analysis import first_updates, largest_stable_lr, run_rates
from .valley import (
    REDUCTION,
    START,
    best_plain,
    measured_updates,
    run_valley,
    tuned_momentum,
    valley,
)

BETA_STYLES = (
    {"color": PALETTE["orange"], "linestyle": "--"},
    {"color": PALETTE["green"], "linestyle": "-."},
    {"color": PALETTE["blue"], "linestyle": "-"},
    {"color": PALETTE["purple"], "linestyle": ":"},
)
#: The panels' two curves: with momentum (or Adam), and plain SGD.
MOMENTUM_STYLE = {"color": PALETTE["blue"], "linestyle": "-", "marker": "o"}
PLAIN_STYLE = {"color": PALETTE["orange"], "linestyle": "--", "marker": "s"}
RATE_STYLES = (
    {"color": PALETTE["sky"], "linestyle": "--", "marker": "s"},
    {"color": PALETTE["blue"], "linestyle": "-", "marker": "o"},
    {"color": PALETTE["vermillion"], "linestyle": ":", "marker": "^"},
)


def draw_shrink_factors(ax, curvature=10.0, momenta=(0.0, 0.5, 0.8), steps=400):
    """Measured shrink factor per update against the rate, one curve per
    momentum, with each largest stable rate (bisection) marked."""
    problem = Quadratic(curvature=curvature)
    grid = lr_grid(-3.0, -0.2, 0.005)
    limits = []
    for beta, style in zip(momenta, BETA_STYLES):
        runs = run_rates(problem, SGD(momentum=beta), grid, steps, 1.0)
        limit = largest_stable_lr(problem, SGD(momentum=beta), grid[0], grid[-1])
        limits.append(limit)
        ax.plot(grid, np.clip(runs.convergence_factors(), 0, 1.6), lw=2,
                label=f"β = {beta:g}: stable for lr < {limit:.3f}", **style)
        ax.plot([limit], [1.0], "o", color=style["color"], markersize=7)
    ax.axhline(1.0, color=PALETTE["black"], lw=1, linestyle=":")
    ax.set_xscale("log")
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(0.0, 1.6)
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("shrink factor per update")
    ax.set_title(f"SGD with momentum β on a bowl, λ = {curvature:g}")
    ax.legend(loc="lower left", fontsize=11)
    return limits


def draw_first_updates(ax, lr=1e-3):
    """Size of the first update against the gradient's size, Adam and SGD."""
    grads = np.logspace(-8, 4, 121)
    adam = np.abs(first_updates(Adam(lr=lr), grads))
    sgd = np.abs(first_updates(SGD(lr=lr), grads))
    ax.loglog(grads, sgd, lw=2, label="SGD: lr x gradient", color=PALETTE["orange"],
              linestyle="--")
    ax.loglog(grads, adam, lw=2.5, label="Adam", color=PALETTE["blue"])
    ax.axhline(lr, color=PALETTE["black"], lw=1, linestyle=":")
    ax.text(2e-8, lr * 1.6, f"lr = {lr:g}", fontsize=12)
    ax.set_xlim(grads[0], grads[-1])
    ax.set_ylim(1e-12, 1e2)
    ax.set_xlabel("first gradient (log scale)")
    ax.set_ylabel("size of the first update")
    ax.set_title(f"the first update at lr = {lr:g}")
    ax.legend(loc="upper left", fontsize=11)
    return adam, sgd


def draw_network_rates(ax, history):
    """Training loss per epoch of the reference network, one line per rate
    (a ``SweepHistory`` from ``sweep_fit(..., optimizer="adam")``)."""
    loss = history["loss"]
    epochs = np.arange(1, loss.shape[1] + 1)
    for lr, row, acc, style in zip(history.lrs, loss, history["accuracy"][:, -1],
                                   RATE_STYLES):
        ax.plot(epochs, row, lw=1.8, markersize=4, markevery=3,
                label=f"lr {lr:g}: accuracy {100 * acc:.0f}%", **style)
    ax.set_xlim(0.5, epochs[-1] + 0.5)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.set_title("Adam on the reference network")
    ax.legend(loc="lower left", fontsize=11)


def draw_valley_distance(ax, kappa=100.0, steps=400):
    """Distance to the minimum per update in the valley: plain descent at its
    best rate against tuned momentum (log scale)."""
    bowl = valley(kappa)
    plain_lr, plain_factor = best_plain(bowl.curvatures)
    lr, beta, factor = tuned_momentum(bowl.curvatures)
    k = np.arange(steps + 1)
    counts = {}
    for name, rate, mom, fac in (("plain", plain_lr, 0.0, plain_factor),
                                 ("momentum", lr, beta, factor)):
        runs = run_valley(bowl, rate, mom, steps)
        counts[name] = int(measured_updates(runs)[0])
        label = (f"plain, lr {rate:.3f}: ×{fac:.3f}/update" if name == "plain"
                 else f"β {mom:.2f}, lr {rate:.2f}: ×{fac:.3f}/update")
        ax.plot(k, np.clip(runs.distances()[0], ERROR_FLOOR * 0.5, ERROR_TOP * 2),
                lw=1.8, ms=4, markevery=25, label=label,
                linestyle="--" if name == "plain" else "-",
                **VALLEY_RUN_STYLES[name])
    ax.set_yscale("log")
    ax.set(xlim=(0, steps), ylim=(ERROR_FLOOR, ERROR_TOP), xlabel="update k",
           ylabel="distance to the minimum")
    ax.set_title(f"the valley, κ = {kappa:g}")
    ax.legend(loc="lower left", fontsize=11)
    return counts


def key_figure(history, curvature=10.0, momenta=(0.0, 0.5, 0.8), lr=1e-3,
               kappa=100.0):
    """Key figure: momentum's stable range and its speed in a valley; Adam's
    first step, and Adam's rate on the reference network (2 x 2, 900 px)."""
    with course_style():
        fig = Figure(figsize=(8.7, 7.6), layout="constrained")
        axes = fig.subplots(2, 2)
    FigureCanvasAgg(fig)
    draw_shrink_factors(axes[0, 0], curvature, momenta)
    counts = draw_valley_distance(axes[0, 1], kappa)
    draw_first_updates(axes[1, 0], lr)
    draw_network_rates(axes[1, 1], history)
    caption(fig, "Momentum widens the stable range, and tuned it crosses the valley "
                 f"in {counts['momentum']} updates, not {counts['plain']};\nAdam's "
                 "first update is about lr at any gradient, yet its rate still "
                 "decides the outcome.")
    return fig


def _fixed(*axes):
    for ax in axes:
        ax.set_autoscale_on(False)


class MomentumView:
    """The momentum panel's figure: the weight and the loss per update with
    and without momentum, and the shrink factor per update of every rate.

    ``update(point)`` takes a ``MomentumPoint``; the momentum curve of the
    right plot is redrawn only when the momentum changed.
    """

    def __init__(self, runs, figure=live_figure):
        self.fig, ax = figure(width=9.0, height=6.4, ncols=1)
        ax.remove()
        with course_style():
            axes = self.fig.subplot_mosaic([["w", "f"], ["map", "map"]])
        ax_w, ax_f, ax_map = axes["w"], axes["f"], axes["map"]
        grid, shown = runs.lrs, runs.shown
        self.k = np.arange(shown + 1)
        for ax, ylabel in ((ax_w, "weight w (no unit)"), (ax_f, "loss after update k")):
            ax.set_xlim(-1, shown + 1)
            ax.set_xlabel("update k")
            ax.set_ylabel(ylabel)
        ax_w.set_ylim(-2.6, 2.6)
        ax_w.axhline(0.0, color=PALETTE["grey"], lw=1)
        ax_f.set_yscale("log")
        ax_f.set_ylim(1e-12, 1e3)
        ax_map.set_xscale("log")
        ax_map.set_xlim(grid[0], grid[-1])
        ax_map.set_ylim(0.0, 1.6)
        ax_map.set_xlabel("learning rate (log scale)")
        ax_map.set_ylabel("shrink factor per update")
        ax_map.axhline(1.0, color=PALETTE["black"], lw=1, linestyle=":")
        ax_map.text(grid[0] * 1.3, 1.04, "above 1: unstable", fontsize=12)
        ax_map.plot(grid, np.clip(runs.plain.convergence_factors(), 0, 1.6), lw=2,
                    label="plain", color=PLAIN_STYLE["color"], linestyle="--")
        _fixed(ax_w, ax_f, ax_map)
        mk = {"markersize": 4, "lw": 1.2}
        self.w_plain = ax_w.plot([], [], label="plain (β = 0)", **mk, **PLAIN_STYLE)[0]
        self.w_mom = ax_w.plot([], [], label="with momentum", **mk,
                               **MOMENTUM_STYLE)[0]
        self.f_plain = ax_f.plot([], [], **mk, **PLAIN_STYLE)[0]
        self.f_mom = ax_f.plot([], [], **mk, **MOMENTUM_STYLE)[0]
        self.rises = ax_f.plot([], [], "^", markersize=7, mfc="none", mew=1.5,
                               color=PALETTE["vermillion"])[0]
        self.map_mom = ax_map.plot([], [], lw=2, label="with momentum",
                                   color=MOMENTUM_STYLE["color"])[0]
        self.marker = ax_map.plot([], [], color=PALETTE["black"], lw=1.5,
                                  label="the slider's rate")[0]
        ax_w.legend(loc="upper right", fontsize=12)
        ax_map.legend(loc="lower left", fontsize=12, framealpha=0.95)
        self.title = ax_w.set_title("")
        ax_f.set_title("loss per update (△: it rose)")
        ax_map.set_title("stable where below 1")
        self.fig.tight_layout()
        self.artists = [self.w_plain, self.w_mom, self.f_plain, self.f_mom,
                        self.rises, self.map_mom, self.marker, self.title]
        self.grid, self.mom = grid, None

    def update(self, point):
        i, n, mom = point.i, len(self.k), point.mom
        if mom is not self.mom:
            self.map_mom.set_data(self.grid,
                                  np.clip(mom.convergence_factors(), 0, 1.6))
            self.mom = mom
        self.marker.set_data([self.grid[i]] * 2, [0.0, 1.6])
        for line, runs in ((self.w_plain, point.plain), (self.w_mom, mom)):
            line.set_data(self.k, np.clip(runs.weights[i, :n], -2.6, 2.6))
        for line, runs in ((self.f_plain, point.plain), (self.f_mom, mom)):
            line.set_data(self.k, np.clip(runs.losses[i, :n], 1e-12, 1e3))
        loss = mom.losses[i, :n]
        with np.errstate(invalid="ignore"):
            up = np.flatnonzero(loss[1:] > loss[:-1]) + 1
        self.rises.set_data(up, np.clip(loss[up], 1e-12, 1e3))
        self.title.set_text(f"lr = {point.lr:.4g}, β = {point.momentum:.2f}")


class AdamView:
    """The Adam panel's figure: the weight and the size of each update of
    Adam and SGD at one rate; ``update(point)`` takes an ``AdamPoint``."""

    def __init__(self, steps, figure=live_figure):
        self.fig, (ax_w, ax_s) = figure(width=9.0, height=3.8, ncols=2)
        self.steps = steps
        ax_w.set_xlim(-1, steps + 1)
        ax_w.set_ylim(-3.2, 3.2)
        ax_w.axhline(0.0, color=PALETTE["grey"], lw=1)
        ax_w.set_xlabel("update k")
        ax_w.set_ylabel("weight w (no unit)")
        ax_s.set_yscale("log")
        ax_s.set_xlim(0, steps + 1)
        ax_s.set_ylim(1e-8, 1e3)
        ax_s.set_xlabel("update k")
        ax_s.set_ylabel("size of the update |change|")
        _fixed(ax_w, ax_s)
        mk = {"markersize": 3, "lw": 1.2}
        self.w_sgd = ax_w.plot([], [], label="SGD", **mk, **PLAIN_STYLE)[0]
        self.w_adam = ax_w.plot([], [], label="Adam", **mk, **MOMENTUM_STYLE)[0]
        self.s_sgd = ax_s.plot([], [], label="SGD", **mk, **PLAIN_STYLE)[0]
        self.s_adam = ax_s.plot([], [], label="Adam", **mk, **MOMENTUM_STYLE)[0]
        self.rate = ax_s.plot([], [], color=PALETTE["black"], lw=1.5, linestyle=":",
                              label="the rate lr")[0]
        ax_w.legend(loc="upper right", fontsize=12)
        ax_s.legend(loc="upper right", fontsize=11, framealpha=0.95)
        self.title = ax_w.set_title("")
        ax_s.set_title("update sizes")
        self.fig.tight_layout()
        self.artists = [self.w_sgd, self.w_adam, self.s_sgd, self.s_adam, self.rate,
                        self.title]

    def update(self, point):
        i, k = point.i, np.arange(self.steps + 1)
        self.w_adam.set_data(k, np.clip(point.adam.weights[i], -3.2, 3.2))
        self.w_sgd.set_data(k, np.clip(point.sgd.weights[i], -3.2, 3.2))
        self.s_adam.set_data(k[1:], np.clip(point.adam.step_sizes()[i], 1e-8, 1e3))
        self.s_sgd.set_data(k[1:], np.clip(point.sgd.step_sizes()[i], 1e-8, 1e3))
        self.rate.set_data([0, self.steps + 1], [point.lr, point.lr])
        self.title.set_text(f"lr = {point.lr:.4g}, λ = {point.lam:.4g}")


# -- what momentum is for: the long, narrow valley ---------------------------

#: The valley's two runs (plain descent, momentum) and its two directions.
VALLEY_RUN_STYLES = {
    "plain": {"color": PALETTE["orange"], "marker": "s"},
    "momentum": {"color": PALETTE["blue"], "marker": "o"},
}
DIRECTION_STYLES = {"flat": {"linestyle": "-"}, "steep": {"linestyle": ":"}}
#: The map's colours (viridis, colour-blind safe); grey where it diverges.
FACTOR_CMAP = colormaps["viridis"].with_extremes(over=PALETTE["grey"])
#: The map's bands of factor per update (finer near 1, where runs crawl).
FACTOR_BANDS = (0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 0.999, 1.0)
VALLEY_XLIM, VALLEY_YLIM = (-4.0, 4.0), (-4.0, 4.0)
#: The error plots' vertical range (distance along a direction, log scale).
ERROR_FLOOR, ERROR_TOP = 1e-8, 10.0


def draw_valley(ax, bowl, levels=(0.05, 0.2, 0.6, 1.5, 3.0, 6.0, 12.0, 24.0)):
    """Contours of the valley's loss; returns the contour set."""
    x = np.linspace(*VALLEY_XLIM, 161)
    y = np.linspace(*VALLEY_YLIM, 161)
    grid = np.stack(np.meshgrid(x, y), axis=-1)
    contours = ax.contour(x, y, bowl.loss(grid), levels=levels,
                          colors=PALETTE["grey"], linewidths=0.9)
    ax.plot([0.0], [0.0], "+", color=PALETTE["black"], ms=10, mew=2)
    ax.set(xlim=VALLEY_XLIM, ylim=VALLEY_YLIM, xlabel="weight w1",
           ylabel="weight w2", aspect="equal")
    return contours


def _clip_path(weights):
    w = np.asarray(weights, dtype=float)
    return (np.clip(w[:, 0], VALLEY_XLIM[0] - 0.1, VALLEY_XLIM[1] + 0.1),
            np.clip(w[:, 1], VALLEY_YLIM[0] - 0.1, VALLEY_YLIM[1] + 0.1))


def _drawn_path(weights, full=150, most=600):
    """The panel's path, drawn cheaply and legibly: every update of the first
    ``full``, then pairs of consecutive updates at a stride (a pair crosses
    the valley, so a zig-zag stays a zig-zag), at most about ``most`` points."""
    w = np.asarray(weights, dtype=float)
    if len(w) <= most:
        return _clip_path(w)
    stride = 2 * int(np.ceil((len(w) - full) / (most - full)))
    late = np.arange(full, len(w), stride)
    keep = np.concatenate([np.arange(full), np.ravel([late, late + 1], "F")])
    return _clip_path(w[keep[keep < len(w)]])


def setup_errors(ax, steps, reduction, start_distance):
    """The axes of the error split into the two eigen-directions."""
    ax.set_yscale("log")
    ax.set(xlim=(0, steps), ylim=(ERROR_FLOOR, ERROR_TOP), xlabel="update k",
           ylabel="|distance| along direction")
    tol = reduction * start_distance
    ax.axhline(tol, color=PALETTE["black"], lw=1.2, linestyle="--",
               label=f"tolerance: start distance / {1 / reduction:g}")
    ax.set_autoscale_on(False)


def _error_data(along, k):
    return k, np.clip(along, ERROR_FLOOR * 0.5, ERROR_TOP * 2)


def valley_figure(kappa=100.0, steps=400):
    """Plain descent at its best rate against tuned momentum on the valley of
    condition number ``kappa``: paths on the contours, and each run's
    distance along the flat and the steep direction per update."""
    bowl = valley(kappa)
    lam = bowl.curvatures
    plain_lr, plain_factor = best_plain(lam)
    lr, beta, factor = tuned_momentum(lam)
    fig, (ax_p, ax_e) = static_figure(width=8.7, height=4.2, ncols=2,
                                      gridspec_kw={"width_ratios": [1, 1.25]})
    draw_valley(ax_p, bowl)
    setup_errors(ax_e, steps, REDUCTION, float(np.hypot(*START)))
    k = np.arange(steps + 1)
    counts = {}
    for name, (rate, mom, fac) in {"plain": (plain_lr, 0.0, plain_factor),
                                   "momentum": (lr, beta, factor)}.items():
        runs = run_valley(bowl, rate, mom, steps)
        counts[name] = int(measured_updates(runs)[0])
        style = VALLEY_RUN_STYLES[name]
        label = (f"plain, lr {rate:.3f}" if name == "plain" else
                 f"momentum, lr {rate:.3f}, β {mom:.3f}")
        ax_p.plot(*_clip_path(runs.weights[0]), lw=1.2, ms=3, markevery=4,
                  label=label, **style)
        along = np.abs(eigen_coordinates(bowl, runs.weights[0]))
        for j, direction in enumerate(("flat", "steep")):
            ax_e.plot(*_error_data(along[:, j], k), lw=1.6, ms=4,
                      markevery=25, color=style["color"], marker=style["marker"],
                      label=f"{name}: {direction} (factor {fac:.3f})"
                      if j == 0 else f"{name}: {direction}",
                      **DIRECTION_STYLES[direction])
    ax_p.set_title(f"the paths, κ = {kappa:g}")
    ax_p.legend(loc="upper left", fontsize=11, framealpha=0.95)
    ax_e.set_title(f"reaching the tolerance: {counts['plain']} updates against "
                   f"{counts['momentum']}")
    ax_e.legend(loc="lower left", fontsize=11, ncol=1, framealpha=0.95)
    caption(fig, f"κ = {kappa:g}: plain descent's best factor {plain_factor:.3f} "
                 f"per update against tuned momentum's {factor:.3f}.")
    return fig, counts


class ValleyView:
    """The valley panel's figure: the path on the contours, the distance along
    the flat and the steep direction per update (log scale), and the map of
    the factor per update over (rate, momentum) with the optimum (star),
    plain descent's best (square) and the current point (circle).

    ``update(point)`` takes a ``ValleyPoint``; a new valley (kappa) redraws
    the contours and the map and asks for a full redraw (returns True).
    """

    def __init__(self, compute, reduction, start_distance, figure=live_figure):
        self.fig, ax = figure(width=9.0, height=6.6, ncols=1)
        ax.remove()
        with course_style():
            axes = self.fig.subplot_mosaic([["path", "map"], ["error", "error"]],
                                           height_ratios=[1.15, 1])
        self.ax_p, self.ax_m, ax_e = axes["path"], axes["map"], axes["error"]
        self.ax_e = ax_e
        self.exps = np.log10(compute.lrs)
        self.momenta, self.steps = compute.momenta, compute.steps
        setup_errors(ax_e, self.steps, reduction, start_distance)
        self._setup_map()
        self.k = np.arange(self.steps + 1)
        # thin and see-through, markers on the first 12 updates only: the
        # opening zig-zag stays visible where hundreds of updates overlap
        self.path = self.ax_p.plot([], [], lw=0.5, ms=3, alpha=0.8,
                                   markevery=slice(0, 12),
                                   **VALLEY_RUN_STYLES["momentum"])[0]
        self.lines = [ax_e.plot([], [], lw=1.6, color=PALETTE[c], label=label,
                                **DIRECTION_STYLES[d])[0]
                      for d, c, label in (("flat", "blue", "flat direction (λmin)"),
                                          ("steep", "vermillion",
                                           "steep direction (λmax)"))]
        ax_e.legend(loc="upper right", fontsize=11, framealpha=0.95)
        self.now = self.ax_m.plot([], [], "o", ms=12, mfc="none", mew=2.5,
                                  color=PALETTE["black"], label="the sliders")[0]
        self.ax_m.legend(loc="lower left", fontsize=11, framealpha=0.95)
        self.ax_p.set_title("the path on the valley's contours")
        ax_e.set_title("the distance to the minimum, split into the two directions")
        self.fig.tight_layout()
        self.artists = [self.path, *self.lines, self.now]
        self._map, self._contours = None, None

    def _setup_map(self):
        ax, exps, momenta = self.ax_m, self.exps, self.momenta
        step = (exps[1] - exps[0]) / 2
        self.image = ax.imshow(np.zeros((len(momenta), len(exps))), origin="lower",
                               aspect="auto", cmap=FACTOR_CMAP,
                               norm=BoundaryNorm(FACTOR_BANDS, FACTOR_CMAP.N),
                               interpolation="nearest",
                               extent=(exps[0] - step, exps[-1] + step,
                                       momenta[0] - 0.005, momenta[-1] + 0.005))
        bar = self.fig.colorbar(self.image, ax=ax, extend="max", pad=0.02,
                                ticks=FACTOR_BANDS[1:-1], spacing="uniform")
        bar.set_label("factor per update (grey: ≥ 1)")
        ticks = [t for t in (0.001, 0.01, 0.1, 1.0) if exps[0] <= np.log10(t)
                 <= exps[-1]]
        ax.set_xticks(np.log10(ticks), [f"{t:g}" for t in ticks])
        ax.set(xlabel="learning rate (log scale)", ylabel="momentum β")
        ax.grid(False)
        self.optimum = ax.plot([], [], "*", ms=16, color=PALETTE["yellow"],
                               mec=PALETTE["black"], label="tuned momentum")[0]
        self.plain = ax.plot([], [], "s", ms=9, color=PALETTE["orange"],
                             mec=PALETTE["black"], label="plain descent's best")[0]

    def _draw_map(self, vmap):
        if self._contours is not None:
            self._contours.remove()
        self._contours = draw_valley(self.ax_p, vmap.bowl)
        self.image.set_data(np.where(vmap.factors >= 1.0, 2.0, vmap.factors))
        lr, beta, _ = vmap.tuned
        self.optimum.set_data([np.log10(lr)], [beta])
        self.plain.set_data([np.log10(vmap.plain[0])], [0.0])
        self._map = vmap

    def update(self, point):
        new_map = point.map is not self._map
        if new_map:
            self._draw_map(point.map)
            self.k = np.arange(len(point.weights))
            self.ax_e.set_xlim(0, len(point.weights) - 1)
        self.path.set_data(*_drawn_path(point.weights))
        for line, along in zip(self.lines, point.along.T):
            line.set_data(*_error_data(along, self.k))
        self.now.set_data([np.log10(point.lr)], [point.momentum])
        return new_map
