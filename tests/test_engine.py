"""The run loop: the one divergence rule, fresh optimizer state per run,
checked schedule rates, early stopping and the diverged_at convention."""

import math

import numpy as np
import pytest

import lrcourse
from lrcourse import engine
from lrcourse.lessons.lesson04.analysis import noisy_sweep
from lrcourse.problems import Quadratic
from lrcourse.stability import run_rates
from lrcourse.training import sweep_fit


# -- the rule ------------------------------------------------------------------
def test_runaway_limit_and_floor():
    assert engine.runaway_limit(2.0) == 2e6
    assert engine.runaway_limit(-3.0) == 3e6
    assert engine.runaway_limit(0.0) == 1.0  # the floor near the minimum
    assert engine.runaway_limit(float("inf")) == math.inf
    assert engine.runaway_limit(float("nan")) == math.inf


@pytest.mark.parametrize("loss, weights, expected", [
    (1.0, [1.0], False),
    (2e6, [1.0], False),  # exactly at the limit
    (2.1e6, [1.0], True),
    (np.inf, [1.0], True),
    (np.nan, [1.0], True),
    (1.0, [np.nan], True),
    (1.0, [-np.inf], True),
    (1.0, [1e12], False),
    (1.0, [-1.1e12], True),
])
def test_diverging_is_the_rule(loss, weights, expected):
    limit = engine.runaway_limit(2.0)
    got = engine.diverging(np.array([loss]), limit, np.array([weights]))
    assert got.tolist() == [expected]


def test_an_infinite_limit_still_flags_non_finite_losses():
    assert engine.diverging(np.inf, math.inf) is True
    assert engine.diverging(1e300, math.inf) is False


def test_one_run_and_many_runs_follow_the_same_rule():
    cases = [(1.0, [1.0, 2.0]), (3e6, [1.0, 2.0]), (np.nan, [0.0, 0.0]),
             (1.0, [1e12, 1.0]), (1.0, [np.inf, 0.0]), (None, [np.nan, 1.0]),
             (None, [1.0, 1.0])]
    for loss, w in cases:
        one = engine.diverging(loss, 2e6, np.array(w))
        many = engine.diverging(None if loss is None else np.array([loss, 1.0]),
                                2e6, np.array([w, [1.0, 1.0]]))
        assert isinstance(one, bool) and many.tolist() == [one, False]


def test_watch_records_the_first_update_per_row():
    watch = engine.Watch(3)
    watch.start(np.array([1.0, 1.0, 1.0]))
    watch.check(1, np.array([1.0, np.nan, 1.0]))
    watch.check(2, np.array([1.0, 5.0, 2e6]))
    watch.check(3, None, np.array([[1.0], [1.0], [1e13]]))
    assert watch.diverged_at == (None, 1, 2)
    assert watch.diverged.tolist() == [False, True, True]
    assert watch.running == 1


# -- one rule everywhere -------------------------------------------------------
def test_a_start_whose_loss_overflows_diverges_at_update_1_everywhere():
    q = Quadratic(curvature=1.0)
    start = 1e200  # loss 5e399: inf
    tr = lrcourse.gradient_descent(q, lr=0.1, steps=5, start=start)
    s = lrcourse.sweep(q, [0.1], steps=5, start=start)
    runs = run_rates(q, lrcourse.SGD(), [0.1], steps=5, start=start)
    noisy = noisy_sweep(q, [0.1], 5, start, noise=0.1, rng=0)
    assert tr.diverged_at == s.diverged_at[0] == runs.diverged_at[0] == 1
    assert noisy.diverged_at[0] == (1,)


def test_the_same_rate_diverges_at_the_same_update_in_every_loop():
    q = Quadratic(curvature=2.0)
    tr = lrcourse.gradient_descent(q, lr=5.0, steps=50, start=1.0)
    s = lrcourse.sweep(q, [0.1, 5.0], steps=50, start=1.0)
    runs = run_rates(q, lrcourse.SGD(), [0.1, 5.0], steps=50, start=1.0)
    noisy = noisy_sweep(q, [0.1, 5.0], 50, 1.0, noise=0.0, rng=0)
    assert tr.diverged_at == 4
    assert s.diverged_at == runs.diverged_at == (None, 4)
    assert noisy.diverged_at == ((None,), (4,))


