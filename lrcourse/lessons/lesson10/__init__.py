"""Lesson 10: today's practice (warmup, warmup-stable-decay, schedule-free
AdamW, AdamW's decay, batch size, and a recipe).

Its analysis, figures, panels and exercises are modules of this package,
which also gives the names the notebook calls, so that the notebook needs
two import lines. ``answer_box`` and ``show_png`` load on first use.
"""

from .. import notebook_names
from .analysis import (
    best_rates_adam,
    best_rates_sgd,
    critical_batch,
    scaling_slope,
    updates_to_target,
)

__all__ = ["best_rates_adam", "best_rates_sgd", "critical_batch", "scaling_slope",
           "updates_to_target"]

__getattr__ = notebook_names(__name__)
