"""``%load_ext jupyter_mlver`` asks the Jupyter server that started this kernel whether its
JupyterLab has the ML Versions panel, and says what to do when it has not.

The server is found as ``jupyter server list`` finds it: its runtime file
``jpserver-<pid>.json``, here for the pid of the process that launched the kernel
(``$JPY_PARENT_PID``, set by jupyter_client). It answers ``GET jupyter-mlver/frontend``; a
server without jupyter_mlver's server extension answers 404, and that is said too. A kernel
no Jupyter server started (a terminal, VS Code, nbclient) says nothing, and so does any
failure: the check must never keep the extension from loading.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

#: The check runs while the user waits for the cell.
TIMEOUT = 2.0
NO_SERVER_EXTENSION = (
    "the Jupyter server running this notebook has no jupyter_mlver server extension, so the "
    "ML Versions panel cannot work: run `jupyter server extension enable jupyter_mlver` in "
    "its environment and restart it"
)


def missing_panel() -> str | None:
    """What is wrong with the panel of the JupyterLab that started this kernel, or None."""
    try:
        server = _server_info()
        if server is None or server.get("sock"):
            return None
        return _ask(server)
    except Exception:  # a check, never a reason for %load_ext to fail
        return None


def _server_info() -> dict[str, object] | None:
    from jupyter_core.paths import jupyter_runtime_dir

    pid = os.environ.get("JPY_PARENT_PID") or str(os.getppid())
    path = Path(jupyter_runtime_dir()) / f"jpserver-{pid}.json"
    if not path.is_file():
        return None
    info = json.loads(path.read_text(encoding="utf-8"))
    return info if isinstance(info, dict) else None


def _ask(server: dict[str, object]) -> str | None:
    url = str(server["url"]).rstrip("/") + "/jupyter-mlver/frontend"
    headers = {"Authorization": f"token {server['token']}"} if server.get("token") else {}
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with direct.open(urllib.request.Request(url, headers=headers), timeout=TIMEOUT) as r:
            answer = json.loads(r.read())
    except urllib.error.HTTPError as e:
        return NO_SERVER_EXTENSION if e.code == 404 else None
    message = answer.get("message") if isinstance(answer, dict) else None
    return str(message) if message else None
