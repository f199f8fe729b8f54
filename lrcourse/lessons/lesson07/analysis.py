"""Lesson 07: a validation split of the trial data, sweeps on it, outcomes."""

import functools

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
#: The seeds (initial weights and shuffling) every claim of the lesson is
#: averaged over; the data split stays the same.
SEEDS = (0, 1, 2, 3, 4)
#: Rates whose mean validation loss is within this fraction of the lowest
#: mean count as near-best.
NEAR_BEST = 0.05
#: A validation loss counted as "trained well" (exercise 07.3).
TARGET_LOSS = 0.4
OPTIMIZER_NAME = {"sgd": "plain SGD", "adam": "Adam"}
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
    (``model`` must still hold the weights the runs started from);
    ``"still learning: ..."`` when it is below the start but still above a
    constant guess's loss; else ``"trained"``.
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
        elif bound is not None and history["val_loss"][i, -1] > bound:
            out.append("still learning: loss above a constant guess's "
                       f"{bound:.3f}")
        else:
            out.append("trained")
    return out


def sweep_on_split(data, lrs, batch_size=10, *, optimizer="sgd", epochs=5, seed=0,
                   model_seed=0, model="reference"):
    """Train a network (``model``: a name of ``MODELS``) at every rate of
    ``lrs`` (one vectorized ``sweep_fit`` pass, all runs from the same initial
    weights, ``model_seed``'s, and the same batches, ``seed``'s) on
    ``data.X_train`` and score each on the validation split after every
    epoch. Returns the ``SweepHistory``."""
    from ...training import sweep_fit

    if not isinstance(data, TrialSplit):
        raise TypeError("data must be a TrialSplit")
    net = MODELS[check_choice("model", model, tuple(MODELS))](model_seed)
    return sweep_fit(net, data.X_train, data.y_train, lrs, optimizer=optimizer,
                     batch_size=batch_size, epochs=epochs, seed=seed,
                     validation_data=data.validation_data)


def small_model(seed=0):
    """A smaller network for comparison: one hidden layer of 4 ReLU units."""
    from ...model import Dense, Input, Sequential

    return Sequential([Input(shape=(1,)), Dense(4, activation="relu"),
                       Dense(2, activation="softmax")], seed=seed)


def _reference(seed):
    from ...model import reference_model

    return reference_model(seed=seed)


#: The networks a sweep can train, by name.
MODELS = {"reference": _reference, "4-unit": small_model}


@functools.cache
def trial_split(seed=0):
    """The lesson's ``TrialSplit``, made once per seed."""
    return TrialSplit(seed=seed)


@functools.cache
def seed_sweep(batch_size, seed, optimizer="sgd", epochs=5, model="reference"):
    """One seed's sweep on the lesson's grid: ``(SweepHistory, outcomes)``.

    ``seed`` sets the initial weights and the shuffling (the split stays
    ``trial_split(0)``). Cached: every panel, table and exercise of the
    lesson that asks for the same run gets it without training again.
    """
    data = trial_split(0)
    h = sweep_on_split(data, lr_grid(*SWEEP_GRID), batch_size, optimizer=optimizer,
                       epochs=epochs, seed=seed, model_seed=seed, model=model)
    start = MODELS[model](seed)
    return h, tuple(run_outcomes(h, start, data.X_train, data.validation_data))


def check_seeds(seeds):
    """``seeds`` as a tuple of distinct whole numbers, at least one."""
    try:
        seeds = tuple(seeds)
    except TypeError:
        raise TypeError(f"seeds must be a list of whole numbers, got {seeds!r}"
                        ) from None
    if not seeds or len(set(seeds)) != len(seeds) or not all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool)
            for s in seeds):
        raise ValueError("seeds must be a list of distinct whole numbers, at least "
                         f"one, got {seeds!r}")
    return tuple(int(s) for s in seeds)


def near_best_band(lrs, val_loss, within=NEAR_BEST):
    """``(lowest, highest)`` rate whose validation loss is within the fraction
    ``within`` of the lowest one (NaN, a diverged run, never counts).

    >>> near_best_band([1.0, 2.0, 3.0, 4.0], [0.5, 0.31, 0.3, float("nan")])
    (2.0, 3.0)
    """
    v = np.asarray(val_loss, dtype=float)
    ok = np.flatnonzero(np.isfinite(v) & (v <= np.nanmin(v) * (1 + within)))
    return float(lrs[ok.min()]), float(lrs[ok.max()])


def first_below(lrs, val_loss, level=TARGET_LOSS):
    """The lowest rate whose validation loss is below ``level`` (None if none).

    >>> first_below([0.1, 0.2, 0.4], [0.6, 0.35, 0.3], level=0.4)
    0.2
    """
    v = np.asarray(val_loss, dtype=float)
    ok = np.flatnonzero(np.isfinite(v) & (v < level))
    return float(lrs[ok.min()]) if len(ok) else None


