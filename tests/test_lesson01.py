"""Lesson 01 panel: readout, step table and highlight follow the controls."""

import warnings

import pytest

import lrcourse
from lrcourse.lessons.lesson01 import panels as lesson01
from lrcourse.readouts import descent_readout, grid_index, lr_grid
from lrcourse.widgets import answer_box


@pytest.fixture(scope="module")
def panel():
    return lesson01.descent_panel(lr=0.1, steps=20, start=3.0, curvature=2.0)


def test_slider_sits_on_its_grid(panel):
    grid = lr_grid(lesson01.LR_MIN, lesson01.LR_MAX, lesson01.LR_STEP)
    assert panel.widgets["lr"].value in grid
    assert grid[grid_index(0.5, lesson01.LR_MIN, lesson01.LR_STEP, len(grid))] == (
        pytest.approx(0.501187, rel=1e-5))


def test_readout_is_what_the_package_computes(panel):
    q = lrcourse.Quadratic(curvature=2.0)
    for lr in (0.001, 0.1, 0.8912509381337456):
        text = panel.set(lr=lr)
        expected = descent_readout(
            lrcourse.gradient_descent(q, lr=lr, steps=20, start=3.0), 2.0)
        assert text == expected
        assert "predicted: " in text and "happened: " in text
    assert "oscillating" in panel.set(lr=0.8912509381337456)


def test_divergent_rate_is_reported_not_raised(panel):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        text = panel.set(lr=1.2589254117941673)
    assert "divergent" in text and "diverged at update 17" in text
    panel.set(lr=0.1)


def test_step_table_and_highlight_follow(panel):
    panel.set(lr=0.1, steps=20)
    panel.set(update=3)
    table = panel.layout.children[-1].value
    assert "<td>3.000000</td><td>6.000000</td><td>0.1</td><td>0.600000</td>" in table
    assert 'background:#FFE8A3;font-weight:bold"><td>3</td>' in table
    panel.set(update=0)



def test_compute_and_readout_without_widgets():
    from lrcourse.lessons.lesson01 import analysis

    compute = analysis.Descent(curvature=2.0, start=3.0)
    run = compute(lr=0.1, steps=20, update=3)
    q = lrcourse.Quadratic(curvature=2.0)
    assert analysis.descent_run_readout(run) == descent_readout(
        lrcourse.gradient_descent(q, lr=0.1, steps=20, start=3.0), 2.0)
    assert run.regime == "monotone" and run.shown == 3
    assert compute(lr=0.1, steps=20, update=7).trace is run.trace  # kept
    assert compute(lr=0.2, steps=20, update=7).trace is not run.trace
    table = analysis.run_step_table(run)
    assert 'background:#FFE8A3;font-weight:bold"><td>3</td>' in table
    assert "... and 8 more updates" in table


def test_highlight_stops_at_the_last_update_of_a_diverged_run():
    from lrcourse.lessons.lesson01 import analysis

    run = analysis.Descent(curvature=2.0, start=3.0)(lr=1.2589254117941673,
                                                      steps=20, update=20)
    assert run.trace.steps == 17 and run.shown == 17
    assert "diverged at update 17" in analysis.descent_run_readout(run)


def test_play_stops_where_the_run_stops(panel):
    play = panel.outputs["play"]
    panel.set(lr=1.2589254117941673)
    assert play.max == 17
    panel.set(lr=0.1)
    assert play.max == 20


def test_answer_box_checks_and_explains_bad_input():
    box = answer_box("01.1")
    text, button, feedback = box.children
    text.value = "1"
    box.check()
    assert "2w" in feedback.value
    text.value = "0.5"
    box.check()
    assert feedback.value.startswith("<span>Right")
    text.value = "half"
    box.check()
    assert "Please enter" in feedback.value


def test_key_figure_is_wide_enough():
    from lrcourse.lessons.lesson01 import figures
    from lrcourse.plotting import png_bytes

    fig = figures.three_rates_figure(lrcourse.Quadratic(curvature=2.0),
                                     lrs=[0.02, 0.3, 0.9], steps=12, start=3.0)
    png = png_bytes(fig)
    width = int.from_bytes(png[16:20], "big")
    assert width >= 600


def test_readout_keeps_meaningful_digits_and_singular_counts():
    bowl = lrcourse.Quadratic(curvature=2.0)
    slow = lrcourse.gradient_descent(bowl, lr=0.0001, steps=20, start=2.0)
    text = descent_readout(slow, 2.0)
    far = abs(float(slow.weights[-1]))
    assert f"still {far:.4g} from the minimum after 20 updates" in text
    assert "still 2 from" not in text  # 1.992, not rounded to the start
    one = descent_readout(lrcourse.gradient_descent(bowl, lr=0.1, steps=1,
                                                    start=2.0), 2.0)
    assert "after 1 update" in one and "1 updates" not in one


def test_readout_says_when_update_1_lands_close_to_the_minimum():
    # no notch of the slider is 0.5 (exercise 01.1): the notch nearest it
    # tells the learner that update 1 lands very close to the minimum
    from lrcourse.lessons.lesson01 import panels as lesson_panels
    from lrcourse.lessons.lesson01.analysis import first_landing

    panel = lesson_panels.descent_panel(lr=0.1, steps=20, start=3.0, curvature=2.0)
    near = panel.set(lr=0.5012)
    assert "update 1 lands 0.0071 from the minimum (0.24% of the start)" in near
    for rate in (0.4467, 0.5623, 0.1, 1.259):
        assert "update 1 lands" not in panel.set(lr=rate)
    exact = lrcourse.gradient_descent(lrcourse.Quadratic(), lr=0.5, steps=2,
                                      start=3.0)
    assert first_landing(exact) == "update 1 lands exactly on the minimum"


def test_readout_never_prints_the_answer_to_exercise_01_1(panel):
    # 01.1's answer is 1/lambda = 0.5: the readout shows lr x lambda only
    for rate in (0.001, 0.1, 0.5012, 0.8913, 1.259):
        text = panel.set(lr=rate)
        assert "lr x lambda" in text and "1/lambda =" not in text, rate
        assert "2/lambda =" not in text and "0.5," not in text, rate
    panel.set(lr=0.1)


def test_exercise_01_4_tells_a_fraction_and_one_short_apart():
    assert lrcourse.check("01.4", 87) and lrcourse.check("01.4", "87.0")
    for fraction in ("86.47", "86.5", 86.47):
        message = lrcourse.check("01.4", fraction).message
        assert "updates come in whole numbers" in message, fraction
        assert "0.996" not in message
    assert "after update 86 the loss is still above half" in (
        lrcourse.check("01.4", 86).message)
    assert "0.996^2" in lrcourse.check("01.4", 90).message  # the method hint


def test_exercise_01_2_asks_for_an_update_the_panel_cannot_show(panel):
    from lrcourse.lessons.lesson01.exercises import RATIO_UPDATE

    # the step table reaches the highlighted update at most: 50 updates
    assert panel.widgets["steps"].max < RATIO_UPDATE
    assert "update 60" in lrcourse.exercises.get_exercise("01.2").question
