"""A class on one machine: N learners drag a lesson's rate slider on a local
JupyterHub at once; report the time from move to readout and frame, CPU and
memory per learner.

    python benchmarks/classroom.py --learners 3 --lesson 01 --seconds 20
    python benchmarks/classroom.py --learners 20 --burst 5,20   # bursty class
    make bench-classroom LEARNERS=3 LESSON=01 DURATION=20

The hub is the course's recipe (deploy/jupyterhub/) on 127.0.0.1 only, with
configurable-http-proxy (``make proxy``). Each learner gets their own server
and kernel, runs the lesson's cells up to its first panel with a rate slider
(or ``--panel K``), then moves that slider ``--rate`` times a second, one
grid step at a time back and forth, as a drag does: each move is the
slider's new value sent as the browser sends it (a widget comm message, over
the websocket protocol JupyterLab 4 speaks; ``--drive execute`` runs
``panel.set(lr=...)`` as a cell instead, and ``--protocol legacy`` uses the
older JSON websocket protocol, as the first measurements did), timed until
the kernel is idle again and the figure's new frame has arrived (this client
answers the figure's draw requests as JupyterLab does). A move waits for the
previous one. With ``--burst A,P`` a learner drags for A seconds in every P.

Everything stops after ``--seconds`` (at most 600) plus the spawns; results go
to benchmarks/results/classroom-*.json and a Markdown row for docs/classroom.md.
"""

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from localhub import KernelChannel, LocalHub, missing_parts  # noqa: E402

MAX_LEARNERS = 100
MAX_SECONDS = 600
SETUP_TIMEOUT = 600  # s: a learner running the lesson up to the panel
PANEL_RE = re.compile(r"^(\w+)\s*=\s*panels\.\w+\(", re.M)
SLIDER_PROBE = """
import json as _json
_s = [(n, w) for n, w in {var}.widgets.items()
      if "lr-slider" in getattr(w, "_dom_classes", ())]
_n, _w = _s[0]
_k = int(round((_w.max - _w.min) / _w.step))
_g = [(_w.base ** (_w.min + i * _w.step)) if hasattr(_w, "base")
      else _w.min + i * _w.step for i in range(_k + 1)]
print(_json.dumps({{"name": _n, "grid": _g, "value": _w.value,
                   "model_id": _w.model_id}}))
"""


# ------------------------------------------------------------------ lesson


