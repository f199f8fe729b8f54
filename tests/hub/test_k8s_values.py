"""The Zero to JupyterHub values parse and carry what the course needs."""

import pytest
import yaml
from localhub import ROOT

VALUES = ROOT / "deploy" / "kubernetes" / "config.yaml"


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


def test_top_level_keys_are_the_charts(values):
    known = {"hub", "singleuser", "cull", "prePuller", "scheduling", "proxy",
             "ingress", "imagePullSecret", "debug"}
    assert set(values) <= known, set(values) - known


def test_single_user_image_is_the_repo2docker_build(values):
    image = values["singleuser"]["image"]
    assert image["name"] and image["tag"]
    text = VALUES.read_text(encoding="utf-8")
    assert "repo2docker" in text and "--target-repo-dir /srv/lrcourse" in text


def test_one_blas_thread_and_the_voila_template(values):
    env = values["singleuser"]["extraEnv"]
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        assert env[name] == "1"  # strings: Kubernetes env values
    assert env["JUPYTER_PATH"] == "/srv/lrcourse/presentation"
    args = values["hub"]["config"]["KubeSpawner"]["args"]
    assert "--VoilaConfiguration.template=lrcourse" in args


def test_limits_per_learner(values):
    single = values["singleuser"]
    assert single["memory"]["limit"] == "1G"
    assert float(single["cpu"]["limit"]) == 1
    assert single["memory"]["guarantee"] and single["cpu"]["guarantee"]


def test_the_nbgitpuller_link_is_documented():
    text = VALUES.read_text(encoding="utf-8")
    assert "nbgitpuller" in text
    guide = (ROOT / "docs" / "classroom.md").read_text(encoding="utf-8")
    assert "hub/user-redirect/git-pull?repo=" in guide
