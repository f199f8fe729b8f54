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
    """Adam's first update at lr 5e-4 for a first gradient of 2e-6, where
    Keras' epsilon (1e-7, before the bias correction) matters."""
    return float(abs(first_updates(Adam(lr=5e-4), [2e-6])[0]))


def _valley_momentum():
    """The best momentum on the valley of condition number 400 (not a notch of
    panel's slider)."""
    return tuned_momentum(valley(400.0).curvatures)[1]


def _momentum_limit():
    return largest_stable_lr(Quadratic(curvature=10.0), SGD(momentum=0.9),
                             lo=0.001, hi=1.0)


register(Exercise(
    "06.1",
    "Adam (Keras' epsilon = 1e-7) at lr 5e-4 meets a first gradient of 2e-6. "
    "What is the size of its first update? (within 2%)",
    _adam_first, rel_tol=0.02,
    hints=[(5e-4, "that is lr, Adam's first update for gradients much larger "
                  "than epsilon; 2e-6 is not: epsilon matters here."),
           (1e-9, "that is lr x gradient: that is SGD. Adam divides by the "
                  "gradient's own size (plus epsilon) first."),
           (4.76e-4, "that adds epsilon = 1e-7 as it is; Keras adds it before "
                     "the bias correction, so on the first update it acts "
                     "like epsilon / sqrt(1 - beta2)."),
           (1.2e-4, "that is the first update for a gradient of 1e-6; here the "
                    "gradient is 2e-6."),
           (3.87e-4, "that is at lr 1e-3; here the rate is 5e-4.")],
    hint="on the first update Adam moves by lr x g / (|g| + eps'), with "
         "eps' = 1e-7 / sqrt(1 - 0.999), about 3.2e-6.",
    explain="5e-4 x 2e-6 / (2e-6 + 3.16e-6) = 1.94e-4: for gradients near "
            "epsilon Adam's first update falls below lr.",
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
                 "rate down until the shrink factor is just below 1."),
           (0.3, "that is the limit for beta = 0.5 (the key figure's legend); "
                 "here beta = 0.9, which widens the range further.")],
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
    "A valley of condition number kappa = 400 (not one of the panel's kappa notches): "
    "which momentum beta, at its best rate, shrinks the distance fastest (the "
    "smallest factor per update)? (within 2%)",
    _valley_momentum, rel_tol=0.02,
    hints=[(0.9048, "that is the best factor per update, (sqrt(kappa) - 1)/"
                    "(sqrt(kappa) + 1) (or the usual default 0.9); the best "
                    "beta is that factor squared."),
           (0.9925, "that uses kappa where the formula has sqrt(kappa) (and "
                    "is near plain descent's factor (kappa - 1)/(kappa + 1)): "
                    "the best beta is ((sqrt(kappa) - 1)/(sqrt(kappa) + 1))^2."),
           (0.0, "on a 1-D bowl momentum does not help; in a valley it does."),
           (0.8811, "that is the best momentum for kappa = 1000; here kappa "
                    "is 400."),
           (0.6694, "that is the best momentum for kappa = 100; here kappa "
                    "is 400.")],
    hint="the best momentum is beta = ((sqrt(kappa) - 1)/(sqrt(kappa) + 1))^2; "
         "check it on the panel at kappa = 100 or 500 first.",
    explain="((20 - 1)/(20 + 1))^2 = 0.819, with factor 19/21 = 0.905 per "
            "update; between the panel's kappa = 200 (0.753) and 500 (0.836).",
))
