"""Lesson 02 exercises: too high a rate."""

import numpy as np

from ...descent import gradient_descent, stability_limits
from ...exercises import Exercise, register
from ...problems import Quadratic


def _limit_at_8():
    return stability_limits(8.0)[1]


def _run_4():
    return gradient_descent(Quadratic(curvature=4.0), lr=0.4, steps=3, start=1.0)


def _w3():
    return float(_run_4().weights[3])


def _loss_rose():
    return "yes" if np.any(np.diff(_run_4().losses) > 0) else "no"


register(Exercise(
    "02.1",
    "Curvature 8: the rate at which gradient descent stops converging? "
    "(within 1%)",
    _limit_at_8, rel_tol=0.01,
    hints=[(0.125, ("that is 1/lambda, where the weight starts to overshoot; it "
                    "still converges until twice that.")),
           (0.0625, "each update multiplies w by 1 - lr x 8; when is that -1?"),
           (8.0, "the limit is a rate, not a curvature: it is 2 divided by 8.")],
    hint="set the curvature to 8 and find where the strip turns divergent.",
    explain="|1 - lr x 8| < 1 needs lr < 2/8: lr x lambda = 2 is the edge.",
))
register(Exercise(
    "02.2",
    "lambda = 4, lr 0.4, w0 = 1: the weight after three updates, w3? "
    "(to 3 significant figures)",
    _w3, sig_figs=3,
    hints=[(0.216, ("the size is right but not the sign: lr x lambda = 1.6, so "
                    "each update multiplies w by 1 - 1.6 = -0.6.")),
           (-0.6, "that is w1; apply the update three times."),
           (0.36, "that is w2; apply the update once more.")],
    hint="each update multiplies w by 1 - lr x lambda.",
    explain="(1 - 0.4 x 4)^3 = (-0.6)^3: the weight flips sign every update.",
))
register(Exercise(
    "02.3",
    "Same run (lambda = 4, lr 0.4, w0 = 1): did the loss ever rise? (yes/no)",
    _loss_rose, choices=("yes", "no"),
    hints=[("yes", ("the weight jumps across the minimum, but |w| shrinks by 0.6 "
                    "each update, so the loss (2 w²) shrinks by 0.36."))],
    hint="answer yes or no.",
    explain="Between 1/lambda and 2/lambda the weight oscillates while the loss "
            "falls at every update.",
))
