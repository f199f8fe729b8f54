"""Lesson 04: panels, readouts and exercises (noise and the loss floor)."""

import warnings

import numpy as np
import pytest

import lrcourse
from lrcourse.exercises import get_exercise
from lrcourse.lessons.lesson04 import panels
from lrcourse.lessons.lesson04.analysis import noise_floor
from lrcourse.readouts import lr_grid


@pytest.fixture(scope="module")
def bowl_panel():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return panels.noisy_bowl_panel(lr=0.1, noise=1.0, curvature=1.0, start=2.0,
                                       steps=1000, runs=16, seed=0)


@pytest.fixture(scope="module")
def net_panel():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return panels.minibatch_panel(lr=0.1, batch_size=10, seed=0)


def test_bowl_readout_normal(bowl_panel):
    text = bowl_panel.set(lr=0.1, noise=1.0)
    assert "theory floor   lr sigma^2 / (2 (2 - lr lambda)) = 0.02632" in text
    measured = float(text.split("all runs) = ")[1].split()[0])
    assert measured == pytest.approx(noise_floor(0.1, 1.0, 1.0), rel=0.1)
    assert "hovering: the loss rose after" in text


def test_bowl_readout_divergent_and_slow(bowl_panel):
    grid = lr_grid(panels.BOWL_MIN, panels.BOWL_MAX, panels.BOWL_STEP)
    text = bowl_panel.set(lr=float(grid[67]))
    assert "diverged at update" in text and "2/lambda = 2" in text
    text = bowl_panel.set(lr=0.001)
    assert "still falling" in text and "near 2/lambda" not in text
    assert "more than the run's 1,000" in text
    text = bowl_panel.set(lr=float(grid[grid <= 0.00502][-1]))  # 0.005012
    assert "only after about 963 updates," in text  # within the run, but after
    assert "the mean over updates 501-1000 still includes the descent" in text
    text = bowl_panel.set(lr=float(grid[grid < 2][-1]))
    assert "near 2/lambda = 2: a huge floor" in text
    assert "near 2/lambda" not in bowl_panel.set(lr=1.0)
    bowl_panel.set(lr=0.1)


def test_bowl_noise_slider_scales_the_floor(bowl_panel):
    text = bowl_panel.set(lr=0.1, noise=2.0)
    assert f"= {noise_floor(0.1, 1.0, 2.0):.5f}" in text
    bowl_panel.set(noise=1.0)


def test_exercise_041_panel_values(bowl_panel):
    grid = lr_grid(panels.BOWL_MIN, panels.BOWL_MAX, panels.BOWL_STEP)
    near = float(grid[np.argmin(np.abs(grid - 0.5))])
    ratio = noise_floor(near, 1.0, 1.0) / noise_floor(1.0, 1.0, 1.0)
    assert lrcourse.check("04.1", ratio).correct
    assert lrcourse.check("04.1", round(ratio, 3)).correct


def test_minibatch_readouts(net_panel):
    text = net_panel.set(batch_size=10, lr=0.1)
    assert "batch size 10, lr = 0.1: plain SGD, 840 updates" in text
    assert "floor: mean mini-batch loss" in text and "no noise" in text
    assert "the noise adds +" in text
    assert "updates" in net_panel.set(batch_size=50, lr=0.1)
    assert "840 updates" in net_panel.set(batch_size=100, lr=0.1)
    text = net_panel.set(batch_size=10, lr=1.0)
    assert "thrown out of the valley" in text
    net_panel.set(lr=0.1)


def test_minibatch_floors_order(net_panel):
    floors = net_panel.compute.floors
    i = 12  # lr 0.1
    assert net_panel.compute.lrs[i] == pytest.approx(0.1)
    excess = [floors[bs].excess[i] for bs in panels.BATCH_SIZES]
    assert all(a > b > 0 for a, b in zip(excess, excess[1:]))
    for bs in panels.BATCH_SIZES:  # every batch size gets the same updates
        assert floors[bs].batch_losses.shape == (21, 840)
    e10 = floors[10].excess
    assert np.all(np.diff(e10[:14]) > 0)  # grows with the rate up to ~0.5


def test_exercise_042_matches_panel(net_panel):
    floors = net_panel.compute.floors
    ratio = floors[50].excess[12] / floors[10].excess[12]
    ex = get_exercise("04.2")
    assert ex.answer == pytest.approx(ratio, rel=1e-6)
    assert lrcourse.check("04.2", float(ratio)).correct
    assert lrcourse.check("04.2", 0.2).correct  # the lr / batch size rule
    wrong = lrcourse.check("04.2", 5)
    assert not wrong.correct and "below 1" in wrong.message
    assert not lrcourse.check("04.2", 0.447).correct
    assert not lrcourse.check("04.2", 0.04).correct


