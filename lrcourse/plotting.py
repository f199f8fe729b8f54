"""Plotting helpers: each takes an Axes first, draws, returns its artists.

Only this package imports matplotlib. Colours come from the Okabe-Ito
palette, which colour-blind readers can tell apart; regimes are told apart by
line style and marker too, never by colour alone.
"""

import io

import matplotlib as mpl
import matplotlib.colors
import matplotlib.text
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import _compat

#: Okabe-Ito colours.
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73",
    "vermillion": "#D55E00", "sky": "#56B4E9", "purple": "#CC79A7",
    "yellow": "#F0E442", "black": "#000000", "grey": "#999999",
}

#: How each regime is drawn: colour, line style and marker differ.
REGIME_STYLE = {
    "monotone": {"color": PALETTE["blue"], "linestyle": "-", "marker": "o"},
    "oscillating": {"color": PALETTE["orange"], "linestyle": "--", "marker": "s"},
    "marginal": {"color": PALETTE["purple"], "linestyle": "-.", "marker": "D"},
    "divergent": {"color": PALETTE["vermillion"], "linestyle": ":", "marker": "^"},
}

#: Styling for every figure of the course (fonts of at least 12 pt).
RC = {
    "font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12,
    "xtick.labelsize": 12, "ytick.labelsize": 12, "legend.fontsize": 12,
    "figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3,
    "axes.prop_cycle": mpl.cycler(color=[PALETTE[c] for c in (
        "blue", "orange", "green", "vermillion", "purple", "sky", "black")]),
}


#: The width, in pixels, of a JupyterLab column a figure must fit unshrunk.
COLUMN_PX = 900


def fitting_dpi(width, dpi=100):
    """The dpi at most ``dpi`` at which a figure ``width`` inches wide fits the
    column; 12 pt text stays at 12 px or more for figures up to 12.5 inches."""
    return min(float(dpi), COLUMN_PX / float(width))


def course_style():
    """A context manager applying the course's rc settings."""
    return mpl.rc_context(RC)


def live_figure(width=9.0, height=3.6, ncols=2, **subplot_kw):
    """A figure for a live panel, on an ipympl canvas widget, made once.

    Returns ``(fig, axes)``; ``fig.canvas`` is the widget to lay out. The
    figure stays out of pyplot's registry (re-running a cell leaks nothing)
    and its header and toolbar are hidden so the page does not change.
    """
    with course_style():
        fig = Figure(figsize=(width, height), dpi=fitting_dpi(width))
        axes = fig.subplots(1, ncols, **subplot_kw)
    canvas = _compat.attach_ipympl_canvas(fig)
    for attr, value in (("header_visible", False), ("toolbar_visible", False),
                        ("footer_visible", False), ("resizable", False),
                        ("capture_scroll", False)):
        if hasattr(canvas, attr):
            setattr(canvas, attr, value)
    _compat.quick_frames(canvas)
    _compat.hold_frames_until_view_ready(canvas)
    return fig, axes


def static_figure(width=10.0, height=3.6, ncols=3, **subplot_kw):
    """A figure drawn with Agg only (no backend, no pyplot), for key figures."""
    with course_style():
        fig = Figure(figsize=(width, height), dpi=fitting_dpi(width),
                     layout="constrained")
        axes = fig.subplots(1, ncols, **subplot_kw)
    FigureCanvasAgg(fig)
    return fig, axes


def png_bytes(fig, dpi=100):
    """Render ``fig`` to PNG bytes with Agg, at most ``COLUMN_PX`` wide: a
    figure whose tight box is wider than the column is rendered again at the
    dpi that fits it (text scales with it; 12 pt stays above 11 px)."""
    data = _render_png(fig, dpi)
    width = int.from_bytes(data[16:20], "big")
    if width > COLUMN_PX:
        data = _render_png(fig, dpi * (COLUMN_PX - 1) / width)
    return data


def _render_png(fig, dpi):
    buf = io.BytesIO()
    with course_style():
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def show_png(fig, dpi=100):
    """Display ``fig`` as a plain PNG image output (reads without a kernel)."""
    from IPython.display import Image, display

    display(Image(data=png_bytes(fig, dpi=dpi)))


