"""Every use of a private API of ipywidgets, ipympl or matplotlib, in one place.

Each function below leans on something its library does not promise to keep.
Each says why it is needed and which versions it was checked against (the
pins of constraints.txt: ipywidgets 8.1.9, ipympl 0.10.0, matplotlib 3.11.2);
``tests/test_compat.py`` checks the behaviour relied on, so that a pinned
upgrade that changes it fails there, loudly, rather than in a browser.
"""

import collections
import struct
import sys
import zlib

try:  # the same deflate streams as zlib, 4-5x faster at level 1
    from zlib_ng import zlib_ng as _deflate
except ImportError:  # an install without zlib-ng still works, slower
    _deflate = zlib

import matplotlib as mpl
import numpy as np

#: The versions the workarounds below were checked against.
CHECKED_AGAINST = {"ipywidgets": "8.1.9", "ipympl": "0.10.0", "matplotlib": "3.11.2"}


def set_from_browser(widget, name="value"):
    """Whether the change of ``name`` being applied now came from the browser.

    Why: a browser slider answers each value set from code with its own copy
    (a log slider's is ``10 ** position``, a few ulps off); a panel must tell
    that echo from a learner's move. ipywidgets has no public flag for it, but
    while ``Widget.set_state`` applies the browser's state it holds that state
    in the private trait ``_property_lock`` (ipywidgets 8.1.9), and the
    observers run inside that window.
    """
    return name in getattr(widget, "_property_lock", {})


def attach_ipympl_canvas(fig):
    """Give a pyplot-free ``Figure`` an ipympl canvas widget; returns the canvas.

    Why: ipympl has no public call that makes a canvas for a figure built
    without pyplot (pyplot would keep every panel's figure alive in its
    registry). ``_Backend_ipympl.new_figure_manager_given_figure`` does it
    (ipympl 0.10.0, matplotlib 3.11.2's ``_Backend`` protocol). With rcParams
    ``interactive`` off, ipympl does not queue the figure for showing by itself.
    """
    from ipympl.backend_nbagg import _Backend_ipympl

    with mpl.rc_context({"interactive": False}):
        _Backend_ipympl.new_figure_manager_given_figure(id(fig), fig)
    return fig.canvas


def hold_frames_until_view_ready(canvas):
    """Send no image to the browser before the canvas's view is ready.

    Why: an image that reaches ipympl's view before the view has told the
    kernel it is ready leaves the canvas at 0 x 0 pixels for good (ipympl
    0.9-0.10, matplotlib/ipympl#472); a panel draws while it is built and while
    the cells after it drive it, all before the kernel reads that message. The
    ready view asks for a full drawing anyway, so no frame is lost. Relies on
    ipympl's ``Canvas.send_binary`` (the one exit of every frame) and on its
    ``syncing_data_url`` attribute, True until the view sends "initialized"
    (ipympl 0.10.0). A canvas without them is left alone.
    """
    send_binary = getattr(canvas, "send_binary", None)
    if send_binary is None or not hasattr(canvas, "syncing_data_url"):
        return

    def send_when_ready(data):
        if not canvas.syncing_data_url:  # False once the view is ready
            send_binary(data)

    canvas.send_binary = send_when_ready


def no_echo(widget):
    """Stop ipywidgets echoing a learner's moves of ``widget`` back to the page.

    Why: ipywidgets 8.1 answers every state change the browser sends with an
    ``echo_update`` message carrying the same value (so that other windows
    showing the same widget follow; ``widget.py``, ``set_state``). For a
    course control that is one of the six messages of a slider move, each
    costing the kernel and the learner's Jupyter server about a millisecond
    of CPU, for a value the page already shows. The echo is skipped for a
    trait whose metadata says ``echo_update=False``; traitlets (5.14) reads
    an instance's own metadata from ``_<trait>_metadata`` first, so this
    turns it off for this widget only. Its page does not need the echo:
    @jupyter-widgets/base 6 applies plain updates whether or not an echo
    came. A widget without ``keys`` is left alone.
    """
    for name in getattr(widget, "keys", ()):
        setattr(widget, f"_{name}_metadata", {"echo_update": False})


