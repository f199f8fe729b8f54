"""Saved lessons are executed, clean, small, and follow the lesson structure.

Reads the .ipynb files as documents; nothing here runs a kernel or imports lrcourse.
Re-execute a lesson with `make notebooks LESSON=NN` to fix most failures.
"""

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("*.ipynb"))
NAME = re.compile(r"(\d\d)_[a-z0-9]+(_[a-z0-9]+)*\.ipynb")
MAX_BYTES = 1_000_000
IGNORE_OUTPUT_MARK = "# NBVAL_IGNORE_OUTPUT"
IGNORE_OUTPUT_TAG = "nbval-ignore-output"


def test_lesson_files_are_named_nn_topic():
    numbers = []
    for path in LESSONS:
        match = NAME.fullmatch(path.name)
        assert match, f"{path.name}: lessons are named NN_topic.ipynb, NN in 00..99"
        numbers.append(match[1])
    duplicated = sorted({n for n in numbers if numbers.count(n) > 1})
    assert not duplicated, f"more than one lesson numbered {duplicated}"


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def tags(cell):
    return cell.metadata.get("tags", [])


def is_output_ignored(cell):
    return IGNORE_OUTPUT_MARK in cell.source or IGNORE_OUTPUT_TAG in tags(cell)


def text_of(output):
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def is_text_readout(output):
    """A stream, or a result whose only representation is plain text."""
    if output.output_type == "stream":
        return True
    data = output.get("data", {})
    return output.output_type in {"execute_result", "display_data"} and (
        set(data) <= {"text/plain"}
    )


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
class TestLesson:
    # Collected only once a lesson exists, so an empty folder is not a skip.
    __test__ = bool(LESSONS)

    @pytest.fixture
    def nb(self, path):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        return nb

    def test_file_is_small(self, path):
        size = path.stat().st_size
        assert size < MAX_BYTES, f"{path.name} is {size / 1e6:.2f} MB"

    def test_kernel_is_python3(self, nb):
        assert nb.metadata.get("kernelspec", {}).get("name") == "python3"

    def test_no_widget_state_saved(self, nb):
        assert "widgets" not in nb.metadata

    def test_every_code_cell_was_executed_in_order(self, nb):
        counts = [c.execution_count for c in code_cells(nb)]
        assert None not in counts, "some code cells were never executed"
        assert counts == list(range(1, len(counts) + 1)), (
            f"execution counts {counts}: re-run top to bottom in a fresh kernel"
        )

    def test_no_errors_or_tracebacks(self, nb):
        for i, cell in enumerate(code_cells(nb), start=1):
            for output in cell.outputs:
                assert output.output_type != "error", f"code cell {i} raised"
                assert "Traceback" not in text_of(output), f"code cell {i}"

    def test_no_warnings_on_stderr(self, nb):
        for i, cell in enumerate(code_cells(nb), start=1):
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stderr":
                    assert "Warning" not in text_of(output), (
                        f"code cell {i} warns: {text_of(output)[:200]}"
                    )

    def test_ignored_cells_print_no_text(self, nb):
        """Readouts must be compared by nbval, so they never live in ignored cells."""
        for i, cell in enumerate(code_cells(nb), start=1):
            if not is_output_ignored(cell):
                continue
            readouts = [o.output_type for o in cell.outputs if is_text_readout(o)]
            assert not readouts, (
                f"code cell {i} has its output ignored by nbval but shows text "
                f"({', '.join(readouts)}); print readouts in a cell that is compared"
            )

    def test_has_learning_objectives(self, nb):
        assert any(
            c.cell_type == "markdown" and "Learning objectives" in c.source
            for c in nb.cells
        )

    def test_has_predict_first_question(self, nb):
        assert any(
            "predict-first" in tags(c) or "predict first" in c.source.lower()
            for c in nb.cells
        )

    def test_has_key_figure(self, nb):
        assert any("key-figure" in tags(c) for c in code_cells(nb)), (
            "tag the cell that draws the lesson's key figure 'key-figure'"
        )
