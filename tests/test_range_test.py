"""The learning-rate range test (fastai's procedure) and the tuning split."""

import math

import numpy as np
import pytest

import lrcourse
from lrcourse.lessons.lesson05.analysis import constant_loss
from lrcourse.lessons.lesson07.analysis import TrialSplit, run_outcomes, sweep_on_split
from lrcourse.range_finder import (
    BETA,
    STOP_FACTOR,
    range_test,
    range_test_lrs,
    smooth_losses,
    steep_index,
    train_validation_split,
    valley_index,
)


@pytest.fixture(scope="module")
def data():
    return TrialSplit(seed=0)




def fastai_valley(losses):
    """fastai's valley rule written out plainly, as a reference."""
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if losses[i] < losses[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    return max_start + int(sections) + int(sections / 2)


# -- the ramp ---------------------------------------------------------------

def test_ramp_is_fastais_exponential_schedule():
    lrs = range_test_lrs(1e-7, 10.0, 100)
    assert len(lrs) == 100
    assert lrs[0] == pytest.approx(1e-7, rel=1e-12)
    ratios = lrs[1:] / lrs[:-1]
    assert np.allclose(ratios, 10 ** 0.08, rtol=1e-10)
    assert lrs[-1] == pytest.approx(1e-7 * 1e8 ** 0.99, rel=1e-10)
    assert lrs[-1] < 10.0


def test_batch_50_is_the_first_to_reach_1e_3():
    lrs = range_test_lrs(1e-7, 10.0, 100)
    assert lrs[50] == pytest.approx(1e-3, rel=1e-12)
    assert lrs[49] < 1e-3
    assert int(np.argmax(lrs >= 1e-3 * (1 - 1e-9))) == 50


# -- smoothing and rules ------------------------------------------------------

def test_smoothing_is_a_debiased_moving_average():
    losses = np.array([2.0, 1.0, 3.0, 0.5])
    avg, expect = 0.0, []
    for i, v in enumerate(losses):
        avg = BETA * avg + (1 - BETA) * v
        expect.append(avg / (1 - BETA ** (i + 1)))
    assert np.allclose(smooth_losses(losses), expect)
    assert np.allclose(smooth_losses(np.full(7, 0.7)), 0.7)  # no bias to zero


def test_valley_matches_fastais_rule():
    rng = np.random.default_rng(3)
    for _ in range(25):
        losses = np.cumsum(rng.normal(0, 1, size=40))
        assert valley_index(losses) == fastai_valley(list(losses))
    # ten falling points: start = 9 - 10 = -1, d = 10/3, so -1 + 3 + 1 = 3
    assert valley_index([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 20]) == 3


def test_steep_is_the_most_negative_slope_in_log_lr():
    lrs = np.array([1e-3, 1e-2, 1e-1, 1.0, 10.0])
    losses = np.array([1.0, 0.95, 0.5, 0.45, 2.0])
    assert steep_index(lrs, losses) == 1
    uneven = np.array([1e-3, 1e-2, 2e-2, 1e-1, 1.0])
    # 0.9 -> 0.8 over a factor of 2 is steeper than 1.0 -> 0.9 over 10
    assert steep_index(uneven, [1.0, 0.9, 0.8, 0.7, 0.6]) == 1


# -- the run ----------------------------------------------------------------

def test_weights_and_optimizer_are_restored(data):
    model = lrcourse.reference_model(seed=0)
    model.fit(data.X_train, data.y_train, batch_size=10, epochs=1, seed=1)
    opt = model.optimizer
    weights = model.flat.copy()
    slots = [{k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
             for s in opt._state["slots"]]
    iterations, lr = opt.iterations, opt.lr
    rng_state = model.shuffle_rng.bit_generator.state
    result = range_test(model, data.X_train, data.y_train, end_lr=1e3, seed=0)
    assert result.stopped_early  # the weights really went far away
    assert np.array_equal(model.flat, weights)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(),
                                                     model.views(weights)))
    assert opt.iterations == iterations and opt.lr == lr
    for before, after in zip(slots, opt._state["slots"]):
        for key in ("m", "v"):
            assert np.array_equal(before[key], after[key])
    assert model.shuffle_rng.bit_generator.state == rng_state


