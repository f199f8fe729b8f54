"""Lesson 10: today's practice, on problems where the answer is exact.

* A river valley: a 2-D bowl with a steep direction across (where the
  mini-batch noise lives) and a gentle one along. The expected loss of noisy
  SGD under any schedule follows an exact recursion, so warmup-stable-decay
  (WSD), cosine and a constant rate compare without averaging runs.
* Schedule-free AdamW (``lrcourse.ScheduleFreeAdamW``) on the same valley:
  the fast iterate ``y`` and the averaged weights ``x``, against Adam with
  and without a decay, averaged over seeded runs.
* AdamW's decoupled decay against an L2 penalty in the loss under Adam, on a
  weight the data does not need.
* Batch size and the rate on a noisy bowl: the best rate for a fixed number
  of samples, exact for SGD, measured over runs for Adam.

The network measurements (warmup, batch size on the network) live in
``network.py``.
"""

import math

import numpy as np

from ... import schedules as _schedules
from ..._validate import check_count, check_positive, check_rng
from ...optimizers import Adam, AdamW, ScheduleFreeAdamW

# -- the river valley ------------------------------------------------------------------
#: Across the valley: curvature and gradient noise; along it: a gentle slope.
STEEP, GENTLE = 1.0, 0.005
NOISE = 1.0
#: Where every valley run starts: (across, along).
START = (1.0, 20.0)
#: The valley runs' length and the WSD panel's default decay length.
STEPS = 1000
KINDS = ("constant", "cosine", "wsd")
KIND_LABELS = {"constant": "constant", "cosine": "cosine decay",
               "wsd": "warmup-stable-decay"}
#: WSD's warmup (updates) in this lesson's valley runs.
WARMUP = 20


def valley_loss(w):
    """The valley's loss at weights ``w`` (last axis: across, along)."""
    w = np.asarray(w, dtype=float)
    return 0.5 * (STEEP * w[..., 0] ** 2 + GENTLE * w[..., 1] ** 2)


def valley_grad(w):
    w = np.asarray(w, dtype=float)
    return np.stack([STEEP * w[..., 0], GENTLE * w[..., 1]], axis=-1)


def schedule_rates(kind, lr, steps=STEPS, decay_start=800):
    """The rate of each of ``steps`` updates: ``kind`` "constant", "cosine"
    (Keras' CosineDecay to 0 over the run) or "wsd" (a short warmup, ``lr``
    held, then a linear decay to 0 from update ``decay_start`` on).

    >>> r = schedule_rates("wsd", 0.5, steps=100, decay_start=80)
    >>> f"{r[50]:.2f} {r[90]:.3f} {r[-1]:.3f}"
    '0.50 0.250 0.025'
    """
    lr = check_positive("lr", lr)
    steps = check_count("steps", steps, minimum=2)
    k = np.arange(steps)
    if kind == "constant":
        return np.full(steps, lr)
    if kind == "cosine":
        return np.asarray(_schedules.cosine_decay(lr, decay_steps=steps)(k))
    if kind == "wsd":
        decay_start = check_count("decay_start", decay_start, minimum=0)
        warm = min(WARMUP, max(decay_start - 1, 0))
        if not warm < decay_start < steps:
            raise ValueError(f"decay_start must be an integer in {warm + 1}.."
                             f"{steps - 1}, got {decay_start}")
        s = _schedules.warmup_stable_decay(lr, steps, warm, steps - decay_start)
        return np.asarray(s(k), dtype=float)
    raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")


