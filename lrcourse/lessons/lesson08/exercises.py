"""Lesson 08 exercises: schedules, and changing the rate mid-training."""

from ...data import MinMaxScaler, make_drug_trial
from ...exercises import Exercise, register
from ...model import reference_model
from ...optimizers import Adam
from ...schedules import cosine_decay
from .analysis import compose

#: The re-compiling experiment of the lesson: Adam at this rate, full batch on
#: the first SUBSET training samples, BEFORE updates, then one more update.
RECOMPILE_LR, SUBSET, BEFORE = 0.01, 420, 300


def _cosine_at_25():
    return cosine_decay(0.01, decay_steps=100)(25)


def _composer_ratio():
    constant = compose("constant", lr=1.0, warmup_steps=0, steps=300)
    cosine = compose("cosine_decay", lr=1.0, warmup_steps=0, steps=300)
    return constant.final_expected / cosine.final_expected


def recompile_first_updates(lr=RECOMPILE_LR, subset=SUBSET, before=BEFORE, after=1):
    """Norm of the first update after ``before`` full-batch updates, when
    training simply continues and when the model is re-compiled first."""
    (x, y), _ = make_drug_trial(seed=0)
    X = MinMaxScaler().fit_transform(x)[:subset]
    y = y[:subset]
    out = {}
    for mode in ("kept", "recompiled"):
        model = reference_model(seed=0, lr=lr)
        model.fit(X, y, batch_size=subset, epochs=before, seed=0)
        if mode == "recompiled":
            model.compile(optimizer=Adam(learning_rate=lr),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        out[mode] = float(model.fit(X, y, batch_size=subset,
                                    epochs=after).trace.update_norms[0])
    return out


def _recompile_ratio():
    norms = recompile_first_updates()
    return norms["recompiled"] / norms["kept"]


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
    "In the lesson's full-batch run (Adam, lr 0.01, 300 updates), how many times "
    "larger is the first update after re-compiling than the first update when "
    "training simply continues (ratio of their norms)? (within 10%)",
    _recompile_ratio, rel_tol=0.1,
    hints=[(1.0, ("re-compiling is not harmless: a new Adam has no moments, so "
                  "its first update moves each weight by about lr again.")),
           (0.125, ("that is kept divided by re-compiled; divide the re-compiled "
                    "norm by the kept one."))],
    hint="divide the norm of the first update after compile by the norm of the "
         "first update of the run that kept its optimizer.",
    explain="a fresh Adam's first update is about lr in every weight with a "
            "gradient; the kept Adam had slowed to a fraction of that.",
))
