"""The shared panel machinery: browser copies of values set from code."""

import pytest
from IPython.core.interactiveshell import InteractiveShell

from lrcourse.lessons.lesson01 import panels as lesson01
from lrcourse.readouts import lr_grid

GRID = lr_grid(lesson01.LR_MIN, lesson01.LR_MAX, lesson01.LR_STEP)


@pytest.fixture()
def panel():
    return lesson01.descent_panel(lr=0.1, steps=20, start=3.0, curvature=2.0)


def _from_browser(widget, value):
    """What ipywidgets does with a value the browser sends."""
    widget.set_state({"value": value})


def test_a_copy_of_the_current_value_changes_nothing(panel):
    panel.set(lr=float(GRID[52]))
    before = panel.readout_text
    calls = panel.last_update_seconds
    _from_browser(panel.widgets["lr"], float(GRID[52]) * (1 + 2e-16))
    assert panel.readout_text == before
    assert panel.last_update_seconds is calls  # no recomputation


def test_a_learner_move_is_followed(panel):
    panel.set(lr=0.1)
    target = float(GRID[45])
    _from_browser(panel.widgets["lr"], target)
    assert panel.widgets["lr"].value == target
    assert panel.readout_text.startswith(f"lr = {target:.4g}")


def test_in_a_notebook_sliders_sync_once_when_the_cell_ends(panel, monkeypatch):
    shell = InteractiveShell.instance()
    sent = []
    widget = panel.widgets["lr"]
    monkeypatch.setattr(widget, "send_state",
                        lambda key=None: sent.append((key, widget.value)))
    for lr in (float(GRID[20]), float(GRID[-3]), 0.1):
        panel.set(lr=lr)
    assert sent == []  # held: the browser never sees the values on the way
    shell.events.trigger("post_run_cell", None)
    assert sent and sent[-1][1] == 0.1
    panel.set(lr=float(GRID[30]))  # a later cell holds again
    shell.events.trigger("post_run_cell", None)
    assert sent[-1][1] == float(GRID[30])


def test_integer_controls_follow_the_browser(panel):
    panel.set(steps=10)
    _from_browser(panel.widgets["steps"], 30)
    assert panel.widgets["steps"].value == 30
    assert "after 30 updates" in panel.readout_text
