"""Training one network at many rates in a single vectorized pass.

Every rate starts from the same initial weights and sees the same batches in
the same order; only the rate differs. The weights of all runs sit in one
array of shape (rates, weights), so each mini-batch costs a few batched
matrix products instead of a Python loop over rates.
"""

from __future__ import annotations

import ctypes
import sys
from typing import TYPE_CHECKING

import numpy as np

from . import optimizers as _optimizers
from ._validate import (
    ArrayLike,
    Callable,
    Seed,
    check_count,
    check_flag,
    check_lrs,
    check_model_data,
    check_rng,
)
from .engine import Watch, batch_starts, epoch_order, fresh_state

if TYPE_CHECKING:
    from .model import Sequential


class SweepHistory:
    """Per-rate, per-epoch metrics of ``sweep_fit``; row ``i`` is ``lrs[i]``.

    ``loss`` and ``accuracy`` (and ``val_loss``, ``val_accuracy`` when
    validation data was given) have shape (rates, epochs), NaN after a rate
    diverged. ``diverged_at`` is each rate's 1-based diverging update (None
    where it did not diverge), ``diverged`` the same as a boolean mask.
    ``weights`` holds the final flat weights, one row per rate.

    >>> from lrcourse import make_drug_trial, reference_model, MinMaxScaler
    >>> (x, y), _ = make_drug_trial(seed=0, scale=10)
    >>> X = MinMaxScaler().fit_transform(x)
    >>> sweep_fit(reference_model(seed=0), X, y, [0.01, 0.1], epochs=2)
    SweepHistory(2 rates, 2 epochs, 0 diverged)
    """

    def __init__(self, lrs: np.ndarray, history: dict[str, np.ndarray],
                 diverged_at: np.ndarray, weights: np.ndarray,
                 batch_losses: np.ndarray | None) -> None:
        self.lrs = lrs
        self.history = history
        self.diverged_at = tuple(diverged_at)
        self.diverged = np.array([d is not None for d in self.diverged_at])
        self.weights = weights
        self.batch_losses = batch_losses

    def __getitem__(self, key):
        return self.history[key]

    def best(self, key: str = "val_loss") -> int:
        """The rate whose final ``key`` is lowest (diverged runs excluded)."""
        final = self.history[key][:, -1]
        if np.all(np.isnan(final)):
            raise ValueError(f"every run diverged; no final {key} to compare")
        return float(self.lrs[np.nanargmin(final)])

    def __repr__(self):
        return (f"SweepHistory({len(self.lrs)} rates, "
                f"{self.history['loss'].shape[1]} epochs, "
                f"{int(self.diverged.sum())} diverged)")


_ALLOCATOR_TUNED = False


def _keep_freed_memory():
    """Let glibc's malloc keep freed blocks instead of returning them to the OS.

    A sweep's temporaries are a few hundred KiB each: above glibc's default
    mmap threshold, so every one is mapped, page-faulted in and unmapped
    again, thousands of times per second; that costs more than the
    arithmetic (measured: Adam's update over 64 rates runs 2.6x faster).
    Raising the two thresholds once per process keeps them in the heap.
    Only on Linux with glibc; elsewhere nothing happens.
    """
    global _ALLOCATOR_TUNED
    if _ALLOCATOR_TUNED or not sys.platform.startswith("linux"):
        return
    _ALLOCATOR_TUNED = True
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 64 * 1024 * 1024)
        libc.mallopt(m_trim_threshold, 128 * 1024 * 1024)
    except (OSError, AttributeError):
        pass


