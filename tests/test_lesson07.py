"""Lesson 07: choosing a learning rate (sweep, range test, batch size)."""


import numpy as np
import pytest

import lrcourse
from lrcourse.lessons.lesson05.analysis import constant_loss
from lrcourse.lessons.lesson07 import figures, panels
from lrcourse.lessons.lesson07.analysis import (
    SWEEP_GRID,
    TrialSplit,
    near_best_band,
    range_test,
    sweep_on_split,
)
from lrcourse.lessons.lesson07.exercises import best_rate, minimum_vs_tenth
from lrcourse.plotting import png_bytes
from lrcourse.readouts import lr_grid

GRID = lr_grid(*SWEEP_GRID)




@pytest.fixture(scope="module")
def sweep():
    return panels.sweep_panel(lr=0.1, batch_size=10, epochs=5, optimizer="sgd", seed=0)


@pytest.fixture(scope="module")
def ranged():
    return panels.range_test_panel(rule="valley", batch_size=10, num_it=100, epochs=5,
                                   seed=0)


# -- exercises ----------------------------------------------------------------

def test_exercise_1_batch_reaching_1e_3():
    assert lrcourse.check("07.1", 50).correct
    assert lrcourse.check("07.1", "50").correct
    wrong = lrcourse.check("07.1", 51)
    assert not wrong.correct and "counted from 0" in wrong.message
    assert "linear" in lrcourse.check("07.1", 0.01).message


def test_exercise_2_minimum_over_10_beats_minimum():
    losses = minimum_vs_tenth()
    assert losses["minimum_over_10"] < losses["minimum"]
    assert lrcourse.check("07.2", "minimum/10").correct
    wrong = lrcourse.check("07.2", "minimum")
    assert not wrong.correct and "Train with this rate" in wrong.message
    other = lrcourse.check("07.2", "maximum")
    assert not other.correct and "Please answer minimum or minimum/10" in other.message


def test_exercise_3_best_rate_moves_with_batch_size():
    b10, b80 = best_rate(10), best_rate(80)
    assert b10 == pytest.approx(10 ** -0.4) and b80 == pytest.approx(1.0)
    assert lrcourse.check("07.3", 1).correct
    assert lrcourse.check("07.3", "1.0").correct
    wrong = lrcourse.check("07.3", round(b10, 3))
    assert not wrong.correct and "batch size 10" in wrong.message


# -- the sweep panel ------------------------------------------------------------

def test_sweep_panel_readout_matches_the_sweep(sweep):
    text = sweep.set(batch_size=10, lr=float(GRID[10]))
    h = sweep.compute.sweeps[10]
    assert f"final validation loss {h['val_loss'][10, -1]:.4f}" in text
    assert "168 updates per epoch, 840 in 5 epochs" in text
    assert "best rate at batch size 10: 0.398" in text
    assert "(trained)" in text


def test_sweep_panel_names_dead_relus_and_batch_size_shift(sweep):
    text = sweep.set(batch_size=80, lr=float(GRID[17]))  # 2.51
    assert ("stalled: dead ReLUs, the output no longer depends on age, "
            "loss >= 0.693 (a constant guess's)") in text
    assert "final validation loss 0.6934" in text  # true: 0.6934 >= 0.693
    assert "best rate at batch size 80: 1 " in text
    assert "the rate best at batch size 10, 0.398, gives" in text
    _ = sweep.set(batch_size=10, lr=0.1)


def test_sweep_panel_never_calls_a_run_worse_than_untrained_trained(sweep):
    text = sweep.set(batch_size=320, lr=1.0)
    assert "accuracy 49.8%" in text and "(trained)" not in text
    assert "not learning: no better than the untrained network's" in text
    floor = constant_loss(sweep.compute.data.y_val)  # 0.693 to 3 decimals
    assert f"{floor:.3f}" == "0.693"
    for bs, outcomes in sweep.compute.outcomes.items():
        h = sweep.compute.sweeps[bs]
        for i, what in enumerate(outcomes):
            if what.startswith("stalled"):  # the stated bound holds
                assert h["val_loss"][i, -1] >= floor
    _ = sweep.set(batch_size=10, lr=0.1)


def test_sweep_runs_share_initial_weights_and_batches():
    data = TrialSplit(seed=0)
    both = sweep_on_split(data, [0.01, 0.1], 20, epochs=2)
    one = sweep_on_split(data, [0.1], 20, epochs=2)
    assert np.allclose(both["val_loss"][1], one["val_loss"][0], rtol=1e-9)


def test_sweep_panel_rejects_unknown_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        panels.sweep_panel(batch_size=7)


# -- the range-test panel -------------------------------------------------------

