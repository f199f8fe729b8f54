"""The numpy network: gradients, Keras-like fit, history, tracing, errors."""

import warnings

import numpy as np
import pytest

import lrcourse
from lrcourse import Dense, Sequential


@pytest.fixture(scope="module")
def data():
    (x, y), (xt, yt) = lrcourse.make_drug_trial(seed=0)
    scaler = lrcourse.MinMaxScaler().fit(x)
    return scaler.transform(x), y, scaler.transform(xt), yt


def test_gradients_match_central_differences(data):
    X, y = data[0][:60], data[1][:60]
    model = lrcourse.reference_model(seed=1)
    # move off the kinks a little so every difference sees one linear piece
    loss, grads = model.loss_and_gradients(X, y)
    flat_grad = np.concatenate([g.ravel() for g in grads])
    eps = 1e-6
    errors = []
    for i in range(0, model.count_params(), 5):
        old = model.flat[i]
        model.flat[i] = old + eps
        up, _ = model.loss_and_gradients(X, y)
        model.flat[i] = old - eps
        down, _ = model.loss_and_gradients(X, y)
        model.flat[i] = old
        num = (up - down) / (2 * eps)
        errors.append(abs(num - flat_grad[i]) / max(abs(num) + abs(flat_grad[i]), 1e-6))
    assert max(errors) < 1e-6


def test_l2_penalty_is_in_loss_and_gradient(data):
    X, y = data[0][:20], data[1][:20]
    model = lrcourse.reference_model(seed=0)
    loss, grads = model.loss_and_gradients(X, y)
    W2 = model.get_weights()[2]
    plain = Sequential([Dense(16, input_shape=(1,), activation="relu"),
                        Dense(32, activation="relu"),
                        Dense(2, activation="softmax")], seed=0)
    plain.set_weights(model.get_weights())
    plain.compile(optimizer="sgd")
    loss0, grads0 = plain.loss_and_gradients(X, y)
    assert loss == pytest.approx(loss0 + 0.01 * np.sum(W2**2))
    np.testing.assert_allclose(grads[2], grads0[2] + 0.02 * W2)


def test_weights_layout_and_set_get():
    model = lrcourse.reference_model(seed=0)
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(1, 16), (16,), (16, 32), (32,), (32, 2), (2,)]
    assert model.count_params() == 642
    ws = model.get_weights()
    ws[0][0, 0] = 123.0
    assert model.get_weights()[0][0, 0] != 123.0  # copies
    model.set_weights(ws)
    assert model.get_weights()[0][0, 0] == 123.0
    with pytest.raises(ValueError, match="W1 must have shape"):
        model.set_weights([np.zeros((2, 16))] + ws[1:])
    assert all(np.shares_memory(p, model.flat) for p in model.params)


def test_glorot_init_and_seed():
    a = lrcourse.reference_model(seed=0).get_weights()
    b = lrcourse.reference_model(seed=0).get_weights()
    c = lrcourse.reference_model(seed=1).get_weights()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])
    limit = np.sqrt(6 / (16 + 32))
    assert np.all(np.abs(a[2]) <= limit) and np.all(a[1] == 0)


def test_fit_learns_and_history_is_per_epoch(data):
    X, y, Xt, yt = data
    model = lrcourse.reference_model(seed=0, lr=1e-3)
    hist = model.fit(X, y, batch_size=10, epochs=5, seed=0)
    assert set(hist.history) == {"loss", "accuracy"}
    assert len(hist.history["loss"]) == 5 and hist.epoch == [0, 1, 2, 3, 4]
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    loss, acc = model.evaluate(Xt, yt)
    assert acc > 0.9
    probs = model.predict(Xt)
    assert probs.shape == (420, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)


def test_fit_in_two_calls_equals_one(data):
    X, y = data[0], data[1]
    one = lrcourse.reference_model(seed=0)
    h1 = one.fit(X, y, batch_size=10, epochs=3, seed=0)
    two = lrcourse.reference_model(seed=0)
    ha = two.fit(X, y, batch_size=10, epochs=1, seed=0)
    hb = two.fit(X, y, batch_size=10, epochs=2)
    np.testing.assert_array_equal(one.flat, two.flat)
    assert h1.history["loss"] == ha.history["loss"] + hb.history["loss"]


