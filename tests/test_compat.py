"""The private behaviour of ipywidgets and ipympl that lrcourse._compat uses.

Each test fails loudly if an upgrade of a pinned package changes it.
"""

import ipywidgets as W
import matplotlib.pyplot as plt
from ipympl.backend_nbagg import Canvas, _Backend_ipympl
from matplotlib.figure import Figure

from lrcourse import _compat


def test_a_value_from_the_browser_is_told_from_one_set_in_code():
    slider = W.FloatLogSlider(value=0.1, base=10, min=-3, max=0, step=0.05)
    seen = []
    slider.observe(lambda change: seen.append(_compat.set_from_browser(slider)),
                   names="value")
    slider.value = 0.2
    slider.set_state({"value": 0.1})  # what ipywidgets does with a browser message
    assert seen == [False, True]
    assert not _compat.set_from_browser(slider)  # only while it is applied


def _figure():
    fig = Figure()
    fig.subplots().plot([0, 1], [1, 0])
    return fig


def test_a_pyplot_free_figure_gets_an_ipympl_canvas_and_stays_unregistered():
    before = list(_Backend_ipympl._to_show)
    fig = _figure()
    canvas = _compat.attach_ipympl_canvas(fig)
    assert isinstance(canvas, Canvas) and isinstance(canvas, W.DOMWidget)
    assert fig.canvas is canvas and canvas.manager is not None
    assert plt.get_fignums() == []
    assert _Backend_ipympl._to_show == before


def _recording_canvas():
    fig = _figure()
    canvas = _compat.attach_ipympl_canvas(fig)
    sent = []
    canvas.send_binary = sent.append  # every frame leaves through send_binary
    return canvas, sent


def test_frames_leave_through_send_binary_until_held():
    canvas, sent = _recording_canvas()
    assert canvas.syncing_data_url is True  # no view has said it is ready
    canvas.draw()
    canvas.manager.refresh_all()
    assert len(sent) == 1


def test_frames_wait_for_the_views_initialized_message():
    canvas, sent = _recording_canvas()
    _compat.hold_frames_until_view_ready(canvas)
    canvas.draw()
    canvas.manager.refresh_all()
    assert sent == []
    canvas._handle_message(canvas, {"type": "initialized"}, [])  # the view is ready
    assert canvas.syncing_data_url is False
    canvas.draw()
    canvas.manager.refresh_all()
    assert len(sent) == 1


def test_mark_view_ready_is_what_the_initialized_message_does():
    canvas, sent = _recording_canvas()
    _compat.hold_frames_until_view_ready(canvas)
    _compat.mark_view_ready(canvas)
    canvas.draw()
    canvas.manager.refresh_all()
    assert len(sent) == 1


def test_canvases_without_the_private_parts_are_left_alone():
    class Plain:
        pass

    plain = Plain()
    _compat.hold_frames_until_view_ready(plain)
    _compat.mark_view_ready(plain)
    assert vars(plain) == {}
