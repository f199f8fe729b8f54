"""Package hygiene: the numeric core needs only numpy; doctests pass."""

import doctest
import importlib
import pkgutil
import subprocess
import sys

import pytest

import lrcourse

CORE = ["lrcourse", "lrcourse.descent", "lrcourse.model", "lrcourse.optimizers",
        "lrcourse.schedules", "lrcourse.training", "lrcourse.problems",
        "lrcourse.data", "lrcourse.readouts", "lrcourse.exercises"]


def test_numeric_core_imports_no_plotting_or_widgets():
    code = ("import sys, lrcourse, lrcourse.exercises;"
            "lrcourse.exercises.all_exercises();"
            + "".join(f"import {m};" for m in CORE)
            + "bad = [m for m in ('matplotlib', 'ipywidgets', 'IPython') "
              "if m in sys.modules]; print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def _modules():
    names = []
    for info in pkgutil.walk_packages(lrcourse.__path__, "lrcourse."):
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_public_api_names():
    for name in ["Quadratic", "gradient_descent", "stability_limits", "classify_lr",
                 "SGD", "Adam", "RMSprop", "Adagrad", "make_drug_trial", "Sequential",
                 "Dense", "l2", "check", "MinMaxScaler", "Bowl2D", "TwoValleys",
                 "sweep", "sweep_fit", "cosine_decay", "one_cycle", "warmup"]:
        assert hasattr(lrcourse, name), name


def test_reprs_are_useful():
    assert repr(lrcourse.Quadratic(2, 1)) == "Quadratic(curvature=2, minimum=1)"
    tr = lrcourse.gradient_descent(lrcourse.Quadratic(), lr=0.1, steps=3, start=1.0)
    assert repr(tr).startswith("Trace(3 updates")
    assert "642 weights" in repr(lrcourse.reference_model())
