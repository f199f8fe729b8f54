"""Lesson 01 analysis: one run of gradient descent on a bowl, its step table."""

from dataclasses import dataclass

from ...descent import Trace, classify_lr, gradient_descent
from ...problems import Quadratic
from ...readouts import descent_readout


@dataclass(frozen=True)
class DescentRun:
    """The descent panel's result: the run at ``lr`` for ``steps`` updates,
    its regime, and the update highlighted (``shown``, 0 for none)."""

    lr: float
    curvature: float
    trace: Trace
    regime: str
    shown: int


class Descent:
    """The descent panel's compute: ``(lr, steps, update) -> DescentRun``.

    The run is kept while only the highlighted update moves, so the result
    holds the same ``trace`` object and the view redraws the highlight only.

    >>> run = Descent(curvature=2.0, start=3.0)(lr=0.1, steps=20, update=3)
    >>> run.regime, run.shown, f"{run.trace.weights[3]:.3f}"
    ('monotone', 3, '1.536')
    """

    def __init__(self, curvature, start):
        self.problem = Quadratic(curvature=curvature, minimum=0.0)
        self.curvature = curvature
        self.start = start
        self._last = (None, None)  # (lr, steps) and its trace

    def __call__(self, lr, steps, update):
        key, trace = self._last
        if key != (lr, steps):
            trace = gradient_descent(self.problem, lr=lr, steps=steps,
                                     start=self.start)
            self._last = ((lr, steps), trace)
        return DescentRun(lr=lr, curvature=self.curvature, trace=trace,
                          regime=classify_lr(lr, self.curvature),
                          shown=min(update, trace.steps))


#: Update 1 "lands close" when it leaves less than this share of the start's
#: distance to the minimum (only the slider's notch nearest 1/lambda does).
LANDS_CLOSE = 0.02


def first_landing(trace, minimum=0.0):
    """A line when update 1 lands very close to the minimum, else "".

    >>> from lrcourse import Quadratic, gradient_descent
    >>> first_landing(gradient_descent(Quadratic(), lr=0.5012, steps=3, start=3.0))
    'update 1 lands 0.0072 from the minimum (0.24% of the start)'
    """
    if trace.steps == 0 or trace.diverged:
        return ""
    start = abs(float(trace.weights[0]) - minimum)
    after = abs(float(trace.weights[1]) - minimum)
    if start == 0 or after >= LANDS_CLOSE * start:
        return ""
    if after == 0:
        return "update 1 lands exactly on the minimum"
    share = 100 * after / start
    return (f"update 1 lands {after:.2g} from the minimum "
            f"({share:.2g}% of the start)")


def descent_run_readout(run):
    """The descent panel's text (see ``readouts.descent_readout``), with a
    line when update 1 lands very close to the minimum."""
    text = descent_readout(run.trace, run.curvature)
    landing = first_landing(run.trace)
    return f"{text}\n{landing}" if landing else text


def step_table_html(trace, current=None, max_rows=12):
    """The step table: step, old weight, gradient, lr x gradient, new, loss."""
    head = ("<tr><th>update</th><th>old w</th><th>gradient</th><th>lr</th>"
            "<th>lr x gradient</th><th>new w = old - lr x grad</th>"
            "<th>loss</th></tr>")
    rows = trace.rows(1, max_rows)
    body = []
    for r in rows:
        mark = ' style="background:#FFE8A3;font-weight:bold"' if (
            r["step"] == current) else ""
        body.append(
            f"<tr{mark}><td>{r['step']}</td><td>{r['old']:.6f}</td>"
            f"<td>{r['grad']:.6f}</td><td>{r['lr']:.4g}</td>"
            f"<td>{r['lr_x_grad']:.6f}</td><td>{r['new']:.6f}</td>"
            f"<td>{r['loss']:.6f}</td></tr>")
    more = trace.steps - len(rows)
    note = f"<p>... and {more} more updates</p>" if more > 0 else ""
    return ('<table class="lr-step-table" style="font-family:monospace;'
            f'font-size:13px">{head}{"".join(body)}</table>{note}')


def run_step_table(run):
    """The step table of a ``DescentRun``, its highlighted update marked."""
    k = run.shown
    return step_table_html(run.trace, current=k if k >= 1 else None,
                           max_rows=max(12, k))
