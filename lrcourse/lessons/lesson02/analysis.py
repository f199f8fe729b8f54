"""Lesson 02 analysis: runs on a bowl in each regime, and on two valleys.

The readouts themselves are general and live in ``regimes.py``.
"""

from dataclasses import dataclass

from ...descent import Trace, classify_lr, gradient_descent
from ...problems import Quadratic, TwoValleys
from ...readouts import lr_grid
from ...regimes import (
    fell_every_update,
    first_rise,
    hump_of,
    regime_readout,
    valleys_readout,
)

#: The regimes panel's rate grid: 10 ** (-5 + 0.05 i), from 1e-5 to about 3.98.
LR_MIN, LR_MAX, LR_STEP = -5.0, 0.6, 0.05


def last_converging_notch(curvature):
    """The largest rate on the regimes panel's slider at which a run on a
    bowl of this curvature still converges (``lr x lambda < 2``).

    >>> f"{last_converging_notch(2.0):.4g}"
    '0.8913'
    """
    grid = lr_grid(LR_MIN, LR_MAX, LR_STEP)
    converging = [lr for lr in grid
                  if classify_lr(lr, curvature) in ("monotone", "oscillating")]
    return float(converging[-1])


@dataclass(frozen=True)
class RegimeRun:
    """The regimes panel's result: the run at ``lr`` on a bowl of curvature
    ``curvature``, its regime and a two-word story of its loss."""

    lr: float
    curvature: float
    trace: Trace
    regime: str
    story: str


def loss_word(trace):
    """What the loss did, in a few words (shown on the panel's loss plot)."""
    if trace.diverged:
        return "diverged"
    if fell_every_update(trace.losses):
        return "loss fell every update"
    return "loss rose" if first_rise(trace.losses) else "loss stayed level"


class Regimes:
    """The regimes panel's compute: ``(lr, curvature) -> RegimeRun``.

    >>> run = Regimes(steps=20, start=3.0)(lr=0.8, curvature=2.0)
    >>> run.regime, run.story
    ('oscillating', 'loss fell every update')
    """

    def __init__(self, steps, start):
        self.steps, self.start = steps, start

    def __call__(self, lr, curvature):
        trace = gradient_descent(Quadratic(curvature=curvature), lr=lr,
                                 steps=self.steps, start=self.start)
        return RegimeRun(lr=lr, curvature=curvature, trace=trace,
                         regime=classify_lr(lr, curvature), story=loss_word(trace))


def regime_run_readout(run):
    """The regimes panel's text (see ``regimes.regime_readout``)."""
    return regime_readout(run.trace, run.curvature)


@dataclass(frozen=True)
class ValleyRun:
    """The valleys panel's result: the run at ``lr`` and where it ended:
    ``"diverged"``, or the valley (``"left"``/``"right"`` of the hump)."""

    lr: float
    problem: TwoValleys
    trace: Trace
    ended: str


class Valleys:
    """The valleys panel's compute: ``lr -> ValleyRun``.

    >>> Valleys(tilt=0.3, start=1.5, steps=40)(lr=0.1).ended
    'right'
    """

    def __init__(self, tilt, start, steps):
        self.problem = TwoValleys(tilt=tilt)
        self.hump = hump_of(self.problem)
        self.start, self.steps = start, steps

    def __call__(self, lr):
        trace = gradient_descent(self.problem, lr=lr, steps=self.steps,
                                 start=self.start)
        ended = ("diverged" if trace.diverged else
                 "right" if trace.weights[-1] > self.hump else "left")
        return ValleyRun(lr=lr, problem=self.problem, trace=trace, ended=ended)


def valley_run_readout(run):
    """The valleys panel's text (see ``regimes.valleys_readout``)."""
    return valleys_readout(run.trace, run.problem)

