"""Lesson 07: choosing the rate.

Its analysis, figures, panels and exercises are modules of this package,
which also gives the names the notebook calls, so that the notebook needs
two import lines. ``answer_box`` and ``show_png`` load on first use.
"""

from ...readouts import lr_grid
from ...training import sweep_fit
from .. import notebook_names
from .analysis import TrialSplit, range_test, range_test_lrs

__all__ = ["lr_grid", "range_test", "range_test_lrs", "sweep_fit", "TrialSplit"]

__getattr__ = notebook_names(__name__)