def expected_valley(rates, start=START):
    """Exact expected loss of noisy SGD on the valley, across and along.

    ``rates`` has shape (..., steps). In each direction the mean ``m`` and
    the variance ``s`` follow ``m <- (1 - r lambda) m`` and
    ``s <- (1 - r lambda)^2 s + r^2 sigma^2`` (noise only across). Returns
    ``(across, along)``, each of shape (..., steps + 1), NaN once a run
    has passed 2/lambda for good (its expectation grows without bound).
    """
    rates = np.asarray(rates, dtype=float)
    n = rates.shape[-1]
    out = np.empty((2,) + rates.shape[:-1] + (n + 1,))
    lam = (STEEP, GENTLE)
    noise = (NOISE, 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        for d in range(2):
            m = np.full(rates.shape[:-1], float(start[d]))
            s = np.zeros(rates.shape[:-1])
            out[d, ..., 0] = 0.5 * lam[d] * m * m
            for k in range(n):
                a = 1.0 - rates[..., k] * lam[d]
                m, s = a * m, a * a * s + (rates[..., k] * noise[d]) ** 2
                out[d, ..., k + 1] = 0.5 * lam[d] * (m * m + s)
    out[~np.isfinite(out) | (out > 1e6)] = np.nan
    return out[0], out[1]


def valley_path(rates, seed=0, start=START):
    """One seeded noisy SGD run on the valley at ``rates``: the weights,
    shape (steps + 1, 2)."""
    rng = check_rng(seed, "seed")
    rates = np.asarray(rates, dtype=float)
    noise = rng.standard_normal(len(rates)) * NOISE
    w = np.empty((len(rates) + 1, 2))
    w[0] = start
    with np.errstate(over="ignore", invalid="ignore"):
        for k, r in enumerate(rates):
            g = valley_grad(w[k])
            g[0] += noise[k]
            w[k + 1] = w[k] - r * g
    return w


class ValleyRun:
    """Constant, cosine and WSD at one peak rate on the valley.

    ``rates[kind]``, ``across[kind]`` and ``along[kind]`` (expected losses,
    ``steps + 1`` values); ``total(kind)`` their sum; ``path`` one seeded
    WSD run (weights per update).
    """

    def __init__(self, lr, decay_start, rates, across, along, path):
        self.lr, self.decay_start = lr, decay_start
        self.rates, self.across, self.along, self.path = rates, across, along, path

    def total(self, kind):
        return self.across[kind] + self.along[kind]

    def final(self, kind):
        return float(self.total(kind)[-1])

    @property
    def steps(self):
        return len(self.rates["constant"])

    def __repr__(self):
        finals = ", ".join(f"{k} {self.final(k):.3g}" for k in KINDS)
        return f"ValleyRun(lr={self.lr:g}, decay_start={self.decay_start}: {finals})"


def valley_run(lr=0.5, decay_start=800, steps=STEPS, seed=0):
    """Constant, cosine and WSD peaking at ``lr`` on the river valley.

    >>> run = valley_run(0.5, 800)
    >>> f"{run.final('constant'):.3f}", run.final("wsd") < run.final("cosine")
    ('0.173', True)
    """
    rates = {k: schedule_rates(k, lr, steps, decay_start) for k in KINDS}
    across, along = expected_valley(np.stack([rates[k] for k in KINDS]))
    return ValleyRun(float(lr), int(decay_start), rates,
                     dict(zip(KINDS, across)), dict(zip(KINDS, along)),
                     valley_path(rates["wsd"], seed))


def valley_paths(rates, seed=0, start=START):
    """Seeded noisy SGD runs on the valley, one per row of ``rates`` (shape
    (..., steps)); every row sees the same noise. Returns the weights, shape
    (..., steps + 1, 2); a runaway run is NaN from where it passed 1e6."""
    rng = check_rng(seed, "seed")
    rates = np.asarray(rates, dtype=float)
    steps = rates.shape[-1]
    noise = rng.standard_normal(steps) * NOISE
    w = np.empty(rates.shape[:-1] + (steps + 1, 2))
    w[..., 0, :] = start
    lam = np.array([STEEP, GENTLE])
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            g = lam * w[..., k, :]
            g[..., 0] += noise[k]
            w[..., k + 1, :] = w[..., k, :] - rates[..., k, None] * g
    w[~(np.abs(w) < 1e6)] = np.nan
    return w


class ValleyGrid:
    """Every setting of the WSD panel, computed once: constant, cosine and
    WSD at each peak rate of ``lrs`` and each decay start of ``starts``.

    Calling it with ``lr`` and ``decay_start`` (values on the grid) returns
    that setting's ``ValleyRun``, by lookup.
    """

    def __init__(self, lrs, starts, steps=STEPS, seed=0):
        self.lrs = np.asarray(lrs, dtype=float)
        self.starts = tuple(int(s) for s in starts)
        self.steps, self.seed = steps, seed
        rates = np.array([[[schedule_rates(k, lr, steps, s) for k in KINDS]
                           for s in self.starts] for lr in self.lrs])
        self.rates = rates
        self.across, self.along = expected_valley(rates)
        self.paths = valley_paths(rates[:, :, KINDS.index("wsd")], seed)

    def __call__(self, lr, decay_start):
        i = int(np.argmin(np.abs(np.log(self.lrs / lr))))
        if decay_start not in self.starts:
            raise ValueError(f"decay_start must be one of {self.starts}, "
                             f"got {decay_start!r}")
        j = self.starts.index(decay_start)
        pick = {k: n for n, k in enumerate(KINDS)}
        return ValleyRun(float(self.lrs[i]), decay_start,
                         {k: self.rates[i, j, n] for k, n in pick.items()},
                         {k: self.across[i, j, n] for k, n in pick.items()},
                         {k: self.along[i, j, n] for k, n in pick.items()},
                         self.paths[i, j])


def valley_floor(lr):
    """The constant rate's floor across the valley (lesson 04's formula)."""
    return lr * NOISE**2 / (2.0 * (2.0 - lr * STEEP))


def valley_readout(run):
    """The WSD panel's readout: each schedule's final expected loss."""
    lines = [f"peak rate {run.lr:.3g}; WSD decays from update {run.decay_start} "
             f"to {run.steps}"]
    if run.lr * STEEP >= 2.0:
        lines.append(f"the peak is above 2/lambda = {2 / STEEP:g} across the valley: "
                     "constant and WSD diverge there")
    for kind in KINDS:
        across, along = run.across[kind][-1], run.along[kind][-1]
        if not math.isfinite(across + along):
            lines.append(f"{KIND_LABELS[kind]:>20}: diverged")
            continue
        lines.append(f"{KIND_LABELS[kind]:>20}: expected loss after {run.steps} "
                     f"updates {across + along:.4f} (across {across:.4f}, "
                     f"along {along:.4f})")
    return "\n".join(lines)


def branched_decays(lr=0.5, starts=(200, 400, 600, 800), decay_steps=100,
                    steps=STEPS):
    """One constant-rate run, and linear decays of ``decay_steps`` updates
    branched from it at each of ``starts``.

    Returns ``(constant, branches)``: the constant run's expected loss
    (``steps + 1`` values) and, per start, the expected loss of the branch
    over its decay (``decay_steps + 1`` values, starting at the branch point).
    """
    constant = np.full(steps, check_positive("lr", lr))
    across, along = expected_valley(constant)
    branches = {}
    for s in starts:
        s = check_count("starts", s)
        if s + decay_steps > steps:
            raise ValueError(f"starts must be <= {steps - decay_steps}, got {s}")
        rates = np.concatenate([constant[:s],
                                lr * (1 - np.arange(1, decay_steps + 1)
                                      / (decay_steps + 1))])
        a, b = expected_valley(rates)
        branches[s] = (a + b)[s:]
    return across + along, branches


# -- schedule-free AdamW ---------------------------------------------------------------
#: The schedule-free panel's runs: seeded repeats and updates.
SF_RUNS, SF_STEPS = 32, 1000


def _noisy_grad(w, rng):
    g = valley_grad(w)
    g[..., 0] += NOISE * rng.standard_normal(w.shape[:-1])
    return g


def schedule_free_runs(lrs, steps=SF_STEPS, runs=SF_RUNS, seed=0, warmup_steps=0):
    """Schedule-free AdamW, Adam at a constant rate and Adam with a linear
    decay to 0, on the noisy valley at every rate of ``lrs`` (``runs``
    seeded repeats; every optimizer sees the same noise).

    Returns a dict of mean (noise-free) losses, each shape (rates, steps + 1):
    "y" (the weights schedule-free training holds and takes its gradients at),
    "x" (its averaged weights, the ones to evaluate), "adam" and
    "adam_decay".
    """
    lrs = np.asarray(lrs, dtype=float)
    rng = check_rng(seed, "seed")
    shape = (len(lrs), runs, 2)
    rate = lrs[:, None, None]
    decay = 1.0 - np.arange(steps) / steps
    sf = ScheduleFreeAdamW(learning_rate=1.0, warmup_steps=warmup_steps)
    adam = Adam(learning_rate=1.0)
    w = {k: np.broadcast_to(np.array(START), shape).copy()
         for k in ("y", "adam", "adam_decay")}
    states = {"y": sf.init([w["y"]]), "adam": adam.init([w["adam"]]),
              "adam_decay": adam.init([w["adam_decay"]])}
    out = {k: np.empty((len(lrs), steps + 1)) for k in ("y", "x", "adam",
                                                         "adam_decay")}
    for k in out:
        out[k][:, 0] = valley_loss(np.array(START))
    for t in range(steps):
        noise = NOISE * rng.standard_normal((runs,))
        for key, opt, r in (("y", sf, rate), ("adam", adam, rate),
                            ("adam_decay", adam, rate * decay[t])):
            g = valley_grad(w[key])
            g[..., 0] += noise
            (change,), states[key] = opt.update([g], states[key], r, [w[key]])
            w[key] += change
            out[key][:, t + 1] = valley_loss(w[key]).mean(axis=1)
        x = sf.averaged_weights([w["y"]], states["y"])[0]
        out["x"][:, t + 1] = valley_loss(x).mean(axis=1)
    return out


def schedule_free_readout(result):
    """Readout of the schedule-free panel: one rate's final mean losses."""
    lr, losses = result["lr"], result["losses"]
    n = len(losses["x"]) - 1
    names = {"x": "schedule-free, averaged x (evaluate this)",
             "y": "schedule-free, iterate y (the model's variables)",
             "adam": "Adam, constant rate",
             "adam_decay": "Adam, linear decay to 0"}
    lines = [f"rate {lr:.3g}, no schedule for schedule-free; mean loss after {n} "
             f"updates over {result['runs']} seeded runs:"]
    for key, name in names.items():
        lines.append(f"  {name:<48} {losses[key][-1]:.4f}")
    return "\n".join(lines)


# -- AdamW: the decay is multiplied by the rate ----------------------------------------
#: The AdamW panel's weight decay, L2 factor and run length.
WEIGHT_DECAY, L2_FACTOR, DECAY_STEPS = 0.1, 0.01, 1000


class DecayRuns(dict):
    """``decay_runs``' weights by method ("adamw", "adam_l2", "adam",
    "predicted"), each shape (rates, steps + 1), with the rates in ``lrs``."""

    def __init__(self, lrs, weights):
        super().__init__(weights)
        self.lrs = lrs

    def final(self, method, lr=None):
        """The weight after the last update of ``method`` at the rate ``lr``
        (which may be left out when there is one rate)."""
        if method not in self:
            raise ValueError(f"method must be one of {tuple(self)}, got {method!r}")
        hits = np.flatnonzero(np.isclose(self.lrs, self.lrs[0] if lr is None else lr))
        if not hits.size or (lr is None and len(self.lrs) != 1):
            raise ValueError(f"lr must be one of the rates run, {self.lrs.tolist()}, "
                             f"got {lr!r}")
        return float(self[method][hits[0], -1])


def decay_runs(lrs, weight_decay=WEIGHT_DECAY, l2_factor=L2_FACTOR,
               steps=DECAY_STEPS, start=1.0):
    """A weight the data does not need (its data gradient is 0), at every
    rate of ``lrs``: AdamW with ``weight_decay``; Adam with an L2 penalty
    ``l2_factor * w^2`` in the loss (gradient ``2 l2_factor w``); plain Adam.

    Returns a ``DecayRuns``: a dict of weights, each shape (rates, steps + 1)
    ("predicted" is AdamW's ``(1 - lr weight_decay)^k``), whose
    ``final(method)`` is a method's last weight.
    """
    lrs = np.asarray(lrs, dtype=float)
    rate = lrs[:, None]
    k = np.arange(steps + 1)
    out = {"adamw": np.empty((len(lrs), steps + 1)),
           "adam_l2": np.empty((len(lrs), steps + 1)),
           "adam": np.full((len(lrs), steps + 1), float(start)),
           "predicted": (1.0 - rate * weight_decay) ** k}
    for key, opt, penalty in (("adamw", AdamW(1.0, weight_decay=weight_decay), 0.0),
                              ("adam_l2", Adam(1.0), l2_factor)):
        w = np.full((len(lrs), 1), float(start))
        state = opt.init([w])
        out[key][:, 0] = start
        for t in range(steps):
            g = 2.0 * penalty * w
            (change,), state = opt.update([g], state, rate, [w])
            w = w + change
            out[key][:, t + 1] = w[:, 0]
    return DecayRuns(lrs, out)


def decay_readout(result):
    """Readout of the AdamW panel at one rate."""
    lr, w = result["lr"], result["weights"]
    n = len(w["adamw"]) - 1
    shrink = result["weight_decay"] * lr

    def last(key):  # four decimals, never "-0.0000"
        return f"{round(float(w[key][-1]), 4) + 0.0:.4f}"

    return "\n".join([
        f"rate {lr:.3g}: AdamW shrinks the weight by lr x weight_decay = "
        f"{shrink:.3g} of itself per update",
        f"after {n} updates the weight (started at 1) is:",
        f"  AdamW (weight_decay {result['weight_decay']:g})   {last('adamw')}",
        f"  Adam + L2 {result['l2_factor']:g} in the loss    {last('adam_l2')}",
        f"  Adam, no penalty              {last('adam')}",
    ])


# -- batch size and the rate -----------------------------------------------------------
#: The batch-size bowl: two curvatures (a steep and a flat direction), the
#: noise of one sample's gradient in each, the start, the target loss.
BATCH_CURVATURES, SAMPLE_NOISE, BATCH_START, TARGET = (1.0, 0.05), 2.0, 3.0, 0.02
#: The batch sizes and the rate grid of the study.
BATCH_SIZES = tuple(2**i for i in range(1, 13))
BATCH_LRS = 10 ** np.arange(-4.0, 0.31, 0.05)


def sgd_expected(lrs, batch_size, updates):
    """Exact expected loss of mini-batch SGD on the batch-size bowl after
    0..``updates`` updates, per rate: shape (rates, updates + 1).

    A batch of B samples averages B per-sample gradients, so its noise has
    standard deviation ``SAMPLE_NOISE / sqrt(B)`` in each direction.
    """
    lrs = np.asarray(lrs, dtype=float)[:, None]
    k = np.arange(check_count("updates", updates, minimum=0) + 1)[None, :]
    var = (lrs * SAMPLE_NOISE) ** 2 / check_count("batch_size", batch_size)
    total = np.zeros((lrs.shape[0], k.shape[1]))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for lam in BATCH_CURVATURES:
            a2 = (1.0 - lrs * lam) ** 2
            geo = np.where(np.isclose(a2, 1.0), k, (1 - a2**k) / (1 - a2))
            total += 0.5 * lam * (BATCH_START**2 * a2**k + var * geo)
    total[~np.isfinite(total) | (total > 1e6)] = np.nan
    return total


def updates_to_target(batch_sizes=BATCH_SIZES, lrs=BATCH_LRS, target=TARGET,
                      max_updates=4096):
    """For each batch size, the fewest updates after which SGD's exact
    expected loss on the batch-size bowl is at most ``target`` (over the
    rates ``lrs``), and the rate that gets there first.

    Returns ``(updates, best_rates)`` over ``batch_sizes`` (updates -1 and
    rate NaN where no rate gets there within ``max_updates``).

    >>> u, r = updates_to_target((2, 4), max_updates=4096)
    >>> f"{u[0] / u[1]:.1f}"
    '2.0'
    """
    lrs = np.asarray(lrs, dtype=float)
    updates, best = [], []
    never = np.iinfo(np.int64).max
    for b in batch_sizes:
        with np.errstate(invalid="ignore"):
            hit = sgd_expected(lrs, b, max_updates) <= target
        first = np.where(hit.any(axis=1), hit.argmax(axis=1), never)
        i = int(np.argmin(first))
        reached = first[i] != never
        updates.append(int(first[i]) if reached else -1)
        best.append(float(lrs[i]) if reached else math.nan)
    return np.array(updates), np.array(best)


def critical_batch(batch_sizes, updates):
    """The smallest batch size that needs at least twice the updates perfect
    linear scaling from the smallest batch predicts (NaN if none)."""
    b = np.asarray(batch_sizes, dtype=float)
    u = np.asarray(updates, dtype=float)
    over = np.flatnonzero(u >= 2.0 * u[0] * b[0] / b)
    return float(b[over[0]]) if over.size else math.nan


def adam_loss_after(lrs, batch_size, samples=4096, runs=64, seed=0):
    """Adam's mean loss after ``samples`` samples on the batch-size bowl,
    per rate (``runs`` seeded runs, averaged over the last tenth of the
    updates to smooth the noise of finitely many runs)."""
    lrs = np.asarray(lrs, dtype=float)
    rng = check_rng(seed, "seed")
    steps = samples // check_count("batch_size", batch_size)
    lam = np.array(BATCH_CURVATURES)
    opt = Adam(learning_rate=1.0)
    w = np.full((len(lrs), runs, 2), float(BATCH_START))
    state = opt.init([w])
    rate = lrs[:, None, None]
    tail = max(steps // 10, 1)
    total = np.zeros(len(lrs))
    scale = SAMPLE_NOISE / math.sqrt(batch_size)
    for t in range(steps):
        g = lam * w + scale * rng.standard_normal((runs, 2))
        (change,), state = opt.update([g], state, rate, [w])
        w = w + change
        if t >= steps - tail:
            total += (0.5 * (lam * w * w).sum(axis=-1)).mean(axis=1)
    return total / tail


def best_rates_adam(batch_sizes, lrs, **kwargs):
    """For each batch size, the rate of ``lrs`` with Adam's lowest loss after
    the same number of samples (``adam_loss_after``)."""
    return np.array([float(lrs[np.nanargmin(adam_loss_after(lrs, b, **kwargs))])
                     for b in batch_sizes])


def best_rates_sgd(batch_sizes, lrs, samples=4096):
    """For each batch size, the rate of ``lrs`` with SGD's lowest exact
    expected loss after the same number of samples."""
    return np.array([float(lrs[np.nanargmin(sgd_expected(lrs, b, samples // b)
                                            [:, -1])]) for b in batch_sizes])


def scaling_slope(batch_sizes, best):
    """The slope of log(best rate) against log(batch size), least squares."""
    return float(np.polyfit(np.log(batch_sizes), np.log(best), 1)[0])


class _Table:
    """A panel's compute over a rate grid, computed once: calling it with
    ``lr`` (a grid value) looks the rate up."""

    def __init__(self, lrs):
        self.lrs = np.asarray(lrs, dtype=float)

    def index(self, lr):
        lr = check_positive("lr", lr)
        i = int(np.argmin(np.abs(np.log(self.lrs / lr))))
        if not math.isclose(self.lrs[i], lr, rel_tol=1e-6):
            raise ValueError(f"lr must be one of the grid's rates "
                             f"{self.lrs[0]:.4g}..{self.lrs[-1]:.4g}, got {lr!r}")
        return i


class ScheduleFreeTable(_Table):
    """The schedule-free panel's compute: ``schedule_free_runs`` on the
    whole rate grid, looked up by ``lr``; ``table`` holds the runs.

    >>> t = ScheduleFreeTable([0.1], steps=100, runs=4)
    >>> sorted(t(lr=0.1)["losses"])
    ['adam', 'adam_decay', 'x', 'y']
    """

    def __init__(self, lrs, steps=SF_STEPS, runs=SF_RUNS, seed=0):
        super().__init__(lrs)
        self.runs = runs
        self.table = schedule_free_runs(self.lrs, steps, runs, seed)

    def __call__(self, lr):
        i = self.index(lr)
        return {"lr": float(self.lrs[i]), "runs": self.runs,
                "losses": {k: v[i] for k, v in self.table.items()}}


class DecayTable(_Table):
    """The AdamW panel's compute: ``decay_runs`` on the whole rate grid,
    looked up by ``lr``.

    >>> t = DecayTable([0.01], steps=1000)
    >>> f"{t(lr=0.01)['weights']['adamw'][-1]:.4f}"
    '0.3677'
    """

    def __init__(self, lrs, weight_decay=WEIGHT_DECAY, l2_factor=L2_FACTOR,
                 steps=DECAY_STEPS):
        super().__init__(lrs)
        self.weight_decay, self.l2_factor = weight_decay, l2_factor
        self.table = decay_runs(self.lrs, weight_decay, l2_factor, steps)

    def __call__(self, lr):
        i = self.index(lr)
        return {"lr": float(self.lrs[i]), "weight_decay": self.weight_decay,
                "l2_factor": self.l2_factor,
                "weights": {k: v[i] for k, v in self.table.items()}}


# -- warmup on the network (measured in network.py) ------------------------------------
#: The warmup panel's warmup lengths (updates).
WARMUPS = (0, 25, 50, 100, 150, 200)


def warmup_compute(optimizer, warmup):
    """The warmup panel's compute: the reference network, full batch on 420
    samples, ten seeds, at the lesson's peak rate for ``optimizer``
    (``network.WARMUP_SETTINGS``) with a linear warmup of ``warmup``
    updates."""
    from .network import WARMUP_SETTINGS, warmup_runs

    if optimizer not in WARMUP_SETTINGS:
        raise ValueError(f"optimizer must be one of {tuple(WARMUP_SETTINGS)}, "
                         f"got {optimizer!r}")
    s = WARMUP_SETTINGS[optimizer]
    return warmup_runs(s["peak_lr"], warmup, optimizer=optimizer, steps=s["steps"])


def warmup_readout(runs):
    """The warmup panel's readout: how many seeds trained, and how the
    others ended."""
    counts = runs.counts()
    n = len(runs.outcomes)
    peak = float(np.max(runs.lrs))
    warm = int(np.argmax(runs.lrs >= peak))
    steps = runs.losses.shape[1] - 1
    lines = [f"{runs.optimizer}: peak rate {peak:g}, first at update {warm}; "
             f"{steps} full-batch updates (0-{steps - 1}), {n} seeds"]
    lines.append("  ".join(f"{k}: {v}" for k, v in counts.items() if v)
                 + f"   (of {n})")
    final = runs.final_losses()
    ok = np.array([o == "trained" for o in runs.outcomes])
    if ok.sum() == 1:
        lines.append(f"the trained seed ends at loss {final[ok][0]:.3f}")
    elif ok.any():
        lines.append(f"trained seeds end at loss {np.min(final[ok]):.3f}-"
                     f"{np.max(final[ok]):.3f}")
    if counts.get("dead"):
        lines.append("dead: every ReLU of a layer dead, the loss stuck near "
                     "ln 2 = 0.693")
    if counts.get("unsettled"):
        from .network import TRAINED_LOSS

        lines.append(f"unsettled: alive but not trained by the end, the loss still "
                     f"above {TRAINED_LOSS:g}")
    return "\n".join(lines)


def evaluate_averaged(model, X, y):
    """``model.evaluate(X, y)`` at the averaged weights ``x`` of a model
    compiled with ``ScheduleFreeAdamW`` (the model keeps its weights ``y``).

    Returns ``(loss, accuracy)``, as ``evaluate`` does.
    """
    opt = model.optimizer
    if not isinstance(opt, ScheduleFreeAdamW):
        raise TypeError("model must be compiled with lrcourse.ScheduleFreeAdamW, "
                        f"got {type(opt).__name__}")
    kept = model.get_weights()
    averaged = opt.averaged_weights([model.flat])[0]
    model.set_weights(model.views(averaged))
    try:
        return model.evaluate(X, y)
    finally:
        model.set_weights(kept)
