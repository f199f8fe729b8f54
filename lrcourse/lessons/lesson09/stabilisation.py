"""Self-stabilisation: what happens when the sharpness overshoots 2/lr.

At lr 0.5 the seeded run's sharpness passes 2/lr = 4 near update 20 and
overshoots to about 5.1; the loss, which had fallen to about 0.44, jumps to
about 0.93 near update 40; then the sharpness is back under 2/lr and the
loss falls again. This module traces that event update by update: the
loss, the sharpness, and the step's component along the sharpest direction
(the top eigenvector of the Hessian). Past 2/lr that component flips sign
and grows at every update, as on lesson 02's bowl; the growing oscillation
raises the loss, and moves the weights to where the sharpness is lower
(self-stabilisation: Damian, Nichani and Lee, "Self-Stabilization: The
Implicit Bias of Gradient Descent at the Edge of Stability", ICLR 2023;
arXiv 2022).

>>> from .analysis import trial_subset
>>> X, y = trial_subset(n=420)
>>> event = stabilisation_event(0.5, X, y, updates=30)
>>> event.sharpness.shape, event.along_top.shape
((31,), (30,))
"""

import numpy as np

from ... import hessian
from ..._validate import check_count, check_model_data, check_positive
from ...model import reference_model
from .analysis import on_grid


class StabilisationEvent:
    """One run traced at every update.

    Attributes:
        lr: the rate; ``ceiling`` is ``2 / lr``.
        losses: the loss before each update and after the last (updates + 1).
        sharpness: the sharpness at the same weights (updates + 1).
        along_top: the component of each update ``w_(k+1) - w_k`` along the
            sharpest direction at ``w_k`` (updates numbers; the direction's
            sign is kept from one update to the next).
    """

    def __init__(self, lr, losses, sharpness, along_top):
        self.lr, self.losses = lr, losses
        self.sharpness, self.along_top = sharpness, along_top

    @property
    def ceiling(self):
        return 2.0 / self.lr

    @property
    def crossing(self):
        """The first update at which the sharpness is above 2/lr (None if never)."""
        above = np.nonzero(self.sharpness > self.ceiling)[0]
        return int(above[0]) if above.size else None

    @property
    def spike(self):
        """The update with the highest loss after the crossing."""
        if self.crossing is None:
            return None
        return self.crossing + int(np.argmax(self.losses[self.crossing:]))

    @property
    def back_below(self):
        """The first update after the sharpness's overshoot peak at which it is
        under 2/lr again (None if it never is)."""
        if self.crossing is None:
            return None
        peak = self.crossing + int(np.argmax(self.sharpness[self.crossing:]))
        below = np.nonzero(self.sharpness[peak:] < self.ceiling)[0]
        return peak + int(below[0]) if below.size else None

    @property
    def peak_sharpness(self):
        return float(np.max(self.sharpness))

    @property
    def loss_before(self):
        """The lowest loss between the crossing and the spike."""
        return float(np.min(self.losses[self.crossing:self.spike + 1]))

    def growth_window(self, span=12):
        """The ``span`` updates up to the largest step along the sharpest
        direction: ``(start, top)``."""
        top = int(np.argmax(np.abs(self.along_top)))
        return max(0, top - span), top

    def growth(self, span=12):
        """How much the step along the sharpest direction grows per update
        (in size; its sign flips at every update) over ``growth_window``, as a
        geometric mean."""
        start, top = self.growth_window(span)
        sizes = np.abs(self.along_top)
        return float((sizes[top] / sizes[start]) ** (1.0 / (top - start)))

    def bowl_growth(self, span=12):
        """The same on a bowl whose curvature is the median sharpness over
        ``growth_window``: ``|1 - lr lambda|`` (lesson 02)."""
        start, top = self.growth_window(span)
        curvature = float(np.median(self.sharpness[start:top + 1]))
        return abs(1.0 - self.lr * curvature), curvature

    def __repr__(self):
        return (f"StabilisationEvent(lr={self.lr:.4g}, crossing {self.crossing}, "
                f"spike {self.spike}, back below {self.back_below})")


def stabilisation_event(lr, X, y, updates=80, seed=0, iterations=6):
    """Full-batch descent on the reference network, traced at every update.

    Args:
        lr: the rate (a rate on lesson 09's slider range snaps to its notch).
        X, y: the whole training batch.
        updates: how many updates to trace.
        seed: the network's initial weights.
        iterations: Lanczos iterations per update, each started from the
            previous top eigenvector (the first gets 30).

    Returns a ``StabilisationEvent``.
    """
    lr = on_grid(check_positive("lr", lr))
    updates = check_count("updates", updates)
    iterations = check_count("iterations", iterations, minimum=2)
    model = reference_model(seed=seed, optimizer="sgd", lr=lr)
    X, y, _ = check_model_data(model, X, y)
    Xd, yd, share = hessian.distinct(X, y)
    w = model.flat.copy()
    losses = np.empty(updates + 1)
    sharp = np.empty(updates + 1)
    along = np.empty(updates)
    vector = None
    for k in range(updates + 1):
        losses[k], grad = hessian.gradient(model, w, Xd, yd, share)
        sharp[k], top = hessian.top_eigenvalue(
            model, w, Xd, yd, iterations=30 if vector is None else iterations,
            start=vector, weights=share)
        if vector is not None and top @ vector < 0:
            top = -top  # keep one orientation of the sharpest direction
        vector = top
        if k < updates:
            along[k] = -lr * (grad @ top)
            w = w - lr * grad
    return StabilisationEvent(lr, losses, sharp, along)


def stabilisation_readout(event):
    """The event in five lines, with the run's own numbers."""
    c, b, s = event.crossing, event.back_below, event.spike
    if c is None:
        return f"lr {event.lr:.4g}: the sharpness stays under 2/lr"
    start, top = event.growth_window()
    peak = c + int(np.argmax(event.sharpness[c:]))
    bowl, curvature = event.bowl_growth()
    return "\n".join([
        f"lr {event.lr:.4g}, 2/lr = {event.ceiling:.3f}",
        f"update {c}: the sharpness passes 2/lr ({event.sharpness[c]:.2f}) and "
        f"climbs on, to {event.sharpness[peak]:.2f} at update {peak}",
        "the step along the sharpest direction flips sign at every update and "
        f"grows\n  {event.growth():.2f}x per update over updates {start}-{top}, "
        f"to {abs(event.along_top[top]):.2f} (on a bowl of curvature "
        f"{curvature:.2f},\n  their median sharpness: |1 - lr x {curvature:.2f}| "
        f"= {bowl:.2f}x)",
        f"the loss: lowest {event.loss_before:.3f} before the spike, "
        f"{event.losses[s]:.3f} at update {s}",
        f"update {b}: the sharpness is back under 2/lr "
        f"({event.sharpness[b]:.2f}); by update {s + 5} the loss is "
        f"{event.losses[s + 5]:.3f}",
    ])
