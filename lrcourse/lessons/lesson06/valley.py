"""Lesson 06: what momentum is for, a long, narrow valley.

The valley is lesson 03's 2-D bowl (``Bowl2D``, sharpness 10, rotated 30
degrees) with condition number kappa. On a quadratic, heavy-ball momentum
(Keras' ``v = beta v - lr g``, ``w = w + v``) moves each eigen-direction of
curvature lambda by ``x[k+1] = (1 + beta - lr lambda) x[k] - beta x[k-1]``;
the error shrinks per update by the spectral radius of that 2x2 iteration,
the larger root in size of ``z^2 - (1 + beta - lr lambda) z + beta = 0``.
The slowest direction sets the factor of the whole run.

>>> lr, beta, factor = tuned_momentum(valley(100.0).curvatures)
>>> f"{beta:.3f}", f"{factor:.3f}", updates_to(factor)
('0.669', '0.818', 35)
>>> lr, factor = best_plain(valley(100.0).curvatures)
>>> f"{lr:.4f}", f"{factor:.3f}", updates_to(factor)
('0.1980', '0.980', 346)
"""

import math
from dataclasses import dataclass

import numpy as np

from ..._validate import check_count, check_fraction, check_positive
from ...engine import diverging, runaway_limit
from ...optimizers import SGD
from ...problems import Bowl2D
from ...readouts import grid_index, lr_grid
from ...regimes import eigen_coordinates
from ...stability import RateRuns, run_rates

#: Lesson 03's bowl: the sharpness (steepest curvature), rotation and start.
SHARPNESS, ROTATION, START = 10.0, 30.0, (-2.2, -0.2)
#: The tolerance: the distance to the minimum shrunk 1000-fold.
REDUCTION = 1e-3


def valley(kappa, sharpness=SHARPNESS, rotation=ROTATION):
    """Lesson 03's bowl with condition number ``kappa``: curvatures
    ``sharpness / kappa`` (the flat direction) and ``sharpness``.

    >>> valley(100.0).curvatures.tolist()
    [0.1, 10.0]
    """
    kappa = check_positive("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1 (largest / smallest curvature), "
                         f"got {kappa!r}")
    return Bowl2D(curvatures=(sharpness / kappa, sharpness), rotation=rotation)


def direction_factors(lr, momentum, curvatures):
    """The factor per update of heavy-ball momentum along each direction of
    curvature in ``curvatures`` (last axis), for rates ``lr`` and momenta
    ``momentum`` (arrays broadcast against each other).

    >>> direction_factors(0.1, 0.0, [1.0, 10.0]).round(3).tolist()
    [0.9, 0.0]
    """
    lam = np.asarray(curvatures, dtype=float)
    a = np.asarray(lr, dtype=float)[..., None] * lam
    beta = np.asarray(momentum, dtype=float)[..., None]
    t = 1.0 + beta - a  # the trace of the 2x2 iteration; beta its determinant
    disc = t * t - 4.0 * beta
    real = (np.abs(t) + np.sqrt(np.maximum(disc, 0.0))) / 2.0
    return np.where(disc >= 0.0, real, np.sqrt(beta + 0.0 * a))


def heavy_ball_factor(lr, momentum, curvatures):
    """The factor per update of the whole run: the largest over the
    directions (below 1: converges; 1 or more: does not).

    >>> f"{heavy_ball_factor(0.2, 0.0, [0.1, 10.0]):.3f}"
    '1.000'
    """
    return direction_factors(lr, momentum, curvatures).max(axis=-1)


def best_plain(curvatures):
    """Plain descent's best rate ``2 / (lmax + lmin)`` and its factor
    ``(kappa - 1) / (kappa + 1)``."""
    lo, hi = float(np.min(curvatures)), float(np.max(curvatures))
    return 2.0 / (hi + lo), (hi - lo) / (hi + lo)


def tuned_momentum(curvatures):
    """The best rate and momentum of heavy-ball momentum on a quadratic,
    and their factor: ``lr = (2 / (sqrt(lmax) + sqrt(lmin)))^2``,
    ``beta = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2``, factor ``sqrt(beta)``."""
    lo, hi = math.sqrt(np.min(curvatures)), math.sqrt(np.max(curvatures))
    factor = (hi - lo) / (hi + lo)
    return (2.0 / (hi + lo)) ** 2, factor * factor, factor


def updates_to(factor, reduction=REDUCTION):
    """Updates a run shrinking by ``factor`` per update needs to shrink the
    distance ``reduction``-fold (inf if it never does).

    >>> updates_to(0.5), updates_to(1.0)
    (10, inf)
    """
    factor = float(factor)
    if factor >= 1.0:
        return math.inf
    if factor <= 0.0:
        return 1
    return math.ceil(math.log(reduction) / math.log(factor) - 1e-9)


def run_valley(bowl, lr, momentum, steps, start=START):
    """``SGD(lr, momentum)`` of the package on ``bowl``, all rates ``lr`` in
    one pass (a ``RateRuns``)."""
    return run_rates(bowl, SGD(momentum=momentum), np.atleast_1d(lr), steps, start)


