"""The saved lessons read well without a kernel (GitHub, nbviewer, paper).

Each notebook in notebooks/ is rendered to HTML with nbconvert, as saved (no
execution): its key figure (the cell tagged ``key-figure``) is a PNG at least
600 px wide that the HTML embeds; every live panel keeps the PNG of its figure
next to the widget view, and the HTML shows that PNG; no widget state is saved.
"""

import base64
import re
import struct
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MIN_WIDTH = 600


def png_size(b64):
    data = base64.b64decode(b64)
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module", params=LESSONS, ids=[p.name[:2] for p in LESSONS])
def rendered(request):
    from nbconvert import HTMLExporter

    nb = nbformat.read(request.param, as_version=4)
    html, _ = HTMLExporter().from_notebook_node(nb)
    return request.param, nb, html


def _png_outputs(cell):
    return [out["data"]["image/png"] for out in cell.get("outputs", [])
            if "image/png" in out.get("data", {})]


def test_key_figure_is_a_wide_png_in_the_html(rendered):
    path, nb, html = rendered
    cells = [c for c in nb.cells if "key-figure" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: {len(cells)} cells tagged key-figure"
    pngs = _png_outputs(cells[0])
    assert pngs, f"{path.name}: the key figure cell has no image/png output"
    width, height = png_size(pngs[0])
    assert width >= MIN_WIDTH, f"{path.name}: key figure {width} px wide"
    assert pngs[0].strip() in html, f"{path.name}: the HTML lacks the key figure"


def _is_panel_cell(cell):
    """``name = panels.factory(...)`` with ``name`` alone on the last line."""
    if cell.cell_type != "code" or not cell.source.strip():
        return False
    last = cell.source.strip().splitlines()[-1].strip()
    return last in re.findall(r"^(\w+)\s*=\s*panels\.\w+\(", cell.source, re.M)


def test_panels_keep_a_png_fallback(rendered):
    path, nb, html = rendered
    for i, cell in enumerate(nb.cells):
        if not _is_panel_cell(cell):
            continue
        views = [out["data"] for out in cell.outputs
                 if WIDGET_VIEW in out.get("data", {})]
        assert views, f"{path.name}, cell {i}: the panel cell shows no widget"
        for data in views:
            assert "image/png" in data, (
                f"{path.name}, cell {i}: panel saved without its PNG")
            assert data["image/png"].strip() in html, (
                f"{path.name}, cell {i}: the HTML does not show the panel's PNG")


def test_no_widget_state_is_saved(rendered):
    path, nb, html = rendered
    assert "widgets" not in nb.metadata, f"{path.name}: widget state saved"
    assert "application/vnd.jupyter.widget-state+json" not in html
