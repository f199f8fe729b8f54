"""Re-compiling a model to change its rate: what Adam loses.

Two copies of the reference network train full batch with Adam for
``before`` updates; then one trains on with the same optimizer, the other
is compiled again with a fresh ``Adam`` at the same rate (moments and update
count back to zero), and both train ``after`` more updates. The lesson reads
the size of the updates around the switch and the loss.

>>> from lrcourse import MinMaxScaler, make_drug_trial
>>> (ages, labels), _ = make_drug_trial(seed=0)
>>> X = MinMaxScaler().fit_transform(ages)[:60]
>>> switch = recompile_experiment(X, labels[:60], before=20, after=5)
>>> switch.first_update("recompiled") > switch.first_update("kept")
True
"""

import numpy as np

from ..._validate import check_choice, check_count, check_positive
from ...model import reference_model
from ...optimizers import Adam

MODES = ("kept", "recompiled")


class RecompileExperiment:
    """The two runs around the switch.

    Attributes:
        lr: Adam's rate (before and after the switch).
        before, after: for each mode (``"kept"``, ``"recompiled"``) the
            history of ``fit`` before and after the switch.
        weights_moved: for each mode, ``|change|`` of every weight at the first
            update after the switch.
    """

    def __init__(self, lr, before, after, weights_moved):
        self.lr, self.before, self.after = lr, before, after
        self.weights_moved = weights_moved

    def _mode(self, mode):
        return check_choice("mode", mode, MODES)

    def first_update(self, mode):
        """Norm of the first update after the switch."""
        return float(self.after[self._mode(mode)].trace.update_norms[0])

    def last_update_before(self, mode):
        """Norm of the last update before the switch."""
        return float(self.before[self._mode(mode)].trace.update_norms[-1])

    def moved_about_lr(self, mode, share=0.9):
        """How many weights the first update after the switch moved by more
        than ``share`` x lr."""
        return int(np.sum(self.weights_moved[self._mode(mode)] > share * self.lr))

    def losses_after(self, mode):
        """The loss before each update after the switch (the first is the
        loss at the switch)."""
        return self.after[self._mode(mode)].trace.losses


def recompile_experiment(X, y, lr=0.01, before=300, after=100, seed=0):
    """Train, then keep the optimizer or re-compile; see the module text.

    Every update uses all of ``X`` (full batch), so the two copies are
    identical up to the switch.
    """
    lr = check_positive("lr", lr)
    before = check_count("before", before)
    after = check_count("after", after, minimum=2)
    runs = {"before": {}, "after": {}, "moved": {}}
    for mode in MODES:
        model = reference_model(seed=seed, lr=lr)
        runs["before"][mode] = model.fit(X, y, batch_size=len(y), epochs=before,
                                         seed=seed)
        if mode == "recompiled":
            model.compile(optimizer=Adam(learning_rate=lr),
                          loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])
        history = model.fit(X, y, batch_size=len(y), epochs=after,
                            snapshot_every=1)
        snapshots = history.trace.snapshots
        runs["after"][mode] = history
        runs["moved"][mode] = np.abs(snapshots[1] - snapshots[0])
    return RecompileExperiment(lr, runs["before"], runs["after"], runs["moved"])


def recompile_readout(switch, window=10):
    """Two lines per mode: update sizes around the switch and the loss."""
    lines = []
    for mode in MODES:
        losses = switch.losses_after(mode)
        last = switch.last_update_before(mode)
        lines += [
            f"{mode:>10}: update norm, last before {last:.4f},"
            f" first after {switch.first_update(mode):.4f}; "
            f"{switch.moved_about_lr(mode)} weights moved by > 0.9 lr",
            f"{'':>10}  loss at the switch {losses[0]:.4f}, highest in the next "
            f"{window} updates {losses[:window].max():.4f}, "
            f"{len(losses) - 1} updates later {losses[-1]:.4f}",
        ]
    return "\n".join(lines)
