"""Test-suite settings shared by every test under tests/.

With LRCOURSE_REQUIRE_ALL=1 (set by CI), a skipped test counts as failed: CI has
Chromium and the optional frameworks installed, so nothing has a reason to skip.
Expected failures (xfail) are left alone.
"""

import os

import pytest

REQUIRE_ALL = os.environ.get("LRCOURSE_REQUIRE_ALL") == "1"


def _fail_if_skipped(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but LRCOURSE_REQUIRE_ALL=1 forbids it: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if REQUIRE_ALL:
        _fail_if_skipped(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """Also catch whole modules skipped at import (pytest.importorskip)."""
    outcome = yield
    if REQUIRE_ALL:
        _fail_if_skipped(outcome.get_result())


@pytest.fixture()
def agg_figure():
    """A stand-in for ``plotting.live_figure`` that needs no ipympl: a panel
    view built with it can be updated and drawn in a plain test."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from lrcourse.plotting import course_style

    def make(width=9.0, height=3.6, ncols=2):
        with course_style():
            fig = Figure(figsize=(width, height))
            axes = fig.subplots(1, ncols)
        FigureCanvasAgg(fig)
        return fig, axes

    return make
