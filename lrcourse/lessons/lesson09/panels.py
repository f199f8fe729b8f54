"""Lesson 09 panel: full-batch training with the sharpness traced (on release)."""

from ...readouts import lr_grid
from ...widgets import Panel, log_slider
from .analysis import LR_MAX, LR_MIN, LR_STEP, EdgeRuns, edge_readout
from .figures import EdgeView

__all__ = ["LR_MAX", "LR_MIN", "LR_STEP", "bench_cases", "edge_panel"]


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


def bench_cases():
    """Benchmark cases: the panel exactly as the notebook builds it."""
    grid = lr_grid(LR_MIN, LR_MAX, LR_STEP)
    return [{
        "name": "lesson09.edge_panel",
        "make": lambda: edge_panel(lr=float(grid[0]), steps=1000, every=10, n=420,
                                   seed=0),
        "control": "lr",
        "values": [float(grid[4]), float(grid[6]), float(grid[8]), float(grid[9])],
        "kind": "release",
    }]
