"""Looking inside the reference network while it trains (lesson 05).

Numbers only (numpy). Here are: the trial data prepared as the course does
it (scaler fitted on the training ages only), sweeps of many rates from
identical initial weights that also check the ReLUs after every epoch, the
outcome of a run in words (learned, still crawling, stalled with dead ReLUs,
diverged), replays that record one chosen weight update by update, and the
floors no rate can beat (the best constant prediction, the best accuracy any
function of age can reach).
"""

import functools
import math

import numpy as np

from ..._validate import (
    check_choice,
    check_count,
    check_finite,
    check_floats,
    check_has,
    check_lr,
    read_only,
)
from ...data import MinMaxScaler, TrialData, trial_data  # noqa: F401 (lesson 05)
from ...model import LN2, distinct_rows, reference_model
from ...model import dead_fractions as _dead
from ...readouts import lr_grid
from ...training import sweep_fit

#: The optimizers lesson 05 trains with, by the name the panels show.
OPTIMIZERS = {"sgd": "SGD", "adam": "Adam"}

#: The reference network's weight arrays and their shapes.
WEIGHT_SHAPES = {"W1": (1, 16), "b1": (16,), "W2": (16, 32), "b2": (32,),
                 "W3": (32, 2), "b3": (2,)}

#: Accuracy at or above this counts as "learned" in the readouts.
LEARNED_ACCURACY = 0.9
#: How far above ln 2 a stalled run's loss may sit and still be called "ln 2".
STALLED_NEAR_LN2 = 0.02


# -- the floors no rate can beat -------------------------------------------------------
def constant_loss(labels):
    """Cross-entropy of the best constant prediction: the class frequencies.

    That is the loss a network whose ReLUs all died settles at: its output is
    the same for every input, its output bias drifts to the log-odds of the
    classes, and the L2 penalty on a dead layer's kernel (the only gradient
    that kernel still gets) shrinks it to zero.

    >>> f"{constant_loss([0] * 1050 + [1] * 1050):.4f}"
    '0.6931'
    >>> f"{constant_loss([0] * 1500 + [1] * 600):.4f}"
    '0.5983'
    """
    labels = _labels(labels)
    p = np.bincount(labels) / len(labels)
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def best_accuracy(ages, labels):
    """The highest training accuracy any function of age can reach.

    People of the same age can carry both labels (the exceptions), so the
    best any classifier of age can do is to predict each age's majority.

    >>> data = trial_data(seed=0)
    >>> f"{best_accuracy(data.ages, data.y):.4f}"
    '0.9524'
    """
    labels = _labels(labels)
    ages = np.asarray(ages, dtype=float).ravel()
    if ages.shape != labels.shape:
        raise ValueError(f"ages must have the shape of labels {labels.shape}, "
                         f"got {ages.shape}")
    _, group = np.unique(ages, return_inverse=True)
    counts = np.zeros((group.max() + 1, labels.max() + 1))
    np.add.at(counts, (group, labels), 1)
    return float(counts.max(axis=1).sum() / len(labels))


def _labels(labels):
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or labels.dtype.kind not in "iu" or (
            labels.min() < 0):
        raise ValueError("labels must be a non-empty 1-D array of class labels >= 0")
    return labels.astype(np.intp)


# -- dead ReLUs ------------------------------------------------------------------------
def dead_fractions(model, weights, X):
    """For flat weights of shape (..., n), the fraction of dead units in each
    ReLU layer (a unit is dead when it outputs 0 for every row of ``X``).

    Returns an array of shape (..., number of ReLU layers).
    """
    weights = np.asarray(weights, dtype=float)
    with np.errstate(all="ignore"):
        cache = model.forward(model.views(weights), X)
    return _dead(model.layers, cache)


def is_stalled(dead):
    """True when some ReLU layer is entirely dead: the output is then one
    constant, whatever the input."""
    return bool(np.max(check_floats("dead", dead)) >= 1.0)


