"""Gradient noise and the loss floor: a noisy bowl and real mini-batches.

With noise in every gradient, gradient descent no longer settles at the
minimum: each update adds a random kick of size ``lr x noise`` while the pull
back shrinks the distance by ``1 - lr x lambda``. The two balance at a spread
that grows with the rate, so the loss hovers at a *floor* instead of falling
for ever. This module computes that floor in closed form for a bowl, measures
it by simulation (many rates in one vectorized pass) and measures it on
mini-batches of the drug-trial data with the package's own training loop.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np

from ..._validate import check_count, check_has, check_positive, check_rng, read_only
from ...data import trial_data
from ...descent import gradient_descent, sweep
from ...engine import check_rates, descend, start_weights
from ...model import distinct_rows, reference_model
from ...optimizers import SGD
from ...problems import (
    Quadratic,
    noise_floor,  # noqa: F401 (the lesson's floor formula)
)
from ...readouts import grid_index, lr_grid
from ...training import sweep_fit


def settle_updates(lr, curvature, start, floor):
    """Updates until the noise-free part of the loss falls below a tenth of
    ``floor`` (how long a run needs before it hovers); inf if never."""
    shrink = abs(1.0 - lr * curvature)
    start_loss = 0.5 * curvature * start**2
    if shrink >= 1.0 or not floor > 0 or not np.isfinite(floor):
        return float("inf")
    if start_loss <= 0.1 * floor:
        return 0.0
    if shrink == 0.0:
        return 1.0
    return float(np.log(0.1 * floor / start_loss) / (2.0 * np.log(shrink)))


class NoisySweep:
    """Noisy gradient descent at many rates; row ``i`` belongs to ``lrs[i]``.

    ``losses`` has shape (rates, runs, steps + 1), NaN after a run diverged;
    ``diverged_at[i][j]`` is run ``j`` of rate ``i``'s 1-based diverging
    update, None if it did not diverge; ``diverged`` says per rate whether
    any of its runs did. Every rate sees the same noise draws, so rates
    differ in nothing but the rate.
    """

    def __init__(self, lrs, losses, diverged_at, noise, curvature):
        self.lrs = lrs
        self.losses = losses
        runs = losses.shape[1]
        self.diverged_at = tuple(tuple(diverged_at[i:i + runs])
                                 for i in range(0, len(diverged_at), runs))
        self.diverged = np.array([any(d is not None for d in row)
                                  for row in self.diverged_at])
        self.noise = noise
        self.curvature = curvature

    @property
    def steps(self):
        return self.losses.shape[2] - 1

    def floor(self, last=None):
        """Per rate, the mean loss over the last ``last`` updates and all runs
        (NaN where a run diverged). Default: the second half of the run."""
        last = self.steps // 2 if last is None else check_count("last", last)
        if last > self.steps:
            raise ValueError(f"last must be <= steps = {self.steps}, got {last}")
        tail = self.losses[:, :, -last:]
        out = tail.mean(axis=(1, 2))
        out[self.diverged] = np.nan
        return out

    def rise_fraction(self, last=None):
        """Per rate, the share of the last ``last`` updates after which the
        loss was higher than before (NaN where a run diverged)."""
        last = self.steps // 2 if last is None else check_count("last", last)
        if last > self.steps:
            raise ValueError(f"last must be <= steps = {self.steps}, got {last}")
        tail = self.losses[:, :, -last - 1:]
        with np.errstate(invalid="ignore"):
            rose = np.diff(tail, axis=2) > 0
        out = rose.mean(axis=(1, 2))
        out[self.diverged] = np.nan
        return out

    def __repr__(self):
        return (f"NoisySweep({len(self.lrs)} rates x {self.losses.shape[1]} runs, "
                f"{self.steps} updates, noise {self.noise:g}, "
                f"{int(self.diverged.sum())} rates diverged)")


def noisy_sweep(problem, lrs, steps, start, *, noise, rng, runs=1):
    """Noisy gradient descent ``w <- w - lr (grad(w) + noise xi)`` at many
    rates in one vectorized pass.

    With ``runs=1`` each row repeats exactly what
    ``gradient_descent(problem, lr, steps, start, noise=noise, rng=seed)``
    computes for the same seed; ``runs > 1`` adds independent repeats (one
    column of draws each) for a steadier average.

    >>> from lrcourse import Quadratic
    >>> s = noisy_sweep(Quadratic(1.0), [0.05, 0.1], 4000, 2.0, noise=1.0,
    ...                 rng=0, runs=8)
    >>> [f"{v:.3f}" for v in s.floor()]
    ['0.012', '0.026']
    """
    if getattr(problem, "ndim", 1) != 1:
        raise ValueError("problem must be a 1-D loss such as lrcourse.Quadratic")
    lrs_arr = check_rates(lrs)
    steps = check_count("steps", steps)
    runs = check_count("runs", runs)
    noise = check_positive("noise", noise, allow_zero=True)
    rng = check_rng(rng)
    w0 = start_weights(start, 1)
    run = descend(problem, lrs_arr, steps, w0, noise=noise, rng=rng, runs=runs)
    losses = run.losses.reshape(lrs_arr.size, runs, steps + 1)
    return NoisySweep(lrs_arr, losses, run.diverged_at, noise,
                      getattr(problem, "curvature", float("nan")))


# -- real mini-batches --------------------------------------------------------

#: Every batch size gets the same number of updates (a multiple of 2,100 / B
#: for each of the panel's batch sizes), the first ``SETTLE`` left out.
UPDATES, SETTLE = 840, 210

#: The falling-rate plan that trains the reference network near the bottom of
#: its valley before the floors are measured: (lr, batch_size, epochs, momentum).
SETTLE_PLAN = ((0.3, 10, 8, 0.0), (0.03, 10, 3, 0.0), (0.1, 300, 40, 0.9),
               (0.2, 700, 200, 0.9), (0.2, 700, 30, 0.0))


@functools.lru_cache(maxsize=4)
def _settled_flat(seed):
    data = trial_data(seed)
    X, labels = data.X, data.y
    model = reference_model(seed=seed, optimizer="sgd", lr=0.3)
    for lr, batch_size, epochs, momentum in SETTLE_PLAN:
        model.compile(optimizer=SGD(lr=lr, momentum=momentum),
                      metrics=["accuracy"])
        model.fit(X, labels, batch_size=batch_size, epochs=epochs, seed=seed,
                  trace=False)
    return read_only(model.flat.copy())


def settled_reference(seed=0):
    """The reference network trained down its valley, and its scaled data.

    Trains with plain and momentum SGD, the rate and the noise falling stage
    by stage (``SETTLE_PLAN``; about a second, cached), so that every rate
    measured afterwards starts from the same low loss.

    Returns ``(model, X, y)``: the model (compiled with SGD), the training
    ages min-max scaled to [0, 1] and the labels.
    """
    seed = check_count("seed", seed, minimum=0)
    data = trial_data(seed)
    X, labels = data.X, data.y
    model = reference_model(seed=seed, optimizer="sgd", lr=0.01)
    model.flat[...] = _settled_flat(seed)
    return model, X, labels


class MinibatchFloors:
    """Plain mini-batch SGD from one start at many rates (one batch size).

    ``batch_losses`` has shape (rates, updates); ``quiet`` the same for
    full-batch gradient descent at the same rates (no noise);
    ``start_loss`` is the full training loss at the start. Past the first
    ``settle`` updates, ``floor`` is each rate's mean mini-batch loss and
    ``excess`` how far it sits above the noise-free run's mean loss: the part
    of the floor the noise adds (NaN where the run diverged).
    """

    def __init__(self, lrs, batch_size, settle, start_loss, batch_losses, quiet,
                 diverged_at):
        self.lrs = lrs
        self.batch_size = batch_size
        self.settle = settle
        self.start_loss = start_loss
        self.batch_losses = batch_losses
        self.diverged_at = tuple(diverged_at)
        self.diverged = np.array([d is not None for d in self.diverged_at])
        tail = batch_losses[:, settle:]
        with np.errstate(invalid="ignore"):
            self.floor = tail.mean(axis=1)
            self.quiet = quiet[:, settle:].mean(axis=1)
            self.rise_fraction = (np.diff(tail, axis=1) > 0).mean(axis=1)
        for values in (self.floor, self.quiet, self.rise_fraction):
            values[self.diverged] = np.nan

    @property
    def updates(self):
        return self.batch_losses.shape[1]

    @property
    def excess(self):
        """The part of each floor the noise adds: the mean mini-batch loss
        minus the noise-free run's mean loss over the same updates."""
        return self.floor - self.quiet

    def __repr__(self):
        return (f"MinibatchFloors(batch size {self.batch_size}, "
                f"{len(self.lrs)} rates, {self.updates} updates)")