def heavy_ball_path(bowl, lr, momentum, steps, start=START):
    """The same run as ``run_valley`` (Keras' rule ``v = beta v - lr g``,
    ``w = w + v``, stopped by the engine's divergence rule), stepped along
    the two eigen-directions with plain floats: fast enough for a slider.
    Returns a ``RateRuns`` of one rate (tests check it against the
    optimizer's own run).
    """
    values, vectors = np.linalg.eigh(bowl.hessian)
    x0 = (np.asarray(start, dtype=float) - bowl.minimum) @ vectors
    along = np.empty((steps + 1, 2))
    for j in range(2):
        x, v, lam, col = float(x0[j]), 0.0, float(values[j]), along[:, j]
        col[0] = x
        for k in range(1, steps + 1):
            v = momentum * v - lr * (lam * x)
            x = x + v
            col[k] = x
    with np.errstate(all="ignore"):
        weights = along @ vectors.T + bowl.minimum
        losses = 0.5 * (along * along) @ values
        bad = np.flatnonzero(diverging(losses[1:], runaway_limit(losses[0]),
                                       weights[1:]))
    at = int(bad[0]) + 1 if bad.size else None
    if at is not None:
        weights[at + 1:], losses[at + 1:] = np.nan, np.nan
    updates = np.diff(weights, axis=0)
    return RateRuns(np.array([float(lr)]), weights[None], losses[None],
                    updates[None], [at], bowl.minimum)


def measured_updates(runs, reduction=REDUCTION):
    """Per run, the first update after which the distance to the minimum
    stays below ``reduction`` times the start's (inf: not within the run)."""
    d = runs.distances()
    with np.errstate(invalid="ignore"):
        above = ~(d <= reduction * d[:, :1])
    last = d.shape[1] - 1 - np.argmax(above[:, ::-1], axis=1)
    out = (last + 1).astype(float)
    out[above[:, -1]] = np.inf
    return out


@dataclass(frozen=True)
class ValleyMap:
    """One valley's tables: the factor over the (momentum, rate) grid,
    plain descent's best and the tuned optimum."""

    kappa: float
    bowl: Bowl2D
    factors: np.ndarray
    plain: tuple
    tuned: tuple


@dataclass(frozen=True)
class ValleyPoint:
    """The valley panel's result at one rate, momentum and valley."""

    lr: float
    momentum: float
    map: ValleyMap
    weights: np.ndarray
    along: np.ndarray
    factors: np.ndarray
    measured: float
    updates: float


class Valley:
    """The valley panel's compute: ``(lr, momentum, kappa) -> ValleyPoint``.

    Each valley's factor map over the grid of rates ``10 ** (min + i step)``
    and momenta ``momenta`` is made once; a move runs heavy-ball momentum
    once, ``steps`` updates from lesson 03's start (``heavy_ball_path``, the
    package's ``SGD(momentum=beta)`` update stepped along each direction).

    >>> point = Valley((-3.0, 0.0, 0.05), np.arange(0, 0.99, 0.01))(
    ...     lr=0.1, momentum=0.0, kappa=100.0)
    >>> point.factors.round(3).tolist()  # flat and steep: 1 - lr x lambda
    [0.99, 0.0]
    """

    def __init__(self, grid, momenta, steps=400, start=START):
        self.grid, self.lrs = grid, lr_grid(*grid)
        self.momenta = np.asarray(momenta, dtype=float)
        self.steps, self.start = check_count("steps", steps), start
        self._maps = {}

    def steps_for(self, kappa):
        """Updates run on the valley of condition number ``kappa``: at least
        ``steps``, and 4 kappa, enough for plain descent's best rate
        (about 3.5 kappa updates)."""
        return max(self.steps, int(math.ceil(4 * float(kappa))))

    def map(self, kappa):
        """The valley of condition number ``kappa`` and its tables, made once."""
        key = round(float(kappa), 9)
        if key not in self._maps:
            bowl = valley(key)
            lam = bowl.curvatures
            table = heavy_ball_factor(self.lrs[None, :], self.momenta[:, None], lam)
            self._maps[key] = ValleyMap(key, bowl, table, best_plain(lam),
                                        tuned_momentum(lam))
        return self._maps[key]

    def __call__(self, lr, momentum, kappa, optimum=False):
        """One run; ``optimum=True`` runs the exact tuned rate and momentum
        of this valley instead of the sliders' values."""
        vmap = self.map(kappa)
        if optimum:
            lr, momentum = vmap.tuned[0], vmap.tuned[1]
        else:
            lr = float(self.lrs[grid_index(lr, self.grid[0], self.grid[2],
                                           len(self.lrs))])
            momentum = check_fraction("momentum", momentum)
        runs = heavy_ball_path(vmap.bowl, lr, momentum, self.steps_for(kappa),
                               self.start)
        weights = runs.weights[0]
        return ValleyPoint(lr, momentum, vmap, weights,
                           np.abs(eigen_coordinates(vmap.bowl, weights)),
                           direction_factors(lr, momentum, vmap.bowl.curvatures),
                           float(runs.convergence_factors()[0]),
                           float(measured_updates(runs)[0]))


def _count(n, steps):
    return f"more than {steps}" if math.isinf(n) else f"{int(n)}"


def valley_readout(point):
    """The valley panel's text for a ``ValleyPoint``."""
    flat, steep = (float(f) for f in point.factors)
    factor, steps = max(flat, steep), len(point.weights) - 1
    plain_lr, plain_factor = point.map.plain
    verdict = ("does not converge" if factor >= 1.0 else
               f"{_count(updates_to(factor), steps)} by the factor, "
               f"{_count(point.updates, steps)} in the run")
    return "\n".join([
        f"lr = {point.lr:.4g}   momentum β = {point.momentum:.4g}   "
        f"κ = {point.map.kappa:g} (curvatures {point.map.bowl.curvatures.min():g} "
        f"and {point.map.bowl.curvatures.max():g})",
        f"factor per update: {factor:.4f}   (flat direction {flat:.4f}, "
        f"steep {steep:.4f}; measured on the run {point.measured:.4f})",
        f"updates to shrink the distance {1 / REDUCTION:g}-fold: {verdict}",
        f"plain descent at its best rate (lr = {plain_lr:.4g}): factor "
        f"{plain_factor:.4f}, {_count(updates_to(plain_factor), steps)} updates",
    ])
