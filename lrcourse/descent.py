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
    check_count,
    check_lr,
    check_lrs,
    check_positive,
    check_problem,
    check_rng,
    check_start,
    check_tolerance,
)
from .engine import (  # noqa: F401 (the rule's constants, read here by lessons)
    RUNAWAY_FACTOR,
    RUNAWAY_FLOOR,
    WEIGHT_BOUND,
    descend,
    runaway,
)
from .optimizers import Optimizer


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


def gradient_descent(problem, lr: Rate, steps: int, start: float | ArrayLike, *,
                     noise: float = 0.0, rng=None,
                     optimizer: Optimizer | None = None) -> Trace:
    """Run ``steps`` updates ``w = w - lr * grad(w)`` from ``start``.

    Args:
        problem: anything with ``loss(w)`` and ``grad(w)`` (``Quadratic``...).
        lr: a rate > 0 or a schedule ``step -> lr`` (steps counted from 0;
            every rate it gives is checked).
        steps: the number of updates (an integer >= 1).
        start: the starting weight (two numbers for a 2-D problem).
        noise: standard deviation of Gaussian noise added to each gradient.
        rng: a ``np.random.Generator`` (or seed); needed when ``noise > 0``.
        optimizer: an lrcourse optimizer to apply instead of the plain rule,
            at rate ``lr``; the run starts from fresh optimizer state and
            leaves the object as it was (the same call twice gives the same
            run).

    Stops at the first update that diverges (``lrcourse.engine``'s rule:
    non-finite, or a loss above 1e6 times the starting loss, or a weight
    beyond 1e12 in size); that update is kept when its values are finite.

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
    w0 = check_start(start, ndim)
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError("optimizer must be None or an lrcourse optimizer such as "
                        f"SGD(momentum=0.9), got {optimizer!r}")
    run = descend(problem, lr if callable(lr) else np.array([lr]), steps, w0,
                  optimizer=optimizer, noise=noise, rng=rng, grads=True, full=False)
    n = run.diverged_at[0] or run.steps
    if not (np.isfinite(run.losses[0, n]) and np.all(np.isfinite(run.weights[0, n]))):
        n -= 1  # the diverging update left nothing finite to keep
    lrs = run.lrs[:n] if callable(lr) else np.full(n, lr)
    return Trace(run.weights[0, :n + 1], run.losses[0, :n + 1], run.grads[0, :n],
                 run.changes[0, :n], lrs, run.diverged_at[0])


class Sweep:
    """Many rates run side by side; row ``i`` belongs to ``lrs[i]``.

    ``losses`` and ``weights`` have shape (rates, updates + 1), NaN after a
    rate diverged (updates = ``steps``, or fewer when the sweep stopped
    early because every rate had converged). ``diverged_at`` holds each
    rate's 1-based diverging update, None where it did not diverge;
    ``diverged`` the same as a boolean mask.

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
        self.diverged_at = tuple(diverged_at)
        self.diverged = np.array([d is not None for d in self.diverged_at])

    @property
    def steps(self):
        """The number of updates run."""
        return self.losses.shape[1] - 1

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


def sweep(problem, lrs: ArrayLike, steps: int, start: float | ArrayLike, *,
          tol: float | None = None) -> Sweep:
    """Plain gradient descent at many rates in one vectorized pass.

    With ``tol``, the sweep stops early once every rate that has not
    diverged has converged: its gradient and its last step both at most
    ``tol`` in size. The arrays then end at that update.

    >>> from lrcourse import Quadratic
    >>> s = sweep(Quadratic(curvature=1.0), [0.5, 1.0, 3.0], steps=50, start=1.0)
    >>> s.diverged.tolist(), s.diverged_at
    ([False, False, True], (None, None, 10))
    >>> sweep(Quadratic(curvature=1.0), [0.5], steps=10**7, start=1.0,
    ...       tol=1e-9).steps
    31
    """
    lrs_arr = check_lrs(lrs)
    steps = check_count("steps", steps)
    if tol is not None:
        tol = check_positive("tol", tol)
    w0 = check_start(start, getattr(check_problem(problem), "ndim", 1))
    run = descend(problem, lrs_arr, steps, w0, tol=tol)
    return Sweep(lrs_arr, run.weights, run.losses, run.diverged_at)
