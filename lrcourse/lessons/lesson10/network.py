"""Lesson 10 on the course's network: warmup, and the batch size against the rate.

Everything here is measured on the reference network (Dense(16, relu) ->
Dense(32, relu, l2(0.01)) -> Dense(2, softmax)) and the first 420 samples
of the trial's training set, over several seeds (each seed gives other
initial weights), so that a claim rests on a count, not on one lucky run.

Warmup. ``warmup_runs`` trains one copy of the network per seed (full
batch: all at once; mini-batches: each seed also shuffles its own), with a
linear warmup of ``warmup_steps`` updates to ``peak_lr``
(``lrcourse.warmup``: update ``k + 1`` runs at ``peak_lr * (k + 1) /
warmup_steps``) and the peak after it; ``warmup_steps = 0`` uses the peak
from the first update. Each run ends ``"trained"``, ``"dead"`` (every ReLU
of a layer dead: the network predicts the same for everyone and can never
learn again), ``"diverged"`` or ``"unsettled"``. ``sharpness_during_warmup``
measures the sharpness (lesson 09's meter) along the full-batch SGD runs;
``first_updates`` shows what Adam's first updates do to the weights.

Batch size. ``batch_rate_bands`` sweeps a log grid of rates at several batch
sizes for the same number of epochs and gives, per batch size, the band of
rates whose training loss (the last epoch's mean, as Keras reports it),
averaged over the seeds, lies within a margin of the best: how far the best
rate moves with the batch.

>>> runs = warmup_runs(2.0, 0, seeds=(0, 1), steps=50)
>>> runs.outcomes
('dead', 'dead')
"""

from __future__ import annotations

import functools

import numpy as np

from ... import hessian
from ... import optimizers as _optimizers
from ..._validate import (
    check_choice,
    check_count,
    check_lrs,
    check_positive,
    read_only,
)
from ...data import trial_data
from ...engine import Watch
from ...model import dead_fractions, reference_model
from ...schedules import warmup as _warmup

#: The training subset: the first N_SAMPLES samples of the trial (a fair
#: subset, the training set comes shuffled); validation is the test set.
N_SAMPLES = 420
#: The seeds every claim is counted over.
SEEDS = tuple(range(10))
OPTIMIZERS = ("sgd", "adam")
#: A run has trained when its loss over the last tenth of the run has a
#: median below this (ln 2 = 0.693 is the loss of a constant 50/50
#: prediction; a trained network sits near 0.25-0.35 on this subset).
TRAINED_LOSS = 0.45
OUTCOMES = ("trained", "dead", "diverged", "unsettled")

#: The settings the lesson shows: full batch, a peak that kills the network
#: from the first update and trains after a linear warmup (see the module's
#: tests for the counts).
WARMUP_SETTINGS = {
    "sgd": {"peak_lr": 2.0, "warmup_steps": 150, "steps": 300},
    "adam": {"peak_lr": 0.5, "warmup_steps": 150, "steps": 300},
}
#: Adam as in practice: mini-batches of 10 (the reference's batch size),
#: 5 epochs of the 420 samples; each seed also shuffles its own batches.
MINIBATCH_SETTING = {"optimizer": "adam", "peak_lr": 0.3, "warmup_steps": 50,
                     "steps": 210, "batch_size": 10}


# -- checks ------------------------------------------------------------------------
def check_seeds(seeds):
    """``seeds`` as a tuple of distinct integers >= 0 (at least one)."""
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds must be a list of integers >= 0, got {seeds!r}")
    out = tuple(check_count("seeds", s, minimum=0) for s in seeds)
    if not out or len(set(out)) != len(out):
        raise ValueError(f"seeds must be a non-empty list of distinct integers "
                         f">= 0, got {seeds!r}")
    return out


