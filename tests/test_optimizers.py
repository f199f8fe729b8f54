"""Optimizers: Keras 3 update rules computed by hand, rates, validation."""

import math

import numpy as np
import pytest

import lrcourse
from lrcourse.optimizers import get


def _run(opt, grads):
    w = [np.array([1.0, -2.0])]
    out = []
    for g in grads:
        opt.step(w, [np.array(g, dtype=float)])
        out.append(w[0].copy())
    return out


def test_keras_default_rates():
    assert lrcourse.SGD().lr == 0.01
    assert lrcourse.Adam().lr == 0.001
    assert lrcourse.RMSprop().lr == 0.001
    assert lrcourse.Adagrad().lr == 0.001
    assert lrcourse.KERAS_DEFAULT_LRS["SGD"] == 0.01
    assert lrcourse.PYTORCH_DEFAULT_LRS["Adadelta"] == 1.0


def test_both_spellings_read_and_set():
    opt = lrcourse.Adam(learning_rate=1e-4)
    assert opt.lr == opt.learning_rate == 1e-4
    opt.learning_rate = 0.02
    assert opt.lr == opt.learning_rate == 0.02
    with pytest.raises(TypeError, match="not both"):
        lrcourse.SGD(lr=0.1, learning_rate=0.1)


def test_assigning_lr_behaves_as_keras_3():
    """``opt.lr = x`` warns, reads back x, and training keeps the old rate."""
    opt = lrcourse.SGD(learning_rate=0.1)
    with pytest.warns(UserWarning, match="learning_rate = x.*Keras 3"):
        opt.lr = 0.001
    assert opt.lr == 0.001 and opt.learning_rate == 0.1
    w = np.array([1.0])
    opt.step([w], [np.array([2.0])])
    assert w[0] == pytest.approx(0.8)  # exercise 05.3: the old rate was used
    with pytest.raises(TypeError, match="not both"):
        lrcourse.SGD(lr=0.1, learning_rate=0.1)


def test_rejected_rate_leaves_the_old_one():
    opt = lrcourse.SGD(lr=0.1)
    for bad in (-3, 0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="lr"):
            opt.lr = bad
    for bad in ("0.1", None, [0.1]):
        with pytest.raises(TypeError, match="lr"):
            opt.lr = bad
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = -1
    assert opt.lr == opt.learning_rate == 0.1


def test_sgd_plain_and_momentum_by_hand():
    g1, g2 = [0.5, -1.0], [0.25, 2.0]
    w = _run(lrcourse.SGD(lr=0.1), [g1, g2])
    np.testing.assert_allclose(w[1], [1.0 - 0.1 * 0.75, -2.0 - 0.1 * 1.0])
    # Keras: m = beta m - lr g; w += m
    m1 = -0.1 * np.array(g1)
    m2 = 0.9 * m1 - 0.1 * np.array(g2)
    w = _run(lrcourse.SGD(lr=0.1, momentum=0.9), [g1, g2])
    np.testing.assert_allclose(w[1], np.array([1.0, -2.0]) + m1 + m2)
    # Nesterov: w += beta m - lr g (with the new m)
    w = _run(lrcourse.SGD(lr=0.1, momentum=0.9, nesterov=True), [g1, g2])
    step1 = 0.9 * m1 - 0.1 * np.array(g1)
    step2 = 0.9 * m2 - 0.1 * np.array(g2)
    np.testing.assert_allclose(w[1], np.array([1.0, -2.0]) + step1 + step2)


def test_adam_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    gs = [np.array([0.5, -1.0]), np.array([0.25, 2.0])]
    m = np.zeros(2)
    v = np.zeros(2)
    w = np.array([1.0, -2.0])
    for t, g in enumerate(gs, start=1):
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        w = w - m * alpha / (np.sqrt(v) + eps)
    got = _run(lrcourse.Adam(lr=lr), gs)[-1]
    np.testing.assert_allclose(got, w, rtol=1e-14)