def test_rate_changed_after_compile_is_used_from_the_next_update(data):
    X, y = data[0][:100], data[1][:100]
    model = lrcourse.reference_model(seed=0, optimizer="sgd", lr=0.1)
    model.fit(X, y, batch_size=10, epochs=1, seed=0)
    model.optimizer.learning_rate = 0.01
    hist = model.fit(X, y, batch_size=10, epochs=1)
    assert np.all(hist.trace.lrs == 0.01)


def test_verbose_prints_keras_style_lines(data, capsys):
    X, y = data[0][:100], data[1][:100]
    model = lrcourse.reference_model(seed=0)
    model.fit(X, y, batch_size=10, epochs=3, seed=0, verbose=1)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[2].startswith("Epoch 3/3 - loss: ")
    assert " - accuracy: " in lines[2]


def test_trace_records_watched_weights(data):
    X, y = data[0][:100], data[1][:100]
    model = lrcourse.reference_model(seed=0, optimizer="sgd", lr=0.05)
    hist = model.fit(X, y, batch_size=10, epochs=2, seed=0, watch=[("W2", (3, 5))],
                     snapshot_every=5)
    rec = hist.trace.watch["W2[3, 5]"]
    assert len(rec["old"]) == 20
    np.testing.assert_allclose(rec["change"], -0.05 * rec["grad"])
    np.testing.assert_allclose(rec["new"], rec["old"] + rec["change"])
    np.testing.assert_allclose(rec["old"][1:], rec["new"][:-1])
    assert rec["new"][-1] == model.get_weights()[2][3, 5]
    assert hist.trace.snapshots.shape == (5, 642)


def test_traced_fit_memory_is_small(data):
    X, y = data[0], data[1]
    model = lrcourse.reference_model(seed=0)
    hist = model.fit(X, y, batch_size=10, epochs=30, seed=0, watch=[("W1", (0, 0))])
    assert hist.trace.nbytes < 20e6
    assert len(hist.trace.lrs) == 6300


def test_divergence_stops_cleanly(data):
    X, y = data[0][:200], data[1][:200]
    model = lrcourse.reference_model(seed=0, optimizer="sgd", lr=1e3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        hist = model.fit(X, y, batch_size=10, epochs=3, seed=0)
    assert hist.diverged and hist.diverged_at >= 1
    assert len(hist.trace.lrs) == hist.diverged_at
    assert "diverged" in repr(hist)


def test_dead_relus_freeze_the_loss_at_ln2():
    model = lrcourse.reference_model(seed=0)
    W = model.get_weights()
    W[0][:] = -1.0  # every first-layer unit negative for inputs in [0, 1]
    W[1][:] = -0.5
    W[4][:] = 0.0
    model.set_weights(W)
    X = np.linspace(0, 1, 50)
    y = np.arange(50) % 2
    assert model.dead_units(X)[0] == 1.0
    loss, grads = model.loss_and_gradients(X, y)
    assert loss == pytest.approx(np.log(2) + 0.01 * np.sum(W[2] ** 2))
    assert np.all(grads[0] == 0) and np.all(grads[1] == 0)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 2.5}, TypeError, "batch_size"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"epochs": "3"}, TypeError, "epochs"),
    ({"verbose": 2}, ValueError, "verbose"),
    ({"validation_data": [1]}, TypeError, "validation_data"),
])
def test_fit_argument_errors(data, kwargs, exc, match):
    model = lrcourse.reference_model(seed=0)
    with pytest.raises(exc, match=match):
        model.fit(data[0][:10], data[1][:10], **kwargs)


