"""Re-execute lessons top to bottom in a fresh kernel and save them in place.

The saved file depends only on the lesson's code and the installed versions:
no widget state, no timing metadata, execution counts 1..n, fixed widget ids.

    python tools/execute_notebooks.py              # every lesson
    python tools/execute_notebooks.py --lesson 03  # notebooks/03_*.ipynb
    python tools/execute_notebooks.py path/to/a.ipynb

Exits non-zero, leaving the file untouched, if any cell raises.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "python3"
CELL_TIMEOUT = 600  # seconds
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def lesson_paths(lesson: str | None) -> list[Path]:
    """Return the lesson files to run: all of them, or those numbered `lesson`."""
    pattern = f"{lesson}_*.ipynb" if lesson else "[0-9][0-9]_*.ipynb"
    return sorted(NOTEBOOKS.glob(pattern))


def check_kernel() -> None:
    """Fail unless the python3 kernel is the interpreter running this script."""
    spec = KernelSpecManager().get_kernel_spec(KERNEL)
    exe = spec.argv[0]
    if exe in {"python", "python3"}:
        return  # jupyter_client replaces a bare name with sys.executable
    if Path(exe).resolve() != Path(sys.executable).resolve():
        sys.exit(
            f"error: kernel {KERNEL!r} runs {exe}, not {sys.executable}.\n"
            f"Install this environment's kernel with:\n"
            f"  {sys.executable} -m ipykernel install --sys-prefix"
        )


def normalise(nb: nbformat.NotebookNode, name: str) -> None:
    """Drop run-dependent metadata and number the code cells 1..n.

    Widget views keep their place in the outputs, but their random model ids are
    replaced by ids derived from the lesson's name, so a re-run changes no line
    unless an output changed. (No widget state is saved, so no id resolves.)
    """
    nb.metadata.pop("widgets", None)
    model_ids: dict[str, str] = {}
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = count
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view and "model_id" in view:
                old = view["model_id"]
                if old not in model_ids:
                    seed = f"{name}:{len(model_ids)}".encode()
                    model_ids[old] = hashlib.sha256(seed).hexdigest()[:32]
                view["model_id"] = model_ids[old]


def execute(path: Path) -> bool:
    """Run one notebook; save it if every cell succeeded. Return success."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
        print(f"FAILED {path.name}\n{err}", file=sys.stderr)
        return False
    normalise(nb, path.stem)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print(f"ok     {path.name} ({time.perf_counter() - start:.1f} s)")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks to run")
    parser.add_argument("--lesson", help="two-digit lesson number, e.g. 03")
    args = parser.parse_args(argv)
    if args.lesson and args.paths:
        parser.error("give either --lesson or paths, not both")
    if args.lesson is not None and not (
        len(args.lesson) == 2 and args.lesson.isdigit()
    ):
        parser.error(f"--lesson must be two digits, got {args.lesson!r}")

    paths = args.paths or lesson_paths(args.lesson)
    if not paths:
        where = NOTEBOOKS / (f"{args.lesson}_*.ipynb" if args.lesson else "")
        print(f"error: no lesson found at {where}", file=sys.stderr)
        return 2

    # The kernel inherits this environment: same hashing, backend from the lesson.
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.pop("MPLBACKEND", None)
    check_kernel()

    failed = [p.name for p in paths if not execute(p)]
    if failed:
        print(
            f"error: {len(failed)} lesson(s) failed: {', '.join(failed)}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