def test_fit_and_sweep_fit_share_the_rule(trial):
    X, y = trial
    model = lrcourse.reference_model(seed=0, optimizer="adam", lr=300.0)
    history = model.fit(X, y, batch_size=10, epochs=2, seed=0)
    swept = sweep_fit(lrcourse.reference_model(seed=0), X, y, [0.001, 300.0],
                      optimizer="adam", batch_size=10, epochs=2, seed=0)
    assert history.diverged_at is not None
    assert swept.diverged_at == (None, history.diverged_at)
    assert swept.diverged.tolist() == [False, True]


def test_fit_flags_weights_that_blow_up_without_l2():
    model = lrcourse.Sequential([lrcourse.Input(shape=(1,)),
                                 lrcourse.Dense(4, activation="linear"),
                                 lrcourse.Dense(2, activation="softmax")], seed=0)
    model.compile(optimizer=lrcourse.SGD(lr=1e3))
    X = np.linspace(0.0, 1.0, 40)[:, None]
    y = (np.abs(X[:, 0] - 0.5) > 0.25).astype(int)
    history = model.fit(X, y, batch_size=10, epochs=100, seed=0)
    # the clipped loss stays below 16.2, yet the weights left every bound
    assert max(history.history["loss"]) < 16.2
    assert history.diverged and np.abs(model.flat).max() > engine.WEIGHT_BOUND
    assert len(history.trace.lrs) == history.diverged_at


# -- optimizer state belongs to the run ----------------------------------------
def test_the_same_call_twice_gives_the_same_run():
    problem = Quadratic(curvature=2.0)
    opt = lrcourse.SGD(momentum=0.9)
    runs = [lrcourse.gradient_descent(problem, lr=0.1, steps=3, start=1.0,
                                      optimizer=opt) for _ in range(2)]
    assert [f"{w:.3g}" for w in runs[0].weights] == ["1", "0.8", "0.46", "0.062"]
    np.testing.assert_array_equal(runs[0].weights, runs[1].weights)
    assert opt.lr == 0.01 and opt.iterations == 0  # the caller's object as it was


@pytest.mark.parametrize("make", [lambda: lrcourse.Adam(lr=0.3),
                                  lambda: lrcourse.RMSprop(lr=0.3, momentum=0.5),
                                  lambda: lrcourse.Adagrad(lr=0.3)])
def test_runs_leave_the_optimizer_untouched(make, trial):
    opt = make()
    w, g = [np.array([1.0])], [np.array([2.0])]
    opt.step(w, g)  # the learner's own hand-driven state
    before = (opt.iterations, opt.lr, repr(opt._state))
    q = Quadratic(curvature=1.0)
    first = run_rates(q, opt, [0.1, 0.2], steps=20, start=1.0)
    again = run_rates(q, opt, [0.1, 0.2], steps=20, start=1.0)
    np.testing.assert_array_equal(first.weights, again.weights)
    lrcourse.gradient_descent(q, lr=0.1, steps=5, start=1.0, optimizer=opt)
    X, y = trial
    lrcourse.range_test(lrcourse.reference_model(seed=0), X, y, optimizer=opt,
                        num_it=20)
    assert (opt.iterations, opt.lr, repr(opt._state)) == before


def test_fit_continues_the_compiled_optimizer_across_calls(trial):
    X, y = trial
    once = lrcourse.reference_model(seed=0, lr=0.01)
    once.fit(X, y, batch_size=50, epochs=2, seed=0)
    twice = lrcourse.reference_model(seed=0, lr=0.01)
    twice.fit(X, y, batch_size=50, epochs=1, seed=0)
    twice.fit(X, y, batch_size=50, epochs=1)
    np.testing.assert_array_equal(once.flat, twice.flat)
    assert twice.optimizer.iterations == once.optimizer.iterations


# -- rates from schedules ------------------------------------------------------
@pytest.mark.parametrize("bad", [-0.1, 0.0, float("nan"), float("inf"), "0.1", None,
                                 True])
