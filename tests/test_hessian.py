"""lrcourse.hessian: exact Hessian-vector products and the sharpness."""


import numpy as np
import pytest

import lrcourse
from lrcourse import hessian
from lrcourse.lessons.lesson09.analysis import trial_subset
from lrcourse.model import Dense, Sequential, l2


@pytest.fixture(scope="module")
def data():
    return trial_subset(n=420, seed=0)


def trained(lr=0.5, steps=60, seed=0):
    """The reference network after some full-batch updates (off the kinks)."""
    X, y = trial_subset(n=420, seed=seed)
    model = lrcourse.reference_model(seed=seed, optimizer="sgd", lr=lr)
    model.fit(X, y, batch_size=len(y), epochs=steps, shuffle=False, trace=False)
    return model


def min_distance_to_kink(model, X):
    cache = model.forward(model.params, X)
    return min(float(np.abs(z).min()) for (_, z, _), layer in
               zip(cache, model.layers) if layer.activation == "relu")


def test_gradient_matches_the_model(data):
    X, y = data
    model = trained()
    loss, grads = model.loss_and_gradients(X, y)
    value, flat = hessian.gradient(model, model.flat, X, y)
    assert value == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(flat, np.concatenate([g.ravel() for g in grads]),
                               atol=1e-14)


def test_distinct_rows_give_the_same_loss_gradient_and_hvp(data):
    X, y = data
    model = trained()
    Xd, yd, share = hessian.distinct(X, y)
    assert len(yd) < len(y) / 3  # whole-year ages: about a hundred distinct rows
    assert share.sum() == pytest.approx(1.0)
    full = hessian.gradient(model, model.flat, X, y)
    fast = hessian.gradient(model, model.flat, Xd, yd, share)
    assert fast[0] == pytest.approx(full[0], rel=1e-12)
    np.testing.assert_allclose(fast[1], full[1], atol=1e-14)
    v = np.random.default_rng(3).standard_normal(model.count_params())
    np.testing.assert_allclose(hessian.hvp(model, model.flat, Xd, yd, v, share),
                               hessian.hvp(model, model.flat, X, y, v), atol=1e-12)


def test_hvp_matches_finite_differences_away_from_kinks(data):
    X, y = data
    keep = X[:, 0] > 0  # age 13 scales to 0: with zero biases it sits on a kink
    X, y = X[keep], y[keep]
    model = lrcourse.reference_model(seed=0, optimizer="sgd", lr=0.5)
    assert min_distance_to_kink(model, X) > 1e-5  # the point is off every kink
    rng = np.random.default_rng(1)
    for _ in range(3):
        v = rng.standard_normal(model.count_params())
        exact = hessian.hvp(model, model.flat, X, y, v)
        fd = hessian.finite_difference_hvp(model, model.flat, X, y, v, eps=1e-6)
        assert np.linalg.norm(fd - exact) < 1e-6 * np.linalg.norm(exact)


def test_finite_differences_spike_across_a_kink(data):
    """At the initial weights (biases 0) the 13-year-olds sit exactly on the
    first layer's kinks: a finite difference jumps there, the R-operator not."""
    X, y = data
    model = lrcourse.reference_model(seed=0, optimizer="sgd", lr=0.5)
    assert min_distance_to_kink(model, X) == 0.0
    v = np.random.default_rng(1).standard_normal(model.count_params())
    exact = hessian.hvp(model, model.flat, X, y, v)
    fd = hessian.finite_difference_hvp(model, model.flat, X, y, v, eps=1e-6)
    assert np.linalg.norm(fd - exact) > 10 * np.linalg.norm(exact)


def test_hvp_of_a_smooth_network_matches_finite_differences():
    """tanh and sigmoid layers exercise the second-derivative terms."""
    rng = np.random.default_rng(0)
    model = Sequential([Dense(5, input_shape=(2,), activation="tanh"),
                        Dense(4, activation="sigmoid", kernel_regularizer=l2(0.1)),
                        Dense(3, activation="softmax")], seed=2)
    model.flat[...] += rng.normal(0, 0.3, model.count_params())
    X = rng.standard_normal((30, 2))
    y = rng.integers(0, 3, 30)
    for _ in range(3):
        v = rng.standard_normal(model.count_params())
        exact = hessian.hvp(model, model.flat, X, y, v)
        fd = hessian.finite_difference_hvp(model, model.flat, X, y, v, eps=1e-5)
        np.testing.assert_allclose(fd, exact, rtol=1e-6, atol=1e-8)


def test_full_hessian_is_symmetric_and_includes_the_l2_penalty(data):
    X, y = data
    Xd, yd, share = hessian.distinct(X, y)
    model = trained()
    H = hessian.full_hessian(model, model.flat, Xd, yd, share)
    assert np.abs(H - H.T).max() < 1e-12 * np.abs(H).max()
    # the same network without the penalty: H differs by 2 x 0.01 on W2's block
    plain = Sequential([Dense(16, input_shape=(1,), activation="relu"),
                        Dense(32, activation="relu"),
                        Dense(2, activation="softmax")], seed=0)
    plain.flat[...] = model.flat
    H0 = hessian.full_hessian(plain, model.flat, Xd, yd, share)
    a, b = model.offsets[2], model.offsets[3]  # W2
    expected = np.zeros_like(H)
    expected[a:b, a:b] = 2 * 0.01 * np.eye(b - a)
    np.testing.assert_allclose(H - H0, expected, atol=1e-13)


