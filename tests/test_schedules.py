"""lrcourse.schedules against closed forms, PyTorch's and Keras' formulas, and
their argument checks."""

import math
import os
import warnings

import numpy as np
import pytest

import lrcourse
from lrcourse import schedules as S

K = np.arange(0, 400)




# -- closed forms ------------------------------------------------------------

def test_constant_is_the_rate_everywhere():
    assert S.constant(0.1)(0) == 0.1
    assert np.all(S.constant(0.1)(K) == 0.1)


def test_step_decay_is_pytorch_steplr():
    # StepLR: lr * gamma ** (k // step_size)
    got = S.step_decay(0.1, drop=0.5, every=10)(K)
    assert np.allclose(got, 0.1 * 0.5 ** (K // 10), rtol=0, atol=1e-15)
    assert S.step_decay(0.1, drop=0.5, every=10)(9) == 0.1
    assert S.step_decay(0.1, drop=0.5, every=10)(10) == 0.05


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay_is_keras_formula(staircase):
    # Keras ExponentialDecay: lr * decay_rate ** (step / decay_steps), floored
    # when staircase
    p = K / 30
    if staircase:
        p = np.floor(p)
    got = S.exponential_decay(0.1, decay_rate=0.5, decay_steps=30,
                              staircase=staircase)(K)
    assert np.allclose(got, 0.1 * 0.5**p, rtol=1e-14)


@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_cosine_decay_is_keras_formula(alpha):
    # Keras CosineDecay: lr * ((1 - alpha) * 0.5 (1 + cos(pi min(k, T) / T)) + alpha)
    T = 100
    frac = np.minimum(K, T) / T
    want = 0.01 * ((1 - alpha) * 0.5 * (1 + np.cos(np.pi * frac)) + alpha)
    got = S.cosine_decay(0.01, decay_steps=T, alpha=alpha)(K)
    assert np.allclose(got, want, rtol=1e-14, atol=1e-18)
    assert got[-1] == pytest.approx(0.01 * alpha, abs=1e-18)  # held after T


def test_cosine_at_a_quarter_is_the_course_number():
    assert S.cosine_decay(0.01, decay_steps=100)(25) == pytest.approx(0.008536,
                                                                       rel=1e-4)


def _pytorch_one_cycle(max_lr, total, pct, div=25.0, final_div=1e4):
    """OneCycleLR's get_lr (cosine annealing, two phases), written out."""
    initial = max_lr / div
    low = initial / final_div
    phases = [(float(pct * total) - 1, initial, max_lr),
              (float(total) - 1, max_lr, low)]
    out = []
    for k in range(total):
        start = 0.0
        for i, (end, a, b) in enumerate(phases):
            if k <= end or i == len(phases) - 1:
                frac = (k - start) / (end - start)
                out.append(b + (a - b) / 2.0 * (math.cos(math.pi * frac) + 1))
                break
            start = end
    return np.array(out)


@pytest.mark.parametrize("total, pct", [(100, 0.3), (37, 0.25), (1000, 0.1),
                                         (5, 0.3), (7, 0.2), (2, 0.3)])
def test_one_cycle_is_pytorch_onecyclelr(total, pct):
    got = S.one_cycle(0.1, total_steps=total, pct_start=pct)(np.arange(total))
    assert np.allclose(got, _pytorch_one_cycle(0.1, total, pct), rtol=1e-12)


def test_one_cycle_start_peak_and_end():
    s = S.one_cycle(0.1, total_steps=100)
    rates = s(np.arange(100))
    assert rates[0] == pytest.approx(0.1 / 25)
    assert rates.max() == pytest.approx(0.1)
    assert int(rates.argmax()) == 29  # update pct_start * total - 1
    assert rates[-1] == pytest.approx(0.1 / 25 / 1e4)


def test_warmup_is_linear_then_follows_the_schedule():
    after = S.cosine_decay(0.1, decay_steps=50)
    s = S.warmup(after, warmup_steps=10)
    k = np.arange(10)
    # lrcourse's convention: the ramp reaches the peak at update W - 1, so no
    # update runs at rate 0 (Keras and PyTorch start the ramp at its start value)
    assert np.allclose(s(k), 0.1 * (k + 1) / 10)
    assert np.allclose(s(np.arange(10, 80)), after(np.arange(0, 70)))
    assert S.warmup(0.1, warmup_steps=4, start=0.02)(0) == pytest.approx(0.04)


def _keras_cosine_warmup(lr, T, alpha, target, W, k):
    """Keras 3's CosineDecay.__call__ with warmup, written out (float64)."""
    s = min(k, T + W)
    if s < W:
        return (target - lr) * (s / W) + lr
    return target * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * (s - W) / T))
                     + alpha)


