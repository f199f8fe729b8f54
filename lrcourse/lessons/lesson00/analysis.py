"""Lesson 00 analysis: one update of gradient descent on a bowl, written out."""

import math
from dataclasses import dataclass

from ...descent import classify_lr, gradient_descent
from ...problems import Quadratic
from ...readouts import REGIME_TEXT


@dataclass(frozen=True)
class OneUpdate:
    """One update from ``start`` at rate ``lr`` on ``curvature/2 * w^2``:
    the gradient, the step ``lr x gradient``, the new weight, the loss before
    and after, and the regime the rate is in."""

    lr: float
    start: float
    curvature: float
    grad: float
    step: float
    new: float
    loss_before: float
    loss_after: float
    regime: str


def one_update(lr, start, curvature):
    """The warm-up panel's result: one update, from ``start`` at ``lr``.

    >>> one_update(0.1, 3.0, 2.0).new
    2.4
    """
    problem = Quadratic(curvature=curvature)
    row = gradient_descent(problem, lr=lr, steps=1, start=start).rows()[0]
    return OneUpdate(lr=lr, start=start, curvature=curvature,
                     grad=float(row["grad"]), step=float(row["lr_x_grad"]),
                     new=float(row["new"]), loss_before=float(problem.loss(start)),
                     loss_after=float(row["loss"]), regime=classify_lr(lr, curvature))


def one_update_readout(u):
    """The warm-up panel's text: one update, written out."""
    return "\n".join([
        f"weight w = {u.start:.2f}   gradient = lambda x w = {u.curvature:g} x "
        f"{u.start:.2f} = {u.grad:.4f}",
        f"step = lr x gradient = {u.lr:.4g} x {u.grad:.4f} = {u.step:.4f}",
        f"new w = old w - step = {u.start:.2f} - ({u.step:.4f}) = {u.new:.4f}",
        f"loss {u.loss_before:.4f} -> {u.loss_after:.4f}   "
        f"(lr x lambda = {u.lr * u.curvature:.3f}: {REGIME_TEXT[u.regime]})",
    ])


def track_position(lr, min_exp, max_exp):
    """Where ``lr`` sits on a log slider from ``10**min_exp`` to ``10**max_exp``:
    0 at the left end, 1 at the right end.

    >>> round(track_position(0.01, -3.0, 0.3), 3)
    0.303
    """
    if not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if not max_exp > min_exp:
        raise ValueError(f"max_exp must be above min_exp, got {min_exp}, {max_exp}")
    return (math.log10(lr) - min_exp) / (max_exp - min_exp)


def rate_at(fraction, min_exp, max_exp):
    """The rate at ``fraction`` of the way along a log slider (0: left end).

    >>> round(rate_at(0.5, -3.0, 0.3), 4)
    0.0447
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be from 0 to 1, got {fraction!r}")
    return 10.0 ** (min_exp + fraction * (max_exp - min_exp))


def notches_up(lr, notches, step):
    """The rate ``notches`` notches above ``lr`` on a log slider whose notches
    multiply the rate by ``10**step``.

    >>> round(notches_up(0.1, 20, 0.05), 6)
    1.0
    """
    return lr * 10.0 ** (notches * step)
