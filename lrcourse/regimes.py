"""Regimes of gradient descent: what a rate does, predicted and measured.

On a bowl of curvature lambda every update multiplies the distance to the
minimum by ``1 - lr * lambda``. From that one factor follow the three regimes
(lesson 02), the number of updates a rate needs (lesson 03) and, on a bowl
with several curvatures, the best single rate ``2 / (lambda_max + lambda_min)``.
Everything here is numpy only; the texts are what the panels print.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ._validate import (
    ArrayLike,
    check_count,
    check_finite,
    check_floats,
    check_has,
    check_positive,
    check_tolerance,
)
from .descent import classify_lr, stability_limits, sweep
from .readouts import REGIME_TEXT, count_of, what_happened, why_stopped

if TYPE_CHECKING:
    from .descent import Sweep, Trace
    from .problems import Bowl2D, TwoValleys


def _curvature_array(curvatures):
    lam = np.atleast_1d(check_floats("curvatures", curvatures))
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"curvatures must be one or more numbers, got {curvatures!r}")
    for i, c in enumerate(lam):
        check_positive(f"curvatures[{i}]", float(c))
    return lam


def factors(lr: float, curvatures: float | ArrayLike) -> np.ndarray:
    """Per curvature, the factor ``1 - lr * lambda`` one update multiplies the
    distance by (negative: the weight changes sign, it overshoots).

    >>> [f"{x:.2f}" for x in factors(0.4, [4.0, 1.0])]
    ['-0.60', '0.60']
    """
    lr = check_positive("lr", lr)
    return 1.0 - lr * _curvature_array(curvatures)


def contraction(lr: float, curvatures: float | ArrayLike) -> float:
    """The slowest direction's factor ``max |1 - lr * lambda|``: below 1 the
    run converges, and the closer to 0 the faster.

    >>> f"{contraction(2 / 11, [10.0, 1.0]):.4f}"
    '0.8182'
    """
    return float(np.max(np.abs(factors(lr, curvatures))))


def best_fixed_rate(curvatures: float | ArrayLike) -> float:
    """The rate ``2 / (lambda_max + lambda_min)`` that makes the steep and the
    flat direction shrink equally fast (the bottom of the 2-D U).

    >>> f"{best_fixed_rate([10.0, 1.0]):.4f}"
    '0.1818'
    """
    lam = _curvature_array(curvatures)
    return 2.0 / (lam.max() + lam.min())


def steps_needed(lr: float, curvature: float, start: float, tol: float
                 ) -> int | float:
    """Closed form on a 1-D bowl: the first update k with
    ``|1 - lr * lambda|**k * |start| < tol`` (``math.inf`` if never).

    >>> steps_needed(0.01, 2.0, 1.0, 1e-3)
    342
    """
    lr = check_positive("lr", lr)
    curvature = check_positive("curvature", curvature)
    start = abs(check_finite("start", start))
    tol = check_tolerance("tol", tol)
    if start < tol:
        return 0
    q = abs(1.0 - lr * curvature)
    if q == 0.0:
        return 1
    if q >= 1.0:
        return math.inf
    k = math.ceil(math.log(tol / start) / math.log(q))
    # guard the rounding of the logarithms: step to the exact first hit
    while k > 0 and q ** (k - 1) * start < tol:
        k -= 1
    while q ** k * start >= tol:
        k += 1
    return k


def steps_curve(problem, lrs: ArrayLike, start: float | ArrayLike, tol: float,
                max_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Updates each rate needs to get within ``tol`` of the minimum, from one
    vectorized ``sweep``; ``inf`` where it diverged or did not arrive within
    ``max_steps``. Returns ``(steps, diverged)`` arrays.

    >>> from lrcourse import Quadratic
    >>> s, d = steps_curve(Quadratic(2.0), [0.01, 0.5, 1.5], 1.0, 1e-3, 500)
    >>> s.tolist(), d.tolist()
    ([342.0, 1.0, inf], [False, False, True])
    """
    tol = check_tolerance("tol", tol)
    max_steps = check_count("max_steps", max_steps)
    result = sweep(problem, lrs, steps=max_steps, start=start)
    minimum = getattr(problem, "minimum", 0.0)
    hit = result.steps_to(tol, minimum=minimum)
    steps = np.where(hit >= 0, hit, np.inf).astype(float)
    return steps, result.diverged.copy()