@pytest.mark.parametrize("seed", range(5))
def test_floor_goes_with_lr_over_batch_size_over_seeds(seed):
    """The lesson's claims, on five settled networks and batch orders: at
    equal updates the noise's part of the floor grows with the rate, a batch
    5 times larger divides it by about 5 (the exercise 04.2 accepts every
    seed's ratio), and (lr, B) and (10 lr, 10 B) give about the same floor:
    the lr / B rule, claimed only at rates up to 0.1."""
    from lrcourse.lessons.lesson04 import analysis

    model, X, y = analysis.settled_reference(seed=seed)
    lrs = [0.01, 0.0316, 0.1, 0.316]
    parts = {bs: analysis.minibatch_floors(model, X, y, lrs, bs,
                                           seed=seed + 1).excess
             for bs in (10, 50, 100)}
    assert np.all(np.diff(parts[10]) > 0) and np.all(np.diff(parts[50]) > 0)
    ratio = parts[50][2] / parts[10][2]
    assert 0.15 < ratio < 0.25
    assert lrcourse.check("04.2", float(ratio)).correct
    assert parts[100][2] / parts[10][0] == pytest.approx(1.0, abs=0.3)
    # a batch 10 times larger lowers it about 8-10-fold at rates up to 0.1,
    # 3- to 9-fold near 0.3, where (10 lr, 10 B) leaves a floor 2-3 times higher
    tenfold = parts[100] / parts[10]
    assert np.all((tenfold[:3] > 0.07) & (tenfold[:3] < 0.16))
    assert 0.09 < tenfold[3] < 0.4
    assert 1.7 < parts[100][3] / parts[10][1] < 3.2


def test_exercise_041_answer_and_hints(bowl_panel):
    assert get_exercise("04.1").answer == pytest.approx(1 / 3)
    assert lrcourse.check("04.1", 0.33).correct
    assert lrcourse.check("04.1", "0.33").correct
    notch = bowl_panel.set(lr=0.501).values["lr"]
    ratio = noise_floor(notch, 1.0, 1.0) / noise_floor(1.0, 1.0, 1.0)
    assert lrcourse.check("04.1", round(ratio, 2)).correct  # read on the panel
    wrong = lrcourse.check("04.1", 0.5)
    assert not wrong.correct and "2 - lr lambda" in wrong.message
    assert "pile up" in lrcourse.check("04.1", 0.25).message
    assert "new floor divided" in lrcourse.check("04.1", 2).message
    bowl_panel.set(lr=0.1)


def test_exercise_043(bowl_panel):
    answer = get_exercise("04.3").answer
    assert noise_floor(answer, 1.0, 1.0) == pytest.approx(0.01)
    notch = bowl_panel.set(lr=0.0398).values["lr"]
    assert lrcourse.check("04.3", notch).correct  # the panel's nearest notch
    assert noise_floor(notch, 1.0, 1.0) == pytest.approx(0.01, rel=0.03)
    assert lrcourse.check("04.3", 0.04).correct  # the lr / 4 estimate
    wrong = lrcourse.check("04.3", 0.02)
    assert not wrong.correct and "lr / 4" in wrong.message
    assert "not lr^2" in lrcourse.check("04.3", 0.0617).message
    bowl_panel.set(lr=0.1)


def test_bad_input():
    with pytest.raises(ValueError, match="noise"):
        panels.noisy_bowl_panel(noise=0.3)
    with pytest.raises(ValueError, match="batch_size"):
        panels.minibatch_panel(batch_size=7)


def test_noisy_bowl_compute_and_readout_without_widgets():
    from lrcourse.lessons.lesson04 import analysis

    compute = analysis.NoisyBowl(1.0, 2.0, 200, 2, 0,
                                 (panels.BOWL_MIN, panels.BOWL_MAX, panels.BOWL_STEP),
                                 [0.5, 1.0])
    point = compute(lr=0.1, noise=0.9)  # the nearest level
    assert point.table is compute.tables[1.0] and point.diverged_at is None
    assert point.theory == pytest.approx(noise_floor(0.1, 1.0, 1.0))
    text = compute.readout(point)
    assert text.startswith("lr = 0.1   lr x lambda = 0.100   noise sigma = 1.00")
    assert f"= {noise_floor(0.1, 1.0, 1.0):.5f}" in text
    away = compute(lr=2.2387211385683394, noise=0.5)
    assert away.diverged_at is not None and "no floor at all" in compute.readout(away)


def test_minibatch_readout_from_tables(net_panel):
    from lrcourse.lessons.lesson04 import analysis

    floors = net_panel.compute.floors[10]
    point = analysis.MinibatchPoint(lr=0.1, index=12, floors=floors)
    assert analysis.minibatch_point_readout(point) == net_panel.set(
        batch_size=10, lr=0.1)
    assert net_panel.compute(lr=0.1, batch_size=10).index == 12
