"""Lesson 10: today's practice (warmup, warmup-stable-decay, schedule-free
AdamW, AdamW's decay, batch size, and a recipe).

Its analysis, figures, panels and exercises are modules of this package,
which also gives the names the notebook calls, so that the notebook needs
two import lines. ``answer_box`` and ``show_png`` load on first use.
"""

from ...readouts import lr_grid
from ...snippets import side_by_side
from .. import notebook_names
from .analysis import (
    BATCH_SIZES,
    best_rates_adam,
    best_rates_sgd,
    critical_batch,
    decay_runs,
    evaluate_averaged,
    scaling_slope,
    updates_to_target,
)
from .network import (
    batch_rate_bands,
    first_updates,
    sharpness_during_warmup,
    warmup_runs,
)

__all__ = ["BATCH_SIZES", "batch_rate_bands", "best_rates_adam", "best_rates_sgd",
           "critical_batch", "decay_runs", "evaluate_averaged", "first_updates",
           "lr_grid", "scaling_slope", "sharpness_during_warmup", "side_by_side",
           "updates_to_target", "warmup_runs"]

__getattr__ = notebook_names(__name__)