def lesson_cells(number, panel_index):
    """The code a learner runs before dragging, and the panel's variable."""
    import nbformat

    paths = sorted((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    if not paths:
        raise SystemExit(f"error: no lesson {number} in notebooks/")
    nb = nbformat.read(paths[0], as_version=4)
    cells, seen = [], 0
    for cell in nb.cells:
        if cell.cell_type != "code" or "answer_box(" in cell.source:
            continue
        cells.append(cell.source)
        lines = [ln.strip() for ln in cell.source.splitlines() if ln.strip()]
        names = PANEL_RE.findall(cell.source)
        if lines and lines[-1] in names and "lr" in cell.source:
            if seen == panel_index:
                return paths[0].name, cells, lines[-1]
            seen += 1
    raise SystemExit(f"error: lesson {number} has no panel {panel_index} "
                     "with a rate slider")


# ---------------------------------------------------------------- learners


class Start:
    """Everyone starts dragging together, once every learner is set up; the
    CPU counters are read then."""

    def __init__(self, hub, n, seconds):
        self.hub, self.n, self.seconds = hub, n, seconds
        self.ready, self.event = 0, asyncio.Event()
        self.at = self.stop_at = self.before = None

    async def wait(self):
        self.ready += 1
        if self.ready == self.n:
            self.before = snapshot(self.hub)
            self.at = time.monotonic()
            self.stop_at = self.at + self.seconds
            self.event.set()
        await self.event.wait()


async def learner(hub, name, cells, var, args, start, seed):
    """Drag the slider for the run's time; return each move's seconds."""
    kernel_id = hub.start_kernel(name)
    channel = await KernelChannel(hub.channel_url(name, kernel_id), hub.token,
                                  protocol=args.protocol).connect()
    try:
        for source in cells:
            await channel.execute(source, timeout=SETUP_TIMEOUT)
        slider = json.loads(await channel.execute(SLIDER_PROBE.format(var=var)))
        grid, name_ = slider["grid"], slider["name"]
        k = min(range(len(grid)), key=lambda i: abs(grid[i] - slider["value"]))
        k, step = (k + seed) % len(grid), 1
        await start.wait()
        start_at, stop_at = start.at, start.stop_at
        times, frames0 = [], channel.frames
        active, period = args.burst or (1, 1)
        offset = (seed * 3.7) % period  # bursts spread over the period
        next_move = time.monotonic()
        while (now := time.monotonic()) < stop_at:
            if (now - start_at + offset) % period >= active:
                await asyncio.sleep(0.05)
                next_move = time.monotonic()
                continue
            if now < next_move:
                await asyncio.sleep(next_move - now)
            if not 0 <= k + step < len(grid):
                step = -step
            k += step
            t0 = time.monotonic()
            if args.drive == "slider":  # as the browser sends a learner's move
                await channel.set_widget(slider["model_id"], {"value": grid[k]})
            else:
                await channel.execute(f"_ = {var}.set({name_}={grid[k]!r})")
            times.append(time.monotonic() - t0)
            next_move = t0 + 1 / args.rate
        return {"moves": times, "frames": channel.frames - frames0,
                "frame_bytes": channel.frame_bytes}
    finally:
        channel.close()


async def drive(hub, names, cells, var, args):
    start = Start(hub, len(names), args.seconds)
    results = await asyncio.gather(*(
        learner(hub, n, cells, var, args, start, seed)
        for seed, n in enumerate(names)))
    return results, start.before, snapshot(hub)


# ---------------------------------------------------------- CPU and memory


def _proc_tree(root_pid):
    """``{pid: (ppid, cmdline)}`` of root_pid and its descendants."""
    procs = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        procs[int(entry.name)] = (int(fields[1]), cmd, fields)
    keep, frontier = {}, [root_pid]
    while frontier:
        pid = frontier.pop()
        if pid in procs:
            keep[pid] = procs[pid]
            frontier += [p for p, v in procs.items() if v[0] == pid]
    return keep


def _role(cmd):
    if "configurable-http-proxy" in cmd:
        return "proxy"
    if "ipykernel" in cmd:
        return "kernel"
    if "jupyterhub.singleuser" in cmd or "jupyterhub-singleuser" in cmd:
        return "server"
    return "hub"


def snapshot(hub):
    """CPU seconds per role, RSS per role, and the machine's CPU counters."""
    tick = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    cpu, rss, count = {}, {}, {}
    for _pid, (_ppid, cmd, fields) in _proc_tree(hub.proc.pid).items():
        role = _role(cmd)
        cpu[role] = cpu.get(role, 0) + (int(fields[11]) + int(fields[12])) / tick
        rss[role] = rss.get(role, 0) + int(fields[21]) * page
        count[role] = count.get(role, 0) + 1
    with open("/proc/stat") as f:
        machine = [int(x) for x in f.readline().split()[1:]]
    return {"cpu": cpu, "rss": rss, "count": count, "machine": machine,
            "client": time.process_time(), "t": time.monotonic()}


def summarize(args, lesson, spawn_s, before, after, results):
    moves = sorted(t for r in results for t in r["moves"])
    if not moves:
        raise SystemExit("error: no move finished; see the hub's log")
    n_moves, wall = len(moves), after["t"] - before["t"]
    idle = lambda m: m[3] + m[4]  # noqa: E731 (idle + iowait)
    total = sum(after["machine"]) - sum(before["machine"])
    busy = 1 - (idle(after["machine"]) - idle(before["machine"])) / total
    per_move = {role: 1000 * (after["cpu"].get(role, 0) - before["cpu"].get(role, 0))
                / n_moves for role in ("kernel", "server", "proxy", "hub")}
    per_move["load generator"] = 1000 * (after["client"] - before["client"]) / n_moves
    learners = args.learners
    return {
        "learners": learners, "lesson": lesson, "seconds": args.seconds,
        "rate": args.rate, "burst": args.burst, "cores": os.cpu_count(),
        "drive": args.drive, "protocol": args.protocol,
        "moves": n_moves, "moves_per_s": n_moves / wall,
        "p50_ms": 1000 * statistics.median(moves),
        "p95_ms": 1000 * moves[min(int(0.95 * n_moves), n_moves - 1)],
        "max_ms": 1000 * moves[-1],
        "machine_busy": busy,
        "cpu_ms_per_move": per_move,
        "frames": sum(r["frames"] for r in results),
        "rss_mb_per_learner": {role: after["rss"].get(role, 0) / learners / 2**20
                               for role in ("server", "kernel")},
        "spawn_s": spawn_s,
    }


def report(s):
    pace = (f"{s['rate']:g}/s" if not s["burst"]
            else f"{s['rate']:g}/s for {s['burst'][0]:g} s in {s['burst'][1]:g}")
    cpu = s["cpu_ms_per_move"]
    rss = s["rss_mb_per_learner"]
    print(f"\nlesson {s['lesson']}, {s['learners']} learners at {pace}, "
          f"{s['seconds']:g} s, {s['cores']} cores; moves sent as "
          f"{s['drive']}, websocket protocol {s['protocol']}")
    print(f"moves: {s['moves']} ({s['moves_per_s']:.1f}/s), frames {s['frames']}")
    print(f"move to readout and frame: p50 {s['p50_ms']:.0f} ms, "
          f"p95 {s['p95_ms']:.0f} ms, max {s['max_ms']:.0f} ms")
    print(f"machine CPU busy: {100 * s['machine_busy']:.0f}% "
          "(includes anything else running)")
    print("CPU per move: " + ", ".join(f"{k} {v:.1f} ms" for k, v in cpu.items()))
    print(f"memory per learner: server {rss['server']:.0f} MB, "
          f"kernel {rss['kernel']:.0f} MB")
    print(f"spawns: max {max(s['spawn_s']):.1f} s, all ready after "
          f"{s['spawn_wall_s']:.1f} s")
    print("\n| learners | pace | p50 | p95 | CPU busy | CPU ms/move (kernel, server, "
          "proxy) | MB/learner |")
    print(f"| {s['learners']} | {pace} | {s['p50_ms']:.0f} ms | {s['p95_ms']:.0f} ms "
          f"| {100 * s['machine_busy']:.0f}% | {cpu['kernel']:.0f}, "
          f"{cpu['server']:.0f}, {cpu['proxy']:.0f} "
          f"| {rss['server'] + rss['kernel']:.0f} |")


# --------------------------------------------------------------------- main


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--learners", type=int, default=3)
    p.add_argument("--lesson", default="01", help="two digits, e.g. 01 or 09")
    p.add_argument("--panel", type=int, default=0,
                   help="which of the lesson's panels with a rate slider")
    p.add_argument("--seconds", type=float, default=20, help="dragging time")
    p.add_argument("--rate", type=float, default=5, help="moves per second")
    p.add_argument("--burst", default=None,
                   help="A,P: drag for A seconds in every P (default: always)")
    p.add_argument("--drive", choices=("slider", "execute"), default="slider",
                   help="a move: the slider's new value sent as the browser "
                        "sends it (default), or panel.set(...) run as a cell")
    p.add_argument("--protocol", choices=("v1", "legacy"), default="v1",
                   help="kernel websocket protocol: v1 (JupyterLab 4's) or the "
                        "legacy JSON one")
    args = p.parse_args(argv)
    if not 1 <= args.learners <= MAX_LEARNERS:
        p.error(f"--learners must be in 1..{MAX_LEARNERS}, got {args.learners}")
    if not 0 < args.seconds <= MAX_SECONDS:
        p.error(f"--seconds must be in (0, {MAX_SECONDS}], got {args.seconds}")
    if not 0 < args.rate <= 50:
        p.error(f"--rate must be in (0, 50] moves a second, got {args.rate}")
    if not re.fullmatch(r"\d\d", args.lesson):
        p.error(f"--lesson must be two digits, got {args.lesson!r}")
    if args.burst:
        try:
            active, period = (float(x) for x in args.burst.split(","))
        except ValueError:
            p.error(f"--burst must be A,P in seconds, got {args.burst!r}")
        if not 0 < active <= period:
            p.error(f"--burst needs 0 < A <= P, got {args.burst!r}")
        args.burst = (active, period)
    return args


def spawn_all(hub, names):
    """Spawn every learner's server at once, as a class logging in."""
    def one(name):
        t0 = time.monotonic()
        hub.spawn(name)
        return time.monotonic() - t0

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=min(len(names), 20)) as pool:
        times = list(pool.map(one, names))
    return times, time.monotonic() - t0


def run_class(hub, args):
    """Spawn the learners on ``hub``, let them drag, and summarize."""
    lesson, cells, var = lesson_cells(args.lesson, args.panel)
    names = [f"learner{i + 1:02d}" for i in range(args.learners)]
    spawn_s, spawn_wall = spawn_all(hub, names)
    results, before, after = asyncio.run(drive(hub, names, cells, var, args))
    summary = summarize(args, lesson, spawn_s, before, after, results)
    summary["spawn_wall_s"] = spawn_wall
    return summary


def main(argv=None):
    args = parse_args(argv)
    if missing := missing_parts():
        raise SystemExit("error: " + "; ".join(missing))
    with tempfile.TemporaryDirectory(prefix="lrcourse-classroom-") as base, \
            LocalHub(base) as hub:
        summary = run_class(hub, args)
    report(summary)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = out / f"classroom-{args.lesson}-{args.learners}-{stamp}.json"
    path.write_text(json.dumps(summary, indent=1) + "\n")
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
