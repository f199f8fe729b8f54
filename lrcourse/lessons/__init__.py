"""One package per lesson: analysis (numpy only), figures (matplotlib),
panels (ipywidgets) and exercises, each lesson in its own folder.

A lesson notebook needs two import lines, for example::

    import lrcourse
    from lrcourse.lessons.lesson04 import analysis, figures, panels, show_png

Each lesson package names the analysis functions its notebook calls, and
gives ``answer_box`` and ``show_png`` on first use (``notebook_names``), so
that importing a lesson's analysis never loads matplotlib or ipywidgets.
"""

import importlib

#: Helpers every lesson notebook calls, and the module each one lives in.
NOTEBOOK_HELPERS = {"answer_box": "lrcourse.widgets", "show_png": "lrcourse.plotting"}


def notebook_names(package):
    """Return a module ``__getattr__`` for ``package`` that loads the helpers lazily.

    >>> getattr_ = notebook_names("lrcourse.lessons.lesson00")
    >>> getattr_("show_png").__name__
    'show_png'
    >>> getattr_("nothing")
    Traceback (most recent call last):
    ...
    AttributeError: module 'lrcourse.lessons.lesson00' has no attribute 'nothing'
    """

    def __getattr__(name):
        if name in NOTEBOOK_HELPERS:
            return getattr(importlib.import_module(NOTEBOOK_HELPERS[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
