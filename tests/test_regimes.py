"""lrcourse.regimes: factors, step counts, sweeps and readouts against closed forms."""

import math
import warnings

import numpy as np
import pytest

import lrcourse
from lrcourse import regimes


def test_factors_and_contraction():
    assert regimes.factors(0.4, [4.0]).tolist() == pytest.approx([-0.6])
    assert regimes.contraction(0.1, [10.0, 1.0]) == pytest.approx(0.9)
    best = regimes.best_fixed_rate([10.0, 1.0])
    assert best == pytest.approx(2 / 11)
    # at the best rate both directions shrink equally, the steep one flipping sign
    factors = regimes.factors(best, [10.0, 1.0]).tolist()
    assert factors == pytest.approx([-9 / 11, 9 / 11])


@pytest.mark.parametrize("lr", [0.001, 0.01, 0.1, 0.3, 0.49, 0.7, 0.95])
def test_steps_needed_matches_the_trace(lr):
    tr = lrcourse.gradient_descent(lrcourse.Quadratic(2.0), lr=lr, steps=4000,
                                   start=1.0)
    assert regimes.steps_needed(lr, 2.0, 1.0, 1e-3) == tr.steps_to(1e-3)


def test_steps_needed_edges():
    assert regimes.steps_needed(0.5, 2.0, 1.0, 1e-3) == 1
    assert regimes.steps_needed(1.0, 2.0, 1.0, 1e-3) == math.inf
    assert regimes.steps_needed(0.1, 2.0, 1e-4, 1e-3) == 0


def test_steps_curve_is_a_u_with_its_bottom_at_one_over_lambda():
    from lrcourse.readouts import lr_grid

    lrs = lr_grid(-3, 0.2, 0.01)
    steps, diverged = regimes.steps_curve(lrcourse.Quadratic(2.0), lrs, 1.0, 1e-3, 5000)
    bottom = lrs[np.argmin(steps)]
    assert 0.45 < bottom < 0.55
    assert np.all(np.isinf(steps[lrs >= 1.0]))
    assert np.all(diverged[lrs > 1.0 + 1e-9]) and not diverged[lrs < 1.0].any()
    assert steps[0] == regimes.steps_needed(float(lrs[0]), 2.0, 1.0, 1e-3)


def test_2d_u_bottom_is_the_best_fixed_rate():
    from lrcourse.readouts import lr_grid

    lrs = lr_grid(-3, -0.5, 0.005)
    steps, _ = regimes.steps_curve(lrcourse.Bowl2D(curvatures=(10.0, 1.0)), lrs,
                                   (1.0, 1.0), 1e-3, 3000)
    low, high = regimes.fewest(lrs, steps)[1:]
    assert 0.17 <= low <= 2 / 11 + 0.004 and 0.17 <= high <= 0.185


def test_budget_losses_closed_form_and_divergence():
    out = regimes.budget_losses(lrcourse.Quadratic(2.0), [0.01, 0.1, 1.5], 10, 1.0)
    assert out[0] == pytest.approx(0.98 ** 20)
    assert out[1] == pytest.approx(0.8 ** 20)
    assert out[2] == np.inf


def test_loss_story_and_first_rise():
    bowl = lrcourse.Quadratic(2.0)
    osc = lrcourse.gradient_descent(bowl, lr=0.8, steps=10, start=3.0)
    assert regimes.first_rise(osc.losses) is None
    assert regimes.sign_changes(osc.weights) == 10
    assert regimes.loss_story(osc).startswith("loss fell at every update")
    flat = lrcourse.gradient_descent(bowl, lr=1.0, steps=5, start=3.0)
    assert regimes.loss_story(flat).startswith(
        "loss stayed at its starting value at every update")
    landed = lrcourse.gradient_descent(lrcourse.Quadratic(1000.0), lr=0.001, steps=5,
                                       start=3.0)  # 0 after update 1, then 0
    assert regimes.loss_story(landed).startswith("loss never rose but did not")
    up = lrcourse.gradient_descent(bowl, lr=1.1, steps=5, start=3.0)
    assert regimes.first_rise(up.losses) == 1


def test_raw_descent_overflows_to_inf_then_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        w, f = regimes.raw_descent(2.0, 3.0, 3.0, 460)
    assert regimes.first_nonfinite(f) == 220
    assert regimes.first_nonfinite(w) == 441
    assert np.isinf(w[441]) and np.isnan(w[442])


def test_eigen_coordinates_split_steep_and_flat():
    bowl = lrcourse.Bowl2D(curvatures=(0.5, 10.0), rotation=30.0)
    e = regimes.eigen_coordinates(bowl, np.array([[np.cos(np.pi / 6),
                                                   np.sin(np.pi / 6)]]))
    assert abs(e[0, 0]) == pytest.approx(1.0)
    assert e[0, 1] == pytest.approx(0.0, abs=1e-12)


def test_valley_readout_reports_the_jump():
    f = lrcourse.TwoValleys(tilt=0.3)
    tr = lrcourse.gradient_descent(f, lr=0.2, steps=40, start=1.5)
    assert regimes.valley_of(f, tr.weights[0]) == "right"
    assert regimes.valley_of(f, tr.weights[-1]) == "left"
    assert "jumped into the other valley" in regimes.valleys_readout(tr, f)


@pytest.mark.parametrize("call, name", [
    (lambda: regimes.factors(-0.1, [1.0]), "lr"),
    (lambda: regimes.best_fixed_rate([1.0, -2.0]), r"curvatures\[1\]"),
    (lambda: regimes.steps_needed(0.1, 2.0, 1.0, 0.0), "tol"),
    (lambda: regimes.raw_descent(2.0, 0.1, 1.0, 0), "steps"),
    (lambda: regimes.budget_losses(lrcourse.Quadratic(), [0.1], 0, 1.0), "budget"),
    (lambda: regimes.steps_curve(lrcourse.Quadratic(), [0.1], 1.0, 1e-3, 1.5),
     "max_steps"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
