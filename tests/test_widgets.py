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


# The panel contract, on a small panel built here.

import math  # noqa: E402

import ipywidgets as W  # noqa: E402

from lrcourse import widgets  # noqa: E402
from lrcourse.plotting import live_figure  # noqa: E402

TOY_GRID = lr_grid(-3.0, 0.0, 0.05)


class ToyView:
    def __init__(self):
        self.fig, ax = live_figure(ncols=1)
        (self.line,) = ax.plot([], [])
        self.artists = [self.line]
        self.shown = []

    def update(self, result):
        self.shown.append(result)
        self.line.set_data([0.0, 1.0], [result["height"]] * 2)


class ToyCompute:
    def __init__(self, fail_above=None):
        self.calls = 0
        self.fail_above = fail_above

    def __call__(self, lr, steps, start, kind):
        self.calls += 1
        if self.fail_above is not None and lr > self.fail_above:
            raise ArithmeticError(f"lr {lr:.4g} is too large for this toy")
        return {"lr": lr, "steps": steps, "start": start, "kind": kind,
                "height": lr * steps}


def toy_readout(result):
    return (f"lr = {result['lr']:.4g}, {result['steps']} updates from "
            f"{result['start']:g} ({result['kind']})")


def toy_panel(compute=None, **kwargs):
    controls = {
        "lr": widgets.log_slider(0.1, -3.0, 0.0, 0.05),
        "steps": widgets.int_slider(10, 1, 50, "updates", "lr-steps"),
        "start": widgets.float_slider(1.0, -2.0, 2.0, 0.1, "start", "lr-start"),
        "kind": W.SelectionSlider(options=["plain", "momentum"], value="plain"),
    }
    return widgets.Panel(title="Toy", controls=controls,
                         compute=compute or ToyCompute(), view=ToyView(),
                         readout=toy_readout, **kwargs)


def test_set_snaps_to_the_grid_and_returns_the_readout_with_the_values():
    toy = toy_panel()
    shown = toy.set(lr=0.4, start=0.33)
    nearest = float(TOY_GRID[int(round((math.log10(0.4) + 3) / 0.05))])
    assert shown.values["lr"] == nearest == toy.widgets["lr"].value
    assert shown.values["start"] == 0.3
    assert shown.values["steps"] == 10 and shown.values["kind"] == "plain"
    assert isinstance(shown, str) and shown == toy.readout_text
    assert str(shown) == "lr = 0.3981, 10 updates from 0.3 (plain)"
    assert toy.result["lr"] == nearest


def test_a_value_on_the_grid_is_kept_as_written():
    toy = toy_panel()
    assert toy.set(lr=0.01).values["lr"] == 0.01
    assert toy.set(start=-1.5).values["start"] == -1.5
    assert toy.set(steps=37, kind="momentum").values == {
        "lr": 0.01, "steps": 37, "start": -1.5, "kind": "momentum"}


@pytest.mark.parametrize("values, error, words", [
    ({"rate": 0.1}, ValueError, ["rate", "lr", "steps"]),
    ({"lr": "fast"}, TypeError, ["lr", "0.001", "1"]),
    ({"lr": float("nan")}, ValueError, ["lr", "finite"]),
    ({"lr": 5.0}, ValueError, ["lr", "learning rate", "0.001 to 1"]),
    ({"lr": 0.0}, ValueError, ["lr", "0.001 to 1"]),
    ({"lr": True}, TypeError, ["lr"]),
    ({"steps": 2.5}, TypeError, ["steps", "integer", "1 to 50"]),
    ({"steps": 51}, ValueError, ["steps", "1 to 50"]),
    ({"start": float("inf")}, ValueError, ["start", "-2 to 2"]),
    ({"kind": "adam"}, ValueError, ["kind", "plain", "momentum"]),
    ({"steps": 20, "lr": float("nan")}, ValueError, ["lr"]),
])
def test_a_refused_value_changes_nothing_and_the_panel_keeps_working(
        values, error, words):
    compute = ToyCompute()
    toy = toy_panel(compute)
    before, calls = toy.readout_text, compute.calls
    with pytest.raises(error) as info:
        toy.set(**values)
    for word in words:
        assert word in str(info.value)
    assert toy.readout_text == before and compute.calls == calls
    assert toy.widgets["steps"].value == 10 and toy.widgets["lr"].value == 0.1
    assert toy.set(lr=0.01).startswith("lr = 0.01,")


def test_each_change_computes_once_without_a_cache():
    compute = ToyCompute()
    toy = toy_panel(compute)
    assert compute.calls == 1  # built, and drawn once
    for lr in (0.01, 0.1, 0.01):
        toy.set(lr=lr)
    assert compute.calls == 4
    toy.set(lr=0.01)  # unchanged: nothing to do
    assert compute.calls == 4


def test_a_cached_panel_computes_each_value_once_and_still_redraws():
    compute = ToyCompute()
    toy = toy_panel(compute, cache=True)
    first = toy.result
    toy.set(lr=0.01)
    toy.set(lr=0.1)
    assert compute.calls == 2 and toy.result is first
    assert len(toy.view.shown) == 3 and toy.view.shown[-1] is first


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(widgets, "CACHE_SIZE", 2)
    compute = ToyCompute()
    toy = toy_panel(compute, cache=True)  # holds lr 0.1
    toy.set(lr=0.01)
    toy.set(lr=0.001)  # 0.1 is dropped
    toy.set(lr=0.1)
    assert compute.calls == 4
    toy.set(lr=0.001)
    assert compute.calls == 4


def _error_text(panel):
    return "".join(o.get("text", "") for o in panel.errors.outputs)


