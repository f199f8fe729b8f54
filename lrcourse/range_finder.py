"""The learning-rate range test, done the way fastai's ``lr_find`` does it.

One short training run in which the rate grows exponentially from a tiny
value to a huge one, one mini-batch per rate. The loss first stays flat (the
rate is too small to change anything), then falls (the rate is useful), then
shoots up (the rate is too large). A few simple rules read a rate off that
curve. The model's weights and its optimizer are left exactly as they were.

The procedure (fastai, ``LRFinder`` and ``Recorder``):

* the rate of mini-batch ``i`` (``i = 0, 1, ..., num_it - 1``, the number of
  batches already done) is ``start_lr * (end_lr / start_lr) ** (i / num_it)``:
  batch 0 uses ``start_lr`` and the last batch stays just below ``end_lr``;
* the loss of batch ``i`` is measured on the weights before its update, then
  the update is applied with rate ``i``;
* the smoothed loss is an exponential moving average with debiasing:
  ``avg = beta * avg + (1 - beta) * loss`` (``avg`` starts at 0), reported as
  ``avg / (1 - beta ** (i + 1))``, with ``beta = 0.98``;
* the run stops after the batch whose smoothed loss exceeds 4 times the best
  smoothed loss so far (that batch is kept in the record), or whose loss is
  not finite; otherwise after ``num_it`` batches;
* afterwards the weights are put back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import optimizers as _optimizers
from ._validate import (
    ArrayLike,
    Seed,
    check_count,
    check_floats,
    check_fraction,
    check_model_data,
    check_positive,
    check_rng,
)

if TYPE_CHECKING:
    from .model import Sequential
    from .optimizers import Optimizer

from .engine import epoch_order, fresh_state

#: fastai's smoothing factor for the recorded loss.
BETA = 0.98
#: fastai stops once the smoothed loss exceeds this multiple of its best.
STOP_FACTOR = 4.0


def range_test_lrs(start_lr: float = 1e-7, end_lr: float = 10.0, num_it: int = 100
                   ) -> np.ndarray:
    """The rate of each mini-batch of a range test, batch 0 first.

    Batch ``i`` uses ``start_lr * (end_lr / start_lr) ** (i / num_it)``, so the
    rate is multiplied by the same factor every batch, starts at ``start_lr``
    and never quite reaches ``end_lr`` (fastai's schedule).

    >>> lrs = range_test_lrs(1e-7, 10.0, 100)
    >>> f"{lrs[0]:.3g}", f"{lrs[50]:.3g}", f"{lrs[99]:.3g}"
    ('1e-07', '0.001', '8.32')
    """
    start_lr, end_lr, num_it = _check_ramp(start_lr, end_lr, num_it)
    # computed in log space so that batch 50 of 1e-7 -> 10 is 1e-3 exactly
    exps = np.log10(start_lr) + np.log10(end_lr / start_lr) * (
        np.arange(num_it) / num_it)
    return 10.0 ** exps


def _check_ramp(start_lr, end_lr, num_it):
    start_lr = check_positive("start_lr", start_lr)
    end_lr = check_positive("end_lr", end_lr)
    if end_lr <= start_lr:
        raise ValueError(
            f"end_lr must be larger than start_lr ({start_lr:g}), got {end_lr:g}")
    num_it = check_count("num_it", num_it, minimum=6)
    return start_lr, end_lr, num_it


def smooth_losses(losses: ArrayLike, beta: float = BETA) -> np.ndarray:
    """fastai's smoothed loss: a debiased exponential moving average.

    ``avg_i = beta * avg_(i-1) + (1 - beta) * loss_i`` with ``avg_(-1) = 0``,
    divided by ``1 - beta ** (i + 1)`` so that early values are not pulled
    towards zero.

    >>> [f"{v:.3f}" for v in smooth_losses([1.0, 1.0, 4.0], beta=0.5)]
    ['1.000', '1.000', '2.714']
    """
    beta = check_fraction("beta", beta)
    losses = check_floats("losses", losses)
    out = np.empty_like(losses)
    avg = 0.0
    with np.errstate(all="ignore"):
        for i, loss in enumerate(losses):
            avg = beta * avg + (1.0 - beta) * loss
            out[i] = avg / (1.0 - beta ** (i + 1))
    return out


def valley_index(losses: ArrayLike) -> int:
    """fastai's "valley" rule: an index about halfway along the longest valley.

    For every point ``i`` it finds the length (number of points) of the
    longest strictly decreasing sequence of losses ending at ``i``; the
    points need not be adjacent, so a noisy descent still counts as one
    valley. The longest such sequence (the first, if several tie) ends at
    ``end``; as in fastai, the valley's start is taken as
    ``start = end - length`` (one point before its first point) and the
    suggestion is ``start + int(d) + int(d / 2)`` with ``d = (end - start) / 3``
    (clipped at 0): about halfway along the valley, a little before its
    middle, where the loss still falls steadily.

    >>> valley_index([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 20])
    3
    """
    losses = check_floats("losses", losses)
    n = len(losses)
    if n < 2:
        raise ValueError(f"losses must hold at least 2 values, got {n}")
    lds = np.ones(n, dtype=int)  # longest decreasing sequence ending at i
    with np.errstate(invalid="ignore"):
        for i in range(1, n):
            below = losses[i] < losses[:i]
            if below.any():
                lds[i] = max(1, int(lds[:i][below].max()) + 1)
    end = int(np.argmax(lds))
    start = end - int(lds[end])
    d = (end - start) / 3
    return max(0, start + int(d) + int(d / 2))


def steep_index(lrs: ArrayLike, losses: ArrayLike) -> int:
    """The index where the loss falls fastest against log10(lr).

    The slope between points ``i`` and ``i + 1`` is
    ``(loss[i+1] - loss[i]) / (log10 lr[i+1] - log10 lr[i])``; the most
    negative slope is taken and its left point ``i`` returned (as fastai).

    >>> steep_index([1e-3, 1e-2, 1e-1, 1.0], [1.0, 0.9, 0.4, 0.3])
    1
    """
    lrs = check_floats("lrs", lrs)
    losses = check_floats("losses", losses)
    if len(lrs) != len(losses) or len(lrs) < 2:
        raise ValueError("lrs and losses must have the same length, at least 2")
    with np.errstate(all="ignore"):
        slopes = np.diff(losses) / np.diff(np.log10(lrs))
    if np.all(np.isnan(slopes)):
        raise ValueError("losses must hold finite values")
    return int(np.nanargmin(slopes))


class RangeTestResult:
    """What ``range_test`` recorded, one entry per mini-batch run.

    Attributes:
        lrs: the rate used by each batch (the ramp up to the stop).
        losses: each batch's loss, measured before its update.
        smoothed: fastai's smoothed loss (see ``smooth_losses``).
        stop_index: index of the batch that stopped the run (its smoothed
            loss exceeded 4x the best, or its loss was not finite); None if
            all ``num_it`` batches ran.
        num_it, start_lr, end_lr, batch_size, optimizer: the settings.

    >>> lrs = range_test_lrs(1e-3, 1.0, num_it=6)
    >>> losses = np.array([1.0, 0.9, 0.7, 0.5, 0.6, 9.0])
    >>> r = RangeTestResult(lrs, losses, smooth_losses(losses), 5, num_it=6,
    ...                     start_lr=1e-3, end_lr=1.0, batch_size=10, optimizer="SGD")
    >>> r.stop_reason
    'stopped at batch 5: the smoothed loss exceeded 4x its best'
    """

    def __init__(self, lrs: np.ndarray, losses: np.ndarray, smoothed: np.ndarray,
                 stop_index: int | None, *, num_it: int, start_lr: float,
                 end_lr: float, batch_size: int, optimizer: str) -> None:
        self.lrs = lrs
        self.losses = losses
        self.smoothed = smoothed
        self.stop_index = stop_index
        self.num_it = num_it
        self.start_lr = start_lr
        self.end_lr = end_lr
        self.batch_size = batch_size
        self.optimizer = optimizer

    @property
    def stopped_early(self):
        return self.stop_index is not None

    @property
    def stop_reason(self):
        if self.stop_index is None:
            return f"ran all {self.num_it} batches"
        if not np.isfinite(self.losses[self.stop_index]):
            return f"stopped at batch {self.stop_index}: the loss was not finite"
        return (f"stopped at batch {self.stop_index}: the smoothed loss exceeded "
                f"{STOP_FACTOR:g}x its best")

    def window(self, skip_start: int | None = None, skip_end: int = 5) -> slice:
        """The slice of the record the suggestions read (as fastai): without
        the first ``num_it // 10`` batches and the last ``skip_end``, and
        only up to the first non-finite smoothed loss."""
        skip_start = self.num_it // 10 if skip_start is None else skip_start
        skip_start = check_count("skip_start", skip_start, minimum=0)
        skip_end = check_count("skip_end", skip_end, minimum=0)
        finite = np.isfinite(self.smoothed)
        stop = len(self.smoothed) if finite.all() else int(np.argmin(finite))
        lo, hi = skip_start, min(stop, len(self.smoothed) - skip_end)
        if hi - lo < 2:
            lo, hi = 0, stop  # too short to skip anything: use all finite values
        if hi - lo < 2:
            raise ValueError("the range test recorded fewer than 2 finite losses; "
                             "lower start_lr or use more batches (num_it)")
        return slice(lo, hi)

    def suggestions(self, skip_start: int | None = None, skip_end: int = 5
                    ) -> dict[str, float]:
        """The suggested rates: ``{"valley", "steep", "minimum_over_10"}``.

        All three read the smoothed loss within ``window()``:

        * ``valley``: the rate at ``valley_index`` (halfway along the longest
          decreasing run of the smoothed loss, fastai's default rule);
        * ``steep``: the rate where the smoothed loss falls fastest against
          log10(lr) (``steep_index``);
        * ``minimum_over_10``: the rate at the smoothed-loss minimum, divided
          by 10. The minimum itself (``minimum``) is included for comparison:
          it is already too large to train with.
        """
        part = self.window(skip_start, skip_end)
        lrs, sm = self.lrs[part], self.smoothed[part]
        i_min = int(np.argmin(sm))
        return {
            "valley": float(lrs[valley_index(sm)]),
            "steep": float(lrs[steep_index(lrs, sm)]),
            "minimum_over_10": float(lrs[i_min]) / 10.0,
            "minimum": float(lrs[i_min]),
        }

    def suggestion_points(self, skip_start: int | None = None, skip_end: int = 5
                          ) -> dict[str, tuple[float, float]]:
        """``{name: (rate, smoothed loss there)}`` for marking the plot; the
        loss at ``minimum_over_10`` is read off the curve by interpolation
        in log10(lr)."""
        part = self.window(skip_start, skip_end)
        lrs, sm = self.lrs[part], self.smoothed[part]
        points = {}
        for name, rate in self.suggestions(skip_start, skip_end).items():
            loss = np.interp(np.log10(rate), np.log10(lrs), sm)
            points[name] = (rate, float(loss))
        return points

    def __repr__(self):
        return (f"RangeTestResult({len(self.lrs)} batches, rates "
                f"{self.lrs[0]:.3g} to {self.lrs[-1]:.3g}, {self.stop_reason})")


def range_test(model: Sequential, X: ArrayLike, y: ArrayLike, start_lr: float = 1e-7,
               end_lr: float = 10.0, num_it: int = 100, batch_size: int = 10,
               optimizer: str | Optimizer | None = None, seed: Seed = 0,
               beta: float = BETA) -> RangeTestResult:
    """Run a learning-rate range test on ``model`` and put its weights back.

    Args:
        model: an lrcourse ``Sequential``. Its weights, its compiled
            optimizer (rate, moments, step count) and its shuffling stream
            are the same afterwards.
        X, y: the training data (never the test set).
        start_lr, end_lr, num_it: the ramp (``range_test_lrs``); num_it >= 6.
        batch_size: samples per mini-batch; batches are drawn from a seeded
            shuffle, reshuffled whenever the data runs out.
        optimizer: None (a fresh copy of the model's compiled optimizer, or
            Adam if it has none), a name (``"sgd"``, ``"adam"``), or an
            optimizer instance (copied; the original is not touched).
        seed: seeds the shuffle.
        beta: the smoothing factor (fastai: 0.98).

    >>> import lrcourse
    >>> (x, y), _ = lrcourse.make_drug_trial(seed=0)
    >>> X = lrcourse.MinMaxScaler().fit_transform(x)
    >>> model = lrcourse.reference_model(seed=0)
    >>> result = range_test(model, X, y, num_it=100, seed=0)
    >>> len(result.lrs) <= 100, sorted(result.suggestions())[0]
    (True, 'minimum')
    """
    start_lr, end_lr, num_it = _check_ramp(start_lr, end_lr, num_it)
    batch_size = check_count("batch_size", batch_size)
    beta = check_fraction("beta", beta)
    rng = check_rng(seed, "seed")
    X, y, _ = check_model_data(model, X, y)
    opt = _pick_optimizer(model, optimizer)
    lrs = range_test_lrs(start_lr, end_lr, num_it)
    saved = model.flat.copy()
    try:
        with np.errstate(all="ignore"):
            losses, smoothed, stop = _ramp(model, X, y, lrs, opt, batch_size, rng,
                                           beta)
    finally:
        model.flat[...] = saved  # the weights go back, whatever happened
    kept = num_it if stop is None else stop + 1
    return RangeTestResult(
        lrs[:kept].copy(), losses[:kept].copy(), smoothed[:kept].copy(), stop,
        num_it=num_it, start_lr=start_lr, end_lr=end_lr, batch_size=batch_size,
        optimizer=type(opt).__name__)


def _ramp(model, X, y, lrs, opt, batch_size, rng, beta):
    """The range test's run: one mini-batch per rate, the optimizer from
    its fresh state; returns the losses, the smoothed losses and the index
    of the batch that stopped it (None if none did)."""
    losses = np.full(len(lrs), np.nan)
    smoothed = np.full(len(lrs), np.nan)
    state = fresh_state(opt, model.params)
    n, at, avg, best = len(y), 0, 0.0, np.inf
    order = epoch_order(rng, n)
    for i in range(len(lrs)):
        if at + batch_size > n:  # out of data: reshuffle, as an epoch ends
            order, at = epoch_order(rng, n), 0
        idx = order[at:at + batch_size]
        at += batch_size
        loss, grads = model.loss_and_gradients(X[idx], y[idx])
        losses[i] = loss
        avg = beta * avg + (1.0 - beta) * loss
        smoothed[i] = avg / (1.0 - beta ** (i + 1))
        if not np.isfinite(smoothed[i]):
            return losses, smoothed, i
        best = min(best, smoothed[i])
        if smoothed[i] > STOP_FACTOR * best:
            return losses, smoothed, i
        changes, state = opt.update(grads, state, float(lrs[i]), model.params)
        for p, change in zip(model.params, changes):
            p += change  # non-finite weights show up as a non-finite loss at
            # the next batch, which stops the run
    return losses, smoothed, None


def _pick_optimizer(model, optimizer):
    """The optimizer whose rule the test uses (run from fresh state: the
    model's own optimizer, and any instance passed in, are never stepped)."""
    if optimizer is None:
        compiled = getattr(model, "optimizer", None)
        return compiled if compiled is not None else _optimizers.Adam(lr=1e-7)
    if isinstance(optimizer, str):
        return _optimizers.get(optimizer)
    if isinstance(optimizer, _optimizers.Optimizer):
        return optimizer
    raise TypeError("optimizer must be None, a name like 'sgd' or 'adam', or an "
                    f"lrcourse optimizer, got {type(optimizer).__name__}")


def train_validation_split(X: ArrayLike, y: ArrayLike,
                           validation_fraction: float = 0.2, seed: Seed = 0
                           ) -> tuple[tuple[np.ndarray, np.ndarray],
                                      tuple[np.ndarray, np.ndarray]]:
    """Hold out a validation split with a seeded permutation.

    Returns ``(X_train, y_train), (X_val, y_val)``. Tune the rate on the
    validation split; the test set is kept for the very end and never used
    to choose anything.

    >>> (a, b), (c, d) = train_validation_split(np.arange(10.0), np.arange(10),
    ...                                         validation_fraction=0.2, seed=0)
    >>> len(a), len(c)
    (8, 2)
    """
    for name, value in (("X", X), ("y", y)):
        if value is None or isinstance(value, (str, bytes)):
            raise TypeError(f"{name} must be an array with one row per sample, "
                            f"got {value!r}")
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim != 1 or X.shape[:1] != y.shape[:1] or len(y) < 2:
        raise ValueError("X and y must have the same number of samples (>= 2), "
                         f"got {X.shape[:1]} and {y.shape[:1]}")
    fraction = check_fraction("validation_fraction", validation_fraction,
                              closed_low=False)
    rng = check_rng(seed, "seed")
    n_val = int(round(fraction * len(y)))
    if not 1 <= n_val < len(y):
        raise ValueError(f"validation_fraction must leave at least one sample on "
                         f"each side, got {fraction:g} of {len(y)}")
    order = rng.permutation(len(y))
    val, train = order[:n_val], order[n_val:]
    return (X[train], y[train]), (X[val], y[val])
