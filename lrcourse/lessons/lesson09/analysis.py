"""The edge of stability: full-batch gradient descent with the sharpness traced.

On a bowl of curvature lambda, gradient descent diverges once
``lr > 2/lambda`` (lesson 02). A network's loss is no bowl: its curvature
changes as the weights move. Run full-batch gradient descent on the
reference network and measure the *sharpness* (the largest eigenvalue of the
loss's Hessian, see ``lrcourse.hessian``) every few updates: it climbs until
it reaches about ``2/lr`` and then hovers there, while the loss keeps
falling, though no longer at every update (Cohen et al., "Gradient Descent
on Neural Networks Typically Occurs at the Edge of Stability", ICLR 2021).

>>> X, y = trial_subset(n=420)
>>> run = edge_run(0.7943282347242815, X, y, steps=200, every=50)
>>> run.sharpness.shape
(5,)
"""

import math

import numpy as np

from ... import hessian
from ..._validate import check_count, check_has, check_model_data, check_positive
from ...data import trial_data
from ...engine import Watch
from ...model import LN2, reference_model
from ...readouts import grid_index, lr_grid

#: The lesson's rate slider: 10 ** (-0.3 + 0.05 i), from 0.501 to 1.413.
LR_MIN, LR_MAX, LR_STEP = -0.3, 0.15, 0.05


def on_grid(lr: float) -> float:
    """``lr`` moved to the nearest rate of the slider's grid when it lies on the
    slider's range (within half a notch), else ``lr`` as given: lessons write
    0.5 for the notch 10 ** -0.3 = 0.50118...

    >>> on_grid(0.5), on_grid(0.1)
    (0.5011872336272722, 0.1)
    """
    lr = check_positive("lr", lr)
    grid = lr_grid(LR_MIN, LR_MAX, LR_STEP)
    i = grid_index(lr, LR_MIN, LR_STEP, len(grid))
    return float(grid[i]) if abs(math.log10(lr / grid[i])) <= LR_STEP / 2 else lr

#: A plateau within this band of 2/lr (as a fraction of it) counts as the edge.
EDGE_BAND = (0.9, 1.1)


def trial_subset(n=420, seed=0):
    """The first ``n`` samples of the trial's training set, ages scaled to [0, 1].

    The training set comes shuffled, so its first samples are a fair subset;
    the scaler is fitted on the whole training set, as in lesson 05.

    Returns ``(X, y)``: X of shape (n, 1), y of shape (n,).
    """
    n = check_count("n", n, minimum=2)
    data = trial_data(seed)
    if n > len(data.y):
        raise ValueError(f"n must be an integer in 2..{len(data.y)}, got {n}")
    return data.X[:n], data.y[:n]


