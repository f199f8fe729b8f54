"""Lesson 10 panels: WSD against cosine in the river valley, schedule-free
AdamW, and AdamW's decay.

Every setting is computed when a panel is built (one vectorised pass over
its grid), so each slider is live: a move only looks a result up and
redraws.
"""

import ipywidgets as W

from ...readouts import lr_grid
from ...widgets import Panel, choice_slider, control, int_slider, log_slider
from .analysis import (
    STEPS,
    WARMUPS,
    DecayTable,
    ScheduleFreeTable,
    ValleyGrid,
    decay_readout,
    schedule_free_readout,
    valley_readout,
    warmup_compute,
    warmup_readout,
)
from .figures import DecayView, ScheduleFreeView, ValleyView, WarmupView

#: The valley panel's peak-rate grid: 10 ** (-1.5 + 0.1 i), 0.032 to 1.58.
LR_MIN, LR_MAX, LR_STEP = -1.5, 0.2, 0.1
#: Its decay starts: every 100 updates from 100 to 900.
DECAY_STARTS = tuple(range(100, STEPS, 100))
#: The schedule-free panel's rates: 10 ** (-2 + 0.125 i), 0.01 to 0.316.
SF_MIN, SF_MAX, SF_STEP = -2.0, -0.5, 0.125
#: The AdamW panel's rates: 10 ** (-4 + 0.25 i), 0.0001 to 0.1.
DECAY_MIN, DECAY_MAX, DECAY_STEP = -4.0, -1.0, 0.25


def valley_panel(lr=0.5, decay_start=800, seed=0):
    """Constant, cosine and warmup-stable-decay (WSD) at one peak rate in the
    river valley: a seeded WSD run (left) and the three expected losses
    (right). Controls ``lr`` (the peak) and ``decay_start`` (when WSD's
    linear decay to 0 begins); both live.
    """
    if decay_start not in DECAY_STARTS:
        raise ValueError(f"decay_start must be one of {DECAY_STARTS}, "
                         f"got {decay_start!r}")
    compute = ValleyGrid(lr_grid(LR_MIN, LR_MAX, LR_STEP), DECAY_STARTS, STEPS, seed)
    controls = {
        "lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP, description="peak learning rate"),
        "decay_start": int_slider(decay_start, DECAY_STARTS[0], DECAY_STARTS[-1],
                                  "WSD: decay starts at update", "lr-decay-start",
                                  step=100),
    }
    return Panel(title="Lesson 10: WSD, cosine and constant in a river valley",
                 controls=controls, compute=compute, readout=valley_readout,
                 view=ValleyView(STEPS))


def schedule_free_panel(lr=0.1, steps=1000, runs=32, seed=0):
    """Schedule-free AdamW with no schedule, on the noisy valley: the loss at
    its averaged weights x and at its iterate y, beside Adam at a constant
    rate and Adam with a linear decay (means of ``runs`` seeded runs).
    Control ``lr``, live.
    """
    compute = ScheduleFreeTable(lr_grid(SF_MIN, SF_MAX, SF_STEP), steps, runs, seed)
    controls = {"lr": log_slider(lr, SF_MIN, SF_MAX, SF_STEP)}
    return Panel(title="Lesson 10: schedule-free AdamW, averaged and fast weights",
                 controls=controls, compute=compute, readout=schedule_free_readout,
                 view=ScheduleFreeView(compute.lrs, compute.table, steps))


def decay_panel(lr=0.01, weight_decay=0.1, l2_factor=0.01, steps=1000):
    """AdamW's decoupled decay against an L2 penalty under Adam, on a weight
    the data does not need (it starts at 1). Control ``lr``, live.
    """
    compute = DecayTable(lr_grid(DECAY_MIN, DECAY_MAX, DECAY_STEP), weight_decay,
                         l2_factor, steps)
    controls = {"lr": log_slider(lr, DECAY_MIN, DECAY_MAX, DECAY_STEP)}
    return Panel(title="Lesson 10: AdamW's decay is multiplied by the rate",
                 controls=controls, compute=compute, readout=decay_readout,
                 view=DecayView(compute.lrs, compute.table, steps))


def warmup_panel(optimizer="sgd", warmup=0):
    """The reference network at a high peak rate (SGD 2.0, Adam 0.5), full
    batch on 420 samples, ten seeds, with a linear warmup of ``warmup``
    updates. Controls ``optimizer`` and ``warmup`` act on release (each
    setting trains the ten seeds once, then is cached).
    """
    if warmup not in WARMUPS:
        raise ValueError(f"warmup must be one of {WARMUPS}, got {warmup!r}")
    controls = {
        "optimizer": control(W.ToggleButtons, "lr-optimizer", width=None,
                             options=[("SGD, peak 2.0", "sgd"),
                                      ("Adam, peak 0.5", "adam")],
                             value=optimizer, description="optimizer"),
        "warmup": choice_slider(list(WARMUPS), warmup, "warmup length (updates)",
                                "lr-warmup", continuous_update=False),
    }
    return Panel(title="Lesson 10: warmup lets a high peak rate train",
                 controls=controls, compute=warmup_compute, readout=warmup_readout,
                 view=WarmupView(10, 300, 2.0), cache=True, busy="training...")
