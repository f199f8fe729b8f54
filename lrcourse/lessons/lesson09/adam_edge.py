"""Adam at the edge of stability: the preconditioned sharpness.

lrcourse's Adam (Keras 3's) changes the weights by
``-lr sqrt(1 - beta_2^t) / (1 - beta_1^t) m / (sqrt(v) + epsilon)``. Written as
``-lr P^-1 m`` (Cohen et al., "Adaptive Gradient Methods at the Edge of
Stability", 2022), the preconditioner is the diagonal

    P = (1 - beta_1^t) (sqrt(v) + epsilon) / sqrt(1 - beta_2^t),

i.e. ``(1 - beta_1^t) (sqrt(v_hat) + epsilon_hat)`` with ``v_hat`` the
bias-corrected second moment. On a bowl with Hessian ``H``, heavy-ball
momentum of this form (an average ``m`` of past gradients, weight
``1 - beta_1``) is stable while the top eigenvalue of ``P^-1 H`` stays under
``(2 + 2 beta_1) / ((1 - beta_1) lr)``: 38/lr for ``beta_1 = 0.9``. Full-batch
Adam's *preconditioned sharpness*, measured over the weights the data moves
(``live_weights``), climbs to just under that line and hovers there, while
the plain sharpness goes its own way.

>>> from .analysis import trial_subset
>>> X, y = trial_subset(n=420)
>>> run = adam_edge_run(0.01, X, y, steps=20, every=10)
>>> run.preconditioned.shape, round(run.ceiling)
((2,), 3800)
"""

import numpy as np

from ... import hessian
from ..._validate import check_count, check_fraction, check_model_data, check_positive
from ...engine import Watch
from ...model import reference_model
from ...optimizers import Adam


def adam_threshold(lr, beta_1=0.9):
    """``(2 + 2 beta_1) / ((1 - beta_1) lr)``: the largest preconditioned
    curvature at which Adam's update (with ``beta_1``) is stable on a bowl.

    >>> round(adam_threshold(0.01))
    3800
    """
    lr = check_positive("lr", lr)
    beta_1 = check_fraction("beta_1", beta_1)
    return (2.0 + 2.0 * beta_1) / ((1.0 - beta_1) * lr)


def adam_preconditioner(optimizer, state):
    """The diagonal of ``P`` after the updates of ``state`` (an
    ``optimizer.init`` / ``optimizer.update`` state of one flat vector):
    ``(1 - beta_1^t) (sqrt(v) + epsilon) / sqrt(1 - beta_2^t)``."""
    t = state["t"]
    if t < 1:
        raise ValueError("the preconditioner exists after the first update")
    v = state["slots"][0]["v"]
    scale = (1.0 - optimizer.beta_1**t) / np.sqrt(1.0 - optimizer.beta_2**t)
    return scale * (np.sqrt(v) + optimizer.epsilon)


class AdamEdgeRun:
    """One full-batch Adam run with both sharpnesses traced.

    Attributes:
        lr, beta_1: the rate and Adam's beta_1; ``ceiling`` is
            ``adam_threshold(lr, beta_1)``.
        losses: the loss before each update and after the last.
        measured_at: the updates after which the sharpnesses were measured.
        preconditioned: the top eigenvalue of ``P^-1 H`` there.
        sharpness: the plain sharpness (top eigenvalue of ``H``) there.
    """

    def __init__(self, lr, beta_1, losses, measured_at, preconditioned, sharpness):
        self.lr, self.beta_1, self.losses = lr, beta_1, losses
        self.measured_at = measured_at
        self.preconditioned, self.sharpness = preconditioned, sharpness

    @property
    def ceiling(self):
        return adam_threshold(self.lr, self.beta_1)

    @property
    def steps(self):
        return len(self.losses) - 1

    def plateau(self, start=None):
        """Median preconditioned sharpness from update ``start`` on (default:
        the second half), as a fraction of ``ceiling``."""
        start = self.steps // 2 if start is None else start
        values = self.preconditioned[self.measured_at >= start]
        return float(np.median(values)) / self.ceiling

    def __repr__(self):
        return (f"AdamEdgeRun(lr={self.lr:.4g}, beta_1={self.beta_1:g}, "
                f"{self.steps} updates, plateau {self.plateau():.2f} x threshold)")


def data_gradient(model, flat, grad):
    """``grad`` (the loss's gradient at ``flat``) without the L2 penalties'
    part: the gradient of the cross-entropy alone."""
    penalty = np.zeros_like(grad)
    params, parts = model.views(np.asarray(flat, dtype=float)), model.views(penalty)
    for i, layer in enumerate(model.layers):
        if layer.kernel_regularizer is not None:
            parts[2 * i][...] = layer.kernel_regularizer.grad(params[2 * i])
    return grad - penalty


