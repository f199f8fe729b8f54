"""Lesson 05 panels: the reference network trained at any rate, and the
inspector that follows one weight through its updates."""

import html

import ipywidgets as W
import numpy as np

from ...plotting import PALETTE, Blitter, live_figure
from ...readouts import lr_grid
from ...widgets import Panel, int_slider, log_slider, pre, readout
from .analysis import (
    OPTIMIZERS,
    WEIGHT_SHAPES,
    inspector_readout,
    rate_sweep,
    replay,
    training_readout,
)
from .figures import (
    OUTCOME_STYLE,
    clip_loss,
    inspector_limits,
    setup_accuracy_axes,
    setup_loss_axes,
    setup_rates_axes,
)

#: The rate grid of both panels: 10 ** (-5 + 0.25 i), from 1e-5 to 10.
LR_MIN, LR_MAX, LR_STEP = -5.0, 1.0, 0.25
EPOCHS = 30


def grid_rate(lr):
    """The slider-grid value nearest ``lr`` (what the slider will show)."""
    grid = lr_grid(LR_MIN, LR_MAX, LR_STEP)
    return float(grid[np.argmin(np.abs(np.log10(grid) - np.log10(lr)))])


def _optimizer_toggle(value):
    if value not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, "
                         f"got {value!r}")
    toggle = W.ToggleButtons(
        options=[(label, key) for key, label in OPTIMIZERS.items()], value=value,
        description="optimizer", style={"description_width": "initial"},
        tooltips=["plain mini-batch SGD: change = -lr x gradient",
                  "Adam: change of about lr per update, whatever the gradient"])
    toggle.add_class("lr-optimizer")
    toggle.add_class("lr-control")
    return toggle


def _sweep(optimizer):
    return rate_sweep(optimizer, LR_MIN, LR_MAX, LR_STEP, EPOCHS)


