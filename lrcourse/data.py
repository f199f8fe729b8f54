"""The synthetic clinical trial that the reference network learns, and a
min-max scaler."""

from __future__ import annotations

import functools

import numpy as np

from ._validate import ArrayLike, Seed, check_count, check_rng, read_only


def make_drug_trial(seed: Seed = 0, scale: int = 1
                    ) -> tuple[tuple[np.ndarray, np.ndarray],
                               tuple[np.ndarray, np.ndarray]]:
    """Ages (years) and side-effect labels of a synthetic drug trial.

    Training set: 1,000 people aged 13-64 without side effects (label 0),
    1,000 aged 65-100 with (label 1), plus the ~5% exceptions: 50 younger
    people with side effects and 50 older people without. The test set is
    built the same way with groups of 200 and 10 (420 people). Both are
    shuffled. ``scale`` shrinks every group by that factor (for fast tests).

    Returns ``(ages, labels), (test_ages, test_labels)``: 1-D arrays, ages
    as floats holding whole years, labels as int64.

    >>> (x, y), (xt, yt) = make_drug_trial(seed=0)
    >>> x.shape, xt.shape, int(y.sum())
    ((2100,), (420,), 1050)
    """
    rng = check_rng(seed, "seed")
    scale = check_count("scale", scale)

    def group(n, low, high, label):
        n = n // scale
        return rng.integers(low, high + 1, size=n).astype(float), np.full(n, label)

    def build(big, small):
        parts = [
            group(big, 13, 64, 0),
            group(big, 65, 100, 1),
            group(small, 13, 64, 1),
            group(small, 65, 100, 0),
        ]
        ages = np.concatenate([a for a, _ in parts])
        labels = np.concatenate([b for _, b in parts]).astype(np.int64)
        order = rng.permutation(len(ages))
        return ages[order], labels[order]

    return build(1000, 50), build(200, 10)


class MinMaxScaler:
    """Scale each feature to [0, 1] using the minimum and maximum seen by ``fit``.

    Fit it on the training set only and reuse it for the test set: fitting
    again on the test set would scale the two sets differently.

    >>> s = MinMaxScaler().fit(np.array([13.0, 100.0]))
    >>> s.transform(np.array([13.0, 56.5, 100.0])).ravel().tolist()
    [0.0, 0.5, 1.0]
    """

    def __init__(self):
        self.data_min_ = None
        self.data_max_ = None

    def fit(self, X: ArrayLike) -> MinMaxScaler:
        X = self._as_2d(X, "X")
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        if self.data_min_ is None:
            raise ValueError("call fit(X) on the training data before transform")
        X = self._as_2d(X, "X")
        if X.shape[1] != self.data_min_.shape[0]:
            raise ValueError(
                f"X must have {self.data_min_.shape[0]} feature(s), got {X.shape[1]}"
            )
        span = self.data_max_ - self.data_min_
        span = np.where(span == 0, 1.0, span)
        return (X - self.data_min_) / span

    def fit_transform(self, X: ArrayLike) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        X = self._as_2d(X, "X")
        return X * (self.data_max_ - self.data_min_) + self.data_min_

    @staticmethod
    def _as_2d(X, name):
        if X is None or isinstance(X, (str, bytes)):
            raise TypeError(f"{name} must be a 1-D or 2-D array of numbers, got {X!r}")
        try:
            X = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a 1-D or 2-D array of numbers") from None
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"{name} must be a non-empty 1-D or 2-D array")
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{name} must hold finite numbers only")
        return X

    def __repr__(self):
        if self.data_min_ is None:
            return "MinMaxScaler(not fitted)"
        return (f"MinMaxScaler(min={self.data_min_.tolist()}, "
                f"max={self.data_max_.tolist()})")


class TrialData:
    """The scaled trial data: ``X``, ``y`` (training), ``X_test``, ``y_test``.

    ``ages`` and ``test_ages`` keep the ages in years; ``scaler`` was fitted
    on the training ages only and then applied to both sets.

    >>> data = trial_data(seed=0)
    >>> data
    TrialData(2100 training, 420 test samples, MinMaxScaler(min=[13.0], max=[100.0]))
    """

    def __init__(self, ages: np.ndarray, y: np.ndarray, test_ages: np.ndarray,
                 y_test: np.ndarray, scaler: MinMaxScaler) -> None:
        self.ages, self.y = ages, y
        self.test_ages, self.y_test = test_ages, y_test
        self.scaler = scaler
        self.X = scaler.transform(ages)
        self.X_test = scaler.transform(test_ages)

    def __repr__(self):
        return (f"TrialData({len(self.y)} training, {len(self.y_test)} test samples, "
                f"{self.scaler!r})")


@functools.lru_cache(maxsize=4)
def trial_data(seed: int = 0) -> TrialData:
    """The drug trial, ages min-max scaled by a scaler fitted on the training set.

    The result is cached and shared, so its arrays are read-only (copy one
    to change it).

    >>> data = trial_data(seed=0)
    >>> data.X.shape, f"{data.X.min():.1f}", f"{data.X.max():.1f}"
    ((2100, 1), '0.0', '1.0')
    """
    (ages, y), (test_ages, y_test) = make_drug_trial(seed=seed)
    scaler = MinMaxScaler().fit(ages)  # the training set only
    data = TrialData(ages, y, test_ages, y_test, scaler)
    # one cached object serves every caller: no one may write into it
    read_only(data.ages, data.y, data.test_ages, data.y_test, data.X, data.X_test,
              scaler.data_min_, scaler.data_max_)
    return data