def test_a_bad_scheduled_rate_stops_the_run(bad):
    def shaky(step):
        return 0.1 if step < 3 else bad

    q = Quadratic(curvature=1.0)
    with pytest.raises(ValueError, match=r"schedule shaky gave .* at update 4"):
        lrcourse.gradient_descent(q, lr=shaky, steps=10, start=1.0)
    opt = lrcourse.SGD(lr=shaky)
    w = [np.array([1.0])]
    for _ in range(3):
        opt.step(w, [np.array([1.0])])
    with pytest.raises(ValueError, match="schedule shaky"):
        opt.step(w, [np.array([1.0])])
    assert w[0][0] == pytest.approx(0.7)  # the refused update changed nothing


def test_a_bad_scheduled_rate_stops_fit(trial):
    X, y = trial
    model = lrcourse.reference_model(seed=0, optimizer="sgd", lr=0.1)
    model.optimizer.learning_rate = lambda step: 0.1 if step < 5 else -1.0
    with pytest.raises(ValueError, match="at update 6"):
        model.fit(X, y, batch_size=10, epochs=1, seed=0)


def test_scheduled_rates_are_recorded():
    sched = lrcourse.step_decay(0.5, drop=0.1, every=2)
    tr = lrcourse.gradient_descent(Quadratic(1.0), lr=sched, steps=5, start=1.0)
    np.testing.assert_allclose(tr.lrs, [0.5, 0.5, 0.05, 0.05, 0.005])


# -- early stopping ------------------------------------------------------------
def test_a_sweep_stops_once_every_rate_has_converged():
    q = Quadratic(curvature=1.0)
    s = lrcourse.sweep(q, [0.5], steps=10**7, start=1.0, tol=1e-9)
    assert s.steps < 100 and s.weights.shape == (1, s.steps + 1)
    assert abs(s.weights[0, -1]) <= 1e-9
    full = lrcourse.sweep(q, [0.5], steps=s.steps, start=1.0)
    np.testing.assert_array_equal(full.weights, s.weights)


def test_early_stopping_waits_for_the_slowest_rate_and_ignores_diverged_ones():
    q = Quadratic(curvature=1.0)
    s = lrcourse.sweep(q, [0.5, 0.05, 3.0], steps=10**6, start=1.0, tol=1e-6)
    assert s.diverged_at[:2] == (None, None) and s.diverged_at[2] is not None
    # converged: the last step was taken from within tol of the minimum
    assert abs(s.weights[1, -2]) <= 1e-6 < abs(s.weights[1, -3])
    assert s.steps < 1000


def test_a_marginal_rate_never_converges_so_the_sweep_runs_to_the_end():
    s = lrcourse.sweep(Quadratic(curvature=1.0), [2.0], steps=500, start=1.0,
                       tol=1e-6)
    assert s.steps == 500


# -- the vectorised loop -------------------------------------------------------
def test_descend_rows_match_single_runs_with_noise():
    q = Quadratic(curvature=1.0)
    many = noisy_sweep(q, [0.05, 0.2], 300, 2.0, noise=0.5, rng=3)
    for i, lr in enumerate([0.05, 0.2]):
        one = lrcourse.gradient_descent(q, lr=lr, steps=300, start=2.0, noise=0.5,
                                        rng=3)
        np.testing.assert_array_equal(many.losses[i, 0], one.losses)


def test_descend_records_grow_past_their_first_capacity():
    q = Quadratic(curvature=1.0)
    s = lrcourse.sweep(q, [1e-4, 1e-5], steps=5000, start=1.0)
    k = np.arange(5001)
    np.testing.assert_allclose(s.weights, [(1 - 1e-4) ** k, (1 - 1e-5) ** k],
                               rtol=1e-9)


def test_diverged_at_is_none_or_a_positive_update_in_every_result(trial):
    X, y = trial
    q = Quadratic(curvature=1.0)
    results = [lrcourse.sweep(q, [0.1, 3.0], steps=50, start=1.0),
               run_rates(q, lrcourse.SGD(), [0.1, 3.0], steps=50, start=1.0),
               sweep_fit(lrcourse.reference_model(seed=0), X, y, [0.01, 1e5],
                         epochs=1)]
    for r in results:
        assert isinstance(r.diverged_at, tuple)
        assert r.diverged_at[0] is None and r.diverged_at[1] >= 1
        assert r.diverged.dtype == bool


@pytest.fixture(scope="module")
def trial():
    (x, y), _ = lrcourse.make_drug_trial(seed=0, scale=10)
    return lrcourse.MinMaxScaler().fit_transform(x), y
