"""Schedule-free AdamW against Keras 3 (JAX and torch backends) and PyTorch's
``schedulefree``.

Needs the optional install (``pip install -e ".[frameworks]"``: torch, keras,
jax, schedulefree); skipped with that reason otherwise.

What each library computes, pinned here:

* Keras 3.15 on JAX (float64): the algorithm its comments describe, which
  lrcourse follows: equal to 1e-6 (in practice about 1e-9, Keras' float32
  copy of the rate), weights and averaged weights.
* Keras 3.15.1 on torch: ``momentum_old = momentum.value`` is the tensor the
  following ``assign_sub`` changes in place, so ``x_old`` is recovered from
  the *new* momentum. Pinned as that rule written out (``sf_reference(...,
  alias=True)``), and shown to differ from lrcourse.
* ``schedulefree.AdamWScheduleFree``: the same steps when the rate never
  rises and there is no warmup or weight decay (its average weights each
  ``z`` by the largest rate so far squared, which is then 1/t). With warmup
  or a rising rate its weights differ; its weight decay is added to the
  normalised gradient (so it moves ``z`` too) where Keras shrinks ``y``
  alone. Pinned as those rules written out.
"""

import functools
import inspect
import json
import os
import subprocess
import sys

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"  # must be set before keras is imported

torch = pytest.importorskip(
    "torch", reason="PyTorch is not installed (pip install -e '.[frameworks]')")
keras = pytest.importorskip(
    "keras", reason="Keras 3 is not installed (pip install -e '.[frameworks]')")
schedulefree = pytest.importorskip(
    "schedulefree", reason="schedulefree is not installed "
    "(pip install -e '.[frameworks]')")
torch.set_num_threads(1)

import lrcourse  # noqa: E402

pytestmark = [
    pytest.mark.frameworks,
    pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning"),
]

if keras.backend.backend() != "torch":  # keras was imported earlier elsewhere
    pytest.skip("Keras must run on its torch backend (KERAS_BACKEND=torch)",
                allow_module_level=True)

UPDATES, SWITCH = 30, 15  # the rate changes before update SWITCH + 1


def problem(seed=8):
    rng = np.random.default_rng(seed)
    grads = rng.normal(size=(UPDATES, 3, 4)) * np.array([1e-3, 1e-1, 1.0, 20.0])
    return rng.normal(size=(3, 4)), grads


def rates(first=0.01, then=0.003):
    return [first] * SWITCH + [then] * (UPDATES - SWITCH)


def sf_reference(start, grads, lrs, *, b1=0.9, b2=0.999, eps=1e-8, warmup=0,
                 wd=0.0, weights="1/t", decay="keras", alias=False):
    """Schedule-free AdamW written out, with each library's variant as an
    option: ``weights`` "1/t" (Keras) or "lr_max^2" (schedulefree),
    ``decay`` "keras" (shrink y) or "schedulefree" (added to the normalised
    gradient), ``alias`` (Keras on torch: x_old from the new z)."""
    y = np.array(start, dtype=float)
    z, v = y.copy(), np.zeros_like(y)
    lr_max, weight_sum = -1.0, 0.0
    for t, (g, lr) in enumerate(zip(grads, lrs), start=1):
        lr_t = lr * min(t / warmup, 1.0) if warmup else lr
        if weights == "1/t":
            c = 1 / t
        else:
            lr_max = max(lr_max, lr_t)
            weight_sum += lr_max**2
            c = lr_max**2 / weight_sum
        if decay == "keras" and wd:
            y = y - lr * wd * y
        v = b2 * v + (1 - b2) * g * g
        gn = g / (np.sqrt(v / (1 - b2**t)) + eps)
        if decay == "schedulefree" and wd:
            gn = gn + wd * y
        z_new = z - lr_t * gn
        x_old = (y - (1 - b1) * (z_new if alias else z)) / b1
        x = (1 - c) * x_old + c * z_new
        z = z_new
        y = (1 - b1) * z + b1 * x
    return y, (y - (1 - b1) * z) / b1


def lrcourse_run(start, grads, lrs, **kwargs):
    """lrcourse's weights y and averaged weights x after the run."""
    opt = lrcourse.ScheduleFreeAdamW(learning_rate=lrs[0], **kwargs)
    w = start.copy()
    for k, g in enumerate(grads):
        if lrs[k] != opt.learning_rate:
            opt.learning_rate = lrs[k]
        opt.step([w], [g])
    return w, opt.averaged_weights([w])[0]


def keras_steps(keras, start, grads, lrs, kwargs):
    """Run Keras' ScheduleFreeAdamW on float64 weights; return y and the
    optimizer's momentum z (also sent to a subprocess as source)."""
    opt = keras.optimizers.ScheduleFreeAdamW(learning_rate=lrs[0], **kwargs)
    var = keras.Variable(np.array(start), dtype="float64")
    for k, g in enumerate(grads):
        if lrs[k] != lrs[k - 1]:
            opt.learning_rate = lrs[k]
        g = keras.ops.convert_to_tensor(np.array(g), dtype="float64")
        opt.apply_gradients([(g, var)])
    y = keras.ops.convert_to_numpy(var)
    assert y.dtype == np.float64
    return y, keras.ops.convert_to_numpy(opt._momentums[0])


