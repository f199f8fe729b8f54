"""The schedule composer of lesson 08: build a schedule, train with it, read
the noise floor.

Every schedule here is one of ``lrcourse.schedules``; this module only
chooses their arguments from a few composer settings (kind, peak rate,
warm-up length, run length) and measures what SGD does with them on a noisy
bowl. On ``Quadratic`` with Gaussian gradient noise the expected loss has an
exact recursion, so the composer can draw the mean behaviour beside one
seeded run without averaging thousands of runs.
"""

import math
import numbers

import numpy as np

from ... import schedules as _schedules
from ..._validate import (
    check_choice,
    check_count,
    check_has,
    check_positive,
    check_rng,
)
from ...descent import gradient_descent
from ...engine import runaway
from ...model import reference_model
from ...problems import Quadratic, noise_floor

#: The composer's schedule kinds, each an ``lrcourse.schedules`` builder.
KINDS = ("constant", "step_decay", "exponential_decay", "cosine_decay", "one_cycle")

#: How far the decaying kinds fall by the end of the run.
STEP_DROP = 0.1  # step decay: x 0.1 at each of its two drops
EXP_FALL = 0.01  # exponential decay: x 0.01 over the run


def make_schedule(kind, lr, steps, warmup_steps=0):
    """The composer's schedule: ``kind`` peaking at ``lr`` over ``steps`` updates.

    ``warmup_steps`` > 0 puts a linear warm-up in front (the decay then spans
    the remaining updates, so every run ends at update ``steps``). One-cycle
    has its own rising phase: there ``warmup_steps`` sets its length
    (``pct_start = warmup_steps / steps``; 0 keeps PyTorch's 30%).

    >>> make_schedule("cosine_decay", 0.1, steps=300, warmup_steps=30)
    warmup(cosine_decay(lr=0.1, decay_steps=270, alpha=0), warmup_steps=30, start=0)
    """
    kind = check_choice("kind", kind, KINDS)
    lr = check_positive("lr", lr)
    steps = check_count("steps", steps, minimum=2)
    if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, numbers.Integral):
        raise TypeError(f"warmup_steps must be an integer in 0..{steps - 1}, "
                        f"got {warmup_steps!r}")
    if not 0 <= warmup_steps < steps:
        raise ValueError(f"warmup_steps must be an integer in 0..{steps - 1}, "
                         f"got {warmup_steps}")
    warmup_steps = int(warmup_steps)
    if kind == "one_cycle":
        pct = warmup_steps / steps if warmup_steps else 0.3
        return _schedules.one_cycle(lr, total_steps=steps, pct_start=pct)
    decay = steps - warmup_steps
    if kind == "constant":
        base = _schedules.constant(lr)
    elif kind == "step_decay":
        base = _schedules.step_decay(lr, drop=STEP_DROP, every=max(-(-decay // 3), 1))
    elif kind == "exponential_decay":
        base = _schedules.exponential_decay(lr, decay_rate=EXP_FALL, decay_steps=decay)
    else:
        base = _schedules.cosine_decay(lr, decay_steps=decay)
    if warmup_steps:
        return _schedules.warmup(base, warmup_steps)
    return base


def expected_losses(problem, lr, steps, start, noise):
    """Exact expected loss after each update of noisy SGD on a 1-D bowl.

    The mean distance ``m`` and the variance ``s`` of the weight follow
    ``m <- (1 - r lambda) m`` and ``s <- (1 - r lambda)^2 s + r^2 noise^2``;
    the expected loss is ``lambda / 2 (m^2 + s)``. Returns ``steps + 1``
    values (the start first), NaN after the expectation runs away.

    >>> q = Quadratic(curvature=1.0)
    >>> f"{expected_losses(q, 0.5, 200, 5.0, 1.0)[-1]:.4f}"
    '0.1667'
    """
    if not isinstance(problem, Quadratic):
        raise TypeError("problem must be an lrcourse.Quadratic (a 1-D bowl)")
    steps = check_count("steps", steps)
    noise = check_positive("noise", noise, allow_zero=True)
    m = float(start) - problem.minimum
    lam = problem.curvature
    rates = _rates(lr, steps)
    out = np.full(steps + 1, np.nan)
    out[0] = 0.5 * lam * m * m
    s = 0.0
    with np.errstate(all="ignore"):
        for k, r in enumerate(rates):
            a = 1.0 - r * lam
            m, s = a * m, a * a * s + r * r * noise * noise
            value = 0.5 * lam * (m * m + s)
            if runaway(value, out[0]):
                break
            out[k + 1] = value
    return out


def _rates(lr, steps):
    if callable(lr):
        return np.asarray(lr(np.arange(steps)), dtype=float)
    return np.full(steps, check_positive("lr", lr))


class ComposerRun:
    """One composer setting, trained: the schedule, its rates, one seeded
    run (``trace``), the expected loss per update and the floors.

    ``floors`` is the noise floor of the rate in force at each update;
    ``peak_floor`` the floor a constant peak rate would hover at.
    """

    def __init__(self, kind, lr, warmup_steps, schedule, rates, trace, expected,
                 floors, peak_floor, curvature, noise, seed):
        self.kind = kind
        self.lr = lr
        self.warmup_steps = warmup_steps
        self.schedule = schedule
        self.rates = rates
        self.trace = trace
        self.expected = expected
        self.floors = floors
        self.peak_floor = peak_floor
        self.curvature = curvature
        self.noise = noise
        self.seed = seed

    @property
    def steps(self):
        return len(self.rates)

    @property
    def diverged_at(self):
        return self.trace.diverged_at

    @property
    def final_expected(self):
        """The expected loss after the last update (NaN if it ran away)."""
        return float(self.expected[-1])

    @property
    def peak_update(self):
        """The first update (counted from 0) that uses the highest rate."""
        return int(np.argmax(self.rates))

    def tail_mean(self, fraction=0.1):
        """The seeded run's mean loss over the last ``fraction`` of updates."""
        n = max(int(round(fraction * self.steps)), 1)
        return float(np.mean(self.trace.losses[-n:]))

    def __repr__(self):
        return (f"ComposerRun({self.schedule!r}, {self.steps} updates, "
                f"final expected loss {self.final_expected:.4g})")


def compose(kind="cosine_decay", lr=0.1, warmup_steps=0, steps=300, curvature=1.0,
            noise=1.0, start=5.0, seed=0):
    """Train SGD with the composer's schedule on a noisy bowl.

    The bowl is ``Quadratic(curvature)`` started at ``start``; every gradient
    gets Gaussian noise of standard deviation ``noise`` (the mini-batch noise
    of lesson 04). One run is seeded with ``seed``; the expected loss is
    exact.

    >>> run = compose("constant", lr=0.5, steps=300)
    >>> f"{run.final_expected:.4f}", f"{run.peak_floor:.4f}"
    ('0.1667', '0.1667')
    """
    schedule = make_schedule(kind, lr, steps, warmup_steps)
    problem = Quadratic(curvature=curvature)
    noise = check_positive("noise", noise, allow_zero=True)
    check_rng(seed, "seed")
    trace = gradient_descent(problem, lr=schedule, steps=steps, start=start,
                             noise=noise, rng=seed)
    rates = np.asarray(schedule(np.arange(steps)), dtype=float)
    expected = expected_losses(problem, schedule, steps, start, noise)
    floors = noise_floor(rates, curvature, noise)
    return ComposerRun(kind, float(lr), int(warmup_steps), schedule, rates, trace,
                       expected, floors, noise_floor(lr, curvature, noise),
                       curvature, noise, seed)


class Composer:
    """The composer panel's compute: ``compose`` with the panel's fixed run
    (length, bowl, noise, start, seed) and the three controls.

    >>> run = Composer(steps=300)(kind="constant", lr=0.5, warmup=0)
    >>> f"{run.final_expected:.4f}"
    '0.1667'
    """

    def __init__(self, steps=300, curvature=1.0, noise=1.0, start=5.0, seed=0):
        self.steps, self.curvature, self.noise = steps, curvature, noise
        self.start, self.seed = start, seed

    def __call__(self, kind, lr, warmup):
        return compose(kind, lr=lr, warmup_steps=warmup, steps=self.steps,
                       curvature=self.curvature, noise=self.noise, start=self.start,
                       seed=self.seed)


def composer_readout(run):
    """The composer's readout: the schedule, where its rate goes, the result."""
    r = check_has("run", run, ("rates", "curvature"), "what compose returns").rates
    limit = 2.0 / run.curvature
    lines = [
        f"schedule: {run.schedule!r}",
        f"rate: {r[0]:.4g} at update 0, peak {r.max():.4g} first at update "
        f"{run.peak_update}, {r[-1]:.3g} at update {run.steps - 1}",
    ]
    if run.diverged_at is not None:
        over = np.flatnonzero(r * run.curvature > 2.0)
        when = (f"; the rate first passed 2/lambda = {limit:g} at update {over[0]}"
                if over.size else "")
        lines.append(f"diverged at update {run.diverged_at}{when}")
        n = int(np.sum(over < run.diverged_at))
        lines.append(f"the rate stayed above 2/lambda for {n} update"
                     f"{'s' if n != 1 else ''}; a schedule cannot move the limit")
        return "\n".join(lines)
    peak = (f"a constant {run.lr:.4g} never settles (peak >= 2/lambda)"
            if math.isinf(run.peak_floor)
            else f"a constant {run.lr:.4g} hovers at {run.peak_floor:.4f}")
    tail = (f"mean loss over the last {max(int(round(0.1 * run.steps)), 1)} "
            f"updates {run.tail_mean():.5f}")
    gone = np.flatnonzero(~np.isfinite(run.expected))
    if gone.size:
        over = int(np.sum(r[:gone[0]] * run.curvature > 2.0))
        lines += [
            f"expected loss (the average over seeds) ran away at update {gone[0]}, "
            f"after {over} update{'s' if over != 1 else ''} above 2/lambda = {limit:g}",
            f"this run (seed {run.seed}) happened to come back: {tail}",
        ]
        return "\n".join(lines)
    lines += [
        f"expected loss after {run.steps} updates: {run.final_expected:.5f}   ({peak})",
        f"this run (seed {run.seed}): {tail}",
    ]
    return "\n".join(lines)


def frozen_fraction(X, y, lr, seeds, *, optimizer="adam", epochs=3, batch_size=10):
    """Train the reference network once per seed; which runs froze?

    A run froze when every ReLU of some layer is dead on ``X`` at the end
    (the loss then sits near ln 2). ``lr`` may be a schedule; each seed sets
    both the initial weights and the shuffling. Returns ``(frozen,
    final_losses)``: a boolean array and the last epoch's loss per seed.
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must be a non-empty list of integers")
    frozen, losses = [], []
    for seed in seeds:
        model = reference_model(seed=seed, lr=lr, optimizer=optimizer)
        history = model.fit(X, y, batch_size=batch_size, epochs=epochs, seed=seed)
        frozen.append(any(d == 1.0 for d in model.dead_units(X)))
        losses.append(history.history["loss"][-1])
    return np.array(frozen), np.array(losses)


def update_sizes(history, update=0):
    """``|change|`` of every weight at one update of a ``fit`` run.

    Needs a run traced with ``snapshot_every=1`` (every weight before every
    update); ``update`` counts from 0 within that run.
    """
    trace = check_has("history", history, ("trace",), "what fit returns").trace
    if trace is None or trace.snapshot_every != 1:
        raise ValueError("history must come from fit(..., snapshot_every=1)")
    if isinstance(update, bool) or not isinstance(update, numbers.Integral):
        raise TypeError(f"update must be an integer, got {update!r}")
    # snapshot k holds the weights before update k, so the last update of
    # the run has no "after" stored
    if not 0 <= update < trace.updates - 1:
        raise ValueError(f"update must be in 0..{trace.updates - 2}, got {update}")
    return np.abs(trace.snapshots[update + 1] - trace.snapshots[update])


def rate_change_readout(changed, kept, epochs=(8, 9, 10, 11, 12, 20)):
    """The loss per epoch of a run whose rate was changed by hand between two
    ``fit`` calls (``changed``: their two Histories) beside a run that kept
    its rate (``kept``: one History of as many epochs), one line per epoch
    of ``epochs`` (counted from 1), after a line saying whether the runs
    agree before the change."""
    check_has("kept", kept, ("history",), "what fit returns")
    if len(changed) != 2:
        raise ValueError(f"changed must be the two Histories of the fit calls "
                         f"before and after the change, got {len(changed)}")
    first, second = (check_has("changed", h, ("history",), "what fit returns")
                     for h in changed)
    joined = first.history["loss"] + second.history["loss"]
    same = kept.history["loss"][:len(first.history["loss"])]
    gap = max(abs(a - b) for a, b in zip(first.history["loss"], same))
    lines = [f"first {len(same)} epochs: largest difference from kept "
             f"{gap:.1e}" + (" (identical runs)" if gap == 0 else "")]
    for epoch in epochs:
        if not 1 <= epoch <= min(len(joined), len(kept.history["loss"])):
            raise ValueError(f"epochs must lie in 1..{len(joined)}, got {epoch}")
        lines.append(f"epoch {epoch:>2}: loss changed {joined[epoch - 1]:.4f}   "
                     f"kept {kept.history['loss'][epoch - 1]:.4f}")
    return "\n".join(lines)


def frozen_readout(name, frozen):
    """One line: how many of the runs froze, and their seeds (``frozen`` is
    the first array ``frozen_fraction`` returns, one bool per seed)."""
    frozen = np.asarray(frozen, dtype=bool)
    if frozen.ndim != 1:
        raise ValueError("frozen must be one True/False per seed")
    return (f"{name:>12}: {int(frozen.sum())} of {frozen.size} runs froze "
            f"(seeds {np.flatnonzero(frozen).tolist()})")
