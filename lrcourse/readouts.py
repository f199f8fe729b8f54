"""Text readouts shown under the panels, built from numbers only.

The panels and the tests both call these, so a test can compute exactly the
text a learner should see for a given slider value.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ._validate import ArrayLike, check_has, check_tolerance
from .descent import classify_lr
from .engine import RUNAWAY_FACTOR, RUNAWAY_FLOOR, WEIGHT_BOUND, runaway_limit

if TYPE_CHECKING:
    from .descent import Trace

REGIME_TEXT = {
    "monotone": "monotone (lr <= 1/lambda): slides straight down",
    "oscillating": (
        "oscillating (1/lambda < lr < 2/lambda): overshoots, still converges"),
    "marginal": "marginal (lr = 2/lambda): bounces for ever",
    "divergent": "divergent (lr > 2/lambda): runs away",
}


def lr_grid(min_exp: float, max_exp: float, step: float) -> np.ndarray:
    """The exact values a log slider can take: ``10 ** (min_exp + i * step)``.

    >>> [f"{v:.4g}" for v in lr_grid(-2, 0, 1)]
    ['0.01', '0.1', '1']
    """
    n = int(round((max_exp - min_exp) / step))
    return 10.0 ** (min_exp + np.arange(n + 1) * step)


def grid_index(value: float, min_exp: float, step: float, size: int) -> int:
    """The index of the grid point nearest ``value`` (a slider's snapped value).

    >>> grid_index(0.1, -3.0, 0.05, 61)
    40
    """
    i = int(round((math.log10(value) - min_exp) / step))
    return min(max(i, 0), size - 1)


def count_of(n: int, noun: str) -> str:
    """``"1 update"``, ``"2 updates"``: a count with its noun, singular for 1.

    >>> count_of(1, "update"), count_of(20, "update")
    ('1 update', '20 updates')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def what_happened(trace: Trace, minimum: float | ArrayLike = 0.0, tol: float = 1e-3
                  ) -> str:
    """One phrase: diverged / converged / oscillating / still moving.

    >>> from lrcourse import Quadratic, gradient_descent
    >>> what_happened(gradient_descent(Quadratic(), lr=0.25, steps=20, start=1.0))
    'converged: within 0.001 of the minimum after update 10'
    """
    check_has("trace", trace, ("weights", "diverged"), "a Trace from gradient_descent")
    tol = check_tolerance("tol", tol, scale=np.max(np.abs(minimum)))
    if trace.diverged:
        return f"diverged at update {trace.diverged_at}"
    w = np.asarray(trace.weights, dtype=float) - minimum
    if w.ndim > 1:
        dist = np.linalg.norm(w, axis=-1)
    else:
        dist = np.abs(w)
    k = trace.steps_to(tol, minimum) if w.ndim == 1 else None
    if w.ndim > 1:
        hits = np.flatnonzero(dist < tol)
        k = int(hits[0]) if hits.size else None
    flips = w.ndim == 1 and np.any(np.sign(w[1:]) * np.sign(w[:-1]) < 0)
    if k is not None:
        how = "oscillating in" if flips else "converged"
        return f"{how}: within {tol:g} of the minimum after update {k}"
    if dist[-1] > dist[0] * (1 + 1e-9):
        return (f"diverging: the distance to the minimum grew from "
                f"{dist[0]:.4g} to {dist[-1]:.4g} in "
                f"{count_of(trace.steps, 'update')}")
    if dist[-1] >= dist[0] * (1 - 1e-12):
        return "not converging: the distance to the minimum did not shrink"
    how = "oscillating, still" if flips else "still"
    return (f"{how} {dist[-1]:.4g} from the minimum after "
            f"{count_of(trace.steps, 'update')}")


def descent_readout(trace: Trace, curvature: float, minimum: float = 0.0) -> str:
    """The lesson 01 readout for one run on a bowl of this curvature (the
    rates 1/lambda and 2/lambda are left out: lesson 01 asks for 1/lambda).

    >>> from lrcourse import Quadratic, gradient_descent
    >>> trace = gradient_descent(Quadratic(), lr=0.1, steps=3, start=3.0)
    >>> isinstance(descent_readout(trace, curvature=2.0), str)
    True
    """
    lr = float(trace.lrs[0]) if trace.steps else float("nan")
    regime = classify_lr(lr, curvature)
    lines = [
        f"lr = {lr:.4g}   lr x lambda = {lr * curvature:.3f}",
        f"predicted: {REGIME_TEXT[regime]}",
        f"happened: {what_happened(trace, minimum)}",
    ]
    if trace.diverged:
        lines.append(why_stopped(trace))
    else:
        lines.append(f"final weight {float(trace.weights[-1]):.4f}, "
                     f"final loss {trace.final_loss:.6f} after "
                     f"{count_of(trace.steps, 'update')}")
    return "\n".join(lines)


_FOLD = {1e6: "a million-fold"}


def why_stopped(trace: Trace) -> str:
    """Why ``gradient_descent`` stopped a diverging run, in a learner's words
    (the divergence rule is ``engine.diverging``).

    >>> from lrcourse import Quadratic, gradient_descent
    >>> why_stopped(gradient_descent(Quadratic(), lr=3.0, steps=20, start=1.0))
    'stopped after update 5: the loss grew more than a million-fold (1 -> 9.766e+06)'
    """
    check_has("trace", trace, ("losses", "diverged_at"),
              "a Trace from gradient_descent")
    start, last = float(trace.losses[0]), _last_finite(trace.losses)
    head = f"stopped after update {trace.diverged_at}: the loss"
    limit = runaway_limit(start)
    if not np.all(np.isfinite(np.asarray(trace.losses, dtype=float))):
        return (f"{head} was no longer a finite number (inf or nan); last "
                f"finite loss {last:.4g}")
    if last > limit and start >= RUNAWAY_FLOOR:
        fold = _FOLD.get(RUNAWAY_FACTOR, f"{RUNAWAY_FACTOR:g}-fold")
        return f"{head} grew more than {fold} ({start:.4g} -> {last:.4g})"
    if last > limit:
        return f"{head} grew above {limit:g} from a start near 0 ({last:.4g})"
    return (f"stopped after update {trace.diverged_at}: the weights grew beyond "
            f"{WEIGHT_BOUND:g} in size")


def _last_finite(values):
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    return float(finite[-1]) if finite.size else float("nan")
