"""Loss functions with known curvature, for watching gradient descent move.

Each problem has ``loss(w)`` and ``grad(w)``; both work on a float or on a
numpy array of weights (for a 2-D problem, on arrays whose last axis has 2).
"""

from __future__ import annotations

import numpy as np

from ._validate import ArrayLike, check_finite, check_positive


class Quadratic:
    """A 1-D bowl: ``loss(w) = curvature / 2 * (w - minimum) ** 2``.

    Its second derivative is ``curvature`` (we write it lambda) everywhere, so
    every question about the rate reduces to the product ``lr * curvature``.

    >>> q = Quadratic(curvature=2.0, minimum=1.0)
    >>> float(q.loss(3.0)), float(q.grad(3.0))
    (4.0, 4.0)
    """

    ndim = 1

    def __init__(self, curvature: float = 2.0, minimum: float = 0.0) -> None:
        self.curvature = check_positive("curvature", curvature)
        self.minimum = check_finite("minimum", minimum)

    def loss(self, w: ArrayLike) -> np.ndarray:
        return 0.5 * self.curvature * (w - self.minimum) ** 2

    def grad(self, w: ArrayLike) -> np.ndarray:
        return self.curvature * (w - self.minimum)

    @property
    def curvatures(self):
        """The Hessian's eigenvalues (here a single one)."""
        return np.array([self.curvature])

    @property
    def sharpness(self):
        """The largest curvature."""
        return self.curvature

    def __repr__(self):
        return f"Quadratic(curvature={self.curvature:g}, minimum={self.minimum:g})"


class Bowl2D:
    """A 2-D quadratic bowl with two curvatures, optionally rotated.

    ``loss(w) = 1/2 (w - m)^T H (w - m)`` with ``H = R diag(curvatures) R^T``,
    where ``R`` rotates by ``rotation`` degrees. The curvatures are the
    Hessian's eigenvalues; the largest is the sharpness and their ratio the
    condition number.

    >>> b = Bowl2D(curvatures=(10.0, 1.0))
    >>> b.condition_number
    10.0
    """

    ndim = 2

    def __init__(self, curvatures: tuple[float, float] = (10.0, 1.0),
                 rotation: float = 0.0, minimum: tuple[float, float] = (0.0, 0.0)
                 ) -> None:
        if len(curvatures) != 2:
            raise ValueError(f"curvatures must hold 2 numbers, got {curvatures!r}")
        lam = [check_positive(f"curvatures[{i}]", c) for i, c in enumerate(curvatures)]
        self.rotation = check_finite("rotation", rotation)
        if len(minimum) != 2:
            raise ValueError(f"minimum must hold 2 numbers, got {minimum!r}")
        self.minimum = np.array([check_finite("minimum", m) for m in minimum])
        theta = np.deg2rad(self.rotation)
        cos, sin = np.cos(theta), np.sin(theta)
        rot = np.array([[cos, -sin], [sin, cos]])
        self._lam = np.array(lam)
        self.hessian = rot @ np.diag(self._lam) @ rot.T

    def loss(self, w: ArrayLike) -> np.ndarray:
        d = np.asarray(w, dtype=float) - self.minimum
        return 0.5 * np.einsum("...i,ij,...j->...", d, self.hessian, d)

    def grad(self, w: ArrayLike) -> np.ndarray:
        d = np.asarray(w, dtype=float) - self.minimum
        return d @ self.hessian.T

    @property
    def curvatures(self):
        return self._lam.copy()

    @property
    def sharpness(self):
        return float(self._lam.max())

    @property
    def condition_number(self):
        return float(self._lam.max() / self._lam.min())

    def __repr__(self):
        c1, c2 = self._lam
        return (
            f"Bowl2D(curvatures=({c1:g}, {c2:g}), rotation={self.rotation:g}, "
            f"minimum=({self.minimum[0]:g}, {self.minimum[1]:g}))"
        )


class TwoValleys:
    """A 1-D loss with two valleys: ``(w**2 - 1)**2 + tilt * (w + 1)``.

    The valleys sit near w = -1 (deeper for tilt > 0) and w = +1, with a hump
    at w ~ 0 between them. The curvature at the bottom of either valley is
    about 8. A large step can jump from one valley into the other.

    >>> f = TwoValleys(tilt=0.3)
    >>> float(f.grad(1.0))
    0.3
    """

    ndim = 1

    def __init__(self, tilt: float = 0.3) -> None:
        self.tilt = check_finite("tilt", tilt)

    def loss(self, w: ArrayLike) -> np.ndarray:
        return (w * w - 1.0) ** 2 + self.tilt * (w + 1.0)

    def grad(self, w: ArrayLike) -> np.ndarray:
        return 4.0 * w * (w * w - 1.0) + self.tilt

    def curvature_at(self, w: ArrayLike) -> np.ndarray:
        """The second derivative ``12 w^2 - 4`` at ``w``."""
        return 12.0 * w * w - 4.0

    def minima(self):
        """The two valley bottoms, left then right (roots of the gradient)."""
        roots = np.roots([4.0, 0.0, -4.0, self.tilt])
        real = np.sort(roots[np.abs(roots.imag) < 1e-9].real)
        return float(real[0]), float(real[-1])

    def __repr__(self):
        return f"TwoValleys(tilt={self.tilt:g})"


def noise_floor(lr: float | np.ndarray, curvature: float, noise: float
                ) -> float | np.ndarray:
    """The stationary mean loss of gradient descent on a noisy bowl.

    On ``f(w) = lambda/2 * w^2`` with gradient ``lambda * w + noise * xi``
    (``xi`` standard normal, fresh every update) the rule reads
    ``w <- (1 - lr lambda) w - lr noise xi``. Its stationary variance solves
    ``V = (1 - lr lambda)^2 V + lr^2 noise^2``, so
    ``V = lr noise^2 / (lambda (2 - lr lambda))`` and the mean loss is
    ``lambda/2 * V = lr noise^2 / (2 (2 - lr lambda))``: about proportional
    to the rate while ``lr x lambda`` is small, infinite from ``2/lambda``
    on (the run diverges). ``lr`` may be an array.

    >>> f"{noise_floor(0.1, 1.0, 1.0):.5f}"
    '0.02632'
    >>> f"{noise_floor(0.05, 1.0, 1.0) / noise_floor(0.1, 1.0, 1.0):.4f}"
    '0.4872'
    """
    curvature = check_positive("curvature", curvature)
    noise = check_positive("noise", noise, allow_zero=True)
    lrs = np.asarray(lr, dtype=float)
    if not np.all(np.isfinite(lrs)) or np.any(lrs <= 0):
        raise ValueError(f"lr must hold finite numbers > 0, got {lr!r}")
    margin = 2.0 - lrs * curvature
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = np.where(margin > 0, lrs * noise**2 / (2.0 * margin), np.inf)
    return float(floor) if floor.ndim == 0 else floor
