"""Lesson 09: the edge of stability (runs, readouts, exercises, panel)."""

import math
import warnings

import numpy as np
import pytest

import lrcourse
from lrcourse.lessons.lesson09.analysis import (
    LN2,
    edge_readout,
    edge_run,
    edge_sweep,
    trial_subset,
    verdict,
)
from lrcourse.readouts import lr_grid


@pytest.fixture(scope="module")
def data():
    return trial_subset(n=420, seed=0)


@pytest.fixture(scope="module")
def runs(data):
    X, y = data
    rates = {"below": 0.1, "edge": 10 ** -0.1, "one": 1.0, "dead": 2.0}
    return {k: edge_run(lr, X, y, steps=1000, every=10) for k, lr in rates.items()}


def test_trial_subset_is_the_scaled_start_of_the_training_set(data):
    X, y = data
    (ages, labels), _ = lrcourse.make_drug_trial(seed=0)
    assert X.shape == (420, 1) and y.shape == (420,)
    np.testing.assert_allclose(X[:, 0], (ages[:420] - 13.0) / 87.0)
    np.testing.assert_array_equal(y, labels[:420])


def test_sharpness_rises_to_two_over_lr_and_hovers(runs):
    run = runs["edge"]
    assert run.sharpness[0] == pytest.approx(1.6141, abs=1e-3)
    assert run.plateau() == pytest.approx(run.ceiling, rel=0.05)
    assert np.nanmax(run.sharpness) > run.ceiling  # it pokes above the line
    assert run.losses[-1] < 0.3 < run.losses[0]  # the loss falls overall ...
    assert run.rises() > 100  # ... but not at every update
    assert "edge of stability" in verdict(run)


def test_the_plateau_follows_the_rate(data):
    X, y = data
    for run in edge_sweep([10 ** -0.3, 10 ** 0.1], X, y, steps=600, every=20):
        assert run.plateau() == pytest.approx(2 / run.lr, rel=0.06)


def test_below_the_window_the_loss_falls_every_update(runs):
    run = runs["below"]
    assert run.rises() == 0
    assert run.plateau() < 0.35 * run.ceiling  # far under 2/lr = 20
    assert 5.0 < run.plateau() < 6.0
    text = edge_readout(run)
    assert "below the edge" in text and "falling at every update" in text
    assert "stays well under 2/lr" in verdict(run)


def test_above_the_window_the_relus_die(runs):
    run = runs["dead"]
    assert run.stalled and not run.diverged
    assert run.losses[-1] == pytest.approx(LN2, abs=1e-3)
    assert run.sharpness[-1] == pytest.approx(0.5, abs=1e-3)  # 2 p (1 - p)
    assert "stalled: dead ReLUs, loss ln 2 = 0.693" in edge_readout(run)


def test_readout_of_a_normal_run(runs):
    text = edge_readout(runs["one"])
    assert text.splitlines()[0].startswith("lr = 1   2/lr = 2.000")
    assert f"yet it rose at {runs['one'].rises()} of 1000 updates" in text


def test_exercise_answers(runs):
    edge = runs["edge"]
    assert lrcourse.check("09.1", edge.plateau())
    for eye in ("2.5", f"{2 / edge.lr:.2f}"):  # by eye, or 2/lr itself
        wrong = lrcourse.check("09.1", eye)
        assert not wrong and "readout's median, to 3 figures" in wrong.message
    wrong = lrcourse.check("09.1", 1.25)
    assert not wrong and "that is 1/lr" in wrong.message
    growth = abs(1 - edge.lr * np.nanmax(edge.sharpness))
    assert growth == pytest.approx(1.764, abs=0.002)
    assert lrcourse.check("09.2", round(growth, 2))
    wrong = lrcourse.check("09.2", round(edge.lr * np.nanmax(edge.sharpness), 3))
    assert not wrong and "lr x lambda" in wrong.message
    assert "sign flips" in lrcourse.check("09.2", -round(growth, 3)).message
    assert lrcourse.check("09.4", 1800)
    assert "38/lr" in lrcourse.check("09.4", 3800).message
    assert "2/lr" in lrcourse.check("09.4", 200).message
    assert lrcourse.check("09.3", runs["one"].rises())
    wrong = lrcourse.check("09.3", 0)
    assert not wrong and "bowl" in wrong.message


