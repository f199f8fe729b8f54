"""Runs at many rates, measured stability, first updates (lesson 06)."""

import warnings

import numpy as np
import pytest

import lrcourse
from lrcourse import SGD, Adam, Bowl2D, Quadratic
from lrcourse.lessons.lesson06.analysis import (
    first_updates,
    largest_stable_lr,
    momentum_limit,
    run_rates,
    steady_step_ratio,
)


def test_run_rates_matches_gradient_descent_row_by_row():
    q = Quadratic(curvature=10.0, minimum=0.5)
    rates = [0.003, 0.05, 0.3]
    runs = run_rates(q, SGD(momentum=0.9), rates, steps=40, start=2.0)
    for i, lr in enumerate(rates):
        tr = lrcourse.gradient_descent(q, lr, 40, 2.0,
                                       optimizer=SGD(lr, momentum=0.9))
        np.testing.assert_allclose(runs.weights[i], tr.weights, rtol=1e-12)
        np.testing.assert_allclose(runs.losses[i], tr.losses, rtol=1e-12)
        np.testing.assert_allclose(runs.updates[i], tr.updates, rtol=1e-12)


def test_plain_runs_follow_the_closed_form():
    q = Quadratic(curvature=4.0)
    rates = np.array([0.05, 0.2, 0.45])
    runs = run_rates(q, SGD(), rates, steps=12, start=1.0)
    k = np.arange(13)
    expected = (1 - rates[:, None] * 4.0) ** k
    np.testing.assert_allclose(runs.weights, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(runs.convergence_factors(), np.abs(1 - rates * 4.0),
                               rtol=1e-9)


def test_run_rates_on_a_2d_bowl():
    b = Bowl2D(curvatures=(10.0, 1.0))
    runs = run_rates(b, Adam(), [0.01, 0.1], steps=30, start=(1.0, 1.0))
    assert runs.weights.shape == (2, 31, 2)
    tr = lrcourse.gradient_descent(b, 0.1, 30, (1.0, 1.0), optimizer=Adam(0.1))
    np.testing.assert_allclose(runs.weights[1], tr.weights, rtol=1e-12)


def test_divergence_is_a_result_and_leaks_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        runs = run_rates(Quadratic(curvature=10.0), SGD(momentum=0.9),
                         [0.1, 0.5, 5.0], steps=300, start=1.0)
        factors = runs.convergence_factors()
        stable = runs.stable()
    assert runs.diverged.tolist() == [False, True, True]
    assert runs.diverged_at[2] > 0
    assert np.all(np.isnan(runs.losses[2, runs.diverged_at[2] + 1:]))
    assert stable.tolist() == [True, False, False]
    assert factors[0] < 1 < factors[1]
    assert "2 diverged" in repr(runs)


@pytest.mark.parametrize("curvature, beta", [(10.0, 0.0), (10.0, 0.5), (10.0, 0.9),
                                             (4.0, 0.99), (2.0, 0.3)])
def test_bisection_over_runs_matches_the_closed_form(curvature, beta):
    found = largest_stable_lr(Quadratic(curvature=curvature), SGD(momentum=beta),
                              lo=0.001, hi=3.0)
    assert found == pytest.approx(2 * (1 + beta) / curvature, rel=1e-4)
    assert found == pytest.approx(momentum_limit(curvature, beta), rel=1e-4)


def test_plain_bisection_agrees_with_gradient_descent_runs():
    q = Quadratic(curvature=10.0)
    one = largest_stable_lr(q, SGD(momentum=0.9), lo=0.01, hi=1.0, points=1,
                            rtol=1e-4)
    assert one == pytest.approx(0.38, rel=2e-4)

    def stable(lr):
        tr = lrcourse.gradient_descent(q, lr, 2000, 1.0,
                                       optimizer=SGD(lr, momentum=0.9))
        return not tr.diverged and abs(tr.weights[-1]) < 1.0

    assert stable(one * 0.999) and not stable(one * 1.01)


def test_first_updates_and_steady_steps():
    adam = np.abs(first_updates(Adam(lr=1e-3), [0.002, 50.0, 1e-7]))
    assert adam[0] == pytest.approx(0.001, rel=0.02)
    # Keras adds epsilon before the bias correction: on the first update it
    # acts like epsilon / sqrt(1 - beta_2)
    eps = 1e-7 / np.sqrt(1 - 0.999)
    assert adam[0] == pytest.approx(1e-3 * 0.002 / (0.002 + eps), rel=1e-9)
    assert adam[1] == pytest.approx(0.001, rel=1e-6)
    assert adam[2] == pytest.approx(1e-3 * 1e-7 / (1e-7 + eps), rel=1e-9)
    sgd = np.abs(first_updates(SGD(lr=1e-3), [0.002, 50.0]))
    np.testing.assert_allclose(sgd, [2e-6, 0.05])
    for beta in (0.0, 0.5, 0.9):
        assert steady_step_ratio(beta) == pytest.approx(1 / (1 - beta), rel=1e-6)


def test_the_optimizer_passed_in_is_left_untouched():
    opt = SGD(lr=0.2, momentum=0.9)
    run_rates(Quadratic(), opt, [0.1], steps=5, start=1.0)
    first_updates(opt, [1.0])
    assert opt.iterations == 0 and opt.lr == 0.2


def test_bad_arguments_name_the_parameter():
    q = Quadratic(curvature=10.0)
    with pytest.raises(ValueError, match="lrs"):
        run_rates(q, SGD(), [], steps=5, start=1.0)
    with pytest.raises(ValueError, match="lrs"):
        run_rates(q, SGD(), [0.1, -1.0], steps=5, start=1.0)
    with pytest.raises(TypeError, match="optimizer"):
        run_rates(q, "sgd", [0.1], steps=5, start=1.0)
    with pytest.raises(TypeError, match="steps"):
        run_rates(q, SGD(), [0.1], steps=2.5, start=1.0)
    with pytest.raises(ValueError, match="hi must be an unstable rate"):
        largest_stable_lr(q, SGD(momentum=0.9), lo=0.01, hi=0.2)
    with pytest.raises(ValueError, match="lo must be a stable rate"):
        largest_stable_lr(q, SGD(), lo=0.3, hi=1.0)
    with pytest.raises(ValueError, match="lo must be below hi"):
        largest_stable_lr(q, SGD(), lo=1.0, hi=0.1)
    with pytest.raises(ValueError, match="momentum"):
        momentum_limit(10.0, 1.0)
    with pytest.raises(ValueError, match="curvature"):
        momentum_limit(0.0, 0.5)
    with pytest.raises(ValueError, match="grads"):
        first_updates(Adam(), [np.nan])
    with pytest.raises(ValueError, match="momentum"):
        steady_step_ratio(-0.1)


def _spectral_radius(lr, beta, curvature):
    """max |root| of z**2 - (1 + beta - lr * curvature) z + beta = 0."""
    return float(np.max(np.abs(np.roots([1.0, -(1.0 + beta - lr * curvature),
                                         beta]))))


@pytest.mark.parametrize("lr, beta", [(0.001, 0.9), (0.001, 0.99), (0.05, 0.9),
                                      (0.3, 0.9), (0.02, 0.95), (0.15, 0.3),
                                      (0.15, 0.0), (0.003, 0.5), (0.3, 0.5)])
def test_measured_factor_is_the_spectral_radius_of_momentum(lr, beta):
    # 240 updates as in lesson 06's panel: at beta 0.99, lr 0.001 one
    # oscillation lasts about 63 updates, longer than a short window
    runs = run_rates(Quadratic(curvature=10.0), SGD(momentum=beta), [lr],
                     steps=240, start=1.0)
    assert runs.convergence_factors()[0] == pytest.approx(
        _spectral_radius(lr, beta, 10.0), rel=2e-4)


def test_oscillating_momentum_never_reads_below_sqrt_beta():
    rates = np.geomspace(0.001, 0.3, 25)
    runs = run_rates(Quadratic(curvature=10.0), SGD(momentum=0.9), rates,
                     steps=240, start=1.0)
    assert np.all(runs.convergence_factors() >= np.sqrt(0.9) * (1 - 1e-3))
