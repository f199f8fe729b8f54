"""Optimizers that follow Keras 3's update rules and default rates exactly.

Every optimizer keeps its rate in ``lr`` (``learning_rate`` is the same
attribute under Keras' name). A rate is a number or a schedule
``step -> lr``; reading ``opt.learning_rate`` (or ``opt.lr``) gives the rate the
next update will use.

Inside, each optimizer is a pure rule, ``init(params) -> state`` and
``update(grads, state, lr, params) -> (changes, state)`` (optax's shape); the
run loop (``lrcourse.engine``) holds the state, so a run never changes the
object. ``params`` (the weights before the update) is needed only by the rules
that read the weights (AdamW's decay, schedule-free's interpolation).
``opt.step(params, grads)`` is the hand-driven form: it updates a list of
arrays in place, returns the applied changes (new value minus old value) and
keeps its memory (momentum, Adam's moments) in the object for the next step.
"""

from __future__ import annotations

import math
import warnings
from types import MappingProxyType

import numpy as np

from ._validate import (
    ArrayLike,
    Rate,
    check_count,
    check_flag,
    check_fraction,
    check_lr,
    check_positive,
    resolve_lr,
)
from .engine import rate_at

#: What assigning ``opt.lr = x`` says. lrcourse behaves as Keras 3 does: the line
#: makes an attribute that reads back x while training keeps the old rate.
LR_ASSIGNMENT_WARNING = (
    "opt.lr = x does not change the rate: write opt.learning_rate = x. As in "
    "Keras 3, `optimizer.lr = x` only makes an attribute that reads back x while "
    "training keeps the old rate (check with float(optimizer.learning_rate)); in "
    "PyTorch set g['lr'] for each of optimizer.param_groups.")

#: Default rates of Keras 3's optimizers (read from the source of keras 3.15).
#: Both tables are read-only mappings.
KERAS_DEFAULT_LRS = MappingProxyType({
    "SGD": 0.01,
    "Adam": 0.001,
    "AdamW": 0.001,
    "RMSprop": 0.001,
    "Adagrad": 0.001,
    "Adadelta": 0.001,
    "ScheduleFreeAdamW": 0.0025,
    "Adamax": 0.001,
    "Nadam": 0.001,
})

#: Default rates of PyTorch 2's ``torch.optim`` classes.
PYTORCH_DEFAULT_LRS = MappingProxyType({
    "SGD": 0.001,
    "Adam": 0.001,
    "AdamW": 0.001,
    "RMSprop": 0.01,
    "Adagrad": 0.01,
    "Adadelta": 1.0,
    "Adamax": 0.002,
    "NAdam": 0.002,
})