def loss_curve(problem, lo, hi, n=400):
    """``(w, loss(w))`` on a grid, for drawing the loss under a path."""
    w = np.linspace(lo, hi, n)
    return w, problem.loss(w)


def clip_path(weights, losses, lo, hi, ax=None):
    """Path coordinates with runaway points pinned just outside the axes, so
    a diverging path stays visible without wrecking the limits."""
    w = np.asarray(weights, dtype=float)
    f = np.asarray(losses, dtype=float)
    span = hi - lo
    w = np.clip(w, lo - 0.02 * span, hi + 0.02 * span)
    if ax is not None and ax.get_autoscaley_on() is False:
        top = ax.get_ylim()[1]
        f = np.minimum(f, top * 1.02)
    return w, f


def caption(fig, text):
    """A one-line caption under a figure."""
    fig.text(0.5, -0.02, text, ha="center", va="top", fontsize=12)


#: How many rendered texts a ``Blitter`` keeps (titles, one per grid value).
TEXT_CACHE_SIZE = 256


class Blitter:
    """Redraw only the moving artists of a figure whose axes stay fixed.

    The pattern of matplotlib's blitting tutorial: the artists given are
    marked animated; after every full draw the background (axes, ticks,
    labels, fixed curves) is saved; ``update()`` restores it, draws the
    animated artists on top and sends just that. A full draw costs ~70 ms
    here (mostly tick labels); a blit a few milliseconds.

    A moving text that no other moving artist can reach (a title, while the
    other moving artists are clipped to their axes) is drawn once per
    string: its pixels over the background are kept and put back the next
    time it shows that string (drawing a title costs ~4 ms, putting it back
    ~0.05 ms). A full draw forgets them.
    """

    def __init__(self, fig, artists):
        self.fig = fig
        self.canvas = fig.canvas
        self.artists = []
        self.background = None
        self._texts = {}  # text's look -> its pixels over the background
        for artist in artists:
            self.add(artist)
        self.canvas.mpl_connect("draw_event", self._on_draw)

    def add(self, artist):
        artist.set_animated(True)
        self.artists.append(artist)
        return artist

    def _on_draw(self, event):
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._texts.clear()  # the layout may have moved
        self._draw_artists()

    def _draw_artists(self):
        for artist in self.artists:
            key = _text_key(artist)
            kept = self._texts.get(key) if key is not None else None
            if kept is not None:
                self.canvas.restore_region(kept)
                continue
            self.fig.draw_artist(artist)
            if key is not None and key not in self._texts:
                self._keep_text(key, artist)

    def _keep_text(self, key, text):
        """Keep the pixels of ``text`` if no other moving artist can reach
        them (each is clipped to a box away from the text)."""
        box = text.get_window_extent().padded(2)
        reachable = any(
            not (a.get_clip_on() and a.get_clip_box() is not None
                 and not a.get_clip_box().overlaps(box))
            for a in self.artists if a is not text)
        if box.width <= 0 or box.height <= 0 or reachable:
            self._texts[key] = None  # drawn each time
            return
        if len(self._texts) >= TEXT_CACHE_SIZE:
            self._texts.pop(next(iter(self._texts)))
        self._texts[key] = self.canvas.copy_from_bbox(box)

    def update(self):
        """Draw the animated artists over the saved background and send it."""
        if self.background is None:
            self.canvas.draw()  # first time: full draw saves the background
        else:
            self.canvas.restore_region(self.background)
            self._draw_artists()
            self.canvas.blit(self.fig.bbox)


def _text_key(artist):
    """What a text's pixels depend on (None for other artists)."""
    if not isinstance(artist, mpl.text.Text) or not artist.get_text():
        return None
    return (id(artist), artist.get_text(), artist.get_visible(),
            mpl.colors.to_rgba(artist.get_color(), artist.get_alpha()),
            artist.get_unitless_position(), artist.get_fontproperties(),
            artist.get_rotation(), artist.get_horizontalalignment(),
            artist.get_verticalalignment(), id(artist.get_transform()))