def test_adam_first_step_is_about_the_rate():
    w = [np.zeros(3)]
    change = lrcourse.Adam(lr=1e-3).step(w, [np.array([0.002, 50.0, -1e-6])])[0]
    np.testing.assert_allclose(np.abs(change[:2]), 1e-3, rtol=0.01)
    assert abs(change[2]) < 1e-3  # epsilon matters only for tiny gradients


def test_adamw_by_hand():
    # Keras 3: w <- w - lr * wd * w, then Adam's step with the gradient
    lr, wd, b1, b2, eps = 0.01, 0.5, 0.9, 0.999, 1e-7
    gs = [np.array([0.5, -1.0]), np.array([0.25, 2.0]), np.array([-1.0, 0.0])]
    m, v, w = np.zeros(2), np.zeros(2), np.array([1.0, -2.0])
    for t, g in enumerate(gs, start=1):
        w = w - lr * wd * w
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        w = w - m * alpha / (np.sqrt(v) + eps)
    got = _run(lrcourse.AdamW(lr=lr, weight_decay=wd), gs)[-1]
    np.testing.assert_allclose(got, w, rtol=1e-14)


def test_adamw_defaults_are_keras_and_zero_decay_is_adam():
    opt = lrcourse.AdamW()
    assert (opt.lr, opt.weight_decay, opt.beta_1, opt.beta_2, opt.epsilon) == (
        0.001, 0.004, 0.9, 0.999, 1e-7)
    assert lrcourse.KERAS_DEFAULT_LRS["AdamW"] == 0.001
    assert isinstance(get("AdamW"), lrcourse.AdamW)
    gs = [[0.5, -1.0], [0.25, 2.0]]
    np.testing.assert_array_equal(
        _run(lrcourse.AdamW(lr=0.1, weight_decay=0.0), gs)[-1],
        _run(lrcourse.Adam(lr=0.1), gs)[-1])


@pytest.mark.parametrize("lr", [0.1, 0.01])
def test_adamw_decay_is_multiplied_by_the_rate(lr):
    # no gradient: Adam's step is 0, each update multiplies by 1 - lr * wd
    w = _run(lrcourse.AdamW(lr=lr, weight_decay=0.2), [[0.0, 0.0]] * 10)[-1]
    np.testing.assert_allclose(w, np.array([1.0, -2.0]) * (1 - lr * 0.2) ** 10,
                               rtol=1e-14)


def test_adamw_update_needs_the_weights():
    opt = lrcourse.AdamW()
    state = opt.init([np.ones(2)])
    with pytest.raises(TypeError, match="needs params"):
        opt.update([np.ones(2)], state, 0.1)


def test_adamw_trains_in_the_run_loop():
    q = lrcourse.Quadratic(curvature=1.0, minimum=2.0)
    ends = [lrcourse.gradient_descent(q, lr=0.1, steps=300, start=0.0,
                                      optimizer=opt).weights[-1]
            for opt in (lrcourse.Adam(), lrcourse.AdamW(weight_decay=0.1))]
    assert abs(ends[0] - 2.0) < 1e-3  # Adam reaches the minimum
    assert 1.5 < ends[1] < 1.99  # the decay holds AdamW short of it


def _schedule_free_by_hand(lr, gs, warmup=0, wd=0.0, b1=0.9, b2=0.999, eps=1e-8):
    """Keras 3.15's update_step written out: z steps, x averages the z's,
    y = (1 - b1) z + b1 x; returns the y's and the z's."""
    y = np.array([1.0, -2.0])
    z, v, ys, zs = y.copy(), np.zeros(2), [], []
    for t, g in enumerate(gs, start=1):
        y = y - lr * wd * y
        x_old = (y - (1 - b1) * z) / b1
        lr_t = lr * min(t / warmup, 1.0) if warmup else lr
        v = b2 * v + (1 - b2) * g * g
        z = z - lr_t * g / (np.sqrt(v / (1 - b2**t)) + eps)
        x = (1 - 1 / t) * x_old + z / t
        y = (1 - b1) * z + b1 * x
        ys.append(y)
        zs.append(z)
    return ys, zs


SF_GRADS = [np.array([0.5, -1.0]), np.array([0.25, 2.0]), np.array([-1.0, 0.0]),
            np.array([3.0, 0.1])]


