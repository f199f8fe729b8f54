"""Lesson 04 exercises: noise and the loss floor."""

from ...exercises import Exercise, register
from .analysis import batch_ratio, noise_floor

#: Exercise 04.3's target floor on the noisy bowl (lambda = 1, sigma = 1).
TARGET_FLOOR = 0.01


def _floor_ratio():
    return noise_floor(0.5, 1.0, 1.0) / noise_floor(1.0, 1.0, 1.0)


def rate_for_floor(floor, curvature=1.0, noise=1.0):
    """The rate whose noisy-bowl floor ``lr sigma^2 / (2 (2 - lr lambda))`` is
    ``floor``: ``lr = 4 floor / (sigma^2 + 2 floor lambda)``.

    >>> f"{rate_for_floor(0.01):.4f}"
    '0.0392'
    """
    return 4.0 * floor / (noise**2 + 2.0 * floor * curvature)


register(Exercise(
    "04.1",
    "Noisy bowl, lambda = 1: lowering the rate from 1.0 to 0.5 shrinks the loss "
    "floor by what factor (new floor / old floor)? (to 2 significant figures)",
    _floor_ratio, sig_figs=2,
    hints=[(0.5, ("near 2/lambda the (2 - lr lambda) factor matters: the floor is "
                  "lr sigma^2 / (2 (2 - lr lambda)), not just lr sigma^2 / 4.")),
           (0.25, ("each kick is lr x noise, so its square goes with lr^2; but a "
                   "smaller rate also pulls back more slowly, so the kicks pile up "
                   "over about 1/(lr x lambda) updates.")),
           (2.0, "the floor shrinks: give the new floor divided by the old one.")],
    hint="read the theory floor at 1.0 and at 0.501 in the panel and divide.",
    explain=("floor = lr sigma^2 / (2 (2 - lr lambda)): 0.5 / (2 x 1.5) = 0.167 "
             "and 1 / (2 x 1) = 0.5, so the factor is 0.33, not the 0.5 of "
             "lr / 4 (the notch 0.501 gives 0.33 too)."),
))
register(Exercise(
    "04.2",
    "[panel] Drug-trial network, plain SGD at lr 0.1, the same number of updates "
    "for every batch size: raising the batch size from 10 to 50 multiplies the "
    "noise's part of the floor by what factor? (within 25%)",
    batch_ratio, rel_tol=0.25,
    hints=[(5.0, "a larger batch lowers the floor: the factor is below 1."),
           (0.447, ("the noise's standard deviation shrinks by sqrt(5), but the "
                    "floor goes with its square, the variance.")),
           (0.04, ("the variance of the noise falls 5-fold, not 25-fold: the "
                   "floor goes with lr / batch size.")),
           (1.0, "move the batch-size slider: the floors differ.")],
    hint=("read 'the noise adds' at batch size 10 and at 50 (lr 0.1) and "
          "divide; or predict it from lr / batch size."),
    explain=("averaging 5 times more samples cuts the gradient noise's variance "
             "by 5; the floor goes with lr / batch size, so it falls about "
             "5-fold (the panel measures 0.19; over seeds 0.19-0.22)."),
))
register(Exercise(
    "04.3",
    "Noisy bowl, lambda = 1, sigma = 1: which rate makes the loss floor 0.01? "
    "(within 5%)",
    lambda: rate_for_floor(TARGET_FLOOR), rel_tol=0.05,
    hints=[(0.02, ("floor = lr sigma^2 / (2 (2 - lr lambda)): about lr / 4 "
                   "while lr is small, not lr / 2.")),
           (0.0617, ("the floor goes with lr, not lr^2: from 0.1 (floor "
                     "0.0263), divide the rate by about 2.6.")),
           (0.0025, "that is the floor at lr 0.01; the question asks for a rate."),
           (0.1, "at 0.1 the floor is 0.0263: go lower.")],
    hint=("move the rate slider until the theory floor reads 0.01, or solve "
          "lr / (2 (2 - lr)) = 0.01."),
    explain=("lr = 4 x 0.01 / (1 + 2 x 0.01) = 0.0392; the slider's notch 0.0398 "
             "gives 0.0102."),
))
