"""Every docstring example in the package runs, and public names are documented.

Each ``lrcourse`` module's doctests run here (lessons' analysis modules
included); none imports keras or torch at import time, so none is skipped.
Public functions and classes of the general numeric modules each carry a
``>>>`` example and type hints.
"""

import doctest
import importlib
import inspect
import pkgutil

import pytest

import lrcourse

MODULES = sorted(info.name for info in pkgutil.walk_packages(lrcourse.__path__,
                                                             "lrcourse."))
#: The numeric general modules whose public names must show an example.
DOCUMENTED = ["lrcourse.data", "lrcourse.descent", "lrcourse.exercises",
              "lrcourse.hessian", "lrcourse.model", "lrcourse.optimizers",
              "lrcourse.problems", "lrcourse.range_finder", "lrcourse.readouts",
              "lrcourse.regimes", "lrcourse.schedules", "lrcourse.stability",
              "lrcourse.training", "lrcourse._validate"]


@pytest.mark.parametrize("name", ["lrcourse"] + MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def _public(module):
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj) or inspect.isclass(obj):
            yield name, obj
        elif inspect.isfunction(getattr(obj, "__wrapped__", None)):  # a cached one
            yield name, obj.__wrapped__


@pytest.mark.parametrize("name", DOCUMENTED)
def test_public_names_show_an_example(name):
    module = importlib.import_module(name)
    missing = [n for n, obj in _public(module) if ">>>" not in (obj.__doc__ or "")]
    assert not missing, f"{name}: no >>> example in {missing}"


@pytest.mark.parametrize("name", DOCUMENTED)
def test_public_functions_have_type_hints(name):
    module = importlib.import_module(name)
    missing = []
    for n, obj in _public(module):
        fn = obj.__init__ if inspect.isclass(obj) else obj
        if not inspect.isfunction(fn) or fn.__qualname__ == "object.__init__":
            continue
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.name != "self"]
        if params and not any(p.annotation is not p.empty for p in params):
            missing.append(n)
    assert not missing, f"{name}: no type hints on {missing}"


def test_every_top_level_name_shows_an_example():
    missing = [n for n in lrcourse.__all__ if callable(getattr(lrcourse, n))
               and ">>>" not in (getattr(lrcourse, n).__doc__ or "")]
    assert not missing
