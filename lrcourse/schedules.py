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
    check_choice,
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

    With ``warmup_target``, Keras 3's warmup comes first: a line from ``lr``
    at step 0 to ``warmup_target`` at step ``warmup_steps``, then half a
    cosine from ``warmup_target`` down to ``alpha * warmup_target`` over
    ``decay_steps`` more steps.

    >>> CosineDecay(0.1, 10)(10)
    0.0
    >>> CosineDecay(0.0, 10, warmup_target=0.1, warmup_steps=4)(2)
    0.05
    """

    def __init__(self, lr: float, decay_steps: int, alpha: float = 0.0,
                 warmup_target: float | None = None, warmup_steps: int = 0) -> None:
        if warmup_target is None:
            self.lr = _base(lr)
        else:  # Keras' warmup usually starts from 0.0
            self.lr = check_positive("lr", lr, allow_zero=True)
            warmup_target = _base(warmup_target, "warmup_target")
        self.decay_steps = check_count("decay_steps", decay_steps)
        self.alpha = check_fraction("alpha", alpha, closed_high=True)
        self.warmup_target = warmup_target
        self.warmup_steps = check_count("warmup_steps", warmup_steps, minimum=0)

    def _rate(self, k):
        if self.warmup_target is None:
            return self._cosine(np.minimum(k, self.decay_steps), self.lr)
        w, target = self.warmup_steps, self.warmup_target
        k = np.minimum(k, self.decay_steps + w)
        ramp = self.lr + (target - self.lr) * k / w if w else 0.0 * k
        return np.where(k < w, ramp, self._cosine(np.maximum(k - w, 0), target))

    def _cosine(self, k, top):
        cosine = 0.5 * (1.0 + np.cos(np.pi * (k / self.decay_steps)))
        return top * ((1.0 - self.alpha) * cosine + self.alpha)

    def __repr__(self):
        warm = "" if self.warmup_target is None else (
            f", warmup_target={self.warmup_target:g}, "
            f"warmup_steps={self.warmup_steps}")
        return (
            f"cosine_decay(lr={self.lr:g}, decay_steps={self.decay_steps}, "
            f"alpha={self.alpha:g}{warm})"
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


class WarmupStableDecay(Schedule):
    """Warmup, a long stable stretch at ``peak``, then a decay to ``end``
    (made by ``warmup_stable_decay``).

    Update ``k + 1`` (step ``k``) runs at, with ``W = warmup_steps``,
    ``D = decay_steps`` and ``T = total_steps``:

    * ``peak * (k + 1) / W`` while ``k < W`` (reaching ``peak`` at step
      ``W - 1``, so no update runs at rate 0),
    * ``peak`` until step ``T - D``,
    * then ``end + (peak - end) * f(p)`` with ``p = (k - (T - D)) / D``:
      ``f = 1 - p`` ("linear"), ``(1 + cos(pi p)) / 2`` ("cosine") or
      ``1 - sqrt(p)`` ("1-sqrt"); ``end`` itself from step ``T`` on.

    >>> s = WarmupStableDecay(0.1, 10, 2, 4, "linear")
    >>> [round(r, 3) for r in s(np.arange(11)).tolist()]
    [0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.075, 0.05, 0.025, 0.0]
    """

    DECAYS = ("linear", "cosine", "1-sqrt")

    def __init__(self, peak: float, total_steps: int, warmup_steps: int,
                 decay_steps: int, decay: str = "linear", end: float = 0.0) -> None:
        self.peak = _base(peak, "peak")
        self.total_steps = check_count("total_steps", total_steps)
        self.warmup_steps = check_count("warmup_steps", warmup_steps, minimum=0)
        self.decay_steps = check_count("decay_steps", decay_steps)
        self.decay = check_choice("decay", decay, self.DECAYS)
        self.end = check_positive("end", end, allow_zero=True, upper=self.peak)
        if self.warmup_steps + self.decay_steps > self.total_steps:
            raise ValueError(
                f"warmup_steps + decay_steps must be <= total_steps "
                f"({self.total_steps}), got {self.warmup_steps} + "
                f"{self.decay_steps}")

    def _rate(self, k):
        w, d = self.warmup_steps, self.decay_steps
        p = np.clip((k - (self.total_steps - d)) / d, 0.0, 1.0)
        if self.decay == "linear":
            f = 1.0 - p
        elif self.decay == "cosine":
            f = 0.5 * (1.0 + np.cos(np.pi * p))
        else:
            f = 1.0 - np.sqrt(p)
        rate = self.end + (self.peak - self.end) * f
        return np.where(k < w, self.peak * (k + 1) / max(w, 1), rate)

    def __repr__(self):
        return (
            f"warmup_stable_decay(peak={self.peak:g}, "
            f"total_steps={self.total_steps}, warmup_steps={self.warmup_steps}, "
            f"decay_steps={self.decay_steps}, decay={self.decay!r}, "
            f"end={self.end:g})"
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


def cosine_decay(lr: float, decay_steps: int, alpha: float = 0.0,
                 warmup_target: float | None = None,
                 warmup_steps: int = 0) -> CosineDecay:
    """Half a cosine from ``lr`` down to ``alpha * lr`` (Keras' CosineDecay).

    ``warmup_target`` and ``warmup_steps`` add Keras 3's warmup: the rate
    rises linearly from ``lr`` (then usually 0.0) at step 0 to
    ``warmup_target`` at step ``warmup_steps``, and the cosine then falls
    from ``warmup_target``. As in Keras, step 0 runs at ``lr`` itself: an
    lrcourse run refuses a rate of 0, so start such a warmup from a small
    ``lr`` there (or use ``warmup``, whose first rate is above 0).

    >>> f"{cosine_decay(0.01, 100)(50):.4f}"
    '0.0050'
    >>> s = cosine_decay(0.0, 100, warmup_target=0.01, warmup_steps=10)
    >>> f"{s(5):.4f}", f"{s(10):.4f}", f"{s(60):.4f}"
    ('0.0050', '0.0100', '0.0050')
    """
    return CosineDecay(lr, decay_steps, alpha, warmup_target, warmup_steps)


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


def warmup_stable_decay(peak: float, total_steps: int, warmup_steps: int,
                        decay_steps: int, decay: str = "linear",
                        end: float = 0.0) -> WarmupStableDecay:
    """Warmup-stable-decay (WSD): a linear warmup to ``peak`` over
    ``warmup_steps``, ``peak`` held, then a decay to ``end`` over the last
    ``decay_steps`` of ``total_steps`` (``decay``: "linear", "cosine" or
    "1-sqrt").

    The linear form is PyTorch's ``SequentialLR([LinearLR(start_factor=1/W,
    total_iters=W - 1), ConstantLR(factor=1.0), LinearLR(1.0, end / peak,
    total_iters=D)], milestones=[W, T - D])``, stepped after every update.

    >>> s = warmup_stable_decay(0.1, total_steps=100, warmup_steps=10,
    ...                         decay_steps=20, decay="1-sqrt")
    >>> f"{s(0):.3f}", f"{s(50):.3f}", f"{s(85):.3f}", s(100)
    ('0.010', '0.100', '0.050', 0.0)
    """
    return WarmupStableDecay(peak, total_steps, warmup_steps, decay_steps, decay,
                             end)
