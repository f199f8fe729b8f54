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


# -- answers after questions, tolerances, times, figure sizes (COURSE.md 10-12) ----
COLUMN = 900  # px: a JupyterLab column a figure must fit without shrinking
MIN_FONT_PT = 11


def _cells(nn):
    import json

    path = next((ROOT / "notebooks").glob(f"{nn}_*.ipynb"))
    return path.name, json.loads(path.read_text())["cells"]


def _lesson_exercises(nn):
    from lrcourse.exercises import all_exercises

    return {i: ex for i, ex in all_exercises().items() if i.startswith(f"{nn}.")}


@pytest.mark.parametrize("nn", LESSONS)
def test_no_cell_checks_the_lessons_own_exercise(nn):
    """A learner meets each exercise as a question: no code cell answers it for
    them, rightly or wrongly (lesson 00 shows the checker on a practice question
    that is not an exercise)."""
    name, cells = _cells(nn)
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        for ex_id in _lesson_exercises(nn):
            assert not re.search(rf"check\(\s*['\"]{re.escape(ex_id)}['\"]", source), (
                f"{name}: a code cell checks exercise {ex_id}")


def _printed_text(cells):
    parts = []
    for cell in cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append("".join(out["text"]))
            else:
                parts.append("".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def _spellings(answer, figures):
    """The ways a lesson could print ``answer`` to ``figures`` significant figures."""
    out = {f"{answer:#.{figures}g}".rstrip(".")}
    for decimals in range(1, 7):
        text = f"{answer:.{decimals}f}"
        if len(text.replace("-", "").replace(".", "").lstrip("0")) >= figures:
            out.add(text)
    return out


@pytest.mark.parametrize("nn", LESSONS)
def test_no_printed_number_is_an_exercises_answer(nn):
    """An answer with three or more significant figures never appears in the
    lesson's printed outputs: the learner must compute or measure it."""
    name, cells = _cells(nn)
    text = _printed_text(cells)
    for ex_id, ex in _lesson_exercises(nn).items():
        if ex.choices is not None:
            continue
        answer = float(ex.answer)
        if answer == round(answer) or len(f"{abs(answer):.6g}".strip("0.")) < 3:
            continue  # counts and round numbers print everywhere
        for spelling in _spellings(answer, 3):
            found = re.search(rf"(?<![\d.]){re.escape(spelling)}(?!\d)", text)
            assert not found, f"{name} prints {spelling}, the answer to {ex_id}"


def _exercise_items(cells):
    """``{k: text}`` of the numbered list under the lesson's Exercises heading."""
    for cell in cells:
        source = "".join(cell["source"])
        heading = re.search(r"^#+ Exercises", source, re.M)
        if cell["cell_type"] == "markdown" and heading:
            body = source.split("Exercises", 1)[1]
            items = re.split(r"^(\d+)\.\s", body, flags=re.M)[1:]
            pairs = zip(items[::2], items[1::2])
            return {int(k): " ".join(text.split()) for k, text in pairs}
    return {}


@pytest.mark.parametrize("nn", LESSONS)
def test_every_exercise_in_the_lesson_states_its_tolerance(nn):
    name, cells = _cells(nn)
    items = _exercise_items(cells)
    for ex_id, ex in _lesson_exercises(nn).items():
        k = int(ex_id.split(".")[1])
        if k == 0:
            continue  # a practice question, not in the list
        assert k in items, f"{name}: exercise {ex_id} is not in the Exercises list"
        wanted = ex.choices if ex.choices is not None else [ex.tolerance]
        for phrase in wanted:
            assert phrase.lower() in items[k].lower(), (
                f"{name}: exercise {ex_id} does not say {phrase!r}")


@pytest.mark.parametrize("nn", LESSONS)
def test_lesson_time_matches_the_course_map(nn):
    name, cells = _cells(nn)
    first = "".join(cells[0]["source"])
    stated = re.search(r"\*\*Time:\*\*\s*about (\d+) minutes", first)
    assert stated, f"{name}: the first cell states no time"
    readme = (ROOT / "README.md").read_text()
    row = re.search(rf"^\| {nn} \|.*\|\s*(\d+)\s*\|\s*$", readme, re.M)
    assert row and row[1] == stated[1], (
        f"{name}: {stated[1]} minutes, the course map says {row and row[1]}")
    assert int(stated[1]) <= 40, f"{name}: longer than 40 minutes"


@pytest.mark.parametrize("nn", LESSONS)
def test_saved_figures_fit_a_column(nn):
    import base64
    import struct

    name, cells = _cells(nn)
    for i, cell in enumerate(cells):
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                width = struct.unpack(">I", base64.b64decode(png)[16:20])[0]
                assert width <= COLUMN, f"{name} cell {i}: a figure {width} px wide"


FIGURE_SOURCES = sorted(PACKAGE.glob("lesson*/figures.py")) + [
    ROOT / "lrcourse" / "plotting.py"]


@pytest.mark.parametrize("path", FIGURE_SOURCES, ids=lambda p: p.parent.name)
def test_figure_text_is_large_enough(path):
    """No figure text below 11 pt: a figure that fits the column shows it at
    15 px or more (the course's default is 12 pt)."""
    source = path.read_text()
    sizes = r"\b(?:fontsize|size|labelsize)\s*=\s*(\d+(?:\.\d+)?)"
    for match in re.finditer(sizes, source):
        assert float(match[1]) >= MIN_FONT_PT, (
            f"{path.relative_to(ROOT)}: text of {match[1]} pt")
    for match in re.finditer(r"fontsize\s*=\s*['\"](x-small|small|xx-small)", source):
        raise AssertionError(f"{path.relative_to(ROOT)}: fontsize={match[1]!r}")


@pytest.mark.parametrize("nn", LESSONS)
def test_your_moves_come_before_the_readouts(nn):
    """Where a lesson says "Your moves", the readouts that confirm the
    prediction come in the next code cell, with no new question between."""
    name, cells = _cells(nn)
    for i, cell in enumerate(cells):
        if "**Your moves.**" in "".join(cell["source"]):
            j = next((j for j in range(i + 1, len(cells))
                      if cells[j]["cell_type"] == "code"), None)
            assert j is not None, f"{name} cell {i}: no readout after the moves"
            between = "".join("".join(c["source"]) for c in cells[i + 1:j])
            assert "Predict first" not in between, f"{name} cell {i}"
