"""Lesson 02 exercises: too high a rate."""


from ...descent import gradient_descent
from ...exercises import Exercise, register
from ...problems import Quadratic
from .analysis import last_converging_notch


def _run_4():
    return gradient_descent(Quadratic(curvature=4.0), lr=0.45, steps=3, start=1.0)


def _w3():
    return float(_run_4().weights[3])


def _loss_factor():
    losses = _run_4().losses  # the same factor at every update
    return float(losses[1] / losses[0])


_NO_LONGER = "at that notch the run no longer converges."

register(Exercise(
    "02.1",
    "Curvature 8: the largest rate on the slider at which the run still "
    "converges? (within 0.5%)",
    lambda: last_converging_notch(8.0), rel_tol=0.005,
    hints=[(0.25, _NO_LONGER),
           (0.2512, _NO_LONGER),
           (0.1995, ("the run still converges at that notch: what happens at "
                     "the next one up?")),
           (0.125, ("that is where overshooting begins, and overshooting runs "
                    "still converge: keep raising the rate and watch the "
                    "'happened' line.")),
           (0.0625, ("the run converges well above that: keep raising the rate "
                     "and watch the 'happened' line.")),
           (last_converging_notch(2.0), ("that is the last converging notch on "
                                         "curvature 2; set the curvature to 8.")),
           (8.0, "the answer is a rate on the slider, not a curvature.")],
    hint=("set the curvature to 8 and raise the rate notch by notch: the answer is "
          "the last notch before the 'happened' line says diverging."),
    explain=("|1 - lr x 8| < 1 needs lr < 2/8 = 0.25, and the slider's last notch "
             "below 0.25 is 0.2239 (the next, 0.2512, diverges)."),
))
register(Exercise(
    "02.2",
    "lambda = 4, lr 0.45, w0 = 1: the weight after three updates, w3? "
    "(to 3 significant figures)",
    _w3, sig_figs=3,
    hints=[(0.512, ("the size is right but not the sign: lr x lambda = 1.8, so "
                    "each update multiplies w by 1 - 1.8 = -0.8.")),
           (-0.8, "that is w1; apply the update three times."),
           (0.64, "that is w2; apply the update once more."),
           (-0.216, ("that is for lr 0.4 (factor -0.6); here lr x lambda = "
                     "0.45 x 4 = 1.8."))],
    hint="each update multiplies w by 1 - lr x lambda.",
    explain="(1 - 0.45 x 4)^3 = (-0.8)^3: the weight flips sign every update.",
))
register(Exercise(
    "02.3",
    "Same run (lambda = 4, lr 0.45, w0 = 1): each update multiplies the loss by "
    "the same factor. Which factor? (to 3 significant figures)",
    _loss_factor, sig_figs=3,
    hints=[(0.8, ("that is the factor for the size of the weight; the loss "
                  "(2 w²) goes with the square of the weight.")),
           (-0.8, ("that is the factor for the weight; the loss (2 w²) goes "
                   "with its square, and a square is never negative.")),
           (0.36, ("that is for lr 0.8 on lambda 2 (factor -0.6); here the "
                   "weight's factor is 1 - 0.45 x 4 = -0.8."))],
    hint="the loss is 2 w²; each update multiplies w by 1 - lr x lambda.",
    explain="(-0.8)^2 = 0.64 < 1: the weight flips sign, yet the loss falls at "
            "every update.",
))
