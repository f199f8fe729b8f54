"""Lesson 09: the edge of stability.

Its analysis, figures, panels and exercises are modules of this package,
which also gives the names the notebook calls, so that the notebook needs
two import lines. ``answer_box`` and ``show_png`` load on first use.
"""

from ... import hessian
from .. import notebook_names
from .adam_edge import adam_edge_run, adam_readout
from .analysis import edge_readout, edge_run, trial_subset
from .stabilisation import stabilisation_event, stabilisation_readout

__all__ = ["adam_edge_run", "adam_readout", "edge_readout", "edge_run", "hessian",
           "stabilisation_event", "stabilisation_readout", "trial_subset"]

__getattr__ = notebook_names(__name__)