KERAS_ON_JAX = f"""
import json, sys
import numpy as np
import jax
jax.config.update("jax_enable_x64", True)
import keras
{inspect.getsource(keras_steps)}
runs = [keras_steps(keras, *case) for case in json.loads(sys.stdin.read())]
print(json.dumps([[y.tolist(), z.tolist()] for y, z in runs]))
"""


def averaged(y, z, beta_1=0.9):
    """Keras' averaged weights, recovered from y and the optimizer's momentum."""
    return (y - (1 - beta_1) * z) / beta_1


@functools.cache
def keras_on_jax(cases):
    """Keras' (y, x) for each case (a key of CASES) on the JAX backend, all in
    one subprocess (Keras picks its backend once, at import)."""
    start, grads = problem()
    data = json.dumps([[start.tolist(), grads.tolist(), rates(), CASES[c]]
                       for c in cases])
    env = {**os.environ, "KERAS_BACKEND": "jax", "OMP_NUM_THREADS": "1",
           "JAX_PLATFORMS": "cpu"}
    out = subprocess.run([sys.executable, "-c", KERAS_ON_JAX], input=data,
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    runs = json.loads(out.stdout.strip().splitlines()[-1])
    return {c: (np.array(y), averaged(np.array(y), np.array(z)))
            for c, (y, z) in zip(cases, runs)}


CASES = {
    "plain": {},
    "warmup and decay": {"warmup_steps": 7, "weight_decay": 0.2},
}


@pytest.mark.parametrize("case", list(CASES))
def test_lrcourse_matches_keras_on_jax(case):
    pytest.importorskip("jax", reason="jax is not installed "
                        "(pip install -e '.[frameworks]')")
    kwargs = CASES[case]
    start, grads = problem()
    ours = lrcourse_run(start, grads, rates(), **kwargs)
    theirs = keras_on_jax(tuple(CASES))[case]
    assert np.abs(ours[0] - start).max() > 1e-2  # the weights did move
    assert np.abs(ours[0] - ours[1]).max() > 1e-3  # y is not the average x
    for mine, keras_w in zip(ours, theirs):  # y, then x
        np.testing.assert_allclose(mine, keras_w, rtol=0, atol=1e-6)


def test_keras_on_torch_recovers_x_from_the_new_momentum():
    start, grads = problem()
    y, z = keras_steps(keras, start, grads, rates(), {})
    theirs = y, averaged(y, z)
    aliased = sf_reference(start, grads, rates(), alias=True)
    ours = lrcourse_run(start, grads, rates())
    for keras_w, rule in zip(theirs, aliased):
        np.testing.assert_allclose(keras_w, rule, rtol=0, atol=1e-6)
    assert np.abs(theirs[0] - ours[0]).max() > 1e-4  # not the documented rule


def schedulefree_run(start, grads, lrs, **kwargs):
    """schedulefree's y (in train mode) and x (after ``.eval()``)."""
    p = torch.nn.Parameter(torch.tensor(start, dtype=torch.float64))
    opt = schedulefree.AdamWScheduleFree([p], lr=lrs[0], **kwargs)
    opt.train()
    for k, g in enumerate(grads):
        opt.param_groups[0]["lr"] = lrs[k]
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    y = p.detach().numpy().copy()
    opt.eval()  # the parameters become the average x
    return y, p.detach().numpy().copy()


def test_lrcourse_matches_schedulefree_when_the_rate_never_rises():
    start, grads = problem()
    ours = lrcourse_run(start, grads, rates())
    theirs = schedulefree_run(start, grads, rates())
    for mine, sf in zip(ours, theirs):
        np.testing.assert_allclose(mine, sf, rtol=0, atol=1e-6)


@pytest.mark.parametrize("lrs, kwargs, ref", [
    (rates(), {"warmup_steps": 7}, {"warmup": 7}),
    (rates(0.003, 0.01), {}, {}),
    (rates(), {"weight_decay": 0.5}, {"wd": 0.5, "decay": "schedulefree"}),
], ids=["warmup", "rising rate", "weight decay"])
def test_schedulefree_weights_its_average_by_the_squared_rate(lrs, kwargs, ref):
    start, grads = problem()
    theirs = schedulefree_run(start, grads, lrs, **kwargs)
    rule = sf_reference(start, grads, lrs, weights="lr_max^2", **ref)
    for sf, written in zip(theirs, rule):
        np.testing.assert_allclose(sf, written, rtol=0, atol=1e-9)
    ours = lrcourse_run(start, grads, lrs, **kwargs)
    assert np.abs(ours[0] - theirs[0]).max() > 1e-3  # a different optimizer


def test_the_written_out_rule_is_lrcourse():
    start, grads = problem()
    for kwargs, ref in [({}, {}), ({"warmup_steps": 7, "weight_decay": 0.2},
                                   {"warmup": 7, "wd": 0.2})]:
        ours = lrcourse_run(start, grads, rates(), **kwargs)
        rule = sf_reference(start, grads, rates(), **ref)
        for mine, written in zip(ours, rule):
            np.testing.assert_allclose(mine, written, rtol=0, atol=1e-12)


def test_keras_default_arguments():
    theirs = keras.optimizers.ScheduleFreeAdamW()
    ours = lrcourse.ScheduleFreeAdamW()
    assert float(theirs.learning_rate) == pytest.approx(ours.lr, rel=1e-6)
    for name in ("beta_1", "beta_2", "epsilon", "warmup_steps", "weight_decay"):
        assert getattr(theirs, name) == getattr(ours, name), name
