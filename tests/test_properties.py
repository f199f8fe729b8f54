"""Property tests: any rate gives a finite trace or a clean divergence flag."""

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrcourse

rates = st.floats(min_value=1e-8, max_value=1e3, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(lr=rates, curvature=st.floats(0.01, 100.0), start=st.floats(-100.0, 100.0))
def test_quadratic_any_rate(lr, curvature, start):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = lrcourse.gradient_descent(lrcourse.Quadratic(curvature=curvature), lr=lr,
                                       steps=200, start=start)
    assert np.all(np.isfinite(tr.weights)) and np.all(np.isfinite(tr.losses))
    if tr.diverged:
        assert 1 <= tr.diverged_at <= 200
        assert tr.steps in (tr.diverged_at, tr.diverged_at - 1)
    else:
        assert tr.steps == 200
        assert np.all(tr.losses <= 1e6 * max(tr.losses[0], 1e-6))


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lr=st.floats(min_value=1e-6, max_value=1e2), seed=st.integers(0, 3),
       name=st.sampled_from(["sgd", "adam", "rmsprop", "adagrad"]))
def test_one_epoch_fit_any_rate(lr, seed, name):
    (x, y), _ = lrcourse.make_drug_trial(seed=0, scale=10)
    X = lrcourse.MinMaxScaler().fit_transform(x[:200])
    model = lrcourse.Sequential([
        lrcourse.Dense(16, input_shape=(1,), activation="relu"),
        lrcourse.Dense(32, activation="relu", kernel_regularizer=lrcourse.l2(0.01)),
        lrcourse.Dense(2, activation="softmax"),
    ], seed=seed)
    opt = {"sgd": lrcourse.SGD, "adam": lrcourse.Adam, "rmsprop": lrcourse.RMSprop,
           "adagrad": lrcourse.Adagrad}[name](lr=lr)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = model.fit(X, y[:200], batch_size=10, epochs=1, seed=seed)
    if hist.diverged:
        assert 1 <= hist.diverged_at <= 20
    else:
        assert len(hist.history["loss"]) == 1
        assert np.isfinite(hist.history["loss"][0])
        assert np.all(np.isfinite(model.flat))
