"""Argument checks shared by the package.

Every public function checks its arguments here before doing any work, so a
bad value is reported by name with its valid range and nothing is left
half-updated.
"""

import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

#: A rate: a number > 0, or a schedule ``step -> rate`` (steps from 0).
Rate = float | Callable[[int], float]
#: A seed (an integer >= 0) or a numpy random generator.
Seed = int | np.random.Generator


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_positive(name: str, value: float, *, allow_zero: bool = False,
                   upper: float | None = None) -> float:
    """Return ``value`` as a float if it is a finite number > 0 (or >= 0).

    >>> check_positive("lr", 1)
    1.0
    >>> check_positive("lr", 0)
    Traceback (most recent call last):
    ...
    ValueError: lr must be a finite number > 0, got 0.0
    """
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


def check_finite(name: str, value: float) -> float:
    """Return ``value`` as a float if it is a finite real number.

    >>> check_finite("start", float("inf"))
    Traceback (most recent call last):
    ...
    ValueError: start must be finite, got inf
    """
    if not _is_real(value):
        raise TypeError(
            f"{name} must be a number, got {type(value).__name__} {value!r}"
        )
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def check_fraction(name: str, value: float, *, closed_low: bool = True,
                   closed_high: bool = False) -> float:
    """Return ``value`` as a float in [0, 1) (bounds configurable).

    >>> check_fraction("momentum", 0.9)
    0.9
    """
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


def check_count(name: str, value: int, *, minimum: int = 1) -> int:
    """Return ``value`` as an int if it is an integer >= ``minimum``.

    >>> check_count("steps", 3.0)
    Traceback (most recent call last):
    ...
    TypeError: steps must be an integer >= 1, got the float 3.0
    """
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


def check_lr(value: Rate, name: str = "lr") -> Rate:
    """Return a valid rate: a finite float > 0, or a callable schedule.

    >>> check_lr(0.1), check_lr(abs) is abs
    (0.1, True)
    """
    if callable(value):
        return value
    return check_positive(name, value)


def check_choice(name: str, value: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices`` (strings).

    >>> check_choice("optimizer", "sgd", ("sgd", "adam"))
    'sgd'
    """
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_rng(rng: Seed, name: str = "rng") -> np.random.Generator:
    """Return an ``np.random.Generator`` (an int seed is accepted).

    >>> float(check_rng(0).random()) == float(np.random.default_rng(0).random())
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be a numpy Generator or a non-negative integer seed, "
        f"got {type(rng).__name__} {rng!r}"
    )


def resolve_lr(lr: Rate | None, learning_rate: Rate | None, default: float) -> Rate:
    """Accept either spelling of the rate (PyTorch's ``lr``, Keras' long name).

    >>> resolve_lr(None, 0.1, default=0.01), resolve_lr(None, None, default=0.01)
    (0.1, 0.01)
    """
    if lr is not None and learning_rate is not None:
        raise TypeError("give the rate as lr or as learning_rate, not both")
    value = lr if lr is not None else learning_rate
    if value is None:
        value = default
    name = "learning_rate" if learning_rate is not None else "lr"
    return check_lr(value, name)


#: The spacing of floats near 1: a relative tolerance below it cannot be met.
RESOLUTION = float(np.finfo(float).eps)