@pytest.mark.parametrize("lr, alpha, W", [(0.0, 0.0, 10), (0.001, 0.1, 7),
                                          (0.02, 0.0, 0)])
def test_cosine_warmup_is_keras_formula(lr, alpha, W):
    got = S.cosine_decay(lr, 100, alpha=alpha, warmup_target=0.05,
                         warmup_steps=W)(K)
    want = [_keras_cosine_warmup(lr, 100, alpha, 0.05, W, int(k)) for k in K]
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-18)


def test_cosine_warmup_repr_and_plain_cosine_unchanged():
    s = S.cosine_decay(0.0, 100, warmup_target=0.05, warmup_steps=10)
    assert repr(s) == ("cosine_decay(lr=0, decay_steps=100, alpha=0, "
                       "warmup_target=0.05, warmup_steps=10)")
    plain = "cosine_decay(lr=0.1, decay_steps=10, alpha=0)"
    assert repr(S.cosine_decay(0.1, 10)) == plain
    with pytest.raises(ValueError, match="gave 0.0 at update 1"):
        lrcourse.gradient_descent(lrcourse.Quadratic(), lr=s, steps=3, start=1.0)


def _wsd_by_hand(peak, T, W, D, decay, end, k):
    if k < W:
        return peak * (k + 1) / W
    p = min(max((k - (T - D)) / D, 0.0), 1.0)
    f = {"linear": 1 - p, "cosine": 0.5 * (1 + math.cos(math.pi * p)),
         "1-sqrt": 1 - math.sqrt(p)}[decay]
    return end + (peak - end) * f


@pytest.mark.parametrize("decay", ["linear", "cosine", "1-sqrt"])
@pytest.mark.parametrize("W, D, end", [(10, 50, 0.0), (0, 30, 0.01), (20, 80, 0.0)])
def test_warmup_stable_decay_by_hand(decay, W, D, end):
    s = S.warmup_stable_decay(0.1, total_steps=100, warmup_steps=W, decay_steps=D,
                              decay=decay, end=end)
    k = np.arange(130)
    want = [_wsd_by_hand(0.1, 100, W, D, decay, end, int(i)) for i in k]
    np.testing.assert_allclose(s(k), want, rtol=1e-14, atol=1e-18)
    assert s(99) > end and s(100) == end  # the last update's rate is above end
    assert np.all(s(np.arange(W, 100 - D)) == 0.1)


def test_warmup_stable_decay_repr_and_types():
    s = S.warmup_stable_decay(0.1, 100, 10, 20, decay="cosine", end=0.001)
    assert repr(s) == ("warmup_stable_decay(peak=0.1, total_steps=100, "
                       "warmup_steps=10, decay_steps=20, decay='cosine', "
                       "end=0.001)")
    assert isinstance(s(np.int32(5)), float)
    assert s(np.arange(100, dtype=np.int16)).shape == (100,)
    tr = lrcourse.gradient_descent(lrcourse.Quadratic(1.0), lr=s, steps=100,
                                   start=1.0)
    np.testing.assert_allclose(tr.lrs, s(np.arange(100)))


def test_a_schedule_gives_floats_and_arrays():
    s = S.cosine_decay(0.1, decay_steps=10)
    assert isinstance(s(3), float)
    assert isinstance(s(np.int64(3)), float)
    assert s(3.0) == s(3)
    assert np.allclose(s(np.arange(5)), [s(i) for i in range(5)])


# -- schedules drive the optimizers and gradient descent -------------------------

def test_sgd_follows_its_schedule_update_by_update():
    s = S.step_decay(0.1, drop=0.5, every=2)
    opt = lrcourse.SGD(lr=s)
    w = [np.array([1.0])]
    for k in range(6):
        assert opt.lr == s(k)
        change = opt.step(w, [np.array([2.0])])[0]
        assert change[0] == pytest.approx(-2.0 * s(k))


def test_gradient_descent_records_the_schedule():
    s = S.exponential_decay(0.1, decay_rate=0.5, decay_steps=5)
    tr = lrcourse.gradient_descent(lrcourse.Quadratic(1.0), lr=s, steps=20, start=1.0)
    assert np.allclose(tr.lrs, s(np.arange(20)))
    # closed form: w_k = prod (1 - lr_j) w_0
    assert tr.weights[-1] == pytest.approx(np.prod(1 - s(np.arange(20))))


