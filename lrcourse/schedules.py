"""Learning-rate schedules: callables ``step -> lr`` that count updates from 0.

A schedule can go anywhere a rate goes (an optimizer's ``lr``,
``gradient_descent(lr=...)``). Each works on an int or on an integer array,
so a whole curve is one call: ``schedule(np.arange(1000))``.

>>> s = cosine_decay(0.01, decay_steps=100)
>>> f"{s(25):.6f}"
'0.008536'
"""

from __future__ import annotations

import numpy as np

from ._validate import (
    Rate,
    check_count,
    check_flag,
    check_fraction,
    check_lr,
    check_positive,
)


class Schedule:
    """Base class: subclasses define ``_rate(step_array)`` and ``__repr__``.

    Called with a step (or an array of steps, counted from 0) it gives the rate.

    >>> step_decay(0.1, drop=0.5, every=2)(np.arange(4)).tolist()
    [0.1, 0.1, 0.05, 0.05]
    """

    def __call__(self, step):
        k = np.asarray(step)
        if k.dtype.kind not in "iu" and not (
            k.dtype.kind == "f" and np.all(k == np.floor(k))
        ):
            raise TypeError(f"step must be an integer or integer array, got {step!r}")
        if np.any(k < 0):
            raise ValueError(f"step must be >= 0, got {step!r}")
        rate = self._rate(k.astype(float))
        return float(rate) if rate.ndim == 0 else rate

    def _rate(self, k):
        raise NotImplementedError


def _base(lr, name="lr"):
    value = check_lr(lr, name)
    if callable(value):
        raise TypeError(f"{name} must be a number here, not a schedule")
    return value


class Constant(Schedule):
    """The same rate at every step (made by ``constant``).

    >>> Constant(0.1)(5)
    0.1
    """

    def __init__(self, lr: float) -> None:
        self.lr = _base(lr)

    def _rate(self, k):
        return np.full_like(k, self.lr)

    def __repr__(self):
        return f"constant(lr={self.lr:g})"


class StepDecay(Schedule):
    """``lr * drop ** floor(step / every)`` (made by ``step_decay``).

    >>> StepDecay(0.1, 0.5, 10)(10)
    0.05
    """

    def __init__(self, lr: float, drop: float, every: int) -> None:
        self.lr = _base(lr)
        self.drop = check_fraction("drop", drop, closed_low=False, closed_high=True)
        self.every = check_count("every", every)

    def _rate(self, k):
        return self.lr * self.drop ** np.floor(k / self.every)

    def __repr__(self):
        return f"step_decay(lr={self.lr:g}, drop={self.drop:g}, every={self.every})"


class ExponentialDecay(Schedule):
    """``lr * decay_rate ** (step / decay_steps)`` (made by ``exponential_decay``).

    >>> ExponentialDecay(0.1, 0.5, 10)(10)
    0.05
    """

    def __init__(self, lr: float, decay_rate: float, decay_steps: int,
                 staircase: bool = False) -> None:
        self.lr = _base(lr)
        self.decay_rate = check_fraction(
            "decay_rate", decay_rate, closed_low=False, closed_high=True
        )
        self.decay_steps = check_count("decay_steps", decay_steps)
        self.staircase = check_flag("staircase", staircase)

    def _rate(self, k):
        p = k / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return self.lr * self.decay_rate**p

    def __repr__(self):
        return (
            f"exponential_decay(lr={self.lr:g}, decay_rate={self.decay_rate:g}, "
            f"decay_steps={self.decay_steps}, staircase={self.staircase})"
        )


class CosineDecay(Schedule):
    """Half a cosine from ``lr`` down to ``alpha * lr`` (made by ``cosine_decay``).

    >>> CosineDecay(0.1, 10)(10)
    0.0
    """

    def __init__(self, lr: float, decay_steps: int, alpha: float = 0.0) -> None:
        self.lr = _base(lr)
        self.decay_steps = check_count("decay_steps", decay_steps)
        self.alpha = check_fraction("alpha", alpha, closed_high=True)

    def _rate(self, k):
        progress = np.minimum(k, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1.0 + np.cos(np.pi * progress))
        return self.lr * ((1.0 - self.alpha) * cosine + self.alpha)

    def __repr__(self):
        return (
            f"cosine_decay(lr={self.lr:g}, decay_steps={self.decay_steps}, "
            f"alpha={self.alpha:g})"
        )


