"""Lesson 00: the warm-up panel, the regimes figure and the exercises."""

import warnings

import numpy as np
import pytest

import lrcourse
from lrcourse.exercises import get_exercise
from lrcourse.lessons.lesson00 import analysis, panels
from lrcourse.readouts import lr_grid


@pytest.fixture(scope="module")
def panel():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return panels.warmup_panel(lr=0.1, start=3.0, curvature=2.0)


def test_readout_one_update(panel):
    text = panel.set(lr=0.1, start=3.0)
    assert "gradient = lambda x w = 2 x 3.00 = 6.0000" in text
    assert "step = lr x gradient = 0.1 x 6.0000 = 0.6000" in text
    assert "new w = old w - step = 3.00 - (0.6000) = 2.4000" in text
    assert "loss 9.0000 -> 5.7600" in text and "monotone" in text


def test_readout_divergent(panel):
    grid = lr_grid(panels.LR_MIN, panels.LR_MAX, panels.LR_STEP)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        text = panel.set(lr=float(grid[-1]))
    assert "divergent" in text and "-8.9716" in text
    panel.set(lr=0.1)


def test_mirror_rate_on_the_panel(panel):
    grid = lr_grid(panels.LR_MIN, panels.LR_MAX, panels.LR_STEP)
    one = float(grid[np.argmin(np.abs(grid - 1.0))])
    text = panel.set(start=2.0, lr=one)
    assert "= -2.0000" in text and "marginal" in text
    assert lrcourse.check("00.3", one).correct
    panel.set(start=3.0, lr=0.1)


def test_exercises():
    assert get_exercise("00.1").answer == "oscillating"
    assert lrcourse.check("00.1", "Oscillating").correct
    assert "0.25" in lrcourse.check("00.1", "monotone").message
    for other in ("oscillates", "Oscillation", "oscillate", "oscillatory",
                  "oscillating.", "Oscillating!", " (oscillating) "):
        assert lrcourse.check("00.1", other).correct, other
    assert "0.25" in lrcourse.check("00.1", "Monotone.").message
    for other in ("monotonic", "diverges", "diverge", "diverging"):
        assert not lrcourse.check("00.1", other).correct
    assert "0.25" in lrcourse.check("00.1", "monotonic").message
    assert get_exercise("00.2").answer == pytest.approx(0.036)
    assert lrcourse.check("00.2", "0.036").correct
    wrong = lrcourse.check("00.2", 12)
    assert not wrong.correct and "that is the gradient" in wrong.message
    assert get_exercise("00.3").answer == pytest.approx(1.0)
    assert "too short" in lrcourse.check("00.3", 0.5).message


def test_exercise_00_2_is_beyond_the_warmup_panel():
    # the panel's gradient is 2w with |w| <= 4: it can never show gradient 12
    assert 2 * max(abs(panels.W_MIN), abs(panels.W_MAX)) < 12


def test_bad_input():
    with pytest.raises(ValueError, match="curvature"):
        panels.warmup_panel(curvature=0.0)
    with pytest.raises(ValueError, match="curvature"):
        analysis.one_update(0.1, 1.0, -1.0)


def test_one_update_without_widgets():
    update = analysis.one_update(lr=0.25, start=-2.0, curvature=2.0)
    assert update.grad == -4.0 and update.step == -1.0 and update.new == -1.0
    assert update.loss_before == 4.0 and update.loss_after == 1.0
    assert update.regime == "monotone"
    assert analysis.one_update_readout(update) == (
        "weight w = -2.00   gradient = lambda x w = 2 x -2.00 = -4.0000\n"
        "step = lr x gradient = 0.25 x -4.0000 = -1.0000\n"
        "new w = old w - step = -2.00 - (-1.0000) = -1.0000\n"
        "loss 4.0000 -> 1.0000   (lr x lambda = 0.500: monotone (lr <= 1/lambda): "
        "slides straight down)")


def test_one_update_past_the_mirror_rate_runs_away():
    update = analysis.one_update(lr=1.5, start=1.0, curvature=2.0)
    assert update.new == -2.0 and update.regime == "divergent"
    assert "runs away" in analysis.one_update_readout(update)