def test_record_follows_the_procedure(data):
    model = lrcourse.reference_model(seed=0)
    r = range_test(model, data.X_train, data.y_train, seed=0)
    assert r.stop_index is None and len(r.lrs) == 100  # this data never blows up
    assert np.array_equal(r.lrs, range_test_lrs(1e-7, 10.0, 100))
    assert np.allclose(r.smoothed, smooth_losses(r.losses))
    # the first loss is the untrained network's loss on the first batch
    order = np.random.default_rng(0).permutation(len(data.y_train))[:10]
    first, _ = model.loss_and_gradients(data.X_train[order], data.y_train[order])
    assert r.losses[0] == pytest.approx(first, rel=1e-12)
    again = range_test(lrcourse.reference_model(seed=0), data.X_train, data.y_train,
                       seed=0)
    assert np.array_equal(again.losses, r.losses)


def test_stops_when_smoothed_loss_exceeds_four_times_best(data):
    model = lrcourse.reference_model(seed=0)
    r = range_test(model, data.X_train, data.y_train, end_lr=1e3, optimizer="adam",
                   seed=0)
    k = r.stop_index
    assert k is not None and len(r.lrs) == k + 1
    best = np.minimum.accumulate(r.smoothed)
    assert r.smoothed[k] > STOP_FACTOR * best[k]
    assert np.all(r.smoothed[:k] <= STOP_FACTOR * best[:k])
    assert "exceeded 4x" in r.stop_reason


def test_non_finite_loss_stops_the_run_without_warnings(data):
    model = lrcourse.reference_model(seed=0, optimizer="sgd")
    weights = model.flat.copy()
    r = range_test(model, data.X_train, data.y_train, start_lr=1e300, end_lr=1e308,
                   num_it=50, optimizer="sgd", seed=0)
    assert r.stop_index == 1 and "not finite" in r.stop_reason
    assert not np.isfinite(r.losses[1])
    with pytest.raises(ValueError, match="fewer than 2 finite"):
        r.suggestions()
    assert np.array_equal(model.flat, weights)
    assert np.all(np.isfinite(model.flat))


def test_suggestions_follow_their_definitions(data):
    r = range_test(lrcourse.reference_model(seed=0), data.X_train, data.y_train,
                   seed=0)
    s = r.suggestions()
    part = slice(10, 95)  # fastai skips num_it // 10 at the start and 5 at the end
    assert r.window() == part
    lrs, sm = r.lrs[part], r.smoothed[part]
    assert s["minimum"] == lrs[np.argmin(sm)]
    assert s["minimum_over_10"] == pytest.approx(s["minimum"] / 10)
    slopes = np.diff(sm) / np.diff(np.log10(lrs))
    assert s["steep"] == lrs[np.argmin(slopes)]
    assert s["valley"] == lrs[fastai_valley(list(sm))]
    assert s["minimum_over_10"] < s["minimum"]
    pts = r.suggestion_points()
    assert pts["minimum"] == (s["minimum"], pytest.approx(float(sm.min())))


def test_the_model_optimizer_is_used_by_default(data):
    sgd = lrcourse.reference_model(seed=0, optimizer="sgd")
    adam = lrcourse.reference_model(seed=0)
    assert range_test(sgd, data.X_train, data.y_train, seed=0).optimizer == "SGD"
    assert range_test(adam, data.X_train, data.y_train, seed=0).optimizer == "Adam"
    mine = lrcourse.SGD(lr=0.5, momentum=0.9)
    r = range_test(adam, data.X_train, data.y_train, optimizer=mine, seed=0)
    assert r.optimizer == "SGD" and mine.iterations == 0 and mine.lr == 0.5


