"""Every lesson in Voila with the course's template (``make present``).

Voila runs the lesson in a fresh kernel and shows only outputs. For each
lesson: the page renders with the larger type of ``presentation/`` and no
code, no cell shows an error, every panel draws; its rate slider (arrow key)
changes the readout to the text ``lrcourse`` computes and redraws the figure;
and the exercise boxes answer through their text box and Check button.
"""

import pytest
from helpers import (
    JS_ERRORS,
    JS_PANEL_READY,
    JS_PANEL_STATE,
    PANEL_ROOT,
    answer_in_page,
    answers_to_try,
    discover_lessons,
    drive_without_rate,
    exercise_id_of,
    expected_feedback,
    lesson_by_number,
    move_slider,
    norm,
    rate_sliders,
    readout_text,
    slider_base,
    slider_value,
)

pytestmark = pytest.mark.browser

LESSONS = discover_lessons()
LESSON_IDS = [lesson.number for lesson in LESSONS]
PANEL_IDS = [(lesson.number, k) for lesson in LESSONS
             for k in range(len(lesson.panels))]
RENDER_TIMEOUT = 300_000  # ms: Voila runs the whole lesson before showing it

_state = {"lesson": None, "problem": None}


@pytest.fixture
def voila_lesson(voila_page, voila_server, inprocess, stats):
    """Returns ``open(number)``: the lesson rendered by Voila (once)."""
    import time

    def open_(number):
        if _state["lesson"] != number:
            lesson = lesson_by_number(number)
            _state.update(lesson=number, problem="the lesson did not render")
            lab = inprocess(number, "voila")
            start = time.perf_counter()
            voila_page.goto(f"{voila_server.url}/voila/render/{lesson.name}",
                            wait_until="domcontentloaded", timeout=RENDER_TIMEOUT)
            try:
                voila_page.wait_for_function(
                    """([sel, n, ready]) => {
                         const cells = document.querySelector('#rendered_cells');
                         if (!cells || cells.style.display === 'none') return false;
                         const roots = document.querySelectorAll(sel);
                         const isReady = eval(ready);
                         return roots.length === n && [...roots].every(isReady);
                       }""",
                    arg=[PANEL_ROOT, len(lab.panels), JS_PANEL_READY],
                    timeout=RENDER_TIMEOUT, polling=250)
                _state["problem"] = None
            except Exception:
                roots = voila_page.locator(PANEL_ROOT)
                seen = [roots.nth(i).evaluate(JS_PANEL_STATE)
                        for i in range(roots.count())]
                errors = voila_page.evaluate(JS_ERRORS, None)
                _state["problem"] = (
                    f"Voila did not render {len(lab.panels)} drawn panels in time; "
                    f"found {seen}; errors: {errors}")
            stats["phases"][f"Voila lesson {number} render"] = (
                time.perf_counter() - start)
        return lesson_by_number(number), inprocess(number, "voila")

    return open_


@pytest.mark.parametrize("lesson", LESSON_IDS)
def test_voila_renders_lesson_without_code_or_errors(lesson, voila_lesson,
                                                     voila_page):
    info, lab = voila_lesson(lesson)
    errors = voila_page.evaluate(JS_ERRORS, None)
    assert not errors, f"lesson {lesson} shows errors in Voila:\n" + "\n".join(errors)
    assert _state["problem"] is None, _state["problem"]
    # code hidden: no input areas, no source text of the import cell
    assert voila_page.locator(".jp-CodeCell .jp-InputArea:visible").count() == 0
    assert "from lrcourse.widgets import" not in voila_page.inner_text("body")
    # the course's template: its style sheet is loaded and enlarges the type
    sizes = voila_page.evaluate("""() => {
        const s = getComputedStyle(document.body);
        return [s.getPropertyValue('--jp-content-font-size1').trim(),
                s.getPropertyValue('--jp-code-font-size').trim(),
                !!document.querySelector('link[href*="lrcourse/static/present.css"]')];
    }""")
    assert sizes == ["20px", "18px", True], (
        f"presentation style not applied (font sizes, stylesheet link): {sizes}")
    roots = voila_page.locator(PANEL_ROOT)
    for k, (cell, panel) in enumerate(lab.panels):
        if not rate_sliders(panel):
            continue
        name, widget = rate_sliders(panel)[0]
        value = slider_value(roots.nth(k).locator(".lr-slider").first,
                             slider_base(widget))
        expected = norm(panel.set(**{name: value}))
        assert readout_text(roots.nth(k)) == expected, (
            f"lesson {lesson}, panel {cell.var}: readout at {value!r}")


@pytest.mark.parametrize(("lesson", "k"), PANEL_IDS,
                         ids=[f"{n}-panel{k}" for n, k in PANEL_IDS])
def test_voila_slider_changes_readout(lesson, k, voila_lesson, voila_page, stats):
    info, lab = voila_lesson(lesson)
    assert _state["problem"] is None, _state["problem"]
    cell, panel = lab.panels[k]
    root = voila_page.locator(PANEL_ROOT).nth(k)
    if not rate_sliders(panel):  # driven by a rule toggle and a train button
        shown, expected, changed = drive_without_rate(voila_page, root, panel)
        assert shown == expected, (
            f"Voila, lesson {lesson}, panel {cell.var}: after the train button\n"
            f" browser: {shown}\nlrcourse: {expected}")
        assert changed, f"Voila, lesson {lesson}: the figure did not change"
        return
    for j, (name, widget) in enumerate(rate_sliders(panel)):
        release = not widget.continuous_update
        up = widget.value < widget.base ** ((widget.min + widget.max) / 2)
        move = move_slider(voila_page, root, j, name, widget, panel, "key",
                           "ArrowRight" if up else "ArrowLeft",
                           has_canvas=panel.fig is not None)
        where = f"Voila, lesson {lesson}, panel {cell.var}"
        assert move.value != move.before, f"{where}: the slider did not move"
        assert move.shown == move.expected, (
            f"{where}: at {move.value!r}\n browser: {move.shown}\n"
            f"lrcourse: {move.expected}")
        assert move.canvas_changed is not False, f"{where}: figure unchanged"
        if release:
            assert move.saw_training, f"{where}: no 'training...' ({move.texts})"
    assert not voila_page.evaluate(JS_ERRORS, None)


@pytest.mark.parametrize("lesson", LESSON_IDS)
def test_voila_exercise_boxes_answer(lesson, voila_lesson, voila_page, stats):
    info, lab = voila_lesson(lesson)
    assert _state["problem"] is None, _state["problem"]
    boxes = voila_page.locator(".lr-exercise")
    assert boxes.count() == len(info.exercises), (
        f"lesson {lesson}: {boxes.count()} exercise boxes in Voila, "
        f"{len(info.exercises)} in the notebook")
    if not info.exercises:
        pytest.xfail(f"lesson {lesson} has no exercise boxes")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        ex_id = exercise_id_of(box)
        assert ex_id == info.exercises[i]
        tries = answers_to_try(ex_id) if i == 0 else answers_to_try(ex_id)[:1]
        for typed in tries:
            want = expected_feedback(ex_id, typed)
            got = answer_in_page(voila_page, box, typed, want,
                                 retries=stats["exercise_retries"])
            assert got == want, f"Voila, exercise {ex_id}, typed {typed!r}"
