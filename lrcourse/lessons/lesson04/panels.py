"""Lesson 04 panels: the loss floor of a noisy bowl and of real mini-batches.

Both panels precompute every slider setting when they are built (the bowl:
one vectorized noisy sweep per noise level; the network: one ``sweep_fit``
per batch size), so moving a slider only looks results up and redraws.
"""

import math

from ...widgets import Panel, choice_slider, float_slider, log_slider
from .analysis import (
    UPDATES,
    Minibatches,
    NoisyBowl,
    minibatch_point_readout,
    noise_levels,
)
from .figures import MinibatchView, NoisyBowlView

#: Noisy-bowl rate grid: 10 ** (-3 + 0.05 i), 0.001 to about 3.16.
BOWL_MIN, BOWL_MAX, BOWL_STEP = -3.0, 0.5, 0.05
#: Noise levels of the bowl panel's second slider.
NOISE_MIN, NOISE_MAX, NOISE_STEP = 0.25, 2.0, 0.25
#: Mini-batch rate grid: 10 ** (-2.5 + 0.125 i), about 0.0032 to 1.
NET_MIN, NET_MAX, NET_STEP = -2.5, 0.0, 0.125
#: Batch sizes of the mini-batch panel.
BATCH_SIZES = (5, 10, 20, 50, 100)


def noisy_bowl_panel(lr=0.1, noise=1.0, curvature=1.0, start=2.0, steps=1000,
                     runs=16, seed=0):
    """Gradient descent on a bowl whose gradient carries noise ``sigma``.

    Left: the loss of one run per update, with the noise-free run and the
    theory floor. Right: the floor against the rate (theory line, measured
    markers). Controls ``lr`` and ``noise``; both are live (every setting is
    precomputed, ``runs`` repeats each).
    """
    levels = noise_levels(NOISE_MIN, NOISE_MAX, NOISE_STEP)
    if not any(math.isclose(noise, s) for s in levels):
        raise ValueError(f"noise must be one of {levels}, got {noise!r}")
    compute = NoisyBowl(curvature, start, steps, runs, seed,
                        (BOWL_MIN, BOWL_MAX, BOWL_STEP), levels)
    controls = {
        "lr": log_slider(lr, BOWL_MIN, BOWL_MAX, BOWL_STEP),
        "noise": float_slider(noise, NOISE_MIN, NOISE_MAX, NOISE_STEP,
                              "gradient noise sigma", "lr-noise", fmt=".2f"),
    }
    return Panel(title="Lesson 04: the loss floor of a noisy bowl",
                 controls=controls, compute=compute, readout=compute.readout,
                 view=NoisyBowlView(compute.lrs, curvature, steps, runs))


def batch_size_slider(value, description="batch size", css="lr-batch-size"):
    """A slider over ``BATCH_SIZES`` (keyboard and drag, like the others)."""
    if value not in BATCH_SIZES:
        raise ValueError(f"batch_size must be one of {BATCH_SIZES}, got {value!r}")
    return choice_slider(list(BATCH_SIZES), value, description, css)


def minibatch_panel(lr=0.1, batch_size=10, updates=UPDATES, seed=0):
    """The reference network on the trial data, plain mini-batch SGD from
    trained weights, the same number of updates for every batch size: the
    mini-batch loss per update (left) and the part of each rate's floor the
    noise adds (right), for rate and batch-size sliders.

    Every rate and batch size is trained once when the panel is built
    (``analysis.Minibatches``, the package's ``sweep_fit``), so both sliders
    are live; ``panel.compute.floors`` holds the tables.
    """
    controls = {
        "lr": log_slider(lr, NET_MIN, NET_MAX, NET_STEP),
        "batch_size": batch_size_slider(batch_size),
    }
    compute = Minibatches((NET_MIN, NET_MAX, NET_STEP), BATCH_SIZES, updates, seed)
    return Panel(title="Lesson 04: the loss floor on real mini-batches",
                 controls=controls, compute=compute, readout=minibatch_point_readout,
                 view=MinibatchView(compute.floors, compute.lrs, updates))