def test_bad_input_is_named(data):
    X, y = data
    with pytest.raises(ValueError, match="lr"):
        edge_run(-1.0, X, y)
    with pytest.raises(TypeError, match="steps"):
        edge_run(0.5, X, y, steps=10.0)
    with pytest.raises(ValueError, match="every"):
        edge_run(0.5, X, y, every=0)
    with pytest.raises(ValueError, match="n must be"):
        trial_subset(n=5000)
    with pytest.raises(ValueError, match="lrs"):
        edge_sweep([], X, y)
    with pytest.raises(ValueError, match="09.1"):
        lrcourse.check("09.9", 1.0)


def test_a_runaway_is_a_result(data):
    X, y = data
    run = edge_run(1000.0, X, y, steps=50, every=10)
    assert run.diverged or run.stalled
    assert math.isfinite(run.losses[0])
    edge_readout(run)  # no exception


@pytest.fixture(scope="module")
def panel():
    from lrcourse.lessons.lesson09 import panels

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return panels.edge_panel(lr=float(lr_grid(-0.3, 0.15, 0.05)[0]), steps=1000,
                                 every=10, n=420, seed=0)


def test_panel_controls(panel):
    slider = panel.widgets["lr"]
    assert slider.continuous_update is False
    assert "lr-slider" in slider._dom_classes
    assert slider.description
    text = panel.layout.children[-1]
    assert "lr-readout" in text._dom_classes


def test_panel_shows_training_then_the_result(panel):
    grid = lr_grid(-0.3, 0.15, 0.05)
    text = panel.layout.children[-1]
    seen = []
    text.observe(lambda change: seen.append(change["new"]), names="value")
    out = panel.set(lr=float(grid[4]))
    assert "training..." in seen[0]
    assert "edge of stability" in out and "2/lr = 2.518" in out
    dead = panel.set(lr=float(grid[-1]))
    assert "stalled: dead ReLUs" in dead
    seen.clear()
    panel.set(lr=float(grid[4]))  # a revisited rate is kept: no retraining
    assert not any("training..." in s for s in seen)


def test_key_figure_draws():
    from lrcourse.lessons.lesson09 import figures

    fig = figures.key_figure(curve_lrs=(0.5,), summary_lrs=(0.1, 0.5, 2.0),
                             steps=200)
    assert len(fig.axes) == 3
    assert fig.axes[2].get_xscale() == "log"
    assert fig.get_size_inches()[0] * fig.dpi <= 900


def test_notebook_does_not_print_the_exercise_answers():
    """09.1 (plateau at lr 0.794), 09.2 (its peak) and 09.3 (rises at lr 1.0)
    are panel exercises, 09.4 a prediction: the saved notebook must not print
    their readouts or answers."""
    from pathlib import Path

    import nbformat

    from lrcourse.exercises import get_exercise

    path = Path(__file__).resolve().parents[1] / "notebooks" / \
        "09_edge_of_stability.ipynb"
    nb = nbformat.read(path, as_version=4)
    printed = "\n".join(out.get("text", "") for c in nb.cells
                        for out in c.get("outputs", []))
    assert f"median {get_exercise('09.1').answer:.3f}" not in printed
    assert f"rose at {get_exercise('09.3').answer} of" not in printed
    assert "lr = 0.7943" not in printed and "= 1800" not in printed
    assert "1.76" not in printed


def test_edge_compute_and_readout_without_widgets():
    from lrcourse.lessons.lesson09.analysis import EdgeRuns

    runs = EdgeRuns(n=420, seed=0, steps=100, every=20)
    run = runs(lr=0.8)  # the slider's grid rate nearest 0.8
    assert run.lr == pytest.approx(10 ** -0.1) and run.steps == 100
    assert edge_readout(run).startswith("lr = 0.7943   2/lr = 2.518   (100 full-")
    with pytest.raises(ValueError, match="lr"):
        runs(lr=-1.0)