def check_flag(name: str, value: bool) -> bool:
    """Return ``value`` if it is a bool (``True``/``False``, numpy's too).

    A string such as ``"no"`` is truthy, so it is refused rather than read.

    >>> check_flag("shuffle", "no")
    Traceback (most recent call last):
    ...
    TypeError: shuffle must be True or False, got str 'no'
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {type(value).__name__} "
                    f"{value!r}")


def check_tolerance(name: str, value: float, *, scale: float = 1.0,
                    upper: float | None = None) -> float:
    """Return a tolerance: a finite float > 0 no finer than float resolution.

    Values of size ``scale`` are spaced ``RESOLUTION * scale`` apart, so a
    finer tolerance could never be met (or only by accident).

    >>> check_tolerance("tol", 1e-300)
    Traceback (most recent call last):
    ...
    ValueError: tol must be >= 2.22e-16 (float resolution at this scale), got 1e-300
    """
    value = check_positive(name, value, upper=upper)
    floor = RESOLUTION * max(1.0, abs(float(scale)))
    if value < floor:
        raise ValueError(f"{name} must be >= {floor:.3g} (float resolution at this "
                         f"scale), got {value!r}")
    return value


def check_start(start: float | ArrayLike, ndim: int, name: str = "start") -> np.ndarray:
    """Return the starting point as an array: a number, or ``ndim`` numbers.

    >>> check_start((1, 2), ndim=2).tolist()
    [1.0, 2.0]
    """
    if ndim == 1:
        return np.array(check_finite(name, start))
    try:
        w = np.asarray(start, dtype=float)
    except (TypeError, ValueError):
        w = None
    if w is None or w.shape != (ndim,) or not np.all(np.isfinite(w)):
        raise ValueError(f"{name} must be {ndim} finite numbers, got {start!r}")
    return w


def check_X(X: ArrayLike, *, n_inputs: int, name: str = "X") -> np.ndarray:
    """Return ``X`` as a float array of shape (n, n_inputs), n >= 1.

    A 1-D array is read as one feature per row when ``n_inputs`` is 1.

    >>> check_X([0.1, 0.2], n_inputs=1).shape
    (2, 1)
    """
    if X is None or isinstance(X, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array of shape (n, {n_inputs}), "
                        f"got {type(X).__name__}")
    if not isinstance(X, np.ndarray):
        try:
            X = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a numeric array of shape "
                            f"(n, {n_inputs})") from None
    if X.dtype.kind not in "fiu":
        raise TypeError(f"{name} must be a numeric array, got dtype {X.dtype}")
    if X.ndim == 1 and n_inputs == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] != n_inputs or X.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n, {n_inputs}), got {X.shape}")
    X = X.astype(float, copy=False)
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must hold finite numbers only")
    return X


def check_Xy(X: ArrayLike, y: ArrayLike, *, n_inputs: int, n_classes: int,
             names: tuple[str, str] = ("X", "y")) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(X, y)`` checked for a classifier with these sizes.

    ``X`` as in ``check_X``; ``y`` holds one integer class label in
    ``0..n_classes - 1`` per row of ``X`` (whole floats and a column
    vector are accepted). Nothing is copied that need not be.

    >>> X, y = check_Xy([0.1, 0.9], [0, 1], n_inputs=1, n_classes=2)
    >>> X.shape, y.tolist()
    ((2, 1), [0, 1])
    >>> check_Xy([0.1, 0.9], None, n_inputs=1, n_classes=2)
    Traceback (most recent call last):
    ...
    TypeError: y must be an array of class labels in 0..1, got None
    """
    X = check_X(X, n_inputs=n_inputs, name=names[0])
    name = names[1]
    if y is None or isinstance(y, (str, bytes)):
        raise TypeError(f"{name} must be an array of class labels in "
                        f"0..{n_classes - 1}, got {y!r}")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (X.shape[0],):
        raise ValueError(f"{name} must have shape ({X.shape[0]},) to match "
                         f"{names[0]}, got {y.shape}")
    if y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"{name} must hold integer class labels in "
                         f"0..{n_classes - 1}")
    return X, y.astype(np.intp)


