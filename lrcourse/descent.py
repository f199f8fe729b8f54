"""Gradient descent on the toy problems, traced update by update.

The whole method is one line, ``w = w - lr * grad(w)``; everything else here
records what that line did and notices when it runs away.
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import (
    ArrayLike,
    Rate,
    Seed,
    check_count,
    check_lr,
    check_lrs,
    check_positive,
    check_problem,
    check_rng,
    check_start,
    check_tolerance,
)
from .optimizers import Optimizer

#: A loss above this multiple of the starting loss counts as diverged.
RUNAWAY_FACTOR = 1e6
#: A start at or very near the minimum has a loss of about 0; below this
#: starting loss the runaway limit stays at RUNAWAY_FACTOR * RUNAWAY_FLOOR = 1,
#: so noise around the minimum does not count as diverging.
RUNAWAY_FLOOR = 1e-6


def stability_limits(curvature: float) -> tuple[float, float]:
    """The rates ``(1/lambda, 2/lambda)`` that bound the three regimes.

    >>> stability_limits(8.0)
    (0.125, 0.25)
    """
    curvature = check_positive("curvature", curvature)
    return 1.0 / curvature, 2.0 / curvature


def classify_lr(lr: float, curvature: float) -> str:
    """Name the regime of plain gradient descent on a bowl of this curvature.

    ``"monotone"`` (lr <= 1/lambda: moves straight to the minimum),
    ``"oscillating"`` (below 2/lambda: overshoots but converges),
    ``"marginal"`` (exactly 2/lambda: bounces for ever) or ``"divergent"``.

    >>> classify_lr(0.2, 8.0), classify_lr(0.25, 8.0)
    ('oscillating', 'marginal')
    """
    lr = check_positive("lr", lr)
    once, twice = stability_limits(curvature)
    if lr <= once or math.isclose(lr, once, rel_tol=1e-9):
        return "monotone"
    if math.isclose(lr, twice, rel_tol=1e-9):
        return "marginal"
    return "oscillating" if lr < twice else "divergent"


def runaway(losses: ArrayLike, start_loss: float) -> np.ndarray:
    """True where a loss is non-finite or above 1e6 times the starting loss
    (or above 1 when the starting loss is below 1e-6).

    >>> runaway([1.0, 5e5, 2e6, float("nan")], start_loss=1.0).tolist()
    [False, False, True, True]
    """
    losses = np.asarray(losses, dtype=float)
    limit = RUNAWAY_FACTOR * max(abs(float(start_loss)), RUNAWAY_FLOOR)
    with np.errstate(invalid="ignore"):
        return ~np.isfinite(losses) | (losses > limit)


class Trace:
    """What gradient descent did, one entry per update.

    ``weights`` and ``losses`` hold the start plus one entry per update taken;
    ``grads``, ``updates`` (the applied change) and ``lrs`` hold one entry per
    update. ``diverged_at`` is the 1-based update whose loss was non-finite or
    ran away (None if none did).

    >>> from lrcourse import Quadratic
    >>> trace = gradient_descent(Quadratic(), lr=0.25, steps=2, start=1.0)
    >>> trace, trace.steps_to(0.3)
    (Trace(2 updates, final loss 0.0625), 2)
    """

    def __init__(self, weights: ArrayLike, losses: ArrayLike, grads: ArrayLike,
                 updates: ArrayLike, lrs: ArrayLike, diverged_at: int | None = None
                 ) -> None:
        self.weights = np.asarray(weights)
        self.losses = np.asarray(losses)
        self.grads = np.asarray(grads)
        self.updates = np.asarray(updates)
        self.lrs = np.asarray(lrs)
        self.diverged_at = diverged_at

    @property
    def diverged(self):
        return self.diverged_at is not None

    @property
    def steps(self):
        """The number of updates recorded."""
        return len(self.lrs)

    @property
    def final_loss(self):
        return float(self.losses[-1])

    def steps_to(self, tol: float, minimum: float | ArrayLike = 0.0) -> int | None:
        """The first update after which ``|w - minimum| < tol`` (None if never)."""
        tol = check_tolerance("tol", tol, scale=np.max(np.abs(minimum)))
        dist = np.abs(np.asarray(self.weights, dtype=float) - minimum)
        if dist.ndim > 1:
            dist = np.linalg.norm(dist, axis=-1)
        hits = np.flatnonzero(dist < tol)
        return int(hits[0]) if hits.size else None

    def rows(self, first: int = 1, last: int | None = None) -> list[dict]:
        """Step-table rows: step, old weight, gradient, lr x gradient, new
        weight and loss after the update (1-based steps, inclusive)."""
        last = self.steps if last is None else min(last, self.steps)
        out = []
        for k in range(max(first, 1), last + 1):
            out.append({
                "step": k,
                "old": self.weights[k - 1],
                "grad": self.grads[k - 1],
                "lr": self.lrs[k - 1],
                "lr_x_grad": self.lrs[k - 1] * self.grads[k - 1],
                "new": self.weights[k],
                "loss": self.losses[k],
            })
        return out

    def __repr__(self):
        if self.diverged:
            end = f"diverged at update {self.diverged_at}"
        else:
            end = f"final loss {self.final_loss:.4g}"
        return f"Trace({self.steps} updates, {end})"


def _rate_at(lr, k):
    return float(lr(k)) if callable(lr) else lr


def gradient_descent(problem, lr: Rate, steps: int, start: float | ArrayLike, *,
                     noise: float = 0.0, rng: Seed | None = None,
                     optimizer: Optimizer | None = None) -> Trace:
    """Run ``steps`` updates ``w = w - lr * grad(w)`` from ``start``.

    Args:
        problem: anything with ``loss(w)`` and ``grad(w)`` (``Quadratic``...).
        lr: a rate > 0 or a schedule ``step -> lr`` (steps counted from 0).
        steps: the number of updates (an integer >= 1).
        start: the starting weight (two numbers for a 2-D problem).
        noise: standard deviation of Gaussian noise added to each gradient.
        rng: a ``np.random.Generator`` (or seed); needed when ``noise > 0``.
        optimizer: an lrcourse optimizer to apply instead of the plain rule;
            ``lr`` then sets its rate.

    Stops at the first update whose loss is non-finite or above 1e6 times
    the starting loss; that update is kept when its values are finite.

    >>> from lrcourse import Quadratic
    >>> tr = gradient_descent(Quadratic(curvature=2.0), lr=0.1, steps=3, start=1.0)
    >>> [f"{w:.3f}" for w in tr.weights]
    ['1.000', '0.800', '0.640', '0.512']
    """
    lr = check_lr(lr)
    steps = check_count("steps", steps)
    noise = check_positive("noise", noise, allow_zero=True)
    if noise > 0 and rng is None:
        raise ValueError("rng is required when noise > 0 (pass a seed or Generator)")
    if rng is not None:
        rng = check_rng(rng)
    ndim = getattr(check_problem(problem), "ndim", 1)
    w = check_start(start, ndim)
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError("optimizer must be None or an lrcourse optimizer such as "
                        f"SGD(momentum=0.9), got {optimizer!r}")
    if optimizer is not None:
        optimizer.lr = lr
    with np.errstate(all="ignore"):
        start_loss = float(problem.loss(w))
        weights, losses = [w.copy()], [start_loss]
        grads, updates, lrs = [], [], []
        diverged_at = None
        for k in range(steps):
            rate = _rate_at(lr, k)
            g = problem.grad(w)
            if noise > 0:
                g = g + noise * rng.standard_normal(np.shape(g))
            if optimizer is None:
                change = -rate * g
                w = w + change  # the rule: new weight = old weight - lr * grad
            else:
                w = w.copy()
                params = [np.atleast_1d(w)]
                change = optimizer.step(params, [np.atleast_1d(g)])[0].reshape(w.shape)
                w = params[0].reshape(w.shape)
            loss = float(problem.loss(w))
            if runaway(loss, start_loss):
                diverged_at = k + 1
                if not (np.all(np.isfinite(w)) and np.isfinite(loss)):
                    break
            weights.append(w.copy())
            losses.append(loss)
            grads.append(np.array(g, dtype=float))
            updates.append(np.array(change, dtype=float))
            lrs.append(rate)
            if diverged_at is not None:
                break
    return Trace(weights, losses, grads, updates, lrs, diverged_at)


class Sweep:
    """Many rates run side by side; row ``i`` belongs to ``lrs[i]``.

    ``losses`` and ``weights`` have shape (rates, steps + 1), NaN after a
    rate diverged; ``diverged_at`` holds each rate's 1-based diverging update
    (0 where it did not diverge).

    >>> from lrcourse import Quadratic
    >>> runs = sweep(Quadratic(), [0.1, 1.5], steps=40, start=1.0)
    >>> runs.diverged.tolist(), runs.steps_to(0.01).tolist()
    ([False, True], [21, -1])
    """

    def __init__(self, lrs: np.ndarray, weights: np.ndarray, losses: np.ndarray,
                 diverged_at: np.ndarray) -> None:
        self.lrs = lrs
        self.weights = weights
        self.losses = losses
        self.diverged_at = diverged_at

    @property
    def diverged(self):
        return self.diverged_at > 0

    def final_losses(self) -> np.ndarray:
        """Each rate's last finite loss (NaN where it diverged)."""
        out = self.losses[:, -1].copy()
        out[self.diverged] = np.nan
        return out

    def steps_to(self, tol: float, minimum: float | ArrayLike = 0.0) -> np.ndarray:
        """Per rate, the first update with ``|w - minimum| < tol``; -1 if never."""
        tol = check_tolerance("tol", tol, scale=np.max(np.abs(minimum)))
        dist = np.abs(self.weights - minimum)
        if dist.ndim == 3:
            dist = np.linalg.norm(dist, axis=-1)
        with np.errstate(invalid="ignore"):
            hit = dist < tol
        first = np.argmax(hit, axis=1)
        return np.where(hit.any(axis=1), first, -1)

    def __repr__(self):
        return (f"Sweep({len(self.lrs)} rates from {self.lrs.min():.3g} to "
                f"{self.lrs.max():.3g}, {int(self.diverged.sum())} diverged)")


