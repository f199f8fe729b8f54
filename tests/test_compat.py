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



def _decoded(png):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _quick_canvas():
    """A canvas with quick frames, each frame it sends kept (decoded)."""
    fig = _figure()
    canvas = _compat.attach_ipympl_canvas(fig)
    _compat.quick_frames(canvas)
    sent = []
    canvas.send_binary = lambda data: sent.append(_decoded(data))
    return canvas, fig.axes[0].lines[0], sent


def _pixels(canvas):
    import numpy as np

    return np.asarray(canvas.get_renderer().buffer_rgba())


def test_quick_frames_are_what_the_view_composes_into_the_figure():
    import numpy as np

    canvas, line, sent = _quick_canvas()
    canvas.draw()  # draws and sends the first frame, a full one
    assert canvas._current_image_mode == "full"
    shown = sent[-1].copy()
    assert np.array_equal(shown, _pixels(canvas))
    line.set_ydata([0.2, 0.4])
    canvas.draw()
    frame = sent[-1]
    assert canvas._current_image_mode == "diff"
    h, w = frame.shape[:2]
    assert h <= shown.shape[0] and w <= shown.shape[1]
    assert h * w < shown.shape[0] * shown.shape[1]  # cropped
    # ipympl's view draws a diff frame over the last one from the top left
    region = shown[:h, :w]
    opaque = frame[..., 3] > 0
    region[opaque] = frame[opaque]
    assert np.array_equal(shown, _pixels(canvas))
    assert canvas.get_diff_image() is None  # nothing new since the last frame


def test_quick_frames_encode_a_changeless_frame_as_one_clear_pixel():
    canvas, _, sent = _quick_canvas()
    canvas.draw()
    canvas.draw()
    assert sent[-1].shape == (1, 1, 4) and sent[-1][0, 0, 3] == 0


def test_quick_frames_send_a_full_frame_after_a_refresh():
    import numpy as np

    canvas, _, sent = _quick_canvas()
    canvas.draw()
    canvas.handle_refresh({})  # what a newly connected view asks for
    canvas.draw()
    assert canvas._current_image_mode == "full"
    assert np.array_equal(sent[-1], _pixels(canvas))


def test_png_rgba_round_trips_through_pillow():
    import numpy as np

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    image = pixels.view(np.uint32).squeeze(2)
    assert np.array_equal(_decoded(_compat.png_rgba(image)), pixels)
    assert np.array_equal(_decoded(_compat.png_rgba(image, up=False)), pixels)


def test_deflate_is_zlib_ng_when_installed_and_reads_as_zlib():
    import zlib

    from zlib_ng import zlib_ng  # a dependency: lrcourse falls back to zlib without it

    assert _compat._deflate is zlib_ng
    data = bytes(range(256)) * 50
    packer = _compat._deflate.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    assert zlib.decompress(packer.compress(data) + packer.flush()) == data


def test_quick_frames_leave_canvases_without_the_private_parts_alone():
    class Plain:
        pass

    plain = Plain()
    _compat.quick_frames(plain)
    assert vars(plain) == {}


def _sent_methods(widget, state):
    sent = []
    widget._send = lambda msg, buffers=None: sent.append(msg["method"])
    widget.set_state(state)
    return sent


def test_no_echo_stops_the_echo_of_a_browser_move_and_only_that():
    from lrcourse.widgets import log_slider

    plain = W.FloatLogSlider(value=0.1, min=-3, max=0, step=0.1)
    assert "echo_update" in _sent_methods(plain, {"value": 0.01})
    course = log_slider(0.1, -3.0, 0.0, 0.1)
    assert _sent_methods(course, {"value": 0.01}) == []
    assert course.value == 0.01
    sent = []
    course._send = lambda msg, buffers=None: sent.append(msg["method"])
    course.value = 0.1  # a change made in the kernel still reaches the page
    assert sent == ["update"]


