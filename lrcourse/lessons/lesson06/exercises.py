"""Lesson 06 exercises: momentum and Adam."""

from ...exercises import Exercise, register
from ...optimizers import KERAS_DEFAULT_LRS, PYTORCH_DEFAULT_LRS, SGD, Adam
from ...problems import Quadratic
from .analysis import (
    first_updates,
    largest_stable_lr,
    steady_step_ratio,
    tuned_momentum,
    valley,
)


def _adam_first():
    """Both first updates (gradients 0.004 and 80); the answer is the larger
    one, and the smaller lies within 0.1 % of it."""
    return float(max(abs(first_updates(Adam(lr=5e-4), [0.004, 80.0]))))


def _valley_momentum():
    """The best momentum on the valley of condition number 16."""
    return tuned_momentum(valley(16.0).curvatures)[1]


def _momentum_limit():
    return largest_stable_lr(Quadratic(curvature=10.0), SGD(momentum=0.9),
                             lo=0.001, hi=1.0)


register(Exercise(
    "06.1",
    "Adam at lr 5e-4 meets a first gradient of 0.004 on one weight and 80 on "
    "another. What is the size of each weight's first update? (one number, "
    "within 2%)",
    _adam_first, rel_tol=0.02,
    hints=[(2e-6, "that is lr x gradient for 0.004: that is SGD. Adam divides "
                  "by the gradient's own size first."),
           (0.04, "that is lr x gradient for 80: that is SGD. Adam divides by "
                  "the gradient's own size first."),
           (1e-3, "that is the rate of the lesson's table; here the rate is "
                  "5e-4.")],
    hint="Adam's first update is lr x m / sqrt(v) after bias correction, and "
         "m / sqrt(v) = g / |g| on the first step.",
    explain="m / sqrt(v) is g / |g| on the first step, so each weight moves by "
            "about lr, whatever its gradient.",
))
register(Exercise(
    "06.2",
    "On the bowl of curvature lambda = 10, with momentum beta = 0.9: the largest "
    "stable rate? (within 1%)",
    _momentum_limit, rel_tol=0.01,
    hints=[(0.2, "that is plain gradient descent's limit 2/lambda; momentum moves "
                 "it. Set beta = 0.9 in the panel and raise the rate."),
           (0.02, "that would hold if momentum made every step 1/(1 - beta) times "
                  "larger; near the limit the steps flip sign each update and "
                  "the velocity damps them instead. Try the panel."),
           (0.1, "that is 1/lambda, where plain descent starts to overshoot."),
           (3.8, "that is lr x lambda at the limit; divide by lambda."),
           (0.39, "just past the limit: there the shrink factor is already 1 "
                  "or more. Step the rate down until it is just below 1."),
           (0.4, "past the limit: there the run does not converge. Step the "
                 "rate down until the shrink factor is just below 1.")],
    hint="in the panel, with beta = 0.9, find the rate where the blue shrink "
         "factor crosses 1: just below it the run converges, just above it "
         "the run grows.",
    explain="bisection over runs gives 0.38 = 2(1 + beta)/lambda: "
            "momentum widens the stable range.",
))
register(Exercise(
    "06.3",
    "SGD with momentum beta = 0.95 on a long, even slope (the gradient never "
    "changes): after many updates, each step is how many times lr x gradient? "
    "(within 2%)",
    lambda: steady_step_ratio(0.95, steps=2000), rel_tol=0.02,
    hints=[(1.0, "that is plain SGD; the velocity keeps adding up."),
           (0.95, "beta is what the velocity keeps each update; the sum "
                  "1 + beta + beta^2 + ... is larger."),
           (1.95, "that is after two updates; keep going."),
           (10.0, "that is beta = 0.9; here beta is 0.95, and the sum "
                  "1 + beta + beta^2 + ... grows fast as beta nears 1.")],
    hint="the velocity adds lr x gradient each update and keeps beta of itself.",
    explain="1 + 0.95 + 0.95^2 + ... = 1/(1 - 0.95) = 20: the effective rate "
            "is twenty times the rate.",
))
register(Exercise(
    "06.4",
    "A model trained with PyTorch's torch.optim.SGD at its default rate is "
    "ported to Keras 3 as keras.optimizers.SGD() with no learning_rate given. "
    "By what factor does its rate change? (within 1%)",
    lambda: KERAS_DEFAULT_LRS["SGD"] / PYTORCH_DEFAULT_LRS["SGD"], rel_tol=0.01,
    hints=[(0.1, "the other way round: Keras' default is the larger one."),
           (1.0, "defaults differ by framework; read both from code.")],
    hint="new rate / old rate, with each framework's default for SGD.",
    explain="0.01 / 0.001: the ported model silently trains at ten times the "
            "rate; always pass the rate explicitly.",
))
register(Exercise(
    "06.5",
    "In the valley panel, set the condition number to kappa = 16. Which momentum "
    "beta, at its best rate, shrinks the distance fastest (the smallest factor "
    "per update)? (within 4%)",
    _valley_momentum, rel_tol=0.04,
    hints=[(0.6, "0.6 is the best factor per update; the question asks for beta. "
                 "How are the factor and beta related when the roots are complex?"),
           (0.669, "that is the best momentum for kappa = 100; set kappa to 16 "
                   "and look for the star on the map."),
           (0.9, "0.9 is the usual default, not the best here: at kappa = 16 its "
                 "factor is about 0.95 at best. Lower beta and watch the factor."),
           (0.38, "close: on the notches 0.38 is second best. Compare one notch "
                  "lower at its best rate, or tick 'go to the optimum'.")],
    hint="move the momentum down from 0.9, and at each value find the rate with "
         "the smallest factor per update; or use "
         "beta = ((sqrt(kappa) - 1)/(sqrt(kappa) + 1))^2.",
    explain="((4 - 1)/(4 + 1))^2 = 0.36, with factor 0.6 per update; on the "
            "sliders' notches the smallest factor sits at beta 0.37 (the rate "
            "grid is discrete).",
))
