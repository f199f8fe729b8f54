"""The benchmark suite's panel cases (benchmarks/panels.py) are well formed."""

import importlib.util
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "panels.py"


def _bench_panels():
    spec = importlib.util.spec_from_file_location("bench_panels", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench_panels()


def test_one_function_per_lesson():
    notebooks = sorted(p.name[:2] for p in (PATH.parent.parent / "notebooks").glob(
        "[0-9][0-9]_*.ipynb"))
    assert [name for name, _ in BENCH.CASES] == [f"lesson{nn}" for nn in notebooks]


@pytest.mark.parametrize("lesson,cases", BENCH.CASES, ids=[n for n, _ in BENCH.CASES])
def test_cases_visit_slider_values(lesson, cases):
    for case in cases():
        assert case["kind"] in {"live", "release"}, case["name"]
        assert callable(case["make"]) and case["values"], case["name"]
        assert isinstance(case["control"], str)


def test_a_case_builds_the_notebook_panel_and_visits_its_grid():
    (case,) = BENCH.lesson01()
    panel = case["make"]()
    texts = {panel.set(lr=value) for value in case["values"]}
    assert len(texts) == len(case["values"])  # each value redraws the readout


def test_a_moves_cpu_is_split_into_parts_that_add_up():
    import sys

    sys.path.insert(0, str(PATH.parent))
    import moves

    (case,) = BENCH.lesson01()
    row = moves.kernel_costs(case, moves=4)
    assert set(row) == {*moves.PARTS, "total", "frames", "frame_bytes"}
    assert row["frames"] == 1  # one frame per move, as a browser gets
    assert row["frame_bytes"] > 0
    assert abs(sum(row[part] for part in moves.PARTS) - row["total"]) < 1e-6
    assert all(row[part] >= 0 for part in ("compute", "draw", "encode"))
