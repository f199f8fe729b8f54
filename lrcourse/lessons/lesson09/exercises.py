"""Lesson 09 exercises: the edge of stability."""

import numpy as np

from ...exercises import Exercise, register
from ...readouts import lr_grid
from .adam_edge import adam_threshold
from .analysis import LR_MAX, LR_MIN, LR_STEP, edge_run, trial_subset

#: The panel's notch nearest 0.8 (0.794), and its notch at 1.0.
LR_NEAR_08 = float(lr_grid(LR_MIN, LR_MAX, LR_STEP)[4])
LR_ONE = float(lr_grid(LR_MIN, LR_MAX, LR_STEP)[6])
#: Exercise 09.4: Adam with another beta_1 than the lesson's 0.9.
ADAM_LR, ADAM_BETA_1 = 0.01, 0.8


def _run(lr):
    X, y = trial_subset(n=420, seed=0)
    return edge_run(lr, X, y, steps=1000, every=10, seed=0)


def _plateau_near_08():
    return _run(LR_NEAR_08).plateau()


def _bowl_growth_near_08():
    run = _run(LR_NEAR_08)
    return abs(1.0 - LR_NEAR_08 * float(np.nanmax(run.sharpness)))


def _adam_threshold_b08():
    return adam_threshold(ADAM_LR, beta_1=ADAM_BETA_1)


def _rises_at_one():
    return _run(LR_ONE).rises()


register(Exercise(
    "09.1",
    "[panel] At lr 0.794 (the notch nearest 0.8), where does the sharpness hover "
    "over the second half of the run? Give the readout's median, and compare it "
    "with 2/lr (within 1%)",
    _plateau_near_08, rel_tol=0.01,
    hints=[(1 / LR_NEAR_08, "that is 1/lr; a bowl turns unstable at 2/lr, and "
                            "that is the level the sharpness is pushed to."),
           # also the curve read by eye, 2.5, within 1% of 2/lr = 2.518
           (2 / LR_NEAR_08, "that is 2/lr = 2.52 (or the curve read by eye near "
                            "it), the line the sharpness is pushed to; it hovers a "
                            "little below: read the readout's median, to 3 "
                            "figures."),
           (1.614, "that is the sharpness at the start; let the run go on."),
           (3.48, "that is the highest spike; read where the curve hovers."),
           (2.0, "that is 2/lr at lr 1.0; use the 0.794 notch.")],
    hint="read the sharpness curve (or the readout's median) against the dashed "
         "2/lr line.",
    explain="2/lr = 2.52: the sharpness rises to the edge and hovers just under it.",
))
register(Exercise(
    "09.2",
    "[panel] At lr 0.794, read the sharpness's peak in the readout. If the loss "
    "were a bowl of that curvature, by what factor would the step along the "
    "sharpest direction grow in size at each update? (within 2%)",
    _bowl_growth_near_08, rel_tol=0.02,
    hints=[(2.763, "that is lr x lambda; on a bowl each update multiplies the "
                   "component along a direction by 1 - lr x lambda (lesson 02)."),
           (-1.763, "the sign flips at every update (that is the oscillation); "
                    "give the size, |1 - lr x lambda|."),
           (0.763, "that is lr x lambda - 2; the factor is 1 - lr x lambda, "
                   "given as a size.")],
    hint="take the readout's 'peak' at lr 0.794 as lambda and compute "
         "|1 - lr x lambda|.",
    explain="|1 - 0.794 x 3.48| = 1.76: above 2/lr the factor is larger than 1, "
            "so the oscillation grows until the sharpness comes back down.",
))
register(Exercise(
    "09.3",
    "[panel] At lr 1.0, at how many of the 1000 full-batch updates did the "
    "loss go up? (within 2%)",
    _rises_at_one, rel_tol=0.02,
    hints=[(0, "that holds on a bowl below 2/lambda (lesson 02); this loss is "
               "no bowl. Read the loss plot's label or the readout.")],
    hint="the readout counts them: 'yet it rose at ... updates'.",
    explain="over 40% of the updates raise the loss, yet it still falls overall.",
))
register(Exercise(
    "09.4",
    "Full-batch Adam with beta_1 = 0.8 at lr 0.01: predict the threshold "
    "(2 + 2 beta_1) / ((1 - beta_1) lr) for its preconditioned sharpness "
    "(within 0.5%); then run it and compare the readout's median with it.",
    _adam_threshold_b08, rel_tol=0.005,
    hints=[(3800, "that is 38/lr, the line for beta_1 = 0.9; put beta_1 = 0.8 "
                  "into (2 + 2 beta_1) / ((1 - beta_1) lr)."),
           (200, "that is 2/lr, plain descent's line; Adam's preconditioned "
                 "sharpness has its own: (2 + 2 beta_1) / ((1 - beta_1) lr)."),
           (360, "you divided by (1 - beta_1) but not by lr, or the other way "
                 "round: (2 + 2 x 0.8) / (0.2 x 0.01).")],
    hint="(2 + 2 x 0.8) / ((1 - 0.8) x 0.01).",
    explain="3.6 / 0.002 = 1800; over its second half the run's preconditioned "
            "sharpness has a median of 0.90 x 1800 and a highest value of "
            "1.02 x 1800.",
))