def test_range_panel_suggestions_and_training(ranged):
    data = TrialSplit(seed=0)
    r = range_test(lrcourse.reference_model(seed=0), data.X_train, data.y_train,
                   batch_size=10, seed=0)
    s = r.suggestions()
    text = ranged.set(rule="steep")
    assert f"steep {s['steep']:.3g}" in text and "ran all 100 batches" in text
    assert "press 'Train with this rate'" in text
    text = ranged.actions["train"]()
    h = sweep_on_split(data, [s["steep"]], 10, optimizer="adam", epochs=5)
    assert f"final validation loss {h['val_loss'][0, -1]:.4f}" in text


def test_range_panel_opens_with_the_default_rule_trained():
    fresh = panels.range_test_panel(rule="minimum_over_10", batch_size=10,
                                    num_it=100, epochs=5, seed=0)
    assert list(fresh.compute.trained) == ["minimum_over_10"]
    right = fresh.fig.axes[1]
    drawn = [ln for ln in right.get_lines() if len(ln.get_xdata()) == 5]
    assert len(drawn) == 1  # the PNG fallback shows a curve, not empty axes
    assert "minimum/10  lr" in fresh.readout_text
    assert "press 'Train with this rate'" not in fresh.readout_text


def test_range_panel_rejects_unknown_rule():
    with pytest.raises(ValueError, match="rule"):
        panels.range_test_panel(rule="median")


def test_near_best_band():
    lo, hi = near_best_band(np.array([1.0, 2.0, 3.0, 4.0]),
                                   np.array([0.5, 0.31, 0.3, np.nan]))
    assert (lo, hi) == (2.0, 3.0)


# -- the key figure ---------------------------------------------------------------

def test_key_figure_is_wide_enough(sweep, ranged):
    fig = figures.key_figure(GRID, sweep.compute.sweeps, 10, ranged.compute.result,
                             (5, 40, 160))
    png = png_bytes(fig)
    width = int.from_bytes(png[16:20], "big")
    assert width >= 600
    assert len(fig.axes) == 3


# -- compute, readout and view, without widgets ---------------------------------------

@pytest.fixture(scope="module")
def table():
    from lrcourse.lessons.lesson07.analysis import SweepTable

    return SweepTable((10, 80), epochs=5, optimizer="sgd", seed=0)


def test_sweep_compute_and_readout_without_widgets(table):
    from lrcourse.lessons.lesson07.analysis import sweep_readout

    point = table(lr=0.11, batch_size=10)  # the grid rate nearest: 0.1
    assert point.lr == pytest.approx(0.1) and point.history is table.sweeps[10]
    text = sweep_readout(point)
    assert "168 updates per epoch, 840 in 5 epochs (plain SGD)" in text
    assert "best rate at batch size 10: 0.398" in text
    far = sweep_readout(table(lr=float(GRID[17]), batch_size=80))
    assert "stalled: dead ReLUs" in far and "best rate at batch size 80: 1 " in far
    with pytest.raises(ValueError, match="batch_size"):
        table(lr=0.1, batch_size=20)


def test_range_compute_trains_on_demand_and_reads_out():
    from lrcourse.lessons.lesson07.analysis import RangeTests, range_readout

    tests = RangeTests(batch_size=10, num_it=100, epochs=5, seed=0)
    before = tests(rule="steep")
    assert "press 'Train with this rate'" in range_readout(before)
    phrase = tests.train("steep")
    assert phrase.startswith("final validation loss")
    after = tests(rule="steep")
    assert before.trained == {} and list(after.trained) == ["steep"]
    assert f"  steep       lr 0.1      {phrase}" in range_readout(after)
    with pytest.raises(ValueError, match="rule"):
        tests.train("median")


def test_views_move_their_artists_and_make_no_new_ones(table, ranged, agg_figure):
    ref = table.sweeps[10]["val_loss"][:, -1]
    view = figures.SweepView(table.lrs, ref, 5, figure=agg_figure)
    before = [len(ax.lines) for ax in view.fig.axes]
    view.update(table(lr=0.1, batch_size=80))
    curve = view.curve.get_ydata()
    view.update(table(lr=1.0, batch_size=80))
    assert view.curve.get_ydata() is curve  # same batch size: not redrawn
    assert view.title.get_text() == "lr = 1, batch size 80"
    assert [len(ax.lines) for ax in view.fig.axes] == before
    view = figures.RangeView(ranged.compute.result, 5, figure=agg_figure)
    view.update(ranged.result)
    drawn = [r for r, line in view.lines.items() if len(line.get_xdata())]
    assert drawn == list(ranged.result.curves)
