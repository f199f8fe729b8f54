"""JupyterHub for a class taking the lrcourse course on one machine.

Install the course with its hub extra into one environment, and the proxy with
npm (``make venv proxy`` does both), then start the hub from the repository:

    jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

Every learner gets a single-user JupyterLab in this same environment, one BLAS
thread per kernel, and the limits below. Hand out the course with the
nbgitpuller link in docs/classroom.md. Voila is a server extension of each
learner's server, so a lesson's presentation lives behind the hub's login at
``/user/NAME/voila/render/lrcourse/notebooks/NN_*.ipynb`` (course template).

Settings read from the environment (all optional):

- ``LRCOURSE_HUB_URL``: where the hub listens (default ``http://:8000``: every
  interface, port 8000; put TLS in front of it, or set ``c.JupyterHub.ssl_key``
  and ``c.JupyterHub.ssl_cert``).
- ``LRCOURSE_HUB_TRY_PASSWORD``: try the hub without system accounts: anyone
  logs in with any name and this password (8 characters or more), and each
  learner's home is ``$LRCOURSE_HUB_HOMES/NAME`` (default
  ``/tmp/lrcourse-hub/NAME``). For trying the recipe, never for a class.
- ``LRCOURSE_MEM_LIMIT`` (default ``1G``) and ``LRCOURSE_CPU_LIMIT`` (default
  ``1``): each learner's memory and CPU limits.

The authenticator is the instructor's choice. Without the try password the hub
uses PAM (the machine's accounts, each learner's server runs as that user) and
lets nobody in until you say who: set ``c.Authenticator.allowed_users`` or
``c.Authenticator.allow_all``, or pick another authenticator (an OAuth one
from the oauthenticator package, LTI from your learning platform) in a file of
your own that loads this one with ``load_subconfig``.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

COURSE = Path(__file__).resolve().parents[2]

#: One BLAS thread per kernel: the course's matrices are small, and a class's
#: kernels share the machine's cores.
ONE_THREAD = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}

c.JupyterHub.bind_url = os.environ.get("LRCOURSE_HUB_URL", "http://:8000")

# ------------------------------------------------------------ each learner

# The single-user server runs from the environment that runs the hub, where the
# course package, its widgets, nbgitpuller and Voila are installed.
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    **ONE_THREAD,
    # the course's Voila template (presentation/voila/templates/lrcourse)
    "JUPYTER_PATH": str(COURSE / "presentation"),
}
# Voila, an extension of each learner's server, presents with the course's
# template: /user/NAME/voila/render/PATH shows a lesson as a dashboard.
c.Spawner.args = [
    "--VoilaConfiguration.template=lrcourse",
    "--VoilaConfiguration.theme=light",
]
# Spawns take 13-20 s each while a class logs in at once.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90

# Limits. LocalProcessSpawner (this file's) only passes them to the server as
# MEM_LIMIT and CPU_LIMIT (jupyter-resource-usage shows them); SystemdSpawner,
# DockerSpawner and KubeSpawner (Zero to JupyterHub) enforce them. A learner
# needs about 250 MB (server and one lesson's kernel).
c.Spawner.mem_limit = os.environ.get("LRCOURSE_MEM_LIMIT", "1G")
c.Spawner.cpu_limit = float(os.environ.get("LRCOURSE_CPU_LIMIT", "1"))

# ------------------------------------------------------------ trying it out

_TRY_PASSWORD = os.environ.get("LRCOURSE_HUB_TRY_PASSWORD")
if _TRY_PASSWORD:
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = _TRY_PASSWORD
    c.Authenticator.allow_all = True
    # every server runs as the hub's own user, in a folder of its own
    c.JupyterHub.spawner_class = "simple"
    _homes = os.environ.get("LRCOURSE_HUB_HOMES", "/tmp/lrcourse-hub")
    c.SimpleLocalProcessSpawner.home_dir_template = str(Path(_homes) / "{username}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # as in many containers
        c.Spawner.args.append("--ServerApp.allow_root=True")