def budget_losses(problem, lrs: ArrayLike, budget: int,
                  start: float | ArrayLike) -> np.ndarray:
    """The loss each rate has reached after ``budget`` updates (``inf`` where
    it diverged), from one vectorized ``sweep``.

    >>> from lrcourse import Quadratic
    >>> [f"{x:.3g}" for x in budget_losses(Quadratic(2.0), [0.01, 0.5], 10, 1.0)]
    ['0.668', '0']
    """
    budget = check_count("budget", budget)
    return losses_after(sweep(problem, lrs, steps=budget, start=start), budget)


def losses_after(result: Sweep, n: int) -> np.ndarray:
    """From a ``Sweep``: each rate's loss after ``n`` updates (``inf`` where it
    had diverged by then).

    >>> from lrcourse import Quadratic
    >>> losses_after(sweep(Quadratic(), [0.25, 1.5], 3, 1.0), 1).tolist()
    [0.25, 4.0]
    """
    n = check_count("n", n, minimum=0)
    if n >= result.losses.shape[1]:
        raise ValueError(f"n must be <= {result.losses.shape[1] - 1} (the sweep's "
                         f"steps), got {n}")
    out = result.losses[:, n].copy()
    gone = np.array([d is not None and d <= n for d in result.diverged_at])
    out[gone | ~np.isfinite(out)] = np.inf
    return out


def first_rise(losses: ArrayLike) -> int | None:
    """The first update (1-based) whose loss is above the one before; None if
    the loss fell (or stayed) at every update.

    >>> first_rise([4.0, 1.0, 2.0]), first_rise([4.0, 1.0])
    (2, None)
    """
    f = check_floats("losses", losses)
    with np.errstate(invalid="ignore"):
        rose = f[1:] > f[:-1]
    hits = np.flatnonzero(rose)
    return int(hits[0]) + 1 if hits.size else None


def sign_changes(weights: ArrayLike, minimum: float = 0.0) -> int:
    """How many updates carried a 1-D weight across the minimum.

    >>> sign_changes([1.0, -0.5, 0.25, 0.1])
    2
    """
    d = check_floats("weights", weights) - minimum
    return int(np.sum(np.sign(d[1:]) * np.sign(d[:-1]) < 0))


