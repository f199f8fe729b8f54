"""The Keras 3 and PyTorch code lesson 05 shows, run against the real libraries.

Needs the optional install (``pip install -e ".[frameworks]"``: torch and
keras); skipped with that reason otherwise. Keras runs on its torch backend.

Checks: every snippet of ``lrcourse.snippets`` prints exactly what the
lesson shows under it; the default rates in ``lrcourse`` are the frameworks'
own; the Keras 3 traps behave as the lesson says (``lr=`` raises,
``optimizer.lr = x`` reads back x while training keeps the old rate, float32
storage, a schedule's rate cannot be assigned); lrcourse's optimizers make
the same updates as Keras' for the same gradients (AdamW also PyTorch's,
where epsilon's placement does not matter); and the reference network
reaches the same weights as its Keras twin after one epoch.
"""

import contextlib
import io
import os

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"  # must be set before keras is imported

torch = pytest.importorskip(
    "torch", reason="PyTorch is not installed (pip install -e '.[frameworks]')")
keras = pytest.importorskip(
    "keras", reason="Keras 3 is not installed (pip install -e '.[frameworks]')")

# The tensors here are tiny: one thread is 10-60x faster than torch's pool,
# which spends its time waiting for cores on a busy machine.
torch.set_num_threads(1)

import lrcourse  # noqa: E402
from lrcourse import snippets  # noqa: E402
from lrcourse.lessons.lesson05.analysis import trial_data  # noqa: E402

pytestmark = [
    pytest.mark.frameworks,
    # keras' torch backend calls np.array(tensor) the pre-NumPy-2 way
    pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning"),
]

if keras.backend.backend() != "torch":  # keras was imported earlier elsewhere
    pytest.skip("Keras must run on its torch backend (KERAS_BACKEND=torch)",
                allow_module_level=True)


def run_snippets(names, ns):
    """Run snippets in order in ``ns``; return what each printed."""
    printed = {}
    for name in names:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(snippets.code(name), f"<snippet {name}>", "exec"), ns)
        printed[name] = buf.getvalue()
    return printed


def small_data(n=40):
    data = trial_data(0)
    return {"X": data.X[:n].copy(), "y": data.y[:n].copy(),
            "labels": data.y[:n].copy()}


@pytest.fixture
def float64():
    old = keras.config.floatx()
    keras.config.set_floatx("float64")
    yield
    keras.config.set_floatx(old)


# -- the snippets shown in the lesson --------------------------------------------------
def test_keras_snippets_print_what_the_lesson_shows():
    names = [n for n in snippets.SNIPPETS if n.startswith("keras_")]
    printed = run_snippets(names, small_data())
    for name in names:
        assert printed[name] == snippets.output(name), name


def test_torch_snippets_print_what_the_lesson_shows():
    names = [n for n in snippets.SNIPPETS if n.startswith("torch_")]
    printed = run_snippets(names, small_data())
    for name in names:
        assert printed[name] == snippets.output(name), name


def test_every_topic_pairs_keras_with_pytorch():
    for keras_name, torch_name in snippets.TOPICS.values():
        assert keras_name.startswith("keras_") and torch_name.startswith("torch_")
    assert snippets.TESTED_WITH["keras"] == keras.__version__
    assert torch.__version__.startswith(snippets.TESTED_WITH["torch"])


# -- default rates ---------------------------------------------------------------------
def test_keras_default_rates_match_lrcourse():
    for name, rate in lrcourse.KERAS_DEFAULT_LRS.items():
        got = getattr(keras.optimizers, name)().get_config()["learning_rate"]
        assert got == pytest.approx(rate, rel=1e-6), name  # float32 storage
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad"):
        assert getattr(lrcourse, name)().lr == lrcourse.KERAS_DEFAULT_LRS[name]


def test_pytorch_default_rates_match_lrcourse():
    param = [torch.nn.Parameter(torch.zeros(3))]
    for name, rate in lrcourse.PYTORCH_DEFAULT_LRS.items():
        assert getattr(torch.optim, name)(param).defaults["lr"] == rate, name
    assert torch.optim.SGD(param).defaults["lr"] == 1e-3
    assert torch.optim.Adam(param).defaults["lr"] == 1e-3


# -- the Keras 3 traps -----------------------------------------------------------------
def sgd_model(rate):
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=rate), loss="mse")
    return model


