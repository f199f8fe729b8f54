"""Lesson 06: momentum and Adam panels, figures and exercises."""

import warnings

import numpy as np
import pytest

import lrcourse
from lrcourse import SGD, Adam, Quadratic
from lrcourse.lessons.lesson06 import figures
from lrcourse.lessons.lesson06 import panels as lesson06
from lrcourse.lessons.lesson06.analysis import first_updates, momentum_limit, run_rates
from lrcourse.readouts import lr_grid
from lrcourse.widgets import answer_box

MOM_GRID = lr_grid(lesson06.MOM_MIN, lesson06.MOM_MAX, lesson06.MOM_STEP)
ADAM_GRID = lr_grid(lesson06.ADAM_MIN, lesson06.ADAM_MAX, lesson06.ADAM_STEP)


def on_grid(grid, value):
    return float(grid[np.argmin(np.abs(grid - value))])


@pytest.fixture(scope="module")
def mom():
    return lesson06.momentum_panel(lr=0.05, momentum=0.9, curvature=10.0, start=1.0)


@pytest.fixture(scope="module")
def adam():
    return lesson06.adam_panel(lr=0.001, curvature=10.0, start=1.0)


def test_sliders_sit_on_their_grids(mom, adam):
    assert mom.widgets["lr"].value in MOM_GRID
    assert adam.widgets["lr"].value in ADAM_GRID
    # the grid is fine enough to locate the momentum limit to within 1 %
    assert MOM_GRID[1] / MOM_GRID[0] - 1 < 0.006


def test_panel_finds_the_momentum_limit_where_the_closed_form_puts_it(mom):
    mom.set(momentum=0.9)
    limit = momentum_limit(10.0, 0.9)
    below = float(MOM_GRID[MOM_GRID < limit][-1])
    above = float(MOM_GRID[MOM_GRID > limit][0])
    assert "with momentum:    stable" in mom.set(lr=below)
    text = mom.set(lr=above)
    assert "with momentum:    unstable" in text
    assert below == pytest.approx(0.38, rel=0.01)


def test_divergent_and_normal_readouts(mom):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        text = mom.set(momentum=0.9, lr=on_grid(MOM_GRID, 0.3))
        high = mom.set(lr=on_grid(MOM_GRID, 0.5))
    assert "with momentum:    stable" in text
    assert "plain (beta = 0): unstable: diverged at update 10" in text
    assert "with momentum:    unstable: diverged at update 7" in high
    assert "plain (beta = 0): unstable: diverged at update 5" in high
    mom.set(lr=0.05011872336272722)


def test_momentum_loss_rises_and_effective_step(mom):
    text = mom.set(momentum=0.9, lr=0.001)
    runs = run_rates(Quadratic(curvature=10.0), SGD(momentum=0.9), [0.001],
                     steps=lesson06.MOM_STEPS, start=1.0)
    rises = int(runs.loss_rises(lesson06.MOM_SHOWN)[0])
    assert rises > 0
    assert f"loss rose on {rises} of the first 60 updates" in text
    assert "plain (beta = 0): stable" in text and "loss rose on 0 of" in text
    ratio = float(text.split("without (")[1].split("x;")[0])
    assert 3 < ratio < 10  # larger steps, up to 1/(1 - beta)
    plain = mom.set(momentum=0.0)
    assert plain.count("shrinks x0.9900") == 2  # beta = 0: both runs identical
    mom.set(momentum=0.9, lr=0.05011872336272722)



def test_adam_readout_first_update_is_the_rate(adam):
    for lr in (0.0001, 0.01, 3.1622776601683795):
        text = adam.set(lr=lr)
        first = abs(first_updates(Adam(lr=lr), [10.0])[0])
        assert f"Adam: {first:.6g} (1.000 x lr)" in text
        assert f"SGD: {lr * 10:.6g} (lr x gradient)" in text
    assert "Adam: still 0.99 from the minimum after 100 updates" in adam.set(
        lr=0.0001)
    far = adam.set(lr=3.1622776601683795).split("Adam ")[-1].split(",")[0]
    assert float(far) > 2.0  # the first update overshoots past -1
    adam.set(lr=0.001)


def test_adam_path_ignores_the_gradient_scale(adam):
    adam.set(lr=0.03162277660168379)
    lines = {}
    for lam in (0.1, 100.0):
        lines[lam] = adam.set(curvature=lam).splitlines()
    assert lines[0.1][2] == lines[100.0][2]  # Adam's outcome: the same
    assert "diverged" in lines[100.0][3] and "diverged" not in lines[0.1][3]
    adam.set(curvature=10.0, lr=0.001)


