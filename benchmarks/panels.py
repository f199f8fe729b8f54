"""The panels the benchmark suite drives, built as each lesson's notebook does.

One function per lesson returns its cases; ``CASES`` lists them in lesson
order for ``benchmarks/run.py``. A case is a dict: ``name``, ``make`` (builds
the panel), ``control`` (the slider moved), ``values`` (grid values visited),
``kind`` (``"live"`` redraws while dragging, ``"release"`` on release) and
optionally ``action`` (a panel method pressed after each value, e.g. a button).
"""

import numpy as np

from lrcourse.readouts import lr_grid


def _grid(panels, prefix="LR"):
    """The slider grid of ``panels`` named by its ``PREFIX_MIN/_MAX/_STEP``."""
    return lr_grid(getattr(panels, f"{prefix}_MIN"), getattr(panels, f"{prefix}_MAX"),
                   getattr(panels, f"{prefix}_STEP"))


def _pick(grid, indices):
    return [float(grid[i]) for i in indices]


def lesson00():
    from lrcourse.lessons.lesson00 import panels as p

    return [{"name": "00 warm-up",
             "make": lambda: p.warmup_panel(lr=0.1, start=3.0, curvature=2.0),
             "control": "lr", "values": [float(v) for v in _grid(p)[::6]],
             "kind": "live"}]


def lesson01():
    from lrcourse.lessons.lesson01 import panels as p

    return [{
        "name": "descent panel, rate slider",
        "make": lambda: p.descent_panel(lr=0.1, steps=20, start=3.0, curvature=2.0),
        "control": "lr", "values": [float(v) for v in _grid(p)[::3]],
        "kind": "live",
    }]


def lesson02():
    from lrcourse.lessons.lesson02 import panels as p

    return [
        {"name": "02 regimes", "kind": "live", "control": "lr",
         "make": lambda: p.regimes_panel(lr=0.1, curvature=2.0, steps=20, start=3.0),
         "values": _pick(_grid(p), (60, 80, 92, 98, 105))},
        {"name": "02 valleys", "kind": "live", "control": "lr",
         "make": lambda: p.valleys_panel(lr=0.1, start=1.5, steps=40, tilt=0.3),
         "values": _pick(_grid(p, "VALLEY"), (20, 26, 28, 32))},
    ]


def lesson03():
    from lrcourse.lessons.lesson03 import panels as p

    def make_bowl():
        return p.bowl2d_panel(lr=0.1, condition=100.0, sharpness=10.0, rotation=30.0,
                              start=(-2.2, -0.2), steps=60)

    return [
        {"name": "03 trade-off", "kind": "live", "control": "lr",
         "make": lambda: p.tradeoff_panel(lr=0.1, curvature=2.0, start=1.0,
                                          tol=1e-3, budget=20),
         "values": _pick(_grid(p), (0, 35, 40, 47, 55, 62))},
        {"name": "03 2-D bowl", "kind": "live", "control": "lr",
         "make": make_bowl,
         "values": _pick(_grid(p, "BOWL"), (50, 100, 114, 115, 116))},
        {"name": "03 2-D bowl condition", "kind": "release",
         "control": "condition", "make": make_bowl,
         "values": _pick(_grid(p, "COND"), (0, 10, 15, 20))},
    ]


def lesson04():
    from lrcourse.lessons.lesson04 import panels as p

    return [
        {"name": "04 noisy bowl",
         "make": lambda: p.noisy_bowl_panel(lr=0.1, noise=1.0, curvature=1.0,
                                            start=2.0, steps=1000, runs=16, seed=0),
         "control": "lr", "values": [float(v) for v in _grid(p, "BOWL")[::7]],
         "kind": "live"},
        {"name": "04 mini-batches",
         "make": lambda: p.minibatch_panel(lr=0.1, batch_size=10, seed=0),
         "control": "lr", "values": [float(v) for v in _grid(p, "NET")[::3]],
         "kind": "live"},
    ]


def lesson05():
    from lrcourse.lessons.lesson05 import panels as p

    values = _pick(_grid(p), (4, 12, 16, 20, 24))
    return [
        {"name": "05 training panel", "kind": "live", "control": "lr",
         "values": values,
         "make": lambda: p.training_panel(lr=0.1, epochs=30, optimizer="sgd")},
        {"name": "05 inspector", "kind": "release", "control": "lr",
         "values": values,
         "make": lambda: p.inspector_panel(optimizer="sgd", lr=0.1, weight="W2",
                                           row=2, col=5, update=1, epochs=3)},
    ]


