"""A tiny Keras-like network in numpy: Dense layers, softmax, cross-entropy.

Read it top to bottom to follow one update: ``Dense.forward`` and
``Dense.backward`` sit side by side, ``Sequential.loss_and_gradients`` runs
them, and ``fit`` hands the gradients to the optimizer, which applies
``new weight = old weight - lr * gradient`` (or Adam's version of it).

All weights live in one flat array; each layer's kernel and bias are views
into it. That changes nothing in the maths and lets an optimizer update all
642 weights of the reference network with a handful of array operations.
The same code also trains many copies at once (one per rate): every array
may carry extra leading axes.
"""

from __future__ import annotations

import math

import numpy as np

from . import optimizers as _optimizers
from ._validate import (
    ArrayLike,
    Seed,
    check_choice,
    check_count,
    check_flag,
    check_lr,
    check_names,
    check_positive,
    check_rng,
    check_validation_data,
    check_X,
    check_Xy,
)
from .engine import Watch, batch_starts, epoch_order

ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax")
LOSSES = ("sparse_categorical_crossentropy",)
EPSILON = 1e-7  # Keras' clipping of probabilities inside the cross-entropy
#: The loss of a network that predicts 50/50 for everyone (for instance
#: because a whole ReLU layer died) on balanced classes: ln 2.
LN2 = math.log(2.0)


# -- the network's maths, each rule once --------------------------------------------
def cross_entropy(probs: np.ndarray, y: np.ndarray,
                  weights: np.ndarray | None = None) -> np.ndarray:
    """The cross-entropy of the true classes, with Keras' clipping.

    Each true-class probability is clipped to [1e-7, 1 - 1e-7] before its
    log, so one hopeless sample costs at most 16.1 instead of infinity. The
    mean over the samples, or the sum weighted by ``weights`` (see
    ``distinct_rows``); ``probs`` may carry leading axes (one per rate).

    >>> f"{float(cross_entropy(np.array([[0.5, 0.5], [0.0, 1.0]]), [0, 0])):.4f}"
    '8.4056'
    """
    y = np.asarray(y)
    p_true = probs[..., np.arange(len(y)), y]
    log_p = np.log(np.minimum(np.maximum(p_true, EPSILON), 1.0 - EPSILON))
    if weights is None:
        return -log_p.sum(axis=-1) / len(y)
    return -(log_p * weights).sum(axis=-1)


def dead_fractions(layers: list[Dense], cache: list) -> np.ndarray:
    """Per ReLU layer, the fraction of its units that output 0 for every
    sample of the batch that made ``cache`` (leading axes kept): shape
    (..., ReLU layers).

    >>> model = reference_model(seed=0)
    >>> cache = model.forward(model.params, np.array([[0.1], [0.9]]))
    >>> dead_fractions(model.layers, cache).shape
    (2,)
    """
    out = [np.mean(np.all(a <= 0, axis=-2), axis=-1)
           for layer, (_, _, a) in zip(layers, cache) if layer.activation == "relu"]
    return np.stack(out, axis=-1)


def distinct_rows(X: ArrayLike, y: ArrayLike
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The batch as distinct (input, label) rows, each weighted by its share.

    The trial's ages are whole years, so 420 samples hold only about a hundred
    different (age, label) pairs. The mean loss over the samples equals the
    weighted sum over the distinct pairs, weight = count / n, so the gradient
    and the Hessian are the same and every pass is about four times cheaper.

    Returns ``(X_distinct, y_distinct, weights)``.

    >>> X, y = np.array([[0.5], [0.5], [0.1]]), np.array([1, 1, 0])
    >>> Xd, yd, wd = distinct_rows(X, y)
    >>> Xd.ravel().tolist(), yd.tolist(), wd.round(3).tolist()
    ([0.1, 0.5], [0, 1], [0.333, 0.667])
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must have shape (n, inputs) and y shape (n,), got "
                         f"{X.shape} and {y.shape}")
    rows, counts = np.unique(np.column_stack([X, y]), axis=0, return_counts=True)
    return rows[:, :-1], rows[:, -1].astype(np.intp), counts / len(y)


