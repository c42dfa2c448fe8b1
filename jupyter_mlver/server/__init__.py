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


def _version() -> str:
    from .._version import __version__

    return __version__
