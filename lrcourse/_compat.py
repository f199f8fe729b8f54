"""Every use of a private API of ipywidgets, ipympl or matplotlib, in one place.

Each function below leans on something its library does not promise to keep.
Each says why it is needed and which versions it was checked against (the
pins of constraints.txt: ipywidgets 8.1.9, ipympl 0.10.0, matplotlib 3.11.2);
``tests/test_compat.py`` checks the behaviour relied on, so that a pinned
upgrade that changes it fails there, loudly, rather than in a browser.
"""

import matplotlib as mpl

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


def mark_view_ready(canvas):
    """Make ``canvas`` behave as once a browser view has connected.

    Why: for timing a panel as a learner feels it. Until its view is ready,
    ipympl re-encodes a second PNG of every frame for its static fallback;
    it stops once ``syncing_data_url`` is False (ipympl 0.10.0), which is what
    its "initialized" message handler sets. A canvas without it is left alone.
    """
    if hasattr(canvas, "syncing_data_url"):
        canvas.syncing_data_url = False
