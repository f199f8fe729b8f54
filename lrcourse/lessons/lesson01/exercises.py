"""Lesson 01 exercises: the step and the rule."""

from ...descent import gradient_descent
from ...exercises import Exercise, Feedback, parse_number, register
from ...problems import Quadratic

#: Exercise 01.2's update: beyond the panel's 50 updates, so its table cannot show it.
RATIO_UPDATE = 60


def _step_ratio():
    tr = gradient_descent(Quadratic(curvature=2.0), lr=0.1, steps=RATIO_UPDATE,
                          start=3.0)
    return abs(tr.updates[RATIO_UPDATE - 1]) / abs(tr.updates[0])


def _after_two():
    tr = gradient_descent(Quadratic(curvature=4.0, minimum=1.0), lr=0.05, steps=2,
                          start=3.0)
    return float(tr.weights[2])


def _half_loss():
    tr = gradient_descent(Quadratic(curvature=4.0, minimum=1.0), lr=0.001, steps=500,
                          start=3.0)
    below = tr.losses < tr.losses[0] / 2
    return int(below.argmax())


class _UpdateCount(Exercise):
    """A count of updates: a fraction near the answer is told that updates
    come in whole numbers (the method that gave it was right)."""

    def check(self, given):
        try:
            value = parse_number(given, integer=True)
        except (TypeError, ValueError):
            return super().check(given)
        if value != round(value) and abs(value - self.answer) < 2:
            return Feedback(False, "Not yet: updates come in whole numbers: which "
                                   "is the first update after which the loss is "
                                   "below half?")
        return super().check(given)


register(Exercise(
    "01.1",
    "f(w) = w², start at w = 3: which rate reaches the minimum in one update? "
    "(within 2%)",
    0.5, rel_tol=0.02,
    hints=[(1.0, "the gradient of w² is 2w, so one update moves by lr x 2w."),
           (3.0, "the step is lr x gradient, not the rate itself.")],
    hint="try the slider: you want w - lr x 2w = 0.",
    explain="lr x 2w = w exactly when lr = 1/2 = 1/lambda.",
))
register(Exercise(
    "01.2",
    f"Same bowl, lr 0.1: the length of update {RATIO_UPDATE} divided by the length "
    "of update 1? (to 3 significant figures)",
    _step_ratio, sig_figs=3,
    hints=[(0.8, (f"that is the ratio of one update to the previous one; "
                  f"update {RATIO_UPDATE} is {RATIO_UPDATE - 1} updates after "
                  "update 1.")),
           (1.0, "at a fixed rate the step still shrinks with the gradient."),
           (0.8 ** RATIO_UPDATE, (f"that is 0.8^{RATIO_UPDATE}; from update 1 to "
                                  f"update {RATIO_UPDATE} there are "
                                  f"{RATIO_UPDATE - 1} factors."))],
    hint="each update multiplies the distance to the minimum by 1 - lr x 2.",
    explain=f"each step is 0.8 of the one before: 0.8^{RATIO_UPDATE - 1}.",
))
register(Exercise(
    "01.3",
    "f(w) = 2(w - 1)^2, w = 3, lr 0.05: the weight after two updates? "
    "(to 3 significant figures)",
    _after_two, sig_figs=3,
    hints=[(2.6, "that is after one update; do it once more."),
           (2.8, "the gradient of 2(w - 1)^2 is 4(w - 1), not 2(w - 1)."),
           (1.28, "that is w - 1; the question asks for w.")],
    hint="gradient 4(w - 1); apply w = w - 0.05 x gradient twice.",
    explain="2 x 0.8 = 1.6, then 1.6 x 0.8 = 1.28 above the minimum at 1.",
))
register(_UpdateCount(
    "01.4",
    "Same loss, lr 0.001: the first update after which the loss is below half "
    "its starting value? (a whole number)",
    _half_loss, integer=True,
    hints=[(173, ("the loss goes with the square of the distance, so it halves "
                 "when the distance has shrunk by only 1/sqrt(2).")),
           (174, ("the loss goes with the square of the distance, so it halves "
                 "when the distance has shrunk by only 1/sqrt(2).")),
           (86, "after update 86 the loss is still above half.")],
    hint="each update multiplies w - 1 by 0.996; the loss by 0.996^2.",
    explain="0.996^(2k) < 1/2 first at k = 87: small rates make slow progress.",
))
