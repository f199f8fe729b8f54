"""Lesson 07 exercises: choosing a learning rate."""

import numpy as np

from ...exercises import Exercise, register
from .analysis import SEEDS, SeedSweeps, range_test_lrs, rule_scores

#: The settings the lesson's panels use (the answers depend on them).
EPOCHS = 5
BATCH = 10
#: Exercise 07.3's level (the lesson itself quotes the rates reaching 0.4).
EXERCISE_LOSS = 0.5


def _batch_reaching(rate=1e-2):
    lrs = range_test_lrs(1e-7, 10.0, 100)
    return int(np.argmax(lrs >= rate * (1 - 1e-9)))


def minimum_vs_tenth(seed=0):
    """Final validation losses after training at the range test's minimum and
    at minimum/10 (Adam, batch size 10, 5 epochs, the same initial weights)."""
    scores = rule_scores(seed, BATCH, EPOCHS)
    return {rule: scores[rule][1] for rule in ("minimum", "minimum_over_10")}


def _lower_of_the_two():
    losses = minimum_vs_tenth()
    return "minimum" if losses["minimum"] < losses["minimum_over_10"] else "minimum/10"


def target_ratio(small=BATCH, large=80, seeds=SEEDS, level=EXERCISE_LOSS):
    """How many times larger the lowest rate reaching a mean validation loss
    below ``level`` is at batch size ``large`` than at ``small`` (the sweep
    panel's runs: SGD, 5 epochs, mean over ``seeds``)."""
    a = SeedSweeps(small, seeds, epochs=EPOCHS).first_below(level)
    b = SeedSweeps(large, seeds, epochs=EPOCHS).first_below(level)
    return b / a


register(Exercise(
    "07.1",
    "A range test from 1e-7 to 10 over 100 batches (batch i, counted from 0, "
    "uses 1e-7 x (10/1e-7)^(i/100)): at which batch does the rate first reach "
    "1e-2? (a whole number: the batch's index)",
    _batch_reaching, integer=True,
    hints=[(62, "batch 62 uses 10^(-7 + 8 x 62/100) = 10^-2.04, still just below "
                "1e-2: the first batch at or above it is the next whole number."),
           (62.5, "batches are whole numbers: the first batch at or above 1e-2."),
           (64, "batches are counted from 0 here, as fastai counts them: batch 0 "
                "already uses 1e-7."),
           (0.001, "the ramp is exponential, not linear: equal steps in log10(lr).")],
    hint="log10 of the rate climbs by 8/100 each batch, from -7: solve "
         "-7 + 8 i/100 >= -2 for the smallest whole i.",
    explain="log10: -7 + 8 i/100 = -2 at i = 62.5, so batch 63 is the first at or "
            "above 1e-2 (it uses 1.1e-2).",
))
register(Exercise(
    "07.2",
    "Train with the range test's minimum and with minimum/10 (Adam, batch size "
    "10, 5 epochs, the same start): which ends with the lower validation loss? "
    "(answer minimum or minimum/10)",
    _lower_of_the_two, choices=("minimum", "minimum/10"),
    aliases={"min": "minimum", "min/10": "minimum/10"},
    hints=[("minimum", "at the minimum of the range-test curve the rate had been "
                       "climbing for many batches and the loss is about to shoot "
                       "up; press 'Train with this rate' for both and compare.")],
    hint="select each rule in the panel, press 'Train with this rate', and read "
         "the final validation losses.",
    explain="The range test's lowest point is where the rate is already close "
            "to too large; a tenth of it trains better (in each of 5 seeds).",
))
register(Exercise(
    "07.3",
    "In the sweep panel, find the lowest rate at which the final validation loss "
    f"(mean of 5 seeds) drops below {EXERCISE_LOSS:g}, at batch size 10 and at "
    "batch size 80. How many times larger is it at batch size 80? (within 10%)",
    target_ratio, rel_tol=0.1,
    hints=[(8, "8 is the ratio of the batch sizes, a prediction; measure it: "
               "move the rate up from 0.001 at each batch size and note where "
               "the mean first drops below 0.5."),
           (1, "the rate does move: at batch size 80 the small rates no longer "
               "get below 0.5 in 5 epochs."),
           (6.31, "re-read the readout at each batch size, one notch at a time, "
                  "for the first mean below 0.5."),
           (15.8, "re-read the readout at each batch size, one notch at a time, "
                  "for the first mean below 0.5.")],
    hint="at each batch size, move the rate up from 0.001 one notch at a time; "
         "the first rate whose mean is below 0.5 is the one; divide the two.",
    explain="8 times larger batches make 8 times fewer updates in 5 epochs; a "
            "small rate's progress goes with rate x updates, so the rate needed "
            "grows about 8-fold (0.0158 to 0.158 on the slider's notches: 10 "
            "times).",
))