def test_exercise_answers_are_computed_and_hinted():
    for right in (1.94e-4, "0.000194", "1.937e-4", 1.9e-4):
        assert lrcourse.check("06.1", right).correct
    wrong = lrcourse.check("06.1", 5e-4)
    assert not wrong.correct and "epsilon matters" in wrong.message
    assert "that is SGD" in lrcourse.check("06.1", 1e-9).message
    assert "before the bias correction" in lrcourse.check("06.1", 4.76e-4).message
    assert "gradient of 1e-6" in lrcourse.check("06.1", 1.2e-4).message
    assert "here the rate is 5e-4" in lrcourse.check("06.1", 3.87e-4).message
    assert lrcourse.check("06.2", 0.38).correct
    assert lrcourse.check("06.2", "0.378").correct
    hint = lrcourse.check("06.2", 0.2)
    assert not hint.correct and "2/lambda" in hint.message
    assert "1/(1 - beta)" in lrcourse.check("06.2", 0.02).message
    assert "limit for beta = 0.5" in lrcourse.check("06.2", 0.3).message
    assert lrcourse.check("06.3", 20).correct
    assert "plain SGD" in lrcourse.check("06.3", 1).message
    assert "is larger" in lrcourse.check("06.3", 0.95).message
    assert "two updates" in lrcourse.check("06.3", 1.95).message
    ten = lrcourse.check("06.3", 10)
    assert not ten.correct and "that is beta = 0.9" in ten.message
    assert lrcourse.check("06.4", 10).correct
    assert "other way round" in lrcourse.check("06.4", 0.1).message
    for right in (0.8186, 0.82, 0.81, "0.819"):
        assert lrcourse.check("06.5", right).correct
    assert "factor squared" in lrcourse.check("06.5", 0.905).message
    assert "usual default" in lrcourse.check("06.5", 0.9).message
    assert "where the formula has sqrt(kappa)" in lrcourse.check("06.5", 0.99).message
    assert "kappa = 1000" in lrcourse.check("06.5", 0.88).message
    assert "kappa = 100;" in lrcourse.check("06.5", 0.67).message
    assert not lrcourse.check("06.5", 0.36).correct


def test_exercise_answers_match_the_closed_forms():
    from lrcourse.exercises import get_exercise

    eps = 1e-7 / np.sqrt(1 - 0.999)  # Keras' epsilon after the bias correction
    assert get_exercise("06.1").answer == pytest.approx(5e-4 * 2e-6 / (2e-6 + eps),
                                                        rel=1e-6)
    assert get_exercise("06.5").answer == pytest.approx(((20 - 1) / (20 + 1)) ** 2)
    assert get_exercise("06.2").answer == pytest.approx(
        momentum_limit(10.0, 0.9), rel=1e-4)
    assert get_exercise("06.3").answer == pytest.approx(1 / (1 - 0.95), rel=1e-6)
    assert get_exercise("06.4").answer == pytest.approx(
        lrcourse.KERAS_DEFAULT_LRS["SGD"] / lrcourse.PYTORCH_DEFAULT_LRS["SGD"])


def test_answer_box_for_the_panel_exercise():
    box = answer_box("06.2")
    text, button, feedback = box.children
    text.value = "0.2"
    box.check()
    assert "2/lambda" in feedback.value
    text.value = "0.38"
    box.check()
    assert "Right" in feedback.value


def test_figures_draw_without_warnings():
    from lrcourse.plotting import static_figure

    fig, (ax1, ax2) = static_figure(width=10.0, ncols=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        limits = figures.draw_shrink_factors(ax1, 10.0, momenta=(0.0, 0.5))
        adam_sizes, sgd_sizes = figures.draw_first_updates(ax2, lr=1e-3)
    np.testing.assert_allclose(limits, [0.2, 0.3], rtol=1e-4)
    assert np.all(np.abs(adam_sizes[60:] - 1e-3) < 2e-5)  # gradients >= 1e-2


def test_bad_panel_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="curvature"):
        lesson06.momentum_panel(curvature=-1.0)
    with pytest.raises(ValueError, match="curvature"):
        lesson06.adam_panel(curvature=0.0)
    with pytest.raises(ValueError, match="momentum"):
        lesson06.momentum_panel(momentum=0.995)
    with pytest.raises(TypeError, match="lr"):
        lesson06.adam_panel(lr="fast")


# -- compute, readout and view, without widgets ------------------------------------
@pytest.fixture(scope="module")
def momentum_runs():
    from lrcourse.lessons.lesson06.analysis import MomentumRuns

    return MomentumRuns((lesson06.MOM_MIN, lesson06.MOM_MAX, lesson06.MOM_STEP),
                        curvature=10.0, start=1.0, steps=lesson06.MOM_STEPS,
                        shown=lesson06.MOM_SHOWN)


