"""Lesson 02: too high a rate (regimes panel, valleys panel, exercises, figures)."""


import pytest

import lrcourse
from lrcourse.exercises import get_exercise
from lrcourse.lessons.lesson02 import figures, panels
from lrcourse.plotting import png_bytes
from lrcourse.readouts import lr_grid
from lrcourse.regimes import raw_descent

GRID = lr_grid(panels.LR_MIN, panels.LR_MAX, panels.LR_STEP)




@pytest.fixture(scope="module")
def panel():
    return panels.regimes_panel(lr=0.1, curvature=2.0, steps=20, start=3.0)


def test_exercise_answers_are_computed():
    assert lrcourse.check("02.1", 0.2239).correct
    assert lrcourse.check("02.1", "0.224").correct
    assert not lrcourse.check("02.1", 0.226).correct  # the valleys readout's 2/lambda
    assert lrcourse.check("02.2", -0.512).correct
    assert lrcourse.check("02.3", 0.64).correct
    assert not lrcourse.check("02.2", -0.216).correct  # the worked example, rescaled


@pytest.mark.parametrize("ex, wrong, words", [
    ("02.1", 0.125, "overshooting runs still converge"),
    ("02.1", 0.25, "no longer converges"),
    ("02.1", "1/4", "no longer converges"),
    ("02.1", 0.2512, "no longer converges"),
    ("02.1", 0.2, "next one up"),
    ("02.2", 0.512, "sign"),
    ("02.2", -0.8, "w1"),
    ("02.2", -0.216, "lr 0.4"),
    ("02.3", 0.8, "square"),
    ("02.3", 0.36, "lr 0.8"),
])
def test_commonest_wrong_answers_get_their_hint(ex, wrong, words):
    result = lrcourse.check(ex, wrong)
    assert not result.correct and words in result.message


def test_w3_and_the_loss_factor_closed_form():
    assert (1 - 0.45 * 4) ** 3 == pytest.approx(-0.512)
    run = lrcourse.gradient_descent(lrcourse.Quadratic(curvature=4.0), lr=0.45,
                                    steps=3, start=1.0)
    assert run.losses[1:] / run.losses[:-1] == pytest.approx([0.64] * 3)


def test_oscillating_readout_says_the_loss_fell(panel):
    text = panel.set(lr=float(GRID[98]))  # 0.794: lr x lambda = 1.59
    assert "predicted: oscillating" in text
    assert "loss fell at every update" in text
    assert "crossed the minimum 20 times" in text


def test_divergent_readout_reports_the_update(panel):
    text = panel.set(lr=float(GRID[102]))  # 1.26: lr x lambda = 2.52
    assert "predicted: divergent" in text
    assert "diverged at update 17" in text
    assert "stopped after update 17: the loss grew more than a million-fold" in text
    assert "(9 -> 1.306e+07)" in text
    panel.set(lr=0.1)


def test_only_lr_times_curvature_matters(panel):
    text = panel.set(curvature=10000.0, lr=float(GRID[40]))  # 0.001
    assert "lr x lambda = 10.000" in text and "diverged" in text
    text = panel.set(curvature=1000.0)
    assert "lr x lambda = 1.000" in text and "after update 1" in text
    panel.set(curvature=2.0, lr=0.1)



def test_valleys_panel_jumps_and_diverges():
    p = panels.valleys_panel(lr=0.1, start=1.5, steps=40, tilt=0.3)
    valley = lr_grid(panels.VALLEY_MIN, panels.VALLEY_MAX, panels.VALLEY_STEP)
    assert "stayed" in p.readout_text
    assert "jumped into the other valley" in p.set(lr=float(valley[26]))
    assert "diverged at update 4" in p.set(lr=float(valley[32]))


def test_regimes_compute_and_readout_without_widgets():
    from lrcourse.lessons.lesson02 import analysis
    from lrcourse.regimes import regime_readout

    compute = analysis.Regimes(steps=20, start=3.0)
    run = compute(lr=1.0, curvature=2.0)
    assert run.regime == "marginal" and run.story == "loss stayed level"
    expected = regime_readout(lrcourse.gradient_descent(
        lrcourse.Quadratic(curvature=2.0), lr=1.0, steps=20, start=3.0), 2.0)
    assert analysis.regime_run_readout(run) == expected
    assert compute(lr=1.5, curvature=2.0).story == "diverged"
    assert compute(lr=0.1, curvature=2.0).story == "loss fell every update"