def training_panel(lr=0.1, epochs=30, optimizer="sgd"):
    """The reference network on the trial data, at any rate of the grid.

    Every rate of the slider's grid is trained once, from identical initial
    weights and batches, when the panel is built (Adam's the first time it is
    chosen); moving a slider then only looks the result up. Controls:
    ``optimizer`` ("sgd" or "adam"), ``lr`` and ``epochs`` (1-30).
    """
    if not (isinstance(epochs, int) and 1 <= epochs <= EPOCHS):
        raise ValueError(f"epochs must be an integer in 1..{EPOCHS}, got {epochs!r}")
    controls = {
        "optimizer": _optimizer_toggle(optimizer),
        "lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP),
        "epochs": int_slider(epochs, 1, EPOCHS, "epochs", "lr-epochs"),
    }
    fig, (ax_loss, ax_acc, ax_rates) = live_figure(width=12.0, height=3.9, ncols=3)
    sweep = _sweep(optimizer)
    setup_loss_axes(ax_loss, EPOCHS)
    setup_accuracy_axes(ax_acc, EPOCHS)
    setup_rates_axes(ax_rates, sweep)
    (loss_line,) = ax_loss.plot([], [], lw=1.8, markersize=4, markevery=5)
    (acc_line,) = ax_acc.plot([], [], lw=1.8, markersize=4, markevery=5)
    (loss_now,) = ax_loss.plot([], [], "o", ms=11, mfc="none", mew=2.2,
                               color=PALETTE["black"])
    (acc_now,) = ax_acc.plot([], [], "o", ms=11, mfc="none", mew=2.2,
                             color=PALETTE["black"])
    (all_rates,) = ax_rates.plot([], [], color=PALETTE["grey"], lw=1.2)
    kinds = {kind: ax_rates.plot([], [], ls="none", ms=6, color=st["color"],
                                 marker=st["marker"], label=kind)[0]
             for kind, st in OUTCOME_STYLE.items() if kind != "diverged"}
    (rate_now,) = ax_rates.plot([], [], "o", ms=13, mfc="none", mew=2.2,
                                color=PALETTE["black"])
    ax_rates.legend(loc="upper left", fontsize=11, framealpha=0.9,
                    handletextpad=0.3, borderpad=0.3)
    label = ax_loss.text(0.03, 0.04, "", transform=ax_loss.transAxes, fontsize=12,
                         va="bottom")
    rates_label = ax_rates.text(0.97, 0.04, "", transform=ax_rates.transAxes,
                                fontsize=12, ha="right", va="bottom")
    ax_loss.set_title("loss per epoch")
    ax_acc.set_title("accuracy per epoch")
    ax_rates.set_title("every rate, same start")
    fig.tight_layout()
    text = readout()

    def update(panel):
        name = controls["optimizer"].value
        if panel.changed == "optimizer":
            text.value = pre(f"training every rate with {OPTIMIZERS[name]} "
                             "(once; about 2 s)...")
        sw = _sweep(name)
        rate = controls["lr"].value
        e_max = controls["epochs"].value
        i = sw.index(rate)
        kind, outcome = sw.outcome(i, e_max)
        style = OUTCOME_STYLE[kind]
        e = np.arange(e_max + 1)
        for line, values in ((loss_line, clip_loss(sw.loss[i, :e_max + 1])),
                             (acc_line, 100 * sw.accuracy[i, :e_max + 1])):
            line.set_data(e, values)
            line.set(color=style["color"], linestyle=style["linestyle"],
                     marker=style["marker"])
        loss_now.set_data([e_max], clip_loss([sw.loss[i, e_max]]))
        acc_now.set_data([e_max], [100 * sw.accuracy[i, e_max]])
        final = clip_loss(sw.loss[:, e_max])
        all_rates.set_data(sw.lrs, final)
        which = [sw.outcome(j, e_max)[0] for j in range(len(sw.lrs))]
        for k, line in kinds.items():
            mask = np.array([w == k for w in which])
            line.set_data(sw.lrs[mask], final[mask])
        rate_now.set_data([sw.lrs[i]], [final[i]])
        label.set_text(f"{OPTIMIZERS[name]}, lr = {sw.lrs[i]:.4g}: {kind}")
        rates_label.set_text(f"after epoch {e_max}")
        body = training_readout(sw, rate, e_max)
        text.value = pre(body)
        return body

    blitter = Blitter(fig, [loss_line, acc_line, loss_now, acc_now, all_rates,
                            *kinds.values(), rate_now, label, rates_label])
    panel = Panel(None, controls, update, fig=fig, blitter=blitter,
                  title="Lesson 05: the reference network at any rate")
    panel.layout = W.VBox([controls["optimizer"], controls["lr"], controls["epochs"],
                           fig.canvas, text])
    panel.update()
    return panel


def _weight_controls(weight):
    shape = WEIGHT_SHAPES[weight]
    rows = shape[0] - 1 if len(shape) == 2 else 0
    cols = shape[-1] - 1
    return rows, cols


