"""The course's kernel runs numpy with one BLAS thread however it is started.

The installed kernel spec (``make venv``: ``ipykernel install --sys-prefix
--env ...``) carries the setting, so JupyterLab, the hub, Voila and nbval
kernels all get it; a kernel started here from a parent without the variables
must still report them, and threadpoolctl (where installed) must see one
thread in every BLAS pool numpy loaded.
"""

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
PROBE = """
import json, os
import numpy as np
np.ones((64, 64)) @ np.ones((64, 64))
try:
    from threadpoolctl import threadpool_info
    pools = [(p["internal_api"], p["num_threads"]) for p in threadpool_info()]
except ImportError:
    pools = None
names = NAMES
print(json.dumps({"env": {k: os.environ.get(k) for k in names}, "pools": pools}))
""".replace("NAMES", repr(ONE_THREAD))


def installed_spec():
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager().get_kernel_spec("python3")


def test_kernel_spec_sets_one_blas_thread():
    spec = installed_spec()
    assert Path(spec.resource_dir).is_relative_to(sys.prefix), (
        f"python3 kernel spec found at {spec.resource_dir}, not in this "
        "environment: run 'make venv'")
    for name in ONE_THREAD:
        assert spec.env.get(name) == "1", (
            f"kernel.json in {spec.resource_dir} does not set {name}=1 "
            "(make venv installs it with --env)")


def run_in_kernel(code, env):
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", env=env)
    out = []
    try:
        reply = kc.execute_interactive(
            code, timeout=60,
            output_hook=lambda m: out.append(m["content"].get("text", "")))
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return json.loads("".join(out))


def test_running_kernel_reports_one_blas_thread():
    import os

    env = {k: v for k, v in os.environ.items() if k not in ONE_THREAD}
    seen = run_in_kernel(PROBE, env)
    assert seen["env"] == {name: "1" for name in ONE_THREAD}
    if seen["pools"] is None:
        pytest.importorskip("threadpoolctl")  # missing in the kernel only
    else:
        assert seen["pools"], "threadpoolctl found no BLAS pool after a matmul"
        assert all(n == 1 for _, n in seen["pools"]), seen["pools"]


def _assignments(text):
    return dict(re.findall(r"\b([A-Z]+_NUM_THREADS)\b\W{1,4}(\d+)", text))


@pytest.mark.parametrize("path", [
    "Makefile", "postBuild", "deploy/jupyterhub/jupyterhub_config.py"])
def test_every_launcher_sets_one_blas_thread(path):
    """make lab/present/venv, repo2docker's postBuild, the hub's spawner."""
    seen = _assignments((ROOT / path).read_text(encoding="utf-8"))
    assert {k: seen.get(k) for k in ONE_THREAD} == dict.fromkeys(ONE_THREAD, "1")


@pytest.mark.parametrize("path, keys", [
    ("environment.yml", ["variables"]),
    ("deploy/kubernetes/config.yaml", ["singleuser", "extraEnv"])])
def test_environment_files_set_one_blas_thread(path, keys):
    """conda's variables, the Zero to JupyterHub image's environment."""
    data = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    for key in keys:
        data = data[key]
    assert {k: data.get(k) for k in ONE_THREAD} == dict.fromkeys(ONE_THREAD, "1")
