"""Jupyter server configuration for the jupyter_mlver browser tests.

Never use this configuration outside the tests: it disables authentication.

Environment:
    MLVER_UI_PORT            port to listen on (default 8888)
    MLVER_LABEXTENSION_DIR   folder holding the built labextension as ``<dir>/labextension``
                             (default: the repository's ``jupyter_mlver`` package folder);
                             it is put first on the labextensions path, so the tests load
                             the fresh build whether or not the Python package is installed
    MLVER_UI_ROOT            notebook root (default: a new temporary folder); it is seeded
                             with the quickstart notebook, executed, so its store holds
                             real snapshots (see seed.py)
"""

import os
import sys
from pathlib import Path
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import seed

configure_jupyter_server(c)  # noqa: F821 - `c` is injected by the config loader

_root = Path(os.environ.get("MLVER_UI_ROOT") or mkdtemp(prefix="mlver-ui-"))
seed(_root)
c.ServerApp.root_dir = str(_root)  # noqa: F821
c.ServerApp.jpserver_extensions.update({"jupyter_mlver": True})  # noqa: F821

c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.port = int(os.environ.get("MLVER_UI_PORT", "8888"))  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821
c.IdentityProvider.token = ""  # noqa: F821
c.ServerApp.password = ""  # noqa: F821
# No announcements/update checks: the test machine reaches no outside host.
c.LabApp.news_url = None  # noqa: F821
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"  # noqa: F821

_repo_package = Path(__file__).resolve().parents[2] / "jupyter_mlver"
_built = Path(os.environ.get("MLVER_LABEXTENSION_DIR", _repo_package)) / "labextension"
_paths = [c.LabServerApp.extra_labextensions_path]  # noqa: F821 - galata's helper extension
if (_built / "package.json").is_file():
    # A labextensions path holds <name>/package.json and its static files are served
    # from <path>/<name>/static, so the folder must be named like the package: link
    # the build output under that name in a throwaway folder.
    _link_dir = Path(mkdtemp(prefix="mlver-labextensions-"))
    (_link_dir / "jupyter_mlver").symlink_to(_built, target_is_directory=True)
    _paths.insert(0, str(_link_dir))
c.LabServerApp.extra_labextensions_path = _paths  # noqa: F821
