"""Argument checks shared by the package.

Every public function checks its arguments here before doing any work, so a
bad value is reported by name with its valid range and nothing is left
half-updated.
"""

import math
import numbers

import numpy as np


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_positive(name, value, *, allow_zero=False, upper=None):
    """Return ``value`` as a float if it is a finite number > 0 (or >= 0)."""
    if not _is_real(value):
        raise TypeError(
            f"{name} must be a number, got {type(value).__name__} {value!r}"
        )
    value = float(value)
    lower_ok = value >= 0 if allow_zero else value > 0
    bound = ">= 0" if allow_zero else "> 0"
    if not math.isfinite(value) or not lower_ok:
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    if upper is not None and value > upper:
        raise ValueError(f"{name} must be <= {upper}, got {value!r}")
    return value


def check_finite(name, value):
    """Return ``value`` as a float if it is a finite real number."""
    if not _is_real(value):
        raise TypeError(
            f"{name} must be a number, got {type(value).__name__} {value!r}"
        )
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def check_fraction(name, value, *, closed_low=True, closed_high=False):
    """Return ``value`` as a float in [0, 1) (bounds configurable)."""
    if not _is_real(value):
        raise TypeError(
            f"{name} must be a number, got {type(value).__name__} {value!r}"
        )
    value = float(value)
    low_ok = value >= 0 if closed_low else value > 0
    high_ok = value <= 1 if closed_high else value < 1
    if not (math.isfinite(value) and low_ok and high_ok):
        interval = ("[" if closed_low else "(") + "0, 1" + ("]" if closed_high else ")")
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return value


def check_count(name, value, *, minimum=1):
    """Return ``value`` as an int if it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            raise TypeError(
                f"{name} must be an integer >= {minimum}, got the float {value!r}"
            )
        raise TypeError(
            f"{name} must be an integer >= {minimum}, "
            f"got {type(value).__name__} {value!r}"
        )
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def check_lr(value, name="lr"):
    """Return a valid rate: a finite float > 0, or a callable schedule."""
    if callable(value):
        return value
    return check_positive(name, value)


def check_choice(name, value, choices):
    """Return ``value`` if it is one of ``choices`` (strings)."""
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_rng(rng, name="rng"):
    """Return an ``np.random.Generator`` (an int seed is accepted)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be a numpy Generator or a non-negative integer seed, "
        f"got {type(rng).__name__} {rng!r}"
    )


def resolve_lr(lr, learning_rate, default):
    """Accept either spelling of the rate (PyTorch's ``lr``, Keras' long name)."""
    if lr is not None and learning_rate is not None:
        raise TypeError("give the rate as lr or as learning_rate, not both")
    value = lr if lr is not None else learning_rate
    if value is None:
        value = default
    name = "learning_rate" if learning_rate is not None else "lr"
    return check_lr(value, name)