class SeedSweeps:
    """The same sweep over several seeds (initial weights and shuffling),
    at one batch size: ``val`` (seeds x rates, final validation loss),
    ``mean`` over the seeds (NaN where a seed diverged), ``band`` (the
    near-best band of the mean), per-epoch means ``epoch_val`` and
    ``epoch_loss`` (rates x epochs), ``accuracy`` (final, mean) and
    ``outcomes`` (one tuple of phrases per seed)."""

    def __init__(self, batch_size, seeds=SEEDS, *, optimizer="sgd", epochs=5,
                 model="reference"):
        seeds = check_seeds(seeds)
        runs = [seed_sweep(batch_size, s, optimizer, epochs, model) for s in seeds]
        hs = [h for h, _ in runs]
        self.batch_size, self.seeds, self.lrs = batch_size, tuple(seeds), hs[0].lrs
        self.optimizer, self.epochs, self.model = optimizer, epochs, model
        self.outcomes = [o for _, o in runs]
        self.val = np.array([h["val_loss"][:, -1] for h in hs])
        self.mean = self.val.mean(axis=0)
        self.epoch_val = np.mean([h["val_loss"] for h in hs], axis=0)
        self.epoch_loss = np.mean([h["loss"] for h in hs], axis=0)
        self.accuracy = np.mean([h["val_accuracy"][:, -1] for h in hs], axis=0)
        self.band = near_best_band(self.lrs, self.mean)

    def best_per_seed(self):
        """Each seed's own best rate: the noisy single points the band replaces."""
        return [float(self.lrs[np.nanargmin(v)]) for v in self.val]

    def first_below(self, level=TARGET_LOSS):
        """The lowest rate whose mean validation loss is below ``level``."""
        return first_below(self.lrs, self.mean, level)

    def first_below_per_seed(self, level=TARGET_LOSS):
        """Each seed's own lowest rate below ``level`` (None where it never is)."""
        return [first_below(self.lrs, v, level) for v in self.val]

    def __repr__(self):
        lo, hi = self.band
        return (f"SeedSweeps(batch size {self.batch_size}, {len(self.seeds)} seeds, "
                f"near-best {lo:.3g} to {hi:.3g})")


def band_line(name, sweeps):
    """One row of a band table: ``name``, the band and the lowest mean loss."""
    lo, hi = sweeps.band
    return (f"{name:<20} {f'{lo:.3g} to {hi:.3g}':<17} "
            f"{np.nanmin(sweeps.mean):.4f}")


def _rate_range(rates):
    """Rates (None for "never") as ``"a to b"``, ``"a"`` or ``"never"``, with
    the count of seeds that never get there."""
    seen = sorted(r for r in rates if r is not None)
    never = len(rates) - len(seen)
    if not seen:
        return "never"
    text = f"{seen[0]:.3g}" if seen[0] == seen[-1] else \
        f"{seen[0]:.3g} to {seen[-1]:.3g}"
    return text + (f" ({never} never)" if never else "")


def _threshold_cells(sweeps, level=TARGET_LOSS):
    """The lowest rate whose mean validation loss is below ``level``, and the
    range of each seed's own such rate, as two table cells."""
    mean = sweeps.first_below(level)
    return (f"{mean:.3g}" if mean is not None else "never",
            _rate_range(sweeps.first_below_per_seed(level)))


class NearBestBands:
    """The near-best band of the sweep at each batch size, over ``seeds``
    (``sweeps``: ``{batch_size: SeedSweeps}``); prints as a table."""

    def __init__(self, batch_sizes=BATCH_SIZES, seeds=SEEDS, epochs=5,
                 optimizer="sgd"):
        self.sweeps = {bs: SeedSweeps(bs, seeds, optimizer=optimizer, epochs=epochs)
                       for bs in batch_sizes}
        self.seeds, self.epochs, self.optimizer = tuple(seeds), epochs, optimizer

    def __repr__(self):
        n = len(trial_split(0).y_train)
        lines = [f"{OPTIMIZER_NAME.get(self.optimizer, self.optimizer)}, "
                 f"{self.epochs} epochs, {len(self.seeds)} seeds; near-best: mean "
                 f"validation loss within {NEAR_BEST:.0%} of the lowest",
                 f"{'':<20} {'':<17} {'':<13}first rate with loss < {TARGET_LOSS:g}",
                 f"{'batch size (updates)':<20} {'near-best band':<17} "
                 f"{'lowest mean':<13}{'mean':<8}single seeds"]
        for bs, sw in self.sweeps.items():
            name = f"{bs} ({-(-n // bs) * self.epochs})"
            mean, single = _threshold_cells(sw)
            lines.append(f"{band_line(name, sw):<52}{mean:<8}{single}")
        return "\n".join(lines)


