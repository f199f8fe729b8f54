"""The shared panel machinery: browser echoes of values set from code."""

import pytest

from lrcourse.readouts import lr_grid
from lrcourse.widgets import lesson01


@pytest.fixture()
def panel():
    return lesson01.descent_panel(lr=0.1, steps=20, start=3.0, curvature=2.0)


def _from_browser(widget, value):
    """What ipywidgets does with a value the browser sends."""
    widget.set_state({"value": value})


def test_late_copies_of_earlier_values_do_not_move_the_panel(panel):
    grid = lr_grid(lesson01.LR_MIN, lesson01.LR_MAX, lesson01.LR_STEP)
    slow, fast = float(grid[20]), float(grid[-3])
    for lr in (slow, fast, 0.1):
        panel.set(lr=lr)
    final = panel.readout_text
    # the browser answers each value with its own, slightly different, copy
    _from_browser(panel.widgets["lr"], slow * (1 + 4e-16))
    _from_browser(panel.widgets["lr"], fast * (1 - 4e-16))
    assert panel.widgets["lr"].value == 0.1
    assert panel.readout_text == final


def test_a_learner_move_is_followed(panel):
    panel.set(lr=0.1)
    target = float(lr_grid(lesson01.LR_MIN, lesson01.LR_MAX, lesson01.LR_STEP)[45])
    _from_browser(panel.widgets["lr"], target)
    assert panel.widgets["lr"].value == target
    assert panel.readout_text.startswith(f"lr = {target:.4g}")


def test_a_copy_of_the_current_value_changes_nothing(panel):
    panel.set(lr=0.3981071705534973)
    before = panel.readout_text
    _from_browser(panel.widgets["lr"], 0.3981071705534973 * (1 + 2e-16))
    assert panel.readout_text == before


def test_integer_controls_are_never_taken_for_copies(panel):
    panel.set(steps=10)
    _from_browser(panel.widgets["steps"], 30)
    assert panel.widgets["steps"].value == 30
    assert "after 30 updates" in panel.readout_text
