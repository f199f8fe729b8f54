"""Lesson 09 panel: full-batch training with the sharpness traced (on release)."""

from ...widgets import Panel, log_slider
from .analysis import LR_MAX, LR_MIN, LR_STEP, EdgeRuns, edge_readout
from .figures import EdgeView

__all__ = ["LR_MAX", "LR_MIN", "LR_STEP", "edge_panel"]


def edge_panel(lr=0.5011872336272722, steps=1000, every=10, n=420, seed=0):
    """Full-batch gradient descent on the reference network at the slider's
    rate: the sharpness against the update with the 2/lr line, and the loss.

    The slider acts on release: the readout says "training..." while the run
    (about 0.3-0.5 s) is computed; runs are kept, so a revisited rate is
    instant. Returns a ``Panel`` with the control ``lr``.
    """
    controls = {"lr": log_slider(lr, LR_MIN, LR_MAX, LR_STEP,
                                 continuous_update=False)}
    return Panel(title="Lesson 09: the sharpness during full-batch training",
                 controls=controls,
                 compute=EdgeRuns(n=n, seed=seed, steps=steps, every=every),
                 view=EdgeView(steps), readout=edge_readout, cache=True,
                 busy="training...")
