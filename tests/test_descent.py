"""Gradient descent on the toy problems: closed forms, regimes, divergence."""

import math
import warnings

import numpy as np
import pytest

import lrcourse
from lrcourse import Bowl2D, Quadratic, TwoValleys


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.3, 0.5, 0.7, 0.99])
def test_quadratic_path_matches_closed_form(lr):
    q = Quadratic(curvature=2.0, minimum=1.0)
    tr = lrcourse.gradient_descent(q, lr=lr, steps=25, start=5.0)
    k = np.arange(26)
    expected = 1.0 + (5.0 - 1.0) * (1 - lr * 2.0) ** k
    np.testing.assert_allclose(tr.weights, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tr.losses, q.loss(expected), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(tr.updates, np.diff(tr.weights), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(tr.grads, 2.0 * (tr.weights[:-1] - 1.0))
    assert tr.lrs.tolist() == [lr] * 25
    assert not tr.diverged and tr.diverged_at is None


def test_update_rule_is_old_minus_lr_times_grad():
    q = Quadratic(curvature=4.0, minimum=1.0)
    tr = lrcourse.gradient_descent(q, lr=0.05, steps=2, start=3.0)
    assert tr.weights[1] == pytest.approx(3.0 - 0.05 * 8.0)
    assert tr.weights[2] == pytest.approx(2.28)
    row = tr.rows()[0]
    assert row["lr_x_grad"] == pytest.approx(0.4)
    assert row["new"] == pytest.approx(row["old"] - row["lr_x_grad"])


def test_stability_limits_and_classification():
    assert lrcourse.stability_limits(8.0) == (0.125, 0.25)
    assert lrcourse.classify_lr(0.1, 8.0) == "monotone"
    assert lrcourse.classify_lr(0.125, 8.0) == "monotone"
    assert lrcourse.classify_lr(0.125 * (1 + 1e-12), 8.0) == "monotone"
    assert lrcourse.classify_lr(0.2, 8.0) == "oscillating"
    assert lrcourse.classify_lr(0.25, 8.0) == "marginal"
    assert lrcourse.classify_lr(0.25 * (1 + 1e-12), 8.0) == "marginal"
    assert lrcourse.classify_lr(0.26, 8.0) == "divergent"


@pytest.mark.parametrize("curvature", [0.5, 2.0, 8.0, 100.0])
def test_regimes_switch_at_one_and_two_over_lambda(curvature):
    q = Quadratic(curvature=curvature)
    once, twice = lrcourse.stability_limits(curvature)
    below = lrcourse.gradient_descent(q, lr=0.95 * once, steps=30, start=1.0)
    assert np.all(np.diff(below.weights) < 0)  # monotone: no sign change
    osc = lrcourse.gradient_descent(q, lr=1.5 * once, steps=30, start=1.0)
    assert np.any(osc.weights < 0) and abs(osc.weights[-1]) < 1.0
    assert np.all(np.diff(osc.losses) < 0)  # the loss still falls every step
    marginal = lrcourse.gradient_descent(q, lr=twice, steps=30, start=1.0)
    np.testing.assert_allclose(np.abs(marginal.weights), 1.0)
    away = lrcourse.gradient_descent(q, lr=1.05 * twice, steps=30, start=1.0)
    assert abs(away.weights[-1]) > 1.0


def test_divergence_is_flagged_and_the_jump_kept():
    q = Quadratic(curvature=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = lrcourse.gradient_descent(q, lr=5.0, steps=100, start=1.0)
    assert tr.diverged
    # loss(k) = 81**k: first above 1e6 x start at k = 4 (81**4 = 4.3e7)
    assert tr.diverged_at == 4
    assert tr.steps == 4 and len(tr.weights) == 5
    assert np.all(np.isfinite(tr.losses))
    assert tr.losses[-1] > 1e6 * tr.losses[0]


def test_overflow_stops_before_nonfinite_values():
    q = Quadratic(curvature=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = lrcourse.gradient_descent(q, lr=1e300, steps=10, start=1.0)
    assert tr.diverged_at == 1
    assert np.all(np.isfinite(tr.weights)) and np.all(np.isfinite(tr.losses))
    assert tr.steps == 0  # the first update's values were not finite


def test_schedule_as_rate():
    q = Quadratic(curvature=1.0)
    sched = lrcourse.step_decay(0.5, drop=0.5, every=2)
    tr = lrcourse.gradient_descent(q, lr=sched, steps=5, start=1.0)
    assert tr.lrs.tolist() == [0.5, 0.5, 0.25, 0.25, 0.125]


def test_noise_needs_rng_and_is_reproducible():
    q = Quadratic(curvature=1.0)
    with pytest.raises(ValueError, match="rng"):
        lrcourse.gradient_descent(q, lr=0.1, steps=5, start=1.0, noise=0.5)
    a = lrcourse.gradient_descent(q, lr=0.1, steps=50, start=1.0, noise=0.5, rng=3)
    b = lrcourse.gradient_descent(q, lr=0.1, steps=50, start=1.0, noise=0.5,
                                  rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.weights, b.weights)
    assert np.any(np.diff(a.losses) > 0)  # noise: the loss does not fall every step


def test_optimizer_on_a_problem_uses_the_optimizer():
    q = Quadratic(curvature=2.0)
    tr = lrcourse.gradient_descent(q, lr=0.1, steps=3, start=1.0,
                                   optimizer=lrcourse.SGD(momentum=0.9))
    # m1 = -0.1*2 = -0.2; w1 = 0.8; m2 = 0.9*-0.2 - 0.1*1.6 = -0.34; w2 = 0.46
    np.testing.assert_allclose(tr.weights[:3], [1.0, 0.8, 0.46])


def test_bowl2d_hessian_and_path():
    b = Bowl2D(curvatures=(10.0, 1.0), rotation=30.0)
    np.testing.assert_allclose(np.linalg.eigvalsh(b.hessian), [1.0, 10.0])
    assert b.sharpness == 10.0 and b.condition_number == 10.0
    w = np.array([0.3, -0.7])
    eps = 1e-6
    num = [(b.loss(w + eps * e) - b.loss(w - eps * e)) / (2 * eps) for e in np.eye(2)]
    np.testing.assert_allclose(b.grad(w), num, rtol=1e-7)
    tr = lrcourse.gradient_descent(b, lr=2 / 11, steps=200, start=(1.0, 1.0))
    assert tr.weights.shape == (201, 2)
    assert np.linalg.norm(tr.weights[-1]) < 1e-6


def test_two_valleys_jump():
    f = TwoValleys(tilt=0.3)
    left, right = f.minima()
    assert left < -0.9 and right > 0.9
    assert abs(f.grad(left)) < 1e-9
    small = lrcourse.gradient_descent(f, lr=0.01, steps=400, start=1.6)
    assert small.weights[-1] == pytest.approx(right, abs=1e-3)
    big = lrcourse.gradient_descent(f, lr=0.15, steps=400, start=1.6)
    assert big.weights[-1] == pytest.approx(left, abs=1e-3)


def test_sweep_matches_single_runs():
    q = Quadratic(curvature=2.0, minimum=0.5)
    lrs = [0.01, 0.3, 0.9, 1.2]
    s = lrcourse.sweep(q, lrs, steps=40, start=3.0)
    for i, lr in enumerate(lrs):
        tr = lrcourse.gradient_descent(q, lr=lr, steps=40, start=3.0)
        n = len(tr.weights)
        np.testing.assert_allclose(s.weights[i, :n], tr.weights)
        assert (s.diverged_at[i] or None) == tr.diverged_at
    assert s.steps_to(1e-3, minimum=0.5)[0] == -1
    assert s.steps_to(1e-3, minimum=0.5)[1] == lrcourse.gradient_descent(
        q, lr=0.3, steps=40, start=3.0).steps_to(1e-3, minimum=0.5)


def test_steps_to_tolerance_closed_form():
    tr = lrcourse.gradient_descent(Quadratic(curvature=2.0), lr=0.01, steps=1000,
                                   start=1.0)
    # |w_k| = 0.98**k < 1e-3  <=>  k > ln(1e-3)/ln(0.98) = 341.9
    assert tr.steps_to(1e-3) == math.ceil(math.log(1e-3) / math.log(0.98)) == 342


@pytest.mark.parametrize("bad, exc, match", [
    (0.0, ValueError, "lr must be a finite number > 0"),
    (-3, ValueError, "lr"),
    (float("nan"), ValueError, "lr"),
    (float("inf"), ValueError, "lr"),
    ("0.1", TypeError, "lr must be a number"),
    (None, TypeError, "lr must be a number"),
])
def test_bad_rates_are_rejected(bad, exc, match):
    with pytest.raises(exc, match=match):
        lrcourse.gradient_descent(Quadratic(), lr=bad, steps=5, start=1.0)


@pytest.mark.parametrize("steps, exc", [(0, ValueError), (-1, ValueError),
                                        (2.5, TypeError), (3.0, TypeError),
                                        ("5", TypeError)])
def test_bad_steps_are_rejected(steps, exc):
    with pytest.raises(exc, match="steps"):
        lrcourse.gradient_descent(Quadratic(), lr=0.1, steps=steps, start=1.0)


def test_bad_problem_arguments():
    with pytest.raises(ValueError, match="curvature"):
        Quadratic(curvature=0)
    with pytest.raises(ValueError, match="start"):
        lrcourse.gradient_descent(Bowl2D(), lr=0.1, steps=3, start=(1.0,))
    with pytest.raises(ValueError, match="lrs"):
        lrcourse.sweep(Quadratic(), [], steps=3, start=1.0)
    with pytest.raises(ValueError, match=r"lrs\[1\]"):
        lrcourse.sweep(Quadratic(), [0.1, -1.0], steps=3, start=1.0)


def test_noise_around_the_minimum_is_not_a_runaway():
    q = Quadratic(curvature=1.0)
    tr = lrcourse.gradient_descent(q, lr=0.1, steps=200, start=0.0, noise=0.1, rng=0)
    assert not tr.diverged and tr.steps == 200
