"""Lesson 05: a real network.

Its analysis, figures, panels and exercises are modules of this package,
which also gives the names the notebook calls, so that the notebook needs
two import lines. ``answer_box`` and ``show_png`` load on first use.
"""

from ... import snippets
from .. import notebook_names

__all__ = ["snippets"]

__getattr__ = notebook_names(__name__)