def test_panel_snaps_a_short_rate_to_its_grid(panel):
    shown = panel.set(lr=0.3)
    assert shown.values["lr"] == pytest.approx(10 ** -0.5)
    assert "0.3162" in shown
    panel.set(lr=0.1)


def test_key_figure_builds_and_fits_the_column():
    from lrcourse.lessons.lesson00 import figures
    from lrcourse.plotting import png_bytes

    fig = figures.log_track_figure(min_exp=-3.0, max_exp=0.3)
    png = png_bytes(fig)
    assert png[:4] == b"\x89PNG" and int.from_bytes(png[16:20], "big") <= 900
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["lr = 0.001", "lr = 0.01", "lr = 0.1", "lr = 1"]


def test_slider_positions_are_those_of_the_slider():
    grid = lr_grid(panels.LR_MIN, panels.LR_MAX, panels.LR_STEP)
    assert panels.slider_position(float(grid[0])) == pytest.approx(0.0)
    assert panels.slider_position(float(grid[-1])) == pytest.approx(1.0)
    middle = panels.slider_rate(0.5)
    assert middle == pytest.approx(float(grid[len(grid) // 2]))  # a notch
    assert f"{middle:.4f}" == "0.0447"
    assert f"{panels.slider_position(0.01):.0%}" == "30%"
    with pytest.raises(ValueError, match="lr"):
        analysis.track_position(0.0, -3.0, 0.3)
    with pytest.raises(ValueError, match="fraction"):
        analysis.rate_at(1.5, -3.0, 0.3)


def test_practice_question_is_not_an_exercise_and_its_hint_works():
    from lrcourse.exercises import all_exercises

    lesson = [i for i in all_exercises() if i.startswith("00.")]
    assert lesson == ["00.1", "00.2", "00.3"]  # the practice is not among them
    practice = get_exercise("practice")
    assert practice.answer == pytest.approx(0.1)
    assert practice.tolerance in practice.question
    for added in (1.01, 0.02):  # the notches added instead of multiplied
        wrong = lrcourse.check("practice", added)
        assert not wrong.correct and "multiply, they do not add" in wrong.message
        assert "10^(20" not in wrong.message  # a pointer, not the calculation
    assert lrcourse.check("practice", "0.1").correct
    # twenty notches of the warm-up slider from 0.01 do reach that rate
    grid = lr_grid(panels.LR_MIN, panels.LR_MAX, panels.LR_STEP)
    k = int(np.argmin(np.abs(grid - 0.01)))
    assert grid[k + 20] == pytest.approx(practice.answer)



def _notebook_00():
    from pathlib import Path

    import nbformat

    path = Path(__file__).resolve().parents[1] / "notebooks" / "00_start_here.ipynb"
    return nbformat.read(path, as_version=4)


def test_notebook_has_no_unfilled_placeholder_and_defines_relu():
    cells = _notebook_00().cells
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "{NAV}" not in text
    assert text.count("[01 The step and the rule →](01_step_and_rule.ipynb)") == 2
    assert "- **ReLU**" in text and "- **dead ReLU**" in text


def test_new_weight_marker_keeps_its_legend_colour():
    panel = panels.warmup_panel(lr=0.1, start=3.0, curvature=2.0)
    ax = panel.fig.axes[0]
    (handle,) = [h for h in ax.get_legend().legend_handles
                 if h.get_label() == "new w"]
    for rate in (0.1, 0.7943282347242815, 1.9952623149688808):
        panel.set(lr=rate)
        (marker,) = [ln for ln in ax.lines if ln.get_label() == "new w"]
        assert marker.get_color() == handle.get_color()


def test_exercise_hints_do_not_give_away_later_answers():
    # 00.3's hint for 0.5 must not say 0.5 lands on the minimum (that is 01.1)
    message = lrcourse.check("00.3", 0.5).message
    assert "minimum" not in message and "too short" in message
    # ...and the hints point the way without doing the working
    for wrong in (0.5, 0.3):
        message = lrcourse.check("00.3", wrong).message
        assert "step of 4" not in message and "gradient there is 4" not in message
        assert "step = lr x gradient" in message
    # 00.2 asks for a distance: a signed step gets a hint about its size
    assert "size" in lrcourse.check("00.2", -0.036).message