def sweep_fit(model: Sequential, X: ArrayLike, y: ArrayLike, lrs: ArrayLike, *,
              optimizer: str = "sgd", batch_size: int = 10, epochs: int = 1,
              seed: Seed = 0, shuffle: bool = True,
              validation_data: tuple[ArrayLike, ArrayLike] | None = None,
              record_batches: bool = False,
              epoch_end: Callable[[int, np.ndarray, np.ndarray], None] | None = None,
              **optimizer_args: float) -> SweepHistory:
    """Train copies of ``model`` (from its current weights) at every rate.

    Args:
        model: an lrcourse ``Sequential``; its weights are not changed.
        lrs: the rates, one run each.
        optimizer: ``"sgd"``, ``"adam"``, ``"adamw"``, ``"rmsprop"`` or
            ``"adagrad"``; extra keyword arguments (``momentum=0.9``) go to
            it. Every run starts from its fresh state.
        batch_size, epochs, seed, shuffle: as in ``model.fit``.
        record_batches: also keep every mini-batch loss, shape (rates, updates).
        epoch_end: called after every epoch as ``epoch_end(epoch, weights,
            alive)``, ``weights`` of shape (rates, n_weights) (read, don't
            modify), ``alive`` a mask of the runs still training.

    A run that diverges (``lrcourse.engine``'s rule, against the first
    mini-batch's loss) is stopped there and its later entries are NaN; the
    others go on.

    >>> from lrcourse import make_drug_trial, reference_model, MinMaxScaler
    >>> (x, y), _ = make_drug_trial(seed=0, scale=10)
    >>> X = MinMaxScaler().fit_transform(x)
    >>> s = sweep_fit(reference_model(seed=0), X, y, [0.01, 0.1], epochs=2)
    >>> s["loss"].shape
    (2, 2)
    """
    lrs = check_lrs(lrs)
    X, y, val = check_model_data(model, X, y, validation_data)
    batch_size = check_count("batch_size", batch_size)
    epochs = check_count("epochs", epochs)
    shuffle = check_flag("shuffle", shuffle)
    record_batches = check_flag("record_batches", record_batches)
    if epoch_end is not None and not callable(epoch_end):
        raise TypeError(f"epoch_end must be a function or None, got {epoch_end!r}")
    if not isinstance(optimizer, str):
        raise TypeError("optimizer must be a name here, e.g. 'sgd' or 'adam'")
    opt = type(_optimizers.get(optimizer))(lr=1.0, **optimizer_args)
    rng = check_rng(seed, "seed")
    _keep_freed_memory()
    run = _SweepRun(model, lrs, opt, len(y), batch_size, epochs,
                    val is not None, record_batches)
    with np.errstate(all="ignore"):
        for epoch in range(epochs):
            order = epoch_order(rng, len(y), shuffle)
            sums = run.epoch(X, y, order, batch_size)
            run.finish()
            run.score(epoch, sums, len(y), val)
            if epoch_end is not None:
                epoch_end(epoch, run.flat, run.watch.alive.copy())
            if not run.watch.alive.any():
                break
    run.flat[~run.watch.alive] = np.nan  # a diverged run keeps no final weights
    return SweepHistory(lrs, run.history, run.watch.diverged_at, run.flat,
                        run.batch_losses)


class _SweepRun:
    """The state of a ``sweep_fit`` run: every rate's weights in one array
    (rates, weights), their optimizer state and the divergence watch."""

    def __init__(self, model, lrs, opt, n, batch_size, epochs, validate, batches):
        R = len(lrs)
        self.model, self.opt, self.update = model, opt, 0
        self.flat = np.tile(model.flat, (R, 1))
        self.params = model.views(self.flat)
        self.grad_flat = np.zeros_like(self.flat)
        self.grads = model.views(self.grad_flat)
        self.rate = lrs[:, None].copy()
        self.state = fresh_state(opt, [self.flat])
        self.watch = Watch(R)
        keys = ["loss", "accuracy"] + (["val_loss", "val_accuracy"] if validate
                                       else [])
        self.history = {k: np.full((R, epochs), np.nan) for k in keys}
        per_epoch = -(-n // batch_size)
        self.batch_losses = (np.full((R, per_epoch * epochs), np.nan) if batches
                             else None)

    def stop(self):
        """Stop the rows in ``bad``: rate 0, weights parked on finite values."""
        self.rate[~self.watch.alive] = 0.0
        self.flat[~self.watch.alive] = self.model.flat

    def epoch(self, X, y, order, batch_size):
        """One epoch of mini-batches; returns per-row loss and hit sums."""
        model, alive = self.model, self.watch.alive
        loss_sum, correct = np.zeros(len(self.rate)), np.zeros(len(self.rate))
        for start in batch_starts(len(y), batch_size):
            idx = order[start:start + batch_size]
            xb, yb = X[idx], y[idx]
            cache = model.forward(self.params, xb)
            loss = model.loss_value(self.params, cache, yb)
            if self.update == 0:
                self.watch.start(loss)  # the first batch's loss is the start
            elif self.watch.check(self.update, loss, self.flat):
                self.stop()  # the update before this batch ran away
                cache = model.forward(self.params, xb)
                loss = model.loss_value(self.params, cache, yb)
            model.backward(self.params, cache, yb, self.grads)
            loss_sum += loss * len(yb)
            correct += np.sum(cache[-1][2].argmax(axis=-1) == yb, axis=-1)
            if self.batch_losses is not None:
                self.batch_losses[alive, self.update] = loss[alive]
            (change,), self.state = self.opt.update(
                [self.grad_flat], self.state, self.rate, [self.flat])
            self.flat += change
            self.update += 1
        return loss_sum, correct

    def finish(self):
        """Judge the weights the epoch's last update left before the epoch is
        scored (later updates are judged with the next batch's loss)."""
        if self.update and self.watch.check(self.update, None, self.flat):
            self.stop()

    def score(self, epoch, sums, n, val):
        """The epoch's metrics for the rows still training."""
        alive, h = self.watch.alive, self.history
        h["loss"][alive, epoch] = sums[0][alive] / n
        h["accuracy"][alive, epoch] = sums[1][alive] / n
        if val is not None:
            cache = self.model.forward(self.params, val[0])
            loss = self.model.loss_value(self.params, cache, val[1])
            acc = np.mean(cache[-1][2].argmax(axis=-1) == val[1], axis=-1)
            h["val_loss"][alive, epoch] = loss[alive]
            h["val_accuracy"][alive, epoch] = acc[alive]