def test_assigning_a_number_replaces_the_schedule():
    opt = lrcourse.Adam(learning_rate=S.cosine_decay(0.01, decay_steps=100))
    assert opt.schedule is not None
    opt.learning_rate = 0.001
    assert opt.schedule is None and opt.lr == 0.001


# -- argument checks -------------------------------------------------------------

@pytest.mark.parametrize("build, exc, name", [
    (lambda: S.constant(0), ValueError, "lr"),
    (lambda: S.constant(-0.1), ValueError, "lr"),
    (lambda: S.constant(float("nan")), ValueError, "lr"),
    (lambda: S.constant("0.1"), TypeError, "lr"),
    (lambda: S.constant(S.constant(0.1)), TypeError, "lr"),
    (lambda: S.step_decay(0.1, drop=0.0), ValueError, "drop"),
    (lambda: S.step_decay(0.1, drop=1.5), ValueError, "drop"),
    (lambda: S.step_decay(0.1, every=0), ValueError, "every"),
    (lambda: S.step_decay(0.1, every=2.0), TypeError, "every"),
    (lambda: S.exponential_decay(0.1, decay_rate=0.0), ValueError, "decay_rate"),
    (lambda: S.exponential_decay(0.1, decay_rate=2.0), ValueError, "decay_rate"),
    (lambda: S.exponential_decay(0.1, decay_steps=0), ValueError, "decay_steps"),
    (lambda: S.cosine_decay(0.1, decay_steps=0), ValueError, "decay_steps"),
    (lambda: S.cosine_decay(0.1, decay_steps=10, alpha=1.5), ValueError, "alpha"),
    (lambda: S.cosine_decay(0.1, decay_steps=10, alpha=-0.1), ValueError, "alpha"),
    (lambda: S.cosine_decay(0.1, 10, warmup_target=-1.0), ValueError,
     "warmup_target"),
    (lambda: S.cosine_decay(-0.1, 10, warmup_target=0.1), ValueError, "lr"),
    (lambda: S.cosine_decay(0.0, 10, warmup_target=0.1, warmup_steps=-1),
     ValueError, "warmup_steps"),
    (lambda: S.cosine_decay(0.0, 10, warmup_target=0.1, warmup_steps=2.0),
     TypeError, "warmup_steps"),
    (lambda: S.warmup_stable_decay(0.0, 100, 10, 20), ValueError, "peak"),
    (lambda: S.warmup_stable_decay(0.1, 0, 0, 1), ValueError, "total_steps"),
    (lambda: S.warmup_stable_decay(0.1, 100, -1, 20), ValueError, "warmup_steps"),
    (lambda: S.warmup_stable_decay(0.1, 100, 10, 0), ValueError, "decay_steps"),
    (lambda: S.warmup_stable_decay(0.1, 100, 10, 20.0), TypeError, "decay_steps"),
    (lambda: S.warmup_stable_decay(0.1, 100, 90, 20), ValueError, "total_steps"),
    (lambda: S.warmup_stable_decay(0.1, 100, 10, 20, decay="exp"), ValueError,
     "decay"),
    (lambda: S.warmup_stable_decay(0.1, 100, 10, 20, end=0.2), ValueError, "end"),
    (lambda: S.warmup_stable_decay(0.1, 100, 10, 20, end=-0.1), ValueError, "end"),
    (lambda: S.warmup(0.1, warmup_steps=0), ValueError, "warmup_steps"),
    (lambda: S.warmup(0.1, warmup_steps=5, start=-1.0), ValueError, "start"),
    (lambda: S.warmup(-0.1, warmup_steps=5), ValueError, "lr"),
    (lambda: S.one_cycle(0.0, total_steps=10), ValueError, "max_lr"),
    (lambda: S.one_cycle(0.1, total_steps=1), ValueError, "total_steps"),
    (lambda: S.one_cycle(0.1, total_steps=10, pct_start=0.0), ValueError, "pct_start"),
    (lambda: S.one_cycle(0.1, total_steps=10, pct_start=1.0), ValueError, "pct_start"),
    (lambda: S.one_cycle(0.1, total_steps=10, div_factor=0), ValueError, "div_factor"),
    (lambda: S.one_cycle(0.1, 10, final_div_factor=-1), ValueError, "final_div_factor"),
])
def test_bad_arguments_are_named(build, exc, name):
    with pytest.raises(exc, match=name):
        build()


