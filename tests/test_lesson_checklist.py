"""The "adding a lesson" checklist of ARCHITECTURE.md, checked where a test can.

For every lesson notebook ``notebooks/NN_topic.ipynb`` the package, the tests, the
instructor guide, the browser tests and the benchmarks must know the lesson too.
"""

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted(p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PACKAGE = ROOT / "lrcourse" / "lessons"


def test_every_lesson_folder_has_a_notebook():
    folders = sorted(p.name[-2:] for p in PACKAGE.glob("lesson[0-9][0-9]")
                     if p.is_dir())
    assert folders == LESSONS


@pytest.mark.parametrize("nn", LESSONS)
def test_lesson_has_its_room(nn):
    room = PACKAGE / f"lesson{nn}"
    for part in ("__init__.py", "figures.py", "panels.py", "exercises.py"):
        assert (room / part).is_file(), f"lesson {nn}: {part} is missing in {room}"
    assert (ROOT / "tests" / f"test_lesson{nn}.py").is_file()
    assert (ROOT / "docs" / "instructor" / f"{nn}.md").is_file()


@pytest.mark.parametrize("nn", LESSONS)
def test_lesson_registers_at_least_two_exercises(nn):
    from lrcourse.exercises import all_exercises

    ids = [i for i in all_exercises() if i.startswith(f"{nn}.")]
    assert len(ids) >= 2, f"lesson {nn} registers {ids}"


@pytest.mark.parametrize("nn", LESSONS)
def test_lesson_has_a_panel_factory(nn):
    panels = importlib.import_module(f"lrcourse.lessons.lesson{nn}.panels")
    factories = [n for n in dir(panels) if n.endswith("_panel") and callable(
        getattr(panels, n))]
    assert factories, f"lesson {nn}: panels.py defines no *_panel factory"


@pytest.mark.parametrize("nn", LESSONS)
def test_lesson_modules_import_no_other_lessons_panels(nn):
    room = PACKAGE / f"lesson{nn}"
    for path in room.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                match = re.search(r"lessons\.lesson(\d\d)\.(\w+)", node.module)
                if match and match[1] != nn:
                    assert match[2] in ("analysis",), (
                        f"{path.relative_to(ROOT)} imports lesson {match[1]}'s "
                        f"{match[2]}; share code through a general module")


@pytest.mark.parametrize("nn", LESSONS)
def test_lesson_is_in_the_course_map(nn):
    readme = (ROOT / "README.md").read_text()
    assert re.search(rf"^\| {nn} \|", readme, re.M), f"lesson {nn} not in the map"
    assert f"docs/images/lesson{nn}.png" in readme, f"lesson {nn}: no screenshot"


@pytest.mark.parametrize("nn", LESSONS)
def test_no_lesson_shows_the_lr_assignment_trap_as_working(nn):
    """``opt.lr = x`` silently does nothing in Keras 3 (and PyTorch): no code
    cell may use it; a lesson shows it only as text, or through snippets that
    the framework tests run against the real libraries."""
    import json

    path = next((ROOT / "notebooks").glob(f"{nn}_*.ipynb"))
    cells = json.loads(path.read_text())["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            assert not re.search(r"\.lr\s*=[^=]", source), (
                f"{path.name}: a code cell assigns .lr; write .learning_rate")


@pytest.mark.parametrize("nn", LESSONS)
def test_learner_cells_carry_no_test_plumbing(nn):
    """nbval directives are cell tags, not comments; rates are short numbers
    (a panel snaps them to its grid), not 17-digit float literals."""
    import json

    path = next((ROOT / "notebooks").glob(f"{nn}_*.ipynb"))
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            assert "NBVAL" not in source, f"{path.name}: an nbval comment in a cell"
            long = re.findall(r"\d\.\d{9,}", source)
            assert not long, f"{path.name}: long float literals {long}"