def quiet_losses(model, X, y, lrs, updates):
    """Full-batch gradient descent (no noise) at every rate from the model's
    weights: the full training loss before each update, shape (rates,
    updates); NaN where it stopped being finite.

    The ages are whole years, so the full-data gradient is computed once per
    distinct (age, label) pair, weighted by its count (``distinct_rows``).
    """
    lrs = check_rates(lrs)
    updates = check_count("updates", updates)
    X_u, y_u, w_u = distinct_rows(X, y)
    flat = np.tile(model.flat, (len(lrs), 1))
    params = model.views(flat)
    grad_flat = np.zeros_like(flat)
    grads = model.views(grad_flat)
    losses = np.full((len(lrs), updates), np.nan)
    with np.errstate(all="ignore"):
        for k in range(updates):
            cache = model.forward(params, X_u)
            losses[:, k] = model.loss_value(params, cache, y_u, w_u)
            model.backward(params, cache, y_u, grads, w_u)
            flat -= lrs[:, None] * grad_flat
            flat[~np.isfinite(flat)] = 0.0
        losses[~np.isfinite(losses)] = np.nan
    return losses


def minibatch_floors(model, X, y, lrs, batch_size, *, updates=UPDATES,
                     settle=SETTLE, seed=1, quiet=None):
    """Train copies of ``model`` with plain mini-batch SGD at every rate (all
    from its current weights, same batches in the same order) for ``updates``
    updates, whatever the batch size, and measure each rate's loss floor: the
    mean mini-batch loss after the first ``settle`` updates (more if needed,
    so that the mean covers whole epochs), beside the same mean for
    full-batch descent (``quiet_losses``).

    Uses ``lrcourse.training.sweep_fit(..., record_batches=True)``; pass
    ``quiet`` (``quiet_losses`` of the same model, rates and updates) to
    share it between batch sizes.
    """
    batch_size = check_count("batch_size", batch_size)
    updates = check_count("updates", updates)
    settle = check_count("settle", settle, minimum=0)
    if settle >= updates:
        raise ValueError(f"settle must be < updates = {updates}, got {settle}")
    if batch_size > len(y):
        raise ValueError(f"batch_size must be <= {len(y)} samples, got {batch_size}")
    per_epoch = -(-len(y) // batch_size)
    # The mean runs over whole epochs, so that every sample counts equally.
    window = (updates - settle) // per_epoch * per_epoch
    if window == 0:
        raise ValueError(f"updates - settle must cover one epoch ({per_epoch} "
                         f"updates at batch size {batch_size}), got "
                         f"{updates - settle}")
    settle = updates - window
    start_loss, _ = model.evaluate(X, y)
    run = sweep_fit(model, X, y, lrs, optimizer="sgd", batch_size=batch_size,
                    epochs=-(-updates // per_epoch), seed=seed, record_batches=True)
    if quiet is None:
        quiet = quiet_losses(model, X, y, run.lrs, updates)
    elif np.shape(quiet) != (len(run.lrs), updates):
        raise ValueError(f"quiet must have shape ({len(run.lrs)}, {updates}), "
                         f"got {np.shape(quiet)}")
    diverged = [d if d is not None and d <= updates else None
                for d in run.diverged_at]
    return MinibatchFloors(run.lrs, batch_size, settle, float(start_loss),
                           run.batch_losses[:, :updates], quiet, diverged)


@functools.lru_cache(maxsize=8)
def settled_quiet(seed, grid, updates=UPDATES):
    """``quiet_losses`` of ``settled_reference(seed)`` at the rates of
    ``lr_grid(*grid)`` (cached, read-only): one noise-free run per rate,
    shared by every batch size."""
    model, X, y = settled_reference(seed=seed)
    return read_only(quiet_losses(model, X, y, lr_grid(*grid), updates))


def batch_ratio(lr=0.1, small=10, large=50, seed=0):
    """The noise's part of the floor at batch size ``large`` divided by its
    part at ``small``, both after the same number of updates at rate ``lr``,
    from ``settled_reference(seed)`` (batches in the order of ``seed + 1``,
    as the panel draws them). About ``small / large``: the floor goes with
    lr / batch size."""
    small = check_count("small", small)
    large = check_count("large", large)
    model, X, y = settled_reference(seed=seed)
    part = [minibatch_floors(model, X, y, [lr], bs, seed=seed + 1).excess[0]
            for bs in (small, large)]
    return float(part[1] / part[0])


def running_mean(values, window):
    """The mean of each ``window`` consecutive values (shorter at the start).

    >>> running_mean(np.array([1.0, 3.0, 5.0, 7.0]), 2).tolist()
    [1.0, 2.0, 4.0, 6.0]
    """
    window = check_count("window", window)
    values = np.asarray(values, dtype=float)
    csum = np.concatenate([[0.0], np.cumsum(values)])
    k = np.arange(1, values.size + 1)
    lo = np.maximum(k - window, 0)
    return (csum[k] - csum[lo]) / (k - lo)


def gradient_noise(model, X, y, batch_size, *, draws=200, seed=0):
    """How far mini-batch gradients scatter around the full-data gradient.

    Returns ``(full, spread)``: the length of the gradient over all of
    ``X``, and the root-mean-square distance between it and the gradient of
    ``draws`` random mini-batches of ``batch_size`` samples (at the model's
    current weights; nothing is updated). The spread shrinks about like
    ``1/sqrt(batch_size)``.
    """
    batch_size = check_count("batch_size", batch_size)
    draws = check_count("draws", draws)
    rng = check_rng(seed, "seed")
    if batch_size > len(y):
        raise ValueError(f"batch_size must be <= {len(y)} samples, got {batch_size}")
    _, grads = model.loss_and_gradients(X, y)
    full = np.concatenate([g.ravel() for g in grads])
    total = 0.0
    for _ in range(draws):
        idx = rng.choice(len(y), size=batch_size, replace=False)
        _, g_batch = model.loss_and_gradients(X[idx], y[idx])
        diff = np.concatenate([g.ravel() for g in g_batch]) - full
        total += float(diff @ diff)
    return float(np.sqrt(full @ full)), float(np.sqrt(total / draws))


def mean_final_loss(problem, lr, steps, start, *, noise, seeds):
    """The loss after ``steps`` noisy updates, averaged over runs with the
    given seeds (each run is ``gradient_descent(..., noise=noise, rng=seed)``).
    ``lr`` may be a schedule. Returns inf if any run diverged."""
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    total = 0.0
    for seed in seeds:
        tr = gradient_descent(problem, lr=lr, steps=steps, start=start, noise=noise,
                              rng=seed)
        if tr.diverged:
            return float("inf")
        total += tr.final_loss
    return total / len(seeds)


# The two panels' compute and readouts: every setting is precomputed when a
# panel is built, and a slider move only indexes the tables.

#: Mean loss above which a mini-batch run counts as thrown out of the valley.
KNOCKED_OUT = 0.6


def noise_levels(lo, hi, step):
    """The noise levels a slider from ``lo`` to ``hi`` offers, rounded."""
    n = int(round((hi - lo) / step))
    return [round(lo + i * step, 4) for i in range(n + 1)]


@dataclass(frozen=True)
class NoiseTable:
    """One noise level of the noisy-bowl panel, every rate of its grid: the
    floor, the rise fraction, one run's and the mean loss per update, the
    diverging update (0: none) and whether the floor was reached in time."""

    sigma: float
    floor: np.ndarray
    rise: np.ndarray
    path: np.ndarray
    mean: np.ndarray
    diverged: list
    settled: np.ndarray


@dataclass(frozen=True)
class NoisyPoint:
    """The noisy-bowl panel's result: one rate (``lrs[index]``) of one table."""

    lr: float
    index: int
    table: NoiseTable
    quiet: np.ndarray
    theory: float
    diverged_at: int | None


class NoisyBowl:
    """The noisy-bowl panel's compute: ``(lr, noise) -> NoisyPoint``.

    Builds one vectorized noisy sweep per noise level and a noise-free one.

    >>> bowl = NoisyBowl(1.0, 2.0, 200, 2, 0, (-3.0, 0.5, 0.05), [0.5, 1.0])
    >>> point = bowl(lr=0.1, noise=1.0)
    >>> point.table.sigma, f"{point.theory:.5f}"
    (1.0, '0.02632')
    """

    def __init__(self, curvature, start, steps, runs, seed, grid, levels):
        self.problem = Quadratic(curvature=curvature)
        self.curvature, self.start, self.steps, self.runs = (curvature, start,
                                                             steps, runs)
        self.lr_min, _, self.lr_step = grid
        self.lrs = lr_grid(*grid)
        self.levels = list(levels)
        self.tables = {sigma: self._table(sigma, seed) for sigma in self.levels}
        self.quiet = sweep(self.problem, self.lrs, steps, start).losses

    def _table(self, sigma, seed):
        run = noisy_sweep(self.problem, self.lrs, self.steps, self.start,
                          noise=sigma, rng=seed, runs=self.runs)
        with np.errstate(all="ignore"):
            mean_path = run.losses.mean(axis=1)
        floors = noise_floor(self.lrs, self.curvature, sigma)
        settled = np.array([settle_updates(r, self.curvature, self.start, f)
                            <= self.steps // 2 for r, f in zip(self.lrs, floors)])
        return NoiseTable(sigma=sigma, floor=run.floor(), rise=run.rise_fraction(),
                          path=run.losses[:, 0, :], mean=mean_path,
                          diverged=[row[0] for row in run.diverged_at],
                          settled=settled)

    def __call__(self, lr, noise):
        sigma = min(self.levels, key=lambda s: abs(s - noise))
        i = grid_index(lr, self.lr_min, self.lr_step, len(self.lrs))
        table = self.tables[sigma]
        return NoisyPoint(lr=lr, index=i, table=table, quiet=self.quiet[i],
                          theory=noise_floor(lr, self.curvature, sigma),
                          diverged_at=table.diverged[i])

    def readout(self, point):
        """The noisy-bowl panel's text (see ``noisy_bowl_readout``)."""
        i, table = point.index, point.table
        return noisy_bowl_readout(float(self.lrs[i]), self.curvature, table.sigma,
                                  self.steps, self.runs, float(table.floor[i]),
                                  float(table.rise[i]), point.diverged_at,
                                  self.start)


#: ``lr x lambda`` from which the noisy-bowl readout says the rate is near 2/lambda.
NEAR_EDGE = 1.6


def _still_falling(need, steps, first, why):
    """The readout's line for a run still falling when its average starts."""
    if need > steps:
        return (f"still falling: it needs about {need:,.0f} updates to reach its "
                f"floor,\nmore than the run's {steps:,} ({why})")
    return (f"still falling: it reaches its floor only after about {need:,.0f} "
            f"updates,\nso the mean over updates {first}-{steps} still includes the "
            f"descent ({why})")


def noisy_bowl_readout(lr, curvature, noise, steps, runs, floor, rise, diverged_at,
                       start):
    """The noisy-bowl panel's text for one rate and noise level."""
    theory = noise_floor(lr, curvature, noise)
    last = steps // 2
    lines = [f"lr = {lr:.4g}   lr x lambda = {lr * curvature:.3f}   "
             f"noise sigma = {noise:.2f}   ({steps} updates, {runs} runs)"]
    if diverged_at:
        lines.append(f"diverged at update {diverged_at}: lr > 2/lambda = "
                     f"{2 / curvature:.4g}, so there is no floor at all")
        return "\n".join(lines)
    lines.append(f"theory floor   lr sigma^2 / (2 (2 - lr lambda)) = {theory:.5f}")
    lines.append(f"measured floor (mean loss, updates {steps - last + 1}-{steps}, "
                 f"all runs) = {floor:.5f}")
    need = settle_updates(lr, curvature, start, theory)
    near_edge = lr * curvature >= NEAR_EDGE
    if need > steps - last:
        why = "near 2/lambda" if near_edge else "the small-rate trade-off"
        lines.append(_still_falling(need, steps, steps - last + 1, why))
    else:
        lines.append(f"hovering: the loss rose after {rise:.0%} of those updates, "
                     "it does not fall every step")
    if near_edge:
        lines.append(f"near 2/lambda = {2 / curvature:.4g}: a huge floor (the "
                     "(2 - lr lambda) factor), slow to settle")
    return "\n".join(lines)


@dataclass(frozen=True)
class MinibatchPoint:
    """The mini-batch panel's result: rate ``floors.lrs[index]`` of the
    tables of one batch size."""

    lr: float
    index: int
    floors: MinibatchFloors


class Minibatches:
    """The mini-batch panel's compute: ``(lr, batch_size) -> MinibatchPoint``.

    ``floors`` maps each batch size to its ``MinibatchFloors``, all trained
    from the settled reference network when this is built.
    """

    def __init__(self, grid, batch_sizes, updates, seed):
        self.lr_min, _, self.lr_step = grid
        self.lrs = lr_grid(*grid)
        model, X, y = settled_reference(seed=seed)
        quiet = settled_quiet(seed, tuple(grid), updates)
        self.floors = {bs: minibatch_floors(model, X, y, self.lrs, bs,
                                            updates=updates, seed=seed + 1,
                                            quiet=quiet)
                       for bs in batch_sizes}

    def __call__(self, lr, batch_size):
        i = grid_index(lr, self.lr_min, self.lr_step, len(self.lrs))
        return MinibatchPoint(lr=lr, index=i, floors=self.floors[batch_size])


def minibatch_point_readout(point):
    """The mini-batch panel's text (see ``minibatch_readout``)."""
    check_has("point", point, ("floors", "index"), "a MinibatchPoint")
    return minibatch_readout(point.floors, point.index)


def minibatch_readout(floors, i):
    """The mini-batch panel's text for rate ``floors.lrs[i]``."""
    lr = float(floors.lrs[i])
    lines = [f"batch size {floors.batch_size}, lr = {lr:.4g}: plain SGD, "
             f"{floors.updates} updates from the trained start "
             f"(loss {floors.start_loss:.4f})"]
    if floors.diverged_at[i]:
        lines.append(f"diverged at update {int(floors.diverged_at[i])}")
        return "\n".join(lines)
    floor, quiet = float(floors.floor[i]), float(floors.quiet[i])
    window = f"updates {floors.settle + 1}-{floors.updates}"
    lines.append(f"floor: mean mini-batch loss, {window}      = {floor:.4f}")
    if floor > KNOCKED_OUT:
        lines.append("thrown out of the valley: no better than a coin toss "
                     f"(ln 2 = {math.log(2):.3f}):\nthe network gives everyone the "
                     "same answer (lesson 05 shows why)")
        return "\n".join(lines)
    lines.append(f"no noise (full batch, same rate), {window} = {quiet:.4f}")
    lines.append(f"the noise adds {floor - quiet:+.4f}; the mini-batch loss rose "
                 f"after {floors.rise_fraction[i]:.0%} of those updates")
    return "\n".join(lines)
