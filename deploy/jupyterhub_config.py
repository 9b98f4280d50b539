"""JupyterHub for a class on one machine: the tp3 notebooks, JupyterLab by default, Voila beside it.

Laid out as The Littlest JupyterHub (TLJH) sets up one machine: the hub and a separate proxy
(``configurable-http-proxy``), one user server per student started by a spawner, an idle culler
that stops forgotten servers, and user servers that keep running when the hub restarts. Started by
``deploy/hub.py`` (``make hub``, ``make class-load`` and the tests), which starts the proxy and
passes these settings in the environment:

====================== ==========================================================================
TP3_HUB_STATE          folder for the hub's database, cookie secret and the students' folders
TP3_HUB_PORT           the port students open (the proxy's), on 127.0.0.1
TP3_HUB_API_PORT       the hub's own port, where the proxy sends /hub/ (127.0.0.1)
TP3_HUB_PROXY_API_PORT the proxy's REST API, where the hub adds a route per student (127.0.0.1)
CONFIGPROXY_AUTH_TOKEN the secret of the proxy's API, shared by the proxy and the hub
TP3_HUB_PASSWORD       the class's shared password (dummy authenticator: demos and tests only)
TP3_HUB_NOTEBOOKS      the notebooks copied into each new student's folder
TP3_HUB_ADMINS         optional: user names, separated by commas, that get the hub's admin page
TP3_HUB_SERVICE_TOKEN  optional: registers the ``class-load`` service (the load test's driver)
====================== ==========================================================================

Every address is 127.0.0.1: to open the hub to a classroom, put it behind HTTPS (TLJH's traefik,
or a reverse proxy) rather than changing ``ip`` here.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

STATE = Path(os.environ["TP3_HUB_STATE"]).resolve()
NOTEBOOKS = Path(os.environ["TP3_HUB_NOTEBOOKS"]).resolve()
BIN = Path(sys.executable).parent  # the environment the hub runs in, with tp3helpers installed

# Memory per student: one user server with the two notebooks of a lesson open, as measured by
# ``make class-load`` (docs/class.md): a limit where the spawner enforces one (TLJH's
# SystemdSpawner, KubeSpawner: see deploy/values.yaml); the simple spawner below only passes it on
# to the server as MEM_LIMIT, for JupyterLab's resource display.
MEMORY_LIMIT = "1280M"  # class-load:memory-limit

# -- network: loopback only -----------------------------------------------------------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["TP3_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["TP3_HUB_API_PORT"])
# The proxy runs on its own (deploy/hub.py starts it), as in TLJH: restarting the hub then keeps
# the routes and the students' open connections to their kernels.
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['TP3_HUB_PROXY_API_PORT']}"
# (The proxy's secret comes from CONFIGPROXY_AUTH_TOKEN, read by the hub and the proxy alike.)

# -- state ----------------------------------------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
# A hub that stops (an upgrade, a crash, a restart during the class) leaves the students' servers
# running; the hub finds them again when it is back.
c.JupyterHub.cleanup_servers = False

# -- who may log in -------------------------------------------------------------------------------
# For demos and tests: any user name with the class's shared password. For a real class, use the
# university's login instead, for instance (pip install oauthenticator, or ltiauthenticator for a
# course in Moodle or Canvas):
#
#     c.JupyterHub.authenticator_class = "generic-oauth"   # or "lti13"
#     c.GenericOAuthenticator.client_id = "..."            # from the university's identity team
#     c.GenericOAuthenticator.client_secret = "..."
#     c.GenericOAuthenticator.oauth_callback_url = "https://HOST/hub/oauth_callback"
#     c.GenericOAuthenticator.authorize_url = "https://login.example.edu/oauth2/authorize"
#     c.GenericOAuthenticator.token_url = "https://login.example.edu/oauth2/token"
#     c.GenericOAuthenticator.userdata_url = "https://login.example.edu/oauth2/userinfo"
#     c.GenericOAuthenticator.allowed_groups = {"tp3-students"}  # instead of allow_all
#
# and delete the three lines below.
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["TP3_HUB_PASSWORD"]
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {
    name.strip() for name in os.environ.get("TP3_HUB_ADMINS", "").split(",") if name.strip()
}

# -- each student's server ------------------------------------------------------------------------
# The simple local spawner ships with JupyterHub and runs every student's server as the hub's own
# Unix user, each in a folder of its own: the hub keeps students apart on the web (a student's
# token opens only that student's server), not on the disk. For a class, run the same settings
# with a Unix user per student: TLJH (SystemdSpawner, which also enforces the memory limit), or
# JupyterHub's LocalProcessSpawner with users created on the machine, or Kubernetes (values.yaml).
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "users" / "{username}")
c.Spawner.notebook_dir = str(STATE / "users" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
# A user server refuses to run as root without --allow-root.
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []
c.Spawner.default_url = "/lab"  # Voila is at /user/NAME/voila/ (its server extension)
c.Spawner.mem_limit = MEMORY_LIMIT
# One thread of numerical work per kernel: a class shares the cores; more threads per student
# only make them wait for each other.
c.Spawner.environment = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                         "MKL_NUM_THREADS": "1"}
# A class starts at once: give a loaded machine time to start every server.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180


def copy_notebooks(spawner) -> None:  # noqa: ANN001 - a JupyterHub Spawner
    """Copy the lesson's notebooks into the student's folder, keeping any they already have."""
    home = Path(spawner.home_dir)
    home.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        if not (home / notebook.name).exists():
            shutil.copy2(notebook, home / notebook.name)


c.Spawner.pre_spawn_hook = copy_notebooks

# -- services -------------------------------------------------------------------------------------
# The idle culler stops a server nobody has used for an hour (it frees the memory of a student
# who left); the hub starts it and gives it a token with just the scopes it needs.
c.JupyterHub.services = [
    {"name": "idle-culler",
     "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600"]},
]
c.JupyterHub.load_roles = [
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
]
if os.environ.get("TP3_HUB_SERVICE_TOKEN"):
    # The class-load test's driver: creates students, their tokens and servers; it cannot open
    # the students' servers itself (no access:servers).
    c.JupyterHub.services.append(
        {"name": "class-load", "api_token": os.environ["TP3_HUB_SERVICE_TOKEN"]}
    )
    c.JupyterHub.load_roles.append(
        {"name": "class-load", "services": ["class-load"],
         "scopes": ["admin:users", "admin:servers", "tokens"]}
    )