def test_momentum_compute_and_readout_without_widgets(momentum_runs):
    from lrcourse.lessons.lesson06.analysis import momentum_readout

    limit = momentum_limit(10.0, 0.9)
    below = momentum_runs(lr=float(MOM_GRID[MOM_GRID < limit][-1]), momentum=0.9)
    assert below.lr == pytest.approx(0.38, rel=0.01)
    assert "with momentum:    stable" in momentum_readout(below)
    above = momentum_runs(lr=float(MOM_GRID[MOM_GRID > limit][0]), momentum=0.9)
    assert "with momentum:    unstable" in momentum_readout(above)
    assert above.plain is below.plain  # beta = 0 is run once
    assert momentum_runs.runs(0.9) is above.mom  # and each momentum once
    text = momentum_readout(momentum_runs(lr=0.001, momentum=0.0))
    assert text.count("shrinks x0.9900") == 2


def test_adam_compute_and_readout_without_widgets():
    from lrcourse.lessons.lesson06.analysis import AdamRuns, adam_readout

    runs = AdamRuns((lesson06.ADAM_MIN, lesson06.ADAM_MAX, lesson06.ADAM_STEP),
                    (lesson06.CURV_MIN, lesson06.CURV_MAX, lesson06.CURV_STEP),
                    start=1.0, steps=lesson06.ADAM_STEPS)
    point = runs(lr=0.0101, curvature=9.0)  # nearest grid values: 0.01 and 10
    assert (point.lr, point.lam) == (pytest.approx(0.01), pytest.approx(10.0))
    text = adam_readout(point)
    assert "Adam: 0.01 (1.000 x lr)" in text and "SGD: 0.1 (lr x gradient)" in text
    flat, steep = (adam_readout(runs(lr=0.0316, curvature=lam)).splitlines()
                   for lam in (0.1, 100.0))
    assert flat[2] == steep[2] and "diverged" in steep[3]


def test_views_move_their_artists_and_make_no_new_ones(momentum_runs, agg_figure):
    view = figures.MomentumView(momentum_runs, figure=agg_figure)
    before = [len(ax.lines) for ax in view.fig.axes]
    view.update(momentum_runs(lr=0.05, momentum=0.9))
    curve = view.map_mom.get_ydata()
    view.update(momentum_runs(lr=0.3, momentum=0.9))
    assert view.map_mom.get_ydata() is curve  # same momentum: not redrawn
    assert [len(ax.lines) for ax in view.fig.axes] == before
    assert view.title.get_text() == "lr = 0.3003, β = 0.90"


def test_adam_rates_over_five_seeds():
    """The lesson's claims about Adam on the reference network, over seeds
    0-4: 1e-3 ends near 0.25 in every seed, 1e-5 is still near 0.75, and at
    0.3 three seeds stall near ln 2 while the other two end at 0.33-0.46,
    still behind 1e-3 in every seed."""
    from lrcourse.lessons.lesson06 import adam_over_seeds

    sweep = adam_over_seeds()
    loss = sweep.final()
    slow, good, high = loss.T
    assert np.all((slow > 0.7) & (slow < 0.8))
    assert np.all((good > 0.24) & (good < 0.26))
    assert sweep.stalled(0.3).sum() == 3
    assert np.all(high[sweep.stalled(0.3)] > 0.69)
    assert np.all((high[~sweep.stalled(0.3)] > 0.3) & (high[~sweep.stalled(0.3)] < 0.5))
    assert np.all(high > good + 0.05)
    # in every stalled seed a whole hidden layer has died
    dead = sweep.dead_units(0.3)
    assert np.all(dead[sweep.stalled(0.3)].max(axis=1) == 1.0)


def test_side_aware_hints():
    assert "down" in lrcourse.check("06.2", 0.4).message
    assert "down" in lrcourse.check("06.2", 0.39).message


def test_valley_path_is_drawn_decimated_keeping_the_zig_zag():
    from lrcourse.lessons.lesson06.figures import _drawn_path

    w = np.column_stack([np.arange(4001.0) / 4000, (-1.0) ** np.arange(4001)])
    x, y = _drawn_path(w)
    assert len(x) <= 700 and np.array_equal(x[:150], w[:150, 0])
    assert np.all(y[1:] != y[:-1])  # every drawn segment still crosses the valley
    short = w[:400]
    assert np.array_equal(_drawn_path(short)[0], short[:, 0])  # short runs: all
