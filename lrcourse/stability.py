"""What an optimizer does with a rate: runs at many rates, and where it is stable.

Momentum and Adam change what a given rate means. Nothing here uses a formula
for that: every number comes from running the package's own optimizers
(``SGD(lr, momentum=beta)``, ``Adam(lr)``) on a toy problem. The closed form
``2 (1 + beta) / lambda`` for momentum's limit is given only to compare with.

>>> from lrcourse import Quadratic, SGD
>>> limit = largest_stable_lr(Quadratic(curvature=4.0), SGD(momentum=0.5),
...                           lo=0.01, hi=2.0)
>>> f"{limit:.3f}", f"{momentum_limit(4.0, 0.5):.3f}"
('0.750', '0.750')
"""

from __future__ import annotations

import numpy as np

from ._validate import (
    ArrayLike,
    check_count,
    check_fraction,
    check_lrs,
    check_positive,
    check_problem,
    check_start,
    check_tolerance,
)
from .descent import Trace
from .engine import descend
from .optimizers import Optimizer


def momentum_limit(curvature: float, momentum: float) -> float:
    """The closed form ``2 (1 + beta) / lambda``: the largest stable rate of
    heavy-ball momentum on a bowl of curvature lambda (for comparison only).

    >>> momentum_limit(10.0, 0.0)
    0.2
    """
    curvature = check_positive("curvature", curvature)
    momentum = check_fraction("momentum", momentum)
    return 2.0 * (1.0 + momentum) / curvature


def check_optimizer(optimizer: Optimizer) -> Optimizer:
    """Raise unless ``optimizer`` is an lrcourse optimizer (runs never step
    it: each starts from its fresh state).

    >>> from lrcourse import SGD
    >>> check_optimizer(SGD()) is not None
    True
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError("optimizer must be an lrcourse optimizer such as "
                        f"SGD(momentum=0.9) or Adam(), got {optimizer!r}")
    return optimizer


class RateRuns:
    """One optimizer run at many rates from the same start; row ``i`` is
    ``lrs[i]``.

    ``weights`` (rates, steps + 1[, 2]) and ``losses`` (rates, steps + 1) hold
    the start and every update, NaN after a run diverged; ``updates`` holds the
    applied changes (rates, steps[, 2]); ``diverged_at`` the 1-based update
    that ran away per rate (None if it did not), ``diverged`` the same as a
    boolean mask.

    >>> from lrcourse import SGD, Quadratic
    >>> runs = run_rates(Quadratic(), SGD(), [0.1, 1.5], steps=20, start=1.0)
    >>> runs.stable().tolist()
    [True, False]
    """

    def __init__(self, lrs: np.ndarray, weights: np.ndarray, losses: np.ndarray,
                 updates: np.ndarray, diverged_at: np.ndarray,
                 minimum: float | np.ndarray) -> None:
        self.lrs = lrs
        self.weights = weights
        self.losses = losses
        self.updates = updates
        self.diverged_at = tuple(diverged_at)
        self.diverged = np.array([d is not None for d in self.diverged_at])
        self.minimum = minimum
        self._memo = {}

    @property
    def steps(self):
        return self.losses.shape[1] - 1

    def distances(self):
        """Distance to the minimum, shape (rates, steps + 1)."""
        d = np.abs(self.weights - self.minimum)
        return np.linalg.norm(d, axis=-1) if d.ndim == 3 else d

    def step_sizes(self):
        """Size of every applied change, shape (rates, steps)."""
        if "sizes" not in self._memo:
            u = np.abs(self.updates)
            self._memo["sizes"] = np.linalg.norm(u, axis=-1) if u.ndim == 3 else u
        return self._memo["sizes"]

    def loss_rises(self, upto=None):
        """Per rate, how many updates (of the first ``upto``) raised the loss."""
        f = self.losses[:, : (upto or self.steps) + 1]
        with np.errstate(invalid="ignore"):
            return np.sum(f[:, 1:] > f[:, :-1], axis=1)

    def convergence_factors(self):
        """Per rate, the measured factor by which the distance to the minimum
        shrinks per update late in the run (< 1: stable, > 1: unstable).

        Taken from the run itself: ``exp`` of the least-squares slope of
        ``log(distance)`` against the update number over the second half of
        the run (up to the last finite, non-vanishing distance). Where the
        distance oscillates (momentum), only its peaks enter the fit, so the
        slope follows the envelope whatever the period of the oscillation;
        a run with fewer than two peaks there is fitted on every update.
        """
        if "factors" in self._memo:
            return self._memo["factors"]
        with np.errstate(all="ignore"):
            d = np.nan_to_num(self.distances(), nan=0.0, posinf=0.0)
            usable = d > 1e-250
            rows, n = d.shape
            last = n - 1 - np.argmax(usable[:, ::-1], axis=1)
            last[~usable.any(axis=1)] = 0
            k = np.arange(n)[None, :]
            first = (last // 2)[:, None]
            window = (k >= first) & (k <= last[:, None]) & usable
            inner = (k > first) & (k < last[:, None])
            pad = np.zeros((rows, 1))
            before = np.hstack([pad, d[:, :-1]])
            after = np.hstack([d[:, 1:], pad])
            peak = (inner & window & (d >= before) & (d >= after)
                    & ((d > before) | (d > after)))
            few = peak.sum(axis=1) < 2
            use = np.where(few[:, None], window, peak).astype(float)
            y = np.log(np.where(usable, d, 1.0))
            # a peak falls between updates: where peaks lie several updates
            # apart, refine each with the parabola through log(distance) at
            # the update before, at and after it
            y_b = np.log(np.where(before > 1e-250, before, 1.0))
            y_a = np.log(np.where(after > 1e-250, after, 1.0))
            bend = y_b - 2.0 * y + y_a
            shift = np.where(peak & (bend < 0), 0.5 * (y_b - y_a) / np.where(
                bend < 0, bend, -1.0), 0.0)
            spacing = (last - first[:, 0]) / np.maximum(peak.sum(axis=1), 1)
            use_peaks = (~few & (spacing >= 6))[:, None]
            k = np.where(use_peaks, k + shift, k)
            y = np.where(use_peaks, y - 0.25 * (y_b - y_a) * shift, y)
            y = np.where(use > 0, y, 0.0)
            count = np.maximum(use.sum(axis=1), 1.0)
            k_mean = (use * k).sum(axis=1) / count
            y_mean = (use * y).sum(axis=1) / count
            dk = (k - k_mean[:, None]) * use
            spread = (dk * dk).sum(axis=1)
            slope = (dk * (y - y_mean[:, None])).sum(axis=1) / np.where(
                spread > 0, spread, 1.0)
            out = np.exp(slope)
        out[last < 2] = 0.0
        out[(last < 2) & self.diverged] = np.inf
        self._memo["factors"] = out
        return out

    def stable(self):
        """True for every rate whose run neither diverged nor grew."""
        return ~self.diverged & (self.convergence_factors() < 1.0)

    def trace(self, i: int) -> Trace:
        """Rate ``i``'s run as a ``Trace`` (finite entries only)."""
        k = int(np.sum(np.isfinite(self.losses[i])))
        lr = float(self.lrs[i])
        return Trace(self.weights[i, :k], self.losses[i, :k],
                     np.full(k - 1, np.nan), self.updates[i, : k - 1],
                     np.full(k - 1, lr), self.diverged_at[i])

    def __repr__(self):
        return (f"RateRuns({len(self.lrs)} rates, {self.steps} updates, "
                f"{int(self.diverged.sum())} diverged)")


