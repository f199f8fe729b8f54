"""Lesson 05 exercises: training a real network, and its code."""

import math
import warnings

import numpy as np

from ...exercises import Exercise, register
from ...optimizers import SGD
from .analysis import constant_loss, trial_ceiling

#: Exercise 05.2: the exceptions of each kind in the course's trial.
COURSE_EXCEPTIONS = 50

#: Exercise 05.3: the exceptions of each kind in the changed trial.
FEWER_EXCEPTIONS = 20


def _frozen_loss():
    labels = np.repeat([0, 1], [1500, 600])
    return constant_loss(labels)


def trap_update(rate=0.1, assigned=0.001, factor=5.0, weight=1.0, gradient=2.0):
    """Exercise 05.4: the weight after one SGD update when the model was
    compiled with ``rate``, then ``optimizer.lr = assigned`` and then
    ``optimizer.learning_rate = optimizer.lr * factor`` ran. lrcourse behaves
    as Keras 3 does: ``.lr`` reads back ``assigned`` without changing the rate,
    and the last line sets the rate to ``assigned x factor``."""
    opt = SGD(learning_rate=rate)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the .lr warning
        opt.lr = assigned
    opt.learning_rate = opt.lr * factor
    w = [np.array([weight])]
    opt.step(w, [np.array([gradient])])
    return float(w[0][0])


register(Exercise(
    "05.1",
    "If every ReLU of a layer died and the training classes were 1,500/600 "
    "(instead of 1,050/1,050): at which loss would training freeze? "
    "(to 3 significant figures)",
    _frozen_loss, sig_figs=3,
    hints=[(math.log(2), "ln 2 is the frozen loss for balanced classes; here the "
                         "best constant prediction is 1500/2100 and 600/2100."),
           (-math.log(1500 / 2100), "that is the loss of the 1,500 majority samples "
                                    "only; average over all 2,100."),
           (-math.log(600 / 2100), "that is the loss of the 600 minority samples "
                                   "only; average over all 2,100."),
           (1500 / 2100, "that is a probability (the share of class 0), not a "
                         "loss."),
           (600 / 2100, "that is a probability (the share of class 1), not a "
                        "loss.")],
    hint=("a dead network outputs the same probabilities for everyone; the best "
          "it can output is the class shares p = 5/7 and 2/7, and its loss is "
          "-(p0 ln p0 + p1 ln p1)."),
    explain=("-(5/7 ln 5/7 + 2/7 ln 2/7) = 0.598; the L2 penalty adds nothing in "
             "the end, since it alone pulls the dead layer's kernel to zero."),
))

register(Exercise(
    "05.2",
    "[panel] On the course's trial, the highest training accuracy SGD reaches "
    "after 30 epochs, at any rate of the panel? (with a % sign, to 3 significant "
    "figures)",
    lambda: trial_ceiling(COURSE_EXCEPTIONS), sig_figs=3,
    hints=[(1.0, "no rate gets there: read the panel's accuracy at the rates that "
                 "learn best, after 30 epochs."),
           (95.2, "give it with a % sign (95.2%) or as a fraction (0.952)."),
           (0.94, "some rates do better: move the rate notch by notch between "
                  "0.001 and 0.1, with the epochs at 30.")],
    hint="set the epochs to 30 and move the rate notch by notch from 0.001 up to "
         "0.3; read the training accuracy in the readout.",
    explain="2,000 of 2,100 = 95.2%, reached by SGD at lr 0.0056, 0.01 and 0.0178: "
            "no rate gets further, because the 100 exceptions share their age with "
            "people of the other label.",
))
register(Exercise(
    "05.3",
    "On the course's trial (50 exceptions of each kind among 2,100 people) no "
    "rate gets past the accuracy of exercise 2. With 20 younger "
    "people with side effects and 20 older without instead (2,040 people), what "
    "training accuracy could no rate beat? (as a fraction, e.g. 0.9, or with a "
    "% sign; to 3 significant figures)",
    lambda: trial_ceiling(FEWER_EXCEPTIONS), sig_figs=3,
    hints=[(1.0, "the 40 exceptions share their age with people of the other "
                 "label, and a function of age must give both the same answer."),
           (2000 / 2100, "that is the ceiling of the course's trial (100 "
                         "exceptions); here there are 40 among 2,040."),
           (0.96, "there are 20 + 20 = 40 exceptions, not 80, among 2,040 "
                  "people."),
           (98.0, "give it as a fraction (0.980) or with a % sign (98.0%).")],
    hint=("which people does every run of exercise 2 get wrong? Count them in the "
          "new trial."),
    explain="2,000 of 2,040 = 98.0%: the 40 exceptions share their age with "
            "the other label; on the course's trial 2,000 of 2,100 = 95.2%.",
))

register(Exercise(
    "05.4",
    "Keras 3: a model compiled with SGD(learning_rate=0.1); then "
    "model.optimizer.lr = 0.001; then model.optimizer.learning_rate = "
    "model.optimizer.lr * 5. The next update gives a weight of value 1.0 the "
    "gradient 2.0. Its new value? (within 0.1%)",
    trap_update, rel_tol=0.001,
    hints=[(0.8, "the last line did change the rate: it sets learning_rate. What "
                 "does model.optimizer.lr read back, and so what is the new rate?"),
           (0.998, "0.998 would use the rate 0.001; but in Keras 3 "
                   "`optimizer.lr = 0.001` only makes a new attribute, and the "
                   "last line sets the rate to 5 times what it reads back."),
           (0.0, "that uses the rate 0.5 = 0.1 x 5; but model.optimizer.lr reads "
                 "back what was assigned to it, not the rate the optimizer "
                 "holds."),
           (1.0, "the update happens: subtract lr x gradient.")],
    hint="what does model.optimizer.lr read back after it was assigned, and which "
         "attribute holds the rate in Keras 3?",
    explain="model.optimizer.lr reads back 0.001 (the .lr line changed nothing "
            "else), so the rate becomes 0.005: 1.0 - 0.005 x 2.0 = 0.99.",
))
