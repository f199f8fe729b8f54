"""The run loop: stepping, seeding, many rates at once, and the divergence rule.

Every descent and training run in the package uses this module: the toy
problems (``descend``, behind ``gradient_descent``, ``sweep``, ``run_rates``
and lesson 04's ``noisy_sweep``) and the network (``Sequential.fit``,
``sweep_fit``, the range test and lesson 09's full-batch runs, which take
their rates, mini-batches, optimizer state and divergence watch from here).

The divergence rule, written once (``diverging``): a run diverged at the
first update after which

* its loss or a weight is not finite, or
* its loss exceeds ``RUNAWAY_FACTOR`` (1e6) times the starting loss (or 1,
  when the starting loss is below ``RUNAWAY_FLOOR``), or
* its weights exceed ``WEIGHT_BOUND`` (1e12) in size (the Euclidean norm
  of all of a run's weights, so a single weight beyond 1e12 is enough): a
  network whose weights blow up is flagged even while its clipped loss
  stays small.

The starting loss is the loss at the starting weights, before any update:
for a toy problem its value at ``start``; for mini-batch training the loss
of the first mini-batch (the same batch for every rate of a sweep, since all
rates start from the same weights and see the same batches). A start whose
loss is not finite sets no limit (``runaway_limit`` is infinite): the run
then diverges at the first update whose loss is still not finite.

Results say ``diverged_at = None`` for a run that did not diverge, else the
1-based update; a run over many rates gives one ``int | None`` per rate
(a tuple) and a boolean ``diverged`` mask array.
"""

import math
import numbers

import numpy as np

from ._validate import check_finite

#: A loss above this multiple of the starting loss counts as diverged.
RUNAWAY_FACTOR = 1e6
#: A start at or very near the minimum has a loss of about 0; below this
#: starting loss the runaway limit stays at RUNAWAY_FACTOR * RUNAWAY_FLOOR = 1,
#: so noise around the minimum does not count as diverging.
RUNAWAY_FLOOR = 1e-6
#: Weights whose Euclidean norm exceeds this count as diverged.
WEIGHT_BOUND = 1e12


# -- the divergence rule ---------------------------------------------------------
def runaway_limit(start_loss):
    """The loss above which a run counts as diverged.

    >>> runaway_limit(2.0), runaway_limit(0.0), runaway_limit(float("inf"))
    (2000000.0, 1.0, inf)
    """
    start = float(start_loss)
    if not math.isfinite(start):
        return math.inf
    return RUNAWAY_FACTOR * max(abs(start), RUNAWAY_FLOOR)


def diverging(loss, limit, weights=None):
    """True where an update diverged (see the module's rule).

    For one run, ``loss`` is a number (None: judge the weights alone) and
    ``weights`` its weights; the answer is a bool. For many runs, ``loss``
    holds one loss per row and ``weights`` has the rows first; the answer
    is a boolean array with one entry per row.

    >>> diverging(3.0, runaway_limit(1.0)), diverging(3e6, 2.0, np.ones(3))
    (False, True)
    >>> diverging(np.array([1.0, 1.0]), 10.0, np.array([[1.0], [1e13]])).tolist()
    [False, True]
    """
    if type(loss) is float or (np.ndim(loss) == 0 if loss is not None
                               else np.ndim(weights) <= 1):  # one run
        loss = 0.0 if loss is None else float(loss)
        if not (math.isfinite(loss) and loss <= limit):
            return True
        if weights is None:
            return False
        w = weights if type(weights) is np.ndarray and weights.ndim == 1 else (
            np.ravel(weights))
        return not w @ w <= WEIGHT_BOUND**2  # w @ w: inf or NaN if a weight is
    if loss is None:  # the weights alone (after an update, before its loss)
        ok = np.ones(len(weights), dtype=bool)
    else:
        loss = np.asarray(loss, dtype=float)
        ok = np.isfinite(loss)
        ok &= loss <= limit
    if weights is not None:
        w = np.asarray(weights).reshape(len(ok), -1)
        ok &= np.vecdot(w, w) <= WEIGHT_BOUND**2
    return ~ok


