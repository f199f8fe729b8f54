"""Lesson 04 analysis: the noisy-bowl floor (closed form vs the package's loop) and
the mini-batch floors of the reference network."""

import math
import warnings

import numpy as np
import pytest

import lrcourse
from lrcourse.lessons.lesson04 import analysis as noise


def test_floor_closed_form():
    # lr sigma^2 / (2 (2 - lr lambda))
    assert noise.noise_floor(0.1, 1.0, 1.0) == pytest.approx(0.1 / (2 * 1.9))
    assert noise.noise_floor(0.2, 2.0, 3.0) == pytest.approx(0.2 * 9 / (2 * 1.6))
    assert noise.noise_floor(2.0, 1.0, 1.0) == math.inf
    floors = noise.noise_floor(np.array([0.01, 0.1, 3.0]), 1.0, 1.0)
    assert floors[0] < floors[1] and floors[2] == np.inf


def test_floor_is_half_curvature_times_stationary_variance():
    lr, lam, sigma = 0.3, 2.0, 0.7
    variance = lr**2 * sigma**2 / (1 - (1 - lr * lam) ** 2)
    assert noise.noise_floor(lr, lam, sigma) == pytest.approx(lam / 2 * variance)


def test_sweep_repeats_gradient_descent_exactly():
    bowl = lrcourse.Quadratic(curvature=1.0)
    sweep = noise.noisy_sweep(bowl, [0.05, 0.3], 300, 2.0, noise=0.8, rng=7)
    for i, lr in enumerate([0.05, 0.3]):
        tr = lrcourse.gradient_descent(bowl, lr=lr, steps=300, start=2.0, noise=0.8,
                                       rng=7)
        np.testing.assert_allclose(sweep.losses[i, 0], tr.losses, rtol=1e-12)


def test_package_loop_confirms_the_floor_and_the_exercise_ratio():
    bowl = lrcourse.Quadratic(curvature=1.0)
    measured = {}
    for lr in (1.0, 0.5):
        tr = lrcourse.gradient_descent(bowl, lr=lr, steps=40000, start=2.0,
                                       noise=1.0, rng=3)
        measured[lr] = float(tr.losses[2000:].mean())
        assert measured[lr] == pytest.approx(noise.noise_floor(lr, 1.0, 1.0),
                                             rel=0.1)
    ratio = measured[0.5] / measured[1.0]
    assert 0.28 <= ratio <= 0.39  # not the 0.5 of lr / 4
    assert ratio == pytest.approx(1 / 3, abs=0.03)


def test_sweep_floor_matches_theory_and_divergence_is_reported():
    bowl = lrcourse.Quadratic(curvature=1.0)
    lrs = [0.05, 0.2, 1.0, 2.5]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        s = noise.noisy_sweep(bowl, lrs, 2000, 2.0, noise=1.0, rng=0, runs=16)
        floors = s.floor(last=1500)
        rises = s.rise_fraction()
    np.testing.assert_allclose(floors[:3], noise.noise_floor(np.array(lrs[:3]), 1.0,
                                                             1.0), rtol=0.1)
    assert np.isnan(floors[3]) and s.diverged.tolist() == [False] * 3 + [True]
    assert np.all((rises[:3] > 0.4) & (rises[:3] < 0.6))
    assert "1 rates diverged" in repr(s)


def test_settle_updates():
    assert noise.settle_updates(0.1, 1.0, 2.0, 0.0263) == pytest.approx(
        math.log(0.1 * 0.0263 / 2.0) / (2 * math.log(0.9)))
    assert noise.settle_updates(3.0, 1.0, 2.0, math.inf) == math.inf
    assert noise.settle_updates(0.1, 1.0, 0.01, 0.0263) == 0.0


def test_running_mean():
    np.testing.assert_allclose(noise.running_mean(np.arange(6.0), 3),
                               [0, 0.5, 1, 2, 3, 4])


@pytest.mark.parametrize("call, name", [
    (lambda: noise.noise_floor(-0.1, 1.0, 1.0), "lr"),
    (lambda: noise.noise_floor(0.1, 0.0, 1.0), "curvature"),
    (lambda: noise.noise_floor(0.1, 1.0, -1.0), "noise"),
    (lambda: noise.noisy_sweep(lrcourse.Quadratic(), [0.1], 0, 1.0, noise=1.0,
                               rng=0), "steps"),
    (lambda: noise.noisy_sweep(lrcourse.Quadratic(), [], 10, 1.0, noise=1.0,
                               rng=0), "lrs"),
    (lambda: noise.noisy_sweep(lrcourse.Quadratic(), [0.1], 10, 1.0, noise=1.0,
                               rng=0, runs=0), "runs"),
    (lambda: noise.noisy_sweep(lrcourse.Bowl2D(), [0.1], 10, 1.0, noise=1.0,
                               rng=0), "problem"),
    (lambda: noise.running_mean([1.0], 0), "window"),
    (lambda: noise.mean_final_loss(lrcourse.Quadratic(), 0.1, 10, 1.0, noise=1.0,
                                   seeds=[]), "seeds"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


@pytest.fixture(scope="module")
def settled():
    return noise.settled_reference(seed=0)


def test_minibatch_floor_grows_with_rate_and_falls_with_batch(settled):
    model, X, y = settled
    lrs = [0.01, 0.03, 0.1]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        small = noise.minibatch_floors(model, X, y, lrs, 10, seed=1)
        large = noise.minibatch_floors(model, X, y, lrs, 50, seed=1)
    assert np.all(np.diff(small.excess) > 0)
    assert np.all(np.diff(large.excess) > 0)
    assert np.all(large.excess < small.excess)
    assert np.all(small.excess > 0)
    assert small.batch_losses.shape == large.batch_losses.shape == (3, 840)
    # the mini-batch loss goes up after a large share of updates
    assert np.all(small.rise_fraction > 0.3)


def test_gradient_noise_shrinks_like_root_batch(settled):
    model, X, y = settled
    full, spread10 = noise.gradient_noise(model, X, y, 10, draws=100, seed=0)
    _, spread50 = noise.gradient_noise(model, X, y, 50, draws=100, seed=0)
    assert spread10 > 5 * full  # near the bottom: mostly noise
    assert spread10 / spread50 == pytest.approx(math.sqrt(5), rel=0.2)


def test_schedule_beats_each_constant_rate_on_a_budget():
    bowl = lrcourse.Quadratic(curvature=1.0)
    decay = lrcourse.step_decay(0.5, drop=0.1, every=100)
    best_constant = min(noise.mean_final_loss(bowl, lr, 300, 2.0, noise=1.0,
                                              seeds=range(16))
                        for lr in (0.5, 0.05, 0.005))
    assert noise.mean_final_loss(bowl, decay, 300, 2.0, noise=1.0,
                                 seeds=range(16)) < best_constant


def test_lessons_04_and_08_share_one_noise_floor():
    from lrcourse.lessons.lesson08 import analysis as composer
    from lrcourse.problems import noise_floor

    assert noise.noise_floor is noise_floor and composer.noise_floor is noise_floor
