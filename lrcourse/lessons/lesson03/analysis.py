"""Lesson 03 analysis: the rate trade-off on a bowl and the ill-conditioned
2-D bowl, swept once and then indexed by the sliders.

The readouts themselves are general and live in ``regimes.py``.
"""

from dataclasses import dataclass

import numpy as np

from ...descent import Trace, gradient_descent, sweep
from ...problems import Bowl2D, Quadratic
from ...readouts import grid_index, lr_grid
from ...regimes import (
    bowl_readout,
    eigen_coordinates,
    fewest,
    losses_after,
    steps_curve,
    tradeoff_readout,
)


def with_rate(lrs, rate):
    """The sorted grid ``lrs`` with ``rate`` added (unless it is already on
    it), and the index ``rate`` took (None if it was already there): a sweep
    on a log grid misses 1/lambda, the one rate that arrives in one update.

    >>> grid, at = with_rate(np.array([0.1, 1.0]), 0.5)
    >>> grid.tolist(), at
    ([0.1, 0.5, 1.0], 1)
    """
    lrs = np.asarray(lrs, dtype=float)
    if np.any(np.isclose(lrs, rate, rtol=1e-12, atol=0.0)):
        return lrs, None
    at = int(np.searchsorted(lrs, rate))
    return np.insert(lrs, at, rate), at


@dataclass(frozen=True)
class TradeoffPoint:
    """The trade-off panel's result at one rate and budget: the updates this
    rate needs (``steps``, ``inf``: never), its loss after the budget, every
    swept rate's loss after the budget (``losses``, shared by the results of
    one budget) and the best of them."""

    lr: float
    budget: int
    steps: float
    loss: float
    diverged_at: int | None
    losses: np.ndarray
    best: tuple


class Tradeoff:
    """The trade-off panel's compute: ``(lr, budget) -> TradeoffPoint``.

    One vectorized sweep over the fine grid ``lrs`` (which holds every slider
    value, and 1/lambda, the fastest rate), made at build; a move only
    indexes it.

    >>> point = Tradeoff(2.0, 1.0, 1e-3, 5000, -3.0, 0.2)(lr=0.01, budget=20)
    >>> point.steps, f"{point.loss:.3f}"
    (342.0, '0.446')
    """

    fine_step = 0.01
    max_budget = 200

    def __init__(self, curvature, start, tol, max_steps, lr_min, lr_max,
                 slider_step=0.05):
        self.problem = Quadratic(curvature=curvature)
        self.curvature, self.tol, self.max_steps = curvature, tol, max_steps
        self.lr_min = lr_min
        self._size = len(lr_grid(lr_min, lr_max, self.fine_step))
        self.lrs, self._extra = with_rate(lr_grid(lr_min, lr_max, self.fine_step),
                                          1.0 / curvature)
        self.steps, _ = steps_curve(self.problem, self.lrs, start, tol, max_steps)
        self.runs = sweep(self.problem, self.lrs, steps=self.max_budget, start=start)
        self.fastest = fewest(self.lrs, self.steps)
        notches = lr_grid(lr_min, lr_max, slider_step)
        on = np.isclose(self.lrs[:, None], notches[None, :], rtol=1e-9,
                        atol=0.0).any(axis=1)
        self.fastest_on_slider = fewest(self.lrs[on], self.steps[on])[0]
        self._budget = (None, None)  # the last budget and its losses

    def __call__(self, lr, budget):
        if self._budget[0] != budget:
            self._budget = (budget, losses_after(self.runs, budget))
        losses = self._budget[1]
        i = grid_index(lr, self.lr_min, self.fine_step, self._size)
        if self._extra is not None and i >= self._extra:
            i += 1  # past the added 1/lambda
        best = int(np.argmin(losses))
        return TradeoffPoint(lr=lr, budget=budget, steps=float(self.steps[i]),
                             loss=float(losses[i]),
                             diverged_at=self.runs.diverged_at[i],
                             losses=losses, best=(self.lrs[best], losses[best]))

    def readout(self, point):
        """The trade-off panel's text (see ``regimes.tradeoff_readout``)."""
        return tradeoff_readout(point.lr, self.curvature, self.tol, point.steps,
                                self.fastest, point.budget, point.loss, point.best,
                                diverged_at=point.diverged_at,
                                on_slider=self.fastest_on_slider)


@dataclass(frozen=True)
class BowlRun:
    """The 2-D bowl panel's result: the bowl, the run at ``lr`` and its
    coordinates along the flat and steep directions (``along``), and the
    sweep of the slider's rates on this bowl (``steps``, ``diverged``)."""

    lr: float
    bowl: Bowl2D
    trace: Trace
    regime: str
    along: np.ndarray
    index: int
    steps: np.ndarray
    diverged: np.ndarray


class IllConditioned:
    """The 2-D bowl panel's compute: ``(lr, condition) -> BowlRun``, on
    ``Bowl2D(curvatures=(sharpness/condition, sharpness), rotation)``.

    Each condition number's bowl and sweep are made once and kept.

    >>> bowls = IllConditioned(10.0, 30.0, (-2.2, -0.2), 60, 1e-3, 2000,
    ...                        (-3.0, -0.5, 0.02))
    >>> run = bowls(lr=0.1, condition=100.0)
    >>> run.regime, bowls(lr=0.2, condition=100.0).bowl is run.bowl
    ('monotone', True)
    """

    def __init__(self, sharpness, rotation, start, steps, tol, max_steps, grid):
        self.sharpness, self.rotation = sharpness, rotation
        self.start, self.n_steps = start, steps
        self.tol, self.max_steps = tol, max_steps
        self.lr_min, _, self.lr_step = grid
        self.lrs = lr_grid(*grid)
        self._bowls = {}

    def bowl(self, condition):
        """The bowl of this condition number and its sweep, made once."""
        key = round(condition, 9)
        if key not in self._bowls:
            bowl = Bowl2D(curvatures=(self.sharpness / condition, self.sharpness),
                          rotation=self.rotation)
            self._bowls[key] = (bowl, *steps_curve(bowl, self.lrs, self.start,
                                                   self.tol, self.max_steps))
        return self._bowls[key]

    def __call__(self, lr, condition):
        bowl, steps, diverged = self.bowl(condition)
        tr = gradient_descent(bowl, lr=lr, steps=self.n_steps, start=self.start)
        regime = "divergent" if tr.diverged else (
            "oscillating" if lr * self.sharpness > 1 else "monotone")
        return BowlRun(lr=lr, bowl=bowl, trace=tr, regime=regime,
                       along=eigen_coordinates(bowl, tr.weights),
                       index=grid_index(lr, self.lr_min, self.lr_step, len(self.lrs)),
                       steps=steps, diverged=diverged)

    def readout(self, run):
        """The 2-D bowl panel's text (see ``regimes.bowl_readout``)."""
        i = run.index
        return bowl_readout(run.trace, run.bowl, self.tol, float(run.steps[i]),
                            fewest(self.lrs, run.steps), self.max_steps,
                            diverged=bool(run.diverged[i]))

