"""Lesson 07: choosing the rate.

Its analysis, figures, panels and exercises are modules of this package,
which also gives the names the notebook calls, so that the notebook needs
two import lines. ``answer_box`` and ``show_png`` load on first use.
"""

from .. import notebook_names
from .analysis import (
    SEEDS,
    BandComparison,
    ChoicesOverSeeds,
    NearBestBands,
    TrialSplit,
    choose_on_validation,
    range_test,
    range_test_lrs,
)

__all__ = ["SEEDS", "BandComparison", "ChoicesOverSeeds", "NearBestBands",
           "TrialSplit", "choose_on_validation", "range_test", "range_test_lrs"]

__getattr__ = notebook_names(__name__)