class Warmup(Schedule):
    """A linear ramp from ``start`` to ``after`` (made by ``warmup``).

    >>> Warmup(0.1, 10)(4)
    0.05
    """

    def __init__(self, after: Rate, warmup_steps: int, start: float = 0.0) -> None:
        self.after = after if callable(after) else Constant(after)
        self.warmup_steps = check_count("warmup_steps", warmup_steps)
        self.start = check_positive("start", start, allow_zero=True)

    def _rate(self, k):
        target = np.asarray(self.after(0), dtype=float)
        ramp = self.start + (target - self.start) * (k + 1) / self.warmup_steps
        later = np.maximum(k - self.warmup_steps, 0).astype(int)
        return np.where(k < self.warmup_steps, ramp, self.after(later))

    def __repr__(self):
        return (
            f"warmup({self.after!r}, warmup_steps={self.warmup_steps}, "
            f"start={self.start:g})"
        )


class OneCycle(Schedule):
    """Up from ``max_lr / div_factor`` to ``max_lr``, then down (made by ``one_cycle``).

    >>> round(OneCycle(0.1, 100)(0), 6), OneCycle(0.1, 100)(29)
    (0.004, 0.1)
    """

    def __init__(self, max_lr: float, total_steps: int, pct_start: float = 0.3,
                 div_factor: float = 25.0, final_div_factor: float = 1e4) -> None:
        self.max_lr = _base(max_lr, "max_lr")
        self.total_steps = check_count("total_steps", total_steps, minimum=2)
        self.pct_start = check_fraction(
            "pct_start", pct_start, closed_low=False, closed_high=False
        )
        self.div_factor = check_positive("div_factor", div_factor)
        self.final_div_factor = check_positive("final_div_factor", final_div_factor)

    def _rate(self, k):
        initial = self.max_lr / self.div_factor
        final = initial / self.final_div_factor
        # PyTorch's phase ends: update pct_start * total - 1, then total - 1
        peak = self.pct_start * self.total_steps - 1.0
        end = self.total_steps - 1.0

        def anneal(a, b, frac):  # cosine from a to b as frac goes 0 -> 1
            return b + (a - b) * 0.5 * (1.0 + np.cos(np.pi * np.clip(frac, 0, 1)))

        up = anneal(initial, self.max_lr, k / peak if peak > 0 else 0.0 * k)
        down = anneal(self.max_lr, final, (k - peak) / (end - peak))
        return np.where(k <= peak, up, down)

    def __repr__(self):
        return (
            f"one_cycle(max_lr={self.max_lr:g}, total_steps={self.total_steps}, "
            f"pct_start={self.pct_start:g})"
        )


def constant(lr: float) -> Constant:
    """The same rate at every step.

    >>> constant(0.1)(7)
    0.1
    """
    return Constant(lr)


def step_decay(lr: float, drop: float = 0.5, every: int = 10) -> StepDecay:
    """Multiply the rate by ``drop`` every ``every`` steps (PyTorch's StepLR).

    >>> step_decay(0.1, drop=0.5, every=10)(25)
    0.025
    """
    return StepDecay(lr, drop, every)


def exponential_decay(lr: float, decay_rate: float = 0.96, decay_steps: int = 100,
                      staircase: bool = False) -> ExponentialDecay:
    """``lr * decay_rate ** (step / decay_steps)`` (Keras' ExponentialDecay).

    >>> f"{exponential_decay(0.1, 0.5, 10)(20):.4f}"
    '0.0250'
    """
    return ExponentialDecay(lr, decay_rate, decay_steps, staircase)


def cosine_decay(lr: float, decay_steps: int, alpha: float = 0.0) -> CosineDecay:
    """Half a cosine from ``lr`` down to ``alpha * lr`` (Keras' CosineDecay).

    >>> f"{cosine_decay(0.01, 100)(50):.4f}"
    '0.0050'
    """
    return CosineDecay(lr, decay_steps, alpha)


def warmup(after: Rate, warmup_steps: int, start: float = 0.0) -> Warmup:
    """Rise linearly from ``start`` to ``after``'s first rate, then follow it.

    ``after`` is a rate or a schedule; its own step count starts when the
    warm-up ends.

    >>> w = warmup(0.1, warmup_steps=10)
    >>> f"{w(4):.2f}", f"{w(10):.2f}"
    ('0.05', '0.10')
    """
    return Warmup(after, warmup_steps, start)


def one_cycle(max_lr: float, total_steps: int, pct_start: float = 0.3,
              div_factor: float = 25.0, final_div_factor: float = 1e4) -> OneCycle:
    """Smith's one-cycle policy, as PyTorch's OneCycleLR (cosine annealing).

    Starts at ``max_lr / div_factor``, rises to ``max_lr`` over the first
    ``pct_start`` of the run, then falls to ``start / final_div_factor``.

    >>> s = one_cycle(0.1, total_steps=100)
    >>> f"{s(0):.4f}", f"{float(s(np.arange(100)).max()):.4f}"
    ('0.0040', '0.1000')
    """
    return OneCycle(max_lr, total_steps, pct_start, div_factor, final_div_factor)