def test_data_errors():
    model = lrcourse.reference_model(seed=0)
    with pytest.raises(ValueError, match=r"X must have shape \(n, 1\)"):
        model.predict(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="y must have shape"):
        model.fit(np.zeros((4, 1)), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="class labels in 0..1"):
        model.fit(np.zeros((3, 1)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="finite"):
        model.predict(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="activation must be one of"):
        Dense(3, activation="swish")
    with pytest.raises(ValueError, match="loss must be one of"):
        model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="optimizer must be"):
        model.compile(optimizer="lion")
    with pytest.raises(ValueError, match="input_shape"):
        Sequential([Dense(3)])
    with pytest.raises(ValueError, match="compile"):
        Sequential([Dense(2, input_shape=(1,), activation="softmax")]).fit(
            np.zeros((2, 1)), np.array([0, 1]))
    with pytest.raises(ValueError, match="softmax last layer"):
        Sequential([Dense(2, input_shape=(1,), activation="sigmoid")]).compile()


def test_validation_data_adds_val_metrics(data):
    X, y, Xt, yt = data
    model = lrcourse.reference_model(seed=0)
    hist = model.fit(X[:200], y[:200], batch_size=20, epochs=2, seed=0,
                     validation_data=(Xt, yt))
    assert set(hist.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert hist.history["val_loss"][-1] == pytest.approx(model.evaluate(Xt, yt)[0])


def test_input_layer_spelling_matches_input_shape():
    a = Sequential([lrcourse.Input(shape=(1,)), Dense(4, activation="relu"),
                    Dense(2, activation="softmax")], seed=3)
    b = Sequential([Dense(4, input_shape=(1,), activation="relu"),
                    Dense(2, activation="softmax")], seed=3)
    for x, y in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(x, y)
    with pytest.raises(ValueError, match="shape must be a 1-tuple"):
        lrcourse.Input(shape=1)
    with pytest.raises(ValueError, match="input shape once"):
        Sequential([lrcourse.Input(shape=(1,)), Dense(2, input_shape=(3,))])
    with pytest.raises(ValueError, match="needs an input shape"):
        Sequential([Dense(2, activation="softmax")])


# -- one model maths ------------------------------------------------------------------
def test_every_analysis_shares_one_cross_entropy_and_one_ln2():
    from lrcourse import hessian
    from lrcourse.lessons.lesson05 import analysis as l05
    from lrcourse.lessons.lesson09 import analysis as l09
    from lrcourse.model import LN2, cross_entropy, distinct_rows

    assert l05.LN2 is LN2 and l09.LN2 is LN2
    assert hessian.distinct is distinct_rows
    probs = np.array([[0.5, 0.5], [1e-12, 1.0 - 1e-12], [0.9, 0.1]])
    y = np.array([0, 0, 1])
    clipped = -np.log([0.5, 1e-7, 0.1])  # one clipping rule: [1e-7, 1 - 1e-7]
    np.testing.assert_allclose(cross_entropy(probs, y), clipped.mean())
    w = np.array([0.5, 0.25, 0.25])
    np.testing.assert_allclose(cross_entropy(probs, y, w), clipped @ w)


def test_the_hessian_module_uses_the_model_loss_and_gradient():
    from lrcourse import hessian

    model = lrcourse.reference_model(seed=0)
    X = np.array([[0.1], [0.5], [0.5], [0.9]])
    y = np.array([0, 1, 1, 1])
    loss, grads = model.loss_and_gradients(X, y)
    h_loss, h_grad = hessian.gradient(model, model.flat, X, y)
    assert h_loss == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(h_grad, np.concatenate([g.ravel() for g in grads]),
                               rtol=1e-12, atol=1e-15)
    Xd, yd, share = hessian.distinct(X, y)
    d_loss, d_grad = hessian.gradient(model, model.flat, Xd, yd, share)
    assert d_loss == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(d_grad, h_grad, rtol=1e-12, atol=1e-15)


def test_dead_units_one_rule_for_one_network_and_many():
    from lrcourse.lessons.lesson05.analysis import dead_fractions

    model = lrcourse.reference_model(seed=0, optimizer="sgd", lr=2.0)
    X = np.linspace(0, 1, 30)[:, None]
    y = (X[:, 0] > 0.5).astype(int)
    model.fit(X, y, batch_size=30, epochs=30, shuffle=False)
    single = model.dead_units(X)
    many = dead_fractions(model, np.stack([model.flat, model.flat]), X)
    assert many.shape == (2, 2) and many[1].tolist() == single