def one_step_change(model):
    """Train one batch; return the change of the kernel and the gradient."""
    X = np.array([[1.0]], dtype="float32")
    y = np.array([[0.0]], dtype="float32")
    before = model.get_weights()
    w, b = before[0][0, 0], before[1][0]
    model.train_on_batch(X, y)
    grad = 2.0 * (w + b)  # d/dw of (w*1 + b - 0)^2
    return model.get_weights()[0][0, 0] - w, grad


def test_keras_lr_keyword_raises():
    with pytest.raises(ValueError, match="lr"):
        keras.optimizers.Adam(lr=1e-4)
    with pytest.raises(ValueError, match="lr"):
        keras.optimizers.SGD(lr=0.1)


def test_keras_optimizer_lr_attribute_reads_back_but_does_not_change_the_rate():
    model = sgd_model(0.01)
    with pytest.raises(AttributeError):  # Keras 3 has no .lr to read at first
        _ = model.optimizer.lr
    model.optimizer.lr = 0.5
    assert model.optimizer.lr == 0.5  # the classic check passes...
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01, rel=1e-6)
    change, grad = one_step_change(model)  # ...yet training uses 0.01
    assert change == pytest.approx(-0.01 * grad, rel=1e-4)
    assert change != pytest.approx(-0.5 * grad, rel=1e-2)


def test_keras_learning_rate_assignment_changes_the_rate_float32():
    model = sgd_model(0.01)
    model.optimizer.learning_rate = 0.25
    change, grad = one_step_change(model)
    assert change == pytest.approx(-0.25 * grad, rel=1e-4)
    model.optimizer.learning_rate = 0.01
    assert float(model.optimizer.learning_rate) == 0.009999999776482582
    model.optimizer.learning_rate.assign(0.001)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.001, rel=1e-6)


def test_keras_schedule_driven_rate_cannot_be_assigned():
    schedule = keras.optimizers.schedules.ExponentialDecay(
        1e-3, decay_steps=100, decay_rate=0.9)
    opt = keras.optimizers.Adam(learning_rate=schedule)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.01


def test_keras_input_shape_on_a_layer_warns():
    with pytest.warns(UserWarning, match="input_shape"):
        keras.layers.Dense(16, input_shape=(1,))


# -- same gradients, same updates ------------------------------------------------------
OPTIMIZER_CASES = {
    "SGD": ("SGD", {}),
    "SGD momentum": ("SGD", {"momentum": 0.9}),
    "SGD nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "Adam": ("Adam", {}),
    "RMSprop": ("RMSprop", {}),
    "Adagrad": ("Adagrad", {}),
    "AdamW": ("AdamW", {}),
    "AdamW strong decay": ("AdamW", {"weight_decay": 0.3}),
}


@pytest.mark.parametrize("case", list(OPTIMIZER_CASES))
def test_lrcourse_optimizers_match_keras(case):
    name, kwargs = OPTIMIZER_CASES[case]
    rng = np.random.default_rng(5)
    scales = np.array([1e-3, 1e-1, 1.0, 20.0])  # small and large gradients
    grads = rng.normal(size=(30, 3, 4)) * scales
    start = rng.normal(size=(3, 4))
    ours = getattr(lrcourse, name)(learning_rate=0.01, **kwargs)
    theirs = getattr(keras.optimizers, name)(learning_rate=0.01, **kwargs)
    w = start.copy()
    v = keras.Variable(start.copy(), dtype="float64")
    for k in range(30):
        if k == 15:  # change the rate midway, the Keras 3 way, in both
            ours.learning_rate = 0.003
            theirs.learning_rate = 0.003
        ours.step([w], [grads[k]])
        g = keras.ops.convert_to_tensor(grads[k], dtype="float64")
        theirs.apply_gradients([(g, v)])
    got = keras.ops.convert_to_numpy(v)
    assert got.dtype == np.float64
    assert np.abs(w - start).max() > 1e-2  # the weights did move
    # the rest is Keras' float32 copy of the rate (0.01 -> 0.009999999776)
    np.testing.assert_allclose(w, got, rtol=1e-6, atol=1e-9)


