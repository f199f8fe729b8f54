"""Lesson 07 panels: a sweep with a batch-size slider, and the range test
with a button that trains with a suggested rate."""

import html

import ipywidgets as W
import numpy as np

from ...model import reference_model
from ...plotting import PALETTE, Blitter, live_figure
from ...readouts import grid_index, lr_grid
from ...widgets import Panel, log_slider, pre, readout
from .analysis import (
    SWEEP_GRID,
    TrialSplit,
    range_test,
    run_outcomes,
    sweep_on_split,
)
from .figures import (
    LOSS_HI,
    LOSS_LO,
    RULE_NAME,
    RULE_STYLE,
    SWEEP_TOP,
    draw_range_test,
    pin,
    setup_sweep_axes,
)

#: The sweep panel's rate grid: 10 ** (-3 + 0.2 i), from 0.001 to about 3.98.
LR_MIN, LR_MAX, LR_STEP = SWEEP_GRID
#: The batch sizes the sweep panel precomputes (the reference network uses 10).
BATCH_SIZES = (5, 10, 20, 40, 80, 160, 320)
REFERENCE_BATCH = 10
#: Rates whose validation loss is within this of the best count as near-best.
NEAR_BEST = 0.02


def near_best_band(lrs, val_loss, within=NEAR_BEST):
    """``(lowest, highest)`` rate whose final validation loss is within
    ``within`` of the best one."""
    v = np.asarray(val_loss, dtype=float)
    ok = np.flatnonzero(np.isfinite(v) & (v <= np.nanmin(v) + within))
    return float(lrs[ok.min()]), float(lrs[ok.max()])


