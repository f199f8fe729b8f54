"""Optimizers that follow Keras 3's update rules and default rates exactly.

Every optimizer keeps its rate in ``lr`` (``learning_rate`` is the same
attribute under Keras' name). A rate is a number or a schedule
``step -> lr``; reading ``opt.lr`` gives the rate the next update will use.

``opt.step(params, grads)`` updates a list of arrays in place and returns the
applied changes (new value minus old value). The weight's old value is gone
after the update; the optimizer's own memory (momentum, Adam's moments) stays.
"""

from __future__ import annotations

import math
from types import MappingProxyType

import numpy as np

from ._validate import (
    ArrayLike,
    Rate,
    check_flag,
    check_fraction,
    check_lr,
    check_positive,
    resolve_lr,
)

#: Default rates of Keras 3's optimizers (read from the source of keras 3.15).
#: Both tables are read-only mappings.
KERAS_DEFAULT_LRS = MappingProxyType({
    "SGD": 0.01,
    "Adam": 0.001,
    "RMSprop": 0.001,
    "Adagrad": 0.001,
    "Adadelta": 0.001,
    "Adamax": 0.001,
    "Nadam": 0.001,
})

#: Default rates of PyTorch 2's ``torch.optim`` classes.
PYTORCH_DEFAULT_LRS = MappingProxyType({
    "SGD": 0.001,
    "Adam": 0.001,
    "RMSprop": 0.01,
    "Adagrad": 0.01,
    "Adadelta": 1.0,
    "Adamax": 0.002,
    "NAdam": 0.002,
})


class Optimizer:
    """Base class. Subclasses define ``_update(slot, param, grad, lr, t)``.

    >>> opt = SGD(lr=0.1)
    >>> w = np.array([1.0])
    >>> opt.step([w], [np.array([2.0])])[0].tolist(), w.tolist()
    ([-0.2], [0.8])
    """

    default_lr = 0.001

    def __init__(self, lr: Rate | None = None, *, learning_rate: Rate | None = None
                 ) -> None:
        self._lr = resolve_lr(lr, learning_rate, self.default_lr)
        self.iterations = 0  # updates applied so far
        self._slots = None  # per-parameter state, made on the first step

    # -- the rate -----------------------------------------------------------
    @property
    def lr(self):
        """The rate the next update uses (a schedule is evaluated now)."""
        if callable(self._lr):
            return float(self._lr(self.iterations))
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = check_lr(value, "lr")  # raises before anything changes

    @property
    def learning_rate(self):
        return self.lr

    @learning_rate.setter
    def learning_rate(self, value):
        self._lr = check_lr(value, "learning_rate")

    @property
    def schedule(self):
        """The schedule driving the rate, or None for a fixed rate."""
        return self._lr if callable(self._lr) else None

    # -- updates ------------------------------------------------------------
    def step(self, params: list[np.ndarray], grads: list[ArrayLike]
             ) -> list[np.ndarray]:
        """Apply one update to ``params`` (a list of arrays) in place.

        Returns the list of applied changes, ``new - old`` for each array.

        >>> w = [np.array([3.0])]
        >>> changes = SGD(lr=0.1).step(w, [np.array([6.0])])
        >>> float(w[0][0]), float(changes[0][0])
        (2.4, -0.6000000000000001)
        """
        params, grads = _check_lists(params, grads)
        if self._slots is None:
            self._slots = [self._make_slot(p) for p in params]
        elif len(self._slots) != len(params) or any(
            s["shape"] != p.shape for s, p in zip(self._slots, params)
        ):
            raise ValueError(
                "params must keep the shapes of the first step "
                f"{[s['shape'] for s in self._slots]}, got {[p.shape for p in params]}"
            )
        with np.errstate(over="ignore", invalid="ignore"):
            return self.apply_rates(params, grads, self.lr)

    def apply_rates(self, params, grads, lr):
        """Update with an explicit rate, a number or an array broadcasting
        against each param (used to train many rates in one pass)."""
        if self._slots is None:
            self._slots = [self._make_slot(p) for p in params]
        changes = []
        for slot, p, g in zip(self._slots, params, grads):
            change = self._update(slot, p, g, lr, self.iterations + 1)
            p += change
            changes.append(change)
        self.iterations += 1
        return changes

    def reset(self):
        """Forget the state (moments, step count); keep the rate."""
        self.iterations = 0
        self._slots = None

    def _make_slot(self, p):
        return {"shape": p.shape}

    def _update(self, slot, param, grad, lr, t):
        raise NotImplementedError

    def get_config(self):
        cfg = {"name": type(self).__name__}
        cfg["learning_rate"] = self._lr if callable(self._lr) else float(self._lr)
        cfg.update(self._hyper())
        return cfg

    def _hyper(self):
        return {}

    def __repr__(self):
        rate = repr(self._lr) if callable(self._lr) else f"{self._lr:g}"
        extra = "".join(f", {k}={v:g}" if isinstance(v, float) else f", {k}={v}"
                        for k, v in self._hyper().items())
        return f"{type(self).__name__}(lr={rate}{extra})"