def raw_descent(curvature: float, lr: float, start: float, steps: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """The update rule on ``curvature/2 * w^2`` with no safety net: every
    weight and loss as floating point computes it, overflow (inf) and
    ``inf - inf`` (NaN) included. Returns ``(weights, losses)``, each of
    length ``steps + 1``. For showing what divergence looks like; use
    ``gradient_descent`` to train.

    >>> w, f = raw_descent(2.0, 3.0, 1.0, 500)
    >>> [str(x) for x in w[[1, 2, -1]]]
    ['-5.0', '25.0', 'nan']
    """
    curvature = check_positive("curvature", curvature)
    lr = check_positive("lr", lr)
    start = check_finite("start", start)
    steps = check_count("steps", steps)
    w = np.empty(steps + 1)
    w[0] = start
    with np.errstate(all="ignore"):
        for k in range(steps):
            w[k + 1] = w[k] - lr * curvature * w[k]
        losses = 0.5 * curvature * w * w
    return w, losses


def first_nonfinite(values: ArrayLike) -> int | None:
    """The index of the first inf or NaN (None if all are finite).

    >>> first_nonfinite([1.0, float("inf"), 2.0]), first_nonfinite([1.0])
    (1, None)
    """
    bad = np.flatnonzero(~np.isfinite(check_floats("values", values)))
    return int(bad[0]) if bad.size else None


def eigen_coordinates(bowl: Bowl2D, weights: ArrayLike) -> np.ndarray:
    """Weights of a 2-D bowl in its eigen-directions: column 0 along the flat
    direction (smallest curvature), column 1 along the steep one.

    >>> from lrcourse import Bowl2D
    >>> eigen_coordinates(Bowl2D(curvatures=(1.0, 4.0)), [[1.0, 2.0]]).tolist()
    [[1.0, 2.0]]
    """
    _, vectors = np.linalg.eigh(bowl.hessian)  # ascending eigenvalues
    d = np.asarray(weights, dtype=float) - bowl.minimum
    return d @ vectors


def loss_story(trace: Trace, minimum: float = 0.0) -> str:
    """One line on the loss and the weight: did the loss ever rise, how often
    the weight crossed the minimum.

    >>> from lrcourse import Quadratic, gradient_descent
    >>> trace = gradient_descent(Quadratic(), lr=0.1, steps=3, start=1.0)
    >>> isinstance(loss_story(trace), str)
    True
    """
    check_has("trace", trace, ("losses", "weights"), "a Trace from gradient_descent")
    rise = first_rise(trace.losses)
    flips = sign_changes(trace.weights, minimum)
    crossed = (f"the weight crossed the minimum {flips} time"
               f"{'' if flips == 1 else 's'}")
    if rise is not None:
        return f"loss rose first at update {rise}; {crossed}"
    if fell_every_update(trace.losses):
        return f"loss fell at every update; {crossed}"
    if np.all(np.asarray(trace.losses) == trace.losses[0]):
        return f"loss stayed at its starting value at every update; {crossed}"
    return f"loss never rose but did not always fall; {crossed}"


def fell_every_update(losses: ArrayLike) -> bool:
    """True if every loss is strictly below the one before.

    >>> fell_every_update([3.0, 2.0, 1.0]), fell_every_update([3.0, 3.0])
    (True, False)
    """
    f = check_floats("losses", losses)
    with np.errstate(invalid="ignore"):
        return bool(np.all(f[1:] < f[:-1]))


def regime_readout(trace: Trace, curvature: float, minimum: float = 0.0) -> str:
    """The lesson 02 readout: predicted regime, what happened, the loss story.

    >>> from lrcourse import Quadratic, gradient_descent
    >>> trace = gradient_descent(Quadratic(), lr=0.8, steps=6, start=3.0)
    >>> "oscillat" in regime_readout(trace, curvature=2.0)
    True
    """
    lr = float(trace.lrs[0])
    lines = [  # no 1/lambda, 2/lambda values: exercise 02.1 needs the slider
        f"lr = {lr:.4g}   lambda = {curvature:g}   lr x lambda = {lr * curvature:.3f}",
        f"predicted: {REGIME_TEXT[classify_lr(lr, curvature)]}",
        f"happened:  {what_happened(trace, minimum)}",
        loss_story(trace, minimum),
    ]
    if trace.diverged:
        lines.append(why_stopped(trace))
    else:
        lines.append(f"final weight {float(trace.weights[-1]):.4f}, final loss "
                     f"{trace.final_loss:.6f} after {count_of(trace.steps, 'update')}")
    return "\n".join(lines)


def valley_of(problem: TwoValleys, w: float) -> str:
    """For a ``TwoValleys`` loss: "left" or "right" of the hump, or "away"
    (not finite or beyond 3 from the origin).

    >>> from lrcourse import TwoValleys
    >>> valleys = TwoValleys()
    >>> valley_of(valleys, valleys.minima()[0]), valley_of(valleys, 100.0)
    ('left', 'away')
    """
    w = float(w)
    if not math.isfinite(w) or abs(w) > 3.0:
        return "away"
    return "left" if w < hump_of(problem) else "right"


def hump_of(problem: TwoValleys) -> float:
    """The top of the hump between the two valleys of a ``TwoValleys`` loss.

    >>> from lrcourse import TwoValleys
    >>> left, right = TwoValleys().minima()
    >>> bool(left < hump_of(TwoValleys()) < right)
    True
    """
    check_has("problem", problem, ("tilt",), "a TwoValleys")
    roots = np.roots([4.0, 0.0, -4.0, problem.tilt])
    real = np.sort(roots[np.abs(roots.imag) < 1e-9].real)
    return float(real[1])


def valleys_readout(trace: Trace, problem: TwoValleys) -> str:
    """The lesson 02 readout for a run on a ``TwoValleys`` loss.

    >>> from lrcourse import TwoValleys, gradient_descent
    >>> trace = gradient_descent(TwoValleys(), lr=0.05, steps=40, start=1.5)
    >>> isinstance(valleys_readout(trace, TwoValleys()), str)
    True
    """
    lr = float(trace.lrs[0])
    left, right = problem.minima()
    lam = {"left": problem.curvature_at(left), "right": problem.curvature_at(right)}
    start = valley_of(problem, trace.weights[0])
    end = valley_of(problem, trace.weights[-1])
    first = (f"lr = {lr:.4g}   started in the {start} valley "
             f"(w = {float(trace.weights[0]):.3f})")
    lines = [first,
             f"valley curvatures: left {lam['left']:.2f} (2/lambda = "
             f"{2 / lam['left']:.3f}), right {lam['right']:.2f} "
             f"(2/lambda = {2 / lam['right']:.3f})"]
    if trace.diverged:
        lines.append(f"happened: diverged at update {trace.diverged_at}; "
                     "the trace keeps the last finite update")
    else:
        w_end = float(trace.weights[-1])
        where = "jumped into the other valley" if end != start else "stayed"
        lines.append(f"happened: {where}; w = {w_end:.4f} after "
                     f"{count_of(trace.steps, 'update')}, loss "
                     f"{trace.final_loss:.4f}")
        if end in lam and lr * lam[end] > 2.0:
            lines.append(f"  lr x lambda = {lr * lam[end]:.2f} > 2 in the {end} "
                         "valley: it cannot settle there")
    return "\n".join(lines)


def fewest(lrs: ArrayLike, steps: ArrayLike) -> tuple[float, float, float]:
    """The fewest updates in a sweep and the range of rates that need that
    few: ``(steps, lowest_rate, highest_rate)`` (``inf`` if none arrived).

    >>> fewest([0.1, 0.2, 0.3], [5.0, 3.0, 3.0])
    (3.0, 0.2, 0.3)
    """
    steps = np.asarray(steps, dtype=float)
    lrs = np.asarray(lrs, dtype=float)
    best = float(np.min(steps))
    at = lrs[steps == best]
    return best, float(at.min()), float(at.max())


def _count(k, max_steps, diverged=False):
    if math.isfinite(k):
        return f"{int(k)}"
    if diverged:
        return "never: it diverges"
    if max_steps is None:
        return "never (it diverges or bounces)"
    return f"not within {count_of(max_steps, 'update')}"


#: Below this a loss is shown as "< 1e-300": at that size it underflows
#: to 0 in floating point, which would read as "exactly at the minimum".
TINY_LOSS = 1e-300


def _loss_text(loss, fmt):
    """A loss for a readout: ``"diverged"`` if not finite, ``"< 1e-300"``
    if it underflowed (0 or subnormal), else formatted with ``fmt``."""
    if not math.isfinite(loss):
        return "diverged"
    if loss < TINY_LOSS:
        return f"< {TINY_LOSS:g}"
    return format(loss, fmt)


def tradeoff_readout(lr: float, curvature: float, tol: float, steps: float,
                     fastest: tuple[float, float, float], budget: int, loss: float,
                     best: tuple[float, float], diverged_at: int | None = None,
                     on_slider: float | None = None) -> str:
    """The lesson 03 readout for the 1-D trade-off panel.

    Args:
        steps: updates this rate needs (``inf``: never); ``fastest``:
            ``fewest(...)`` of the sweep; ``budget``:
            the update budget N; ``loss``: this rate's loss after N updates
            (``inf``: diverged); ``best``: ``(rate, loss)`` of the best rate;
            ``diverged_at``: the update at which this rate's run diverged
            (None: it did not); ``on_slider``: the fewest updates at the
            slider's own notches, when the sweep holds rates between them.

    >>> text = tradeoff_readout(0.1, 2.0, 1e-3, 35, (1, 0.5, 0.5), 20, 1e-4,
    ...                         (0.5, 0.0))
    >>> isinstance(text, str)
    True
    """
    once, twice = stability_limits(curvature)
    never = "never: it diverges" if lr > twice else "never: it bounces for ever"
    if diverged_at:
        never = f"never: diverged at update {diverged_at}"
    needed = f"{int(steps)}" if math.isfinite(steps) else (
        never if lr >= twice * (1 - 1e-9) else "more than the sweep ran")
    reached = _loss_text(loss, ".4g")
    least = f"fewest in the sweep: {int(fastest[0])}"
    if on_slider is not None and on_slider != fastest[0]:
        least = (f"fewest on the slider: {_count(on_slider, None)}; in the sweep: "
                 f"{int(fastest[0])}, at a rate between two notches")
    return "\n".join([
        f"lr = {lr:.4g}   lr x lambda = {lr * curvature:.3f}   (1/lambda = "
        f"{once:.4g}, 2/lambda = {twice:.4g})",
        f"predicted: {REGIME_TEXT[classify_lr(lr, curvature)]}",
        f"updates to |w| < {tol:g}: {needed}",
        f"  ({least})",
        f"budget of {count_of(budget, 'update')}: loss {reached} here   "
        f"(lowest in the sweep: {_loss_text(best[1], '.3g')})",
    ])


def bowl_readout(trace: Trace, bowl: Bowl2D, tol: float, steps: float,
                 fastest: tuple[float, float, float], max_steps: int,
                 diverged: bool = False) -> str:
    """The lesson 03 readout for the 2-D ill-conditioned bowl.

    ``steps``: updates this rate needs within ``max_steps`` (``inf``: not
    within them); ``diverged``: whether that run diverged (then it is
    "never", not just "not within ``max_steps``").

    >>> from lrcourse import Bowl2D, gradient_descent
    >>> bowl = Bowl2D(curvatures=(0.5, 10.0))
    >>> trace = gradient_descent(bowl, lr=0.1, steps=60, start=(1.0, 1.0))
    >>> isinstance(bowl_readout(trace, bowl, 1e-3, 60, (10, 0.1, 0.2), 60), str)
    True
    """
    lr = float(trace.lrs[0])
    lam_min, lam_max = float(bowl.curvatures.min()), float(bowl.curvatures.max())
    h = np.round(bowl.hessian, 9) + 0.0  # no "-0.000" from the rotation
    flat, steep = 1.0 - lr * lam_min, 1.0 - lr * lam_max
    return "\n".join([
        f"Hessian [[{h[0, 0]:.3f}, {h[0, 1]:.3f}], [{h[1, 0]:.3f}, {h[1, 1]:.3f}]]"
        f"   eigenvalues (curvatures) {lam_min:.4g} and {lam_max:.4g}",
        f"sharpness lambda_max = {lam_max:.4g}   condition number "
        f"{lam_max / lam_min:.4g}",
        f"lr = {lr:.4g}   per update: steep x {steep:+.3f}, flat x {flat:+.4f}",
        f"limit 2/lambda_max = {2 / lam_max:.4g}   best fixed rate "
        f"2/(lambda_max + lambda_min) = {best_fixed_rate(bowl.curvatures):.4g}",
        f"happened: {what_happened(trace, bowl.minimum, tol)}",
        f"updates to within {tol:g}: {_count(steps, max_steps, diverged)}   "
        "(fewest on the "
        f"slider: {_count(fastest[0], max_steps)})",
    ])