# -- many rates from identical initial weights -----------------------------------------
class RateSweep:
    """One optimizer at every rate of a slider grid, from identical weights.

    Arrays have one row per rate and one column per epoch 0..epochs (epoch 0
    is the untrained network): ``loss`` and ``accuracy`` on the whole
    training set at the end of each epoch, ``dead`` (rates, epochs + 1,
    ReLU layers) the fraction of dead units. ``diverged_at`` is the 1-based
    diverging update per rate (None: none); entries after it are NaN.
    """

    def __init__(self, optimizer, lrs, grid, loss, accuracy, dead, diverged_at,
                 updates_per_epoch, batch_size):
        self.optimizer = optimizer
        self.lrs = lrs
        self.grid = grid  # (min_exp, max_exp, step)
        self.loss = loss
        self.accuracy = accuracy
        self.dead = dead
        self.diverged_at = diverged_at
        self.updates_per_epoch = updates_per_epoch
        self.batch_size = batch_size
        read_only(lrs, loss, accuracy, dead, diverged_at)  # shared by a cache

    @property
    def epochs(self):
        return self.loss.shape[1] - 1

    def index(self, lr):
        """The row of the grid rate nearest ``lr``."""
        lr = check_lr(lr)
        return int(np.argmin(np.abs(np.log10(self.lrs) - math.log10(lr))))

    def outcome(self, i, epoch):
        """``(kind, text)`` for row ``i`` after ``epoch`` epochs (see
        ``outcome``)."""
        return outcome(self.loss[i, epoch], self.accuracy[i, epoch],
                       self.dead[i, epoch], self.diverged_at[i],
                       epoch * self.updates_per_epoch, self.loss[i, 0])

    def __repr__(self):
        name = OPTIMIZERS[self.optimizer]
        return (f"RateSweep({name}, {len(self.lrs)} rates "
                f"{self.lrs[0]:.0e}..{self.lrs[-1]:.0e}, {self.epochs} epochs)")


