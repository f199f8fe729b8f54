"""Lesson 07 exercises: choosing a learning rate."""

import numpy as np

from ...exercises import Exercise, register
from ...model import reference_model
from ...readouts import lr_grid
from .analysis import (
    SWEEP_GRID,
    TrialSplit,
    range_test,
    range_test_lrs,
    sweep_on_split,
)

#: The settings the lesson's panels use (the answers depend on them).
EPOCHS = 5
BATCH = 10


def _batch_reaching(rate=1e-3):
    lrs = range_test_lrs(1e-7, 10.0, 100)
    return int(np.argmax(lrs >= rate * (1 - 1e-9)))


def minimum_vs_tenth(seed=0):
    """Final validation losses after training at the range test's minimum and
    at minimum/10 (Adam, batch size 10, 5 epochs, the same initial weights)."""
    data = TrialSplit(seed=seed)
    result = range_test(reference_model(seed=0), data.X_train, data.y_train,
                        batch_size=BATCH, seed=seed)
    s = result.suggestions()
    out = {}
    for rule in ("minimum", "minimum_over_10"):
        h = sweep_on_split(data, [s[rule]], BATCH, optimizer="adam", epochs=EPOCHS,
                           seed=seed)
        out[rule] = float(h["val_loss"][0, -1])
    return out


def _lower_of_the_two():
    losses = minimum_vs_tenth()
    return "minimum" if losses["minimum"] < losses["minimum_over_10"] else "minimum/10"


def best_rate(batch_size, seed=0):
    """The sweep panel's best rate at this batch size (SGD, 5 epochs)."""
    data = TrialSplit(seed=seed)
    h = sweep_on_split(data, lr_grid(*SWEEP_GRID), batch_size, optimizer="sgd",
                       epochs=EPOCHS, seed=seed)
    return h.best()


register(Exercise(
    "07.1",
    "A range test from 1e-7 to 10 over 100 batches (batch i, counted from 0, "
    "uses 1e-7 x (10/1e-7)^(i/100)): at which batch does the rate first reach "
    "1e-3? (a whole number)",
    _batch_reaching, integer=True,
    hints=[(51, "batches are counted from 0 here, as fastai counts them: batch 0 "
                "already uses 1e-7."),
           (49, "1e-3 is 4 of the 8 decades from 1e-7 to 10: exactly half-way."),
           (0.01, "the ramp is exponential, not linear: equal steps in log10(lr).")],
    hint="log10 of the rate climbs by 8/100 each batch, from -7.",
    explain="log10: -7 + 8 x 50/100 = -3: half the batches cover half the decades.",
))
register(Exercise(
    "07.2",
    "Train with the range test's minimum and with minimum/10 (Adam, batch size "
    "10, 5 epochs, the same start): which ends with the lower validation loss? "
    "(minimum or minimum/10)",
    _lower_of_the_two, choices=("minimum", "minimum/10"),
    hints=[("minimum", "at the minimum of the range-test curve the rate had been "
                       "climbing for many batches and the loss is about to shoot "
                       "up; press 'Train with this rate' for both and compare.")],
    hint="select each rule in the panel, press 'Train with this rate', and read "
         "the final validation losses.",
    explain="The range test's lowest point is where the rate is already close "
            "to too large; a tenth of it trains more safely.",
))
register(Exercise(
    "07.3",
    "In the sweep panel (SGD, 5 epochs), what is the best rate at batch size 80? "
    "(within 20%)",
    lambda: best_rate(80), rel_tol=0.2,
    hints=[(0.398, "that is the best rate at batch size 10: move the batch-size "
                   "slider to 80 and read the star.")],
    hint="set the batch size to 80; the star marks the lowest validation loss.",
    explain="Batches 8 times larger give 8 times fewer updates per epoch, each "
            "less noisy: the best rate grows.",
))