def torch_adamw_run(start, grads, eps, wd=0.3):
    """PyTorch's AdamW on float64 weights, the rate 0.01 then 0.003."""
    p = torch.nn.Parameter(torch.tensor(start, dtype=torch.float64))
    opt = torch.optim.AdamW([p], lr=0.01, weight_decay=wd, eps=eps)
    for k, g in enumerate(grads):
        if k == 15:
            opt.param_groups[0]["lr"] = 0.003
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    return p.detach().numpy()


def lrcourse_adamw_run(start, grads, eps, wd=0.3):
    ours = lrcourse.AdamW(learning_rate=0.01, weight_decay=wd, epsilon=eps)
    w = start.copy()
    for k, g in enumerate(grads):
        if k == 15:
            ours.learning_rate = 0.003
        ours.step([w], [g])
    return w


def test_lrcourse_adamw_matches_pytorch_where_epsilon_does_not_matter():
    rng = np.random.default_rng(6)
    grads = rng.normal(size=(30, 3, 4)) * np.array([1e-3, 1e-1, 1.0, 20.0])
    start = rng.normal(size=(3, 4))
    ours = lrcourse_adamw_run(start, grads, eps=1e-14)
    theirs = torch_adamw_run(start, grads, eps=1e-14)
    assert np.abs(ours - start).max() > 1e-2
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


def test_pytorch_adamw_adds_epsilon_after_the_bias_correction():
    # Keras (and lrcourse): alpha m / (sqrt(v) + eps), alpha = lr sqrt(bc2) / bc1;
    # PyTorch: lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps). Same rule with
    # PyTorch's eps = Keras' eps / sqrt(bc2_t), which changes with t: on
    # gradients near epsilon's size the two differ.
    rng = np.random.default_rng(7)
    grads = rng.normal(size=(30, 4)) * 1e-7
    start = rng.normal(size=4)
    ours = lrcourse_adamw_run(start, grads, eps=1e-7)
    theirs = torch_adamw_run(start, grads, eps=1e-7)
    assert np.abs(ours - theirs).max() > 1e-3
    w, m, v = start.copy(), np.zeros(4), np.zeros(4)
    for t, g in enumerate(grads, start=1):
        lr = 0.01 if t <= 15 else 0.003
        w = w - lr * 0.3 * w
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        bc1, bc2 = 1 - 0.9**t, 1 - 0.999**t
        w = w - lr / bc1 * m / (np.sqrt(v) / np.sqrt(bc2) + 1e-7)
    np.testing.assert_allclose(theirs, w, rtol=0, atol=1e-12)


# -- the reference network and its Keras twin ------------------------------------------
def keras_reference(optimizer):
    # dtype on every layer: Keras fixes its default dtype policy at first use,
    # so set_floatx alone does not reach models built after other tests ran
    model = keras.Sequential([
        keras.Input(shape=(1,), dtype="float64"),
        keras.layers.Dense(16, activation="relu", dtype="float64"),
        keras.layers.Dense(32, activation="relu", dtype="float64",
                           kernel_regularizer=keras.regularizers.l2(0.01)),
        keras.layers.Dense(2, activation="softmax", dtype="float64"),
    ])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("name, rate", [("sgd", 0.1), ("adam", 1e-3)])
def test_reference_model_matches_keras_after_one_epoch(float64, name, rate):
    data = trial_data(0)
    order = np.random.default_rng(1).permutation(len(data.y))
    X, y = data.X[order], data.y[order]  # the same pre-shuffled batches
    ours = lrcourse.reference_model(seed=0, lr=rate, optimizer=name)
    theirs = keras_reference({"sgd": keras.optimizers.SGD,
                              "adam": keras.optimizers.Adam}[name](learning_rate=rate))
    theirs.set_weights(ours.get_weights())
    ours.fit(X, y, batch_size=10, epochs=1, shuffle=False)
    theirs.fit(X, y, batch_size=10, epochs=1, shuffle=False, verbose=0)
    start = lrcourse.reference_model(seed=0).get_weights()
    for mine, keras_w, w0 in zip(ours.get_weights(), theirs.get_weights(), start):
        assert keras_w.dtype == np.float64
        assert np.abs(mine - w0).max() > 1e-3  # one epoch moved every array
        scale = np.abs(mine).max()
        np.testing.assert_allclose(mine, keras_w, rtol=0, atol=1e-6 * scale)
