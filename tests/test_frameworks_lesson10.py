"""Lesson 10's framework lines against lrcourse: Keras 3's CosineDecay with
warmup and PyTorch's SequentialLR form of warmup-stable-decay give the rates
``lrcourse.cosine_decay`` and ``lrcourse.warmup_stable_decay`` give, to 1e-6.

The snippets themselves (what each prints) run in ``tests/test_frameworks.py``.
"""

import os

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"  # must be set before keras is imported

torch = pytest.importorskip(
    "torch", reason="PyTorch is not installed (pip install -e '.[frameworks]')")
keras = pytest.importorskip(
    "keras", reason="Keras 3 is not installed (pip install -e '.[frameworks]')")

import lrcourse  # noqa: E402
from lrcourse import snippets  # noqa: E402

pytestmark = pytest.mark.frameworks


def _run(name, **ns):
    exec(compile(snippets.code(name), f"<snippet {name}>", "exec"), ns)
    return ns


def test_keras_cosine_warmup_matches_lrcourse():
    ns = _run("keras_warmup_cosine", keras=keras)
    ours = lrcourse.cosine_decay(0.0, 900, warmup_target=0.01, warmup_steps=100)
    k = np.arange(1001)
    theirs = np.array([float(ns["schedule"](int(i))) for i in k])
    np.testing.assert_allclose(theirs, ours(k), atol=1e-6)


def test_pytorch_sequential_wsd_matches_lrcourse():
    ns = _run("torch_wsd", torch=torch, model=torch.nn.Linear(1, 2))
    ours = lrcourse.warmup_stable_decay(0.01, total_steps=1000, warmup_steps=100,
                                        decay_steps=200)
    np.testing.assert_allclose(ns["rates"], ours(np.arange(1000)), atol=1e-6)


def test_the_lesson_shows_every_lesson10_topic_keras_beside_pytorch():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    cells = json.loads((root / "notebooks" / "10_todays_practice.ipynb").read_text())
    sources = ["".join(c["source"]).strip() for c in cells["cells"]
               if c["cell_type"] == "code"]
    for topic, (keras_name, torch_name) in snippets.LESSON10_TOPICS.items():
        assert keras_name.startswith("keras_") and torch_name.startswith("torch_")
        assert f'side_by_side("{topic}")' in sources, topic
