"""Lesson 03 exercises: too low a rate, and the trade-off."""

from ...descent import gradient_descent, stability_limits
from ...exercises import Exercise, register
from ...problems import Quadratic
from ...regimes import best_fixed_rate


def _updates_at_001():
    tr = gradient_descent(Quadratic(curvature=2.0), lr=0.01, steps=2000, start=1.0)
    return tr.steps_to(1e-3)


def _fastest_on_4w2():
    return stability_limits(8.0)[0]  # f(w) = 4 w^2 has curvature 8


def _best_4_1():
    return best_fixed_rate((4.0, 1.0))


register(Exercise(
    "03.1",
    "f(w) = w², w0 = 1, run until |w| < 0.001: how many updates at lr 0.01? "
    "(a whole number)",
    _updates_at_001, integer=True,
    hints=[(345.0, ("close: ln(1000)/0.02 approximates the count, but (1 - x)^k is "
                    "not exactly e^(-xk); count the updates exactly (0.98^k).")),
           (346.0, ("close: ln(1000)/0.02 = 345.4 approximates the count, but "
                    "(1 - x)^k is not exactly e^(-xk); count the updates exactly "
                    "(0.98^k).")),
           (688.0, ("the gradient of w² is 2w, so each update multiplies w by "
                    "1 - 0.01 x 2 = 0.98, not 0.99.")),
           (100.0, "the rate is not the step: the step shrinks with the gradient.")],
    hint="each update multiplies w by 1 - lr x 2 = 0.98; find the first k with "
         "0.98^k < 0.001.",
    explain="0.98^342 < 0.001 < 0.98^341: a small rate takes hundreds of updates.",
))
register(Exercise(
    "03.2",
    "A steeper bowl, f(w) = 4w², w0 = 1, run until |w| < 0.001: which rate needs "
    "the fewest updates? (within 3%)",
    _fastest_on_4w2, rel_tol=0.03,
    hints=[(0.25, ("the curvature is the second derivative: for 4w² that is 8, "
                   "not 4; and at 2/lambda the weight bounces for ever.")),
           (0.5, ("that is 1/lambda for f(w) = w² (lambda = 2); the curvature of "
                  "4w² is 8.")),
           (0.1, ("that is 1/lambda for the round bowl of curvature 10; the "
                  "curvature of 4w² is 8.")),
           (1.0, "that is 2/lambda for f(w) = w²; here the curvature is 8."),
           (0.001, "smaller is not faster: the U climbs to the left.")],
    hint="the bottom of the U is where lr x lambda = 1 (one update lands on the "
         "minimum); what is lambda for f(w) = 4w²? (its second derivative)",
    explain="lr = 1/lambda = 1/8 lands on the minimum in one update.",
))
register(Exercise(
    "03.3",
    "A 2-D bowl whose Hessian has eigenvalues 4 and 1 (not the panel's bowl, "
    "whose sharpness is 10): the best fixed rate? (within 1%)",
    _best_4_1, rel_tol=0.01,
    hints=[(0.25, ("that is 1/lambda_max, best for the steep direction alone; "
                   "the flat one needs a larger rate.")),
           (0.5, ("that is 2/lambda_max: there the steep direction stops "
                  "converging.")),
           (0.2, ("that is 1/(lambda_max + lambda_min); the best fixed rate is "
                  "twice that.")),
           (1.0, "that is 1/lambda_min: the steep direction diverges long before.")],
    hint="the best single rate makes the steep and the flat factor equally small: "
         "|1 - 4 lr| = |1 - lr|.",
    explain="2/(lambda_max + lambda_min) = 2/5: both directions shrink by 0.6 per "
            "update, the steep one flipping sign.",
))
