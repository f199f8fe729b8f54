"""Lesson 02 panels: the three regimes on a bowl, and a jump between valleys."""


from ...widgets import Panel, choice_slider, log_slider
from .analysis import (
    LR_MAX,
    LR_MIN,
    LR_STEP,
    Regimes,
    Valleys,
    regime_run_readout,
    valley_run_readout,
)
from .figures import RegimesView, ValleysView

#: The curvatures the regimes panel offers (lambda).
CURVATURES = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 100.0, 1000.0, 10000.0)
#: The valleys panel's rate grid: 10 ** (-2 + 0.05 i), from 0.01 to 1.
VALLEY_MIN, VALLEY_MAX, VALLEY_STEP = -2.0, 0.0, 0.05


def curvature_control(value):
    """A keyboard-friendly slider over ``CURVATURES``."""
    if value not in CURVATURES:
        raise ValueError(f"curvature must be one of {CURVATURES}, got {value!r}")
    return choice_slider([(f"{c:g}", c) for c in CURVATURES], value,
                         "curvature λ", "lr-curvature")


def regimes_panel(lr=0.1, curvature=2.0, steps=20, start=3.0):
    """Gradient descent on ``curvature/2 * w^2`` with the regime strip.

    Controls ``lr`` and ``curvature``. Above the plots, a strip shows the
    slider's whole range split at 1/lambda and 2/lambda, with the current
    rate marked; below, the path on the curve, the weight and the loss per
    update. Losses are shown relative to the starting loss, so the axes stay
    the same for every curvature.
    """
    controls = {"lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP),
                "curvature": curvature_control(curvature)}
    view = RegimesView(10 ** LR_MIN, 10 ** LR_MAX, steps, start)
    return Panel(title="Lesson 02: the three regimes", controls=controls,
                 compute=Regimes(steps, start), view=view,
                 readout=regime_run_readout)


def valleys_panel(lr=0.1, start=1.5, steps=40, tilt=0.3):
    """Gradient descent on ``TwoValleys(tilt)``: a large step can jump the hump.

    Control ``lr``. Left: the path on the loss curve; right: the weight per
    update with the two valley bottoms and the hump marked.
    """
    compute = Valleys(tilt, start, steps)
    controls = {"lr": log_slider(lr, VALLEY_MIN, VALLEY_MAX, VALLEY_STEP)}
    return Panel(title="Lesson 02: a jump into the other valley",
                 controls=controls, compute=compute,
                 view=ValleysView(compute.problem, compute.hump, steps),
                 readout=valley_run_readout)