class EdgeRun:
    """One full-batch run: the loss at every update and the sharpness traced.

    Attributes:
        lr: the rate; ``ceiling`` is ``2 / lr``.
        losses: the loss before each update and after the last (steps + 1).
        measured_at: the updates at which the sharpness was measured.
        sharpness: the sharpness there (largest Hessian eigenvalue).
        diverged_at: the 1-based update that ran away, or None.
        dead: the fraction of dead units of each ReLU layer at the end.
    """

    def __init__(self, lr, losses, measured_at, sharpness, diverged_at, dead,
                 accuracy):
        self.lr = lr
        self.losses = losses
        self.measured_at = measured_at
        self.sharpness = sharpness
        self.diverged_at = diverged_at
        self.dead = dead
        self.accuracy = accuracy

    @property
    def ceiling(self):
        """``2 / lr``: the largest curvature a bowl could have and stay stable."""
        return 2.0 / self.lr

    @property
    def steps(self):
        return len(self.losses) - 1

    @property
    def diverged(self):
        return self.diverged_at is not None

    @property
    def stalled(self):
        """True if the loss froze at ln 2: (nearly) all ReLUs dead, the network
        predicting the same for everyone."""
        if self.diverged:
            return False
        tail = self.losses[-max(2, self.steps // 10):]
        return bool(abs(self.losses[-1] - LN2) < 1e-3 and np.ptp(tail) < 1e-9)

    def plateau(self, start=None):
        """The median sharpness from update ``start`` on (default: the second
        half of the run), the level where it hovers."""
        start = self.steps // 2 if start is None else start
        values = self.sharpness[self.measured_at >= start]
        values = values[np.isfinite(values)]
        return float(np.median(values)) if values.size else float("nan")

    def rises(self):
        """How many updates made the loss go up (not down)."""
        d = np.diff(self.losses)
        return int(np.sum(d[np.isfinite(d)] > 0))

    def __repr__(self):
        return (f"EdgeRun(lr={self.lr:.4g}, {self.steps} updates, plateau "
                f"{self.plateau():.3f}, 2/lr {self.ceiling:.3f})")


def edge_run(lr, X, y, steps=1000, every=10, seed=0, iterations=5):
    """Full-batch gradient descent on the reference network, sharpness traced.

    Args:
        lr: the rate, > 0.
        X, y: the whole training batch (every update uses all of it).
        steps: number of updates.
        every: measure the sharpness every this many updates (and at the end).
        seed: the network's initial weights (``reference_model(seed=...)``).
        iterations: Lanczos iterations per measurement; each starts from the
            previous top eigenvector, so a few suffice (the first gets 30).

    Returns an ``EdgeRun``. A run that blows up stops at the update that ran
    away; it is a result, not an error.
    """
    lr = check_positive("lr", lr)
    steps = check_count("steps", steps)
    every = check_count("every", every)
    iterations = check_count("iterations", iterations, minimum=2)
    model = reference_model(seed=seed, optimizer="sgd", lr=lr)
    X, y, _ = check_model_data(model, X, y)
    Xd, yd, share = hessian.distinct(X, y)  # same loss, fewer rows
    measured = np.arange(0, steps + 1, every)
    if measured[-1] != steps:
        measured = np.append(measured, steps)
    losses, sharp, watch = _descend_traced(model, lr, steps, Xd, yd, share,
                                           measured, iterations)
    dead, accuracy = [], float("nan")
    if not watch.at[0]:
        dead = model.dead_units(X)
        accuracy = model.evaluate(X, y)[1]
    return EdgeRun(lr, losses, measured, sharp, watch.diverged_at[0], dead,
                   accuracy)


def _descend_traced(model, lr, steps, Xd, yd, share, measured, iterations):
    """Full-batch descent from ``model``'s weights (left on the last ones),
    with the sharpness measured at the updates in ``measured``."""
    w = model.flat.copy()
    losses = np.full(steps + 1, np.nan)
    sharp = np.full(len(measured), np.nan)
    watch, vector, j = Watch(1), None, 0
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            loss, grad = hessian.gradient(model, w, Xd, yd, share)
            losses[k] = loss
            if k == 0:
                watch.start(loss)
            elif watch.check(k, loss, w):
                break
            if k == measured[j]:
                n_iter = 30 if vector is None else iterations
                sharp[j], vector = hessian.top_eigenvalue(
                    model, w, Xd, yd, iterations=n_iter, start=vector,
                    weights=share)
                j += 1
            if k < steps:
                w = w - lr * grad  # the update, with every sample in the batch
    model.flat[...] = w
    return losses, sharp, watch


def verdict(run):
    """One line naming what the run shows: the edge, below it, or dead ReLUs."""
    check_has("run", run, ("diverged", "stalled", "ceiling"), "an EdgeRun")
    if run.diverged:
        return f"diverged at update {run.diverged_at}"
    if run.stalled:
        return "stalled: dead ReLUs, the loss froze at ln 2"
    ratio = run.plateau() / run.ceiling
    if ratio >= EDGE_BAND[0]:
        where = ("to about 2/lr and hovers there" if ratio <= EDGE_BAND[1]
                 else "past 2/lr and hovers above it")
        return f"edge of stability: the sharpness climbed {where}"
    return "below the edge: the sharpness stays well under 2/lr"


def edge_sweep(lrs, X, y, steps=1000, every=10, seed=0):
    """``edge_run`` at each rate, all from the same initial weights."""
    if np.ndim(lrs) != 1 or len(lrs) == 0:
        raise ValueError(f"lrs must be a non-empty 1-D list of rates, got {lrs!r}")
    return [edge_run(float(lr), X, y, steps=steps, every=every, seed=seed)
            for lr in lrs]


class EdgeRuns:
    """The edge panel's compute: ``edge_run`` at the slider's grid rate
    nearest ``lr`` on the first ``n`` samples of the trial data.

    >>> runs = EdgeRuns(n=420, steps=20, every=10)
    >>> runs(lr=0.8)
    EdgeRun(lr=0.7943, 20 updates, plateau 3.175, 2/lr 2.518)
    """

    def __init__(self, n=420, seed=0, steps=1000, every=10, iterations=5):
        self.X, self.y = trial_subset(n=n, seed=seed)
        self.lrs = lr_grid(LR_MIN, LR_MAX, LR_STEP)
        self.seed, self.steps, self.every = seed, steps, every
        self.iterations = iterations

    def __call__(self, lr):
        i = grid_index(check_positive("lr", lr), LR_MIN, LR_STEP, len(self.lrs))
        return edge_run(float(self.lrs[i]), self.X, self.y, steps=self.steps,
                        every=self.every, seed=self.seed, iterations=self.iterations)


def edge_readout(run):
    """The lesson 09 readout for one run (plain text, several lines)."""
    check_has("run", run, ("lr", "ceiling", "losses"), "an EdgeRun")
    head = (f"lr = {run.lr:.4g}   2/lr = {run.ceiling:.3f}   "
            f"({run.steps} full-batch updates)")
    if run.diverged:
        return "\n".join([head, f"diverged at update {run.diverged_at}"])
    first, last = run.losses[0], run.losses[-1]
    if run.stalled:
        dead = ", ".join(f"{100 * d:.0f}% of layer {i + 1}"
                         for i, d in enumerate(run.dead))
        return "\n".join([
            head,
            f"stalled: dead ReLUs, loss ln 2 = {LN2:.3f} (from {first:.3f}); "
            f"accuracy {100 * run.accuracy:.1f}%",
            f"dead units: {dead}",
            f"sharpness {run.sharpness[-1]:.3f}: only the output bias's curvature "
            "is left; no edge of stability",
        ])
    plateau = run.plateau()
    top = float(np.nanmax(run.sharpness))
    return "\n".join([
        head,
        verdict(run),
        f"sharpness: {run.sharpness[0]:.3f} at the start; over the 2nd half "
        f"median {plateau:.3f} = {plateau / run.ceiling:.2f} x 2/lr, "
        f"peak {top:.3f}",
        f"loss: {first:.4f} -> {last:.4f}, " + (
            f"yet it rose at {run.rises()} of {run.steps} updates" if run.rises()
            else "falling at every update"),
    ])
