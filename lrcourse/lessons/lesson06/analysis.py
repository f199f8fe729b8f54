"""Lesson 06: what momentum and Adam do with a rate: first steps, steady steps."""

import numpy as np

from ..._validate import check_count, check_fraction, check_positive
from ...engine import rate_at
from ...stability import (  # noqa: F401 (the lesson's stability tools)
    RateRuns,
    check_optimizer,
    largest_stable_lr,
    momentum_limit,
    run_rates,
)


def first_updates(optimizer, grads):
    """The first change a fresh copy of ``optimizer`` applies to weights
    whose first gradients are ``grads`` (one weight per gradient).

    >>> from lrcourse import Adam, SGD
    >>> [f"{abs(c):.6f}" for c in first_updates(Adam(lr=1e-3), [0.002, 50.0])]
    ['0.000998', '0.001000']
    >>> [f"{abs(c):.6f}" for c in first_updates(SGD(lr=1e-3), [0.002, 50.0])]
    ['0.000002', '0.050000']
    """
    g = np.asarray(grads, dtype=float).ravel()
    if g.size == 0 or not np.all(np.isfinite(g)):
        raise ValueError(f"grads must be a non-empty list of finite numbers, "
                         f"got {grads!r}")
    opt = check_optimizer(optimizer)
    changes, _ = opt.update([g], opt.init([g]), rate_at(opt.rate, 0))
    return changes[0]


def steady_step_ratio(momentum, lr=0.01, grad=1.0, steps=200):
    """How many times ``lr x grad`` the step of ``SGD(lr, momentum)`` becomes
    when the gradient stays the same (a long, even slope); ``1/(1 - beta)``
    in the limit.

    >>> f"{steady_step_ratio(0.9):.3f}"
    '10.000'
    """
    from ...optimizers import SGD

    momentum = check_fraction("momentum", momentum)
    lr = check_positive("lr", lr)
    grad = check_positive("grad", grad)
    steps = check_count("steps", steps)
    opt = SGD(lr=lr, momentum=momentum)
    g = [np.array([grad])]
    state = opt.init(g)
    for _ in range(steps):
        (change,), state = opt.update(g, state, lr)
    return float(abs(change[0]) / (lr * grad))


__all__ = [
    "RateRuns",
    "first_updates",
    "largest_stable_lr",
    "momentum_limit",
    "run_rates",
    "steady_step_ratio",
]
