"""Lesson 08: schedules.

Its analysis, figures, panels and exercises are modules of this package,
which also gives the names the notebook calls, so that the notebook needs
two import lines. ``answer_box`` and ``show_png`` load on first use.
"""

from .. import notebook_names
from .analysis import (
    frozen_fraction,
    frozen_readout,
    noise_floor,
    rate_change_readout,
)
from .recompile import recompile_experiment, recompile_readout

__all__ = ["frozen_fraction", "frozen_readout", "noise_floor", "rate_change_readout",
           "recompile_experiment", "recompile_readout"]

__getattr__ = notebook_names(__name__)
