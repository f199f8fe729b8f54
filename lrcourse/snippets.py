"""The framework code lessons 05 and 10 show, kept in one place.

The notebook displays these snippets (``side_by_side("model")``) and
``tests/test_frameworks.py`` runs every one of them against the real Keras 3
and PyTorch, checking that each prints exactly the output shown under it.
So the code a learner reads is code that was seen to work, or to fail just
as its comment says.

Each framework's snippets run in order in one namespace that starts with
``X`` (the scaled training ages, shape (n, 1)) and ``y`` (the labels); the
``lrcourse_*`` snippets are the lesson's own code cells, word for word.
"""

import html

#: The versions the snippets and their outputs were checked against.
TESTED_WITH = {"keras": "3.15.1", "torch": "2.13.0"}

#: ``name -> (code, what it prints)``.
SNIPPETS = {
    # -- lrcourse: the lesson's own cells ----------------------------------------------
    "lrcourse_model": ('''
model = lrcourse.Sequential([
    lrcourse.Input(shape=(1,)),
    lrcourse.Dense(16, activation="relu"),
    lrcourse.Dense(32, activation="relu", kernel_regularizer=lrcourse.l2(0.01)),
    lrcourse.Dense(2, activation="softmax"),
], seed=0)
model.compile(optimizer=lrcourse.Adam(learning_rate=1e-4),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(X, y, batch_size=10, epochs=30, seed=0)
''', ""),
    "lrcourse_change": ('''
print(f"{model.optimizer.learning_rate:.6g}")  # read the rate
model.optimizer.learning_rate = 0.01            # change it after compile
print(f"{model.optimizer.learning_rate:.6g}")
''', "0.0001\n0.01\n"),

    # -- Keras 3 -----------------------------------------------------------------------
    "keras_model": ('''
import keras

model = keras.Sequential([
    keras.Input(shape=(1,)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(32, activation="relu",
                       kernel_regularizer=keras.regularizers.l2(0.01)),
    keras.layers.Dense(2, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4),
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.fit(X, y, batch_size=10, epochs=30, shuffle=True, verbose=0)
''', ""),
    "keras_defaults": ('''
for name in ["SGD", "Adam", "RMSprop", "Adagrad", "Adadelta"]:
    opt = getattr(keras.optimizers, name)()   # no rate given
    print(name, f"{opt.get_config()['learning_rate']:.6g}")
''', "SGD 0.01\nAdam 0.001\nRMSprop 0.001\nAdagrad 0.001\nAdadelta 0.001\n"),
    "keras_change": ('''
print(float(model.optimizer.learning_rate))  # read the rate
model.optimizer.learning_rate = 0.01         # change it
print(float(model.optimizer.learning_rate))  # stored as float32
model.optimizer.learning_rate.assign(0.001)  # the same, on the variable
print(float(model.optimizer.learning_rate))
''', "9.999999747378752e-05\n0.009999999776482582\n0.0010000000474974513\n"),
    "keras_traps": ('''
try:
    keras.optimizers.Adam(lr=1e-4)           # the Keras 2 spelling
except ValueError as err:
    print("ValueError:", err)
model.optimizer.lr = 0.5                     # no error, and...
print(model.optimizer.lr)                    # ...it reads back 0.5,
print(float(model.optimizer.learning_rate))  # but the rate is unchanged
''', "ValueError: Argument(s) not recognized: {'lr': 0.0001}\n0.5\n"
     "0.0010000000474974513\n"),
    "keras_schedule": ('''
schedule = keras.optimizers.schedules.ExponentialDecay(
    1e-3, decay_steps=1000, decay_rate=0.9)
opt = keras.optimizers.Adam(learning_rate=schedule)
try:
    opt.learning_rate = 0.01                 # a schedule drives the rate
except TypeError as err:
    print("TypeError:", str(err).split(",")[0])
''', "TypeError: This optimizer was created with a `LearningRateSchedule` object "
     "as its `learning_rate` constructor argument\n"),

    # -- PyTorch 2 ---------------------------------------------------------------------
    "torch_model": ('''
import torch

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(1, 16), torch.nn.ReLU(),
    torch.nn.Linear(16, 32), torch.nn.ReLU(),
    torch.nn.Linear(32, 2),                # logits: softmax is in the loss
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
loss_fn = torch.nn.CrossEntropyLoss()      # softmax + cross-entropy
data = torch.utils.data.TensorDataset(
    torch.tensor(X, dtype=torch.float32), torch.tensor(y))
loader = torch.utils.data.DataLoader(data, batch_size=10, shuffle=True)

def train_one_epoch():
    for xb, yb in loader:
        penalty = 0.01 * model[2].weight.pow(2).sum()   # Keras' l2(0.01)
        loss = loss_fn(model(xb), yb) + penalty
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

for epoch in range(30):
    train_one_epoch()
''', ""),
    "torch_defaults": ('''
params = list(model.parameters())
for name in ["SGD", "Adam", "RMSprop", "Adagrad", "Adadelta"]:
    opt = getattr(torch.optim, name)(params)  # no rate given
    print(name, opt.defaults["lr"])
''', "SGD 0.001\nAdam 0.001\nRMSprop 0.01\nAdagrad 0.01\nAdadelta 1.0\n"),
    "torch_change": ('''
print(optimizer.param_groups[0]["lr"])  # read the rate
for group in optimizer.param_groups:    # change it
    group["lr"] = 0.01
print(optimizer.param_groups[0]["lr"])
''', "0.0001\n0.01\n"),
    "torch_traps": ('''
optimizer.lr = 0.5                      # no error: a new attribute,
print(optimizer.lr)                     # it reads back 0.5,
print(optimizer.param_groups[0]["lr"])  # but the rate is unchanged
''', "0.5\n0.01\n"),
    "torch_schedule": ('''
scheduler = torch.optim.lr_scheduler.StepLR(
    optimizer, step_size=10, gamma=0.5)
for epoch in range(30):
    train_one_epoch()
    scheduler.step()          # after the epoch's optimizer.step() calls
print(scheduler.get_last_lr())  # 0.01 halved at epochs 10, 20 and 30
''', "[0.00125]\n"),

    # -- lesson 10: warmup and WSD, schedule-free AdamW (run after the above) ----------
    "keras_warmup_cosine": ('''
schedule = keras.optimizers.schedules.CosineDecay(
    initial_learning_rate=0.0, decay_steps=900,   # the cosine after the warmup
    warmup_target=0.01, warmup_steps=100)          # 0 -> 0.01 over 100 updates
print([round(float(schedule(k)), 6) for k in (0, 50, 100, 550, 1000)])
''', "[0.0, 0.005, 0.01, 0.005, 0.0]\n"),
    "torch_wsd": ('''
opt = torch.optim.AdamW(model.parameters(), lr=0.01)
warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=99)
stable = torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0)
decay = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.0,
                                          total_iters=200)
scheduler = torch.optim.lr_scheduler.SequentialLR(    # warmup 100, stable,
    opt, [warm, stable, decay], milestones=[100, 800])  # decay over the last 200
rates = []
for update in range(1000):
    rates.append(scheduler.get_last_lr()[0])
    opt.step()           # after loss.backward() in a real loop
    scheduler.step()     # after opt.step()
print([round(rates[k], 6) for k in (0, 99, 500, 800, 900, 999)])
''', "[0.0001, 0.01, 0.01, 0.01, 0.005, 5e-05]\n"),
    "keras_schedule_free": ('''
opt = keras.optimizers.ScheduleFreeAdamW(learning_rate=0.0025)
model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
model.fit(X, labels, epochs=2, verbose=0)
# the model holds y; the average x, to evaluate, is recovered from y and z:
b1 = opt.beta_1
x = [(v.numpy() - (1 - b1) * z.numpy()) / b1
     for v, z in zip(model.trainable_variables, opt._momentums)]
print(bool((x[0] != model.trainable_variables[0].numpy()).any()))
''', "True\n"),
    "torch_schedule_free": ('''
import schedulefree

opt = schedulefree.AdamWScheduleFree(model.parameters(), lr=0.0025)
opt.train()                    # before training
for xb, yb in loader:
    opt.zero_grad()
    loss_fn(model(xb), yb).backward()
    opt.step()
y_weights = model[0].weight.detach().clone()
opt.eval()                     # before evaluating or saving: the model holds x
print(torch.equal(y_weights, model[0].weight))
opt.train()                    # before training again
''', "False\n"),
}

