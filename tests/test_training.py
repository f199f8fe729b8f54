"""sweep_fit: many rates in one vectorized pass equal separate runs."""

import warnings

import numpy as np
import pytest

import lrcourse
from lrcourse.training import sweep_fit


@pytest.fixture(scope="module")
def data():
    (x, y), _ = lrcourse.make_drug_trial(seed=0, scale=5)
    return lrcourse.MinMaxScaler().fit_transform(x), y


@pytest.mark.parametrize("optimizer, extra", [("sgd", {}), ("adam", {}),
                                              ("sgd", {"momentum": 0.9})])
def test_sweep_equals_separate_fits(data, optimizer, extra):
    X, y = data
    lrs = [1e-3, 3e-2, 0.3]
    model = lrcourse.reference_model(seed=0)
    s = sweep_fit(model, X, y, lrs, optimizer=optimizer, batch_size=10, epochs=2,
                  seed=0, **extra)
    for i, lr in enumerate(lrs):
        single = lrcourse.reference_model(seed=0)
        cls = {"sgd": lrcourse.SGD, "adam": lrcourse.Adam}[optimizer]
        single.compile(optimizer=cls(lr=lr, **extra),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        hist = single.fit(X, y, batch_size=10, epochs=2, seed=0)
        np.testing.assert_allclose(s.weights[i], single.flat, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(s["loss"][i], hist.history["loss"], rtol=1e-10)
        np.testing.assert_allclose(s["accuracy"][i], hist.history["accuracy"])


def test_sweep_leaves_model_untouched_and_flags_divergence(data):
    X, y = data
    model = lrcourse.reference_model(seed=0)
    before = model.flat.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        s = sweep_fit(model, X, y, [0.01, 1e4], optimizer="sgd", epochs=2,
                      record_batches=True)
    np.testing.assert_array_equal(model.flat, before)
    assert s.diverged.tolist() == [False, True]
    assert np.all(np.isnan(s.weights[1]))
    assert np.isfinite(s["loss"][0]).all()
    assert s.best("loss") == 0.01
    assert s.batch_losses.shape == (2, 2 * 42)


def test_sweep_argument_errors(data):
    X, y = data
    model = lrcourse.reference_model(seed=0)
    with pytest.raises(ValueError, match="lrs"):
        sweep_fit(model, X, y, [])
    with pytest.raises(ValueError, match=r"lrs\[0\]"):
        sweep_fit(model, X, y, [-0.1])
    with pytest.raises(ValueError, match="batch_size"):
        sweep_fit(model, X, y, [0.1], batch_size=0)
    with pytest.raises(TypeError, match="optimizer"):
        sweep_fit(model, X, y, [0.1], optimizer=lrcourse.SGD())
