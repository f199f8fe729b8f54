"""Lesson 07: a validation split of the trial data, sweeps on it, outcomes."""

import numpy as np

from ..._validate import (
    check_choice,
    check_has,
    check_model,
    check_validation_data,
    check_X,
)
from ...model import dead_fractions
from ...range_finder import (  # noqa: F401 (the lesson's range test)
    RangeTestResult,
    range_test,
    range_test_lrs,
    train_validation_split,
)
from ...readouts import grid_index, lr_grid

#: Lesson 07's sweep grid ``10 ** (-3 + 0.2 i)``, 0.001 to about 3.98, as
#: ``(min_exp, max_exp, step)`` of ``lrcourse.readouts.lr_grid``.
SWEEP_GRID = (-3.0, 0.6, 0.2)
#: The batch sizes the sweep panel precomputes (the reference network uses 10).
BATCH_SIZES = (5, 10, 20, 40, 80, 160, 320)
REFERENCE_BATCH = 10
#: Rates whose validation loss is within this of the best count as near-best.
NEAR_BEST = 0.02
#: The range test's rules, in the order the panel shows them.
RULES = ("valley", "steep", "minimum_over_10", "minimum")
RULE_NAME = {"valley": "valley", "steep": "steep", "minimum_over_10": "minimum/10",
             "minimum": "minimum"}

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

    X = check_X(X, n_inputs=check_model(model).n_inputs)
    start = bound = None
    if validation_data is not None:
        X_val, y_val = check_validation_data(validation_data, n_inputs=model.n_inputs,
                                             n_classes=model.n_classes)
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


def near_best_band(lrs, val_loss, within=NEAR_BEST):
    """``(lowest, highest)`` rate whose final validation loss is within
    ``within`` of the best one.

    >>> near_best_band([1.0, 2.0, 3.0, 4.0], [0.5, 0.31, 0.3, float("nan")])
    (2.0, 3.0)
    """
    v = np.asarray(val_loss, dtype=float)
    ok = np.flatnonzero(np.isfinite(v) & (v <= np.nanmin(v) + within))
    return float(lrs[ok.min()]), float(lrs[ok.max()])


class SweepPoint:
    """What the sweep panel shows: rate ``i`` of the sweep at ``batch_size``
    (``table`` is the ``SweepTable`` holding every sweep)."""

    def __init__(self, table, batch_size, i):
        self.table, self.batch_size, self.i = table, batch_size, i
        self.history = table.sweeps[batch_size]

    @property
    def lr(self):
        return float(self.table.lrs[self.i])

    def __repr__(self):
        return f"SweepPoint(batch size {self.batch_size}, lr={self.lr:.3g})"


class SweepTable:
    """The sweep panel's compute: the reference network trained at every rate
    of ``SWEEP_GRID`` for every batch size (one vectorized ``sweep_on_split``
    each, all from the same initial weights and batches), then looked up.

    Attributes: ``data`` (the ``TrialSplit``), ``lrs``, ``sweeps`` and
    ``outcomes`` (``{batch_size: SweepHistory}``, ``{batch_size: [phrase]}``).
    """

    def __init__(self, batch_sizes=BATCH_SIZES, epochs=5, optimizer="sgd", seed=0):
        from ...model import reference_model

        if REFERENCE_BATCH not in batch_sizes:
            raise ValueError(f"batch_sizes must include {REFERENCE_BATCH}, "
                             f"got {tuple(batch_sizes)}")
        self.data = TrialSplit(seed=seed)
        self.lrs = lr_grid(*SWEEP_GRID)
        self.epochs, self.optimizer = epochs, optimizer
        model = reference_model(seed=0)
        self.sweeps, self.outcomes = {}, {}
        for bs in batch_sizes:
            self.sweeps[bs] = sweep_on_split(self.data, self.lrs, bs,
                                             optimizer=optimizer, epochs=epochs,
                                             seed=seed)
            self.outcomes[bs] = run_outcomes(self.sweeps[bs], model,
                                             self.data.X_train,
                                             self.data.validation_data)

    def __call__(self, lr, batch_size):
        if batch_size not in self.sweeps:
            raise ValueError(f"batch_size must be one of {tuple(self.sweeps)}, "
                             f"got {batch_size!r}")
        i = grid_index(lr, SWEEP_GRID[0], SWEEP_GRID[2], len(self.lrs))
        return SweepPoint(self, batch_size, i)