#: What the lesson shows side by side: topic -> (Keras snippet, PyTorch snippet).
TOPICS = {
    "model": ("keras_model", "torch_model"),
    "defaults": ("keras_defaults", "torch_defaults"),
    "change": ("keras_change", "torch_change"),
    "traps": ("keras_traps", "torch_traps"),
    "schedule": ("keras_schedule", "torch_schedule"),
}
#: What lesson 10 shows side by side, in the same form.
LESSON10_TOPICS = {
    "warmup_and_wsd": ("keras_warmup_cosine", "torch_wsd"),
    "schedule_free": ("keras_schedule_free", "torch_schedule_free"),
}

_TITLES = {"keras": f"Keras 3 (run with keras {TESTED_WITH['keras']}, "
                    "torch backend)",
           "torch": f"PyTorch 2 (run with torch {TESTED_WITH['torch']})",
           "lrcourse": "lrcourse"}


def code(name):
    """The code of snippet ``name``, without surrounding blank lines."""
    return _get(name)[0].strip("\n") + "\n"


def output(name):
    """What snippet ``name`` prints (empty if nothing)."""
    return _get(name)[1]


def _get(name):
    if name not in SNIPPETS:
        raise ValueError(f"name must be one of {', '.join(SNIPPETS)}, got {name!r}")
    return SNIPPETS[name]


