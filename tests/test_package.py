"""Package hygiene: a small public API, and the layering rule for every module.

Layers, from the bottom: numeric modules (every general module but
``plotting``, ``widgets`` and ``snippets``'s frameworks, and each lesson's
``analysis`` and ``exercises``) import the standard library, numpy and other
numeric modules only; ``plotting``, ``_compat`` and the lessons' ``figures``
add matplotlib (and ipympl and the notebook's display); ``widgets`` and the lessons'
``panels`` add ipywidgets. No lesson imports another lesson's panels.
"""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import lrcourse

ROOT = Path(lrcourse.__file__).parent
NUMERIC, FIGURES, PANELS = 0, 1, 2
#: The packages outside the standard library each layer may import.
EXTERNAL = {
    NUMERIC: {"numpy"},
    FIGURES: {"numpy", "matplotlib", "ipympl", "IPython", "zlib_ng"},
    PANELS: {"numpy", "matplotlib", "ipympl", "IPython", "ipywidgets", "zlib_ng"},
}


def _modules():
    return sorted(info.name for info in pkgutil.walk_packages(lrcourse.__path__,
                                                              "lrcourse."))


def layer_of(name):
    """The layer of an lrcourse module, from its name."""
    last = name.rsplit(".", 1)[-1]
    if last in ("widgets", "panels"):
        return PANELS
    if last in ("plotting", "figures", "_compat"):  # _compat: ipympl workarounds
        return FIGURES
    return NUMERIC


def _path(name):
    path = ROOT.parent / Path(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def imports_of(name):
    """Every module ``name`` imports anywhere in its code, as absolute names."""
    path = _path(name)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            # ``from . import regimes`` imports a module, not a name
            found.update(f"{base}.{a.name}" for a in node.names
                         if _is_module(f"{base}.{a.name}"))
    return found


def _is_module(name):
    return name.startswith("lrcourse") and _path(name).exists()


def _lesson(name):
    parts = name.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "lessons" else None


@pytest.mark.parametrize("name", _modules())
def test_layering(name):
    layer = layer_of(name)
    for imported in imports_of(name):
        top = imported.split(".")[0]
        if top == "lrcourse":
            if not _is_module(imported):
                continue
            assert layer_of(imported) <= layer, f"{name} imports {imported}"
            if imported.endswith(".panels"):
                assert _lesson(imported) == _lesson(name), (
                    f"{name} imports another lesson's panels: {imported}")
        elif top not in sys.stdlib_module_names:
            assert top in EXTERNAL[layer], f"{name} imports {imported}"


def test_the_layering_check_can_fail():
    assert layer_of("lrcourse.lessons.lesson04.analysis") == NUMERIC
    assert "ipywidgets" in imports_of("lrcourse.widgets")
    assert "lrcourse.lessons.lesson04.figures" in imports_of(
        "lrcourse.lessons.lesson04.panels")
    assert "lrcourse.regimes" in imports_of("lrcourse.lessons.lesson02")


def test_numeric_modules_load_no_plotting_or_widgets():
    numeric = [m for m in _modules() if layer_of(m) == NUMERIC]
    code = ("import sys;"
            + "".join(f"import {m};" for m in numeric)
            + "import lrcourse.exercises; lrcourse.exercises.all_exercises();"
            + "bad = [m for m in ('matplotlib', 'ipywidgets', 'IPython') "
              "if m in sys.modules]; print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


PUBLIC = [
    "Quadratic", "Bowl2D", "TwoValleys", "gradient_descent", "sweep",
    "stability_limits", "classify_lr", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
    "ScheduleFreeAdamW",
    "KERAS_DEFAULT_LRS", "PYTORCH_DEFAULT_LRS", "constant", "step_decay",
    "exponential_decay", "cosine_decay", "warmup", "one_cycle",
    "warmup_stable_decay", "Sequential",
    "Dense", "Input", "l2", "reference_model", "make_drug_trial", "MinMaxScaler",
    "train_validation_split", "sweep_fit", "range_test", "check",
]


def test_public_api_is_all_and_only_all():
    assert sorted(lrcourse.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert hasattr(lrcourse, name), name


def test_dir_lists_no_submodules_even_after_importing_them():
    import lrcourse.lessons.lesson04.analysis  # noqa: F401
    import lrcourse.regimes  # noqa: F401

    listed = dir(lrcourse)
    assert [n for n in listed if not n.startswith("__")] == sorted(PUBLIC)
    assert lrcourse.regimes.__name__ == "lrcourse.regimes"  # still reachable


def test_range_test_is_the_function():
    assert callable(lrcourse.range_test)
    assert lrcourse.range_test.__module__ == "lrcourse.range_finder"


def test_names_dropped_from_the_top_stay_in_their_modules():
    from lrcourse.descent import RUNAWAY_FACTOR, Sweep, Trace  # noqa: F401
    from lrcourse.model import L2, History  # noqa: F401
    from lrcourse.optimizers import Optimizer  # noqa: F401
    from lrcourse.range_finder import RangeTestResult  # noqa: F401
    from lrcourse.stability import largest_stable_lr  # noqa: F401
    from lrcourse.training import SweepHistory  # noqa: F401


def test_reprs_are_useful():
    assert repr(lrcourse.Quadratic(2, 1)) == "Quadratic(curvature=2, minimum=1)"
    tr = lrcourse.gradient_descent(lrcourse.Quadratic(), lr=0.1, steps=3, start=1.0)
    assert repr(tr).startswith("Trace(3 updates")
    assert "642 weights" in repr(lrcourse.reference_model())


NOTEBOOKS = sorted((ROOT.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_lesson_needs_two_lrcourse_import_lines(path):
    """``import lrcourse`` and one line from the lesson's own package."""
    import json

    statements = []
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        code = "\n".join(line for line in source.splitlines()
                         if not line.startswith(("%", "!")))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                statements += [a.name for a in node.names if a.name.startswith("lrc")]
            elif isinstance(node, ast.ImportFrom) and node.module.startswith("lrc"):
                statements.append(node.module)
    lesson = f"lrcourse.lessons.lesson{path.name[:2]}"
    assert statements == ["lrcourse", lesson], statements