def runaway(losses, start_loss):
    """True where a loss breaks the rule against this starting loss (no
    weights to judge)."""
    return diverging(losses, runaway_limit(start_loss))


def as_updates(at):
    """Per row, the 1-based diverging update or None (from 0 = none).

    >>> as_updates(np.array([0, 7]))
    (None, 7)
    """
    return tuple(int(a) if a > 0 else None for a in np.ravel(at))


class Watch:
    """Which rows of a run still train, and where each one diverged.

    ``start(loss)`` sets the limit from the starting loss; ``check(update,
    loss, weights)`` marks the rows whose update broke the rule (and says
    whether any did). ``running`` counts the rows still training.
    """

    def __init__(self, rows):
        self.alive = np.ones(rows, dtype=bool)
        self.at = np.zeros(rows, dtype=int)
        self.running = rows
        self.limit = None

    def start(self, loss):
        self.limit = runaway_limit(np.ravel(loss)[0])

    def check(self, update, loss, weights=None):
        """Mark the rows that broke the rule at ``update``; True if any did."""
        bad = diverging(loss, self.limit, weights)
        if len(self.alive) == 1:  # one run: plain bools are much cheaper
            if bad and self.running:
                self.at[0], self.alive[0], self.running = update, False, 0
                return True
            return False
        if self.running < len(self.alive):
            bad &= self.alive
        if not bad.any():
            return False
        self.at[bad] = update
        self.alive &= ~bad
        self.running = int(self.alive.sum())
        return True

    @property
    def diverged_at(self):
        return as_updates(self.at)

    @property
    def diverged(self):
        return self.at > 0


# -- rates -----------------------------------------------------------------------
def check_rates(lrs, name="lrs"):
    """A non-empty 1-D float array of finite rates > 0."""
    arr = None if callable(lrs) else np.asarray(lrs, dtype=float)
    if arr is None or arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D list of rates, got {lrs!r}")
    bad = np.flatnonzero(~(np.isfinite(arr) & (arr > 0)))
    if bad.size:
        raise ValueError(f"{name}[{bad[0]}] must be a finite number > 0, "
                         f"got {arr[bad[0]]!r}")
    return arr


def rate_at(lr, k):
    """The rate of update ``k + 1`` (``k`` counts from 0): ``lr`` itself, or
    the schedule's value, checked like any rate.

    >>> rate_at(lambda step: 0.1 / (1 + step), 1)
    0.05
    >>> rate_at(lambda step: -0.1, 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the schedule <lambda> gave -0.1 at update 4 (step 3); ...
    """
    if not callable(lr):
        return lr
    value = lr(k)
    ok = isinstance(value, (numbers.Real, np.floating, np.integer)) and not (
        isinstance(value, (bool, np.bool_)))
    if not ok and isinstance(value, np.ndarray) and value.shape == ():
        ok, value = value.dtype.kind in "fiu", value[()]
    if not ok or not (math.isfinite(value) and value > 0):
        name = getattr(lr, "__name__", None) or repr(lr)
        raise ValueError(f"the schedule {name} gave {value!r} at update {k + 1} "
                         f"(step {k}); a rate must be a finite number > 0")
    return float(value)


# -- seeding and mini-batches ------------------------------------------------------
def epoch_order(rng, n, shuffle=True):
    """The order of the samples in one epoch: a fresh permutation from ``rng``
    (or ``0..n-1`` without shuffling)."""
    return rng.permutation(n) if shuffle else np.arange(n)


def batch_starts(n, batch_size):
    """The first sample of every mini-batch of an epoch (the last may be
    smaller)."""
    return range(0, n, batch_size)


def fresh_state(optimizer, params):
    """A run's own optimizer state: the caller's object is never stepped."""
    return optimizer.init(params)


