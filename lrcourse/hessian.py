"""Curvature of a network's loss: exact Hessian-vector products and sharpness.

The Hessian ``H`` of the loss holds every second derivative with respect to
the weights; its largest eigenvalue is the loss's *sharpness*, the curvature
lambda of its steepest direction. For the reference network ``H`` has
642 x 642 entries, but we never need to store it: ``H @ v`` for one direction
``v`` costs about two gradients, and an eigenvalue solver asks for nothing
else.

``H @ v`` is computed exactly with Pearlmutter's R-operator: we run the
forward and backward passes of ``lrcourse.model`` again, carrying beside
every quantity ``q`` its directional derivative ``R(q) = d/dt q(w + t v)``
at ``t = 0``. The R-version of the gradient is ``H @ v``. Each line below
differentiates one line of ``Dense.forward``, ``Sequential.loss_value`` or
``Sequential.backward`` (the product rule does all the work). ReLU's
second derivative is zero away from its kink, so ``R(relu(z)) =
relu'(z) R(z)``; a finite difference of gradients would instead jump
wherever a step ``t v`` moves a unit across its kink.

The sharpness is the largest *algebraic* eigenvalue. A network's Hessian has
negative eigenvalues too (down to -0.24 for the reference network at its
initial weights on the lesson's data), and plain power iteration finds the
eigenvalue of largest *magnitude*, which can be a negative one. So
``top_eigenvalue`` uses the Lanczos method, which finds both ends of the
spectrum at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._validate import (
    ArrayLike,
    Callable,
    Seed,
    check_count,
    check_model,
    check_rng,
    check_Xy,
)
from .model import distinct_rows as distinct  # noqa: F401 (lesson 09 reads it here)

if TYPE_CHECKING:
    from .model import Sequential

#: Activations whose first and second derivatives ``hvp`` knows.
SUPPORTED = ("linear", "relu", "sigmoid", "tanh")


def _split(model, flat):
    """Kernel/bias views of a flat vector, with a clear error for bad shapes."""
    flat = np.asarray(flat, dtype=float)
    if flat.shape != (model.count_params(),):
        raise ValueError(f"the weight vector must have shape "
                         f"({model.count_params()},), got {flat.shape}")
    return model.views(flat)


def _derivatives(activation, z, out):
    """``f'(z)`` and ``f''(z)`` of a hidden layer's activation."""
    if activation == "relu":
        return (z > 0).astype(float), np.zeros_like(z)
    if activation == "sigmoid":
        d1 = out * (1.0 - out)
        return d1, d1 * (1.0 - 2.0 * out)
    if activation == "tanh":
        d1 = 1.0 - out * out
        return d1, -2.0 * out * d1
    return np.ones_like(z), np.zeros_like(z)


def check_network(model: Sequential) -> None:
    """Raise unless ``model``'s layers are ones ``hvp`` can differentiate.

    >>> from lrcourse import reference_model
    >>> check_network(reference_model())  # raises for a layer hvp cannot handle
    """
    layers = check_model(model).layers
    if layers[-1].activation != "softmax":
        raise ValueError("model must end in a softmax layer (cross-entropy loss)")
    for i, layer in enumerate(layers[:-1]):
        if layer.activation not in SUPPORTED:
            raise ValueError(f"layer {i} activation must be one of {SUPPORTED}, "
                             f"got {layer.activation!r}")



def _samples(model, X, y, weights):
    """``X``, ``y`` checked for ``model`` and the per-sample weights."""
    X, y = check_Xy(X, y, n_inputs=model.n_inputs, n_classes=model.n_classes)
    return X, y, _weights(weights, y)


def _weights(weights, y):
    if weights is None:
        return np.full(len(y), 1.0 / len(y))
    weights = np.asarray(weights, dtype=float)
    if weights.shape != y.shape:
        raise ValueError(f"weights must be {len(y)} numbers (one per sample), "
                         f"got shape {weights.shape}")
    return weights


def gradient(model: Sequential, flat: ArrayLike, X: ArrayLike, y: ArrayLike,
             weights: ArrayLike | None = None) -> tuple[float, np.ndarray]:
    """The loss and its gradient (a flat vector) at the weights ``flat``.

    The loss is ``model.loss_value``'s: cross-entropy plus L2 penalties, the
    cross-entropy summed with ``weights`` (default ``1/n`` each; see
    ``distinct``), and the gradient ``model.backward``'s.

    >>> from lrcourse import reference_model
    >>> model = reference_model(seed=0)
    >>> loss, g = gradient(model, model.flat, [[0.2], [0.9]], [0, 1])
    >>> g.shape
    (642,)
    """
    X, y, weights = _samples(model, X, y, weights)
    params = _split(model, flat)
    out = np.zeros(model.count_params())
    with np.errstate(all="ignore"):
        cache = model.forward(params, X)
        loss = model.loss_value(params, cache, y, weights)
        model.backward(params, cache, y, model.views(out), weights)
    return float(loss), out


def hvp(model: Sequential, flat: ArrayLike, X: ArrayLike, y: ArrayLike,
        v: ArrayLike, weights: ArrayLike | None = None) -> np.ndarray:
    """The exact Hessian-vector product ``H(flat) @ v`` of the model's loss.

    The loss is the one ``gradient`` differentiates: ``model.loss_value``
    (mean cross-entropy plus L2 penalties), or its weighted form.

    Args:
        model: an ``lrcourse.Sequential`` (hidden layers linear, relu,
            sigmoid or tanh; softmax output).
        flat: the weights, a flat vector of ``model.count_params()`` numbers.
        X, y: inputs of shape (n, inputs) and integer labels of shape (n,).
        v: a direction, a flat vector like ``flat``.
        weights: optional per-sample weights (default ``1/n`` each).

    Returns:
        ``H @ v`` as a flat vector.

    >>> import lrcourse
    >>> m = lrcourse.reference_model(seed=0)
    >>> X, y = np.array([[0.2], [0.9]]), np.array([0, 1])
    >>> hvp(m, m.flat, X, y, np.ones(m.count_params())).shape
    (642,)
    """
    check_network(model)
    X, y, weights = _samples(model, X, y, weights)
    weights = weights[:, None]
    params = _split(model, flat)
    dirs = _split(model, v)
    out = np.zeros(model.count_params())
    r_grads = model.views(out)
    with np.errstate(all="ignore"):
        # forward pass, with the R-version of every quantity beside it
        cache = model.forward(params, X)
        r_cache = _r_forward(model, params, dirs, X, cache)

        # backward pass: dz = weight * (p - onehot), so R(dz) = weight * R(p)
        dz = cache[-1][2].copy()
        dz[np.arange(len(y)), y] -= 1.0
        dz *= weights
        r_dz = r_cache[-1][2] * weights
        da = r_da = None  # dLoss/d(layer output) and its R, from the layer above
        for i in reversed(range(len(model.layers))):
            layer = model.layers[i]
            a, z, a_out = cache[i]
            r_a = r_cache[i][0]
            W, VW = params[2 * i], dirs[2 * i]
            if da is not None:  # a hidden layer: dz = da * f'(z)
                d1, d2 = _derivatives(layer.activation, z, a_out)
                r_dz = r_da * d1 + da * d2 * r_cache[i][1]
                dz = da * d1
            # dW = a^T dz (+ 2 c W), db = sum(dz), da_prev = dz W^T
            r_dW = r_a.T @ dz + a.T @ r_dz
            if layer.kernel_regularizer is not None:
                r_dW = r_dW + layer.kernel_regularizer.grad(VW)  # 2 c V_W
            r_grads[2 * i][...] = r_dW
            r_grads[2 * i + 1][...] = r_dz.sum(axis=0)
            if i > 0:  # da_prev = dz W^T, product rule
                da, r_da = dz @ W.T, r_dz @ W.T + dz @ VW.T
    return out


def _r_forward(model, params, dirs, X, cache):
    """R(input), R(z), R(output) of every layer: the forward pass
    differentiated along the direction ``dirs``."""
    r_in = np.zeros_like(X)  # the inputs do not depend on the weights
    r_cache = []
    for i, layer in enumerate(model.layers):
        a, z, a_out = cache[i]
        W, VW, Vb = params[2 * i], dirs[2 * i], dirs[2 * i + 1]
        r_z = r_in @ W + a @ VW + Vb  # z = a W + b, product rule
        if layer.activation == "softmax":
            # p = softmax(z): R(p) = p * (R(z) - sum(p R(z)))
            r_out = a_out * (r_z - np.sum(a_out * r_z, axis=-1, keepdims=True))
        else:
            d1, _ = _derivatives(layer.activation, z, a_out)
            r_out = d1 * r_z  # a = f(z): R(a) = f'(z) R(z)
        r_cache.append((r_in, r_z, r_out))
        r_in = r_out
    return r_cache


def full_hessian(model: Sequential, flat: ArrayLike, X: ArrayLike, y: ArrayLike,
                 weights: ArrayLike | None = None) -> np.ndarray:
    """The whole Hessian, column ``j`` being ``H @ e_j`` (for checks only).

    Exact products give a matrix that is symmetric up to rounding, as a
    Hessian must be; it is returned as built (not symmetrised), so a test can
    check that. ``np.linalg.eigvalsh(H)`` then gives every curvature.

    >>> from lrcourse import Dense, Input, Sequential
    >>> tiny = Sequential([Input(shape=(1,)), Dense(2, activation="softmax")])
    >>> H = full_hessian(tiny, tiny.flat, [[0.2], [0.9]], [0, 1])
    >>> H.shape, bool(np.allclose(H, H.T))
    ((4, 4), True)
    """
    n = model.count_params()
    H = np.empty((n, n))
    e = np.zeros(n)
    for j in range(n):
        e[j] = 1.0
        H[:, j] = hvp(model, flat, X, y, e, weights)
        e[j] = 0.0
    return H


def lanczos(matvec: Callable[[np.ndarray], np.ndarray], n: int,
            iterations: int = 30, rng: Seed = 0, start: ArrayLike | None = None
            ) -> tuple[np.ndarray, np.ndarray]:
    """Extreme eigenvalues of a symmetric operator by the Lanczos method.

    Builds an orthonormal basis ``Q`` of the Krylov space spanned by
    ``start, A start, A^2 start, ...`` (fully re-orthogonalised), and the
    small tridiagonal matrix ``T = Q^T A Q``; the eigenvalues of ``T`` (Ritz
    values) approach the largest and smallest eigenvalues of ``A`` first.

    Args:
        matvec: ``v -> A @ v`` for a symmetric ``A`` of size ``n``.
        iterations: size of the Krylov space (at most ``n``).
        rng: generator or seed for the random start vector.
        start: an optional start vector (e.g. the last top eigenvector,
            which speeds up tracking a slowly changing matrix).

    Returns:
        ``(ritz_values, ritz_vectors)``, values ascending; the vectors are the
        columns of an (n, k) array.

    >>> A = np.diag([3.0, 1.0, -5.0])
    >>> vals, _ = lanczos(lambda v: A @ v, 3, iterations=3)
    >>> [round(float(x), 6) for x in vals]
    [-5.0, 1.0, 3.0]
    """
    n = check_count("n", n)
    iterations = min(check_count("iterations", iterations), n)
    rng = check_rng(rng)
    q = rng.standard_normal(n) if start is None else np.array(start, dtype=float)
    if q.shape != (n,) or not np.all(np.isfinite(q)) or not np.any(q):
        raise ValueError(f"start must be a finite, non-zero vector of length {n}")
    Q = np.zeros((iterations, n))
    alpha = np.zeros(iterations)
    beta = np.zeros(iterations)
    q = q / np.linalg.norm(q)
    k = 0
    for k in range(iterations):
        Q[k] = q
        w = matvec(q)
        alpha[k] = q @ w
        # subtract the components along every earlier basis vector (twice,
        # for numerical safety): full re-orthogonalisation
        for _ in range(2):
            w = w - Q[: k + 1].T @ (Q[: k + 1] @ w)
        b = np.linalg.norm(w)
        if k + 1 == iterations or b < 1e-10 * max(1.0, abs(alpha[k])):
            break
        beta[k] = b
        q = w / b
    m = k + 1
    T = np.diag(alpha[:m]) + np.diag(beta[: m - 1], 1) + np.diag(beta[: m - 1], -1)
    values, vectors = np.linalg.eigh(T)
    return values, Q[:m].T @ vectors


def top_eigenvalue(model: Sequential, flat: ArrayLike, X: ArrayLike, y: ArrayLike,
                   iterations: int = 30, rng: Seed = 0,
                   start: ArrayLike | None = None,
                   weights: ArrayLike | None = None) -> tuple[float, np.ndarray]:
    """The sharpness: the largest algebraic eigenvalue of the loss's Hessian.

    Returns ``(value, vector)``; pass ``vector`` as ``start`` next time to
    follow the sharpness along a training run cheaply.

    >>> import lrcourse
    >>> m = lrcourse.reference_model(seed=0)
    >>> X, y = np.linspace(0, 1, 20)[:, None], np.arange(20) % 2
    >>> value, _ = top_eigenvalue(m, m.flat, X, y)
    >>> value > 0
    True
    """
    flat = np.asarray(flat, dtype=float)
    values, vectors = lanczos(lambda v: hvp(model, flat, X, y, v, weights),
                              model.count_params(), iterations=iterations, rng=rng,
                              start=start)
    return float(values[-1]), vectors[:, -1]


def sharpness(model: Sequential, X: ArrayLike, y: ArrayLike, iterations: int = 30,
              rng: Seed = 0) -> float:
    """The sharpness of ``model``'s loss on ``X, y`` at its current weights:
    ``top_eigenvalue(model, model.flat, X, y)``'s value alone.

    >>> import lrcourse
    >>> m = lrcourse.reference_model(seed=0)
    >>> X, y = np.linspace(0, 1, 20)[:, None], np.arange(20) % 2
    >>> sharpness(m, X, y) == top_eigenvalue(m, m.flat, X, y)[0]
    True
    """
    return top_eigenvalue(model, model.flat, X, y, iterations=iterations, rng=rng)[0]


def finite_difference_hvp(model: Sequential, flat: ArrayLike, X: ArrayLike,
                          y: ArrayLike, v: ArrayLike, eps: float = 1e-6,
                          weights: ArrayLike | None = None) -> np.ndarray:
    """``H @ v`` estimated from two gradients: ``(g(w + eps v) - g(w - eps v))
    / (2 eps)``.

    Fine where no unit's pre-activation changes sign between ``w - eps v`` and
    ``w + eps v``; across a ReLU kink the gradient jumps, and dividing the jump
    by ``2 eps`` gives a spike. Shown in the lesson as the method to avoid.

    >>> from lrcourse import Dense, Input, Sequential
    >>> tiny = Sequential([Input(shape=(1,)), Dense(2, activation="softmax")])
    >>> X, y, v = [[0.2], [0.9]], [0, 1], np.ones(4)
    >>> exact = hvp(tiny, tiny.flat, X, y, v)
    >>> bool(np.allclose(finite_difference_hvp(tiny, tiny.flat, X, y, v), exact))
    True
    """
    flat = np.asarray(flat, dtype=float)
    v = np.asarray(v, dtype=float)
    if not (isinstance(eps, (int, float)) and eps > 0):
        raise ValueError(f"eps must be a number > 0, got {eps!r}")
    _, g_plus = gradient(model, flat + eps * v, X, y, weights)
    _, g_minus = gradient(model, flat - eps * v, X, y, weights)
    return (g_plus - g_minus) / (2.0 * eps)


def preconditioned_top_eigenvalue(model: Sequential, flat: ArrayLike, X: ArrayLike,
                                  y: ArrayLike, preconditioner: ArrayLike,
                                  iterations: int = 30, rng: Seed = 0,
                                  start: ArrayLike | None = None,
                                  weights: ArrayLike | None = None
                                  ) -> tuple[float, np.ndarray]:
    """The preconditioned sharpness: the largest eigenvalue of ``P^-1 H``.

    ``P`` is a diagonal preconditioner given by its diagonal
    ``preconditioner`` (every entry > 0), as in an update ``w -= lr P^-1 m``
    (Adam's, see lesson 09). ``P^-1 H`` is not symmetric, but it has the
    eigenvalues of the symmetric ``P^-1/2 H P^-1/2``, which Lanczos handles;
    the vector returned is that operator's top eigenvector (pass it as
    ``start`` next time).

    >>> from lrcourse import Dense, Input, Sequential
    >>> tiny = Sequential([Input(shape=(1,)), Dense(2, activation="softmax")])
    >>> X, y = [[0.2], [0.9]], [0, 1]
    >>> plain, _ = top_eigenvalue(tiny, tiny.flat, X, y)
    >>> halved, _ = preconditioned_top_eigenvalue(tiny, tiny.flat, X, y,
    ...                                           np.full(4, 2.0))
    >>> bool(np.isclose(halved, plain / 2))
    True
    """
    flat = np.asarray(flat, dtype=float)
    p = np.asarray(preconditioner, dtype=float)
    if p.shape != flat.shape or not np.all(np.isfinite(p)) or np.any(p <= 0):
        raise ValueError(f"preconditioner must be {flat.size} finite numbers > 0 "
                         "(the diagonal of P)")
    s = 1.0 / np.sqrt(p)
    values, vectors = lanczos(lambda v: s * hvp(model, flat, X, y, s * v, weights),
                              model.count_params(), iterations=iterations, rng=rng,
                              start=start)
    return float(values[-1]), vectors[:, -1]