def _check_warmup_args(peak_lr, warmup_steps, seeds, optimizer, steps):
    """The checked arguments of ``warmup_runs`` (``batch_size`` apart)."""
    peak_lr = check_positive("peak_lr", peak_lr)
    steps = check_count("steps", steps)
    warmup_steps = check_count("warmup_steps", warmup_steps, minimum=0)
    if warmup_steps > steps:
        raise ValueError(f"warmup_steps must be an integer in 0..steps ({steps}), "
                         f"got {warmup_steps}")
    return (peak_lr, warmup_steps, check_seeds(seeds),
            check_choice("optimizer", optimizer, OPTIMIZERS), steps)


def _check_batch_size(batch_size):
    """None (full batch) or an integer in 1..N_SAMPLES."""
    if batch_size is None:
        return None
    batch_size = check_count("batch_size", batch_size)
    if batch_size > N_SAMPLES:
        raise ValueError(f"batch_size must be None (full batch) or an integer in "
                         f"1..{N_SAMPLES}, got {batch_size}")
    return batch_size


# -- data and the rate ---------------------------------------------------------------
def subset(n=N_SAMPLES):
    """The first ``n`` training samples ``(X, y)``, ages scaled as in lesson 05."""
    data = trial_data(0)
    n = check_count("n", n, minimum=2)
    if n > len(data.y):
        raise ValueError(f"n must be an integer in 2..{len(data.y)}, got {n}")
    return data.X[:n], data.y[:n]


def validation_set():
    """The trial's test set ``(X_test, y_test)`` (420 samples), for validation."""
    data = trial_data(0)
    return data.X_test, data.y_test


def rates(peak_lr, warmup_steps, steps):
    """The rate of every update: a linear warmup to ``peak_lr`` over
    ``warmup_steps`` updates (``lrcourse.warmup``), then the peak.

    >>> rates(2.0, 4, 6).tolist()
    [0.5, 1.0, 1.5, 2.0, 2.0, 2.0]
    """
    if warmup_steps == 0:
        return np.full(steps, float(peak_lr))
    return np.asarray(_warmup(peak_lr, warmup_steps)(np.arange(steps)), dtype=float)


# -- many seeds, one pass ------------------------------------------------------------
class _Rows:
    """One copy of the network per seed, all trained together (one row of
    ``flat`` per seed), with the divergence watch."""

    def __init__(self, seeds, optimizer, X, y):
        self.X, self.y = X, y
        self.model = reference_model(seed=seeds[0])
        self.flat = np.stack([reference_model(seed=s).flat for s in seeds])
        self.params = self.model.views(self.flat)
        self.grad = np.zeros_like(self.flat)
        self.grads = self.model.views(self.grad)
        self.opt = (_optimizers.Adam(lr=1.0) if optimizer == "adam"
                    else _optimizers.SGD(lr=1.0))
        self.state = self.opt.init([self.flat])
        self.watch = Watch(len(seeds))
        self.data = hessian.distinct(X, y)  # same loss, fewer rows
        self.change = np.zeros_like(self.flat)

    def loss(self, batch=None, with_gradient=True):
        """Each row's loss on the samples ``batch`` (None: the full batch),
        and its gradient into ``grad``."""
        if batch is None:
            Xd, yd, share = self.data
        else:
            Xd, yd, share = self.X[batch], self.y[batch], None
        cache = self.model.forward(self.params, Xd)
        if with_gradient:
            self.model.backward(self.params, cache, yd, self.grads, share)
        return self.model.loss_value(self.params, cache, yd, share)

    def update(self, lr):
        """One update at rate ``lr`` for the rows still training."""
        rate = np.where(self.watch.alive, lr, 0.0)[:, None]
        (change,), self.state = self.opt.update([self.grad], self.state, rate,
                                                [self.flat])
        change[~self.watch.alive] = 0.0
        self.flat += change
        self.change = change

    def dead(self):
        """Per row, the fraction of dead units of each ReLU layer."""
        cache = self.model.forward(self.params, self.data[0])
        return dead_fractions(self.model.layers, cache)


def _batches(n, batch_size, count, seed=0):
    """The samples of ``count`` successive updates: None each (full batch),
    or mini-batches of a fresh shuffle every epoch, as ``fit`` makes them
    (the last of an epoch may be smaller)."""
    if batch_size is None:
        return [None] * count
    rng, out = np.random.default_rng(seed), []
    while len(out) < count:
        order = rng.permutation(n)
        out += [order[b:b + batch_size] for b in range(0, n, batch_size)]
    return out[:count]


