"""The synthetic trial and the min-max scaler."""

import numpy as np
import pytest

import lrcourse


def test_drug_trial_groups():
    (x, y), (xt, yt) = lrcourse.make_drug_trial(seed=0)
    assert x.shape == (2100,) and xt.shape == (420,)
    assert x.min() >= 13 and x.max() <= 100 and np.all(x == np.round(x))
    young, old = x < 65, x >= 65
    assert (young & (y == 0)).sum() == 1000 and (old & (y == 1)).sum() == 1000
    assert (young & (y == 1)).sum() == 50 and (old & (y == 0)).sum() == 50
    assert (xt < 65).sum() == 210 and ((xt < 65) & (yt == 1)).sum() == 10
    assert y.dtype == np.int64
    (x2, _), _ = lrcourse.make_drug_trial(seed=0)
    np.testing.assert_array_equal(x, x2)
    assert not np.array_equal(x, lrcourse.make_drug_trial(seed=1)[0][0])


def test_scaler_fits_training_set_only():
    s = lrcourse.MinMaxScaler().fit(np.array([13.0, 100.0, 50.0]))
    out = s.transform(np.array([13.0, 100.0, 120.0]))
    np.testing.assert_allclose(out.ravel(), [0.0, 1.0, 107 / 87])
    np.testing.assert_allclose(s.inverse_transform(out).ravel(), [13.0, 100.0, 120.0])
    with pytest.raises(ValueError, match="fit"):
        lrcourse.MinMaxScaler().transform(np.array([1.0]))
    with pytest.raises(ValueError, match="finite"):
        s.transform(np.array([np.nan]))
    with pytest.raises(ValueError, match="feature"):
        s.transform(np.zeros((2, 3)))