@pytest.mark.parametrize("warmup, wd", [(0, 0.0), (3, 0.0), (2, 0.3)])
def test_schedule_free_by_hand(warmup, wd):
    kwargs = {"warmup_steps": warmup, "weight_decay": wd or None}
    want, _ = _schedule_free_by_hand(0.1, SF_GRADS, warmup, wd)
    got = _run(lrcourse.ScheduleFreeAdamW(lr=0.1, **kwargs), SF_GRADS)
    np.testing.assert_allclose(got, want, rtol=1e-14)


def test_schedule_free_averaged_weights_are_the_mean_of_the_z():
    opt = lrcourse.ScheduleFreeAdamW(lr=0.1)
    w = [np.array([1.0, -2.0])]
    assert opt.averaged_weights(w)[0].tolist() == [1.0, -2.0]  # before a step
    _, zs = _schedule_free_by_hand(0.1, SF_GRADS)
    for t, g in enumerate(SF_GRADS, start=1):
        opt.step(w, [g])
        x = opt.averaged_weights(w)[0]
        np.testing.assert_allclose(x, np.mean(zs[:t], axis=0), rtol=1e-13)
        np.testing.assert_allclose(w[0], 0.1 * zs[t - 1] + 0.9 * x, rtol=1e-13)
    assert np.abs(w[0] - x).max() > 1e-3  # the weights held are not x


def test_schedule_free_in_a_run_and_its_state():
    opt = lrcourse.ScheduleFreeAdamW()
    assert (opt.lr, opt.beta_1, opt.beta_2, opt.epsilon, opt.warmup_steps,
            opt.weight_decay) == (0.0025, 0.9, 0.999, 1e-8, 0, None)
    w = [np.array([1.0, -2.0])]
    state = opt.init(w)
    for g in SF_GRADS:
        (change,), state = opt.update([g], state, 0.1, w)
        w[0] += change
    want_y, zs = _schedule_free_by_hand(0.1, SF_GRADS)
    np.testing.assert_allclose(w[0], want_y[-1], rtol=1e-13)
    np.testing.assert_allclose(opt.averaged_weights(w, state)[0],
                               np.mean(zs, axis=0), rtol=1e-13)
    assert opt.iterations == 0  # the run kept its own state
    with pytest.raises(TypeError, match="needs params"):
        opt.update([SF_GRADS[0]], state, 0.1)
    q = lrcourse.Quadratic(curvature=1.0, minimum=2.0)
    trace = lrcourse.gradient_descent(q, lr=0.05, steps=400, start=0.0,
                                      optimizer=opt)
    assert abs(trace.weights[-1] - 2.0) < 0.05


def test_rmsprop_and_adagrad_by_hand():
    g = np.array([0.5, -1.0])
    v = 0.1 * g * g
    expected = np.array([1.0, -2.0]) - 0.01 * g / np.sqrt(v + 1e-7)
    np.testing.assert_allclose(_run(lrcourse.RMSprop(lr=0.01), [g])[0], expected)
    acc = 0.1 + g * g
    expected = np.array([1.0, -2.0]) - 0.01 * g / np.sqrt(acc + 1e-7)
    np.testing.assert_allclose(_run(lrcourse.Adagrad(lr=0.01), [g])[0], expected)


def test_step_returns_changes_and_updates_in_place():
    p = np.array([1.0, 2.0])
    params = [p]
    changes = lrcourse.SGD(lr=0.5).step(params, [np.array([2.0, -2.0])])
    assert params[0] is p
    np.testing.assert_allclose(p, [0.0, 3.0])
    np.testing.assert_allclose(changes[0], [-1.0, 1.0])


def test_schedule_rate_and_reading_the_next_rate():
    sched = lrcourse.step_decay(0.1, drop=0.5, every=1)
    opt = lrcourse.SGD(lr=sched)
    assert opt.lr == 0.1 and opt.schedule is sched
    p = [np.array([1.0])]
    opt.step(p, [np.array([1.0])])
    assert opt.lr == 0.05
    opt.step(p, [np.array([1.0])])
    np.testing.assert_allclose(p[0], [1.0 - 0.1 - 0.05])
    opt.learning_rate = 0.3
    assert opt.schedule is None and opt.lr == 0.3


