"""Lesson 00 analysis: one update of gradient descent on a bowl, written out."""

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
