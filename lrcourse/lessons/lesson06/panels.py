"""Lesson 06 panels: momentum on a bowl and in a valley, and Adam against SGD."""

import ipywidgets as W
import numpy as np

from ..._validate import check_finite, check_fraction, check_positive
from ...widgets import Panel, choice_slider, control, float_slider, log_slider
from .analysis import AdamRuns, MomentumRuns, adam_readout, momentum_readout
from .figures import AdamView, MomentumView, ValleyView
from .valley import REDUCTION, START, Valley, valley_readout

#: Momentum panel's rate grid: 10 ** (-3 + 0.0025 i), 0.001 to about 0.63.
#: Fine enough (0.58 % per notch) to find a stability limit to within 1 %.
MOM_MIN, MOM_MAX, MOM_STEP = -3.0, -0.2, 0.0025
#: Updates run per rate (the shrink factor is measured on them) and shown.
MOM_STEPS, MOM_SHOWN = 240, 60
#: Adam panel's rate grid 10 ** (-4 + 0.05 i), 0.0001 to about 3.16, and its
#: curvature grid 10 ** (-1 + 0.25 j), 0.1 to 100.
ADAM_MIN, ADAM_MAX, ADAM_STEP = -4.0, 0.5, 0.05
CURV_MIN, CURV_MAX, CURV_STEP = -1.0, 2.0, 0.25
ADAM_STEPS = 100


def momentum_panel(lr=0.05, momentum=0.9, curvature=10.0, start=1.0):
    """SGD with momentum on the bowl ``lambda/2 w^2`` beside plain SGD.

    Controls ``lr`` and ``momentum``. For each momentum value the package's
    ``SGD(momentum=beta)`` runs every grid rate in one vectorized pass (cached
    per beta); moving the rate only looks results up. The right plot is the
    measured shrink factor per update against the rate: below 1 is stable.
    """
    lr = check_positive("lr", lr)
    momentum = check_fraction("momentum", momentum, closed_high=False)
    if momentum > 0.99:
        raise ValueError(f"momentum must be in [0, 0.99], got {momentum!r}")
    compute = MomentumRuns((MOM_MIN, MOM_MAX, MOM_STEP), curvature=curvature,
                           start=start, steps=MOM_STEPS, shown=MOM_SHOWN)
    controls = {
        "lr": log_slider(lr, MOM_MIN, MOM_MAX, MOM_STEP),
        "momentum": float_slider(momentum, 0.0, 0.99, 0.01, "momentum beta",
                                 "lr-momentum", fmt=".2f"),
    }
    return Panel(title="Lesson 06: momentum on a bowl", controls=controls,
                 compute=compute, view=MomentumView(compute),
                 readout=momentum_readout)


def adam_panel(lr=0.001, curvature=10.0, start=1.0):
    """Adam and plain SGD at the same rate on the bowl ``lambda/2 w^2``.

    Controls ``lr`` and ``curvature`` (which scales every gradient). Both
    optimizers run every grid rate for every grid curvature when the panel
    is built; the sliders only look results up.
    """
    lr = check_positive("lr", lr)
    curvature = check_positive("curvature", curvature)
    start = check_finite("start", start)
    compute = AdamRuns((ADAM_MIN, ADAM_MAX, ADAM_STEP),
                       (CURV_MIN, CURV_MAX, CURV_STEP), start=start, steps=ADAM_STEPS)
    controls = {
        "lr": log_slider(lr, ADAM_MIN, ADAM_MAX, ADAM_STEP),
        "curvature": log_slider(curvature, CURV_MIN, CURV_MAX, CURV_STEP,
                                description="curvature lambda (scales the gradient)",
                                css="lr-curvature"),
    }
    return Panel(title="Lesson 06: Adam against SGD on a bowl", controls=controls,
                 compute=compute, view=AdamView(ADAM_STEPS), readout=adam_readout)


#: Valley panel's rate grid: 10 ** (-2.5 + 0.005 i), about 0.0032 to 0.5
#: (1.2 % per notch), its momenta 0 to 0.99 and its condition numbers.
VALLEY_MIN, VALLEY_MAX, VALLEY_STEP = -2.5, -0.3, 0.005
VALLEY_MOMENTA = np.round(np.arange(0.0, 0.995, 0.01), 2)
VALLEY_KAPPAS = (10, 16, 25, 50, 100, 200, 500, 1000)
#: The momentum slider's notches: 0.01 apart up to 0.8, then 0.001 apart up
#: to 0.99 (large kappa's best momenta lie close to 1).
VALLEY_BETAS = tuple(float(b) for b in np.round(np.concatenate(
    [np.arange(0.0, 0.8, 0.01), np.arange(0.8, 0.9905, 0.001)]), 3))
#: Updates run per move (and shown) at least; more on wide valleys
#: (``Valley.steps_for``: 4 kappa).
VALLEY_STEPS = 400


def _nearest_beta(momentum):
    return VALLEY_BETAS[int(np.argmin(np.abs(np.array(VALLEY_BETAS) - momentum)))]


def valley_panel(lr=0.1972, momentum=0.0, kappa=100, steps=VALLEY_STEPS):
    """SGD with momentum in lesson 03's long, narrow valley (condition number
    ``kappa``): the path on the contours, the distance along the flat and the
    steep direction, and the map of the factor per update over (rate,
    momentum), with the optimum and the current point marked.

    Controls ``lr`` and ``momentum`` (live: one run of the package's
    ``SGD(momentum=beta)`` per move; momentum in 0.01 notches up to 0.8, then
    0.001), ``kappa`` (on release: a new valley and map, made once per
    kappa, with 4 kappa updates, at least ``steps``) and ``optimum`` (run
    the valley's exact tuned rate and momentum).
    """
    lr = check_positive("lr", lr)
    momentum = check_fraction("momentum", momentum)
    if kappa not in VALLEY_KAPPAS:
        raise ValueError(f"kappa must be one of {VALLEY_KAPPAS}, got {kappa!r}")
    compute = Valley((VALLEY_MIN, VALLEY_MAX, VALLEY_STEP), VALLEY_MOMENTA,
                     steps=steps)
    controls = {
        "lr": log_slider(lr, VALLEY_MIN, VALLEY_MAX, VALLEY_STEP),
        "momentum": choice_slider(VALLEY_BETAS, _nearest_beta(momentum),
                                  "momentum beta", "lr-momentum"),
        "kappa": choice_slider(VALLEY_KAPPAS, kappa, "condition number κ",
                               "lr-condition", continuous_update=False),
        "optimum": control(W.Checkbox, "lr-optimum", width=None, value=False,
                           indent=False,
                           description="go to the optimum (the star's exact "
                                       "rate and β; the sliders are ignored)"),
    }
    view = ValleyView(compute, REDUCTION, float(np.hypot(*START)))
    return Panel(title="Lesson 06: momentum in a long, narrow valley",
                 controls=controls, compute=compute, view=view,
                 readout=valley_readout)
