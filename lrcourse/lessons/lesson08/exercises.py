"""Lesson 08 exercises: schedules, and changing the rate mid-training."""

from ...data import MinMaxScaler, make_drug_trial
from ...exercises import Exercise, register
from ...schedules import cosine_decay
from .analysis import compose
from .recompile import recompile_experiment

#: Exercise 08.3: the lesson's re-compiling run (Adam, this rate, full batch
#: on the first SUBSET training samples), switched after BEFORE updates
#: instead of the lesson's LESSON_BEFORE.
RECOMPILE_LR, SUBSET, BEFORE, LESSON_BEFORE = 0.01, 420, 100, 300


def _cosine_at_25():
    return cosine_decay(0.01, decay_steps=100)(25)


def _composer_ratio():
    constant = compose("constant", lr=1.0, warmup_steps=0, steps=300)
    cosine = compose("cosine_decay", lr=1.0, warmup_steps=0, steps=300)
    return constant.final_expected / cosine.final_expected


def recompile_ratio(before=BEFORE, lr=RECOMPILE_LR, subset=SUBSET):
    """First update after re-compiling over the first update of the run that
    kept its optimizer, the switch after ``before`` full-batch updates."""
    (x, y), _ = make_drug_trial(seed=0)
    X = MinMaxScaler().fit_transform(x)[:subset]
    switch = recompile_experiment(X, y[:subset], lr=lr, before=before, after=2)
    return switch.first_update("recompiled") / switch.first_update("kept")


register(Exercise(
    "08.1",
    "Cosine decay from 0.01 to 0 over 100 epochs (one rate per epoch, counted "
    "from 0): the rate at epoch 25? (within 1%)",
    _cosine_at_25, rel_tol=0.01,
    hints=[(0.0075, ("that is a straight line from 0.01 to 0. The cosine falls "
                     "slowly at first: lr x (1 + cos(pi x 25/100)) / 2.")),
           (0.0070711, ("that is 0.01 x cos(pi/4). The schedule is half a cosine "
                        "lifted to stay >= 0: lr x (1 + cos(pi t/T)) / 2."))],
    hint="the rate at epoch t is 0.01 x (1 + cos(pi x t / 100)) / 2.",
    explain="(1 + cos(pi/4)) / 2 = 0.8536: a quarter of the way in, the cosine "
            "has given up only 15% of the rate.",
))
register(Exercise(
    "08.2",
    "Composer, peak rate 1, no warm-up, 300 updates: how many times lower is the "
    "expected final loss with cosine decay than with a constant rate? (within 5%)",
    _composer_ratio, rel_tol=0.05,
    hints=[(1 / 55.8, ("that is cosine divided by constant; the question asks how "
                       "many times lower, so divide the constant's loss by the "
                       "cosine's.")),
           (1.0, ("a constant rate hovers at its noise floor; read the expected "
                  "final loss for both kinds in the readout.")),
           (196.0, ("that compares two single seeded runs, which scatter; use the "
                    "readout's exact 'expected loss after 300 updates'."))],
    hint="read 'expected loss after 300 updates' for cosine and for constant, "
         "then divide constant by cosine.",
    explain="the constant rate stays on its floor (0.5); cosine lowers the floor "
            "as the rate falls, ending about 56 times lower.",
))
register(Exercise(
    "08.3",
    "Re-compile after 100 full-batch updates instead of 300 (Adam, lr 0.01, "
    "recompile_experiment(X420, y420, before=100)): how many times larger is the "
    "first update after re-compiling than the first update of the run that kept "
    "its optimizer (ratio of their norms)? (within 10%)",
    lambda: recompile_ratio(BEFORE), rel_tol=0.1,
    hints=[(8.06, ("that is the lesson's run, switched after 300 updates; run "
                   "the experiment again with before=100.")),
           (1.0, ("re-compiling is not harmless: a new Adam has no moments, so "
                  "its first update moves each weight by about lr again.")),
           (0.2, ("that is kept divided by re-compiled; divide the re-compiled "
                  "norm by the kept one."))],
    hint="run recompile_experiment(X420, y420, before=100) and divide the "
         "re-compiled run's first update norm by the kept run's.",
    explain="about 5: after 100 updates the kept Adam still moves each weight "
            "by about 0.17 lr (root mean square), more than after 300 updates, "
            "so a fresh Adam's lr-sized update is fewer times larger (8 there).",
))
