"""Lesson 08 panel: the schedule composer (rate curve beside the training result)."""

import ipywidgets as W
import numpy as np

from ...plotting import PALETTE, live_figure
from ...widgets import Panel, int_slider, log_slider, pre, readout
from .analysis import KINDS, compose, composer_readout

#: The peak-rate slider's grid: 10 ** (-2 + 0.1 i), from 0.01 to about 3.16.
LR_MIN, LR_MAX, LR_STEP = -2.0, 0.5, 0.1

#: Loss axis limits (log scale), fixed so runs can be compared by eye.
LOSS_LO, LOSS_HI = 1e-4, 1e3

KIND_LABELS = {
    "constant": "constant",
    "step_decay": "step decay",
    "exponential_decay": "exponential",
    "cosine_decay": "cosine",
    "one_cycle": "one-cycle",
}


def composer_panel(kind="cosine_decay", lr=0.1, warmup_steps=0, steps=300,
                   curvature=1.0, noise=1.0, start=5.0, seed=0):
    """The schedule composer: pick a kind, a peak rate and a warm-up length.

    Left: the rate at every update. Right: SGD on a noisy bowl with that
    schedule (one seeded run, the exact expected loss, the noise floor of
    the current rate, and the floor a constant peak rate would keep).
    Controls ``kind``, ``lr`` and ``warmup`` act on release.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    controls = {
        "kind": W.Dropdown(options=[(KIND_LABELS[k], k) for k in KINDS], value=kind,
                           description="schedule kind",
                           style={"description_width": "initial"},
                           layout=W.Layout(width="320px")),
        "lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP, description="peak learning rate",
                         continuous_update=False),
        "warmup": int_slider(warmup_steps, 0, 150, "warm-up length (updates)",
                             "lr-warmup", continuous_update=False, step=10),
    }
    controls["kind"].add_class("lr-kind")
    controls["kind"].add_class("lr-control")

    fig, (ax_rate, ax_loss) = live_figure(width=10.5, height=3.9)
    ax_rate.set_xlim(0, steps)
    ax_rate.set_xlabel("update k")
    ax_rate.set_ylabel("learning rate")
    (rate_line,) = ax_rate.plot([], [], color=PALETTE["blue"], lw=2.2)
    limit_line = ax_rate.axhline(2.0 / curvature, color=PALETTE["vermillion"],
                                 linestyle=":", lw=1.8)
    limit_text = ax_rate.text(0.98 * steps, 2.0 / curvature,
                              f"2/\N{GREEK SMALL LETTER LAMDA} = {2.0 / curvature:g}",
                              ha="right", va="bottom", fontsize=12,
                              color=PALETTE["vermillion"])
    rate_title = ax_rate.set_title("")

    ax_loss.set_yscale("log")
    ax_loss.set_xlim(0, steps)
    ax_loss.set_ylim(LOSS_LO, LOSS_HI)
    ax_loss.set_autoscale_on(False)
    ax_loss.set_xlabel("update k")
    ax_loss.set_ylabel("loss (log scale)")
    (run_line,) = ax_loss.plot([], [], color=PALETTE["sky"], lw=0.8,
                               label=f"one run (seed {seed})")
    (floor_line,) = ax_loss.plot([], [], color=PALETTE["orange"], lw=2.0,
                                 linestyle="--", label="floor of the current rate")
    (mean_line,) = ax_loss.plot([], [], color=PALETTE["black"], lw=2.2,
                                label="expected loss")
    (peak_line,) = ax_loss.plot([], [], color=PALETTE["purple"], lw=1.6,
                                linestyle="-.", label="constant peak rate")
    ax_loss.legend(loc="upper right", fontsize=11, framealpha=0.9)
    loss_title = ax_loss.set_title("")
    fig.tight_layout()

    text = readout()
    k_all = np.arange(steps + 1)

    def clip(values):
        v = np.asarray(values, dtype=float)
        return np.clip(np.where(np.isfinite(v), v, LOSS_HI * 2), LOSS_LO, LOSS_HI * 2)

    def update(panel):
        text.value = pre("training...")
        run = compose(controls["kind"].value, lr=controls["lr"].value,
                      warmup_steps=controls["warmup"].value, steps=steps,
                      curvature=curvature, noise=noise, start=start, seed=seed)
        rates = run.rates
        rate_line.set_data(np.arange(steps), rates)
        top = max(float(rates.max()), 1e-12) * 1.12
        ax_rate.set_ylim(0, top)
        limit_line.set_visible(2.0 / curvature <= top)
        limit_text.set_visible(2.0 / curvature <= top)
        rate_title.set_text(f"{KIND_LABELS[run.kind]}, peak {run.lr:.3g}")
        losses = run.trace.losses
        run_line.set_data(np.arange(len(losses)), clip(losses))
        mean_line.set_data(k_all, clip(run.expected))
        floor_line.set_data(np.arange(1, steps + 1), clip(run.floors))
        peak_line.set_data([0, steps], clip([run.peak_floor] * 2))
        if run.diverged_at is not None:
            loss_title.set_text(f"diverged at update {run.diverged_at}")
        else:
            loss_title.set_text(f"expected final loss {run.final_expected:.2g}")
        panel.composer_run = run
        message = composer_readout(run)
        text.value = pre(message)
        return message

    panel = Panel(None, controls, update, fig=fig,
                  title="Lesson 08: the schedule composer")
    panel.layout = W.VBox([
        W.HBox([controls["kind"]]), controls["lr"], controls["warmup"],
        fig.canvas, text,
    ])
    panel.update()
    return panel