def _check_lists(params, grads):
    if not isinstance(params, (list, tuple)) or not isinstance(grads, (list, tuple)):
        raise TypeError("params and grads must be lists of numpy arrays")
    if len(params) != len(grads):
        raise ValueError(
            f"params and grads must have the same length, got {len(params)} "
            f"and {len(grads)}"
        )
    out = []
    for i, (p, g) in enumerate(zip(params, grads)):
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise TypeError(
                f"params[{i}] must be a float numpy array (updated in place)")
        g = np.asarray(g, dtype=p.dtype)
        if g.shape != p.shape:
            raise ValueError(
                f"grads[{i}] must have the shape of params[{i}] {p.shape}, "
                f"got {g.shape}"
            )
        out.append(g)
    return list(params), out


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    Without momentum: ``change = -lr * g``. With momentum ``beta`` Keras keeps a
    velocity ``m = beta * m - lr * g`` and applies ``change = m`` (Nesterov:
    ``beta * m - lr * g``). PyTorch keeps ``b = beta * b + g`` and applies
    ``-lr * b``: the same steps while the rate is fixed.

    >>> SGD().lr
    0.01
    """

    default_lr = KERAS_DEFAULT_LRS["SGD"]

    def __init__(self, lr: Rate | None = None, momentum: float = 0.0,
                 nesterov: bool = False, *, learning_rate: Rate | None = None) -> None:
        momentum = check_fraction("momentum", momentum)
        nesterov = check_flag("nesterov", nesterov)
        super().__init__(lr, learning_rate=learning_rate)
        self.momentum = momentum
        self.nesterov = nesterov

    def _make_slot(self, p):
        slot = {"shape": p.shape}
        if self.momentum:
            slot["m"] = np.zeros_like(p)
        return slot

    def _update(self, slot, param, grad, lr, t):
        if not self.momentum:
            return -lr * grad
        m = slot["m"]
        m *= self.momentum
        m -= lr * grad
        if self.nesterov:
            return self.momentum * m - lr * grad
        return m.copy()

    def _hyper(self):
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam, as Keras 3 writes it.

    ``m += (1 - beta_1)(g - m)``, ``v += (1 - beta_2)(g^2 - v)``, then
    ``change = -alpha * m / (sqrt(v) + epsilon)`` with
    ``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``. So the first change
    is about ``lr`` in size, whatever the gradient's size. PyTorch adds its
    epsilon (1e-8) to the bias-corrected ``sqrt(v_hat)`` instead.

    >>> w = [np.array([0.0, 0.0])]
    >>> c = Adam(lr=1e-3).step(w, [np.array([0.002, 50.0])])
    >>> [f"{x:.6f}" for x in c[0]]
    ['-0.000998', '-0.001000']
    """

    default_lr = KERAS_DEFAULT_LRS["Adam"]

    def __init__(self, lr: Rate | None = None, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, *,
                 learning_rate: Rate | None = None) -> None:
        beta_1 = check_fraction("beta_1", beta_1)
        beta_2 = check_fraction("beta_2", beta_2)
        epsilon = check_positive("epsilon", epsilon)
        super().__init__(lr, learning_rate=learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def _make_slot(self, p):
        return {"shape": p.shape, "m": np.zeros_like(p), "v": np.zeros_like(p)}

    def _update(self, slot, param, grad, lr, t):
        m, v = slot["m"], slot["v"]
        alpha = lr * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        m += (1 - self.beta_1) * (grad - m)
        v += (1 - self.beta_2) * (grad * grad - v)
        return -alpha * m / (np.sqrt(v) + self.epsilon)

    def _hyper(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class RMSprop(Optimizer):
    """RMSprop, as Keras 3 writes it (``rho=0.9``, epsilon inside the root).

    ``v = rho v + (1 - rho) g^2``; ``change = -lr * g / sqrt(v + epsilon)``;
    with momentum the increment is accumulated first. PyTorch's default
    ``alpha`` (its rho) is 0.99 and its epsilon sits outside the root.

    >>> RMSprop().lr
    0.001
    """

    default_lr = KERAS_DEFAULT_LRS["RMSprop"]

    def __init__(self, lr: Rate | None = None, rho: float = 0.9,
                 momentum: float = 0.0, epsilon: float = 1e-7, *,
                 learning_rate: Rate | None = None) -> None:
        rho = check_fraction("rho", rho)
        momentum = check_fraction("momentum", momentum)
        epsilon = check_positive("epsilon", epsilon)
        super().__init__(lr, learning_rate=learning_rate)
        self.rho, self.momentum, self.epsilon = rho, momentum, epsilon

    def _make_slot(self, p):
        slot = {"shape": p.shape, "v": np.zeros_like(p)}
        if self.momentum:
            slot["m"] = np.zeros_like(p)
        return slot

    def _update(self, slot, param, grad, lr, t):
        v = slot["v"]
        v *= self.rho
        v += (1 - self.rho) * grad * grad
        increment = lr * grad / np.sqrt(v + self.epsilon)
        if not self.momentum:
            return -increment
        m = slot["m"]
        m *= self.momentum
        m += increment
        return -m

    def _hyper(self):
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon}


class Adagrad(Optimizer):
    """Adagrad, as Keras 3 writes it: the accumulator starts at 0.1.

    ``a += g^2``; ``change = -lr * g / sqrt(a + epsilon)``. PyTorch starts its
    accumulator at 0 and adds epsilon (1e-10) outside the root.

    >>> Adagrad(learning_rate=0.01).lr
    0.01
    """

    default_lr = KERAS_DEFAULT_LRS["Adagrad"]

    def __init__(self, lr: Rate | None = None,
                 initial_accumulator_value: float = 0.1, epsilon: float = 1e-7, *,
                 learning_rate: Rate | None = None) -> None:
        init = check_positive(
            "initial_accumulator_value", initial_accumulator_value, allow_zero=True
        )
        epsilon = check_positive("epsilon", epsilon)
        super().__init__(lr, learning_rate=learning_rate)
        self.initial_accumulator_value, self.epsilon = init, epsilon

    def _make_slot(self, p):
        return {"shape": p.shape, "a": np.full_like(p, self.initial_accumulator_value)}

    def _update(self, slot, param, grad, lr, t):
        a = slot["a"]
        a += grad * grad
        return -lr * grad / np.sqrt(a + self.epsilon)

    def _hyper(self):
        return {
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


_BY_NAME = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad}


def get(identifier: str | Optimizer) -> Optimizer:
    """An optimizer from a name (``"adam"``) or an instance (returned as is).

    >>> get("adam")
    Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07)
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    names = ", ".join(repr(n) for n in _BY_NAME)
    raise ValueError(
        f"optimizer must be an lrcourse optimizer or one of {names}, got {identifier!r}"
    )
