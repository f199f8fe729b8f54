"""Lesson 06: momentum and Adam.

Its analysis, figures, panels and exercises are modules of this package,
which also gives the names the notebook calls, so that the notebook needs
two import lines. ``answer_box`` and ``show_png`` load on first use.
"""

from ...training import sweep_fit
from .. import notebook_names
from .analysis import (
    adam_over_seeds,
    best_plain,
    dead_units_after,
    first_updates,
    largest_stable_lr,
    momentum_limit,
    seed_spread,
    steady_step_ratio,
    tuned_momentum,
    updates_to,
    valley,
)

__all__ = [
    "adam_over_seeds",
    "best_plain",
    "dead_units_after",
    "first_updates",
    "largest_stable_lr",
    "momentum_limit",
    "seed_spread",
    "steady_step_ratio",
    "sweep_fit",
    "tuned_momentum",
    "updates_to",
    "valley",
]

__getattr__ = notebook_names(__name__)