def test_edge_view_styles_the_outcome(agg_figure):
    from lrcourse.lessons.lesson09 import figures
    from lrcourse.lessons.lesson09.analysis import EdgeRuns

    view = figures.EdgeView(100, figure=agg_figure)
    before = [len(ax.lines) for ax in view.fig.axes]
    run = EdgeRuns(n=420, steps=100, every=20)(lr=0.8)
    view.update(run)
    assert view.title_s.get_text() == "lr = 0.794, 2/lr = 2.52"
    assert view.sharp.get_color() == figures.OUTCOME_STYLE[figures.outcome(run)][
        "color"]
    assert [len(ax.lines) for ax in view.fig.axes] == before
    other = EdgeRuns(n=420, steps=100, every=20)(lr=2.0)
    kind = figures.outcome(other)
    assert kind != "edge"
    view = figures.EdgeView(100, figure=agg_figure)  # opens in the edge style
    assert view.update(other) is True  # a new style: the legend is redrawn
    key = view.sharp.axes.get_legend().legend_handles[0]
    assert key.get_color() == view.sharp.get_color()
    assert key.get_linestyle() == view.sharp.get_linestyle()
    assert key.get_linestyle() == figures.OUTCOME_STYLE[kind]["linestyle"]


# -- self-stabilisation: the spike at lr 0.5 ---------------------------------------

@pytest.fixture(scope="module")
def event(data):
    from lrcourse.lessons.lesson09.stabilisation import stabilisation_event

    X, y = data
    return stabilisation_event(0.5, X, y, updates=80)


def test_the_seeded_run_crosses_spikes_and_comes_back(event):
    """The event the lesson explains, in the seeded run at lr 0.5: the
    sharpness crosses 2/lr, the step along the sharpest direction flips and
    grows, the loss spikes, and the sharpness is pushed back under 2/lr."""
    assert event.ceiling == pytest.approx(3.99, abs=0.01)
    assert 15 <= event.crossing <= 25
    assert event.peak_sharpness > 1.25 * event.ceiling  # overshoots to 5.6
    assert event.loss_before == pytest.approx(0.44, abs=0.01)
    assert event.losses[event.spike] == pytest.approx(0.93, abs=0.02)
    assert 35 <= event.spike <= 45
    assert event.crossing < event.back_below <= event.spike + 2
    assert event.sharpness[event.back_below] < 0.95 * event.ceiling
    assert event.losses[event.spike + 5] < event.loss_before + 0.02
    # the oscillation: alternating signs, growing by about |1 - lr lambda|
    start, top = event.growth_window()
    steps = event.along_top[start:top + 1]
    assert np.all(np.sign(steps[1:]) == -np.sign(steps[:-1]))
    assert 1.4 < event.growth() < 1.8
    bowl, curvature = event.bowl_growth()
    assert event.growth() == pytest.approx(bowl, rel=0.1)
    assert abs(event.along_top[top]) > 100 * abs(event.along_top[event.crossing])


def test_stabilisation_readout_names_the_event(event):
    from lrcourse.lessons.lesson09.stabilisation import stabilisation_readout

    text = stabilisation_readout(event)
    assert f"update {event.crossing}: the sharpness passes 2/lr" in text
    assert f"{event.losses[event.spike]:.3f} at update {event.spike}" in text
    assert f"update {event.back_below}: the sharpness is back under" in text
    assert max(len(line) for line in text.splitlines()) <= 90


def test_stabilisation_figure_marks_the_event(event):
    from lrcourse.lessons.lesson09 import figures

    fig = figures.stabilisation_figure(event)
    assert fig.get_size_inches()[0] * fig.dpi <= 900
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == [f"update {event.crossing}: crosses 2/lr",
                      f"update {event.back_below}: back under 2/lr",
                      f"update {event.spike}: loss spike"]


# -- Adam at the edge: the preconditioned sharpness ----------------------------------

def test_adam_preconditioner_reproduces_adams_update(data):
    """lr P^-1 m is exactly lrcourse's Adam step (Keras' formula)."""
    from lrcourse.lessons.lesson09.adam_edge import adam_preconditioner

    opt = lrcourse.Adam(learning_rate=0.01)
    rng = np.random.default_rng(0)
    state = opt.init([np.zeros(5)])
    for _ in range(4):
        changes, state = opt.update([rng.standard_normal(5)], state, 0.01)
    P = adam_preconditioner(opt, state)
    np.testing.assert_allclose(changes[0], -0.01 * state["slots"][0]["m"] / P,
                               rtol=1e-12)
    with pytest.raises(ValueError, match="first update"):
        adam_preconditioner(opt, opt.init([np.zeros(5)]))


