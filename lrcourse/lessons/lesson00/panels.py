"""Lesson 00 panel: a warm-up slider, one update of gradient descent."""

import functools

from ...widgets import Panel, float_slider, log_slider
from .analysis import one_update, one_update_readout, rate_at, track_position
from .figures import WarmupView

#: The warm-up slider's grid: 10 ** (-3 + 0.05 i), from 0.001 to about 2.
LR_MIN, LR_MAX, LR_STEP = -3.0, 0.3, 0.05
#: Start weights the second slider offers.
W_MIN, W_MAX, W_STEP = -4.0, 4.0, 0.5


def warmup_panel(lr=0.1, start=3.0, curvature=2.0):
    """One update on the bowl ``f(w) = curvature/2 * w^2``: the old weight,
    the step ``lr x gradient`` as an arrow and the new weight. Controls
    ``lr`` (a log slider) and ``start`` (the weight before the update)."""
    view = WarmupView(curvature, W_MAX)  # refuses a bad curvature first
    controls = {
        "lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP),
        "start": float_slider(start, W_MIN, W_MAX, W_STEP, "weight before the update",
                              "lr-start", fmt=".1f"),
    }
    return Panel(title="Lesson 00: one update, step = lr x gradient",
                 controls=controls,
                 compute=functools.partial(one_update, curvature=curvature),
                 view=view, readout=one_update_readout)


def slider_position(lr):
    """Where ``lr`` sits on the warm-up rate slider's track: 0 at the left
    end (0.001), 1 at the right end (about 2).

    >>> f"{slider_position(0.01):.0%}"
    '30%'
    """
    return track_position(lr, LR_MIN, LR_MAX)


def slider_rate(fraction):
    """The rate at ``fraction`` of the way along the warm-up rate slider.

    >>> f"{slider_rate(0.5):.4f}"
    '0.0447'
    """
    return rate_at(fraction, LR_MIN, LR_MAX)