def sweep(problem, lrs: ArrayLike, steps: int, start: float | ArrayLike) -> Sweep:
    """Plain gradient descent at many rates in one vectorized pass.

    >>> from lrcourse import Quadratic
    >>> s = sweep(Quadratic(curvature=1.0), [0.5, 1.0, 3.0], steps=50, start=1.0)
    >>> s.diverged.tolist()
    [False, False, True]
    """
    lrs_arr = check_lrs(lrs)
    steps = check_count("steps", steps)
    ndim = getattr(check_problem(problem), "ndim", 1)
    w0 = check_start(start, ndim)
    n = lrs_arr.size
    w = np.broadcast_to(w0, (n,) + w0.shape).copy()
    rate = lrs_arr.reshape((n,) + (1,) * w0.ndim)
    weights = np.full((n, steps + 1) + w0.shape, np.nan)
    losses = np.full((n, steps + 1), np.nan)
    weights[:, 0] = w0
    with np.errstate(all="ignore"):
        start_loss = float(problem.loss(w0))
        losses[:, 0] = start_loss
        alive = np.ones(n, dtype=bool)
        diverged_at = np.zeros(n, dtype=int)
        for k in range(steps):
            w = w - rate * problem.grad(w)
            loss = problem.loss(w)
            bad = alive & runaway(loss, start_loss)
            diverged_at[bad] = k + 1
            finite = np.isfinite(loss) & np.all(
                np.isfinite(w).reshape(n, -1), axis=1)
            keep = alive & finite
            weights[keep, k + 1] = w[keep]
            losses[keep, k + 1] = loss[keep]
            alive &= ~bad
            w[~alive] = w0  # park finished rows on finite values
            if not alive.any():
                break
    return Sweep(lrs_arr, weights, losses, diverged_at)