def live_weights(model, flat, grad, floor=1e-8):
    """The weights whose data gradient is at least ``floor`` in size. The
    rest (a dead ReLU's weights) are held only by the L2 penalty; Adam's
    denominator for them shrinks towards epsilon, so they are left out of
    the preconditioned sharpness."""
    return np.abs(data_gradient(model, flat, grad)) >= floor


def _start(previous, rng, n, mask=None):
    """A Lanczos start: the last top eigenvector plus a random part of the
    same size, so that a larger eigenvalue appearing elsewhere is found."""
    r = rng.standard_normal(n)
    q = r if previous is None else previous + r / np.linalg.norm(r)
    return q if mask is None else q * mask


def _measure(model, w, data, optimizer, state, grad, starts, rng, iterations):
    """Both sharpnesses at ``w``: (preconditioned over the live weights,
    plain), updating ``starts`` with the new top eigenvectors."""
    Xd, yd, share = data
    mask = live_weights(model, w, grad)
    p = np.where(mask, adam_preconditioner(optimizer, state), 1.0)
    n = len(w)
    s = mask / np.sqrt(p)
    pre, starts[0] = hessian.lanczos(
        lambda v: s * hessian.hvp(model, w, Xd, yd, s * v, share), n,
        iterations=iterations, start=_start(starts[0], rng, n, mask))
    plain, starts[1] = hessian.lanczos(
        lambda v: hessian.hvp(model, w, Xd, yd, v, share), n,
        iterations=iterations, start=_start(starts[1], rng, n))
    starts[0], starts[1] = starts[0][:, -1], starts[1][:, -1]
    return float(pre[-1]), float(plain[-1])


def adam_edge_run(lr, X, y, steps=1000, every=10, seed=0, beta_1=0.9,
                  beta_2=0.999, epsilon=1e-7, iterations=20):
    """Full-batch Adam on the reference network, both sharpnesses traced.

    Every ``every`` updates (from update ``every`` on) the top eigenvalues of
    ``P^-1 H`` (as ``P^-1/2 H P^-1/2``, over the live weights, see
    ``live_weights``) and of ``H`` are measured by Lanczos with
    ``iterations`` steps, each started from its previous top eigenvector plus
    a random part (seeded by ``seed``). Returns an ``AdamEdgeRun``.
    """
    lr, steps = check_positive("lr", lr), check_count("steps", steps)
    every = check_count("every", every)
    iterations = check_count("iterations", iterations, minimum=2)
    optimizer = Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2,
                     epsilon=epsilon)
    model = reference_model(seed=seed, optimizer="sgd", lr=lr)
    X, y, _ = check_model_data(model, X, y)
    data, rng = hessian.distinct(X, y), np.random.default_rng(seed)
    w, state = model.flat.copy(), optimizer.init([model.flat])
    measured = np.arange(every, steps + 1, every)
    losses = np.full(steps + 1, np.nan)
    pre, plain = np.full(len(measured), np.nan), np.full(len(measured), np.nan)
    starts, watch = [None, None], Watch(1)
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            losses[k], grad = hessian.gradient(model, w, *data)
            if k == 0:
                watch.start(losses[0])
            elif watch.check(k, losses[k], w):
                break
            j = (k // every) - 1
            if k % every == 0 and j >= 0:
                pre[j], plain[j] = _measure(model, w, data, optimizer, state, grad,
                                            starts, rng, iterations)
            if k < steps:
                changes, state = optimizer.update([grad], state, lr)
                w = w + changes[0]
    return AdamEdgeRun(lr, beta_1, losses, measured, pre, plain)


def adam_readout(run):
    """Three lines: the threshold, where the preconditioned sharpness hovers
    over the second half, and the plain sharpness against 2/lr."""
    half = run.steps // 2
    plain = run.sharpness[np.isfinite(run.sharpness)]

    def big(x):
        return f"{x:.0f}" if abs(x) >= 100 else f"{x:.3g}"

    return "\n".join([
        f"Adam lr {run.lr:g}, beta_1 {run.beta_1:g}: threshold "
        f"(2 + 2 beta_1) / ((1 - beta_1) lr) = {big(run.ceiling)}",
        f"preconditioned sharpness, median of updates {half}-{run.steps}: "
        f"{big(run.plateau() * run.ceiling)} = {run.plateau():.2f} x threshold",
        f"plain sharpness at update {run.measured_at[len(plain) - 1]}: "
        f"{plain[-1]:.3g}   (2/lr = {big(2 / run.lr)})",
    ])
