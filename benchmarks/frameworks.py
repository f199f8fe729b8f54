"""lrcourse against PyTorch and Keras 3 (torch backend) on the reference fit.

Two separate runs:

- equivalence: the same data, architecture, initial weights and pre-shuffled
  batches in float64, so the final weights must agree to a relative 1e-6.
  That proves the timed code computes the same thing. lrcourse follows
  Keras' Adam, which adds epsilon (1e-7) to sqrt(v) before the bias
  correction; PyTorch adds its epsilon after it. The two coincide when
  PyTorch's eps at step t is 1e-7 / sqrt(1 - beta_2**t), so this run sets
  it so before each step (through param_groups, as a learner would change
  any optimizer setting). Without that, coordinates whose gradients are
  tiny move differently and the weights part by about 6e-4.
- timing: each framework's usual loop with its own defaults, one thread:
  PyTorch indexes tensors per mini-batch (no DataLoader), Keras calls fit.
"""

import math
import os
import time

import numpy as np

import lrcourse

EPOCHS, BATCH, LR = 30, 10, 1e-4


def _data():
    (x, y), _ = lrcourse.make_drug_trial(seed=0)
    return lrcourse.MinMaxScaler().fit_transform(x), y


def _batches(n, epochs, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.permutation(n) for _ in range(epochs)]


def _lrcourse_fit(X, y, orders, epsilon):
    model = lrcourse.reference_model(seed=0)
    model.compile(optimizer=lrcourse.Adam(lr=LR, epsilon=epsilon),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    for order in orders:
        model.fit(X[order], y[order], batch_size=BATCH, epochs=1, shuffle=False)
    return model.get_weights()


def _torch_model(torch, weights, dtype):
    net = torch.nn.Sequential(
        torch.nn.Linear(1, 16), torch.nn.ReLU(),
        torch.nn.Linear(16, 32), torch.nn.ReLU(),
        torch.nn.Linear(32, 2),
    ).to(dtype)
    with torch.no_grad():
        for layer, (W, b) in zip(net[::2], zip(weights[::2], weights[1::2])):
            layer.weight.copy_(torch.tensor(W.T, dtype=dtype))  # torch: (out, in)
            layer.bias.copy_(torch.tensor(b, dtype=dtype))
    return net


def _torch_train(torch, net, X, y, orders, opt, keras_epsilon=None):
    loss_fn = torch.nn.CrossEntropyLoss()
    step = 0
    for order in orders:
        Xe, ye = X[order], y[order]
        for start in range(0, len(ye), BATCH):
            xb, yb = Xe[start:start + BATCH], ye[start:start + BATCH]
            step += 1
            if keras_epsilon is not None:  # Keras' epsilon placement, see above
                for group in opt.param_groups:
                    group["eps"] = keras_epsilon / math.sqrt(1 - 0.999**step)
            opt.zero_grad()
            loss = loss_fn(net(xb), yb) + 0.01 * (net[2].weight ** 2).sum()
            loss.backward()
            opt.step()


def _torch_weights(net):
    out = []
    for layer in net[::2]:
        out += [layer.weight.detach().numpy().T.copy(), layer.bias.detach().numpy()]
    return out


def _keras_model(keras, weights):
    model = keras.Sequential([
        keras.Input(shape=(1,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(32, activation="relu",
                           kernel_regularizer=keras.regularizers.l2(0.01)),
        keras.layers.Dense(2, activation="softmax"),
    ])
    model.set_weights(weights)
    return model


def _rel_diff(a, b):
    flat_a = np.concatenate([w.ravel() for w in a])
    flat_b = np.concatenate([w.ravel() for w in b])
    return float(np.max(np.abs(flat_a - flat_b)) / np.max(np.abs(flat_b)))


def run(args, record, measure):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import torch
    except ImportError:
        print("frameworks: PyTorch is not installed; reporting lrcourse alone "
              "(make frameworks installs it)")
        return
    torch.set_num_threads(1)
    X, y = _data()
    init = lrcourse.reference_model(seed=0).get_weights()

    # -- equivalence ------------------------------------------------------
    orders = _batches(len(y), EPOCHS)
    ours = _lrcourse_fit(X, y, orders, epsilon=1e-7)
    net = _torch_model(torch, init, torch.float64)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    _torch_train(torch, net, torch.tensor(X), torch.tensor(y), orders, opt,
                 keras_epsilon=1e-7)
    diff_torch = _rel_diff(_torch_weights(net), ours)
    record("equivalence", "max relative weight difference vs PyTorch", diff_torch,
           target=1e-6, unit="", note="30 epochs, float64, same batches")

    keras = None
    try:
        import keras
    except ImportError:
        print("frameworks: Keras is not installed; skipping its runs")
    if keras is not None:
        keras.config.set_floatx("float64")
        kmodel = _keras_model(keras, init)
        kmodel.compile(optimizer=keras.optimizers.Adam(learning_rate=LR, epsilon=1e-7),
                       loss="sparse_categorical_crossentropy")
        for order in orders:
            kmodel.fit(X[order], y[order], batch_size=BATCH, epochs=1, shuffle=False,
                       verbose=0)
        diff_keras = _rel_diff([np.asarray(w) for w in kmodel.get_weights()], ours)
        record("equivalence", "max relative weight difference vs Keras 3", diff_keras,
               target=1e-6, unit="", note="30 epochs, float64, same batches")
        keras.config.set_floatx("float32")

    # -- timing: each framework's usual loop -------------------------------
    repeat = max(1, args.repeat // 2)

    def ours_fit():
        lrcourse.reference_model(seed=0).fit(X, y, batch_size=BATCH, epochs=EPOCHS,
                                              seed=0)

    t_ours = measure(ours_fit, repeat=args.repeat)
    record("vs", "lrcourse fit (float64)", t_ours, target=0.5)

    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y)

    def torch_fit():
        net = _torch_model(torch, init, torch.float32)
        opt = torch.optim.Adam(net.parameters(), lr=LR)
        orders = [torch.randperm(len(yt)) for _ in range(EPOCHS)]
        _torch_train(torch, net, Xt, yt, orders, opt)

    t_torch = measure(torch_fit, repeat=repeat)
    record("vs", "PyTorch loop (float32, 1 thread)", t_torch,
           note=f"lrcourse is {t_torch[0] / t_ours[0]:.1f}x faster (target 6x)")

    if keras is not None:
        def keras_fit():
            model = _keras_model(keras, init)
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=LR),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(X, y, batch_size=BATCH, epochs=EPOCHS, shuffle=True, verbose=0)

        start = time.perf_counter()
        keras_fit()  # warm-up run doubles as the first measurement's check
        first = time.perf_counter() - start
        t_keras = measure(keras_fit, repeat=1, warmup=0)
        t_keras = (min(first, t_keras[0]), min(first, t_keras[1]),
                   max(first, t_keras[2]))
        record("vs", "Keras 3 fit (torch backend, float32, 1 thread)", t_keras,
               note=f"lrcourse is {t_keras[0] / t_ours[0]:.1f}x faster (target 30x)")
