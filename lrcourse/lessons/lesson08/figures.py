"""Figures of lesson 08: schedules, a rate changed by hand, and re-compiling."""

import numpy as np

from ...plotting import PALETTE, caption, static_figure
from .analysis import KINDS, compose

#: One colour + line style per schedule kind (never colour alone).
KIND_STYLE = {
    "constant": {"color": PALETTE["grey"], "linestyle": "-"},
    "step_decay": {"color": PALETTE["orange"], "linestyle": "--"},
    "exponential_decay": {"color": PALETTE["green"], "linestyle": "-."},
    "cosine_decay": {"color": PALETTE["blue"], "linestyle": "-"},
    "warmup + cosine": {"color": PALETTE["purple"], "linestyle": ":"},
    "one_cycle": {"color": PALETTE["vermillion"], "linestyle": (0, (5, 1, 1, 1))},
}


def schedules_figure(lr=0.5, steps=300, warmup_steps=30, curvature=1.0, noise=1.0,
                     start=5.0):
    """Key figure: six schedules with one peak rate, and the expected loss of
    SGD on a noisy bowl under each."""
    fig, (ax_rate, ax_loss) = static_figure(width=12.0, height=4.4, ncols=2)
    settings = [(k, k, 0) for k in KINDS if k != "one_cycle"]
    settings += [("warmup + cosine", "cosine_decay", warmup_steps),
                 ("one_cycle", "one_cycle", 0)]
    for label, kind, warm in settings:
        run = compose(kind, lr=lr, warmup_steps=warm, steps=steps,
                      curvature=curvature, noise=noise, start=start, seed=0)
        style = KIND_STYLE[label]
        name = label.replace("_", " ")
        ax_rate.plot(np.arange(steps), run.rates, lw=2.2, label=name, **style)
        ax_loss.plot(np.arange(steps + 1), run.expected, lw=2.2,
                     label=f"{name}: {run.final_expected:.3f}", **style)
    ax_rate.set_xlabel("update k")
    ax_rate.set_ylabel("learning rate")
    ax_rate.set_ylim(0, lr * 1.55)
    ax_rate.set_title(f"the rate (peak {lr:g})")
    ax_rate.legend(loc="upper center", fontsize=11, ncols=2, columnspacing=1.0)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("update k")
    ax_loss.set_ylabel("expected loss (log scale)")
    ax_loss.set_ylim(1e-3, 2e3)
    ax_loss.set_title(f"SGD on a noisy bowl (lambda = {curvature:g}, "
                      f"noise {noise:g})")
    ax_loss.legend(loc="upper right", fontsize=11, title="final expected loss",
                   title_fontsize=11, ncols=2, columnspacing=1.0)
    caption(fig, f"Six schedules peaking at {lr:g}, {steps} updates: the loss "
                 "floor falls as the rate falls; a constant rate stays on its floor.")
    return fig


def _smooth(values, window):
    v = np.asarray(values, dtype=float)
    if len(v) < window:
        return np.full(len(v), np.nan)
    kernel = np.ones(window) / window
    out = np.full(len(v), np.nan)
    out[window - 1:] = np.convolve(v, kernel, mode="valid")
    return out


def _joined(histories, key):
    return np.concatenate([getattr(h.trace, key) for h in histories])


def rate_change_figure(changed, kept, window=210, labels=("changed", "kept")):
    """The rate and the loss per update for two runs: ``changed`` (a list of
    Histories, one per ``fit`` call) and ``kept`` (one History).

    The loss is the mini-batch loss averaged over ``window`` updates.
    """
    fig, (ax_rate, ax_loss) = static_figure(width=12.0, height=4.2, ncols=2)
    boundary = len(changed[0].trace.lrs)
    runs = [(labels[0], changed, PALETTE["blue"], "-"),
            (labels[1], [kept], PALETTE["orange"], "--")]
    for label, hists, color, ls in runs:
        lrs, losses = _joined(hists, "lrs"), _joined(hists, "losses")
        k = np.arange(1, len(lrs) + 1)
        ax_rate.plot(k, lrs, color=color, linestyle=ls, lw=2.2, label=label)
        ax_loss.plot(k, _smooth(losses, window), color=color, linestyle=ls, lw=2.2,
                     label=label)
    for ax in (ax_rate, ax_loss):
        ax.axvline(boundary + 0.5, color=PALETTE["black"], lw=1, linestyle=":")
        ax.set_xlabel("update k")
        ax.legend(loc="upper right", fontsize=11)
    ax_rate.set_yscale("log")
    ax_rate.set_ylabel("learning rate (log scale)")
    ax_rate.set_title("trace.lrs: the rate of each update")
    ax_loss.set_ylabel(f"mini-batch loss, mean of {window}")
    ax_loss.set_title("the loss drops to a lower floor")
    lows = _smooth(_joined(changed, "losses"), window)
    lo = float(np.nanmin(lows))
    ax_loss.set_ylim(lo * 0.9, lo * 1.6)
    caption(fig, "The rate lowered by hand after update "
                 f"{boundary}: the loss settles to a lower floor within an epoch.")
    return fig


def recompile_figure(kept, recompiled, lr, n_params, before=50):
    """Update size and loss around the moment of ``compile``.

    ``kept`` and ``recompiled`` are pairs ``(history_before, history_after)``
    of full-batch runs; the update size is the root mean square change of a
    weight, in units of ``lr``.
    """
    fig, (ax_size, ax_loss) = static_figure(width=12.0, height=4.2, ncols=2)
    scale = lr * np.sqrt(n_params)
    runs = [("kept training (moments kept)", kept, PALETTE["blue"], "-", "o"),
            ("re-compiled (moments lost)", recompiled, PALETTE["vermillion"], "--",
             "^")]
    for label, (h0, h1), color, ls, marker in runs:
        n0 = len(h0.trace.update_norms)
        k = np.arange(n0 - before + 1, n0 + len(h1.trace.update_norms) + 1)
        size = np.concatenate([h0.trace.update_norms[-before:],
                               h1.trace.update_norms]) / scale
        loss = np.concatenate([h0.trace.losses[-before:], h1.trace.losses])
        style = {"color": color, "linestyle": ls, "lw": 2.0}
        ax_size.plot(k, size, label=label, **style)
        ax_size.plot(k[before], size[before], marker=marker, markersize=10,
                     color=color, linestyle="none")
        ax_loss.plot(k, loss, label=label, **style)
        ax_loss.plot(k[before], loss[before], marker=marker, markersize=10,
                     color=color, linestyle="none")
        ax_size.axvline(n0 + 0.5, color=PALETTE["black"], lw=1, linestyle=":")
        ax_loss.axvline(n0 + 0.5, color=PALETTE["black"], lw=1, linestyle=":")
    ax_size.set_xlabel("update k")
    ax_size.set_ylabel("RMS change per weight / lr")
    ax_size.set_ylim(0, 1.1)
    ax_size.set_title("each update, in units of lr")
    ax_size.legend(loc="upper left", fontsize=11)
    ax_loss.set_xlabel("update k")
    ax_loss.set_ylabel("training loss")
    ax_loss.set_title("the loss before each update")
    ax_loss.legend(loc="upper right", fontsize=11)
    caption(fig, "Re-compiling resets Adam: its next update moves each weight that "
                 "has a gradient by about lr, and the loss jumps.")
    return fig
