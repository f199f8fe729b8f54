"""Lesson 04 exercises: noise and the loss floor."""

from ...exercises import Exercise, register
from ...problems import Quadratic
from ...readouts import grid_index, lr_grid
from .analysis import minibatch_floors, noise_floor, noisy_sweep, settled_reference

#: The mini-batch panel's rate grid (see lrcourse.lessons.lesson04.panels).
_NET = (-2.5, 0.0, 0.125)


def _floor_ratio():
    return noise_floor(0.05, 1.0, 1.0) / noise_floor(0.1, 1.0, 1.0)


def _batch_ratio():
    model, X, y = settled_reference(seed=0)
    grid = lr_grid(*_NET)
    i = grid_index(0.1, _NET[0], _NET[2], len(grid))
    small = minibatch_floors(model, X, y, grid[i:i + 1], 10, seed=1)
    large = minibatch_floors(model, X, y, grid[i:i + 1], 50, seed=1)
    return float(large.excess[0] / small.excess[0])


def rise_share(lr=0.1, noise=1.0, seed=0):
    """The share of updates after which the noisy bowl's loss went up, once
    it hovers (lambda = 1, second half of 2,000 updates, 16 runs)."""
    run = noisy_sweep(Quadratic(1.0), [lr], 2000, 2.0, noise=noise, rng=seed,
                      runs=16)
    return float(run.rise_fraction()[0])


def _rise_choice():
    share = rise_share()
    return "a" if share < 0.02 else ("b" if share < 0.25 else "c")


register(Exercise(
    "04.1",
    "Noisy bowl, lambda = 1: lowering the rate from 0.1 to 0.05 shrinks the loss "
    "floor by what factor (new floor / old floor)? (to 1 significant figure)",
    _floor_ratio, sig_figs=1,
    hints=[(0.25, ("each kick is lr x noise, so its square goes with lr^2; but a "
                   "smaller rate also pulls back more slowly, so the kicks pile up "
                   "over about 1/(lr x lambda) updates: lr^2 / lr = lr.")),
           (2.0, "the floor shrinks: give the new floor divided by the old one."),
           (0.707, ("the loss goes with the square of the distance; the spread of "
                    "w shrinks by about sqrt(2), so the loss by about 2."))],
    hint="read the theory floor at 0.1 and at 0.0501 in the panel and divide.",
    explain="floor = lr sigma^2 / (2 (2 - lr lambda)): 0.0128 / 0.0263 = 0.487.",
))
register(Exercise(
    "04.2",
    "Drug-trial network, plain SGD at lr 0.1: raising the batch size from 10 to 50 "
    "multiplies the floor's rise above the start by what factor? (within 30%)",
    _batch_ratio, rel_tol=0.3,
    hints=[(5.0, "a larger batch lowers the floor: the factor is below 1."),
           (9.0, "a larger batch lowers the floor: the factor is below 1."),
           (0.447, ("the noise's standard deviation shrinks by sqrt(5), but the "
                    "floor goes with its square, the variance, and more.")),
           (0.2, ("that is the rule of thumb 'floor ~ 1/batch size'; the panel's "
                  "measured floors differ from it: read them.")),
           (1.0, "move the batch-size slider: the floors differ.")],
    hint="read 'from the start' at batch size 10 and at 50 (lr 0.1) and divide.",
    explain=("averaging 5 times more samples cuts the gradient noise's variance "
             "by 5 (a factor 0.2); on this network the floor's rise falls further "
             "still, to about a ninth."),
))
register(Exercise(
    "04.3",
    "Noisy bowl (lambda = 1, sigma = 1, lr = 0.1), once the loss hovers at its "
    "floor: after what share of updates does the loss go UP? "
    "(a) none: a step downhill always lowers it (b) about 1 in 10 "
    "(c) about half",
    _rise_choice, choices=("a", "b", "c"),
    hints=[("a", ("without noise, yes (even while oscillating, lesson 02); with "
                  "noise, each step follows a noisy gradient. Look at the "
                  "panel's readout.")),
           ("b", "count again in the panel's readout: it is far more.")],
    hint="the panel's readout says how often the loss rose.",
    explain="at the floor the pull down and the noise's kicks balance: about half.",
))
