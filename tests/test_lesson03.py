"""Lesson 03: too low a rate (trade-off panel, 2-D bowl panel, exercises, figure)."""


import numpy as np
import pytest

import lrcourse
from lrcourse.lessons.lesson03 import figures, panels
from lrcourse.plotting import png_bytes
from lrcourse.readouts import lr_grid
from lrcourse.regimes import steps_curve, steps_needed

GRID = lr_grid(panels.LR_MIN, panels.LR_MAX, panels.LR_STEP)
BOWL = lr_grid(panels.BOWL_MIN, panels.BOWL_MAX, panels.BOWL_STEP)




@pytest.fixture(scope="module")
def tradeoff():
    return panels.tradeoff_panel(lr=0.1, curvature=2.0, start=1.0, tol=1e-3, budget=20)


@pytest.fixture(scope="module")
def bowl():
    return panels.bowl2d_panel(lr=0.1, condition=100.0, sharpness=10.0,
                               rotation=30.0, start=(-2.2, -0.2), steps=60)


def test_342_by_three_routes():
    tr = lrcourse.gradient_descent(lrcourse.Quadratic(2.0), lr=0.01, steps=1000,
                                   start=1.0)
    sw = lrcourse.sweep(lrcourse.Quadratic(2.0), [0.01], steps=1000, start=1.0)
    assert tr.steps_to(1e-3) == 342 == int(sw.steps_to(1e-3)[0])
    assert steps_needed(0.01, 2.0, 1.0, 1e-3) == 342
    assert 0.98 ** 342 < 1e-3 < 0.98 ** 341


def test_exercise_answers_are_computed():
    assert lrcourse.check("03.1", 342).correct
    assert lrcourse.check("03.2", 0.125).correct
    assert lrcourse.check("03.2", "1/8").correct
    assert not lrcourse.check("03.2", 0.5).correct  # the worked bowl's answer
    assert not lrcourse.check("03.2", 0.1).correct  # the round 2-D bowl's rate
    assert lrcourse.check("03.3", "2/5").correct
    assert lrcourse.check("03.3", 0.4).correct
    assert not lrcourse.check("03.3", 0.41).correct


@pytest.mark.parametrize("ex, wrong, words", [
    ("03.1", 345, "count the updates exactly"),
    ("03.1", 688, "0.98"),
    ("03.2", 0.25, "for 4w² that is 8"),
    ("03.2", 0.5, "the curvature of 4w² is 8"),
    ("03.2", 0.1, "the curvature of 4w² is 8"),
    ("03.3", 0.25, "1/lambda_max"),
    ("03.3", 0.5, "2/lambda_max"),
    ("03.3", 0.2, "twice that"),
])
def test_commonest_wrong_answers_get_their_hint(ex, wrong, words):
    result = lrcourse.check(ex, wrong)
    assert not result.correct and words in result.message


@pytest.mark.parametrize("wrong", [0.2, 0.121])
def test_03_2_fallback_hint_keeps_the_method_not_the_number(wrong):
    message = lrcourse.check("03.2", wrong).message
    assert "lr x lambda = 1" in message and "second derivative" in message
    assert "8" not in message


def test_tradeoff_readout_at_lr_001_gives_342(tradeoff):
    assert "updates to |w| < 0.001: 342" in tradeoff.set(lr=float(GRID[20]))
    tradeoff.set(lr=0.1)


def test_tradeoff_readout_divergent(tradeoff):
    lr = float(GRID[62])  # 1.26
    text = tradeoff.set(lr=lr)
    run = lrcourse.gradient_descent(lrcourse.Quadratic(curvature=2.0), lr=lr,
                                    steps=200, start=1.0)
    assert f"never: diverged at update {run.diverged_at}" in text
    assert "loss diverged here" in text
    tradeoff.set(lr=0.1)


def test_small_rate_loses_on_a_budget(tradeoff):
    tiny = tradeoff.set(lr=float(GRID[0]))
    assert "budget of 20 updates: loss 0.923 here" in tiny
    tradeoff.set(lr=0.1)


def test_bowl_readout_fewest_at_best_rate(bowl):
    text = bowl.set(lr=float(BOWL[114]))  # 0.1905, next to 2/10.1
    assert "eigenvalues (curvatures) 0.1 and 10" in text
    assert "updates to within 0.001: 396   (fewest on the slider: 396)" in text
    bowl.set(lr=0.1)


def test_bowl_condition_10_u_bottom_in_accepted_range(bowl):
    text = bowl.set(condition=10.0, lr=float(BOWL[115]))  # 0.1995: slower
    fewest = int(text.split("fewest on the slider: ")[1].split(")")[0])
    b2 = lrcourse.Bowl2D(curvatures=(1.0, 10.0), rotation=30.0)
    steps, _ = steps_curve(b2, BOWL, (-2.2, -0.2), 1e-3, 2000)
    assert steps.min() == fewest
    assert all(0.17 <= r <= 0.185 for r in BOWL[steps == fewest])
    bowl.set(condition=100.0, lr=0.1)


def test_no_panel_prints_the_answers_of_03_2_and_03_3(tradeoff, bowl):
    from lrcourse.exercises import get_exercise

    # 03.2 and 03.3 ask about bowls the panels do not show
    assert get_exercise("03.2").answer == pytest.approx(0.125)
    assert "1/lambda = 0.5," in tradeoff.set(lr=0.1)  # the panel's bowl is w²
    assert get_exercise("03.3").answer == pytest.approx(0.4)
    for i in range(21):  # every notch of the condition slider
        text = bowl.set(condition=10 ** (0.1 * i))
        best = float(text.split("2/(lambda_max + lambda_min) = ")[1].split()[0])
        assert best <= 0.2 < 0.99 * get_exercise("03.3").answer
    bowl.set(condition=100.0, lr=0.1)