@pytest.mark.parametrize("steps", [0, 60])
def test_sharpness_equals_the_top_eigenvalue_of_the_full_hessian(data, steps):
    X, y = data
    model = (lrcourse.reference_model(seed=0, optimizer="sgd", lr=1.0) if not steps
             else trained(lr=1.0, steps=steps))
    Xd, yd, share = hessian.distinct(X, y)
    eigenvalues = np.linalg.eigvalsh(
        hessian.full_hessian(model, model.flat, Xd, yd, share))
    value, vector = hessian.top_eigenvalue(model, model.flat, X, y)
    assert value == pytest.approx(eigenvalues[-1], rel=1e-8)
    assert np.linalg.norm(vector) == pytest.approx(1.0)
    assert eigenvalues[0] < 0  # the Hessian is not positive definite
    if steps == 0:
        assert value == pytest.approx(1.6141, abs=1e-4)
    assert hessian.sharpness(model, X, y) == value  # the value alone


def test_warm_started_lanczos_tracks_the_sharpness(data):
    X, y = data
    Xd, yd, share = hessian.distinct(X, y)
    model = trained(lr=1.0, steps=40)
    _, vector = hessian.top_eigenvalue(model, model.flat, Xd, yd, weights=share)
    model.fit(X, y, batch_size=len(y), epochs=10, shuffle=False, trace=False)
    cold, _ = hessian.top_eigenvalue(model, model.flat, Xd, yd, iterations=40,
                                     weights=share)
    warm, _ = hessian.top_eigenvalue(model, model.flat, Xd, yd, iterations=5,
                                     start=vector, weights=share)
    assert warm == pytest.approx(cold, rel=1e-6)


def test_lanczos_finds_the_largest_algebraic_not_the_largest_magnitude():
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((40, 40)))
    eigenvalues = np.concatenate([[-37.0, 1.6], rng.uniform(-1, 1, 38)])
    A = Q @ np.diag(eigenvalues) @ Q.T
    values, vectors = hessian.lanczos(lambda v: A @ v, 40, iterations=40)
    assert values[-1] == pytest.approx(1.6, rel=1e-10)
    assert values[0] == pytest.approx(-37.0, rel=1e-10)
    np.testing.assert_allclose(A @ vectors[:, -1], 1.6 * vectors[:, -1], atol=1e-8)
    # plain power iteration converges to the eigenvalue of largest magnitude
    v = rng.standard_normal(40)
    for _ in range(100):
        v = A @ v
        v /= np.linalg.norm(v)
    assert v @ A @ v == pytest.approx(-37.0, rel=1e-6)


def test_bad_input_is_named():
    model = lrcourse.reference_model(seed=0)
    X, y = np.array([[0.2], [0.9]]), np.array([0, 1])
    with pytest.raises(ValueError, match="weight vector must have shape"):
        hessian.hvp(model, model.flat, X, y, np.ones(3))
    with pytest.raises(ValueError, match="weights"):
        hessian.hvp(model, model.flat, X, y, np.ones(642), weights=np.ones(3))
    with pytest.raises(ValueError, match="start"):
        hessian.lanczos(lambda v: v, 4, start=np.zeros(4))
    with pytest.raises(ValueError, match="iterations"):
        hessian.lanczos(lambda v: v, 4, iterations=0)
    with pytest.raises(TypeError, match="iterations"):
        hessian.lanczos(lambda v: v, 4, iterations=2.5)
    with pytest.raises(ValueError, match="eps"):
        hessian.finite_difference_hvp(model, model.flat, X, y, np.ones(642), eps=0)
    with pytest.raises(ValueError, match="X must have shape"):
        hessian.distinct(np.ones(3), np.ones(3))
    odd = Sequential([Dense(2, input_shape=(1,), activation="relu"),
                      Dense(2, activation="sigmoid")], seed=0)
    with pytest.raises(ValueError, match="softmax"):
        hessian.hvp(odd, odd.flat, X, y, np.ones(odd.count_params()))


def test_preconditioned_sharpness_matches_a_dense_p_inverse_h():
    """The top eigenvalue of P^-1 H (via P^-1/2 H P^-1/2 and Lanczos) against
    the dense, non-symmetric P^-1 H of a tiny network."""
    tiny = Sequential([Dense(3, input_shape=(1,), activation="tanh"),
                       Dense(2, activation="softmax")], seed=1)
    X, y = np.array([[0.1], [0.4], [0.7], [0.9]]), np.array([0, 1, 1, 0])
    n = tiny.count_params()
    p = np.random.default_rng(2).uniform(0.01, 3.0, n)
    H = hessian.full_hessian(tiny, tiny.flat, X, y)
    dense = np.linalg.eigvals(np.linalg.solve(np.diag(p), H))
    assert np.abs(dense.imag).max() < 1e-10
    value, vector = hessian.preconditioned_top_eigenvalue(tiny, tiny.flat, X, y, p,
                                                          iterations=n)
    assert value == pytest.approx(dense.real.max(), rel=1e-9)
    # the vector is the symmetric operator's: P^-1/2 H P^-1/2 u = value u
    s = 1 / np.sqrt(p)
    np.testing.assert_allclose(s * (H @ (s * vector)), value * vector, atol=1e-9)
    # P = c I scales the sharpness by 1/c
    plain, _ = hessian.top_eigenvalue(tiny, tiny.flat, X, y, iterations=n)
    scaled, _ = hessian.preconditioned_top_eigenvalue(tiny, tiny.flat, X, y,
                                                      np.full(n, 4.0), iterations=n)
    assert scaled == pytest.approx(plain / 4)


def test_preconditioner_must_be_positive():
    tiny = Sequential([Dense(2, input_shape=(1,), activation="softmax")], seed=0)
    X, y = [[0.2], [0.9]], [0, 1]
    for bad in (np.zeros(4), np.ones(3), np.array([1.0, 1.0, np.nan, 1.0])):
        with pytest.raises(ValueError, match="preconditioner"):
            hessian.preconditioned_top_eigenvalue(tiny, tiny.flat, X, y, bad)