class L2:
    """The penalty ``factor * sum(W ** 2)`` added to the loss (Keras' l2).

    >>> float(l2(0.5)(np.ones((2, 2))))
    2.0
    """

    def __init__(self, factor: float = 0.01) -> None:
        self.factor = check_positive("factor", factor, allow_zero=True)

    def __call__(self, W):
        return self.factor * (W * W).sum(axis=(-2, -1))

    def grad(self, W):
        return 2.0 * self.factor * W

    def __repr__(self):
        return f"l2({self.factor:g})"


def l2(factor: float = 0.01) -> L2:
    """An L2 kernel penalty, as ``keras.regularizers.l2``.

    >>> float(l2(0.01)(np.ones((2, 3))))
    0.06
    """
    return L2(factor)


class Input:
    """The shape of one sample, as ``keras.Input(shape=(1,))``: put it first.

    ``Sequential([Input(shape=(1,)), Dense(16, ...)])`` is the same network
    as ``Sequential([Dense(16, input_shape=(1,), ...)])``; current Keras
    prefers the first spelling and warns about the second.

    >>> Input(shape=(1,))
    Input(shape=(1,))
    """

    def __init__(self, shape: tuple[int]) -> None:
        if (not isinstance(shape, tuple) or len(shape) != 1
                or not isinstance(shape[0], int) or shape[0] < 1):
            raise ValueError(f"shape must be a 1-tuple like (1,), got {shape!r}")
        self.shape = shape

    def __repr__(self):
        return f"Input(shape={self.shape})"


class Dense:
    """A fully connected layer: ``out = activation(x @ W + b)``.

    ``W`` has shape (inputs, units), ``b`` (units,). Kernels start Glorot
    uniform, biases at zero, as in Keras.

    >>> Dense(16, activation="relu")
    Dense(16, activation='relu')
    """

    def __init__(self, units: int, activation: str | None = None,
                 input_shape: tuple[int] | None = None,
                 kernel_regularizer: L2 | None = None) -> None:
        self.units = check_count("units", units)
        self.activation = check_choice(
            "activation", "linear" if activation is None else activation, ACTIVATIONS
        )
        if input_shape is not None:
            if (not isinstance(input_shape, tuple) or len(input_shape) != 1
                    or not isinstance(input_shape[0], int) or input_shape[0] < 1):
                raise ValueError(
                    f"input_shape must be a 1-tuple like (1,), got {input_shape!r}"
                )
        self.input_shape = input_shape
        if kernel_regularizer is not None and not isinstance(kernel_regularizer, L2):
            raise TypeError("kernel_regularizer must be lrcourse.l2(...) or None")
        self.kernel_regularizer = kernel_regularizer

    def forward(self, x, W, b):
        """Return the pre-activation ``z`` and the output ``activation(z)``."""
        z = x @ W + b[..., None, :]
        if self.activation == "relu":
            return z, np.maximum(z, 0.0)
        if self.activation == "sigmoid":
            return z, 1.0 / (1.0 + np.exp(-z))
        if self.activation == "tanh":
            return z, np.tanh(z)
        if self.activation == "softmax":
            e = np.exp(z - z.max(axis=-1, keepdims=True))
            return z, e / e.sum(axis=-1, keepdims=True)
        return z, z

    def backward(self, x, z, out, W, d_out, need_dx=True):
        """Given dLoss/d(out), return dLoss/dW, dLoss/db and dLoss/dx.

        For the softmax output layer, pass dLoss/dz as ``d_out`` (the
        cross-entropy's gradient is taken through the softmax in one go).
        """
        if self.activation == "relu":
            dz = d_out * (z > 0)
        elif self.activation == "sigmoid":
            dz = d_out * out * (1.0 - out)
        elif self.activation == "tanh":
            dz = d_out * (1.0 - out * out)
        else:  # linear, or softmax whose dz the loss gives directly
            dz = d_out
        dW = x.mT @ dz  # .mT transposes the last two axes
        db = dz.sum(axis=-2)
        dx = dz @ W.mT if need_dx else None  # the input layer needs no dx
        return dW, db, dx

    def __repr__(self):
        return self._describe(with_input=True)

    def _describe(self, with_input):
        extra = ""
        if with_input and self.input_shape:
            extra = f", input_shape={self.input_shape}"
        if self.kernel_regularizer is not None:
            extra += f", kernel_regularizer={self.kernel_regularizer!r}"
        return f"Dense({self.units}, activation={self.activation!r}{extra})"


