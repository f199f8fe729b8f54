"""The classroom load test (``make bench-classroom``): its options, its lesson
set-up, and one learner dragging for two seconds on the test hub."""

import sys

import pytest
from localhub import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import classroom  # noqa: E402


@pytest.mark.parametrize("argv, word", [
    (["--learners", "0"], "--learners"),
    (["--learners", "101"], "--learners"),
    (["--seconds", "0"], "--seconds"),
    (["--seconds", "601"], "--seconds"),
    (["--rate", "0"], "--rate"),
    (["--lesson", "1"], "--lesson"),
    (["--burst", "5"], "--burst"),
    (["--burst", "30,20"], "--burst"),
    (["--drive", "mouse"], "--drive"),
    (["--protocol", "v2"], "--protocol"),
])
def test_bad_options_are_refused_by_name(argv, word, capsys):
    with pytest.raises(SystemExit):
        classroom.parse_args(argv)
    assert word in capsys.readouterr().err


def test_defaults_are_short_and_bounded():
    args = classroom.parse_args([])
    assert (args.learners, args.lesson, args.seconds, args.rate, args.burst) == (
        3, "01", 20, 5, None)
    assert classroom.parse_args(["--burst", "5,20"]).burst == (5.0, 20.0)
    assert (args.drive, args.protocol) == ("slider", "v1")  # as in JupyterLab 4


@pytest.mark.parametrize("number", ["01", "09"])
def test_learner_runs_the_lesson_up_to_its_first_panel(number):
    name, cells, var = classroom.lesson_cells(number, 0)
    assert name.startswith(number + "_")
    assert cells[-1].strip().splitlines()[-1].strip() == var
    assert f"{var} = panels." in cells[-1]
    assert not any("answer_box(" in c for c in cells)
    assert "import" in cells[0]


def test_a_lesson_without_that_panel_is_refused():
    with pytest.raises(SystemExit, match="no panel 99"):
        classroom.lesson_cells("01", 99)


@pytest.mark.hub
def test_one_learner_drags_on_the_hub_and_every_figure_is_reported(hub):
    args = classroom.parse_args(["--learners", "1", "--seconds", "2"])
    try:
        s = classroom.run_class(hub, args)
    finally:
        hub.stop_server("learner01")
    assert s["moves"] >= 1
    assert s["frames"] >= 1  # the moves' new frames arrived
    assert 0 < s["p50_ms"] <= s["p95_ms"] <= s["max_ms"]
    assert s["cpu_ms_per_move"]["kernel"] > 0
    assert s["cpu_ms_per_move"]["server"] > 0
    assert s["rss_mb_per_learner"]["kernel"] > 0
    assert s["rss_mb_per_learner"]["server"] > 0
    classroom.report(s)  # the table prints