@pytest.mark.parametrize("step, exc", [(-1, ValueError), (1.5, TypeError),
                                       (np.array([0, -2]), ValueError),
                                       ("3", TypeError), (True, TypeError)])
def test_bad_steps_are_refused(step, exc):
    with pytest.raises(exc, match="step"):
        S.cosine_decay(0.1, decay_steps=10)(step)


# -- the real frameworks (optional install) ----------------------------------------

@pytest.mark.frameworks
def test_pytorch_schedulers_agree():
    torch = pytest.importorskip("torch")
    param = [torch.nn.Parameter(torch.zeros(1))]

    def rates(make, n):
        opt = torch.optim.SGD(param, lr=0.1)
        scheduler = make(opt)
        out = []
        for _ in range(n):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            scheduler.step()
        return np.array(out)

    lr_sched = torch.optim.lr_scheduler
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        step = rates(lambda o: lr_sched.StepLR(o, step_size=10, gamma=0.5), 60)
        cos = rates(lambda o: lr_sched.CosineAnnealingLR(o, T_max=100), 100)
        cycle = rates(lambda o: lr_sched.OneCycleLR(o, max_lr=0.1, total_steps=50),
                      50)
        expo = rates(lambda o: lr_sched.ExponentialLR(o, gamma=0.9), 40)
    assert np.allclose(step, S.step_decay(0.1, 0.5, 10)(np.arange(60)), rtol=1e-12)
    assert np.allclose(cos, S.cosine_decay(0.1, 100)(np.arange(100)), atol=1e-15)
    assert np.allclose(cycle, S.one_cycle(0.1, 50)(np.arange(50)), rtol=1e-12)
    assert np.allclose(expo, S.exponential_decay(0.1, 0.9, 1)(np.arange(40)),
                       rtol=1e-12)


@pytest.mark.frameworks
def test_keras_schedules_agree():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    ks = keras.optimizers.schedules
    k = np.arange(0, 150, 7)
    cos = np.array([float(ks.CosineDecay(0.01, 100, alpha=0.1)(int(i))) for i in k])
    expo = np.array([float(ks.ExponentialDecay(0.1, 30, 0.5, staircase=True)(int(i)))
                     for i in k])
    # Keras computes in float32
    assert np.allclose(cos, S.cosine_decay(0.01, 100, alpha=0.1)(k), rtol=1e-6)
    assert np.allclose(expo, S.exponential_decay(0.1, 0.5, 30, staircase=True)(k),
                       rtol=1e-6)


@pytest.mark.frameworks
@pytest.mark.parametrize("lr, alpha, W", [(0.0, 0.0, 10), (0.001, 0.1, 7)])
def test_keras_cosine_decay_warmup_agrees(lr, alpha, W):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    theirs = keras.optimizers.schedules.CosineDecay(
        lr, 100, alpha=alpha, warmup_target=0.05, warmup_steps=W)
    ours = S.cosine_decay(lr, 100, alpha=alpha, warmup_target=0.05, warmup_steps=W)
    k = np.arange(0, 130)
    old = keras.config.floatx()
    keras.config.set_floatx("float64")  # Keras computes a schedule in floatx
    try:
        got = np.array([float(theirs(int(i))) for i in k])
    finally:
        keras.config.set_floatx(old)
    np.testing.assert_allclose(ours(k), got, rtol=0, atol=1e-15)


@pytest.mark.frameworks
@pytest.mark.parametrize("W, D, end", [(10, 40, 0.0), (5, 60, 0.002), (2, 1, 0.0)])
def test_pytorch_sequential_lr_is_wsd_linear(W, D, end):
    torch = pytest.importorskip("torch")
    lr_sched = torch.optim.lr_scheduler
    T, peak = 100, 0.1
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=peak)
    scheduler = lr_sched.SequentialLR(opt, [
        lr_sched.LinearLR(opt, start_factor=1 / W, total_iters=W - 1),
        lr_sched.ConstantLR(opt, factor=1.0),
        lr_sched.LinearLR(opt, start_factor=1.0, end_factor=end / peak,
                          total_iters=D)], milestones=[W, T - D])
    rates = []
    for _ in range(T + 10):  # the rate of each update, then step after it
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    ours = S.warmup_stable_decay(peak, T, W, D, decay="linear", end=end)
    np.testing.assert_allclose(ours(np.arange(T + 10)), rates, rtol=0, atol=1e-12)
