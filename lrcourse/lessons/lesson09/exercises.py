"""Lesson 09 exercises: the edge of stability."""

from ...exercises import Exercise, register
from ...readouts import lr_grid
from .analysis import LR_MAX, LR_MIN, LR_STEP, edge_run, trial_subset

#: The panel's notch nearest 0.8 (0.794), and its notch at 1.0.
LR_NEAR_08 = float(lr_grid(LR_MIN, LR_MAX, LR_STEP)[4])
LR_ONE = float(lr_grid(LR_MIN, LR_MAX, LR_STEP)[6])


def _run(lr):
    X, y = trial_subset(n=420, seed=0)
    return edge_run(lr, X, y, steps=1000, every=10, seed=0)


def _plateau_near_08():
    return _run(LR_NEAR_08).plateau()


def _rises_at_one():
    return _run(LR_ONE).rises()


register(Exercise(
    "09.1",
    "[panel] At lr 0.794 (the notch nearest 0.8), where does the sharpness hover "
    "over the second half of the run? (within 5%)",
    _plateau_near_08, rel_tol=0.05,
    hints=[(1 / LR_NEAR_08, "that is 1/lr; a bowl turns unstable at 2/lr, and "
                            "that is the level the sharpness is pushed to."),
           (1.614, "that is the sharpness at the start; let the run go on."),
           (3.48, "that is the highest spike; read where the curve hovers.")],
    hint="read the sharpness curve (or the readout's median) against the dashed "
         "2/lr line.",
    explain="2/lr = 2.52: the sharpness rises to the edge and hovers there.",
))
register(Exercise(
    "09.2",
    "The sharpness exceeds 2/lr at times, yet the loss does not explode as "
    "lesson 02 predicts for a bowl. Why? (a) the sharpness is pushed back "
    "down (b) the estimate is wrong (c) the ReLUs died",
    "a", choices=("a", "b", "c"),
    hints=[("b", "the estimate matches the eigenvalues of the full Hessian, built "
                 "column by column (the tests check it to 1e-8)."),
           ("c", "dead ReLUs freeze the loss at ln 2 = 0.693; at 0.794 it falls "
                 "to about 0.26, so the network is alive.")],
    hint="watch what the sharpness does right after it pokes above the line.",
    explain="a network is no fixed bowl: the oscillation along the sharpest "
            "direction moves the weights to flatter ground, below 2/lr again.",
))
register(Exercise(
    "09.3",
    "[panel] At lr 1.0, at how many of the 1000 full-batch updates did the "
    "loss go up? (within 5%)",
    _rises_at_one, rel_tol=0.05,
    hints=[(0, "that holds on a bowl below 2/lambda (lesson 02); this loss is "
               "no bowl. Read the loss plot's label or the readout.")],
    hint="the readout counts them: 'yet it rose at ... updates'.",
    explain="over 40% of the updates raise the loss, yet it still falls overall.",
))
