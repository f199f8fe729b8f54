"""A real JupyterHub on 127.0.0.1 for the tests in this folder.

The hub runs the course's recipe (deploy/jupyterhub/jupyterhub_config.py) in its
try-out mode, with configurable-http-proxy from ``make proxy``. Without
JupyterHub, nbgitpuller or the proxy the tests are skipped with the reason
shown; CI (LRCOURSE_REQUIRE_ALL=1) fails them instead.
"""

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from localhub import LocalHub, missing_parts  # noqa: E402

HERE = Path(__file__).resolve().parent
MISSING = missing_parts()
if shutil.which("git") is None:
    MISSING.append("git is not installed")
SKIP_REASON = "; ".join(MISSING)


def pytest_report_header(config):
    if SKIP_REASON:
        return f"hub tests: SKIPPED: {SKIP_REASON}"
    return None


def pytest_collection_modifyitems(config, items):
    if not SKIP_REASON:
        return
    mark = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        here = HERE in Path(str(item.path)).resolve().parents
        if here and item.get_closest_marker("hub"):
            item.add_marker(mark)


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    base = tmp_path_factory.mktemp("lrcourse-hub")
    with LocalHub(base) as running:
        yield running