def mark_view_ready(canvas):
    """Make ``canvas`` behave as once a browser view has connected.

    Why: for timing a panel as a learner feels it. Until its view is ready,
    ipympl re-encodes a second PNG of every frame for its static fallback;
    it stops once ``syncing_data_url`` is False (ipympl 0.10.0), which is what
    its "initialized" message handler sets. A canvas without it is left alone.
    """
    if hasattr(canvas, "syncing_data_url"):
        canvas.syncing_data_url = False


def quick_frames(canvas):
    """Make the frames ipympl sends cheap to encode and small, same pixels.

    Why: encoding the frame was most of a slider move's CPU (12-36 ms of
    20-47 ms per move, against 3-14 ms of drawing). matplotlib's
    ``FigureCanvasWebAggCore.get_diff_image`` (3.11.2) sends, after the first
    full frame, a "diff" frame: the whole figure with every unchanged pixel
    transparent, which ipympl's view (0.10.0) draws over the last one at the
    top left corner (``drawImage(image, 0, 0)``; "full" frames clear first).
    It encodes it with Pillow's adaptive PNG filters at zlib level 6. This
    replacement keeps that protocol and its private state (``_png_is_old``,
    ``_force_full``, ``_last_buff``, ``set_image_mode``), but crops a diff
    frame below and right of its last changed pixel (it is still drawn from
    the top left corner) and writes the PNG with ``png_rgba``: about 2-8 ms
    instead of 12-36 ms, in up to 40% more bytes. The pixels the view ends up
    with are the same. A canvas without that private state is left alone.
    """
    if not all(hasattr(canvas, name) for name in
               ("_png_is_old", "_force_full", "_last_buff", "set_image_mode",
                "get_renderer")):
        return

    def get_diff_image():
        if not canvas._png_is_old:
            return None
        pixels = np.asarray(canvas.get_renderer().buffer_rgba())
        buff = pixels.view(np.uint32).squeeze(2)
        if (canvas._force_full or buff.shape != canvas._last_buff.shape
                or not _opaque(pixels, buff)):
            canvas.set_image_mode("full")
            output, full = buff, True
        else:
            canvas.set_image_mode("diff")
            output, full = _cropped_diff(buff, canvas._last_buff), False
        canvas._last_buff = buff.copy()
        canvas._force_full = False
        canvas._png_is_old = False
        canvas.lrcourse_frame = (full, png_rgba(output, up=full))
        return canvas.lrcourse_frame[1]

    canvas.get_diff_image = get_diff_image


def _opaque(pixels, buff):
    """Whether every pixel is opaque (a diff frame cannot carry alpha)."""
    if sys.byteorder == "little":  # alpha is the top byte of each uint32
        return bool((buff >= 0xFF000000).all())
    return bool((pixels[:, :, 3] == 255).all())


def _cropped_diff(buff, last):
    """The changed pixels of ``buff`` (others 0: transparent), cropped below
    and right of the last change (at least 1 x 1)."""
    changed = buff != last
    rows = np.flatnonzero(changed.any(axis=1))
    if rows.size == 0:
        return np.zeros((1, 1), dtype=buff.dtype)
    cols = np.flatnonzero(changed[: rows[-1] + 1].any(axis=0))
    h, w = rows[-1] + 1, cols[-1] + 1
    return np.where(changed[:h, :w], buff[:h, :w], 0)


def _chunk(tag, data):
    return (struct.pack(">I", len(data)) + tag + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))


def png_rgba(image, level=1, up=True):
    """PNG bytes of an (h, w) uint32 array of RGBA pixels (as Agg's buffer).

    With ``up``, every row uses PNG's "Up" filter (the byte above
    subtracted, mod 256), which suits a whole figure; without it, no filter,
    which suits a diff frame (a few changed pixels on a transparent ground:
    17% fewer bytes, and no subtraction). Then deflate at ``level`` with its
    run-length strategy, by zlib-ng when installed: for line art that is
    about 30x faster than Pillow's adaptive filters at zlib level 6, in
    5-40% more bytes.
    """
    h, w = image.shape
    rows = np.ascontiguousarray(image).view(np.uint8).reshape(h, 4 * w)
    raw = np.empty((h, 4 * w + 1), dtype=np.uint8)
    if up:
        raw[:, 0] = 2  # the filter type of each row: Up
        raw[0, 1:] = rows[0]
        np.subtract(rows[1:], rows[:-1], out=raw[1:, 1:])  # wraps mod 256
    else:
        raw[:, 0] = 0  # no filter
        raw[:, 1:] = rows
    packer = _deflate.compressobj(level, _deflate.DEFLATED, 15, 9, _deflate.Z_RLE)
    data = packer.compress(raw) + packer.flush()
    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data)
            + _chunk(b"IEND", b""))


