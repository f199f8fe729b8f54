"""Lesson 10 exercises: WSD in the river valley, AdamW's decay, batch size."""

from ...exercises import Exercise, register
from ...readouts import lr_grid
from .analysis import valley_run

#: Exercise 10.1's setting: the valley panel's notch at 0.316, decay from 600.
PEAK_10_1 = float(lr_grid(-1.5, 0.2, 0.1)[10])
START_10_1 = 600
#: Exercise 10.2: Keras' AdamW rate and default weight decay, updates.
LR_10_2, DECAY_10_2, UPDATES_10_2 = 0.01, 0.004, 1000


def _wsd_final(kind="wsd"):
    return valley_run(PEAK_10_1, START_10_1).final(kind)


def _kept_fraction():
    return (1.0 - LR_10_2 * DECAY_10_2) ** UPDATES_10_2


register(Exercise(
    "10.1",
    "[panel] In the river-valley panel, set the peak rate to 0.316 and let WSD's "
    "decay start at update 600: WSD's expected loss after 1000 updates? "
    "(within 2%)",
    _wsd_final, rel_tol=0.02,
    hints=[(_wsd_final("constant"), "that is the constant rate's loss; read the "
                                    "warmup-stable-decay line."),
           (_wsd_final("cosine"), "that is cosine decay's loss; read the "
                                  "warmup-stable-decay line.")],
    hint="move both sliders, then read 'warmup-stable-decay: expected loss after "
         "1000 updates' in the readout.",
    explain="below the constant rate's floor and below cosine: the high rate ran "
            "along the valley, and the decay removed the bounce across it.",
))
register(Exercise(
    "10.2",
    "Keras' AdamW(learning_rate=0.01, weight_decay=0.004): a weight whose "
    "gradient stays 0 starts at 1. What is it after 1000 updates? (to 3 "
    "significant figures)",
    _kept_fraction, sig_figs=3,
    hints=[*[(wrong, "that shrinks by weight_decay per update; AdamW shrinks by "
                     "lr x weight_decay: the decay is multiplied by the rate.")
             for wrong in ((1 - DECAY_10_2) ** UPDATES_10_2, 0.018)],
           (0.9512, "that is 500 updates at lr 0.001 with weight_decay 0.1, the "
                    "lesson's example; here the rate, the decay and the number "
                    "of updates differ."),
           (1 - DECAY_10_2, "that is one update without the rate; AdamW "
                            "multiplies each weight by (1 - lr x weight_decay) at "
                            "every one of the 1000 updates.")],
    hint="each update multiplies the weight by (1 - lr x weight_decay).",
    explain="(1 - 0.01 x 0.004)^1000 = 0.961: with Keras' default decay a "
            "weight loses only 4% in 1000 updates at this rate.",
))
register(Exercise(
    "10.3",
    "Adam trains well at lr 0.001 with batch size 64. You move to batch size 256. "
    "By the square-root rule, which rate do you try first? (within 1%)",
    0.002, rel_tol=0.01,
    hints=[(0.004, "that is the linear rule, made for SGD; Adam's rate grows "
                   "about as the square root of the batch size."),
           (0.001, "the rate does move with the batch size: a larger batch has "
                   "less noise, so it affords a larger rate.")],
    hint="multiply the rate by the square root of the batch size's ratio.",
    explain="sqrt(256 / 64) = 2, so 0.002; then check it with a short sweep.",
))