class _Page:
    """What ipympl's view shows: each frame the canvas sends, composed as
    the view composes it (a full frame replaces, a diff frame is drawn over
    the last one from the top left corner)."""

    def __init__(self, canvas):
        self.canvas, self.image, self.frames = canvas, None, 0
        canvas.send_binary = self.receive

    def receive(self, data):
        frame = _decoded(data)
        self.frames += 1
        if self.canvas._current_image_mode == "full" or self.image is None:
            self.image = frame.copy()
            return
        h, w = frame.shape[:2]
        region = self.image[:h, :w]
        opaque = frame[..., 3] > 0
        region[opaque] = frame[opaque]


def _descent_panel(cached):
    from lrcourse.lessons.lesson01.panels import descent_panel

    panel = descent_panel(lr=0.1)
    if not cached:
        panel.frames = None
    _compat.mark_view_ready(panel.fig.canvas)
    return panel


def test_frame_cache_resends_what_drawing_would_show():
    import numpy as np

    cached, fresh = _descent_panel(True), _descent_panel(False)
    page = _Page(cached.fig.canvas)
    cached.fig.canvas.handle_refresh({})  # what a newly connected view asks for
    cached.fig.canvas.draw()
    rates = [0.1, 0.1259, 0.1585, 0.1259, 0.1, 0.1259, 0.1585, 0.1995, 0.1585, 0.1259]
    drawn = []
    for i, lr in enumerate(rates + rates[::-1] + [0.5, 0.1259]):
        calls = []
        cached.blitter.update = _counting(cached.blitter.update, calls)
        cached.set(lr=lr)
        fresh.set(lr=lr)
        drawn.append(bool(calls))
        assert np.array_equal(page.image, _pixels(fresh.fig.canvas)), (i, lr)
    assert drawn[1] and drawn[2]  # a first visit is drawn
    assert drawn.count(False) >= len(drawn) // 2  # a step taken before is resent


def _counting(fn, calls):
    def counted(*args, **kwargs):
        calls.append(1)
        return fn(*args, **kwargs)
    return counted


def test_frame_cache_keeps_its_frames_over_the_same_background_only():
    cached = _descent_panel(True)
    page = _Page(cached.fig.canvas)
    cached.fig.canvas.handle_refresh({})
    cached.fig.canvas.draw()
    cached.set(lr=0.1259)
    cached.set(lr=0.1585)
    state = tuple(cached.values().values())
    cached.set(lr=0.1259)
    sent = page.frames
    assert cached.frames.resend(state)  # the step 0.1259 -> 0.1585 was kept
    assert page.frames == sent + 1
    kept = len(cached.frames)
    cached.fig.canvas.draw()  # a full drawing, the same background (a refresh)
    assert len(cached.frames) == kept and cached.frames.shown == state
    cached.view.ax_path.set_xlabel("another label")  # a new background
    cached.fig.canvas.draw()
    assert len(cached.frames) == 0 and cached.frames.shown == state


def test_warm_frames_draws_each_step_of_the_grid_once_ahead():
    import numpy as np

    cached, fresh = _descent_panel(True), _descent_panel(False)
    before = cached.values()
    cached.warm_frames("lr")
    assert cached.values() == before
    grid = len(cached.widgets["lr"].options) if hasattr(
        cached.widgets["lr"], "options") else None
    assert len(cached.frames) >= 2 * (64 if grid is None else grid - 1)
    kept = len(cached.frames)
    cached._repr_mimebundle_()  # displayed: a static copy, drawn at another size
    page = _Page(cached.fig.canvas)
    cached.fig.canvas.handle_refresh({})  # the page connects: a full frame
    cached.fig.canvas.draw()
    assert len(cached.frames) == kept
    calls = []
    cached.blitter.update = _counting(cached.blitter.update, calls)
    for lr in (0.1122, 0.1259, 0.1122, 0.1, 0.0891):  # one notch at a time
        cached.set(lr=lr)
        fresh.set(lr=lr)
        assert np.array_equal(page.image, _pixels(fresh.fig.canvas)), lr
    assert calls == []  # every step was ready
    widget = cached.widgets["lr"]  # a browser's notch, off the grid in its last bits
    browser = 10 ** (widget.min + round((np.log10(widget.value) - widget.min)
                                        / widget.step + 1) * widget.step)
    widget.value = browser
    fresh.set(lr=browser)
    assert calls == [] and np.array_equal(page.image, _pixels(fresh.fig.canvas))
