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
from .descent import runaway

if TYPE_CHECKING:
    from .model import Sequential


class SweepHistory:
    """Per-rate, per-epoch metrics of ``sweep_fit``; row ``i`` is ``lrs[i]``.

    ``loss`` and ``accuracy`` (and ``val_loss``, ``val_accuracy`` when
    validation data was given) have shape (rates, epochs), NaN after a rate
    diverged. ``diverged_at`` is each rate's 1-based diverging update, 0 if
    none. ``weights`` holds the final flat weights, one row per rate.

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
        self.diverged_at = diverged_at
        self.weights = weights
        self.batch_losses = batch_losses

    @property
    def diverged(self):
        return self.diverged_at > 0

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
        optimizer: ``"sgd"``, ``"adam"``, ``"rmsprop"`` or ``"adagrad"``; extra
            keyword arguments (``momentum=0.9``) go to it.
        batch_size, epochs, seed, shuffle: as in ``model.fit``.
        record_batches: also keep every mini-batch loss, shape (rates, updates).
        epoch_end: called after every epoch as ``epoch_end(epoch, weights,
            alive)``, ``weights`` of shape (rates, n_weights) (read, don't
            modify), ``alive`` a mask of the runs still training.

    A run that diverges (non-finite loss, or above 1e6 times the first loss)
    is stopped there and its later entries are NaN; the others go on.

    >>> from lrcourse import make_drug_trial, reference_model, MinMaxScaler
    >>> (x, y), _ = make_drug_trial(seed=0, scale=10)
    >>> X = MinMaxScaler().fit_transform(x)
    >>> s = sweep_fit(reference_model(seed=0), X, y, [0.01, 0.1], epochs=2)
    >>> s["loss"].shape
    (2, 2)
    """
    lrs = check_lrs(lrs)
    X, y, validation = check_model_data(model, X, y, validation_data)
    if validation is not None:
        X_val, y_val = validation
    batch_size = check_count("batch_size", batch_size)
    epochs = check_count("epochs", epochs)
    shuffle = check_flag("shuffle", shuffle)
    record_batches = check_flag("record_batches", record_batches)
    if epoch_end is not None and not callable(epoch_end):
        raise TypeError(f"epoch_end must be a function or None, got {epoch_end!r}")
    if not isinstance(optimizer, str):
        raise TypeError("optimizer must be a name here, e.g. 'sgd' or 'adam'")
    opt_class = type(_optimizers.get(optimizer))
    opt = opt_class(lr=1.0, **optimizer_args)  # the rates are given per row below
    rng = check_rng(seed, "seed")
    _keep_freed_memory()

    R, n = len(lrs), len(y)
    flat = np.tile(model.flat, (R, 1))
    params = model.views(flat)
    grad_flat = np.zeros_like(flat)
    grads = model.views(grad_flat)
    rate = lrs[:, None].copy()
    alive = np.ones(R, dtype=bool)
    diverged_at = np.zeros(R, dtype=int)
    first = None
    keys = ["loss", "accuracy"] + (["val_loss", "val_accuracy"]
                                   if validation_data is not None else [])
    history = {k: np.full((R, epochs), np.nan) for k in keys}
    per_epoch = -(-n // batch_size)
    batch_losses = np.full((R, per_epoch * epochs), np.nan) if record_batches else None
    update = 0
    with np.errstate(all="ignore"):
        for epoch in range(epochs):
            order = rng.permutation(n) if shuffle else np.arange(n)
            loss_sum = np.zeros(R)
            correct = np.zeros(R)
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                xb, yb = X[idx], y[idx]
                cache = model.forward(params, xb)
                loss = model.loss_value(params, cache, yb)
                if first is None:
                    first = float(loss[0])
                bad = alive & runaway(loss, first)
                if bad.any():
                    diverged_at[bad] = update  # the update before this batch
                    alive &= ~bad
                    rate[~alive] = 0.0
                    flat[~alive] = model.flat  # park on finite values
                    cache = model.forward(params, xb)
                    loss = model.loss_value(params, cache, yb)
                model.backward(params, cache, yb, grads)
                loss_sum += loss * len(yb)
                correct += np.sum(cache[-1][2].argmax(axis=-1) == yb, axis=-1)
                if record_batches:
                    batch_losses[alive, update] = loss[alive]
                opt.apply_rates([flat], [grad_flat], rate)
                update += 1
                broken = alive & ~np.all(np.isfinite(flat), axis=1)
                if broken.any():
                    diverged_at[broken] = update
                    alive &= ~broken
                    rate[~alive] = 0.0
                    flat[~alive] = model.flat
            history["loss"][alive, epoch] = loss_sum[alive] / n
            history["accuracy"][alive, epoch] = correct[alive] / n
            if validation_data is not None:
                cache = model.forward(params, X_val)
                val = model.loss_value(params, cache, y_val)
                acc = np.mean(cache[-1][2].argmax(axis=-1) == y_val, axis=-1)
                history["val_loss"][alive, epoch] = val[alive]
                history["val_accuracy"][alive, epoch] = acc[alive]
            if epoch_end is not None:
                epoch_end(epoch, flat, alive.copy())
            if not alive.any():
                break
    # a diverged run keeps no final weights
    flat[~alive] = np.nan
    return SweepHistory(lrs, history, diverged_at, flat, batch_losses)