def lesson06():
    from lrcourse.lessons.lesson06 import panels as p

    return [
        {"name": "06 momentum",
         "make": lambda: p.momentum_panel(lr=0.05, momentum=0.9, curvature=10.0,
                                          start=1.0),
         "control": "lr", "values": [float(v) for v in _grid(p, "MOM")[::140]],
         "kind": "live"},
        {"name": "06 adam",
         "make": lambda: p.adam_panel(lr=0.001, curvature=10.0, start=1.0),
         "control": "lr", "values": [float(v) for v in _grid(p, "ADAM")[::10]],
         "kind": "live"},
        {"name": "06 valley, rate",
         "make": lambda: p.valley_panel(lr=0.1972, momentum=0.7, kappa=100),
         "control": "lr", "values": [float(v) for v in _grid(p, "VALLEY")[::40]],
         "kind": "live"},
        {"name": "06 valley, momentum",
         "make": lambda: p.valley_panel(lr=0.3, momentum=0.0, kappa=100),
         "control": "momentum", "values": [round(0.09 * i, 2) for i in range(12)],
         "kind": "live"},
        {"name": "06 valley, rate at kappa 1000 (4,000 updates)",
         "make": lambda: p.valley_panel(lr=0.1972, momentum=0.881, kappa=1000),
         "control": "lr", "values": [float(v) for v in _grid(p, "VALLEY")[::40]],
         "kind": "live"},
        {"name": "06 valley, condition number",
         "make": lambda: p.valley_panel(lr=0.1972, momentum=0.7, kappa=100),
         "control": "kappa", "values": list(p.VALLEY_KAPPAS),
         "kind": "release"},
    ]


def lesson07():
    from lrcourse.lessons.lesson07 import panels as p

    def make_sweep():
        return p.sweep_panel(lr=0.1, batch_size=10, epochs=5, optimizer="sgd")

    return [
        {"name": "07 sweep and batch size", "make": make_sweep,
         "control": "lr", "values": _pick(_grid(p), (5, 10, 15, 18)), "kind": "live"},
        {"name": "07 sweep: batch-size slider", "make": make_sweep,
         "control": "batch_size", "values": [5, 40, 320, 10], "kind": "live"},
        {"name": "07 range test: train with a suggestion",
         "make": lambda: p.range_test_panel(rule="valley", batch_size=10, num_it=100,
                                            epochs=5, seed=0),
         "control": "rule", "values": ["valley", "minimum"], "kind": "release",
         "action": "train"},
    ]


def lesson08():
    from lrcourse.lessons.lesson08 import panels as p

    grid = 10.0 ** (p.LR_MIN + np.array([5, 10, 13, 17, 22]) * p.LR_STEP)
    return [{
        "name": "lesson08 schedule composer",
        "make": lambda: p.composer_panel(kind="cosine_decay", lr=0.1, warmup_steps=0,
                                         steps=300, curvature=1.0, noise=1.0,
                                         start=5.0, seed=0),
        "control": "lr", "values": [float(v) for v in grid], "kind": "release",
    }]


def lesson09():
    from lrcourse.lessons.lesson09 import panels as p

    grid = _grid(p)
    return [{
        "name": "lesson09.edge_panel",
        "make": lambda: p.edge_panel(lr=float(grid[0]), steps=1000, every=10, n=420,
                                     seed=0),
        "control": "lr", "values": _pick(grid, (4, 6, 8, 9)), "kind": "release",
    }]


def lesson10():
    from lrcourse.lessons.lesson10 import panels as p

    valley = _grid(p)
    free = lr_grid(p.SF_MIN, p.SF_MAX, p.SF_STEP)
    decay = lr_grid(p.DECAY_MIN, p.DECAY_MAX, p.DECAY_STEP)
    return [
        {"name": "10 warmup on the network", "kind": "release", "control": "warmup",
         "make": lambda: p.warmup_panel(optimizer="sgd", warmup=0),
         "values": [50, 150, 0]},
        {"name": "10 river valley: peak rate", "kind": "live", "control": "lr",
         "make": lambda: p.valley_panel(lr=0.5, decay_start=800, seed=0),
         "values": _pick(valley, (3, 8, 12, 16))},
        {"name": "10 river valley: decay start", "kind": "live",
         "control": "decay_start",
         "make": lambda: p.valley_panel(lr=0.5, decay_start=800, seed=0),
         "values": [100, 400, 700, 900]},
        {"name": "10 schedule-free AdamW", "kind": "live", "control": "lr",
         "make": lambda: p.schedule_free_panel(lr=0.178, steps=1000, runs=32, seed=0),
         "values": _pick(free, (0, 4, 8, 12))},
        {"name": "10 AdamW's decay", "kind": "live", "control": "lr",
         "make": lambda: p.decay_panel(lr=0.01, weight_decay=0.1, l2_factor=0.01,
                                       steps=1000),
         "values": _pick(decay, (0, 4, 8, 12))},
    ]


#: ``(lesson, cases function)`` in lesson order.
CASES = [(f.__name__, f) for f in (lesson00, lesson01, lesson02, lesson03, lesson04,
                                   lesson05, lesson06, lesson07, lesson08, lesson09,
                                   lesson10)]