class Optimizer:
    """Base class: a Keras-shaped object around a pure update rule.

    Inside, an optimizer is ``init(params) -> state`` and
    ``update(grads, state, lr, params) -> (changes, state)``: the state (step count,
    momentum, moments) goes in and comes out, nothing is kept in the object.
    A run (``gradient_descent``, ``sweep_fit``, ``range_test``...) holds its
    own state, so it starts fresh and leaves the object as it was.

    ``step(params, grads)`` is the hand-driven use lessons make of it: it
    keeps one state in the object and updates ``params`` in place. A
    compiled model's ``fit`` continues that state from one ``fit`` to the
    next, as Keras does.

    >>> opt = SGD(lr=0.1)
    >>> w = np.array([1.0])
    >>> opt.step([w], [np.array([2.0])])[0].tolist(), w.tolist()
    ([-0.2], [0.8])
    """

    default_lr = 0.001
    #: True for rules that read the weights: ``update`` then needs ``params``.
    needs_params = False

    def __init__(self, lr: Rate | None = None, *, learning_rate: Rate | None = None
                 ) -> None:
        self._lr = resolve_lr(lr, learning_rate, self.default_lr)
        self._state = None  # the state of hand-driven steps, made on the first

    # -- the rate -----------------------------------------------------------
    @property
    def lr(self):
        """The rate the next update uses, or, after ``opt.lr = x``, that x (which,
        as in Keras 3, training never uses: read ``learning_rate``)."""
        if "_lr_attribute" in self.__dict__:
            return self._lr_attribute
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        rate = check_lr(value, "lr")  # raises before anything changes
        warnings.warn(LR_ASSIGNMENT_WARNING, UserWarning, stacklevel=2)
        self._lr_attribute = rate

    @property
    def learning_rate(self):
        """The rate the next update uses (a schedule is evaluated now)."""
        if callable(self._lr):
            return float(self._lr(self.iterations))
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value):
        self._lr = check_lr(value, "learning_rate")

    @property
    def schedule(self):
        """The schedule driving the rate, or None for a fixed rate."""
        return self._lr if callable(self._lr) else None

    @property
    def rate(self):
        """The rate as given: a number or a schedule ``step -> lr``."""
        return self._lr

    @property
    def iterations(self):
        """Updates applied by ``step`` (and ``fit``) so far."""
        return 0 if self._state is None else self._state["t"]

    # -- the pure rule ----------------------------------------------------------
    def init(self, params: list[np.ndarray]) -> dict:
        """A fresh state for ``params`` (a list of arrays): step count 0."""
        return {"t": 0, "shapes": [p.shape for p in params],
                "slots": [self._init_slot(p) for p in params]}

    def update(self, grads: list[ArrayLike], state: dict, lr: Rate,
               params: list[np.ndarray] | None = None
               ) -> tuple[list[np.ndarray], dict]:
        """The changes for ``grads`` at rate ``lr``, and the next state.

        ``lr`` is a number or an array broadcasting against each gradient
        (a leading "rates" axis trains many rates at once). ``params`` are
        the weights the gradients were taken at; optimizers whose rule reads
        the weights (``needs_params``) raise a TypeError without them.

        The state goes in and the next state comes out; nothing is kept in
        the optimizer. For speed (a sweep moves its moments in place) the
        next state reuses the arrays of the one passed in, as a run passes
        each state once: to keep an earlier state, copy it
        (``copy.deepcopy``) before the update.

        >>> opt = SGD(momentum=0.5)
        >>> state = opt.init([np.zeros(1)])
        >>> changes, state = opt.update([np.array([2.0])], state, 0.1)
        >>> changes, state = opt.update([np.array([2.0])], state, 0.1)
        >>> f"{changes[0][0]:.2f}", state["t"]
        ('-0.30', 2)
        """
        if params is None:
            if self.needs_params:
                raise TypeError(f"{type(self).__name__}.update needs params (the "
                                "weights the gradients were taken at)")
            params = [None] * len(grads)
        t = state["t"] + 1
        changes, slots = [], []
        for slot, g, p in zip(state["slots"], grads, params):
            change, slot = self._update(slot, g, lr, t, p)
            changes.append(change)
            slots.append(slot)
        return changes, {"t": t, "shapes": state["shapes"], "slots": slots}

    # -- hand-driven updates -----------------------------------------------------
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
        if self._state is not None and (
                self._state["shapes"] != [p.shape for p in params]):
            raise ValueError(
                "params must keep the shapes of the first step "
                f"{self._state['shapes']}, got {[p.shape for p in params]}"
            )
        with np.errstate(over="ignore", invalid="ignore"):
            return self.continue_state(params, grads)

    def continue_state(self, params, grads):
        """``step`` without its checks, for a loop whose arrays are known
        good (``fit``): one update from the object's state, applied in place."""
        if self._state is None:
            self._state = self.init(params)
        lr = rate_at(self._lr, self._state["t"])  # a schedule's rate is checked
        changes, self._state = self.update(grads, self._state, lr, params)
        for p, change in zip(params, changes):
            p += change
        return changes

    def reset(self):
        """Forget the state of hand-driven steps (moments, step count)."""
        self._state = None

    def _init_slot(self, p):
        return {}

    def _update(self, slot, grad, lr, t, param):
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

    def _init_slot(self, p):
        return {"m": np.zeros_like(p)} if self.momentum else {}

    def _update(self, slot, grad, lr, t, param=None):
        if not self.momentum:
            return -lr * grad, slot
        m = slot["m"]
        m *= self.momentum
        m -= lr * grad
        if self.nesterov:
            return self.momentum * m - lr * grad, slot
        return m.copy(), slot

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

    def _init_slot(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p)}

    def _update(self, slot, grad, lr, t, param=None):
        m, v = slot["m"], slot["v"]
        alpha = lr * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        m += (1 - self.beta_1) * (grad - m)
        v += (1 - self.beta_2) * (grad * grad - v)
        return -alpha * m / (np.sqrt(v) + self.epsilon), slot

    def _hyper(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class AdamW(Adam):
    """AdamW, as Keras 3 writes it: Adam plus decoupled weight decay.

    Before Adam's step every weight shrinks by ``lr * weight_decay`` of
    itself: ``w <- w - lr * weight_decay * w``, then ``w <- w + adam_change``
    (the gradient is the one taken before the decay). So the decay is tied
    to the rate: halving the rate halves the pull towards zero. PyTorch's
    ``torch.optim.AdamW`` decays the same way (default ``weight_decay=0.01``,
    its epsilon 1e-8 added to the bias-corrected ``sqrt(v_hat)``).

    >>> w = [np.array([1.0, 1.0])]
    >>> c = AdamW(lr=0.1, weight_decay=0.5).step(w, [np.array([0.0, 1.0])])
    >>> [f"{x:.4f}" for x in c[0]]  # -0.1 * 0.5 * 1, plus Adam's -0.1
    ['-0.0500', '-0.1500']
    """

    default_lr = KERAS_DEFAULT_LRS["AdamW"]
    needs_params = True

    def __init__(self, lr: Rate | None = None, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 *, learning_rate: Rate | None = None) -> None:
        weight_decay = check_positive("weight_decay", weight_decay, allow_zero=True)
        super().__init__(lr, beta_1, beta_2, epsilon, learning_rate=learning_rate)
        self.weight_decay = weight_decay

    def _update(self, slot, grad, lr, t, param=None):
        decay = (lr * self.weight_decay) * param
        change, slot = super()._update(slot, grad, lr, t)
        return change - decay, slot

    def _hyper(self):
        return {"weight_decay": self.weight_decay, **super()._hyper()}


class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW (Defazio et al., 2024), as Keras 3.15 defines it.

    Three sequences: ``z`` (Keras' ``momentum``) takes RMSprop-like steps,
    ``z <- z - lr_t * g / (sqrt(v / (1 - beta_2^t)) + epsilon)``; ``x`` is the
    running average of the ``z``'s, ``x <- (1 - 1/t) x + z / t``; and the
    weights the model holds (and the gradient is taken at) are
    ``y = (1 - beta_1) z + beta_1 x``. ``lr_t`` rises linearly over the first
    ``warmup_steps`` updates (``lr * min(t / warmup_steps, 1)``). With
    ``weight_decay`` the weights ``y`` first shrink by ``lr * weight_decay``
    (the rate without warmup), as in every Keras optimizer.

    The state keeps ``z`` and ``v``; ``x`` is recovered from the weights:
    ``x = (y - (1 - beta_1) z) / beta_1``. Evaluate with the averaged weights
    (``averaged_weights``), not with ``y``. lrcourse recovers the old ``x``
    from the old ``z``, as Keras does on its JAX backend and as its comments
    describe; Keras 3.15.1's torch backend reads the new ``z`` there.

    >>> opt = ScheduleFreeAdamW(learning_rate=0.1)
    >>> w = [np.array([1.0])]
    >>> c = opt.step(w, [np.array([2.0])])
    >>> f"{w[0][0]:.4f}", f"{opt.averaged_weights(w)[0][0]:.4f}"
    ('0.9000', '0.9000')
    """

    default_lr = KERAS_DEFAULT_LRS["ScheduleFreeAdamW"]
    needs_params = True

    def __init__(self, lr: Rate | None = None, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-8,
                 warmup_steps: int = 0, weight_decay: float | None = None, *,
                 learning_rate: Rate | None = None) -> None:
        beta_1 = check_fraction("beta_1", beta_1, closed_low=False)
        beta_2 = check_fraction("beta_2", beta_2)
        epsilon = check_positive("epsilon", epsilon)
        warmup_steps = check_count("warmup_steps", warmup_steps, minimum=0)
        if weight_decay is not None:
            weight_decay = check_positive("weight_decay", weight_decay,
                                          allow_zero=True)
        super().__init__(lr, learning_rate=learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.warmup_steps, self.weight_decay = warmup_steps, weight_decay

    def _init_slot(self, p):
        return {"z": np.array(p, dtype=float), "v": np.zeros_like(p, dtype=float)}

    def _update(self, slot, grad, lr, t, param=None):
        b1, z, v = self.beta_1, slot["z"], slot["v"]
        y = param
        if self.weight_decay:
            y = y - (lr * self.weight_decay) * y
        x_old = (y - (1 - b1) * z) / b1  # from the old z
        if self.warmup_steps:
            lr = lr * min(t / self.warmup_steps, 1.0)
        v += (1 - self.beta_2) * (grad * grad - v)
        z -= lr * grad / (np.sqrt(v / (1 - self.beta_2**t)) + self.epsilon)
        x = (1 - 1 / t) * x_old + z / t
        return (1 - b1) * z + b1 * x - param, slot

    def averaged_weights(self, params: list[np.ndarray], state: dict | None = None
                         ) -> list[np.ndarray]:
        """The averaged weights ``x`` (the ones to evaluate) behind the
        weights ``params`` (``y``): ``x = (y - (1 - beta_1) z) / beta_1``.

        ``state`` is a run's state (``init``/``update``); by default the
        state of hand-driven steps. Before any update ``x`` is ``params``.
        """
        state = self._state if state is None else state
        if state is None or not state["t"]:
            return [np.array(p, dtype=float) for p in params]
        b1 = self.beta_1
        return [(np.asarray(p) - (1 - b1) * slot["z"]) / b1
                for p, slot in zip(params, state["slots"])]

    def _hyper(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "warmup_steps": self.warmup_steps, "weight_decay": self.weight_decay}


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

    def _init_slot(self, p):
        slot = {"v": np.zeros_like(p)}
        if self.momentum:
            slot["m"] = np.zeros_like(p)
        return slot

    def _update(self, slot, grad, lr, t, param=None):
        v = slot["v"]
        v *= self.rho
        v += (1 - self.rho) * grad * grad
        increment = lr * grad / np.sqrt(v + self.epsilon)
        if not self.momentum:
            return -increment, slot
        m = slot["m"]
        m *= self.momentum
        m += increment
        return -m, slot

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

    def _init_slot(self, p):
        return {"a": np.full_like(p, self.initial_accumulator_value)}

    def _update(self, slot, grad, lr, t, param=None):
        a = slot["a"]
        a += grad * grad
        return -lr * grad / np.sqrt(a + self.epsilon), slot

    def _hyper(self):
        return {
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop,
            "adagrad": Adagrad, "schedulefreeadamw": ScheduleFreeAdamW}


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
