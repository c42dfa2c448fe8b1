"""jupyter_mlver: reproducible ML experiments in JupyterLab."""

from typing import Any

from ._version import __version__
from .api import log, snapshot


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext jupyter_mlver``: register ``%mlver`` and start recording data lineage."""
    from .magics import load

    load(shell)


def unload_ipython_extension(shell: Any) -> None:
    from .magics import unload

    unload(shell)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_mlver.server"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter_mlver"}]


__all__ = [
    "__version__",
    "load_ipython_extension",
    "log",
    "snapshot",
    "unload_ipython_extension",
]
