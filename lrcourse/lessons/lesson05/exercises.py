"""Lesson 05 exercises: training a real network, and its code."""

import math

import numpy as np

from ...exercises import Exercise, register
from .analysis import best_accuracy, constant_loss, trial_data


def _frozen_loss():
    labels = np.repeat([0, 1], [1500, 600])
    return constant_loss(labels)


def _best_training_accuracy():
    data = trial_data(0)
    return best_accuracy(data.ages, data.y)


register(Exercise(
    "05.1",
    "If every ReLU of a layer died and the training classes were 1,500/600 "
    "(instead of 1,050/1,050): at which loss would training freeze? "
    "(to 2 significant figures)",
    _frozen_loss, sig_figs=2,
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
    "[panel] The training accuracy that no rate can beat (as a fraction, e.g. "
    "0.9, or with a % sign; to 3 significant figures)?",
    _best_training_accuracy, sig_figs=3,
    hints=[(1.0, "100 of the 2,100 people are exceptions: someone of the same "
                 "age has the other label, and a function of age cannot tell "
                 "them apart."),
           (0.5, "50% is what a stalled network gets (one constant answer); "
                 "look at the best rates instead."),
           (95.2, "give it as a fraction (0.952) or with a % sign (95.2%).")],
    hint=("move the rate slider over the good rates and watch the accuracy "
          "plateau; then count the exceptions."),
    explain="2,000 of 2,100 = 95.2%: the 100 exceptions share their age with "
            "the other class.",
))

register(Exercise(
    "05.3",
    "Keras 3: a model compiled with Adam(learning_rate=1e-4); then "
    "model.optimizer.lr = 0.5. What does float(model.optimizer.learning_rate) "
    "print now? (within 1%)",
    1e-4, rel_tol=0.01,
    hints=[(0.5, "model.optimizer.lr reads back 0.5, but in Keras 3 that is a new "
                 "attribute; the rate lives in learning_rate."),
           (0.001, "that is Adam's default; this model was compiled with 1e-4.")],
    hint="which attribute holds the rate in Keras 3, and which one was set?",
    explain="Setting .lr changed nothing; the optimizer still uses 1e-4 "
            "(stored as float32: 9.9999997e-05).",
))
