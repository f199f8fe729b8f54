"""Bad input across the public API: refused up front, by name, changing nothing.

Every public callable gets wrong types and out-of-range values for each of
its arguments (drawn by hypothesis) and must raise a ValueError or TypeError
whose message names the argument; calls that hold state (a model, an
optimizer, a shuffling stream) must leave it exactly as it was.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrcourse
from lrcourse._validate import check_Xy, read_only
from lrcourse.data import trial_data
from lrcourse.descent import Sweep, Trace

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

NAN, INF = math.nan, math.inf
# Kinds of argument and values each of them must refuse.
BAD = {
    "positive": st.sampled_from(["0.1", None, True, [0.1], -1.0, 0.0, NAN, INF, -INF]),
    "rate": st.sampled_from(["0.1", True, [0.1], -1.0, 0.0, NAN, INF]),  # None: default
    "nonneg": st.sampled_from(["0.1", None, True, [0.1], -1e-9, NAN, INF]),
    "nonneg_or_none": st.sampled_from(["0.1", True, [0.1], -1e-9, NAN, INF]),
    "finite": st.sampled_from(["1", None, True, [1.0], NAN, INF, -INF]),
    "count": st.one_of(st.integers(max_value=0), st.sampled_from(
        ["3", None, True, 2.5, 3.0, [3]])),
    "count0": st.one_of(st.integers(max_value=-1), st.sampled_from(
        ["3", None, True, 2.5, 3.0, [3]])),
    "count_or_none": st.one_of(st.integers(max_value=0), st.sampled_from(
        ["3", True, 2.5, 3.0, [3]])),
    "fraction": st.sampled_from(["0.5", None, True, -0.1, 1.0, 1.5, NAN]),
    "flag": st.sampled_from(["no", "yes", "False", 0, 1, None, [True]]),
    "seed": st.sampled_from(["0", -1, 1.5, True, None, [0]]),
    "seed_or_none": st.sampled_from(["0", -1, 1.5, True, [0]]),
    "name": st.one_of(st.text(max_size=8).filter(lambda s: s.lower() not in {
        "sgd", "adam", "adamw", "rmsprop", "adagrad"}),
        st.sampled_from([None, 3, True])),
    "tolerance": st.sampled_from([1e-300, 1e-17, 0.0, -1.0, NAN, "1e-3", None]),
}


def _data():
    (ages, labels), _ = lrcourse.make_drug_trial(seed=0, scale=50)
    return lrcourse.MinMaxScaler().fit_transform(ages), labels


X, Y = _data()
BAD_X = st.sampled_from([None, "ages", [[0.1, 0.2]], np.zeros((0, 1)), [[NAN]],
                         np.array([["a"]])])
BAD_Y = st.sampled_from([None, "labels", Y[:-1], np.full(len(Y), 5), Y + 0.5,
                         -np.ones(len(Y))])
BAD_VAL = st.sampled_from([(X,), X, "val", (X, Y[:-1]), (X[:, 0][:, None] * NAN, Y),
                           [X, Y, Y], (X, None)])


def model():
    return lrcourse.reference_model(seed=0, optimizer="sgd", lr=0.1)


# callable, valid keyword arguments, {argument: kind of bad value}
CASES = [
    (lrcourse.Quadratic, {}, {"curvature": "positive", "minimum": "finite"}),
    (lrcourse.TwoValleys, {}, {"tilt": "finite"}),
    (lrcourse.Bowl2D, {}, {"rotation": "finite"}),
    (lrcourse.gradient_descent,
     {"problem": lrcourse.Quadratic(), "lr": 0.1, "steps": 3, "start": 1.0},
     {"lr": "positive", "steps": "count", "start": "finite", "noise": "nonneg",
      "rng": "seed_or_none"}),
    (lrcourse.sweep,
     {"problem": lrcourse.Quadratic(), "lrs": [0.1], "steps": 3, "start": 1.0},
     {"steps": "count", "start": "finite"}),
    (lrcourse.stability_limits, {"curvature": 2.0}, {"curvature": "positive"}),
    (lrcourse.classify_lr, {"lr": 0.1, "curvature": 2.0},
     {"lr": "positive", "curvature": "positive"}),
    (lrcourse.SGD, {}, {"lr": "rate", "learning_rate": "rate",
                        "momentum": "fraction", "nesterov": "flag"}),
    (lrcourse.Adam, {}, {"lr": "rate", "beta_1": "fraction", "beta_2": "fraction",
                         "epsilon": "positive"}),
    (lrcourse.AdamW, {}, {"lr": "rate", "learning_rate": "rate",
                          "weight_decay": "nonneg", "beta_1": "fraction",
                          "beta_2": "fraction", "epsilon": "positive"}),
    (lrcourse.ScheduleFreeAdamW, {},
     {"lr": "rate", "learning_rate": "rate", "beta_1": "fraction",
      "beta_2": "fraction", "epsilon": "positive", "warmup_steps": "count0",
      "weight_decay": "nonneg_or_none"}),
    (lrcourse.RMSprop, {}, {"lr": "rate", "rho": "fraction",
                            "momentum": "fraction", "epsilon": "positive"}),
    (lrcourse.Adagrad, {}, {"lr": "rate", "epsilon": "positive",
                            "initial_accumulator_value": "nonneg"}),
    (lrcourse.constant, {"lr": 0.1}, {"lr": "positive"}),
    (lrcourse.step_decay, {"lr": 0.1}, {"lr": "positive", "every": "count"}),
    (lrcourse.exponential_decay, {"lr": 0.1},
     {"lr": "positive", "decay_steps": "count", "staircase": "flag"}),
    (lrcourse.cosine_decay, {"lr": 0.1, "decay_steps": 10},
     {"lr": "positive", "decay_steps": "count"}),
    (lrcourse.cosine_decay, {"lr": 0.0, "decay_steps": 10, "warmup_target": 0.1},
     {"warmup_target": "rate", "warmup_steps": "count0", "lr": "nonneg"}),
    (lrcourse.warmup_stable_decay,
     {"peak": 0.1, "total_steps": 100, "warmup_steps": 10, "decay_steps": 20},
     {"peak": "positive", "total_steps": "count", "warmup_steps": "count0",
      "decay_steps": "count", "decay": "name", "end": "nonneg"}),
    (lrcourse.warmup, {"after": 0.1, "warmup_steps": 10},
     {"warmup_steps": "count"}),
    (lrcourse.one_cycle, {"max_lr": 0.1, "total_steps": 100},
     {"max_lr": "positive", "total_steps": "count", "pct_start": "fraction"}),
    (lrcourse.Dense, {"units": 2}, {"units": "count"}),
    (lrcourse.l2, {}, {"factor": "nonneg"}),
    (lrcourse.reference_model, {}, {"seed": "seed", "lr": "positive",
                                    "optimizer": "name"}),
    (lrcourse.make_drug_trial, {}, {"seed": "seed", "scale": "count"}),
    (lrcourse.train_validation_split, {"X": X, "y": Y},
     {"validation_fraction": "fraction", "seed": "seed"}),
    (lrcourse.sweep_fit, {"model": model(), "X": X, "y": Y, "lrs": [0.1]},
     {"batch_size": "count", "epochs": "count", "seed": "seed", "shuffle": "flag",
      "record_batches": "flag", "optimizer": "name"}),
    (lrcourse.range_test, {"model": model(), "X": X, "y": Y, "num_it": 10},
     {"start_lr": "positive", "end_lr": "positive", "batch_size": "count",
      "seed": "seed", "beta": "fraction"}),
]
ARGS = [(f, base, arg, kind) for f, base, args in CASES for arg, kind in args.items()]


def _refused(call, name):
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    assert name in str(info.value), f"{info.value!s} does not name {name}"


@pytest.mark.parametrize("fn,base,arg,kind", ARGS,
                         ids=[f"{f.__name__}-{a}" for f, _, a, _ in ARGS])
@SETTINGS
@given(data=st.data())
def test_bad_arguments_are_refused_by_name(fn, base, arg, kind, data):
    bad = data.draw(BAD[kind], label=arg)
    if arg == "lr" and "learning_rate" in base:
        return
    _refused(lambda: fn(**{**base, arg: bad}), arg)


def test_every_public_callable_is_checked_here():
    checked = {f.__name__ for f, _, _ in CASES}
    callables = {n for n in lrcourse.__all__ if callable(getattr(lrcourse, n))}
    # no numeric arguments: Input's shape, Sequential's layers, MinMaxScaler
    # and check are covered by the tests below
    assert callables - checked == {"Input", "Sequential", "MinMaxScaler", "check"}


@pytest.mark.parametrize("fn", [lrcourse.sweep_fit, lrcourse.range_test,
                                lrcourse.train_validation_split])
@SETTINGS
@given(bad_x=BAD_X, bad_y=BAD_Y)
def test_bad_data_is_refused_by_name(fn, bad_x, bad_y):
    extra = {"lrs": [0.1]} if fn is lrcourse.sweep_fit else {}
    first = () if fn is lrcourse.train_validation_split else (model(),)
    _refused(lambda: fn(*first, bad_x, Y, **extra), "X")
    if fn is lrcourse.train_validation_split and isinstance(bad_y, np.ndarray):
        bad_y = bad_y[:-1] if len(bad_y) == len(Y) else bad_y  # any labels split
    _refused(lambda: fn(*first, X, bad_y, **extra), "y")


def test_other_public_constructors_refuse_bad_input():
    _refused(lambda: lrcourse.Input(shape="1"), "shape")
    _refused(lambda: lrcourse.Sequential("dense"), "layers")
    _refused(lambda: lrcourse.Sequential([lrcourse.Dense(2)], seed=-1), "input")
    _refused(lambda: lrcourse.MinMaxScaler().fit("ages"), "X")
    _refused(lambda: lrcourse.MinMaxScaler().transform(X), "fit")
    _refused(lambda: lrcourse.check("99.9", 1.0), "exercise")
    _refused(lambda: lrcourse.sweep(lrcourse.Quadratic(), "fast", 3, 1.0), "lrs")
    _refused(lambda: lrcourse.sweep(lrcourse.Quadratic(), [0.1, -1.0], 3, 1.0),
             "lrs")
    _refused(lambda: lrcourse.sweep("bowl", [0.1], 3, 1.0), "problem")
    _refused(lambda: lrcourse.gradient_descent(lrcourse.Quadratic(), 0.1, 3, 1.0,
                                               optimizer="sgd"), "optimizer")


# -- state is unchanged after a refused call ----------------------------------------

def _state(m):
    opt = m.optimizer
    slots = None if opt._state is None else [
        {k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in s.items()}
        for s in opt._state["slots"]]
    return (m.flat.copy(), m.shuffle_rng.bit_generator.state, opt.iterations,
            opt.get_config(), slots, list(m.metrics), opt)


def _same(a, b):
    assert np.array_equal(a[0], b[0])  # weights
    assert a[1] == b[1]  # the shuffling stream
    assert a[2:4] == b[2:4] and a[5] == b[5] and a[6] is b[6]
    if a[4] is None:
        assert b[4] is None
    else:
        for s, t in zip(a[4], b[4]):
            assert all(np.array_equal(s[k], t[k]) for k in s)


def _trained():
    m = lrcourse.reference_model(seed=0, optimizer="adam", lr=0.01)
    m.fit(X, Y, batch_size=10, epochs=1, seed=3)
    return m


FIT_BAD = st.one_of(
    BAD_VAL.map(lambda v: ("validation_data", {"validation_data": v})),
    BAD_Y.map(lambda v: ("y", {"y": v})),
    BAD_X.map(lambda v: ("X", {"X": v})),
    BAD["count"].map(lambda v: ("batch_size", {"batch_size": v})),
    BAD["count"].map(lambda v: ("epochs", {"epochs": v})),
    BAD["flag"].map(lambda v: ("shuffle", {"shuffle": v})),
    BAD["flag"].map(lambda v: ("trace", {"trace": v})),
    st.sampled_from([2, "1", -1]).map(lambda v: ("verbose", {"verbose": v})),
    st.sampled_from(["W2", [("W2",)], [("W9", 0)], [("W2", (99, 0))]]).map(
        lambda v: ("watch", {"watch": v})),
    BAD["count_or_none"].map(lambda v: ("snapshot_every", {"snapshot_every": v})),
)


@SETTINGS
@given(bad=FIT_BAD)
def test_refused_fit_leaves_the_model_exactly_as_it_was(bad):
    name, kwargs = bad
    m = _trained()
    before = _state(m)
    call = {"X": X, "y": Y, "batch_size": 10, "epochs": 1, "seed": 7, **kwargs}
    with pytest.raises((TypeError, ValueError)) as info:
        m.fit(**call)
    assert name.split("_")[0] in str(info.value) or name in str(info.value)
    _same(before, _state(m))


@pytest.mark.parametrize("kwargs,name", [
    ({"metrics": "accuracy"}, "metrics"),
    ({"metrics": ["acc"]}, "metrics"),
    ({"optimizer": "sgdd"}, "optimizer"),
    ({"optimizer": 3}, "optimizer"),
    ({"loss": "mse"}, "loss"),
])
def test_refused_compile_keeps_the_compiled_optimizer(kwargs, name):
    m = _trained()
    before = _state(m)
    _refused(lambda: m.compile(**kwargs), name)
    _same(before, _state(m))


@SETTINGS
@given(bad=st.one_of(
    BAD_X.map(lambda v: ("X", {"X": v})),
    BAD_Y.map(lambda v: ("y", {"y": v})),
    BAD_VAL.map(lambda v: ("validation_data", {"validation_data": v})),
    BAD["flag"].map(lambda v: ("shuffle", {"shuffle": v})),
    st.sampled_from(["fast", [], [0.1, NAN]]).map(lambda v: ("lrs", {"lrs": v})),
    st.sampled_from([3, "print"]).map(lambda v: ("epoch_end", {"epoch_end": v})),
))
def test_refused_sweep_fit_and_range_test_change_no_model(bad):
    name, kwargs = bad
    m = _trained()
    before = _state(m)
    call = {"X": X, "y": Y, "lrs": [0.1], **kwargs}
    _refused(lambda: lrcourse.sweep_fit(m, **call), name)
    _same(before, _state(m))
    if name in ("X", "y"):
        call.pop("lrs")
        _refused(lambda: lrcourse.range_test(m, **call), name)
        _same(before, _state(m))


def test_refused_descent_leaves_the_optimizer_alone():
    opt = lrcourse.SGD(lr=0.5, momentum=0.9)
    for kwargs, name in [({"start": "far"}, "start"), ({"steps": 0}, "steps"),
                         ({"lr": -1.0}, "lr"), ({"noise": 1.0}, "rng")]:
        call = {"lr": 0.1, "steps": 3, "start": 1.0, "optimizer": opt, **kwargs}
        _refused(lambda c=call: lrcourse.gradient_descent(lrcourse.Quadratic(), **c),
                 name)
        assert opt.lr == 0.5 and opt.iterations == 0


def test_refused_optimizer_step_changes_nothing():
    opt = lrcourse.Adam(lr=0.1)
    w = np.ones(3)
    opt.step([w], [np.ones(3)])
    moments = [{k: np.copy(v) for k, v in s.items()} for s in opt._state["slots"]]
    state = (w.copy(), opt.iterations)
    for grads in ([np.ones(2)], "g", [np.ones(3)] * 2, [None]):
        with pytest.raises((TypeError, ValueError)):
            opt.step([w], grads)
    assert np.array_equal(w, state[0]) and opt.iterations == state[1]
    for s, t in zip(moments, opt._state["slots"]):
        assert all(np.array_equal(s[k], t[k]) for k in s)


@pytest.mark.parametrize("tol", [1e-300, 1e-17, 0.0, NAN, "1e-3"])
def test_tolerances_finer_than_float_resolution_are_refused(tol):
    trace = lrcourse.gradient_descent(lrcourse.Quadratic(), lr=0.1, steps=3, start=1.0)
    assert isinstance(trace, Trace)
    _refused(lambda: trace.steps_to(tol=tol), "tol")
    runs = lrcourse.sweep(lrcourse.Quadratic(), [0.1, 0.2], 3, 1.0)
    assert isinstance(runs, Sweep)
    _refused(lambda: runs.steps_to(tol=tol), "tol")
    from lrcourse.regimes import steps_needed
    from lrcourse.stability import largest_stable_lr

    _refused(lambda: steps_needed(0.1, 2.0, 1.0, tol), "tol")
    _refused(lambda: largest_stable_lr(lrcourse.Quadratic(), lrcourse.SGD(), 0.01,
                                       2.0, rtol=tol), "rtol")


def test_tolerance_floor_scales_with_the_minimum():
    trace = lrcourse.gradient_descent(lrcourse.Quadratic(minimum=1e6), lr=0.5,
                                      steps=3, start=0.0)
    _refused(lambda: trace.steps_to(tol=1e-12, minimum=1e6), "tol")
    assert trace.steps_to(tol=1e-3, minimum=1e6) == 1


# -- the one data validator and read-only caches ------------------------------------

def test_check_Xy_names_what_it_accepts():
    with pytest.raises(TypeError, match="y must be an array of class labels in 0..1"):
        check_Xy(X, None, n_inputs=1, n_classes=2)
    with pytest.raises(ValueError, match=r"X must have shape \(n, 1\)"):
        check_Xy(np.ones((3, 2)), [0, 1, 0], n_inputs=1, n_classes=2)
    Xc, yc = check_Xy([0.5, 0.25], [[1.0], [0.0]], n_inputs=1, n_classes=2)
    assert Xc.shape == (2, 1) and yc.tolist() == [1, 0]


def test_cached_trial_data_is_read_only():
    data = trial_data(0)
    for array in (data.X, data.y, data.ages, data.X_test, data.y_test,
                  data.test_ages, data.scaler.data_min_):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    assert trial_data(0).X[0, 0] == data.X[0, 0]
    model = lrcourse.reference_model(seed=0)
    model.fit(data.X, data.y, epochs=1)  # training reads it without a copy


def test_cached_lesson_results_are_read_only():
    from lrcourse.lessons.lesson04.analysis import _settled_flat
    from lrcourse.lessons.lesson05.analysis import rate_sweep

    sweep = rate_sweep("sgd", -2.0, -1.0, 0.5, epochs=1, batch_size=700)
    for array in (sweep.loss, sweep.accuracy, sweep.dead, sweep.lrs):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    assert not _settled_flat(0).flags.writeable


def test_read_only_returns_its_first_array():
    a, b = np.zeros(2), np.ones(2)
    assert read_only(a, b) is a
    assert not a.flags.writeable and not b.flags.writeable


def test_default_rate_tables_are_read_only():
    with pytest.raises(TypeError):
        lrcourse.KERAS_DEFAULT_LRS["SGD"] = 1.0
    with pytest.raises(TypeError):
        lrcourse.PYTORCH_DEFAULT_LRS["Adam"] = 1.0
    assert lrcourse.SGD().lr == lrcourse.KERAS_DEFAULT_LRS["SGD"]


# -- every numeric module: a string for any argument is refused by name --------------

NUMERIC = ["lrcourse.data", "lrcourse.descent", "lrcourse.exercises",
           "lrcourse.hessian", "lrcourse.model", "lrcourse.optimizers",
           "lrcourse.problems", "lrcourse.range_finder", "lrcourse.readouts",
           "lrcourse.regimes", "lrcourse.schedules", "lrcourse.stability",
           "lrcourse.training"] + [f"lrcourse.lessons.lesson0{i}.analysis"
                                   for i in (4, 5, 6, 7, 8, 9)]
#: Arguments whose message uses the name a learner knows from the caller.
ALIAS = {"identifier": "optimizer", "given": "answer"}
#: Functions that read text by design; their refusals are worded for a learner
#: (tests/test_exercises.py checks them).
READS_TEXT = {("lrcourse.exercises", "parse_number"),
              ("lrcourse.exercises", "choice_text")}


def _one_argument_calls():
    import importlib
    import inspect

    for module_name in NUMERIC:
        module = importlib.import_module(module_name)
        for name, fn in vars(module).items():
            target = getattr(fn, "__wrapped__", fn)
            if (name.startswith("_") or not inspect.isfunction(target)
                    or getattr(fn, "__module__", "") != module_name
                    or (module_name, name) in READS_TEXT):
                continue
            params = [p for p in inspect.signature(target).parameters.values()
                      if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
            required = [p for p in params if p.default is p.empty]
            for p in params:
                if required in ([], [p]):  # the others all have defaults
                    label = f"{module_name[9:]}.{name}-{p.name}"
                    yield pytest.param(fn, p.name, id=label)


@pytest.mark.parametrize("fn,arg", list(_one_argument_calls()))
def test_a_string_for_any_argument_is_refused_by_name(fn, arg):
    _refused(lambda: fn(**{arg: "bad"}), ALIAS.get(arg, arg))
