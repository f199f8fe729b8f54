"""Lesson 05 analysis: floors, dead ReLUs, sweeps and replays."""

import math
import warnings

import numpy as np
import pytest

import lrcourse
from lrcourse.lessons.lesson05 import analysis as I


def test_constant_loss_is_the_entropy_of_the_class_shares():
    assert I.constant_loss(np.repeat([0, 1], [1050, 1050])) == pytest.approx(I.LN2)
    p = np.array([1500, 600]) / 2100
    expected = -float(np.sum(p * np.log(p)))
    assert I.constant_loss(np.repeat([0, 1], [1500, 600])) == pytest.approx(expected)
    assert expected == pytest.approx(0.5983, abs=5e-5)
    assert I.constant_loss(np.zeros(5, dtype=int)) == 0.0


def test_best_accuracy_counts_each_ages_majority():
    ages = np.array([20, 20, 20, 70, 70])
    labels = np.array([0, 0, 1, 1, 0])
    assert I.best_accuracy(ages, labels) == pytest.approx(3 / 5)
    data = I.trial_data(0)
    assert I.best_accuracy(data.ages, data.y) == pytest.approx(2000 / 2100)


def test_trial_data_scaler_is_fitted_on_the_training_set_only():
    data = I.trial_data(0)
    assert data.scaler.data_min_[0] == data.ages.min()
    assert data.scaler.data_max_[0] == data.ages.max()
    np.testing.assert_allclose(data.X_test[:, 0],
                               (data.test_ages - data.ages.min())
                               / (data.ages.max() - data.ages.min()))


def test_dead_fractions_match_the_models_own_count():
    data = I.trial_data(0)
    model = lrcourse.reference_model(seed=0)
    got = I.dead_fractions(model, model.flat, data.X)
    np.testing.assert_allclose(got, model.dead_units(data.X))
    stacked = I.dead_fractions(model, np.stack([model.flat, model.flat]), data.X)
    assert stacked.shape == (2, 2)
    assert got[0] == pytest.approx(7 / 16)  # negative weight, zero bias, x >= 0


def test_outcome_names_each_kind():
    assert I.outcome(0.69, 0.5, [1.0, 0.5])[0] == "stalled"
    text = I.outcome(0.69, 0.5, [1.0, 0.5])[1]
    assert text == "stalled: dead ReLUs, loss ln 2 = 0.693"
    assert I.outcome(0.25, 0.94, [0.4, 0.4])[0] == "learned"
    assert I.outcome(0.8, 0.7, [0.4, 0.4], start_loss=0.9)[0] == "crawling"
    kind, text = I.outcome(np.nan, np.nan, [np.nan] * 2, diverged_at=12, updates=20)
    assert (kind, text) == ("diverged", "diverged at update 12")


def test_sweep_rows_are_the_runs_model_fit_makes():
    sweep = I.rate_sweep("sgd", -2.0, -1.0, 1.0, epochs=2)
    data = I.trial_data(0)
    for i, rate in enumerate(sweep.lrs):
        model = lrcourse.reference_model(seed=0, lr=float(rate), optimizer="sgd")
        model.fit(data.X, data.y, batch_size=10, epochs=2, seed=0)
        loss, acc = model.evaluate(data.X, data.y)
        assert sweep.loss[i, 2] == pytest.approx(loss, rel=1e-12)
        assert sweep.accuracy[i, 2] == pytest.approx(acc)
        np.testing.assert_allclose(sweep.dead[i, 2], model.dead_units(data.X))
    untrained = lrcourse.reference_model(seed=0).evaluate(data.X, data.y)
    np.testing.assert_allclose(sweep.loss[:, 0], untrained[0])


def test_a_too_high_rate_stalls_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        sweep = I.rate_sweep("sgd", 0.0, 1.0, 1.0, epochs=2)  # lr 1 and 10
    for i in range(2):
        assert sweep.outcome(i, 2)[0] == "stalled"
        assert sweep.accuracy[i, 2] == pytest.approx(0.5)
    text = I.training_readout(sweep, 1.0, 2)  # loss 0.751 after 2 epochs
    assert "stalled: dead ReLUs, one answer for everyone, loss 0.75" in text
    assert "loss ln 2 = 0.693" not in text
    assert "layer 2 32/32" in text


def test_replay_sgd_change_is_minus_lr_times_gradient():
    rep = I.replay("sgd", 0.1, "W2", (2, 5), epochs=1)
    assert rep.updates == 210
    np.testing.assert_allclose(rep.change, -0.1 * rep.grad, rtol=1e-12)
    np.testing.assert_allclose(rep.new, rep.old + rep.change, rtol=1e-12)
    np.testing.assert_array_equal(rep.old[1:], rep.new[:-1])
    text = I.inspector_readout(rep, 1)
    assert "applied change" in text and "(= -lr x gradient)" in text


def test_replay_adam_first_change_is_about_lr():
    rep = I.replay("adam", 1e-4, "W2", (2, 5), epochs=1)
    assert abs(rep.change[0]) == pytest.approx(1e-4, rel=0.01)
    assert abs(rep.lrs[0] * rep.grad[0]) < 1e-5  # lr x gradient is far smaller
    assert "Adam's actual change" in I.inspector_readout(rep, 1)


def test_replay_of_a_weight_reading_a_dead_unit_shows_the_l2_pull():
    rep = I.replay("sgd", 0.1, "W2", (3, 5), epochs=1)
    np.testing.assert_allclose(rep.grad, 0.02 * rep.old, rtol=1e-12)
    assert "L2 penalty" in I.inspector_readout(rep, 5)


@pytest.mark.parametrize("call, match", [
    (lambda: I.replay("sgd", 0.1, "W9", (0, 0)), "weight"),
    (lambda: I.replay("sgd", 0.1, "W2", (16, 0)), "index for W2"),
    (lambda: I.replay("sgd", 0.1, "b2", (0, 0)), "index for b2"),
    (lambda: I.replay("rmsprop", 0.1, "W2", (0, 0)), "optimizer"),
    (lambda: I.replay("sgd", -1.0, "W2", (0, 0)), "lr"),
    (lambda: I.replay("sgd", 0.1, "W2", (0, 0), epochs=0), "epochs"),
    (lambda: I.rate_sweep("adagrad"), "optimizer"),
    (lambda: I.rate_sweep("sgd", 1.0, 0.0), "max_exp"),
    (lambda: I.constant_loss([]), "labels"),
    (lambda: I.best_accuracy([1, 2], [0, 1, 1]), "ages"),
    (lambda: I.replay("sgd", 0.1, "W2", (2, 5), epochs=1).row(211), "update"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_ln2_is_ln2():
    assert I.LN2 == math.log(2)


def test_stalled_readout_does_not_claim_50_50_when_the_bias_swings():
    """At lr 10 the loss of a dead network sits far above ln 2: the readout must
    not say the network predicts 50/50, only that 50/50 is the best it could."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        sweep = I.rate_sweep("sgd", 0.0, 1.0, 1.0, epochs=2)  # lr 1 and 10
    text = I.training_readout(sweep, 10.0, 2)
    assert sweep.loss[1, 2] > 1.0
    assert "predicts one constant, 50/50" not in text
    assert "the best such answer, 50/50, has loss ln 2" in text
    assert "away from 50/50" in text