@pytest.mark.parametrize("kwargs, exc, name", [
    ({"start_lr": 0.0}, ValueError, "start_lr"),
    ({"end_lr": 1e-8}, ValueError, "end_lr"),
    ({"num_it": 5}, ValueError, "num_it"),
    ({"num_it": 10.0}, TypeError, "num_it"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"optimizer": 3}, TypeError, "optimizer"),
    ({"optimizer": "lion"}, ValueError, "optimizer"),
    ({"beta": 1.0}, ValueError, "beta"),
    ({"seed": -1}, TypeError, "seed"),
])
def test_bad_arguments_are_named(data, kwargs, exc, name):
    model = lrcourse.reference_model(seed=0)
    with pytest.raises(exc, match=name):
        range_test(model, data.X_train, data.y_train, **kwargs)


def test_model_must_be_a_network(data):
    with pytest.raises(TypeError, match="model"):
        range_test("net", data.X_train, data.y_train)


# -- the split ----------------------------------------------------------------

def test_split_is_seeded_disjoint_and_complete():
    x = np.arange(100.0)
    (a, ya), (b, yb) = train_validation_split(x, np.arange(100), 0.25, seed=4)
    assert len(a) == 75 and len(b) == 25
    assert sorted(np.concatenate([a, b]).tolist()) == x.tolist()
    assert np.array_equal(a, ya) and np.array_equal(b, yb)
    (a2, _), _ = train_validation_split(x, np.arange(100), 0.25, seed=4)
    assert np.array_equal(a, a2)
    with pytest.raises(ValueError, match="validation_fraction"):
        train_validation_split(x, np.arange(100), 0.0)
    with pytest.raises(ValueError, match="validation_fraction"):
        train_validation_split(x[:2], np.arange(2), 0.1)
    with pytest.raises(ValueError, match="same number"):
        train_validation_split(x, np.arange(99))


def test_trial_split_scales_with_the_training_part_only(data):
    assert len(data.y_train) == 1680 and len(data.y_val) == 420
    assert len(data.y_test) == 420
    assert data.X_train.min() == 0.0 and data.X_train.max() == 1.0
    (ages, _), _ = lrcourse.make_drug_trial(seed=0)
    (a_tr, _), _ = train_validation_split(ages, ages, 0.2, seed=0)
    assert data.scaler.data_min_[0] == a_tr.min()
    assert "test 420 kept aside" in repr(data)


def test_sweep_outcomes_name_dead_relus(data):
    model = lrcourse.reference_model(seed=0)
    h = sweep_on_split(data, [0.1, 2.5], 10, optimizer="sgd", epochs=5, seed=0)
    out = run_outcomes(h, model, data.X_train)
    assert out[0] == "trained"
    assert out[1] == "stalled: dead ReLUs, the output no longer depends on age"
    assert h["val_loss"][1, -1] == pytest.approx(math.log(2), abs=0.01)
    scored = run_outcomes(h, model, data.X_train, data.validation_data)
    floor = constant_loss(data.y_val)
    assert scored[1] == ("stalled: dead ReLUs, the output no longer depends on "
                         f"age, loss >= {floor:.3f} (a constant guess's)")
    assert h["val_loss"][1, -1] >= floor  # the stated bound holds


def test_sweep_outcomes_say_not_learning_when_no_better_than_untrained(data):
    model = lrcourse.reference_model(seed=0)
    start_loss, start_acc = model.evaluate(*data.validation_data)
    h = sweep_on_split(data, [0.1, 1.0], 320, optimizer="sgd", epochs=5, seed=0)
    out = run_outcomes(h, model, data.X_train, data.validation_data)
    # 30 updates at 0.1: below its start, still above a constant guess's loss
    floor = constant_loss(data.y_val)
    assert h["val_loss"][0, -1] > floor
    assert out[0] == f"still learning: loss above a constant guess's {floor:.3f}"
    assert h["val_accuracy"][1, -1] <= start_acc  # worse than untrained ...
    assert out[1] == ("not learning: no better than the untrained network's "
                      f"accuracy, {100 * start_acc:.1f}%")  # ... and said so
    # a run whose loss ends above the untrained network's is "not learning"
    h["val_loss"][0, -1] = start_loss + 0.01
    again = run_outcomes(h, model, data.X_train, data.validation_data)
    assert again[0] == f"not learning: loss above its start, {start_loss:.4f}"