class History:
    """What ``fit`` returns: per-epoch metrics in ``history``, like Keras.

    ``diverged_at`` is the 1-based update after which the loss became
    non-finite or ran away (None if training finished). ``trace`` holds the
    per-update record (see ``TrainingTrace``).

    >>> model = reference_model(seed=0)
    >>> model.fit([[0.1], [0.9]], [0, 1], epochs=2)
    History(2 epochs: loss, accuracy)
    """

    def __init__(self, history: dict[str, list[float]], epoch: list[int],
                 trace: TrainingTrace | None, diverged_at: int | None) -> None:
        self.history = history
        self.epoch = epoch
        self.trace = trace
        self.diverged_at = diverged_at

    @property
    def diverged(self):
        return self.diverged_at is not None

    def __repr__(self):
        keys = ", ".join(self.history)
        end = f", diverged at update {self.diverged_at}" if self.diverged else ""
        return f"History({len(self.epoch)} epochs: {keys}{end})"


class TrainingTrace:
    """Per-update record of a training run.

    Always: the rate used (``lrs``), the mini-batch loss before the update
    (``losses``), and the norms of the gradient and of the applied change.
    For watched weights: old value, gradient, applied change and new value.
    Full weight snapshots only when ``snapshot_every`` is set.

    >>> model = reference_model(seed=0)
    >>> trace = model.fit([[0.1], [0.9]], [0, 1], batch_size=1, epochs=2).trace
    >>> trace.updates, trace.losses.shape
    (4, (4,))
    """

    def __init__(self, total: int, watch_names: list[str],
                 snapshot_every: int | None, n_params: int) -> None:
        self.lrs = np.full(total, np.nan)
        self.losses = np.full(total, np.nan)
        self.grad_norms = np.full(total, np.nan)
        self.update_norms = np.full(total, np.nan)
        self.watch = {
            name: {key: np.full(total, np.nan)
                   for key in ("old", "grad", "change", "new")}
            for name in watch_names
        }
        self.snapshot_every = snapshot_every
        n_snap = 0 if not snapshot_every else total // snapshot_every + 1
        self.snapshots = np.full((n_snap, n_params), np.nan)
        self.updates = 0

    def trim(self):
        """Drop the unused tail after an early stop."""
        k = self.updates
        self.lrs, self.losses = self.lrs[:k], self.losses[:k]
        self.grad_norms, self.update_norms = self.grad_norms[:k], self.update_norms[:k]
        for rec in self.watch.values():
            for key in rec:
                rec[key] = rec[key][:k]
        if self.snapshot_every:
            self.snapshots = self.snapshots[: k // self.snapshot_every + 1]

    @property
    def nbytes(self):
        arrays = [self.lrs, self.losses, self.grad_norms, self.update_norms,
                  self.snapshots]
        arrays += [a for rec in self.watch.values() for a in rec.values()]
        return sum(a.nbytes for a in arrays)

    def __repr__(self):
        return (f"TrainingTrace({self.updates} updates, watching "
                f"{list(self.watch)}, {self.nbytes / 1e6:.2f} MB)")


class Sequential:
    """A stack of Dense layers with a softmax output, trained like Keras.

    ``seed`` fixes the initial weights and the shuffling stream.

    >>> model = Sequential([Input(shape=(1,)), Dense(4, activation="relu"),
    ...                     Dense(2, activation="softmax")], seed=0)
    >>> [w.shape for w in model.get_weights()]
    [(1, 4), (4,), (4, 2), (2,)]
    """

    def __init__(self, layers: list, seed: int = 0) -> None:
        if not isinstance(layers, (list, tuple)) or not layers:
            raise TypeError("layers must be a non-empty list of lrcourse.Dense")
        input_shape = None
        if isinstance(layers[0], Input):
            input_shape, layers = layers[0].shape, list(layers[1:])
            if not layers:
                raise TypeError("layers must hold at least one lrcourse.Dense")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Dense):
                raise TypeError(f"layers[{i}] must be lrcourse.Dense, got {layer!r}")
        if input_shape is not None:
            if layers[0].input_shape not in (None, input_shape):
                raise ValueError("give the input shape once: Input(shape=...) or "
                                 "input_shape=..., not two different ones")
            layers[0].input_shape = input_shape
        if layers[0].input_shape is None:
            raise ValueError("the first layer needs an input shape: start with "
                             "Input(shape=(1,)) or give input_shape=(1,)")
        for layer in layers[1:]:
            if layer.input_shape is not None:
                raise ValueError("only the first layer takes input_shape")
        for layer in layers[:-1]:
            if layer.activation == "softmax":
                raise ValueError("softmax belongs to the last layer only")
        self.layers = list(layers)
        self.seed = check_count("seed", seed, minimum=0)
        init_seq, shuffle_seq = np.random.SeedSequence(self.seed).spawn(2)
        self.shapes = []
        fan_in = layers[0].input_shape[0]
        for layer in layers:
            self.shapes += [(fan_in, layer.units), (layer.units,)]
            fan_in = layer.units
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).tolist()
        self.flat = np.zeros(self.offsets[-1])
        self.params = self.views(self.flat)
        init = np.random.default_rng(init_seq)
        for layer_index in range(len(layers)):
            W = self.params[2 * layer_index]
            limit = np.sqrt(6.0 / (W.shape[0] + W.shape[1]))  # Glorot uniform
            W[...] = init.uniform(-limit, limit, size=W.shape)
        self.shuffle_rng = np.random.default_rng(shuffle_seq)
        self.optimizer = None
        self.loss = None
        self.metrics = []

    # -- weights ------------------------------------------------------------
    def views(self, flat):
        """Kernel and bias views into a flat weight array (leading axes kept)."""
        lead = flat.shape[:-1]
        return [flat[..., a:b].reshape(lead + shape)
                for a, b, shape in zip(self.offsets, self.offsets[1:], self.shapes)]

    def weight_names(self):
        names = []
        for i in range(len(self.layers)):
            names += [f"W{i + 1}", f"b{i + 1}"]
        return names

    def get_weights(self):
        """Copies of ``[W1, b1, W2, b2, ...]``."""
        return [p.copy() for p in self.params]

    def set_weights(self, weights):
        """Replace every weight; shapes must match ``get_weights()``."""
        if not isinstance(weights, (list, tuple)) or len(weights) != len(self.params):
            raise ValueError(f"weights must be a list of {len(self.params)} arrays")
        new = []
        for name, p, w in zip(self.weight_names(), self.params, weights):
            w = np.asarray(w, dtype=float)
            if w.shape != p.shape:
                raise ValueError(f"weights for {name} must have shape {p.shape}, "
                                 f"got {w.shape}")
            if not np.all(np.isfinite(w)):
                raise ValueError(f"weights for {name} must be finite")
            new.append(w)
        for p, w in zip(self.params, new):
            p[...] = w

    def count_params(self):
        return self.offsets[-1]

    def flat_index(self, name, index=()):
        """Position of one weight, e.g. ``flat_index("W2", (3, 5))``."""
        names = self.weight_names()
        if name not in names:
            raise ValueError(f"name must be one of {names}, got {name!r}")
        i = names.index(name)
        index = (index,) if isinstance(index, (int, np.integer)) else tuple(index)
        shape = self.shapes[i]
        if len(index) != len(shape) or any(
                not 0 <= j < n for j, n in zip(index, shape)):
            raise ValueError(f"index for {name} must lie within shape {shape}, "
                             f"got {index}")
        return self.offsets[i] + int(np.ravel_multi_index(index, shape))

    # -- the maths ------------------------------------------------------------
    def forward(self, params, X):
        """Run the layers; return the cache (input, z, output) of each."""
        cache = []
        a = X
        for i, layer in enumerate(self.layers):
            z, out = layer.forward(a, params[2 * i], params[2 * i + 1])
            cache.append((a, z, out))
            a = out
        return cache

    def loss_value(self, params, cache, y, weights=None):
        """Cross-entropy of the batch (``cross_entropy``: mean, or weighted
        by ``weights``) plus the L2 penalties."""
        loss = cross_entropy(cache[-1][2], y, weights)
        for i, layer in enumerate(self.layers):
            if layer.kernel_regularizer is not None:
                loss = loss + layer.kernel_regularizer(params[2 * i])
        return loss

    def backward(self, params, cache, y, grads, weights=None):
        """Fill ``grads`` (same layout as ``params``) by backpropagation.

        The loss is ``loss_value``'s (with ``weights`` if given); as in Keras,
        its gradient ignores the clipping of the cross-entropy.
        """
        probs = cache[-1][2]
        d = probs.copy()
        d[..., np.arange(len(y)), y] -= 1.0  # softmax + cross-entropy: p - onehot
        if weights is None:
            d /= len(y)
        else:
            d *= weights[:, None]
        for i in reversed(range(len(self.layers))):
            layer = self.layers[i]
            x, z, out = cache[i]
            W = params[2 * i]
            dW, db, d = layer.backward(x, z, out, W, d, need_dx=i > 0)
            if layer.kernel_regularizer is not None:
                dW = dW + layer.kernel_regularizer.grad(W)
            grads[2 * i][...] = dW
            grads[2 * i + 1][...] = db

    @property
    def n_inputs(self):
        """The number of input features (the width of ``X``)."""
        return self.shapes[0][0]

    @property
    def n_classes(self):
        """The number of classes (the width of the softmax output)."""
        return self.shapes[-1][0]

    # -- the Keras-like interface -----------------------------------------------
    def compile(self, optimizer: str | _optimizers.Optimizer = "adam",
                loss: str = "sparse_categorical_crossentropy",
                metrics: list[str] | None = None) -> None:
        """Choose the optimizer (an instance or a name), loss and metrics."""
        check_choice("loss", loss, LOSSES)
        if self.layers[-1].activation != "softmax":
            raise ValueError(
                "sparse_categorical_crossentropy expects a softmax last layer "
                "(its outputs are read as class probabilities that sum to 1)"
            )
        metrics = check_names("metrics", metrics, ("accuracy",))
        self.optimizer = _optimizers.get(optimizer)
        self.loss = loss
        self.metrics = metrics

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities, shape (n, classes)."""
        X = check_X(X, n_inputs=self.n_inputs)
        with np.errstate(all="ignore"):
            return self.forward(self.params, X)[-1][2]

    def loss_and_gradients(self, X, y):
        """The loss (with L2 penalties, as Keras) and copies of its gradients."""
        X, y = check_Xy(X, y, n_inputs=self.n_inputs, n_classes=self.n_classes)
        grads = [np.zeros_like(p) for p in self.params]
        with np.errstate(all="ignore"):
            cache = self.forward(self.params, X)
            loss = self.loss_value(self.params, cache, y)
            self.backward(self.params, cache, y, grads)
        return float(loss), grads

    def evaluate(self, X: ArrayLike, y: ArrayLike) -> tuple[float, float]:
        """``(loss, accuracy)`` on a data set, without updating anything."""
        X, y = check_Xy(X, y, n_inputs=self.n_inputs, n_classes=self.n_classes)
        with np.errstate(all="ignore"):
            cache = self.forward(self.params, X)
            loss = float(self.loss_value(self.params, cache, y))
            acc = float(np.mean(cache[-1][2].argmax(axis=-1) == y))
        return loss, acc

    def dead_units(self, X: ArrayLike) -> list[float]:
        """For each ReLU layer, the fraction of units that output 0 for every X."""
        X = check_X(X, n_inputs=self.n_inputs)
        with np.errstate(all="ignore"):
            cache = self.forward(self.params, X)
        return dead_fractions(self.layers, cache).tolist()

    def fit(self, X: ArrayLike, y: ArrayLike, batch_size: int = 32, epochs: int = 1,
            shuffle: bool = True, seed: Seed | None = None, verbose: int = 0,
            validation_data: tuple[ArrayLike, ArrayLike] | None = None,
            trace: bool = True, watch: list[tuple[str, tuple]] | None = None,
            snapshot_every: int | None = None) -> History:
        """Train with mini-batches; return a ``History``.

        Args:
            batch_size, epochs: integers >= 1 (the last batch may be smaller).
            shuffle: reshuffle the samples every epoch.
            seed: reseeds the shuffling; without it the stream continues, so
                two calls of 10 and 20 epochs equal one call of 30.
            verbose: 1 prints one line per epoch.
            validation_data: ``(X_val, y_val)`` scored after every epoch.
            trace: record per-update rates, losses and norms.
            watch: names like ``("W2", (3, 5))`` whose old value, gradient,
                change and new value are recorded at every update.
            snapshot_every: store all weights every this many updates.

        The compiled optimizer's state (step count, moments) carries on from
        one ``fit`` to the next, as in Keras; compiling with a new optimizer
        starts afresh.
        Training stops at the first update that diverges
        (``lrcourse.engine``'s rule, against this call's first mini-batch
        loss; weights grown beyond 1e12 in size count too).
        """
        X, y, val, watch, shuffle, trace, rng = self._check_fit(
            X, y, batch_size, epochs, shuffle, seed, verbose, trace,
            validation_data, watch, snapshot_every)
        if rng is not None:  # every argument is checked before anything changes
            self.shuffle_rng = rng
        n = len(y)
        rec = TrainingTrace(-(-n // batch_size) * epochs if trace else 0,
                            [w[0] for w in watch], snapshot_every if trace else None,
                            self.count_params())
        run = _FitRun(self, rec if trace else None, watch)
        keys = ["loss"] + (["accuracy"] if "accuracy" in self.metrics else [])
        history = {k: [] for k in keys + ["val_" + k for k in keys if val]}
        done = []
        with np.errstate(all="ignore"):
            for epoch in range(epochs):
                order = epoch_order(self.shuffle_rng, n, shuffle)
                seen = run.epoch(X[order], y[order], batch_size)
                run.finish()
                if seen:
                    self._log_epoch(history, run, seen, val)
                    done.append(epoch)
                    if verbose:
                        print(_epoch_line(history, epoch, epochs, len(done)))
                if run.watch.at[0]:
                    if verbose:
                        print(f"Diverged at update {run.watch.at[0]}: loss "
                              "non-finite or more than 1e6 times its start, or "
                              "weights beyond 1e12 in size")
                    break
        if trace:
            rec.trim()
        return History(history, done, rec if trace else None,
                       run.watch.diverged_at[0])

    def _check_fit(self, X, y, batch_size, epochs, shuffle, seed, verbose, trace,
                   validation_data, watch, snapshot_every):
        """Check ``fit``'s arguments before anything changes."""
        if self.optimizer is None:
            raise ValueError("call compile(optimizer=...) before fit")
        X, y = check_Xy(X, y, n_inputs=self.n_inputs, n_classes=self.n_classes)
        check_count("batch_size", batch_size)
        check_count("epochs", epochs)
        shuffle = check_flag("shuffle", shuffle)
        trace = check_flag("trace", trace)
        if verbose not in (0, 1) or isinstance(verbose, str):
            raise ValueError(f"verbose must be 0 or 1, got {verbose!r}")
        rng = None if seed is None else check_rng(seed, "seed")
        val = None
        if validation_data is not None:
            val = check_validation_data(
                validation_data, n_inputs=self.n_inputs, n_classes=self.n_classes)
        pairs = []
        for name, idx in _check_watch(watch):
            try:
                pairs.append((self._watch_name(name, idx), self.flat_index(name, idx)))
            except ValueError as err:
                raise ValueError(f"watch: {err}") from None
        if snapshot_every is not None:
            check_count("snapshot_every", snapshot_every)
        return X, y, val, pairs, shuffle, trace, rng

    def _watch_name(self, name, idx):
        return f"{name}[{', '.join(str(int(i)) for i in np.atleast_1d(idx))}]"

    def _log_epoch(self, history, run, seen, val):
        history["loss"].append(run.loss_sum / seen)
        if "accuracy" in history:
            history["accuracy"].append(run.correct / seen)
        if val is not None and not run.watch.at[0]:
            val_loss, val_acc = self.evaluate(*val)
            history["val_loss"].append(val_loss)
            if "val_accuracy" in history:
                history["val_accuracy"].append(val_acc)

    def __repr__(self):
        parts = [f"Input(shape={self.layers[0].input_shape})"]
        parts += [layer._describe(with_input=False) for layer in self.layers]
        inner = ",\n    ".join(parts)
        return (f"Sequential([\n    {inner},\n], seed={self.seed})  "
                f"# {self.count_params()} weights")