#: How many backgrounds a ``FrameCache`` keeps frames for.
BACKGROUNDS_KEPT = 3


class FrameCache:
    """Diff frames already sent, by the two panel states they go between.

    Why: a learner drags back and forth over the same notches, and a panel
    whose results depend only on its controls' values (``Panel(cache=True)``)
    draws the same pixels for the same values over the same background.
    Drawing the moving artists and encoding the diff frame was most of a
    move's own CPU in the kernel (lesson 01: 2 + 1.2 of 6.5 ms). Here, once
    the step from state ``a`` to state ``b`` has been drawn, the same step
    later sends the same PNG again, without drawing or encoding.

    It relies on ipympl's canvas (0.10.0) as ``quick_frames`` does: a diff
    frame is drawn over the frame the page shows, ``set_image_mode`` tells
    the page which kind comes, and the next diff is taken against
    ``_last_buff``. After a resent frame the canvas's own pixels are those
    of an older state, so the next frame it draws goes in full
    (``_force_full``). Frames are kept per background (``background()``,
    the saved pixels the moving artists are drawn on, as of the last full
    drawing; a few backgrounds at most): a full drawing over a background
    seen before finds its frames again (a static copy rendered at another
    size, as ``Panel`` makes for the saved notebook, draws the figure once
    in full in between). A canvas without those private parts gets no
    cache (``for_canvas`` returns None).
    """

    def __init__(self, canvas, background, size=512):
        self.canvas = canvas
        self.size = size
        self.state = None  # the state the artists show (None: not a state)
        self.shown = None  # the state whose frame the page shows
        self._background = background
        self._frames = collections.OrderedDict()
        self._by_background = collections.OrderedDict()  # frames per background
        self._stale = False  # the canvas's last frame is not the page's
        canvas.mpl_connect("draw_event", self._drawn_in_full)

    @classmethod
    def for_canvas(cls, canvas, background, size=512):
        needed = ("_force_full", "set_image_mode", "send_binary", "_last_buff")
        if not all(hasattr(canvas, name) for name in needed):
            return None
        return cls(canvas, background, size)

    def __len__(self):
        return len(self._frames)

    def _drawn_in_full(self, event=None):
        region = self._background()
        key = None
        if region is not None:
            pixels = np.ascontiguousarray(region)
            key = (pixels.shape, zlib.crc32(pixels))
        frames = self._by_background.pop(key, None)
        if frames is None:  # a background not seen before: no frames yet
            frames = collections.OrderedDict()
        self._by_background[key] = self._frames = frames
        while len(self._by_background) > BACKGROUNDS_KEPT:
            self._by_background.popitem(last=False)
        if self._stale:  # the next frame must not be a diff against old pixels
            self.canvas._force_full = True
            self._stale = False
        self.shown = self.state

    def resend(self, state):
        """Send the kept frame from the page's state to ``state``, if any."""
        step = (self.shown, state)
        png = self._frames.get(step) if self.shown is not None else None
        if png is None:
            return False
        self._frames.move_to_end(step)
        self.canvas.set_image_mode("diff")
        self.canvas.send_binary(png)
        self.state = self.shown = state
        self._stale = True
        return True

    def before_drawing(self):
        """Call before a frame is drawn: after a resent frame it goes in full."""
        if self._stale:
            self.canvas._force_full = True
            self._stale = False
        self.canvas.lrcourse_frame = None

    def after_drawing(self, state):
        """Keep the diff frame just sent, as the step to ``state`` (None: a
        state that is not a function of the controls, kept nowhere)."""
        self.state = state
        frame = getattr(self.canvas, "lrcourse_frame", None)
        if frame is None:
            return
        full, png = frame
        if not full and self.shown is not None and state is not None:
            self._frames[(self.shown, state)] = png
            if len(self._frames) > self.size:
                self._frames.popitem(last=False)
        self.shown = state