def sweep_readout(point):
    """The sweep panel's text for a ``SweepPoint``."""
    check_has("point", point, ('table', 'batch_size', 'i', 'history'), "a SweepPoint")
    t, bs, i, lrs = point.table, point.batch_size, point.i, point.table.lrs
    v = point.history["val_loss"][:, -1]
    acc = point.history["val_accuracy"][:, -1]
    per_epoch = -(-len(t.data.y_train) // bs)
    name = {"sgd": "plain SGD", "adam": "Adam"}.get(t.optimizer, t.optimizer)
    lines = [f"batch size {bs}: {per_epoch} updates per epoch, "
             f"{per_epoch * t.epochs} in {t.epochs} epochs ({name})"]
    what = t.outcomes[bs][i]
    if what.startswith("diverged"):
        lines.append(f"lr = {lrs[i]:.3g}: {what}")
    else:
        lines.append(f"lr = {lrs[i]:.3g}: final validation loss {v[i]:.4f}, "
                     f"accuracy {100 * acc[i]:.1f}%  ({what})")
    b = int(np.nanargmin(v))
    lo, hi = near_best_band(lrs, v)
    lines.append(f"best rate at batch size {bs}: {lrs[b]:.3g} "
                 f"(validation loss {v[b]:.4f}); within {NEAR_BEST:g} of it: "
                 f"{lo:.3g} to {hi:.3g}")
    ref = t.sweeps[REFERENCE_BATCH]["val_loss"][:, -1]
    r = int(np.nanargmin(ref))
    if bs == REFERENCE_BATCH:
        lines.append(f"(batch size {REFERENCE_BATCH} is the reference run: the "
                     "dashed grey curve)")
    else:
        lines.append(f"the rate best at batch size {REFERENCE_BATCH}, {lrs[r]:.3g}, "
                     f"gives {v[r]:.4f} here")
    return "\n".join(lines)


class RangePoint:
    """What the range-test panel shows: the selected ``rule`` and the runs
    trained so far (``trained``: rule -> phrase, ``curves``: rule ->
    validation loss per epoch)."""

    def __init__(self, tests, rule):
        self.tests, self.rule = tests, rule
        self.trained, self.curves = dict(tests.trained), dict(tests.curves)

    def __repr__(self):
        return f"RangePoint({self.rule}, trained {sorted(self.trained)})"


class RangeTests:
    """The range-test panel's compute: the range test on the training split
    (``result``, its ``suggestions`` and their ``points`` on the curve), and
    ``train(rule)``, which trains the reference network with a suggestion
    (from the same initial weights) and keeps its validation loss."""

    def __init__(self, batch_size=10, num_it=100, epochs=5, seed=0):
        from ...model import reference_model

        self.data = TrialSplit(seed=seed)
        self.model = reference_model(seed=0)
        self.result = range_test(self.model, self.data.X_train, self.data.y_train,
                                 num_it=num_it, batch_size=batch_size, seed=seed)
        self.suggestions = self.result.suggestions()
        self.points = self.result.suggestion_points()
        self.batch_size, self.epochs, self.seed = batch_size, epochs, seed
        self.trained, self.curves = {}, {}

    def train(self, rule):
        """Train with ``rule``'s suggestion; returns its phrase."""
        rule = check_choice("rule", rule, RULES)
        h = sweep_on_split(self.data, [self.suggestions[rule]], self.batch_size,
                           optimizer="adam", epochs=self.epochs, seed=self.seed)
        v = h["val_loss"][0]
        if h.diverged[0]:
            self.trained[rule] = f"diverged at update {int(h.diverged_at[0])}"
        else:
            what = run_outcomes(h, self.model, self.data.X_train,
                                self.data.validation_data)[0]
            self.trained[rule] = f"final validation loss {v[-1]:.4f}" + (
                "" if what == "trained" else f" ({what})")
        self.curves[rule] = v
        return self.trained[rule]

    def __call__(self, rule):
        return RangePoint(self, check_choice("rule", rule, RULES))


def range_readout(point):
    """The range-test panel's text for a ``RangePoint``."""
    check_has("point", point, ('tests', 'rule', 'trained'), "a RangePoint")
    t, rule, trained = point.tests, point.rule, point.trained
    result, suggestions = t.result, t.suggestions
    lines = [
        f"range test: {result.optimizer}, batch size {result.batch_size}, rates "
        f"{result.lrs[0]:.3g} to {result.lrs[-1]:.3g}; {result.stop_reason}",
        "suggestions: " + ", ".join(
            f"{RULE_NAME[r]} {suggestions[r]:.3g}" for r in RULES),
        f"selected: {RULE_NAME[rule]} = {suggestions[rule]:.3g}"
        + ("" if rule in trained else "  (press 'Train with this rate')"),
    ]
    if trained:
        lines.append(f"trained ({t.epochs} epochs of {result.optimizer}, batch size "
                     f"{t.batch_size}, same initial weights):")
        for r in RULES:
            if r in trained:
                lines.append(f"  {RULE_NAME[r]:<11} lr {suggestions[r]:<8.3g} "
                             f"{trained[r]}")
    return "\n".join(lines)
