"""The install files agree: pyproject.toml, constraints.txt, environment.yml, Makefile.

These run without importing lrcourse.
"""

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
EXTRAS = {
    name: [Requirement(r) for r in reqs]
    for name, reqs in PROJECT["optional-dependencies"].items()
}
MAKE_TARGETS = ["lab", "test", "reset", "notebooks", "bench", "present",
                "test-hub", "bench-classroom", "proxy"]
#: Packages conda-forge names otherwise (the hub's: the learner's side only).
CONDA_NAMES = {"jupyterhub": "jupyterhub-singleuser", "zlib-ng": "python-zlib-ng"}


def read_constraints() -> dict[str, Version]:
    pins = {}
    for raw in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep, f"constraints.txt: not an exact pin: {raw!r}"
        pins[canonicalize_name(name)] = Version(version.strip())
    return pins


def read_environment() -> tuple[dict[str, str], list[str]]:
    """Return the conda dependencies (name -> version spec) and the pip section."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep.get("pip", []))
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", dep)
        assert match, f"environment.yml: cannot read {dep!r}"
        conda[canonicalize_name(match[1])] = match[2].replace(" ", "")
    return conda, pip


CONSTRAINTS = read_constraints()


def test_python_versions_agree():
    conda, _ = read_environment()
    assert PROJECT["requires-python"] == ">=3.11"
    assert conda["python"] == "=3.11"


@pytest.mark.parametrize("req", RUNTIME, ids=str)
def test_runtime_dependency_in_environment_yml(req):
    conda, _ = read_environment()
    name = CONDA_NAMES.get(canonicalize_name(req.name), canonicalize_name(req.name))
    assert name in conda, f"{req.name} is missing from environment.yml"
    assert conda[name] == str(req.specifier), (
        f"environment.yml asks for {req.name}{conda[name]}, pyproject for {req}"
    )


@pytest.mark.parametrize("req", EXTRAS["hub"], ids=str)
def test_hub_extra_in_environment_yml(req):
    """Binder and the Zero to JupyterHub image build from environment.yml."""
    conda, _ = read_environment()
    name = CONDA_NAMES.get(canonicalize_name(req.name), canonicalize_name(req.name))
    assert name in conda, f"{name} (the hub extra's {req.name}) not in environment.yml"
    assert conda[name] == str(req.specifier), (
        f"environment.yml asks for {name}{conda[name]}, pyproject for {req}")


def test_environment_yml_installs_the_package():
    _, pip = read_environment()
    assert "-e ." in pip


@pytest.mark.parametrize(
    "req", RUNTIME + EXTRAS["test"] + EXTRAS["frameworks"] + EXTRAS["hub"], ids=str
)
def test_dependency_pinned_in_constraints(req):
    name = canonicalize_name(req.name)
    if name == "torch":
        # Its installed version carries a local tag (+cpu); the extra pins it.
        assert str(req.specifier) == "==2.13.0"
        assert name not in CONSTRAINTS
        return
    assert name in CONSTRAINTS, f"{req.name} has no pin in constraints.txt"
    assert req.specifier.contains(CONSTRAINTS[name]), (
        f"constraints.txt pins {req.name}=={CONSTRAINTS[name]}, outside {req}"
    )


def test_constraints_leave_out_the_package_itself():
    assert "lrcourse" not in CONSTRAINTS


@pytest.mark.parametrize("target", MAKE_TARGETS)
def test_makefile_has_target(target):
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(rf"^{target}\s*:", makefile, flags=re.MULTILINE), target