class SideBySide:
    """Two snippets shown next to each other, each with what it prints.

    Displays as an HTML table in a notebook and as plain text elsewhere.
    """

    def __init__(self, names):
        self.names = [n for n in names]
        for n in self.names:
            _get(n)

    def _title(self, name):
        return _TITLES[name.split("_")[0]]

    def _repr_html_(self):
        cells = []
        for n in self.names:
            out = output(n)
            printed = (f'<div style="margin-top:0.4em"><i>prints:</i></div>'
                       f'<pre style="background:#F2F2F2;padding:0.3em">'
                       f"{html.escape(out)}</pre>") if out else ""
            cells.append(f'<td style="vertical-align:top;text-align:left">'
                         f'<pre style="font-size:12px">{html.escape(code(n))}</pre>'
                         f"{printed}</td>")
        heads = "".join(f'<th style="text-align:left">{html.escape(self._title(n))}'
                        "</th>" for n in self.names)
        return (f'<table class="lr-snippets"><tr>{heads}</tr>'
                f'<tr>{"".join(cells)}</tr></table>')

    def __repr__(self):
        parts = []
        for n in self.names:
            block = f"# {self._title(n)}\n{code(n)}"
            if output(n):
                block += "# prints:\n" + "".join(
                    f"#   {line}\n" for line in output(n).splitlines())
            parts.append(block)
        return "\n".join(parts)


def side_by_side(topic):
    """The Keras 3 and PyTorch code of one topic (model, defaults, change,
    traps, schedule; lesson 10: warmup_and_wsd, schedule_free), side by side.

    >>> print(repr(side_by_side("change")).splitlines()[0])
    # Keras 3 (run with keras 3.15.1, torch backend)
    """
    topics = {**TOPICS, **LESSON10_TOPICS}
    if topic not in topics:
        raise ValueError(f"topic must be one of {', '.join(topics)}, got {topic!r}")
    return SideBySide(topics[topic])