def inspector_panel(optimizer="sgd", lr=0.1, weight="W2", row=2, col=5, update=1,
                    epochs=3):
    """Follow one weight through the seeded run, update by update.

    Changing the optimizer, rate or weight replays the first ``epochs`` epochs
    of the same run the training panel made (same initial weights, same
    batches) on release; the ``update`` slider then moves live. For a bias,
    ``col`` picks the unit and ``row`` is unused.
    """
    if weight not in WEIGHT_SHAPES:
        raise ValueError(f"weight must be one of {', '.join(WEIGHT_SHAPES)}, "
                         f"got {weight!r}")
    if not (isinstance(epochs, int) and 1 <= epochs <= 10):
        raise ValueError(f"epochs must be an integer in 1..10, got {epochs!r}")
    rows, cols = _weight_controls(weight)
    total = epochs * 210
    controls = {
        "optimizer": _optimizer_toggle(optimizer),
        "lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP, continuous_update=False),
        "weight": W.Dropdown(options=list(WEIGHT_SHAPES), value=weight,
                             description="weight array",
                             style={"description_width": "initial"}),
        "row": int_slider(min(row, rows), 0, rows, "row (input unit)", "lr-row",
                          continuous_update=False),
        "col": int_slider(min(col, cols), 0, cols, "column (unit)", "lr-col",
                          continuous_update=False),
        "update": int_slider(update, 1, total, "update", "lr-update"),
    }
    controls["weight"].add_class("lr-weight")
    controls["weight"].add_class("lr-control")
    play = W.Play(value=update, min=1, max=total, step=1, interval=400,
                  description="play the updates one at a time")
    play.add_class("lr-play")
    W.jslink((play, "value"), (controls["update"], "value"))

    fig, (ax_w, ax_c) = live_figure(width=11.0, height=3.6, ncols=2)
    ax_w.set_xlabel("update k")
    ax_c.set_xlabel("update k")
    for ax in (ax_w, ax_c):
        ax.set_xlim(-0.02 * total, 1.03 * total)
        ax.set_autoscale_on(False)
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3),
                            useMathText=True)
    (value_line,) = ax_w.plot([], [], color=PALETTE["blue"], lw=1.5)
    (value_now,) = ax_w.plot([], [], "o", ms=11, mfc="none", mew=2.2,
                             color=PALETTE["black"])
    (change_line,) = ax_c.plot([], [], color=PALETTE["blue"], lw=1.2,
                               label="applied change")
    (sgd_line,) = ax_c.plot([], [], color=PALETTE["orange"], lw=1.2, ls="--",
                            label="-lr x gradient")
    (change_now,) = ax_c.plot([], [], "o", ms=11, mfc="none", mew=2.2,
                              color=PALETTE["black"])
    ax_c.axhline(0.0, color=PALETTE["grey"], lw=1.0)
    ax_c.legend(loc="upper right", fontsize=11, framealpha=0.9)
    fig.tight_layout()
    text = readout()
    text.layout.min_height = "10em"
    state = {"quiet": False, "replay": None}

    def selected_index():
        w = controls["weight"].value
        if len(WEIGHT_SHAPES[w]) == 1:
            return (controls["col"].value,)
        return (controls["row"].value, controls["col"].value)

    def retrain():
        rep = replay(controls["optimizer"].value, controls["lr"].value,
                     controls["weight"].value, selected_index(), epochs=epochs)
        state["replay"] = rep
        k = np.arange(1, rep.updates + 1)
        value_line.set_data(k, rep.new)
        ax_w.set_ylim(*inspector_limits(np.concatenate([rep.old[:1], rep.new])))
        ax_w.set_ylabel(f"value of {rep.name}")
        change_line.set_data(k, rep.change)
        sgd_line.set_data(k, -rep.lrs * rep.grad)
        ax_c.set_ylim(*inspector_limits(np.concatenate(
            [rep.change, -rep.lrs * rep.grad])))
        ax_c.set_ylabel("change per update")
        ax_c.set_title(f"{OPTIMIZERS[rep.optimizer]}, lr = {rep.lr:.4g}")
        ax_w.set_title(f"{rep.name}: first {epochs} epochs of the seeded run")
        fig.tight_layout()
        fig.canvas.draw()  # new limits: one full redraw saves a new background

    def update_fn(panel):
        if state["quiet"]:
            return panel.readout_text
        changed = panel.changed
        if changed == "weight":
            state["quiet"] = True
            try:
                rows_now, cols_now = _weight_controls(controls["weight"].value)
                controls["row"].max = rows_now
                controls["col"].max = cols_now
                controls["row"].disabled = rows_now == 0
            finally:
                state["quiet"] = False
        if changed != "update" or state["replay"] is None:
            text.value = pre("training... (replaying the seeded run)")
            retrain()
        rep = state["replay"]
        k = controls["update"].value
        j = k - 1
        value_now.set_data([k], [rep.new[j]])
        change_now.set_data([k], [rep.change[j]])
        body = inspector_readout(rep, k)
        text.value = pre(body)
        return body

    blitter = Blitter(fig, [value_now, change_now])
    panel = Panel(None, controls, update_fn, fig=fig, blitter=blitter,
                  title="Lesson 05: the weight inspector")
    note = W.HTML("<span>Rate, optimizer and weight apply on release (each "
                  f"replays {epochs} epochs, {total} updates); the update slider "
                  f"and {html.escape('▶')} move live.</span>")
    panel.layout = W.VBox([
        controls["optimizer"], controls["lr"],
        W.HBox([controls["weight"]]), controls["row"], controls["col"],
        W.HBox([play, controls["update"]]), note, fig.canvas, text])
    panel.update()
    return panel
