"""Lesson 07 panels: a sweep with a batch-size slider, and the range test
with a button that trains with a suggested rate."""

import html

import ipywidgets as W

from ...widgets import Panel, choice_slider, control, log_slider
from .analysis import (
    BATCH_SIZES,
    OPTIMIZER_NAME,
    REFERENCE_BATCH,
    RULE_NAME,
    RULES,
    SEEDS,
    SWEEP_GRID,
    RangeTests,
    SweepTable,
    range_readout,
    sweep_readout,
)
from .figures import RangeView, SweepView

#: The sweep panel's rate grid: 10 ** (-3 + 0.2 i), from 0.001 to about 3.98.
LR_MIN, LR_MAX, LR_STEP = SWEEP_GRID


def sweep_panel(lr=0.1, batch_size=10, epochs=5, optimizer="sgd", seeds=SEEDS,
                batch_sizes=BATCH_SIZES):
    """Final validation loss against rate over several seeds, with a
    batch-size slider.

    For each seed (initial weights and shuffling) every rate starts from the
    same weights and sees the same batches; every batch size and seed is
    precomputed on the slider's grid with one vectorized ``sweep_fit`` pass
    (``panel.compute`` is the ``SweepTable``: its ``sweeps``, one
    ``SeedSweeps`` per batch size). Controls: ``lr`` and ``batch_size``.
    """
    if batch_size not in batch_sizes or REFERENCE_BATCH not in batch_sizes:
        raise ValueError(f"batch_size must be one of {tuple(batch_sizes)}, "
                         f"got {batch_size!r}")
    table = SweepTable(batch_sizes, epochs=epochs, optimizer=optimizer, seeds=seeds)
    controls = {
        "lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP, fmt=".3g"),
        "batch_size": choice_slider(list(batch_sizes), batch_size, "batch size",
                                    "lr-batch"),
    }
    reference = table.sweeps[REFERENCE_BATCH].mean
    view = SweepView(table.lrs, reference, epochs, reference_batch=REFERENCE_BATCH,
                     n_seeds=len(table.seeds),
                     optimizer=OPTIMIZER_NAME.get(optimizer, optimizer))
    return Panel(title="Lesson 07: a learning-rate sweep and the batch size",
                 controls=controls, compute=table, view=view, readout=sweep_readout)


def _rule_controls(rule):
    """The rule toggle and the train button of the range-test panel."""
    toggle = control(
        W.ToggleButtons, "lr-rule", width=None,
        options=[(RULE_NAME[r], r) for r in RULES], value=rule,
        description="suggestion",
        tooltips=["halfway along the longest descent", "steepest descent",
                  "a tenth of the rate at the lowest loss",
                  "the rate at the lowest loss"])
    button = W.Button(description="Train with this rate", button_style="primary",
                      tooltip="train the network with the selected suggestion",
                      layout=W.Layout(width="220px"))
    button.add_class("lr-train")
    return {"rule": toggle}, button


def range_test_panel(rule="valley", batch_size=10, num_it=100, epochs=5, seed=0):
    """The range test on the training split, its suggestions marked, and a
    button that trains the reference network with the selected suggestion
    (Adam, from the same initial weights) and draws its validation loss.

    Controls: ``rule`` (which suggestion); ``panel.actions["train"]()``
    presses the button from code. ``panel.compute`` is the ``RangeTests``
    (its ``result``, ``suggestions`` and ``trained``). The panel opens with
    ``rule``'s run already trained.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    tests = RangeTests(batch_size=batch_size, num_it=num_it, epochs=epochs, seed=seed)
    controls, button = _rule_controls(rule)

    def train(rule):
        tests.train(rule)
        return tests(rule)

    def busy(changed, values):
        if changed != "train":
            return None
        rule = values["rule"]
        return f"training with {RULE_NAME[rule]} = {tests.suggestions[rule]:.3g} ..."

    def layout(p):
        return W.VBox([W.HBox([p.widgets["rule"], button]), p.fig.canvas,
                       p.readout_widget, W.HTML(html.escape(
                           "Markers: the rules' suggestions on the smoothed loss; "
                           "the ring is the selected one."))])

    # open with the selected rule's run trained: the right plot is never
    # empty, not even in the saved PNG that readers without a kernel see
    tests.train(rule)
    return Panel(title="Lesson 07: the learning-rate range test", controls=controls,
                 compute=tests, view=RangeView(tests.result, epochs),
                 readout=range_readout, actions={"train": (button, train)},
                 layout=layout, busy=busy)