@functools.lru_cache(maxsize=8)
def rate_sweep(optimizer="sgd", min_exp=-5.0, max_exp=1.0, step=0.25, epochs=30,
               batch_size=10, seed=0, data_seed=0):
    """Train the reference network at every rate ``10 ** (min_exp + i * step)``.

    All runs start from ``reference_model(seed)``'s weights and see the same
    shuffled mini-batches (``model.fit(..., seed=seed)`` replays any row).
    The result is cached: a panel, a figure and a test asking for the same
    sweep share one computation. Its arrays are read-only.
    """
    optimizer = check_choice("optimizer", optimizer, tuple(OPTIMIZERS))
    epochs = check_count("epochs", epochs)
    batch_size = check_count("batch_size", batch_size)
    for name, value in (("min_exp", min_exp), ("max_exp", max_exp), ("step", step)):
        check_finite(name, value)
    data_seed = check_count("data_seed", data_seed, minimum=0)
    if not (step > 0 and max_exp > min_exp):
        raise ValueError("the grid needs step > 0 and max_exp > min_exp, got "
                         f"min_exp={min_exp}, max_exp={max_exp}, step={step}")
    data = trial_data(data_seed)
    model = reference_model(seed=seed, optimizer=optimizer)
    lrs = lr_grid(min_exp, max_exp, step)
    R, L = len(lrs), 2
    loss = np.full((R, epochs + 1), np.nan)
    accuracy = np.full((R, epochs + 1), np.nan)
    dead = np.full((R, epochs + 1, L), np.nan)

    # Only 88 distinct ages: score each (age, label) pair once, weighted by count.
    X_u, y_u, w_u = distinct_rows(data.X, data.y)

    def record(epoch, weights, alive):
        with np.errstate(all="ignore"):
            params = model.views(weights)
            cache = model.forward(params, X_u)
            ce = model.loss_value(params, cache, y_u, w_u)
            hits = cache[-1][1].argmax(axis=-1) == y_u
            loss[alive, epoch] = ce[alive]
            accuracy[alive, epoch] = (hits * w_u).sum(axis=-1)[alive]
            dead[alive, epoch] = _dead(model.layers, cache)[alive]

    record(0, np.tile(model.flat, (R, 1)), np.ones(R, dtype=bool))
    sweep = sweep_fit(model, data.X, data.y, lrs, optimizer=optimizer,
                      batch_size=batch_size, epochs=epochs, seed=seed,
                      epoch_end=lambda e, w, alive: record(e + 1, w, alive))
    per_epoch = -(-len(data.y) // batch_size)
    return RateSweep(optimizer, lrs, (min_exp, max_exp, step), loss, accuracy, dead,
                     sweep.diverged_at, per_epoch, batch_size)


def outcome(loss, accuracy, dead, diverged_at=None, updates=None, start_loss=None):
    """Name what a run did: ``(kind, text)``.

    ``kind`` is ``"diverged"`` (the loss ran away), ``"stalled"`` (a whole
    ReLU layer is dead, so the output is one constant and the loss sits at the
    best constant's, ln 2 = 0.693 on the balanced trial data), ``"learned"``
    (training accuracy >= 90%) or ``"crawling"`` (still far from it).

    >>> outcome(0.6931, 0.5, [1.0, 1.0])[1]
    'stalled: dead ReLUs, loss ln 2 = 0.693'
    """
    if diverged_at and (updates is None or updates >= diverged_at):
        return "diverged", f"diverged at update {int(diverged_at)}"
    if is_stalled(dead):
        return "stalled", _stalled_text(loss)
    if accuracy >= LEARNED_ACCURACY:
        return "learned", f"learned: training accuracy {100 * accuracy:.1f}%"
    if start_loss is not None:
        return "crawling", (f"still crawling: loss {start_loss:.3f} -> {loss:.3f}, "
                            f"accuracy {100 * accuracy:.1f}%")
    return "crawling", f"still crawling: accuracy {100 * accuracy:.1f}%"


def _stalled_text(loss):
    """The stalled headline: "loss ln 2" only while the loss is near ln 2."""
    if loss - LN2 <= STALLED_NEAR_LN2:
        return f"stalled: dead ReLUs, loss ln 2 = {LN2:.3f}"
    return (f"stalled: dead ReLUs, one answer for everyone, loss {loss:.4f} "
            f"(above ln 2 = {LN2:.3f})")


def training_readout(sweep, lr, epochs):
    """The text under the training panel for one rate after ``epochs`` epochs."""
    i = sweep.index(lr)
    epochs = check_count("epochs", epochs)
    if epochs > sweep.epochs:
        raise ValueError(f"epochs must be <= {sweep.epochs}, got {epochs}")
    name = OPTIMIZERS[sweep.optimizer]
    rate = sweep.lrs[i]
    kind, text = sweep.outcome(i, epochs)
    lines = [f"{name}, lr = {rate:.4g}, batch size {sweep.batch_size}, "
             f"after {epochs} epoch{'s' if epochs > 1 else ''} "
             f"({epochs * sweep.updates_per_epoch} updates)"]
    if kind == "diverged":
        lines.append(f"happened: {text}")
        return "\n".join(lines)
    loss, acc = sweep.loss[i, epochs], sweep.accuracy[i, epochs]
    dead = sweep.dead[i, epochs]
    lines.append(f"training loss {loss:.4f} (start {sweep.loss[i, 0]:.4f}), "
                 f"training accuracy {100 * acc:.1f}%")
    lines.append("dead ReLUs: " + ", ".join(
        f"layer {k + 1} {round(f * n)}/{n}" for k, (f, n) in enumerate(
            zip(dead, (16, 32)))))
    lines.append(f"happened: {text}")
    if kind == "stalled":
        first = int(np.argmax([is_stalled(d) for d in sweep.dead[i, :epochs + 1]]))
        lines.append(f"  every unit of a layer outputs 0 for every age (since epoch "
                     f"{first}):\n  the network gives everyone the same answer, so "
                     "the accuracy is 50%;\n  the best such answer, 50/50, has "
                     "loss ln 2.")
        if loss - LN2 > 5e-4:
            lines.append(f"  The extra {loss - LN2:.4f} above ln 2: the output bias "
                         "still jumps\n  with each mini-batch at this rate, away "
                         "from 50/50.")
    return "\n".join(lines)


# -- replaying one weight, update by update --------------------------------------------
class Replay:
    """One weight's record through a seeded run: per update (0-based arrays)
    the rate, old value, gradient, applied change and new value."""

    def __init__(self, optimizer, lr, weight, index, record, lrs, losses,
                 updates_per_epoch, fate=""):
        self.optimizer = optimizer
        self.lr = lr
        self.weight = weight
        self.index = index
        self.old = record["old"]
        self.grad = record["grad"]
        self.change = record["change"]
        self.new = record["new"]
        self.lrs = lrs
        self.losses = losses
        self.updates_per_epoch = updates_per_epoch
        self.fate = fate  # what the whole replayed run did, in words

    @property
    def name(self):
        idx = ", ".join(str(i) for i in self.index)
        return f"{self.weight}[{idx}]"

    @property
    def updates(self):
        return len(self.old)

    def row(self, k):
        """Update ``k`` (1-based): a dict of the numbers the inspector shows."""
        k = check_count("update", k)
        if k > self.updates:
            raise ValueError(f"update must be <= {self.updates}, got {k}")
        j = k - 1
        return {"update": k, "epoch": j // self.updates_per_epoch + 1,
                "batch": j % self.updates_per_epoch + 1, "old": self.old[j],
                "grad": self.grad[j], "lr": self.lrs[j],
                "lr_x_grad": self.lrs[j] * self.grad[j], "change": self.change[j],
                "new": self.new[j], "loss": self.losses[j]}

    def first_updates(self, n=3):
        """The first ``n`` updates as text: old value, gradient, lr x gradient
        and new value, one line each."""
        lines = []
        for k in range(1, check_count("n", n) + 1):
            r = self.row(k)
            lines.append(f"update {k}: old {r['old']:+.6f}  gradient {r['grad']:+.6f}"
                         f"  lr x gradient {r['lr_x_grad']:+.6f}  new {r['new']:+.6f}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"Replay({self.name}, {OPTIMIZERS[self.optimizer]} lr={self.lr:g}, "
                f"{self.updates} updates)")


def check_weight(weight, index):
    """Validate a weight name and index of the reference network."""
    weight = check_choice("weight", weight, tuple(WEIGHT_SHAPES))
    shape = WEIGHT_SHAPES[weight]
    index = (index,) if isinstance(index, (int, np.integer)) else tuple(index)
    if len(index) != len(shape) or not all(
            isinstance(i, (int, np.integer)) and 0 <= i < n
            for i, n in zip(index, shape)):
        ranges = ", ".join(f"0..{n - 1}" for n in shape)
        raise ValueError(f"index for {weight} must be {len(shape)} integer(s) in "
                         f"({ranges}), got {index!r}")
    return weight, tuple(int(i) for i in index)


def replay(optimizer="sgd", lr=0.1, weight="W2", index=(2, 5), epochs=3, seed=0,
           data_seed=0):
    """Re-run the seeded training and record one weight at every update.

    The run is the one ``rate_sweep`` makes for this rate (same initial
    weights, same batches); ``model.fit(..., watch=[(weight, index)])`` does
    the recording.

    >>> r = replay("sgd", 0.1, "W2", (2, 5), epochs=1)
    >>> row = r.row(1)
    >>> bool(abs(row["change"] + 0.1 * row["grad"]) < 1e-15)
    True
    """
    optimizer = check_choice("optimizer", optimizer, tuple(OPTIMIZERS))
    lr = check_lr(lr)
    if callable(lr):
        raise TypeError("lr must be a number here, not a schedule")
    weight, index = check_weight(weight, index)
    epochs = check_count("epochs", epochs)
    data = trial_data(check_count("data_seed", data_seed, minimum=0))
    model = reference_model(seed=seed, lr=lr, optimizer=optimizer)
    history = model.fit(data.X, data.y, batch_size=10, epochs=epochs, seed=seed,
                        watch=[(weight, index)])
    trace = history.trace
    record = next(iter(trace.watch.values()))
    loss, accuracy = model.evaluate(data.X, data.y)
    _, fate = outcome(loss, accuracy, model.dead_units(data.X),
                      history.diverged_at)
    return Replay(optimizer, lr, weight, index, record, trace.lrs, trace.losses,
                  -(-len(data.y) // 10),
                  fate=f"the replayed run after {epochs} epochs: {fate}")


def follow_weight(weight="W2", index=(2, 5), *, optimizer="sgd", lr=0.1, epochs=1):
    """Train the reference network (seed 0, the trial data, batch size 10)
    and follow one weight through every update: a ``Replay``, whose
    ``first_updates(n)`` prints the first updates.

    >>> print(follow_weight("b3", 1, lr=0.1).first_updates(1))  # doctest: +ELLIPSIS
    update 1: old +0.000000  gradient ...
    """
    return replay(optimizer, lr, weight, index, epochs=epochs)


class FullBatchRun:
    """Full-batch gradient descent on the reference network (every update on
    all the training data): the loss and accuracy before each update, the
    dead units per ReLU layer at the end and what happened, in words."""

    def __init__(self, lr, loss, accuracy, dead, kind, text, untrained_dead):
        self.lr, self.loss, self.accuracy = lr, loss, accuracy
        self.dead, self.kind, self.text = dead, kind, text
        self.untrained_dead = untrained_dead

    def __str__(self):
        lines = [f"update {k:3d}: loss before it {self.loss[k - 1]:.4f}, "
                 f"accuracy {self.accuracy[k - 1]:.3f}"
                 for k in sorted({1, 4, 20, len(self.loss)})]
        lines.append("dead units per ReLU layer: "
                     + ", ".join(f"{f:.0%}" for f in self.dead))
        lines.append(f"what happened: {self.text}")
        lines.append(f"(untrained: {self.untrained_dead:.0%} of layer 1 already dead)")
        return "\n".join(lines)

    def __repr__(self):
        return f"FullBatchRun(lr={self.lr:g}, {len(self.loss)} updates: {self.kind})"


def full_batch_run(lr=2.0, updates=100, seed=0, data_seed=0):
    """Train the reference network with full-batch gradient descent (one
    update per epoch, on all the training data, no shuffling) and name what
    happened (``outcome``). At lr 2 a whole ReLU layer dies (seed 0: the
    first)."""
    lr = check_lr(lr)
    updates = check_count("updates", updates)
    data = trial_data(check_count("data_seed", data_seed, minimum=0))
    untrained = reference_model(seed=seed).dead_units(data.X)[0]
    model = reference_model(seed=seed, lr=lr, optimizer="sgd")
    history = model.fit(data.X, data.y, batch_size=len(data.y), epochs=updates,
                        shuffle=False)
    loss, accuracy = model.evaluate(data.X, data.y)
    dead = model.dead_units(data.X)
    kind, text = outcome(loss, accuracy, dead, history.diverged_at)
    return FullBatchRun(lr, history.history["loss"], history.history["accuracy"],
                        dead, kind, text, untrained)


def trial_ceiling(exceptions, majority=1000, seed=0):
    """The training accuracy no rate can beat on a trial built like the
    course's, with ``majority`` people in each age group and ``exceptions``
    of each kind (the course's trial: 1,000 and 50): each age's majority
    label is the best any function of age can do (``best_accuracy``).

    >>> f"{trial_ceiling(50):.4f}"
    '0.9524'
    """
    exceptions = check_count("exceptions", exceptions, minimum=0)
    majority = check_count("majority", majority)
    rng = np.random.default_rng(seed)
    groups = ((majority, 13, 64, 0), (majority, 65, 100, 1),
              (exceptions, 13, 64, 1), (exceptions, 65, 100, 0))
    ages = np.concatenate([rng.integers(lo, hi + 1, size=n) for n, lo, hi, _ in groups])
    labels = np.concatenate([np.full(n, label) for n, _, _, label in groups])
    return best_accuracy(ages, labels)


def inspector_readout(rep, k):
    """The inspector's text for update ``k`` of a replay."""
    r = rep.row(k)
    name = OPTIMIZERS[rep.optimizer]
    lines = [f"{rep.name}, update {k} of {rep.updates} (epoch {r['epoch']}, "
             f"batch {r['batch']}); {name}, lr = {r['lr']:.4g}",
             f"old value          {r['old']:+.8f}",
             f"gradient           {r['grad']:+.4e}",
             f"rate               {r['lr']:.4g}",
             f"lr x gradient      {r['lr_x_grad']:+.4e}"]
    if rep.optimizer == "sgd":
        lines.append(f"applied change     {r['change']:+.4e}   (= -lr x gradient)")
    else:
        ratio = abs(r["change"]) / r["lr"]
        lines.append(f"Adam's actual change {r['change']:+.4e}   "
                     f"(|change| = {ratio:.3f} x lr:\n"
                     "                   Adam divides by the gradient's running "
                     "size)")
    lines.append(f"new value          {r['new']:+.8f}   (= old value + change)")
    if r["grad"] == 0.0:
        lines.append("gradient exactly 0: the ReLU unit this weight feeds gave 0\n"
                     "for every sample of the batch.")
    elif rep.weight == "W2" and math.isclose(r["grad"], 0.02 * r["old"],
                                             rel_tol=1e-9):
        lines.append("gradient = 0.02 x old value: only the L2 penalty's pull; the\n"
                     "layer-1 unit feeding this weight gave 0 for the whole batch.")
    if rep.fate:
        lines.append(rep.fate)
    return "\n".join(lines)


# -- the panels' compute and readout ---------------------------------------------------
class TrainingPoint:
    """What the training panel shows: row ``i`` of a ``RateSweep`` after
    ``epochs`` epochs, and the outcome of every rate at that epoch."""

    def __init__(self, sweep, i, epochs):
        self.sweep = sweep
        self.i = i
        self.epochs = epochs
        self.kind, self.text = sweep.outcome(i, epochs)
        self.kinds = [sweep.outcome(j, epochs)[0] for j in range(len(sweep.lrs))]

    @property
    def lr(self):
        """The grid rate of the row."""
        return float(self.sweep.lrs[self.i])

    def __repr__(self):
        return (f"TrainingPoint({OPTIMIZERS[self.sweep.optimizer]}, "
                f"lr={self.lr:.4g}, {self.epochs} epochs: {self.kind})")


class TrainingGrid:
    """The training panel's compute: every rate of the slider's grid trained
    once per optimizer (``rate_sweep``, cached), then looked up.

    >>> grid = TrainingGrid(-2.0, -1.0, 1.0, epochs=2)
    >>> grid(optimizer="sgd", lr=0.1, epochs=2).lr
    0.1
    """

    def __init__(self, min_exp=-5.0, max_exp=1.0, step=0.25, epochs=30):
        self.grid = (min_exp, max_exp, step)
        self.epochs = check_count("epochs", epochs)

    def sweep(self, optimizer):
        """The sweep of one optimizer (trained the first time it is asked for)."""
        return rate_sweep(optimizer, *self.grid, self.epochs)

    def __call__(self, optimizer, lr, epochs):
        epochs = check_count("epochs", epochs)
        if epochs > self.epochs:
            raise ValueError(f"epochs must be an integer in 1..{self.epochs}, "
                             f"got {epochs}")
        sweep = self.sweep(optimizer)
        return TrainingPoint(sweep, sweep.index(lr), epochs)


def training_panel_readout(point):
    """The training panel's text for a ``TrainingPoint``."""
    check_has("point", point, ('sweep', 'lr', 'epochs'), "a TrainingPoint")
    return training_readout(point.sweep, point.lr, point.epochs)


def weight_index(weight, row, col):
    """The index of the inspected entry: ``(col,)`` for a bias, else
    ``(row, col)``; rows and columns past the weight's shape are clamped, as
    the inspector's sliders are."""
    shape = WEIGHT_SHAPES[check_choice("weight", weight, tuple(WEIGHT_SHAPES))]
    col = min(int(col), shape[-1] - 1)
    return (col,) if len(shape) == 1 else (min(int(row), shape[0] - 1), col)


class InspectorPoint:
    """What the inspector shows: update ``k`` (1-based) of a ``Replay``."""

    def __init__(self, replay, k):
        self.replay = replay
        self.k = k

    def __repr__(self):
        return f"InspectorPoint({self.replay!r}, update {self.k})"


class InspectorRuns:
    """The inspector's compute: the seeded run replayed for the chosen
    optimizer, rate and weight entry (``replay``); the current replay is
    kept, so moving the update slider only indexes it.

    >>> runs = InspectorRuns(epochs=1)
    >>> runs(optimizer="sgd", lr=0.1, weight="b3", row=2, col=5, update=3)
    InspectorPoint(Replay(b3[1], SGD lr=0.1, 210 updates), update 3)
    """

    def __init__(self, epochs=3):
        self.epochs = check_count("epochs", epochs)
        self.key = None
        self.replay = None

    def __call__(self, optimizer, lr, weight, row, col, update):
        key = (optimizer, lr, weight, weight_index(weight, row, col))
        if key != self.key:
            self.replay = replay(*key, epochs=self.epochs)
            self.key = key
        update = check_count("update", update)
        return InspectorPoint(self.replay, min(update, self.replay.updates))


def inspector_panel_readout(point):
    """The inspector's text for an ``InspectorPoint``."""
    check_has("point", point, ('replay', 'k'), "a InspectorPoint")
    return inspector_readout(point.replay, point.k)


# -- the scaler mistake ---------------------------------------------------------------
class RefitMistake:
    """One age seen through the training scaler and through a scaler
    re-fitted on new patients: the input each gives the network, the age the
    training scale reads in the re-fitted input, and both predictions."""

    def __init__(self, age, new_range, x_right, x_wrong, age_read, p_right, p_wrong):
        self.age, self.new_range = age, new_range
        self.x_right, self.x_wrong, self.age_read = x_right, x_wrong, age_read
        self.p_right, self.p_wrong = p_right, p_wrong

    @property
    def flipped(self):
        """Whether the two scalers put the age on different sides of 50%."""
        return (self.p_right >= 0.5) != (self.p_wrong >= 0.5)

    def __str__(self):
        lo, hi = self.new_range

        def line(name, x, p):
            said = "side effects" if p >= 0.5 else "no side effects"
            return f"{name:<34} X = {x:.3f}, p(side effects) {p:.2f}: {said}"

        return "\n".join([
            line(f"a {self.age:g}-year-old, training scaler:", self.x_right,
                 self.p_right),
            line(f"re-fitted on ages {lo:g}-{hi:g}:", self.x_wrong, self.p_wrong),
            f"(the training scaler gives X = {self.x_wrong:.3f} to "
            f"{self.age_read:.1f}-year-olds)"])

    def __repr__(self):
        return (f"RefitMistake(age={self.age:g}, p {self.p_right:.2f} -> "
                f"{self.p_wrong:.2f})")


def refit_mistake(model, scaler, age=60.0, new_ages=(20.0, 85.0)):
    """What a scaler re-fitted on new patients (``new_ages``: the youngest
    and the oldest) does to one ``age``: the network, trained on ``scaler``'s
    scale, reads the re-fitted input as another age."""
    age = check_finite("age", age)
    if not isinstance(new_ages, (tuple, list)) or len(new_ages) != 2:
        raise TypeError(f"new_ages must be (youngest, oldest), got {new_ages!r}")
    lo, hi = (check_finite("new_ages", v) for v in new_ages)
    if not lo < hi:
        raise ValueError(f"new_ages must be (youngest, oldest) with youngest < "
                         f"oldest, got {new_ages!r}")
    wrong = MinMaxScaler().fit(np.array([[lo], [hi]]))
    x_right = float(scaler.transform([[age]])[0, 0])
    x_wrong = float(wrong.transform([[age]])[0, 0])
    age_read = float(scaler.inverse_transform([[x_wrong]])[0, 0])
    p_right, p_wrong = model.predict(np.array([[x_right], [x_wrong]]))[:, 1]
    return RefitMistake(age, (lo, hi), x_right, x_wrong, age_read, float(p_right),
                        float(p_wrong))
