"""Lesson 07: a validation split of the trial data, sweeps on it, outcomes."""

import numpy as np

from ...model import dead_fractions
from ...range_finder import (  # noqa: F401 (the lesson's range test)
    RangeTestResult,
    range_test,
    range_test_lrs,
    train_validation_split,
)

#: Lesson 07's sweep grid ``10 ** (-3 + 0.2 i)``, 0.001 to about 3.98, as
#: ``(min_exp, max_exp, step)`` of ``lrcourse.readouts.lr_grid``.
SWEEP_GRID = (-3.0, 0.6, 0.2)

class TrialSplit:
    """The drug-trial data split for tuning: train, validation and test.

    The validation split is cut from the training data with a seeded
    permutation; the scaler is fitted on the remaining training part only and
    applied to the other two. The test set is carried along untouched, to be
    scored once at the very end: choosing the rate on it would make its score
    an optimistic guess instead of a fair estimate.
    """

    def __init__(self, seed=0, validation_fraction=0.2):
        from ...data import MinMaxScaler, make_drug_trial

        (ages, labels), (test_ages, test_labels) = make_drug_trial(seed=seed)
        (a_tr, self.y_train), (a_val, self.y_val) = train_validation_split(
            ages, labels, validation_fraction=validation_fraction, seed=seed)
        self.scaler = MinMaxScaler().fit(a_tr)
        self.X_train = self.scaler.transform(a_tr)
        self.X_val = self.scaler.transform(a_val)
        self.X_test = self.scaler.transform(test_ages)
        self.y_test = test_labels
        self.seed = seed

    @property
    def validation_data(self):
        return self.X_val, self.y_val

    def __repr__(self):
        return (f"TrialSplit(train {len(self.y_train)}, validation {len(self.y_val)}, "
                f"test {len(self.y_test)} kept aside; seed {self.seed})")


def run_outcomes(history, model, X, validation_data=None):
    """One phrase per rate of a ``sweep_fit`` run from ``model``'s weights.

    ``"diverged at update k"``; ``"stalled: dead ReLUs, ..."`` (every unit of
    a ReLU layer outputs 0 for all of ``X`` and of the validation inputs, so
    the output is the same for every age: the loss cannot go below that of
    the best constant guess, the class frequencies' entropy, ln 2 for 50/50
    classes); with ``validation_data``, ``"not learning: ..."`` when the
    final validation loss is above the untrained network's (its start) or
    the final validation accuracy no better than the untrained network's
    (``model`` must still hold the weights the runs started from); else
    ``"trained"``.
    """
    from ...lessons.lesson05.analysis import constant_loss

    X = model._check_Xy(X)
    start = bound = None
    if validation_data is not None:
        X_val, y_val = model._check_Xy(*validation_data)
        start = model.evaluate(X_val, y_val)
        bound = constant_loss(y_val)
        X = np.concatenate([X, X_val])
    out = []
    for i in range(len(history.lrs)):
        if history.diverged[i]:
            out.append(f"diverged at update {history.diverged_at[i]}")
            continue
        params = model.views(history.weights[i])
        with np.errstate(all="ignore"):
            cache = model.forward(params, X)
        if np.any(dead_fractions(model.layers, cache) >= 1.0):  # a layer died
            floor = "" if bound is None else (
                f", loss >= {bound:.3f} (a constant guess's)")
            out.append("stalled: dead ReLUs, the output no longer depends on "
                       f"age{floor}")
        elif start is not None and history["val_loss"][i, -1] > start[0]:
            out.append(f"not learning: loss above its start, {start[0]:.4f}")
        elif start is not None and history["val_accuracy"][i, -1] <= start[1]:
            out.append("not learning: no better than the untrained network's "
                       f"accuracy, {100 * start[1]:.1f}%")
        else:
            out.append("trained")
    return out


def sweep_on_split(data, lrs, batch_size=10, *, optimizer="sgd", epochs=5, seed=0,
                   model_seed=0):
    """Train the reference network at every rate of ``lrs`` (one vectorized
    ``sweep_fit`` pass, all runs from the same initial weights) on
    ``data.X_train`` and score each on the validation split after every
    epoch. Returns the ``SweepHistory``."""
    from ...model import reference_model
    from ...training import sweep_fit

    if not isinstance(data, TrialSplit):
        raise TypeError("data must be a TrialSplit")
    model = reference_model(seed=model_seed)
    return sweep_fit(model, data.X_train, data.y_train, lrs, optimizer=optimizer,
                     batch_size=batch_size, epochs=epochs, seed=seed,
                     validation_data=data.validation_data)