def _check_watch(watch):
    """``watch`` as a list of ``(name, index)`` pairs (None: none)."""
    if watch is None:
        return []
    if (isinstance(watch, str) or not isinstance(watch, (list, tuple))
            or not all(isinstance(w, (list, tuple)) and len(w) == 2 for w in watch)):
        raise TypeError('watch must be a list of (name, index) pairs such as '
                        f'[("W2", (3, 5))], got {watch!r}')
    return list(watch)


def _epoch_line(history, epoch, epochs, done):
    line = " - ".join(f"{k}: {v[-1]:.4f}" for k, v in history.items()
                      if len(v) == done)
    return f"Epoch {epoch + 1}/{epochs} - {line}"


class _FitRun:
    """One ``fit`` call's loop state: the gradient buffer, the divergence
    watch (one row) and the per-update record."""

    def __init__(self, model, rec, watch):
        self.model, self.rec, self.watched = model, rec, watch
        self.opt = model.optimizer
        self.grad_flat = np.zeros_like(model.flat)
        self.grads = model.views(self.grad_flat)
        self.watch = Watch(1)
        self.taken = 0  # updates applied by this call
        self.loss_sum = self.correct = 0.0

    def epoch(self, X, y, batch_size):
        """Run the epoch's mini-batches; return the samples seen (fewer when
        the run diverged)."""
        model = self.model
        self.loss_sum = self.correct = seen = 0.0
        for start in batch_starts(len(y), batch_size):
            xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            cache = model.forward(model.params, xb)
            loss = float(model.loss_value(model.params, cache, yb))
            if self.taken == 0 and self.watch.limit is None:
                self.watch.start(loss)
            elif self.watch.check(self.taken, loss, model.flat):
                break  # the update before this batch ran away
            model.backward(model.params, cache, yb, self.grads)
            self.loss_sum += loss * len(yb)
            self.correct += np.sum(cache[-1][2].argmax(axis=-1) == yb)
            seen += len(yb)
            self.update(loss)
        return seen

    def finish(self):
        """Judge the weights the epoch's last update left before the epoch is
        scored (later updates are judged with the next batch's loss)."""
        if self.taken and not self.watch.at[0]:
            self.watch.check(self.taken, None, self.model.flat)

    def update(self, loss):
        """One optimizer step (the compiled optimizer's own state), recorded."""
        flat, grad_flat, rec = self.model.flat, self.grad_flat, self.rec
        k = rec.updates if rec is not None else 0
        if rec is not None:
            rec.lrs[k] = self.opt.learning_rate
            rec.losses[k] = loss
            rec.grad_norms[k] = np.sqrt(grad_flat @ grad_flat)
            if rec.snapshot_every and k % rec.snapshot_every == 0:
                rec.snapshots[k // rec.snapshot_every] = flat
            for name, at in self.watched:
                rec.watch[name]["old"][k] = flat[at]
                rec.watch[name]["grad"][k] = grad_flat[at]
        # the update: every weight moves by the optimizer's change
        change = self.opt.continue_state([flat], [grad_flat])[0]
        self.taken += 1
        if rec is not None:
            rec.update_norms[k] = np.sqrt(change @ change)
            for name, at in self.watched:
                rec.watch[name]["change"][k] = change[at]
                rec.watch[name]["new"][k] = flat[at]
            rec.updates += 1


def reference_model(seed: int = 0, lr: float = 1e-4, optimizer: str = "adam"
                    ) -> Sequential:
    """The course's reference network, compiled as in the original Keras code:
    Dense(16, relu) -> Dense(32, relu, l2(0.01)) -> Dense(2, softmax), Adam 1e-4.

    >>> reference_model(seed=0).count_params()
    642
    """
    model = Sequential([
        Dense(16, input_shape=(1,), activation="relu"),
        Dense(32, activation="relu", kernel_regularizer=l2(0.01)),
        Dense(2, activation="softmax"),
    ], seed=seed)
    optimizer = check_choice("optimizer", optimizer, ("adam", "sgd"))
    lr = check_lr(lr)
    opt = {"adam": _optimizers.Adam, "sgd": _optimizers.SGD}[optimizer](lr=lr)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model