class BandComparison:
    """Near-best bands of other settings at batch size 10 over ``seeds``:
    ``settings`` maps a name to ``(model, optimizer)``."""

    def __init__(self, settings, seeds=SEEDS, batch_size=10, epochs=5):
        self.sweeps = {name: SeedSweeps(batch_size, seeds, optimizer=opt,
                                        epochs=epochs, model=model)
                       for name, (model, opt) in settings.items()}
        self.seeds, self.batch_size = tuple(seeds), batch_size

    def loss_at(self, name, lr):
        """The mean validation loss of setting ``name`` at grid rate ``lr``."""
        sw = self.sweeps[name]
        return float(sw.mean[grid_index(lr, SWEEP_GRID[0], SWEEP_GRID[2],
                                        len(sw.lrs))])

    def losses_at(self, name, lr):
        """Each seed's validation loss of setting ``name`` at grid rate ``lr``."""
        sw = self.sweeps[name]
        return sw.val[:, grid_index(lr, SWEEP_GRID[0], SWEEP_GRID[2],
                                    len(sw.lrs))].copy()

    def __repr__(self):
        lines = [f"batch size {self.batch_size}, 5 epochs, {len(self.seeds)} seeds",
                 f"{'':<20} {'near-best band':<17} lowest mean"]
        lines += [band_line(name, sw) for name, sw in self.sweeps.items()]
        return "\n".join(lines)


class SweepPoint:
    """What the sweep panel shows: rate ``i`` of the sweeps at ``batch_size``
    (``table`` is the ``SweepTable``; ``sweeps`` the ``SeedSweeps``)."""

    def __init__(self, table, batch_size, i):
        self.table, self.batch_size, self.i = table, batch_size, i
        self.sweeps = table.sweeps[batch_size]

    @property
    def lr(self):
        return float(self.table.lrs[self.i])

    def __repr__(self):
        return f"SweepPoint(batch size {self.batch_size}, lr={self.lr:.3g})"


class SweepTable:
    """The sweep panel's compute: the reference network trained at every rate
    of ``SWEEP_GRID`` for every batch size and every seed (``SeedSweeps``;
    one vectorized pass per seed, cached), then looked up.

    Attributes: ``lrs``, ``sweeps`` (``{batch_size: SeedSweeps}``), ``seeds``.
    """

    def __init__(self, batch_sizes=BATCH_SIZES, epochs=5, optimizer="sgd",
                 seeds=SEEDS):
        if REFERENCE_BATCH not in batch_sizes:
            raise ValueError(f"batch_sizes must include {REFERENCE_BATCH}, "
                             f"got {tuple(batch_sizes)}")
        self.lrs = lr_grid(*SWEEP_GRID)
        self.epochs, self.optimizer, self.seeds = epochs, optimizer, tuple(seeds)
        self.n_train = len(trial_split(0).y_train)
        self.sweeps = NearBestBands(batch_sizes, seeds, epochs, optimizer).sweeps

    def __call__(self, lr, batch_size):
        if batch_size not in self.sweeps:
            raise ValueError(f"batch_size must be one of {tuple(self.sweeps)}, "
                             f"got {batch_size!r}")
        i = grid_index(lr, SWEEP_GRID[0], SWEEP_GRID[2], len(self.lrs))
        return SweepPoint(self, batch_size, i)


def outcome_lines(outcomes, i):
    """What happened at rate ``i`` in each seed: one phrase if every seed
    agrees, else ``"k of n seeds: phrase"`` lines, most common first."""
    phrases = [o[i] for o in outcomes]
    if len(set(phrases)) == 1:
        return [f"  every seed: {phrases[0]}"]
    counts = {p: phrases.count(p) for p in dict.fromkeys(phrases)}
    return [f"  {n} of {len(phrases)} seeds: {p}"
            for p, n in sorted(counts.items(), key=lambda kv: -kv[1])]