def check_validation_data(validation_data: tuple[ArrayLike, ArrayLike], *,
                          n_inputs: int, n_classes: int
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(X_val, y_val)`` from a pair checked as ``check_Xy`` does.

    >>> X_val, y_val = check_validation_data(([0.5], [1]), n_inputs=1, n_classes=2)
    >>> X_val.tolist(), y_val.tolist()
    ([[0.5]], [1])
    """
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise TypeError("validation_data must be a pair (X_val, y_val), got "
                        f"{type(validation_data).__name__}")
    return check_Xy(*validation_data, n_inputs=n_inputs, n_classes=n_classes,
                    names=("validation_data[0] (X_val)", "validation_data[1] (y_val)"))


def check_names(name: str, values: Sequence[str] | None,
                choices: Sequence[str]) -> list[str]:
    """Return ``values`` as a list of names from ``choices`` (None: empty).

    A bare string is refused: ``metrics="accuracy"`` would read as letters.

    >>> check_names("metrics", "accuracy", ("accuracy",))
    Traceback (most recent call last):
    ...
    TypeError: metrics must be a list of names from 'accuracy', got str 'accuracy'
    """
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        options = ", ".join(repr(c) for c in choices)
        raise TypeError(f"{name} must be a list of names from {options}, got "
                        f"{type(values).__name__} {values!r}")
    return [check_choice(name, v, choices) for v in values]


def read_only(*arrays: np.ndarray) -> np.ndarray | None:
    """Mark numpy arrays read-only (a learner's slip cannot corrupt a cache).

    Returns the first array, for ``return read_only(x)``.

    >>> a = read_only(np.zeros(2))
    >>> a.flags.writeable
    False
    """
    for a in arrays:
        if isinstance(a, np.ndarray):
            a.setflags(write=False)
    return arrays[0] if arrays else None


def check_model(model, name: str = "model"):
    """Return ``model`` if it is an lrcourse network (a ``Sequential``).

    >>> check_model("net")
    Traceback (most recent call last):
    ...
    TypeError: model must be an lrcourse Sequential, got str
    """
    if not all(hasattr(model, a) for a in ("flat", "views", "n_inputs", "n_classes")):
        raise TypeError(f"{name} must be an lrcourse Sequential, got "
                        f"{type(model).__name__}")
    return model


def check_model_data(model, X: ArrayLike, y: ArrayLike,
                     validation_data: tuple[ArrayLike, ArrayLike] | None = None
                     ) -> tuple[np.ndarray, np.ndarray, tuple | None]:
    """Check ``model``, its training data and optional validation pair.

    Returns ``(X, y, validation)``, ``validation`` None or ``(X_val, y_val)``.

    >>> from lrcourse import reference_model
    >>> X, y, val = check_model_data(reference_model(), [0.1, 0.9], [0, 1])
    >>> X.shape, y.tolist(), val
    ((2, 1), [0, 1], None)
    """
    check_model(model)
    sizes = {"n_inputs": model.n_inputs, "n_classes": model.n_classes}
    X, y = check_Xy(X, y, **sizes)
    if validation_data is not None:
        validation_data = check_validation_data(validation_data, **sizes)
    return X, y, validation_data


def check_lrs(lrs: ArrayLike, name: str = "lrs") -> np.ndarray:
    """Return rates as a non-empty 1-D float array, each a finite number > 0.

    >>> check_lrs([0.1, 1]).tolist()
    [0.1, 1.0]
    """
    try:
        arr = None if callable(lrs) else np.asarray(lrs, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D list of rates, got {lrs!r}")
    for i, r in enumerate(arr):
        check_positive(f"{name}[{i}]", float(r))
    return arr


def check_problem(problem, name: str = "problem"):
    """Return ``problem`` if it has ``loss(w)`` and ``grad(w)`` (a toy problem).

    >>> check_problem("bowl")
    Traceback (most recent call last):
    ...
    TypeError: problem must have loss(w) and grad(w), such as Quadratic(), got 'bowl'
    """
    if not (callable(getattr(problem, "loss", None))
            and callable(getattr(problem, "grad", None))):
        raise TypeError(f"{name} must have loss(w) and grad(w), such as Quadratic(), "
                        f"got {problem!r}")
    return problem


def check_floats(name: str, value: ArrayLike) -> np.ndarray:
    """Return ``value`` as a float array (inf and NaN allowed: they are results).

    >>> check_floats("losses", "high")
    Traceback (most recent call last):
    ...
    TypeError: losses must be numbers (a list or an array), got str 'high'
    """
    if value is None or isinstance(value, (str, bytes)):
        arr = None
    else:
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            arr = None
    if arr is None:
        raise TypeError(f"{name} must be numbers (a list or an array), got "
                        f"{type(value).__name__} {value!r}")
    return arr


def check_has(name: str, value, attributes: Sequence[str], what: str):
    """Return ``value`` if it has every one of ``attributes`` (a result object).

    >>> check_has("trace", 3.0, ("losses",), "a Trace from gradient_descent")
    Traceback (most recent call last):
    ...
    TypeError: trace must be a Trace from gradient_descent, got float
    """
    if not all(hasattr(value, a) for a in attributes):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    return value