def test_an_error_from_a_browser_move_is_shown_not_lost():
    toy = toy_panel(ToyCompute(fail_above=0.5))
    toy.widgets["lr"].set_state({"value": float(TOY_GRID[-1])})
    assert "ArithmeticError: lr 1 is too large" in _error_text(toy)
    assert toy.set(lr=0.01) == "lr = 0.01, 10 updates from 1 (plain)"
    assert _error_text(toy) == ""  # cleared by the next good redraw


def test_an_error_from_code_is_raised_and_shown():
    toy = toy_panel(ToyCompute(fail_above=0.5))
    with pytest.raises(ArithmeticError, match="too large"):
        toy.set(lr=1.0)
    assert "too large" in _error_text(toy)
    assert toy.set(lr=0.2).values["lr"] == pytest.approx(0.2, rel=0.07)


def test_outputs_follow_the_result():
    toy = toy_panel(outputs={"table": lambda r: f"<b>{r['steps']}</b>"})
    table = toy.outputs["table"]
    assert "lr-table" in table._dom_classes and table.value == "<b>10</b>"
    toy.set(steps=12)
    assert table.value == "<b>12</b>"
    assert table in toy.layout.children


def test_actions_show_a_result_computed_on_demand():
    button = W.Button(description="train")

    def train(**values):
        return {**values, "kind": "trained", "height": 0.0}

    toy = toy_panel(actions={"train": (button, train)})
    shown = toy.actions["train"]()
    assert shown == "lr = 0.1, 10 updates from 1 (trained)" == toy.readout_text
    assert toy.changed == "train" and toy.result["kind"] == "trained"
    toy.set(steps=11)
    assert toy.readout_text.endswith("(plain)")
    button.click()
    assert toy.readout_text == "lr = 0.1, 11 updates from 1 (trained)"
    assert button in toy.layout.children


def test_the_layout_readout_and_repr():
    toy = toy_panel(layout=lambda p: W.VBox([p.widgets["lr"], p.fig.canvas,
                                             p.readout_widget]))
    assert len(toy.layout.children) == 3
    assert "lr-readout" in toy.readout_widget._dom_classes
    assert toy.readout_widget.value.startswith('<pre style="font-size:13px')
    bundle = toy._repr_mimebundle_()
    assert bundle["text/plain"] == "Toy (a live panel: move its controls in JupyterLab)"
    assert bundle["image/png"]
    assert toy.blitter.artists == toy.view.artists
    assert toy.view.line.get_animated()
    assert toy.last_update_seconds is not None


def test_answer_box_button_and_check_agree():
    box = widgets.answer_box("01.1")
    text, button, feedback = box.children
    text.value = "0.5"
    button.click()
    clicked = feedback.value
    feedback.value = ""
    box.check()
    assert feedback.value == clicked and clicked.startswith("<span>Right")
    assert "lr-exercise" in box._dom_classes


def test_busy_text_shows_while_a_result_is_computed():
    seen = []
    toy = toy_panel(cache=True, busy=lambda changed, values: f"training {changed}...")
    toy.readout_widget.observe(lambda change: seen.append(change["new"]),
                               names="value")
    toy.set(lr=0.5)
    assert "training lr..." in seen[0] and "lr = 0.5012" in seen[-1]
    seen.clear()
    toy.set(lr=0.1)  # computed when the panel was built: kept, nothing to wait for
    assert not any("training" in s for s in seen)
    quiet = toy_panel(busy=lambda changed, values: None)
    quiet.readout_widget.observe(lambda change: seen.append(change["new"]),
                                 names="value")
    quiet.set(steps=20)
    assert not any("training" in s for s in seen)


def _blitted(texts_kept):
    """Lesson 01's panel stepped over a few rates; the frames it drew."""
    import numpy as np

    from lrcourse import plotting

    panel = lesson01.descent_panel(lr=0.1, steps=20, start=3.0, curvature=2.0)
    panel.frames = None  # draw every move (no frames resent)
    if not texts_kept:
        panel.blitter._keep_text = lambda key, text: None
        panel.blitter._texts.clear()
    frames = []
    for i in (40, 45, 50, 45, 40, 62, 40):
        panel.set(lr=float(GRID[i]))
        frames.append(np.asarray(panel.fig.canvas.get_renderer().buffer_rgba()).copy())
    assert plotting.TEXT_CACHE_SIZE > 0
    return panel, frames


def test_a_kept_title_gives_the_same_pixels_as_drawing_it():
    import numpy as np

    panel, frames = _blitted(texts_kept=True)
    _, drawn = _blitted(texts_kept=False)
    kept = [k for k, v in panel.blitter._texts.items() if v is not None]
    # one per notch (the title, outside the axes), each drawn once at build
    assert len(kept) == len(GRID)
    assert all(np.array_equal(a, b) for a, b in zip(frames, drawn))


def test_a_text_another_moving_artist_can_reach_is_drawn_each_time():
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from lrcourse.plotting import Blitter

    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    line, = ax.plot([0, 1], [0, 1])
    label = ax.text(0.5, 0.5, "inside", transform=ax.transAxes)
    title = ax.set_title("outside")
    label.set_clip_on(True)  # like the line, drawn only inside the axes
    blitter = Blitter(fig, [line, label, title])
    blitter.update()
    blitter.update()
    assert blitter._texts[next(k for k in blitter._texts if "inside" in k)] is None
    assert blitter._texts[next(k for k in blitter._texts if "outside" in k)] is not None
    before = np.asarray(fig.canvas.get_renderer().buffer_rgba()).copy()
    fig.canvas.draw()  # a full drawing forgets the kept texts, then keeps again
    assert np.array_equal(before, np.asarray(fig.canvas.get_renderer().buffer_rgba()))
