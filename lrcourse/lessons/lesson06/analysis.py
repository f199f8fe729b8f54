"""Lesson 06: what momentum and Adam do with a rate: first steps, steady steps."""

import functools
from dataclasses import dataclass

import numpy as np

from ..._validate import (
    check_count,
    check_finite,
    check_fraction,
    check_has,
    check_lrs,
    check_positive,
)
from ...data import MinMaxScaler, make_drug_trial
from ...engine import rate_at
from ...model import reference_model
from ...optimizers import SGD, Adam
from ...problems import Quadratic
from ...readouts import grid_index, lr_grid, what_happened
from ...stability import (  # noqa: F401 (the lesson's stability tools)
    RateRuns,
    check_optimizer,
    largest_stable_lr,
    momentum_limit,
    run_rates,
)
from ...training import sweep_fit
from .valley import (  # the valley's analysis lives in its own module
    Valley,
    best_plain,
    heavy_ball_factor,
    tuned_momentum,
    updates_to,
    valley,
    valley_readout,
)


def first_updates(optimizer, grads):
    """The first change a fresh copy of ``optimizer`` applies to weights
    whose first gradients are ``grads`` (one weight per gradient).

    >>> from lrcourse import Adam, SGD
    >>> [f"{abs(c):.6f}" for c in first_updates(Adam(lr=1e-3), [0.002, 50.0])]
    ['0.000998', '0.001000']
    >>> [f"{abs(c):.6f}" for c in first_updates(SGD(lr=1e-3), [0.002, 50.0])]
    ['0.000002', '0.050000']

    The weights are taken as 0, so AdamW's weight decay adds nothing.
    """
    g = np.asarray(grads, dtype=float).ravel()
    if g.size == 0 or not np.all(np.isfinite(g)):
        raise ValueError(f"grads must be a non-empty list of finite numbers, "
                         f"got {grads!r}")
    opt = check_optimizer(optimizer)
    w = np.zeros_like(g)  # the weights (AdamW's decay and schedule-free read them)
    changes, _ = opt.update([g], opt.init([w]), rate_at(opt.rate, 0), [w])
    return changes[0]


def dead_units_after(runs, lr, X, seed=0):
    """The fraction of dead ReLUs in each hidden layer of the reference
    network (``reference_model(seed)``) after the run of ``runs`` (a
    ``SweepHistory`` of ``sweep_fit``) at rate ``lr``, on the inputs ``X``."""
    i = np.flatnonzero(np.isclose(runs.lrs, lr, rtol=1e-9))
    if i.size == 0:
        raise ValueError(f"lr must be one of the swept rates {runs.lrs.tolist()}, "
                         f"got {lr!r}")
    model = reference_model(seed=seed)
    model.set_weights(model.views(runs.weights[int(i[0])]))
    return model.dead_units(X)


#: The reference network's rates for Adam and the seeds they are run over.
ADAM_RATES, ADAM_SEEDS = (1e-5, 1e-3, 0.3), (0, 1, 2, 3, 4)
#: A run whose final loss is above this has stalled (ln 2 = 0.693: chance).
STALLED_LOSS = 0.6


@dataclass(frozen=True)
class SeedSweep:
    """Adam on the reference network at ``lrs``, once per seed (the initial
    weights and the mini-batch order), on the same trial data ``X``:
    ``runs[i]`` is seed ``seeds[i]``'s ``sweep_fit`` history."""

    lrs: tuple
    seeds: tuple
    X: np.ndarray
    runs: tuple

    def of_seed(self, seed):
        """The ``sweep_fit`` history of one seed."""
        return self.runs[list(self.seeds).index(seed)]

    def final(self, metric="loss"):
        """The last epoch's ``metric``, one row per seed, one column per rate."""
        return np.array([r[metric][:, -1] for r in self.runs])

    def dead_units(self, lr):
        """Per seed, the fraction of dead ReLUs in each hidden layer after
        the run at ``lr``."""
        return np.array([dead_units_after(r, lr, self.X, seed=s)
                         for r, s in zip(self.runs, self.seeds)])

    def stalled(self, lr):
        """Per seed, whether the run at ``lr`` ended above ``STALLED_LOSS``."""
        i = list(self.lrs).index(lr)
        return self.final()[:, i] > STALLED_LOSS


