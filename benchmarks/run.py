"""Benchmark suite: prints a table of figures and writes them as JSON.

    python benchmarks/run.py                 # everything that is installed
    python benchmarks/run.py --quick         # fewer repeats
    python benchmarks/run.py --only fit,panels
    python benchmarks/run.py --nbval         # also time the whole nbval suite
    python benchmarks/run.py --only moves    # where a slider move's CPU goes

Each figure is the median of repeated runs after a warm-up, with the spread
(min-max). The machine is shared and noisy: compare figures measured in the
same run, and read ratios rather than absolute times.
"""

import argparse
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")  # before anything imports keras
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import lrcourse  # noqa: E402
from lrcourse import _compat  # noqa: E402
from lrcourse.training import sweep_fit  # noqa: E402

RESULTS = []


def measure(fn, repeat=5, warmup=1):
    """Median, min and max seconds of ``fn()`` over ``repeat`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def record(group, name, seconds, target=None, unit="s", note=""):
    median, lo, hi = seconds if isinstance(seconds, tuple) else (seconds,) * 3
    RESULTS.append({"group": group, "name": name, "median": median, "min": lo,
                    "max": hi, "unit": unit, "target": target, "note": note})
    scale, shown = (1000.0, "ms") if unit == "s" and median < 1 else (1.0, unit)
    fmt = "9.2e" if unit == "" else "9.2f"
    tgt = ""
    if target is not None:
        ok = "ok" if median <= target else "MISS"
        tgt = f"target {target * scale:.4g} {shown} {ok}"
    print(f"{group:<11} {name:<48} {median * scale:{fmt}} {shown:<3} "
          f"[{lo * scale:.3g}-{hi * scale:.3g}] {tgt} {note}", flush=True)


def trial_data():
    (x, y), (xt, yt) = lrcourse.make_drug_trial(seed=0)
    scaler = lrcourse.MinMaxScaler().fit(x)
    return scaler.transform(x), y, scaler.transform(xt), yt


def bench_fit(args):
    X, y, _, _ = trial_data()

    def fit():
        model = lrcourse.reference_model(seed=0)
        model.fit(X, y, batch_size=10, epochs=30, seed=0)

    record("training", "reference fit, 30 epochs, batch 10, Adam",
           measure(fit, repeat=args.repeat), target=0.5)

    def traced():
        model = lrcourse.reference_model(seed=0)
        model.fit(X, y, batch_size=10, epochs=30, seed=0, watch=[("W2", (3, 5))])

    traced()
    tracemalloc.start()
    traced()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    record("memory", "traced 30-epoch fit, peak above baseline", peak / 1e6,
           target=20.0, unit="MB")


def bench_sweeps(args):
    X, y, _, _ = trial_data()
    for n, target in ((16, 1.5), (64, 5.0)):
        lrs = np.logspace(-4, 0, n)

        def run(lrs=lrs):
            sweep_fit(lrcourse.reference_model(seed=0), X, y, lrs, optimizer="adam",
                      batch_size=10, epochs=30, seed=0)

        record("training", f"sweep of {n} rates, 30 epochs, batch 10, Adam",
               measure(run, repeat=max(1, args.repeat // 2)), target=target)


def bench_panels(args):
    """Every panel listed in benchmarks/panels.py, built and driven as a learner."""
    from panels import CASES

    for name, cases in CASES:
        for case in cases():
            start = time.perf_counter()
            panel = case["make"]()
            built = time.perf_counter() - start
            record("build", f"{name}: {case['name']}", built, target=5.0)
            canvas = getattr(panel.fig, "canvas", None) if panel.fig else None
            if canvas is not None:
                # as once a browser has connected (see lrcourse._compat)
                _compat.mark_view_ready(canvas)
            values = list(case["values"])
            control = case.get("control", "lr")
            kind = case.get("kind", "live")
            times = []
            # a release panel may cache what it computed: visit each value once
            visits = len(values) if kind == "release" else max(len(values),
                                                                  2 * args.repeat)
            for i in range(visits):
                value = values[i % len(values)]
                t0 = time.perf_counter()
                panel.set(**{control: value})
                if case.get("action"):  # e.g. a "train with this rate" button
                    panel.actions[case["action"]]()
                if panel.blitter is None and canvas is not None:
                    canvas.draw()  # what the front end asks for after draw_idle
                times.append(time.perf_counter() - t0)
            target = 0.080 if kind == "live" else 1.0
            record("panel", f"{name}: {case['name']} ({kind})",
                   (statistics.median(times), min(times), max(times)), target=target)


def bench_moves(args):
    """Where a live panel's move spends its CPU: in this process by part, then
    through a real jupyter server (kernel and server CPU, bytes sent)."""
    import moves
    from panels import CASES

    cases = [(lesson, case) for lesson, fn in CASES for case in fn()
             if case["kind"] == "live"]
    print("CPU ms per move in the kernel's code, by part; frame bytes per move")
    print(f"{'panel':<40} {'total':>6} {'compute':>8} {'callback':>9} {'draw':>6} "
          f"{'encode':>7} {'bytes':>8}")
    for lesson, case in cases:
        row = moves.kernel_costs(case, moves=args.moves)
        print(f"{lesson + ': ' + case['name']:<40} {row['total']:6.1f} "
              f"{row['compute']:8.1f} {row['callback']:9.1f} {row['draw']:6.1f} "
              f"{row['encode']:7.1f} {row['frame_bytes']:8.0f}", flush=True)
        for part in ("total", *moves.PARTS):
            _add("move", f"{lesson}: {case['name']}: kernel {part}",
                 row[part], "ms/move")
        _add("move", f"{lesson}: {case['name']}: frame", row["frame_bytes"], "B/move")
    chosen = [c for lesson, c in cases if args.server_all or lesson == "lesson01"]
    for drive, protocol in (("slider", "v1"), ("execute", "legacy")):
        print(f"through jupyter server, drive={drive}, websocket protocol "
              f"{protocol}: CPU ms per move, bytes and messages per move")
        found = moves.server_costs(chosen, moves=args.moves, drive=drive,
                                   protocol=protocol)
        for name, r in found.items():
            print(f"  {name:<38} kernel {r['kernel']:5.1f}  server {r['server']:5.1f}"
                  f"  {r['bytes']:8.0f} B in {r['messages']:.1f} messages", flush=True)
            for key in ("kernel", "server"):
                _add("move", f"{name}: {key} CPU via server ({drive}, {protocol})",
                     r[key], "ms/move")
            _add("move", f"{name}: bytes via server ({drive}, {protocol})",
                 r["bytes"], "B/move")


def _add(group, name, value, unit):
    RESULTS.append({"group": group, "name": name, "median": value, "min": value,
                    "max": value, "unit": unit, "target": None, "note": ""})


def bench_nbval(args):
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", "tests/sanitize.cfg", "notebooks/", "-p",
         "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    record("suite", "nbval strict, all lessons (wall)", elapsed, target=120.0,
           note=tail)


def bench_frameworks(args):
    try:
        import frameworks
    except ImportError as err:  # pragma: no cover - only when the file is missing
        print(f"frameworks: skipped ({err})")
        return
    frameworks.run(args, record, measure)


BENCHES = {"fit": bench_fit, "sweeps": bench_sweeps, "panels": bench_panels,
           "moves": bench_moves, "frameworks": bench_frameworks, "nbval": bench_nbval}


def machine():
    import matplotlib

    info = {"python": platform.python_version(), "cpus": os.cpu_count(),
            "platform": platform.platform(), "numpy": np.__version__,
            "matplotlib": matplotlib.__version__, "lrcourse": lrcourse.__version__}
    for mod in ("torch", "keras", "ipympl", "ipywidgets"):
        try:
            info[mod] = importlib.import_module(mod).__version__
        except Exception:  # noqa: BLE001 - absent or broken optional package
            info[mod] = None
    return info


def _fmt(value, unit):
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "":
        return f"{value:.2e}"
    return f"{value:.2f} {unit}"


def markdown_table(info):
    """The results as a markdown table (for BENCHMARKS.md)."""
    lines = ["Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), "",
             "| group | figure | median | min - max | target | note |",
             "| --- | --- | ---: | --- | --- | --- |"]
    for r in RESULTS:
        target = ""
        if r["target"] is not None:
            verdict = "met" if r["median"] <= r["target"] else "missed"
            target = f"<= {_fmt(r['target'], r['unit'])}: {verdict}"
        spread = f"{_fmt(r['min'], r['unit'])} - {_fmt(r['max'], r['unit'])}"
        lines.append(f"| {r['group']} | {r['name']} | {_fmt(r['median'], r['unit'])} "
                     f"| {spread} | {target} | {r['note']} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--only", default="", help="comma list of " + ",".join(BENCHES))
    parser.add_argument("--nbval", action="store_true", help="also time nbval")
    parser.add_argument("--server-all", action="store_true",
                        help="moves: every live panel through a jupyter server "
                             "(default: lesson 01's only)")
    parser.add_argument("--moves", type=int, default=0,
                        help="moves: slider moves per panel (default 60, 20 quick)")
    parser.add_argument("--markdown", default="",
                        help="also write the table as markdown to this file")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" /
                                             "latest.json"))
    args = parser.parse_args()
    args.repeat = 3 if args.quick else 7
    args.moves = args.moves or (20 if args.quick else 60)
    chosen = [b for b in args.only.split(",") if b] or [
        b for b in BENCHES if b != "nbval" or args.nbval]
    for name in chosen:
        if name not in BENCHES:
            parser.error(f"--only takes {', '.join(BENCHES)}; got {name!r}")
    info = machine()
    print("machine:", ", ".join(f"{k} {v}" for k, v in info.items()))
    print(f"{'group':<11} {'figure':<48} {'median':>9}     [min-max] target")
    for name in chosen:
        BENCHES[name](args)
    if args.markdown:
        Path(args.markdown).write_text(markdown_table(info))
        print(f"written: {args.markdown}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": info, "results": RESULTS}, indent=2))
    print(f"written: {out}")


if __name__ == "__main__":
    main()