def run_rates(problem, optimizer: Optimizer, lrs: ArrayLike, steps: int,
              start: float | ArrayLike) -> RateRuns:
    """Run ``optimizer`` at every rate in one vectorized pass.

    Each run starts from the optimizer's fresh state (the object is not
    changed). A run that diverges (``lrcourse.engine``'s rule) stops there;
    its later entries are NaN.

    >>> from lrcourse import Quadratic, SGD
    >>> runs = run_rates(Quadratic(curvature=10.0), SGD(momentum=0.9),
    ...                  [0.1, 0.5], steps=300, start=1.0)
    >>> runs.diverged.tolist()
    [False, True]
    """
    rates = check_lrs(lrs)
    steps = check_count("steps", steps)
    check_optimizer(optimizer)
    w0 = check_start(start, getattr(check_problem(problem), "ndim", 1))
    run = descend(problem, rates, steps, w0, optimizer=optimizer)
    minimum = np.asarray(getattr(problem, "minimum", 0.0), float)
    return RateRuns(rates, run.weights, run.losses, run.changes, run.diverged_at,
                    minimum if minimum.ndim else float(minimum))


def largest_stable_lr(problem, optimizer: Optimizer, lo: float, hi: float, *,
                      steps: int = 2000, rtol: float = 1e-5, points: int = 15,
                      start: float | ArrayLike = 1.0) -> float:
    """The largest rate at which ``optimizer`` is stable on ``problem``,
    found by bisection over runs of the optimizer itself.

    ``lo`` must be stable and ``hi`` unstable. Each round runs ``points``
    rates spread evenly inside the bracket (all in one vectorized pass) and
    keeps the sub-interval where stability is lost; ``points=1`` is plain
    bisection, one run per round. Stops when the bracket is narrower than
    ``rtol`` times its upper end, and returns its lower (stable) end.

    >>> from lrcourse import SGD, Quadratic
    >>> f"{largest_stable_lr(Quadratic(2.0), SGD(), lo=0.01, hi=3.0):.3f}"
    '1.000'
    """
    lo = check_positive("lo", lo)
    hi = check_positive("hi", hi)
    if not lo < hi:
        raise ValueError(f"lo must be below hi, got lo={lo!r}, hi={hi!r}")
    steps = check_count("steps", steps, minimum=20)
    points = check_count("points", points)
    rtol = check_tolerance("rtol", rtol, upper=0.5)
    ends = run_rates(problem, optimizer, [lo, hi], steps, start).stable()
    if not ends[0]:
        raise ValueError(f"lo must be a stable rate; {lo!r} is not: lower it")
    if ends[1]:
        raise ValueError(f"hi must be an unstable rate; {hi!r} is stable: raise it")
    while hi - lo > rtol * hi:
        inner = lo + (hi - lo) * np.arange(1, points + 1) / (points + 1)
        ok = run_rates(problem, optimizer, inner, steps, start).stable()
        bad = np.flatnonzero(~ok)
        first_bad = int(bad[0]) if bad.size else points
        if first_bad > 0:
            lo = float(inner[first_bad - 1])
        if first_bad < points:
            hi = float(inner[first_bad])
    return lo