def adam_over_seeds(lrs=ADAM_RATES, seeds=ADAM_SEEDS, epochs=30, batch_size=10,
                    data_seed=0):
    """Adam on lesson 05's reference network and trial data (``data_seed``)
    at every rate of ``lrs``, once per seed of ``seeds``; cached."""
    lrs = tuple(float(v) for v in check_lrs(lrs))
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds must be a sequence of integers >= 0, got {seeds!r}")
    seeds = tuple(check_count("seeds", s, minimum=0) for s in seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    return _adam_over_seeds(lrs, seeds, check_count("epochs", epochs),
                            check_count("batch_size", batch_size),
                            check_count("data_seed", data_seed, minimum=0))


@functools.lru_cache(maxsize=4)
def _adam_over_seeds(lrs, seeds, epochs, batch_size, data_seed):
    (ages, labels), _ = make_drug_trial(seed=data_seed)
    X = MinMaxScaler().fit_transform(ages)
    runs = tuple(sweep_fit(reference_model(seed=s), X, labels, list(lrs),
                           optimizer="adam", batch_size=batch_size,
                           epochs=epochs, seed=s) for s in seeds)
    return SeedSweep(lrs, seeds, X, runs)


def seed_spread(sweep):
    """Lines of text: per rate, the final loss and accuracy over the seeds."""
    check_has("sweep", sweep, ("lrs", "final"), "an adam_over_seeds result")
    loss, acc = sweep.final("loss"), sweep.final("accuracy")
    lines = []
    for j, lr in enumerate(sweep.lrs):
        each = ", ".join(f"{v:.3f}" for v in loss[:, j])
        lines.append(f"Adam lr {lr:g}: final training loss {loss[:, j].min():.3f} to "
                     f"{loss[:, j].max():.3f} (seeds: {each}), accuracy "
                     f"{100 * acc[:, j].min():.0f} to {100 * acc[:, j].max():.0f}%")
    return lines


def steady_step_ratio(momentum, lr=0.01, grad=1.0, steps=200):
    """How many times ``lr x grad`` the step of ``SGD(lr, momentum)`` becomes
    when the gradient stays the same (a long, even slope); ``1/(1 - beta)``
    in the limit.

    >>> f"{steady_step_ratio(0.9):.3f}"
    '10.000'
    """
    momentum = check_fraction("momentum", momentum)
    lr = check_positive("lr", lr)
    grad = check_positive("grad", grad)
    steps = check_count("steps", steps)
    opt = SGD(lr=lr, momentum=momentum)
    g = [np.array([grad])]
    state = opt.init(g)
    for _ in range(steps):
        (change,), state = opt.update(g, state, lr)
    return float(abs(change[0]) / (lr * grad))


class MomentumPoint:
    """What the momentum panel shows: grid rate ``i`` of the runs with
    momentum (``mom``) and without (``plain``)."""

    def __init__(self, i, lr, momentum, curvature, mom, plain, shown):
        self.i, self.lr, self.momentum = i, lr, momentum
        self.curvature, self.mom, self.plain, self.shown = curvature, mom, plain, shown

    def __repr__(self):
        return f"MomentumPoint(lr={self.lr:.4g}, momentum={self.momentum:.2f})"


class MomentumRuns:
    """The momentum panel's compute: for each momentum ``SGD(momentum=beta)``
    runs every rate of the grid ``10 ** (min_exp + i * step)`` in one
    vectorized pass (the last 25 momenta are kept), then looks rates up.

    >>> runs = MomentumRuns((-2.0, -1.0, 0.5), curvature=10.0, start=1.0)
    >>> runs(lr=0.1, momentum=0.5).lr
    0.1
    """

    KEEP = 25

    def __init__(self, grid, curvature=10.0, start=1.0, steps=240, shown=60):
        self.grid = grid
        self.lrs = lr_grid(*grid)
        self.curvature = check_positive("curvature", curvature)
        self.problem = Quadratic(curvature=curvature, minimum=0.0)
        self.start = check_finite("start", start)
        self.steps, self.shown = check_count("steps", steps), shown
        self._runs = {}
        self.plain = self.runs(0.0)

    def runs(self, momentum):
        """The ``RateRuns`` of every grid rate at this momentum."""
        key = round(float(momentum), 4)
        if key not in self._runs:
            if len(self._runs) >= self.KEEP:
                self._runs.pop(next(iter(self._runs)))
            self._runs[key] = run_rates(self.problem, SGD(momentum=key), self.lrs,
                                        self.steps, self.start)
        return self._runs[key]

    def __call__(self, lr, momentum):
        i = grid_index(lr, self.grid[0], self.grid[2], len(self.lrs))
        return MomentumPoint(i, float(self.lrs[i]), momentum, self.curvature,
                             self.runs(momentum), self.plain, self.shown)


def _verdict(runs, i, factor):
    if runs.diverged_at[i]:
        return f"unstable: diverged at update {runs.diverged_at[i]}"
    if factor >= 1.0:
        return f"unstable: the distance grows x{factor:.4f} per update"
    return f"stable: the distance shrinks x{factor:.4f} per update"


def momentum_readout(point):
    """The momentum panel's text for a ``MomentumPoint``."""
    check_has("point", point, ('mom', 'plain', 'i', 'shown'), "a MomentumPoint")
    mom, plain, i, shown = point.mom, point.plain, point.i, point.shown
    f_mom = float(mom.convergence_factors()[i])
    f_plain = float(plain.convergence_factors()[i])
    rises = int(mom.loss_rises(shown)[i])
    rises_plain = int(plain.loss_rises(shown)[i])
    lines = [
        f"lr = {point.lr:.4g}   momentum beta = {point.momentum:.2f}   lr x lambda = "
        f"{point.lr * point.curvature:.3f}   (lambda = {point.curvature:g})",
        f"with momentum:    {_verdict(mom, i, f_mom)}",
        f"                  loss rose on {rises} of the first {shown} updates",
        f"plain (beta = 0): {_verdict(plain, i, f_plain)}",
        f"                  loss rose on {rises_plain} of the first {shown} updates",
    ]
    if not (mom.diverged_at[i] or plain.diverged_at[i]):
        big_m = float(np.nanmax(mom.step_sizes()[i, :shown]))
        big_p = float(np.nanmax(plain.step_sizes()[i, :shown]))
        lines.append(
            f"largest step: {big_m:.4g} with momentum, {big_p:.4g} without "
            f"({big_m / big_p:.2f}x; 1/(1 - beta) = {1 / (1 - point.momentum):.2f})")
    return "\n".join(lines)


class AdamPoint:
    """What the Adam panel shows: grid rate ``i`` of the Adam and SGD runs on
    the bowl of curvature ``lam``."""

    def __init__(self, i, lr, lam, start, adam, sgd):
        self.i, self.lr, self.lam, self.start = i, lr, lam, start
        self.adam, self.sgd = adam, sgd

    def __repr__(self):
        return f"AdamPoint(lr={self.lr:.4g}, curvature={self.lam:.4g})"


class AdamRuns:
    """The Adam panel's compute: Adam and plain SGD run at every rate of
    ``rates`` on bowls of every curvature of ``curvatures`` (both log grids
    ``(min_exp, max_exp, step)``) when it is built, then looked up.

    >>> runs = AdamRuns((-3.0, -2.0, 1.0), (0.0, 1.0, 1.0), steps=5)
    >>> runs(lr=0.01, curvature=10.0)
    AdamPoint(lr=0.01, curvature=10)
    """

    def __init__(self, rates, curvatures, start=1.0, steps=100):
        self.rates, self.curvatures = rates, curvatures
        self.lrs, self.lams = lr_grid(*rates), lr_grid(*curvatures)
        self.start = check_finite("start", start)
        self.steps = check_count("steps", steps)
        self.runs = [(run_rates(Quadratic(curvature=float(lam)), Adam(), self.lrs,
                                steps, start),
                      run_rates(Quadratic(curvature=float(lam)), SGD(), self.lrs,
                                steps, start)) for lam in self.lams]

    def __call__(self, lr, curvature):
        i = grid_index(lr, self.rates[0], self.rates[2], len(self.lrs))
        j = grid_index(curvature, self.curvatures[0], self.curvatures[2],
                       len(self.lams))
        return AdamPoint(i, float(self.lrs[i]), float(self.lams[j]), self.start,
                         *self.runs[j])


def _farthest(runs, i):
    d = runs.distances()[i]
    d = d[np.isfinite(d)]
    far = f"{float(d.max()):.3g}"
    return f"{far} before diverging" if runs.diverged_at[i] else far


def adam_readout(point):
    """The Adam panel's text for an ``AdamPoint``."""
    check_has("point", point, ('adam', 'sgd', 'i', 'lr', 'start'), "a AdamPoint")
    adam, sgd, i, lr, start = point.adam, point.sgd, point.i, point.lr, point.start
    a1 = abs(float(adam.updates[i, 0]))
    s1 = abs(float(sgd.updates[i, 0]))
    g1 = point.lam * abs(start)
    return "\n".join([
        f"lr = {lr:.4g}   curvature lambda = {point.lam:.4g}   "
        f"first gradient lambda x w0 = {g1:.4g}",
        f"first update  Adam: {a1:.6g} ({a1 / lr:.3f} x lr)   "
        f"SGD: {s1:.6g} (lr x gradient)",
        f"Adam: {what_happened(adam.trace(i))}",
        f"SGD:  {what_happened(sgd.trace(i))}",
        f"farthest from the minimum (start: {abs(start):.3g}): "
        f"Adam {_farthest(adam, i)}, SGD {_farthest(sgd, i)}",
    ])


__all__ = [
    "AdamRuns",
    "Valley",
    "best_plain",
    "heavy_ball_factor",
    "tuned_momentum",
    "updates_to",
    "valley",
    "valley_readout",
    "MomentumRuns",
    "RateRuns",
    "adam_readout",
    "dead_units_after",
    "momentum_readout",
    "first_updates",
    "largest_stable_lr",
    "momentum_limit",
    "run_rates",
    "steady_step_ratio",
]
