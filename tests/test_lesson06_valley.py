"""Lesson 06's valley: the factor of heavy-ball momentum on a quadratic,
checked against runs of the package's SGD(momentum=beta)."""

import math

import numpy as np
import pytest

from lrcourse.lessons.lesson06 import figures
from lrcourse.lessons.lesson06 import panels as lesson06
from lrcourse.lessons.lesson06.valley import (
    REDUCTION,
    Valley,
    best_plain,
    direction_factors,
    heavy_ball_factor,
    heavy_ball_path,
    measured_updates,
    run_valley,
    tuned_momentum,
    updates_to,
    valley,
    valley_readout,
)
from lrcourse.readouts import lr_grid

VALLEY_GRID = lr_grid(lesson06.VALLEY_MIN, lesson06.VALLEY_MAX, lesson06.VALLEY_STEP)
#: (lr, momentum) points on the kappa-100 valley: complex and real roots,
#: slow, fast and diverging runs.
POINTS = [(0.1972, 0.0), (0.3, 0.6), (0.3, 0.8), (0.1, 0.9), (0.05, 0.5),
          (0.28, 0.71), (0.01, 0.3), (0.4, 0.7), (0.25, 0.95)]


def test_kappa_100_numbers():
    lam = valley(100.0).curvatures
    plain_lr, plain = best_plain(lam)
    lr, beta, factor = tuned_momentum(lam)
    assert plain_lr == pytest.approx(2 / 10.1)
    assert plain == pytest.approx(99 / 101)  # 0.980
    assert factor == pytest.approx(9 / 11)  # 0.818
    assert beta == pytest.approx((9 / 11) ** 2)  # 0.669
    assert lr == pytest.approx((2 / (math.sqrt(10) + math.sqrt(0.1))) ** 2)
    assert updates_to(plain) == 346  # about 345
    assert updates_to(factor) == 35
    # the formula's optimum is where the map is smallest
    assert heavy_ball_factor(lr, beta, lam) == pytest.approx(factor, rel=1e-6)
    lrs, betas = np.meshgrid(np.linspace(0.2, 0.4, 201), np.linspace(0, 0.9, 91))
    assert heavy_ball_factor(lrs, betas, lam).min() >= factor - 1e-9


def test_factor_is_the_spectral_radius_of_the_iteration():
    for lr, beta in POINTS:
        for lam in (0.1, 10.0):
            m = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
            radius = np.abs(np.linalg.eigvals(m)).max()
            assert direction_factors(lr, beta, [lam])[0] == pytest.approx(
                radius, rel=1e-6, abs=1e-12)
    assert heavy_ball_factor(0.5, 0.0, [1.0]) == pytest.approx(0.5)  # |1 - lr lam|


@pytest.mark.parametrize("lr, beta", POINTS)
def test_formula_agrees_with_runs_of_the_optimizer(lr, beta):
    bowl = valley(100.0)
    runs = run_valley(bowl, lr, beta, 600)
    formula = float(heavy_ball_factor(lr, beta, bowl.curvatures))
    measured = float(runs.convergence_factors()[0])
    if formula < 1:
        assert not runs.diverged[0]
        assert measured == pytest.approx(formula, abs=0.005)
    else:
        assert runs.diverged[0] or measured >= 1.0


def test_runs_reach_the_tolerance_as_the_factor_says():
    bowl = valley(100.0)
    plain_lr, _ = best_plain(bowl.curvatures)
    assert measured_updates(run_valley(bowl, plain_lr, 0.0, 400))[0] == 346
    lr, beta, _ = tuned_momentum(bowl.curvatures)
    # at the optimum each direction is critically damped: k 0.818^k, slower
    # than 0.818^k alone; a little above it the run needs about 40
    assert measured_updates(run_valley(bowl, lr, beta, 400))[0] == 54
    assert measured_updates(run_valley(bowl, 0.2884, 0.71, 400))[0] == 38


@pytest.mark.parametrize("lr, beta", POINTS)
def test_fast_path_is_the_optimizers_run(lr, beta):
    bowl = valley(100.0)
    fast, slow = heavy_ball_path(bowl, lr, beta, 300), run_valley(bowl, lr, beta, 300)
    assert fast.diverged_at == slow.diverged_at
    np.testing.assert_allclose(fast.weights, slow.weights, rtol=1e-9, atol=1e-9)