def sweep_readout(point):
    """The sweep panel's text for a ``SweepPoint``."""
    check_has("point", point, ('table', 'batch_size', 'i', 'sweeps'), "a SweepPoint")
    t, bs, i, sw = point.table, point.batch_size, point.i, point.sweeps
    per_epoch = -(-t.n_train // bs)
    name = OPTIMIZER_NAME.get(t.optimizer, t.optimizer)
    n = len(sw.seeds)
    lines = [f"batch size {bs}: {per_epoch} updates per epoch, "
             f"{per_epoch * t.epochs} in {t.epochs} epochs ({name}, {n} seeds)"]
    v = sw.val[:, i]
    if np.all(np.isfinite(v)):
        lines.append(f"lr = {point.lr:.3g}: final validation loss {sw.mean[i]:.4f} "
                     f"(mean of {n} seeds; {v.min():.4f} to {v.max():.4f}), "
                     f"accuracy {100 * sw.accuracy[i]:.1f}%")
    else:
        lines.append(f"lr = {point.lr:.3g}: {int(np.sum(~np.isfinite(v)))} of {n} "
                     "seeds diverged")
    lines += outcome_lines(sw.outcomes, i)
    lo, hi = sw.band
    lines.append(f"near-best band (mean within {NEAR_BEST:.0%} of the lowest, "
                 f"{np.nanmin(sw.mean):.4f}): {lo:.3g} to {hi:.3g}")
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
        self.data = trial_split(0)
        self.model = _reference(seed)
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
                           optimizer="adam", epochs=self.epochs, seed=self.seed,
                           model_seed=self.seed)
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


@functools.cache
def rule_scores(seed=0, batch_size=10, epochs=5, num_it=100):
    """The range test from ``seed``'s initial weights (its batches shuffled by
    ``seed``) on the training split, then every rule's suggestion trained
    for ``epochs`` epochs of Adam from those weights: ``{rule: (rate, final
    validation loss)}``. Cached per seed."""
    data = trial_split(0)
    result = range_test(_reference(seed), data.X_train, data.y_train, num_it=num_it,
                        batch_size=batch_size, seed=seed)
    rates = result.suggestions()
    h = sweep_on_split(data, [rates[r] for r in RULES], batch_size, optimizer="adam",
                       epochs=epochs, seed=seed, model_seed=seed)
    return {r: (float(rates[r]), float(h["val_loss"][k, -1]))
            for k, r in enumerate(RULES)}


class ValidationChoice:
    """Candidate rates with their final validation losses (``scores``: rule
    -> (rate, loss)) and the one with the lowest loss: ``rule`` and ``lr``.
    A diverged run (NaN) is never chosen."""

    def __init__(self, scores):
        self.scores = dict(scores)
        self.rule = min(self.scores, key=lambda r: np.nan_to_num(
            self.scores[r][1], nan=np.inf))
        self.lr = self.scores[self.rule][0]

    def __repr__(self):
        lines = [f"{RULE_NAME[r]:<11} lr {rate:<8.3g} final validation loss {loss:.4f}"
                 for r, (rate, loss) in self.scores.items()]
        lines.append(f"chosen on validation: {RULE_NAME[self.rule]}, lr {self.lr:.3g}")
        return "\n".join(lines)


def choose_on_validation(rules=("valley", "steep", "minimum_over_10"), seed=0):
    """Train each rule's suggestion (as ``rule_scores``) and choose the rate
    with the lowest final validation loss: a ``ValidationChoice``."""
    rules = [check_choice("rules", r, RULES) for r in rules]
    scores = rule_scores(seed)
    return ValidationChoice({r: scores[r] for r in rules})


class ChoicesOverSeeds:
    """``choose_on_validation`` for several seeds (``choices``: seed ->
    ``ValidationChoice``); prints one row per seed."""

    def __init__(self, rules=("valley", "steep", "minimum_over_10"), seeds=SEEDS):
        self.rules = tuple(rules)
        self.choices = {s: choose_on_validation(rules, s) for s in seeds}
        self.means = {r: float(np.mean([c.scores[r][1] for c in
                                        self.choices.values()])) for r in rules}
        #: The rule with the lowest mean validation loss over the seeds.
        self.rule = min(self.means, key=lambda r: np.nan_to_num(self.means[r],
                                                                nan=np.inf))

    def rate_for(self, seed):
        """The rate the best rule on average suggests for ``seed``."""
        return self.choices[seed].scores[self.rule][0]

    def __repr__(self):
        head = "".join(f"{RULE_NAME[r]:>12}" for r in self.rules)
        lines = ["final validation loss (Adam, 5 epochs) of each suggestion",
                 f"{'seed':<6}{head}   chosen"]
        for s, c in self.choices.items():
            row = "".join(f"{c.scores[r][1]:>12.4f}" for r in self.rules)
            lines.append(f"{s:<6}{row}   {RULE_NAME[c.rule]}")
        wins = {r: sum(c.rule == r for c in self.choices.values()) for r in self.rules}
        lines.append(f"{'mean':<6}" + "".join(f"{self.means[r]:>12.4f}"
                                             for r in self.rules))
        lines.append(f"{'wins':<6}" + "".join(f"{wins[r]:>12}" for r in self.rules))
        lines.append(f"lowest mean: {RULE_NAME[self.rule]}")
        return "\n".join(lines)