def _adam_dense_sharpness(X, y, lr, seed, at):
    """The preconditioned sharpness over the live weights at the updates
    ``at``, from the whole Hessian (built from Hessian-vector products on the
    unit vectors) and np.linalg.eigvalsh; also the value over all weights."""
    from lrcourse import hessian
    from lrcourse.lessons.lesson09.adam_edge import adam_preconditioner, live_weights

    opt = lrcourse.Adam(learning_rate=lr)
    model = lrcourse.reference_model(seed=seed, optimizer="sgd", lr=lr)
    Xd, yd, share = hessian.distinct(X, y)
    w, state, found = model.flat.copy(), opt.init([model.flat]), {}
    for k in range(max(at) + 1):
        _, g = hessian.gradient(model, w, Xd, yd, share)
        if k in at:
            H = hessian.full_hessian(model, w, Xd, yd, share)
            s = 1.0 / np.sqrt(adam_preconditioner(opt, state))
            A = s[:, None] * (H + H.T) / 2 * s[None, :]
            live = live_weights(model, w, g)
            found[k] = (np.linalg.eigvalsh(A[np.ix_(live, live)])[-1],
                        np.linalg.eigvalsh(A)[-1])
        changes, state = opt.update([g], state, lr)
        w = w + changes[0]
    return found


def test_adam_edge_run_matches_the_dense_eigenvalues(data):
    """adam_edge_run's Lanczos values are the top eigenvalue of the dense
    P^-1/2 H P^-1/2 over the live weights, at several updates; at update 900
    a dead unit's weight (held only by L2, tiny P) would give a larger one."""
    from lrcourse.lessons.lesson09.adam_edge import adam_edge_run

    X, y = data
    at = (100, 500, 900)
    run = adam_edge_run(0.01, X, y, steps=900, every=10, seed=0)
    dense = _adam_dense_sharpness(X, y, 0.01, 0, at)
    for k in at:
        value = run.preconditioned[run.measured_at == k][0]
        assert value == pytest.approx(dense[k][0], rel=1e-6)
    assert dense[900][1] > 1.05 * dense[900][0]


def test_adam_threshold():
    from lrcourse.lessons.lesson09.adam_edge import adam_threshold

    assert adam_threshold(0.01) == pytest.approx(3800)
    assert adam_threshold(0.01, beta_1=0.8) == pytest.approx(1800)
    assert adam_threshold(1.0, beta_1=0.0) == pytest.approx(2.0)  # plain descent
    with pytest.raises(ValueError, match="lr"):
        adam_threshold(0.0)


@pytest.mark.parametrize("lr", [0.01, 0.03])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adams_preconditioned_sharpness_hovers_under_38_over_lr(data, lr, seed):
    """The lesson's claim, over three seeds: over updates 500-1000 the
    preconditioned sharpness (live weights) hovers under 38/lr (median
    0.83-0.96 of it, the lesson says), while the plain sharpness is still
    climbing, not held at 2/lr."""
    from lrcourse.lessons.lesson09.adam_edge import adam_edge_run

    X, y = data
    run = adam_edge_run(lr, X, y, steps=1000, every=10, seed=seed)
    assert 0.825 <= run.plateau() <= 0.965
    late = run.preconditioned[run.measured_at >= 500] / run.ceiling
    assert np.percentile(late, 90) < 1.1
    plain = run.sharpness
    assert plain[-1] > 1.1 * plain[run.measured_at == 500][0]


def test_adam_run_in_the_lesson(data):
    from lrcourse.lessons.lesson09.adam_edge import adam_edge_run, adam_readout

    X, y = data
    plateaus = [adam_edge_run(lr, X, y).plateau() for lr in (0.003, 0.01, 0.03)]
    assert [round(p, 2) for p in plateaus] == [0.61, 0.90, 0.90]
    slow = [adam_edge_run(0.003, X, y, seed=s).plateau() for s in (1, 2)]
    assert slow[0] < 0.5 and 0.85 < slow[1] < 0.95
    slower = [adam_edge_run(0.001, X, y, seed=s).plateau() for s in (0, 1, 2)]
    assert max(slower) < 0.2
    b08 = adam_edge_run(0.01, X, y, beta_1=0.8)
    assert b08.ceiling == pytest.approx(1800) and 0.8 < b08.plateau() < 1.0
    text = adam_readout(b08)
    assert "= 1800" in text and "0.90 x threshold" in text