def test_valleys_compute_and_readout_without_widgets():
    from lrcourse.lessons.lesson02 import analysis

    compute = analysis.Valleys(tilt=0.3, start=1.5, steps=40)
    stayed, jumped = compute(lr=0.1), compute(lr=float(lr_grid(-2, 0, 0.05)[26]))
    assert stayed.ended == "right" and jumped.ended == "left"
    assert "stayed" in analysis.valley_run_readout(stayed)
    assert "jumped into the other valley" in analysis.valley_run_readout(jumped)
    assert compute(lr=1.0).ended == "diverged"


def test_only_a_new_curvature_redraws_the_figure_in_full(panel, monkeypatch):
    canvas = panel.fig.canvas
    real, draws = canvas.draw, []
    monkeypatch.setattr(canvas, "draw", lambda: (draws.append(1), real())[-1])
    panel.set(lr=0.2)
    assert draws == []  # the rate only moves blitted artists
    panel.set(curvature=4.0)
    assert draws == [1]  # the strip moved
    panel.set(curvature=2.0, lr=0.1)


def test_bad_curvature_is_named():
    with pytest.raises(ValueError, match="curvature"):
        panels.regimes_panel(curvature=3.0)


def test_figures_render():
    fig = figures.regimes_figure(curvature=2.0, lrs=(0.3, 0.8, 1.1), start=3.0,
                                 steps=12)
    assert png_bytes(fig)[:4] == b"\x89PNG"
    w, f = raw_descent(2.0, 3.0, 3.0, 460)
    assert png_bytes(figures.divergence_figure(w, f))[:4] == b"\x89PNG"


def test_key_figure_counts_updates_in_whole_numbers():
    fig = figures.regimes_figure(curvature=2.0, lrs=(0.3, 0.8, 1.1), start=3.0,
                                 steps=12)
    png_bytes(fig)  # lay the ticks out
    for ax in fig.axes:
        ticks = ax.get_xticks()
        assert all(float(t).is_integer() for t in ticks), ticks
    titles = [ax.get_title() for ax in fig.axes]
    assert "w crossed the minimum\n0 times" in titles[0]


def test_why_stopped_names_the_rule_that_stopped_the_run():
    from lrcourse.readouts import why_stopped

    bowl = lrcourse.Quadratic(curvature=2.0)
    grew = lrcourse.gradient_descent(bowl, lr=1.2589254117941673, steps=20, start=3.0)
    assert why_stopped(grew) == ("stopped after update 17: the loss grew more than "
                                 "a million-fold (9 -> 1.306e+07)")
    near_zero = lrcourse.gradient_descent(bowl, lr=3.0, steps=200, start=1e-5)
    assert "grew above 1 from a start near 0" in why_stopped(near_zero)
    huge = lrcourse.gradient_descent(bowl, lr=1e200, steps=20, start=3.0)
    assert "weights grew beyond 1e+12" in why_stopped(huge)
    with pytest.raises(TypeError, match="trace"):
        why_stopped("not a trace")


def test_exercise_02_1_is_the_last_converging_notch_of_the_panel(panel):
    answer = get_exercise("02.1").answer
    assert answer in GRID and answer < 2 / 8 < GRID[list(GRID).index(answer) + 1]
    below, above = panel.set(curvature=8.0, lr=answer), panel.set(lr=0.2512)
    assert "oscillating, still 0.02757 from the minimum" in below
    assert "diverging" in above and "diverging" not in below
    for text in (below, above):  # the readout needs the slider: no limits printed
        assert "1/lambda =" not in text and "2/lambda =" not in text
        assert "0.125" not in text and "0.25)" not in text
    assert "1/lambda" not in lrcourse.check("02.1", 0.125).message
    assert "twice" not in lrcourse.check("02.1", 0.125).message
    panel.set(curvature=2.0, lr=0.1)


def test_marginal_readout_says_the_loss_stayed_at_its_start(panel):
    text = panel.set(curvature=2.0, lr=1.0)
    assert "loss stayed at its starting value at every update" in text
    panel.set(lr=0.1)
