"""Lesson 00 exercises: a first look at the rate, the step and the regimes."""

from ...descent import classify_lr, gradient_descent, stability_limits
from ...exercises import Exercise, register
from ...problems import Quadratic
from .analysis import notches_up


def _regime():
    return classify_lr(0.3, 4.0)


def _first_step():
    # gradient 2w: 12 at w = 6, beyond the warm-up panel's weights (up to 4)
    problem = Quadratic(curvature=2.0)
    tr = gradient_descent(problem, lr=0.003, steps=1, start=6.0)
    return float(abs(tr.updates[0]))


def _twenty_notches():
    return notches_up(0.01, 20, 0.05)  # the warm-up slider's notches: 10**0.05


def _mirror_rate():
    # w - lr * lambda * w = -w  <=>  lr = 2 / lambda, on the panel's bowl (lambda 2)
    return stability_limits(2.0)[1]


_NOTCHES_MULTIPLY = ("the notches multiply, they do not add: each notch multiplies "
                     "the rate by 10^0.05.")

# Not an exercise: the practice question on which lesson 00 shows how a
# wrong answer gets a hint (its id is not "LL.N", so no lesson counts it).
register(Exercise(
    "practice",
    "Practice: each notch of a rate slider multiplies the rate by 10^0.05 "
    "(about 1.122). Start at lr = 0.01 and move 20 notches up: which rate do you "
    "reach? (within 1%)",
    _twenty_notches, rel_tol=0.01,
    hints=[(1.01, _NOTCHES_MULTIPLY),   # 0.01 + 20 x 0.05
           (0.02, _NOTCHES_MULTIPLY),   # 0.01 + 20 x 0.0005
           (0.2244, ("20 notches multiply the rate by 1.122 twenty times over, "
                     "not by 1.122 x 20."))],
    hint="each notch multiplies the rate by 10^0.05; 20 notches do it twenty "
         "times over.",
    explain="0.01 x 10^(20 x 0.05) = 0.01 x 10 = 0.1: twenty notches are a factor "
            "of ten.",
))
#: Other forms of the regimes' names 00.1 takes.
REGIME_FORMS = {"monotonic": "monotone", "oscillate": "oscillating",
                "oscillates": "oscillating", "oscillation": "oscillating",
                "oscillatory": "oscillating", "diverge": "divergent",
                "diverges": "divergent", "diverging": "divergent"}


register(Exercise(
    "00.1",
    "On a bowl of curvature lambda = 4, which regime is lr = 0.3: monotone, "
    "oscillating or divergent?",
    _regime, choices=("monotone", "oscillating", "divergent"),
    aliases=REGIME_FORMS,
    hints=[("monotone", ("monotone needs lr <= 1/lambda = 0.25; 0.3 is above it. "
                         "Compare lr x lambda = 1.2 with 1 and 2.")),
           ("divergent", ("divergence starts above 2/lambda = 0.5; 0.3 is below "
                          "it. Compare lr x lambda = 1.2 with 1 and 2."))],
    hint="compute lr x lambda and compare it with 1 and 2.",
    explain="lr x lambda = 1.2 lies between 1 and 2: it overshoots but converges.",
))
register(Exercise(
    "00.2",
    "The gradient is 12 and the rate 0.003: how far does the first update move "
    "the weight? (within 1%)",
    _first_step, rel_tol=0.01,
    hints=[(12.0, "that is the gradient; the step is the rate times the gradient."),
           (-0.036, "how far is a distance: give its size."),
           (0.003, "that is the rate; the step is the rate times the gradient."),
           (0.36, "check the decimal point: 0.003 x 12."),
           (4000.0, "multiply by the rate, do not divide.")],
    hint="step = learning rate x gradient.",
    explain="0.003 x 12 = 0.036: at everyday rates, steps are small.",
))
register(Exercise(
    "00.3",
    "In the warm-up panel (bowl f(w) = w^2, lambda = 2) start at w = 2: which rate "
    "sends the weight exactly to its mirror image, w = -2? (within 2%)",
    _mirror_rate, rel_tol=0.02,
    hints=[(0.5, ("that step is too short: how far is w = -2 from w = 2? "
                  "step = lr x gradient.")),
           (2.0, "at lr 2 the weight goes past -2, to -6: too far.")],
    hint="how far is w = -2 from w = 2, and what is the gradient at w = 2? "
         "step = lr x gradient.",
    explain=("lr = 1 = 2/lambda: the edge between oscillating and divergent, "
             "where the weight bounces for ever."),
))
