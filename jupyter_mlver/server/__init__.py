"""The jupyter_mlver server extension: the REST API behind the side panel."""

from __future__ import annotations

from typing import Any

from .context import MlverContext
from .routes import setup_handlers

__all__ = ["setup_handlers"]


def _load_jupyter_server_extension(server_app: Any) -> None:
    ctx: MlverContext = setup_handlers(server_app.web_app, log=server_app.log)
    server_app.log.info(
        "jupyter_mlver %s: REST API at %sjupyter-mlver/ (store for the root: %s)",
        _version(),
        server_app.base_url,
        ctx.store_dir(None),
    )
    _say_if_the_panel_is_missing(server_app)


def _say_if_the_panel_is_missing(server_app: Any) -> None:
    """A warning in the server's log when its JupyterLab will start without the panel."""
    from .frontend import frontend

    try:
        message = frontend(server_app).message
    except Exception as e:  # never keep the server from starting over a check
        server_app.log.debug("jupyter_mlver: cannot tell whether the panel is installed: %s", e)
        return
    if message is not None:
        server_app.log.warning("jupyter_mlver: %s", message)


def _version() -> str:
    from .._version import __version__

    return __version__
