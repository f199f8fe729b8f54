"""Lesson 09: the edge of stability.

Its analysis, figures, panels and exercises are modules of this package,
which also gives the names the notebook calls, so that the notebook needs
two import lines. ``answer_box`` and ``show_png`` load on first use.
"""

from ... import hessian
from .. import notebook_names
from .analysis import edge_readout, edge_run, trial_subset

__all__ = ["edge_readout", "edge_run", "hessian", "trial_subset"]

__getattr__ = notebook_names(__name__)
