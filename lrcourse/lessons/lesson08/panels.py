"""Lesson 08 panel: the schedule composer (rate curve beside the training result)."""

import ipywidgets as W

from ...widgets import Panel, control, int_slider, log_slider
from .analysis import KINDS, Composer, composer_readout
from .figures import KIND_LABELS, ComposerView

#: The peak-rate slider's grid: 10 ** (-2 + 0.1 i), from 0.01 to about 3.16.
LR_MIN, LR_MAX, LR_STEP = -2.0, 0.5, 0.1


def composer_panel(kind="cosine_decay", lr=0.1, warmup_steps=0, steps=300,
                   curvature=1.0, noise=1.0, start=5.0, seed=0):
    """The schedule composer: pick a kind, a peak rate and a warm-up length.

    Left: the rate at every update. Right: SGD on a noisy bowl with that
    schedule (one seeded run, the exact expected loss, the noise floor of
    the current rate, and the floor a constant peak rate would keep).
    Controls ``kind``, ``lr`` and ``warmup`` act on release; ``panel.result``
    is the ``ComposerRun`` shown.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    controls = {
        "kind": control(W.Dropdown, "lr-kind", width="320px",
                        options=[(KIND_LABELS[k], k) for k in KINDS], value=kind,
                        description="schedule kind"),
        "lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP, description="peak learning rate",
                         continuous_update=False),
        "warmup": int_slider(warmup_steps, 0, 150, "warm-up length (updates)",
                             "lr-warmup", continuous_update=False, step=10),
    }

    def layout(p):
        c = p.widgets
        return W.VBox([W.HBox([c["kind"]]), c["lr"], c["warmup"], p.fig.canvas,
                       p.readout_widget])

    return Panel(title="Lesson 08: the schedule composer", controls=controls,
                 compute=Composer(steps, curvature, noise, start, seed),
                 view=ComposerView(steps, curvature, seed), readout=composer_readout,
                 cache=True, layout=layout, busy="training...")