def _train(seeds, optimizer, lrs, X, y, probe=None, batch_size=None, order=0):
    """Train every seed's network at the rates ``lrs`` (one per update), full
    batch or on mini-batches (shuffled from the seed ``order``, the same for
    every row); ``probe(k, rows)`` sees the weights after ``k`` updates.

    Returns ``(rows, losses)``: losses of shape (seeds, updates + 1), the
    loss of the batch before each update (and one more after the last), NaN
    once a row diverged.
    """
    rows = _Rows(seeds, optimizer, X, y)
    steps = len(lrs)
    batches = _batches(len(y), batch_size, steps + 1, order)
    losses = np.full((len(seeds), steps + 1), np.nan)
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            loss = rows.loss(batches[k], with_gradient=k < steps)
            if k == 0:
                rows.watch.start(loss)
            else:
                rows.watch.check(k, loss, rows.flat)
            losses[rows.watch.alive, k] = loss[rows.watch.alive]
            if probe is not None:
                probe(k, rows)
            if k < steps:
                rows.update(lrs[k])
    return rows, losses


def _outcomes(losses, dead, diverged):
    """Each run's outcome (see ``OUTCOMES``) from its losses and dead units."""
    steps = losses.shape[1] - 1
    tail = losses[:, -max(2, (steps + 1) // 10):]
    out = []
    for row, d, gone in zip(tail, dead, diverged):
        if gone:
            out.append("diverged")
        elif np.any(d >= 1.0):
            out.append("dead")
        elif np.median(row) < TRAINED_LOSS:
            out.append("trained")
        else:
            out.append("unsettled")
    return tuple(out)


class WarmupRuns:
    """What ``warmup_runs`` measured: one run per seed.

    Attributes:
        optimizer, peak_lr, warmup_steps, seeds: the setting.
        batch_size: None (full batch) or the mini-batch size.
        lrs: the rate of every update, shape (steps,).
        losses: the loss (cross-entropy + L2) of the batch each update used,
            before it, and one more after the last, shape (seeds, steps + 1);
            NaN after divergence.
        outcomes: per seed, one of ``OUTCOMES``.
        dead: per seed, the fraction of dead units of each ReLU layer at the
            end, shape (seeds, 2).
        accuracy: per seed, the final accuracy on the training subset.
        diverged_at: per seed, the 1-based update that ran away, or None.
    """

    def __init__(self, optimizer, peak_lr, warmup_steps, seeds, lrs, losses,
                 outcomes, dead, accuracy, diverged_at, batch_size=None):
        self.optimizer, self.peak_lr, self.batch_size = optimizer, peak_lr, batch_size
        self.warmup_steps, self.seeds = warmup_steps, seeds
        self.lrs, self.losses = read_only(lrs), read_only(losses)
        self.outcomes, self.dead = outcomes, read_only(dead)
        self.accuracy, self.diverged_at = read_only(accuracy), diverged_at

    @property
    def steps(self):
        return len(self.lrs)

    def count(self, outcome="trained"):
        """How many seeds ended with ``outcome``."""
        check_choice("outcome", outcome, OUTCOMES)
        return sum(o == outcome for o in self.outcomes)

    def counts(self):
        """``{outcome: number of seeds}`` for every outcome."""
        return {o: self.count(o) for o in OUTCOMES}

    def final_losses(self):
        """Per seed, the median loss over the last tenth of the run."""
        tail = self.losses[:, -max(2, (self.steps + 1) // 10):]
        return np.median(tail, axis=1)

    def __repr__(self):
        counts = ", ".join(f"{v} {k}" for k, v in self.counts().items() if v)
        batch = "" if self.batch_size is None else f", batch {self.batch_size}"
        return (f"WarmupRuns({self.optimizer}, peak {self.peak_lr:g}, warmup "
                f"{self.warmup_steps}{batch}, {len(self.seeds)} seeds: {counts})")


def warmup_runs(peak_lr, warmup_steps, seeds=SEEDS, optimizer="sgd", steps=300,
                batch_size=None):
    """Training of the reference network from each seed's initial weights,
    the rate warmed up linearly over ``warmup_steps`` updates to ``peak_lr``
    (0: the peak from the first update), then held.

    Args:
        peak_lr: the rate after warmup, a number > 0.
        warmup_steps: updates of the linear warmup, 0..steps.
        seeds: the initial weights, one run each (``reference_model(seed)``).
        optimizer: ``"sgd"`` (plain, ``change = -lr * gradient``) or
            ``"adam"`` (Keras defaults).
        steps: the number of updates.
        batch_size: None (default): every update sees all 420 samples; an
            integer: mini-batches of that size, reshuffled every epoch, the
            same batches for every seed.

    Returns a ``WarmupRuns`` (cached: the same arguments give the same
    object, whose arrays are read-only).
    """
    args = _check_warmup_args(peak_lr, warmup_steps, seeds, optimizer, steps)
    return _warmup_runs(*args, _check_batch_size(batch_size))


@functools.lru_cache(maxsize=32)
def _warmup_runs(peak_lr, warmup_steps, seeds, optimizer, steps, batch_size):
    X, y = subset()
    lrs = rates(peak_lr, warmup_steps, steps)
    if batch_size is None:  # every seed at once
        rows, losses = _train(seeds, optimizer, lrs, X, y)
        parts = [rows]
    else:  # a seed also shuffles its own mini-batches: one run at a time
        runs = [_train((s,), optimizer, lrs, X, y, batch_size=batch_size, order=s)
                for s in seeds]
        parts, losses = [r for r, _ in runs], np.vstack([v for _, v in runs])
    return _result(parts, losses, optimizer, peak_lr, warmup_steps, seeds, lrs, X,
                   y, batch_size)


def _result(parts, losses, optimizer, peak_lr, warmup_steps, seeds, lrs, X, y,
            batch_size=None):
    """A ``WarmupRuns`` from finished ``_train`` runs (``parts``: their rows,
    whose seeds in order are ``seeds``)."""
    with np.errstate(all="ignore"):
        dead = np.vstack([rows.dead() for rows in parts])
        probs = np.vstack([rows.model.forward(rows.params, X)[-1][2]
                           for rows in parts])
        accuracy = np.mean(probs.argmax(axis=-1) == y, axis=-1)
    diverged = np.concatenate([rows.watch.diverged for rows in parts])
    accuracy[diverged] = np.nan
    diverged_at = sum((rows.watch.diverged_at for rows in parts), ())
    return WarmupRuns(optimizer, peak_lr, warmup_steps, seeds, lrs, losses,
                      _outcomes(losses, dead, diverged), dead, accuracy,
                      diverged_at, batch_size)


# -- why warmup works: the sharpness (SGD) and Adam's first updates --------------------
class SharpnessTrace:
    """The sharpness measured along ``warmup_runs``' SGD runs.

    Attributes:
        runs: the ``WarmupRuns`` these runs reproduce (same losses).
        measured_at: the updates after which the sharpness was measured.
        lrs_at: the rate of the update that follows each measurement (the
            last rate at the end of the run).
        sharpness: shape (seeds, measurements), NaN once a run diverged.
    """

    def __init__(self, runs, measured_at, sharpness):
        self.runs = runs
        self.measured_at = read_only(measured_at)
        self.lrs_at = read_only(runs.lrs[np.minimum(measured_at, runs.steps - 1)])
        self.sharpness = read_only(sharpness)

    @property
    def ceiling(self):
        """``2 / lr`` at each measurement: the curvature the rate can stand."""
        return 2.0 / self.lrs_at

    @property
    def edge_ratio(self):
        """``sharpness / (2 / lr)`` = ``lr * sharpness / 2``, shape (seeds,
        measurements): 1 is the edge of stability, above 1 a bowl of that
        curvature would diverge at that rate."""
        return self.sharpness / self.ceiling

    def at(self, update):
        """Per seed, the sharpness measured at ``update`` (one of
        ``measured_at``)."""
        where = np.flatnonzero(self.measured_at == update)
        if not where.size:
            raise ValueError(f"update must be one of the measured updates "
                             f"{self.measured_at.tolist()}, got {update!r}")
        return self.sharpness[:, where[0]]

    def peak(self, before=None):
        """Per seed, the largest sharpness measured up to update ``before``
        (default: the end of warmup)."""
        before = self.runs.warmup_steps if before is None else before
        return np.nanmax(self.sharpness[:, self.measured_at <= before], axis=1)

    def after_warmup(self):
        """Per seed, the median sharpness after the warmup (the peak rate's
        stretch), to compare with ``2 / peak_lr``."""
        later = self.measured_at >= self.runs.warmup_steps
        return np.nanmedian(self.sharpness[:, later], axis=1)

    def __repr__(self):
        return (f"SharpnessTrace(peak {self.runs.peak_lr:g}, warmup "
                f"{self.runs.warmup_steps}, {len(self.runs.seeds)} seeds, "
                f"{len(self.measured_at)} measurements)")


def sharpness_during_warmup(peak_lr=2.0, warmup_steps=150, seeds=SEEDS,
                            steps=300, every=10, iterations=8):
    """``warmup_runs`` with SGD, the sharpness measured every ``every``
    updates (and at the end of warmup and of the run).

    The sharpness is the largest eigenvalue of the full-batch loss's Hessian
    (``lrcourse.hessian.top_eigenvalue``: exact Hessian-vector products and
    Lanczos, each measurement starting from the last top eigenvector, the
    first with 30 iterations, later ones with ``iterations``). Only SGD: for
    Adam the curvature that matters is the preconditioned one, not ``2/lr``.

    Returns a ``SharpnessTrace`` (cached).
    """
    peak_lr, warmup_steps, seeds, _, steps = _check_warmup_args(
        peak_lr, warmup_steps, seeds, "sgd", steps)
    every = check_count("every", every)
    iterations = check_count("iterations", iterations, minimum=2)
    return _sharpness_during_warmup(peak_lr, warmup_steps, seeds, steps, every,
                                    iterations)


@functools.lru_cache(maxsize=8)
def _sharpness_during_warmup(peak_lr, warmup_steps, seeds, steps, every,
                             iterations):
    X, y = subset()
    lrs = rates(peak_lr, warmup_steps, steps)
    measured = np.union1d(np.arange(0, steps + 1, every), [warmup_steps, steps])
    sharp = np.full((len(seeds), len(measured)), np.nan)
    vectors = [None] * len(seeds)

    def probe(k, rows):
        if k not in measured:
            return
        j = int(np.searchsorted(measured, k))
        Xd, yd, share = rows.data
        for i in np.flatnonzero(rows.watch.alive):
            sharp[i, j], vectors[i] = hessian.top_eigenvalue(
                rows.model, rows.flat[i], Xd, yd, weights=share,
                iterations=30 if vectors[i] is None else iterations,
                start=vectors[i])

    rows, losses = _train(seeds, "sgd", lrs, X, y, probe)
    runs = _result([rows], losses, "sgd", peak_lr, warmup_steps, seeds, lrs, X, y)
    return SharpnessTrace(runs, measured, sharp)


class FirstUpdates:
    """What the first updates of ``warmup_runs`` did to the weights.

    Attributes:
        runs: the ``WarmupRuns`` of the same setting.
        step_size: shape (seeds, updates), the mean size ``|change|`` per
            weight of each update (Adam's first changes are about ``lr``
            each, whatever the gradient).
        lrs: the rate of each of these updates.
        dead: shape (seeds, updates, 2), the fraction of dead units of each
            ReLU layer after each update.
    """

    def __init__(self, runs, step_size, dead):
        self.runs = runs
        self.step_size = read_only(step_size)
        self.lrs = runs.lrs[: step_size.shape[1]]
        self.dead = read_only(dead)

    def ratio(self):
        """``step_size / lr``: about 1 for Adam's first updates."""
        return self.step_size / self.lrs

    def first_step_over_lr(self):
        """Per seed, the first update's mean ``|change|`` per weight over its
        rate."""
        return self.ratio()[:, 0]

    def seeds_with_dead_layer(self, layer=1):
        """How many seeds have every ReLU of ``layer`` (1: the first hidden
        layer, 2: the second) dead after the last recorded update."""
        layers = self.dead.shape[2]
        if isinstance(layer, bool) or layer not in range(1, layers + 1):
            raise ValueError(f"layer must be 1..{layers}, got {layer!r}")
        return int(np.sum(self.dead[:, -1, layer - 1] == 1.0))

    def __repr__(self):
        return (f"FirstUpdates({self.runs.optimizer}, peak {self.runs.peak_lr:g}, "
                f"warmup {self.runs.warmup_steps}, {self.step_size.shape[1]} "
                "updates)")


def first_updates(peak_lr=0.5, warmup_steps=0, seeds=SEEDS, optimizer="adam",
                  steps=300, updates=20):
    """``warmup_runs`` with the size of the first ``updates`` changes and the
    dead units after each recorded. Returns a ``FirstUpdates`` (cached)."""
    args = _check_warmup_args(peak_lr, warmup_steps, seeds, optimizer, steps)
    updates = check_count("updates", updates)
    if updates > args[-1]:
        raise ValueError(f"updates must be an integer in 1..steps ({args[-1]}), "
                         f"got {updates}")
    return _first_updates(*args, updates)


@functools.lru_cache(maxsize=8)
def _first_updates(peak_lr, warmup_steps, seeds, optimizer, steps, updates):
    X, y = subset()
    lrs = rates(peak_lr, warmup_steps, steps)
    size = np.full((len(seeds), updates), np.nan)
    dead = np.full((len(seeds), updates, 2), np.nan)

    def probe(k, rows):
        if 1 <= k <= updates:
            size[:, k - 1] = np.mean(np.abs(rows.change), axis=1)
            dead[:, k - 1] = rows.dead()

    rows, losses = _train(seeds, optimizer, lrs, X, y, probe)
    runs = _result([rows], losses, optimizer, peak_lr, warmup_steps, seeds, lrs,
                   X, y)
    return FirstUpdates(runs, size, dead)


# -- batch size and the rate -----------------------------------------------------------
#: The rate grids of ``batch_rate_bands``, eighths of a decade: SGD
#: 10 ** -2.5 to 10 ** 0.5, Adam 10 ** -3.5 to 10 ** -0.5 (each reaches past
#: the rates that kill the network).
BAND_LRS = {"sgd": 10.0 ** np.arange(-2.5, 0.5 + 1e-9, 0.125),
            "adam": 10.0 ** np.arange(-3.5, -0.5 + 1e-9, 0.125)}
BATCH_SIZES = (4, 10, 20, 42, 105, 420)


def _sweep_rows(seeds, lrs, optimizer, batch_size, epochs, order_seed=0):
    """Mini-batch training of every (seed, rate) pair in one vectorized pass.

    All runs see the same batches in the same order (drawn from
    ``order_seed``); a seed sets the initial weights. Returns the validation
    loss and the epoch's mean training loss after every epoch, each of shape
    (seeds, rates, epochs), NaN once a run diverged.
    """
    X, y = subset()
    X_val, y_val = validation_set()
    model = reference_model(seed=seeds[0])
    start = np.repeat(np.stack([reference_model(seed=s).flat for s in seeds]),
                      len(lrs), axis=0)
    flat, rate = start.copy(), np.tile(lrs, len(seeds))[:, None]
    params, grad = model.views(flat), np.zeros_like(flat)
    grads = model.views(grad)
    opt = _optimizers.Adam(lr=1.0) if optimizer == "adam" else _optimizers.SGD(lr=1.0)
    state, watch = opt.init([flat]), Watch(len(flat))
    val = np.full((len(flat), epochs), np.nan)
    train = np.full((len(flat), epochs), np.nan)
    rng, k = np.random.default_rng(order_seed), 0

    def stop():
        rate[~watch.alive] = 0.0
        flat[~watch.alive] = start[~watch.alive]  # parked on finite weights

    with np.errstate(all="ignore"):
        for epoch in range(epochs):
            order, total = rng.permutation(len(y)), 0.0
            for b in range(0, len(y), batch_size):
                idx = order[b:b + batch_size]
                cache = model.forward(params, X[idx])
                loss = model.loss_value(params, cache, y[idx])
                if k == 0:
                    watch.start(loss)
                elif watch.check(k, loss, flat):
                    stop()
                    cache = model.forward(params, X[idx])
                model.backward(params, cache, y[idx], grads)
                total = total + loss * len(idx)
                (change,), state = opt.update([grad], state, rate, [flat])
                flat += change
                k += 1
            if watch.check(k, None, flat):
                stop()
            alive = watch.alive
            train[alive, epoch] = total[alive] / len(y)
            cache = model.forward(params, X_val)
            val[alive, epoch] = model.loss_value(params, cache, y_val)[alive]
    shape = (len(seeds), len(lrs), epochs)
    return val.reshape(shape), train.reshape(shape)


class RateBands:
    """What ``batch_rate_bands`` measured: per batch size, the losses of every
    (seed, rate) run and the band of near-best rates.

    Attributes:
        optimizer, batch_sizes, lrs, seeds, epochs, margin, metric: the setting.
        losses: shape (batch sizes, seeds, rates): the metric after the last
            epoch (``"loss"``: the mean mini-batch training loss of the last
            epoch, the number Keras prints; ``"val_loss"``: the loss on the
            420-sample test set at the end), NaN where a run diverged.
        mean: shape (batch sizes, rates), the mean over the seeds (NaN where
            any seed diverged).
        best: per batch size, the rate with the lowest mean.
        bands: shape (batch sizes, 2), the lowest and highest rate of the
            unbroken run of rates around the best whose mean lies within
            ``margin`` (a fraction) of the best mean.
        seed_best: shape (batch sizes, seeds), each seed's own best rate.
    """

    def __init__(self, optimizer, batch_sizes, lrs, seeds, epochs, margin,
                 metric, losses):
        self.optimizer, self.batch_sizes = optimizer, batch_sizes
        self.lrs, self.seeds, self.epochs = read_only(lrs), seeds, epochs
        self.margin, self.metric = margin, metric
        self.losses = read_only(losses)
        with np.errstate(invalid="ignore"):
            self.mean = read_only(losses.mean(axis=1))
        score = np.where(np.isnan(self.mean), np.inf, self.mean)
        best = np.argmin(score, axis=1)
        self.best = read_only(lrs[best])
        self.bands = read_only(np.array([_band(row, i, margin, lrs)
                                         for row, i in zip(score, best)]))
        per_seed = np.where(np.isnan(losses), np.inf, losses)
        self.seed_best = read_only(lrs[np.argmin(per_seed, axis=2)])

    def band(self, batch_size):
        """``(lowest, highest)`` near-best rate at ``batch_size``."""
        return tuple(float(v) for v in self.bands[self._index(batch_size)])

    def growth(self, small, large):
        """How many times the best rate grew from batch ``small`` to ``large``
        (the linear rule says ``large / small``, the square-root rule
        ``sqrt(large / small)``)."""
        return float(self.best[self._index(large)] / self.best[self._index(small)])

    def _index(self, batch_size):
        if batch_size not in self.batch_sizes:
            raise ValueError(f"batch_size must be one of {self.batch_sizes}, "
                             f"got {batch_size!r}")
        return self.batch_sizes.index(batch_size)

    def table(self):
        """One line per batch size: best rate, band, mean loss at the best."""
        lines = [f"{'batch':>6} {'best lr':>8} {'band':>17} {self.metric:>9}"]
        for b, best, (lo, hi), row in zip(self.batch_sizes, self.best, self.bands,
                                          self.mean):
            lines.append(f"{b:>6} {best:>8.3g} {lo:>8.3g}-{hi:<8.3g} "
                         f"{np.nanmin(row):>9.4f}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"RateBands({self.optimizer}, batches {list(self.batch_sizes)}, "
                f"{len(self.seeds)} seeds, {self.epochs} epochs, best "
                f"{[float(f'{b:.3g}') for b in self.best]})")


def _band(score, i, margin, lrs):
    """The unbroken run of rates around index ``i`` within ``margin`` of it."""
    ok = score <= score[i] * (1.0 + margin)
    lo = hi = i
    while lo > 0 and ok[lo - 1]:
        lo -= 1
    while hi < len(score) - 1 and ok[hi + 1]:
        hi += 1
    return lrs[lo], lrs[hi]


def batch_rate_bands(batch_sizes=BATCH_SIZES, lrs=None, seeds=SEEDS[:5],
                     optimizer="sgd", epochs=10, margin=0.03, metric="loss"):
    """Train the network at every rate of ``lrs`` and batch size for
    ``epochs`` epochs (equal epochs: a batch twice as large makes half the
    updates), from each seed's initial weights, and find the near-best band.

    Args:
        batch_sizes: integers in 1..420 (the 420-sample subset).
        lrs: the rates (default ``BAND_LRS[optimizer]``).
        seeds: a seed sets the initial weights and shuffles the batches
            (every rate of a seed sees the same batches).
        optimizer: ``"sgd"`` (plain) or ``"adam"`` (Keras defaults).
        epochs: passes over the 420 samples.
        margin: a rate is near-best when its mean loss over the seeds is at
            most ``(1 + margin)`` times the best mean (default 3%).
        metric: ``"loss"`` (the last epoch's mean training loss, as Keras
            reports it) or ``"val_loss"`` (the test set at the end).

    Returns a ``RateBands`` (cached).
    """
    if isinstance(batch_sizes, (str, bytes)) or not hasattr(batch_sizes, "__iter__"):
        raise TypeError(f"batch_sizes must be a list of integers, got "
                        f"{batch_sizes!r}")
    sizes = tuple(check_count("batch_sizes", b) for b in batch_sizes)
    if not sizes or any(b > N_SAMPLES for b in sizes) or len(set(sizes)) < len(
            sizes):
        raise ValueError(f"batch_sizes must be distinct integers in 1..{N_SAMPLES}, "
                         f"got {batch_sizes!r}")
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    lrs = BAND_LRS[optimizer] if lrs is None else check_lrs(lrs)
    args = (sizes, tuple(float(r) for r in lrs), check_seeds(seeds), optimizer,
            check_count("epochs", epochs), check_positive("margin", margin),
            check_choice("metric", metric, ("loss", "val_loss")))
    return _batch_rate_bands(*args)


@functools.lru_cache(maxsize=8)
def _batch_rate_bands(sizes, lrs, seeds, optimizer, epochs, margin, metric):
    lrs = np.array(lrs)
    losses = np.stack([_swept(b, lrs, seeds, optimizer, epochs)[metric]
                       for b in sizes])
    return RateBands(optimizer, sizes, lrs, seeds, epochs, margin, metric, losses)


def _swept(batch_size, lrs, seeds, optimizer, epochs):
    """Both metrics after the last epoch, each (seeds, rates); cached by
    ``_sweep_cached`` so that the two metrics share one training."""
    return _sweep_cached(batch_size, tuple(lrs.tolist()), seeds, optimizer, epochs)


@functools.lru_cache(maxsize=64)
def _sweep_cached(batch_size, lrs, seeds, optimizer, epochs):
    # one seed at a time: each shuffles its own batches (no slower than all
    # seeds in one pass, as the pass is dominated by per-update overhead)
    runs = [_sweep_rows((s,), np.array(lrs), optimizer, batch_size, epochs,
                        order_seed=s) for s in seeds]
    val = np.concatenate([v for v, _ in runs])
    train = np.concatenate([t for _, t in runs])
    return {"loss": train[..., -1], "val_loss": val[..., -1]}
