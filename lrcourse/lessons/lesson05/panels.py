"""Lesson 05 panels: the reference network trained at any rate, and the
inspector that follows one weight through its updates."""

import html

import ipywidgets as W

from ...widgets import Panel, control, int_slider, log_slider
from .analysis import (
    OPTIMIZERS,
    WEIGHT_SHAPES,
    InspectorRuns,
    TrainingGrid,
    inspector_panel_readout,
    training_panel_readout,
)
from .figures import InspectorView, TrainingView

#: The rate grid of both panels: 10 ** (-5 + 0.25 i), from 1e-5 to 10.
LR_MIN, LR_MAX, LR_STEP = -5.0, 1.0, 0.25
EPOCHS = 30


def _optimizer_toggle(value):
    if value not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, "
                         f"got {value!r}")
    toggle = control(
        W.ToggleButtons, "lr-optimizer", width=None,
        options=[(label, key) for key, label in OPTIMIZERS.items()], value=value,
        description="optimizer",
        tooltips=["plain mini-batch SGD: change = -lr x gradient",
                  "Adam: change of about lr per update, whatever the gradient"])
    return toggle


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
    compute = TrainingGrid(LR_MIN, LR_MAX, LR_STEP, EPOCHS)
    view = TrainingView(compute.sweep(optimizer).lrs, EPOCHS)

    def busy(changed, values):  # Adam's sweep is trained the first time
        if changed != "optimizer":
            return None
        return (f"training every rate with {OPTIMIZERS[values['optimizer']]} "
                "(once; about 2 s)...")

    return Panel(title="Lesson 05: the reference network at any rate",
                 controls=controls, compute=compute, view=view,
                 readout=training_panel_readout, busy=busy)


def _inspector_controls(optimizer, lr, weight, row, col, update, total):
    """The inspector's controls; the row and column sliders follow the
    chosen weight's shape (their observer runs before the panel's)."""
    release = {"continuous_update": False}
    controls = {
        "optimizer": _optimizer_toggle(optimizer),
        "lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP, **release),
        "weight": W.Dropdown(options=list(WEIGHT_SHAPES), value=weight,
                             description="weight array",
                             style={"description_width": "initial"}),
        "row": int_slider(0, 0, 15, "row (input unit)", "lr-row", **release),
        "col": int_slider(0, 0, 31, "column (unit)", "lr-col", **release),
        "update": int_slider(update, 1, total, "update", "lr-update"),
    }
    for css in ("lr-weight", "lr-control"):
        controls["weight"].add_class(css)

    def follow(change=None):
        shape = WEIGHT_SHAPES[controls["weight"].value]
        rows = shape[0] - 1 if len(shape) == 2 else 0
        controls["row"].max = rows
        controls["col"].max = shape[-1] - 1
        controls["row"].disabled = rows == 0

    controls["weight"].observe(follow, names="value")
    follow()
    controls["row"].value = min(row, controls["row"].max)
    controls["col"].value = min(col, controls["col"].max)
    return controls


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
    total = epochs * 210
    controls = _inspector_controls(optimizer, lr, weight, row, col, update, total)
    play = W.Play(value=update, min=1, max=total, step=1, interval=400,
                  description="play the updates one at a time")
    play.add_class("lr-play")
    W.jslink((play, "value"), (controls["update"], "value"))
    note = W.HTML("<span>Rate, optimizer and weight apply on release (each "
                  f"replays {epochs} epochs, {total} updates); the update slider "
                  f"and {html.escape('▶')} move live.</span>")

    def layout(p):
        c = p.widgets
        p.readout_widget.layout.min_height = "10em"
        return W.VBox([c["optimizer"], c["lr"], W.HBox([c["weight"]]), c["row"],
                       c["col"], W.HBox([play, c["update"]]), note, p.fig.canvas,
                       p.readout_widget])

    return Panel(title="Lesson 05: the weight inspector", controls=controls,
                 compute=InspectorRuns(epochs), view=InspectorView(total),
                 readout=inspector_panel_readout, cache=True, layout=layout,
                 busy=lambda changed, values: None if changed == "update" else
                 "training... (replaying the seeded run)")