def test_updates_to():
    assert updates_to(0.5) == 10
    assert updates_to(0.1) == 3
    assert updates_to(1.0) == math.inf
    assert updates_to(0.0) == 1
    assert updates_to(0.5, reduction=REDUCTION ** 2) == 20


def test_valley_checks_kappa():
    with pytest.raises(ValueError, match="kappa"):
        valley(0.5)
    with pytest.raises(ValueError, match="kappa"):
        lesson06.valley_panel(kappa=30)
    with pytest.raises(ValueError, match="momentum"):
        lesson06.valley_panel(momentum=1.2)


def test_compute_and_readout_without_widgets():
    compute = Valley((lesson06.VALLEY_MIN, lesson06.VALLEY_MAX, lesson06.VALLEY_STEP),
                     lesson06.VALLEY_MOMENTA)
    point = compute(lr=0.1972, momentum=0.0, kappa=100)
    text = valley_readout(point)
    assert "factor per update: 0.9803" in text
    assert "plain descent at its best rate (lr = 0.198): factor 0.9802, 346" in text
    # the readout never names the tuned optimum
    assert "0.669" not in text and "0.818" not in text
    assert compute(lr=0.1972, momentum=0.5, kappa=100).map is point.map
    unstable = valley_readout(compute(lr=0.5, momentum=0.3, kappa=100))
    assert "does not converge" in unstable


def test_panel_moves_and_the_exercise_kappa():
    panel = lesson06.valley_panel(lr=0.1972, momentum=0.0, kappa=100)
    artists = len(panel.fig.findobj())
    text = panel.set(lr=0.2884, momentum=0.71)
    assert "factor per update: 0.8426" in text
    assert len(panel.fig.findobj()) == artists
    # kappa 16: on the grid the smallest factor sits at beta 0.37 (0.36 by
    # the formula); the exercise accepts both
    panel.set(kappa=16)
    best = {}
    for beta in (0.35, 0.36, 0.37, 0.38):
        table = panel.compute.map(16).factors[round(beta * 100)]
        best[beta] = float(table.min())
    assert min(best, key=best.get) in (0.36, 0.37)
    assert tuned_momentum(valley(16.0).curvatures)[1] == pytest.approx(0.36)


def test_valley_figure_counts():
    fig, counts = figures.valley_figure(100.0)
    assert counts == {"plain": 346, "momentum": 54}
    assert fig.get_figwidth() * fig.dpi <= 900


def test_first_updates_passes_the_weights():
    from lrcourse.lessons.lesson06.analysis import first_updates
    from lrcourse.optimizers import AdamW, ScheduleFreeAdamW

    for opt in (AdamW(lr=1e-3), ScheduleFreeAdamW(lr=1e-3)):
        changes = first_updates(opt, [0.002, 50.0])
        assert np.all(np.isfinite(changes)) and changes.shape == (2,)
    assert abs(first_updates(AdamW(lr=1e-3), [50.0])[0]) == pytest.approx(1e-3)


def test_panel_figures_fit_a_900_px_column():
    for panel in (lesson06.valley_panel(), lesson06.momentum_panel(),
                  lesson06.adam_panel()):
        assert panel.fig.get_figwidth() * panel.fig.dpi <= 900, panel.title


def test_the_optimum_control_reaches_the_star():
    panel = lesson06.valley_panel(lr=0.1972, momentum=0.0, kappa=100)
    text = panel.set(optimum=True)
    assert "35 by the factor, 54 in the run" in text
    # the nearest notches are past the steep direction's edge: a sharp corner
    near = panel.set(optimum=False, lr=0.3306, momentum=0.67)
    assert "54 by the factor, 68 in the run" in near


def test_wide_valley_runs_long_enough_and_its_beta_is_on_a_notch():
    panel = lesson06.valley_panel(lr=0.1972, momentum=0.0, kappa=100)
    panel.set(kappa=1000)
    assert panel.compute.steps_for(1000) >= 4000
    plain = panel.set(lr=0.1995, momentum=0.0)
    assert "more than" not in plain
    tuned = panel.set(optimum=True)
    assert "110 by the factor, 189 in the run" in tuned
    assert 0.881 in lesson06.VALLEY_BETAS and 0.67 in lesson06.VALLEY_BETAS
    assert np.all(np.diff(lesson06.VALLEY_BETAS) > 0)
    with pytest.raises(TypeError):
        panel.set(optimum=1)