# -- the toy-problem loop ----------------------------------------------------------
class Run:
    """What ``descend`` recorded; row ``i`` belongs to rate ``i`` (and run
    ``i % runs``).

    ``weights`` (rows, steps + 1, *shape) and ``losses`` (rows, steps + 1)
    hold the start and every update; ``changes`` (and ``grads`` when asked
    for) one entry per update; ``lrs`` the rate of every update (steps,).
    After a row diverged its entries are NaN; the diverging update itself is
    kept where its values are finite. ``steps`` is the length of the
    arrays: the steps asked for (NaN after the last row diverged), or fewer
    when ``tol`` stopped the run because every row had converged.
    """

    def __init__(self, weights, losses, changes, grads, lrs, watch, steps):
        self.weights = weights
        self.losses = losses
        self.changes = changes
        self.grads = grads
        self.lrs = lrs
        self.diverged_at = watch.diverged_at
        self.diverged = watch.diverged
        self.steps = steps


class _Record:
    """Growable per-update arrays (capacity doubles, so 10**7 asked-for steps
    that converge after 500 cost 500 entries)."""

    NAMES = ("weights", "losses", "changes", "grads")

    def __init__(self, rows, shape, steps, grads):
        self.cap = min(steps, 1024)
        self.weights = np.full((rows, self.cap + 1) + shape, np.nan)
        self.losses = np.full((rows, self.cap + 1), np.nan)
        self.changes = np.full((rows, self.cap) + shape, np.nan)
        self.grads = np.full((rows, self.cap) + shape, np.nan) if grads else None
        self.lrs = np.full(self.cap, np.nan)

    def make_room(self, k, steps):
        """Room for update ``k + 1``: double the capacity (up to ``steps``)."""
        if k < self.cap:
            return
        self._grow(min(self.cap, steps - self.cap))

    def _grow(self, more):
        for name in self.NAMES:
            a = getattr(self, name)
            if a is not None:
                pad = np.full((a.shape[0], more) + a.shape[2:], np.nan)
                setattr(self, name, np.concatenate([a, pad], axis=1))
        self.lrs = np.concatenate([self.lrs, np.full(more, np.nan)])
        self.cap += more

    def put(self, k, w, loss, change, g):
        """Store update ``k + 1`` of every row."""
        self.weights[:, k + 1], self.losses[:, k + 1] = w, loss
        self.changes[:, k] = change
        if self.grads is not None:
            self.grads[:, k] = g

    def finish(self, watch, n):
        """The first ``n`` updates, NaN after each row's diverging update
        (and at it, where its values are not finite)."""
        if n > self.cap:
            self._grow(n - self.cap)
        for i in np.flatnonzero(watch.at):
            d = watch.at[i]
            kept = np.isfinite(self.losses[i, d]) and np.all(
                np.isfinite(self.weights[i, d]))
            cut = d + 1 if kept else d
            self.weights[i, cut:], self.losses[i, cut:] = np.nan, np.nan
            for a in (self.changes, self.grads):
                if a is not None:
                    a[i, cut - 1:] = np.nan
        g = None if self.grads is None else self.grads[:, :n]
        return (self.weights[:, :n + 1], self.losses[:, :n + 1],
                self.changes[:, :n], g, self.lrs[:n])


def start_weights(start, ndim):
    """The start as a float array: a number for 1-D problems, else ``ndim``."""
    if ndim == 1:
        return np.array(check_finite("start", start))
    w = np.asarray(start, dtype=float)
    if w.shape != (ndim,) or not np.all(np.isfinite(w)):
        raise ValueError(f"start must be {ndim} finite numbers, got {start!r}")
    return w


#: ``descend`` judges its records every this many updates (all at once).
CHUNK = 64