def test_tradeoff_sweep_holds_the_fastest_rate(tradeoff):
    text = tradeoff.set(lr=0.1)
    # lr = 1/lambda = 0.5 arrives in one update; no notch is 0.5 (0.5012 needs 2)
    assert ("(fewest on the slider: 2; in the sweep: 1, at a rate between two "
            "notches)") in text
    assert "fewest in the sweep: 1)" not in text
    t = lrcourse.gradient_descent(lrcourse.Quadratic(2.0), lr=0.5, steps=3, start=1.0)
    assert t.steps_to(1e-3) == 1
    from lrcourse.lessons.lesson03 import analysis

    compute = analysis.Tradeoff(2.0, 1.0, 1e-3, 5000, panels.LR_MIN, panels.LR_MAX)
    for k in (0, 20, 40, len(GRID) - 1):  # the slider still finds its own rates
        assert compute(lr=float(GRID[k]), budget=20).lr == float(GRID[k])
        i = int(np.argmin(np.abs(compute.lrs - GRID[k])))
        assert compute(lr=float(GRID[k]), budget=20).steps == compute.steps[i]


def test_bowl_divergent_setting(bowl):
    text = bowl.set(lr=float(BOWL[116]))  # 0.209 > 2/lambda_max
    assert "steep x -1.089" in text
    assert "happened: diverging: the distance to the minimum grew" in text
    assert "not converging" not in text
    assert "updates to within 0.001: never: it diverges" in text
    assert "not within" not in text
    bowl.set(lr=0.1)


def test_bowl_slow_rate_is_not_within_the_sweep_and_the_band_says_so(bowl):
    text = bowl.set(lr=float(BOWL[50]))  # 0.01: converges, but slowly
    assert "updates to within 0.001: not within 2000 updates" in text
    assert "never" not in text.split("updates to within")[1].split("(")[0]
    labels = [t.get_text() for t in bowl.fig.axes[2].texts]
    assert "> 2000 updates\nor never" in labels  # two lines: clear of 2/lambda_max
    bowl.set(lr=0.1)


def test_tradeoff_readout_underflow_and_singular(tradeoff):
    text = tradeoff.set(budget=100)
    assert "(lowest in the sweep: < 1e-300)" in text  # not "0"
    one = tradeoff.set(budget=1)
    assert "budget of 1 update: " in one and "1 updates" not in one
    tradeoff.set(budget=20)
    labels = [t.get_text() for t in tradeoff.fig.axes[1].texts]
    assert "losses < 1e-24 drawn here" in labels



def test_bad_input_is_named():
    with pytest.raises(ValueError, match="max_steps"):
        panels.tradeoff_panel(max_steps=0)
    with pytest.raises(ValueError, match="tol"):
        panels.bowl2d_panel(tol=-1.0)


def test_key_figure_renders():
    fig = figures.tradeoff_figure(
        curvature=2.0, start=1.0, tol=0.001, budget=20,
        bowl=lrcourse.Bowl2D(curvatures=(0.5, 10.0), rotation=30.0),
        bowl_start=(-2.2, -0.2), bowl_lrs=(0.02, 2 / 10.5, 0.199), bowl_steps=40)
    assert png_bytes(fig)[:4] == b"\x89PNG"
    titles = [ax.get_title() for ax in fig.axes]
    assert "lr 0.190 (best fixed)" in titles  # as the caption: 2/10.5 = 0.190
    assert "lr 0.191 (best fixed)" not in titles


def test_tradeoff_compute_and_readout_without_widgets():
    from lrcourse.lessons.lesson03 import analysis

    compute = analysis.Tradeoff(2.0, 1.0, 1e-3, 5000, panels.LR_MIN, panels.LR_MAX)
    point = compute(lr=float(GRID[20]), budget=20)
    assert point.steps == 342.0 and point.diverged_at is None
    assert "updates to |w| < 0.001: 342" in compute.readout(point)
    same_budget = compute(lr=0.1, budget=20)
    assert same_budget.losses is point.losses  # indexed, not swept again
    assert compute(lr=0.1, budget=100).losses is not point.losses
    away = compute(lr=float(GRID[-1]), budget=20)
    assert away.loss == float("inf") and away.diverged_at is not None
    assert "never: diverged at update" in compute.readout(away)


def test_bowl_compute_and_readout_without_widgets():
    from lrcourse.lessons.lesson03 import analysis

    compute = analysis.IllConditioned(10.0, 30.0, (-2.2, -0.2), 60, 1e-3, 2000,
                                      (panels.BOWL_MIN, panels.BOWL_MAX,
                                       panels.BOWL_STEP))
    run = compute(lr=0.1, condition=100.0)
    assert run.regime == "monotone" and run.along.shape == (61, 2)
    assert float(BOWL[run.index]) == 0.1
    text = compute.readout(run)
    assert "condition number 100" in text and "best fixed rate" in text
    assert compute(lr=0.15, condition=100.0).regime == "oscillating"
    assert compute(lr=0.25, condition=100.0).regime == "divergent"
    round_bowl = compute(lr=0.1, condition=1.0)
    assert round_bowl.bowl is not run.bowl
    assert compute(lr=0.1, condition=100.0).bowl is run.bowl  # kept