def test_shape_and_type_errors():
    opt = lrcourse.SGD()
    with pytest.raises(ValueError, match="same length"):
        opt.step([np.zeros(2)], [])
    with pytest.raises(ValueError, match=r"grads\[0\] must have the shape"):
        opt.step([np.zeros(2)], [np.zeros(3)])
    with pytest.raises(TypeError, match=r"params\[0\]"):
        opt.step([[1.0, 2.0]], [np.zeros(2)])
    with pytest.raises(TypeError, match="lists"):
        opt.step(np.zeros(2), np.zeros(2))
    opt.step([np.zeros(2)], [np.zeros(2)])
    with pytest.raises(ValueError, match="keep the shapes"):
        opt.step([np.zeros(3)], [np.zeros(3)])
    with pytest.raises(ValueError, match="momentum must be in"):
        lrcourse.SGD(momentum=1.0)
    with pytest.raises(ValueError, match="beta_1"):
        lrcourse.Adam(beta_1=1.5)
    with pytest.raises(ValueError, match="optimizer must be"):
        get("lion")


def test_update_vectorizes_over_rates():
    lrs = np.array([[0.1], [0.01]])
    params = [np.ones((2, 3))]
    opt = lrcourse.Adam(lr=1.0)
    state = opt.init(params)
    for _ in range(3):
        (change,), state = opt.update([np.full((2, 3), 0.5)], state, lrs)
        params[0] += change
    assert opt.iterations == 0 and opt.lr == 1.0  # the object kept nothing
    for row, lr in enumerate([0.1, 0.01]):
        single = [np.ones(3)]
        o = lrcourse.Adam(lr=lr)
        for _ in range(3):
            o.step(single, [np.full(3, 0.5)])
        np.testing.assert_allclose(params[0][row], single[0], rtol=1e-14)


def test_reprs_and_config():
    text = repr(lrcourse.SGD(lr=0.1, momentum=0.9))
    assert text.startswith("SGD(lr=0.1, momentum=0.9")
    assert lrcourse.Adam().get_config()["learning_rate"] == 0.001


@pytest.mark.parametrize("make", [
    lambda: lrcourse.SGD(lr=0.1), lambda: lrcourse.SGD(lr=0.1, momentum=0.9),
    lambda: lrcourse.SGD(lr=0.1, momentum=0.9, nesterov=True),
    lambda: lrcourse.Adam(lr=0.1), lambda: lrcourse.RMSprop(lr=0.1, momentum=0.5),
    lambda: lrcourse.Adagrad(lr=0.1),
    lambda: lrcourse.AdamW(lr=0.1, weight_decay=0.5),
    lambda: lrcourse.ScheduleFreeAdamW(lr=0.1, warmup_steps=2, weight_decay=0.1)])
def test_step_is_update_with_the_state_kept_in_the_object(make):
    stepped, pure = make(), make()
    w_step, w_pure = [np.array([1.0, -2.0])], [np.array([1.0, -2.0])]
    state = pure.init(w_pure)
    for k in range(4):
        grads = [np.array([0.3 * k + 0.1, -1.0])]
        changes = stepped.step(w_step, grads)
        (change,), state = pure.update(grads, state, 0.1, w_pure)
        w_pure[0] += change
        np.testing.assert_array_equal(changes[0], change)
    np.testing.assert_array_equal(w_step[0], w_pure[0])
    assert stepped.iterations == 4 and state["t"] == 4 and pure.iterations == 0
    stepped.reset()
    assert stepped.iterations == 0


def test_schedule_free_is_found_by_its_keras_name():
    # keras.optimizers.get("schedulefreeadamw") gives Keras' ScheduleFreeAdamW
    opt = get("ScheduleFreeAdamW")
    assert isinstance(opt, lrcourse.ScheduleFreeAdamW)
    assert opt.learning_rate == 0.0025