def descend(problem, lrs, steps, start, *, optimizer=None, noise=0.0, rng=None,
            runs=1, tol=None, grads=False, full=True):
    """Run descent on a toy problem at every rate of ``lrs`` in one pass.

    Args:
        problem: anything with ``loss(w)`` and ``grad(w)`` that accept a
            leading "rows" axis (``Quadratic``, ``Bowl2D``...).
        lrs: a 1-D array of rates (checked by the caller), or one schedule
            ``step -> lr`` for a single row.
        start: the starting weights (``start_weights``).
        optimizer: None for the plain rule ``w <- w - lr * grad``, else an
            lrcourse optimizer; the run starts from its fresh state
            (``optimizer.init``) and never changes the object.
        noise, rng, runs: Gaussian noise of this size on every gradient;
            ``runs`` independent repeats per rate, row ``i * runs + j``
            seeing draw ``j`` (every rate sees the same draws).
        tol: stop once every running row has converged (``_judge``).
        grads: also record the gradients (with their noise).
        full: when every row diverged, pad the records with NaN to ``steps``
            updates (else they end at the update that was judged last).
    """
    schedule = callable(lrs)
    n_rates = 1 if schedule else len(lrs)
    w0 = np.asarray(start, dtype=float)
    rows = n_rates * runs
    rate = None if schedule else np.repeat(lrs, runs).reshape(
        (rows,) + (1,) * w0.ndim)
    w = np.broadcast_to(w0, (rows,) + w0.shape).copy()
    draw_of_row = np.arange(rows) % runs  # every rate sees the same draws
    rec = _Record(rows, w0.shape, steps, grads or tol is not None)
    watch = Watch(rows)
    state = None if optimizer is None else fresh_state(optimizer, [w])
    with np.errstate(all="ignore"):
        start_loss = problem.loss(w0)
        watch.start(start_loss)
        rec.weights[:, 0], rec.losses[:, 0] = w0, start_loss
        k = judged = 0
        while k < steps:
            rec.make_room(k, steps)
            r = rate_at(lrs, k) if schedule else rate
            g = problem.grad(w)
            if noise > 0:
                draw = rng.standard_normal((runs,) + w0.shape)
                g = g + noise * (draw if n_rates == 1 else draw[draw_of_row])
            if optimizer is None:
                change = -r * g
            else:
                (change,), state = optimizer.update([g], state, r, [w])
            w = w + change  # the rule: new weight = old weight + change
            rec.put(k, w, problem.loss(w), change, g)
            if schedule:
                rec.lrs[k] = r
            k += 1
            if k - judged == CHUNK or k == steps:
                done = _judge(rec, watch, judged, k, tol)
                judged = k
                if done is not None:
                    k = done
                    break
    n = steps if full and not watch.running else k
    return Run(*rec.finish(watch, n), watch, n)


def _judge(rec, watch, first, last, tol):
    """Apply the rule to updates ``first + 1 .. last`` of every running row;
    return the update to stop at, else None.

    ``descend`` only steps and records; every ``CHUNK`` updates this judges
    the new records of all rows at once (rows carry on computing after they
    diverged; what they compute then is dropped). It stops once every row
    diverged, or, with ``tol``, at the first update after which every
    running row has converged: its gradient and its applied change both at
    most ``tol`` in size.
    """
    n = last - first
    loss = rec.losses[:, first + 1:last + 1]
    weights = rec.weights[:, first + 1:last + 1]
    rows = len(loss)
    bad = diverging(loss.reshape(-1), watch.limit,
                    weights.reshape(rows * n, -1)).reshape(rows, n)
    bad &= watch.alive[:, None]
    hit = bad.any(axis=1)
    if hit.any():
        watch.at[hit] = first + 1 + np.argmax(bad[hit], axis=1)
        watch.alive &= ~hit
        watch.running = int(watch.alive.sum())
    if not watch.running:
        return last
    if tol is None:
        return None
    g, change = rec.grads[:, first:last], rec.changes[:, first:last]
    size = np.maximum(np.abs(g), np.abs(change)).reshape(rows, n, -1).max(axis=2)
    update = first + 1 + np.arange(n)
    running = (watch.at[:, None] == 0) | (watch.at[:, None] > update)
    converged = np.all((size <= tol) | ~running, axis=0)
    if not converged.any():
        return None
    stop = first + 1 + int(np.argmax(converged))
    later = watch.at > stop  # diverged after the stop: not within this run
    watch.at[later], watch.alive[later] = 0, True
    watch.running = int(watch.alive.sum())
    return stop