def sweep_readout(lrs, sweeps, outcomes, batch_size, lr, n_train, epochs, optimizer):
    """The sweep panel's text for one batch size and rate (numbers only)."""
    h = sweeps[batch_size]
    i = grid_index(lr, LR_MIN, LR_STEP, len(lrs))
    v = h["val_loss"][:, -1]
    acc = h["val_accuracy"][:, -1]
    per_epoch = -(-n_train // batch_size)
    name = {"sgd": "plain SGD", "adam": "Adam"}.get(optimizer, optimizer)
    lines = [f"batch size {batch_size}: {per_epoch} updates per epoch, "
             f"{per_epoch * epochs} in {epochs} epochs ({name})"]
    what = outcomes[batch_size][i]
    if what.startswith("diverged"):
        lines.append(f"lr = {lrs[i]:.3g}: {what}")
    else:
        lines.append(f"lr = {lrs[i]:.3g}: final validation loss {v[i]:.4f}, "
                     f"accuracy {100 * acc[i]:.1f}%  ({what})")
    b = int(np.nanargmin(v))
    lo, hi = near_best_band(lrs, v)
    lines.append(f"best rate at batch size {batch_size}: {lrs[b]:.3g} "
                 f"(validation loss {v[b]:.4f}); within {NEAR_BEST:g} of it: "
                 f"{lo:.3g} to {hi:.3g}")
    ref = sweeps[REFERENCE_BATCH]["val_loss"][:, -1]
    r = int(np.nanargmin(ref))
    if batch_size == REFERENCE_BATCH:
        lines.append(f"(batch size {REFERENCE_BATCH} is the reference run: the "
                     "dashed grey curve)")
    else:
        lines.append(f"the rate best at batch size {REFERENCE_BATCH}, {lrs[r]:.3g}, "
                     f"gives {v[r]:.4f} here")
    return "\n".join(lines)


def sweep_panel(lr=0.1, batch_size=10, epochs=5, optimizer="sgd", seed=0,
                batch_sizes=BATCH_SIZES):
    """Final validation loss against rate, with a batch-size slider.

    Every run starts from the reference network's seeded weights and sees the
    same shuffled batches; ``batch_sizes`` are precomputed on the slider's
    grid with one vectorized ``sweep_fit`` pass each. Controls: ``lr`` and
    ``batch_size``.
    """
    if batch_size not in batch_sizes or REFERENCE_BATCH not in batch_sizes:
        raise ValueError(f"batch_size must be one of {tuple(batch_sizes)}, "
                         f"got {batch_size!r}")
    data = TrialSplit(seed=seed)
    lrs = lr_grid(LR_MIN, LR_MAX, LR_STEP)
    model = reference_model(seed=0)
    sweeps, outcomes = {}, {}
    for bs in batch_sizes:
        sweeps[bs] = sweep_on_split(data, lrs, bs, optimizer=optimizer, epochs=epochs,
                                    seed=seed)
        outcomes[bs] = run_outcomes(sweeps[bs], model, data.X_train,
                                    data.validation_data)

    controls = {
        "lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP, fmt=".3g"),
        "batch_size": W.SelectionSlider(
            options=list(batch_sizes), value=batch_size, description="batch size",
            continuous_update=True, style={"description_width": "initial"},
            layout=W.Layout(width="560px")),
    }
    controls["batch_size"].add_class("lr-batch")
    controls["batch_size"].add_class("lr-control")

    fig, (ax_u, ax_e) = live_figure(width=10.5, height=4.0)
    setup_sweep_axes(ax_u, LR_MIN - 0.1, LR_MAX + 0.1)
    ref = sweeps[REFERENCE_BATCH]["val_loss"][:, -1]
    ax_u.plot(lrs, pin(ref, SWEEP_TOP), color=PALETTE["grey"], ls="--", lw=1.5,
              label=f"batch size {REFERENCE_BATCH}")
    (curve,) = ax_u.plot([], [], "o-", color=PALETTE["blue"], markersize=5, lw=1.5,
                         label="this batch size")
    (best,) = ax_u.plot([], [], "*", markersize=17, color=PALETTE["blue"],
                        mec=PALETTE["black"], zorder=5, label="best rate")
    (ring,) = ax_u.plot([], [], "o", markersize=14, mfc="none", mew=2.5,
                        color=PALETTE["black"], zorder=6)
    ax_u.legend(loc="upper center", fontsize=12, framealpha=0.9, ncol=2,
                handlelength=1.5, columnspacing=0.8)
    ax_e.set_xlim(0.8, epochs + 0.2)
    ax_e.set_ylim(LOSS_LO, LOSS_HI)
    ax_e.set_autoscale_on(False)
    ax_e.set_xticks(range(1, epochs + 1))
    ax_e.set_xlabel("epoch")
    ax_e.set_ylabel("loss")
    ep = np.arange(1, epochs + 1)
    (val_line,) = ax_e.plot([], [], "o-", color=PALETTE["vermillion"], lw=2,
                            label="validation")
    (train_line,) = ax_e.plot([], [], "s--", color=PALETTE["blue"], lw=1.5,
                              label="training")
    ax_e.legend(loc="upper right", fontsize=12, framealpha=0.9)
    title = ax_e.text(0.03, 0.04, "", transform=ax_e.transAxes, fontsize=12,
                      va="bottom", ha="left")
    fig.tight_layout()
    text = readout()

    def update(panel):
        bs = controls["batch_size"].value
        h = sweeps[bs]
        i = grid_index(controls["lr"].value, LR_MIN, LR_STEP, len(lrs))
        v = h["val_loss"][:, -1]
        curve.set_data(lrs, pin(v, SWEEP_TOP))
        b = int(np.nanargmin(v))
        best.set_data([lrs[b]], [v[b]])
        ring.set_data([lrs[i]], [pin(v[i : i + 1], SWEEP_TOP)[0]])
        val_line.set_data(ep, pin(h["val_loss"][i]))
        train_line.set_data(ep, pin(h["loss"][i]))
        title.set_text(f"lr = {lrs[i]:.3g}, batch size {bs}")
        msg = sweep_readout(lrs, sweeps, outcomes, bs, controls["lr"].value,
                            len(data.y_train), epochs, optimizer)
        text.value = pre(msg)
        return msg

    blitter = Blitter(fig, [curve, best, ring, val_line, train_line, title])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 07: a learning-rate sweep and the batch size")
    panel.layout = W.VBox([controls["lr"], controls["batch_size"], fig.canvas, text])
    panel.data, panel.lrs, panel.sweeps, panel.outcomes = data, lrs, sweeps, outcomes
    panel.update()
    return panel


RULES = ("valley", "steep", "minimum_over_10", "minimum")


def train_with_rate(data, lr, *, epochs=5, batch_size=10, optimizer="adam", seed=0):
    """Train the reference network at one rate from its seeded weights and
    return the ``SweepHistory`` (validation loss per epoch)."""
    return sweep_on_split(data, [lr], batch_size, optimizer=optimizer, epochs=epochs,
                          seed=seed)


def range_readout(result, suggestions, rule, trained, epochs, batch_size):
    """The range-test panel's text."""
    lines = [
        f"range test: {result.optimizer}, batch size {result.batch_size}, rates "
        f"{result.lrs[0]:.3g} to {result.lrs[-1]:.3g}; {result.stop_reason}",
        "suggestions: " + ", ".join(
            f"{RULE_NAME[r]} {suggestions[r]:.3g}" for r in RULES),
        f"selected: {RULE_NAME[rule]} = {suggestions[rule]:.3g}"
        + ("" if rule in trained else "  (press 'Train with this rate')"),
    ]
    if trained:
        lines.append(f"trained ({epochs} epochs of {result.optimizer}, batch size "
                     f"{batch_size}, same initial weights):")
        for r in RULES:
            if r in trained:
                lines.append(f"  {RULE_NAME[r]:<11} lr {suggestions[r]:<8.3g} "
                             f"{trained[r]}")
    return "\n".join(lines)


def range_test_panel(rule="valley", batch_size=10, num_it=100, epochs=5, seed=0):
    """The range test on the training split, its suggestions marked, and a
    button that trains the reference network with the selected suggestion
    (Adam, from the same initial weights) and draws its validation loss.

    Controls: ``rule`` (which suggestion); ``panel.train()`` presses the
    button from code. The panel opens with ``rule``'s run already trained.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    data = TrialSplit(seed=seed)
    model = reference_model(seed=0)
    result = range_test(model, data.X_train, data.y_train, num_it=num_it,
                        batch_size=batch_size, seed=seed)
    suggestions = result.suggestions()
    points = result.suggestion_points()

    controls = {"rule": W.ToggleButtons(
        options=[(RULE_NAME[r], r) for r in RULES], value=rule,
        description="suggestion", style={"description_width": "initial"},
        tooltips=["halfway along the longest descent", "steepest descent",
                  "a tenth of the rate at the lowest loss",
                  "the rate at the lowest loss"])}
    controls["rule"].add_class("lr-rule")
    controls["rule"].add_class("lr-control")
    button = W.Button(description="Train with this rate", button_style="primary",
                      tooltip="train the network with the selected suggestion",
                      layout=W.Layout(width="220px"))
    button.add_class("lr-train")

    fig, (ax_r, ax_v) = live_figure(width=10.5, height=4.2)
    draw_range_test(ax_r, result)
    (ring,) = ax_r.plot([], [], "o", markersize=18, mfc="none", mew=2.5,
                        color=PALETTE["black"], zorder=6)
    ax_v.set_xlim(0.8, epochs + 0.2)
    ax_v.set_ylim(LOSS_LO, LOSS_HI)
    ax_v.set_autoscale_on(False)
    ax_v.set_xticks(range(1, epochs + 1))
    ax_v.set_xlabel("epoch")
    ax_v.set_ylabel("validation loss")
    ep = np.arange(1, epochs + 1)
    lines = {}
    for r in RULES:
        st = RULE_STYLE[r]
        (lines[r],) = ax_v.plot([], [], lw=2, markersize=7, label=RULE_NAME[r], **st)
    ax_v.legend(loc="upper right", fontsize=12, framealpha=0.9,
                title="trained with")
    fig.tight_layout()
    text = readout()
    trained = {}

    def update(panel):
        r = controls["rule"].value
        ring.set_data([points[r][0]], [min(points[r][1], 1.97)])
        if panel.changed == "train":
            text.value = pre(f"training with {RULE_NAME[r]} = {suggestions[r]:.3g} "
                             "...")
            h = train_with_rate(data, suggestions[r], epochs=epochs,
                                batch_size=batch_size, seed=seed)
            v = h["val_loss"][0]
            if h.diverged[0]:
                trained[r] = f"diverged at update {int(h.diverged_at[0])}"
            else:
                what = run_outcomes(h, model, data.X_train, data.validation_data)[0]
                trained[r] = f"final validation loss {v[-1]:.4f}" + (
                    "" if what == "trained" else f" ({what})")
            lines[r].set_data(ep, pin(v))
        msg = range_readout(result, suggestions, r, trained, epochs, batch_size)
        text.value = pre(msg)
        return msg

    blitter = Blitter(fig, [ring] + list(lines.values()))
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 07: the learning-rate range test")
    button.on_click(lambda _=None: panel._on_change("train"))
    panel.train = lambda: panel.update("train")
    panel.layout = W.VBox([
        W.HBox([controls["rule"], button]), fig.canvas, text,
        W.HTML(html.escape("Markers: the rules' suggestions on the smoothed loss; "
                           "the ring is the selected one.")),
    ])
    panel.result, panel.suggestions, panel.trained = result, suggestions, trained
    panel.data = data
    # open with the selected rule's run trained: the right plot is never
    # empty, not even in the saved PNG that readers without a kernel see
    panel.train()
    return panel
