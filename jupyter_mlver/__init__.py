"""jupyter_mlver: reproducible ML experiments in JupyterLab."""

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .api import load_model, log, register_model, snapshot


def __getattr__(name: str) -> Any:
    # The Python API loads on first use, so `jupyter mlver` and the server start fast.
    if name in ("log", "snapshot", "register_model", "load_model"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'jupyter_mlver' has no attribute {name!r}")


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext jupyter_mlver``: register ``%mlver`` and start recording data lineage."""
    from .notebook.magics import load

    load(shell)


def unload_ipython_extension(shell: Any) -> None:
    from .notebook.magics import unload

    unload(shell)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_mlver.server"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter_mlver"}]


__all__ = [
    "__version__",
    "load_ipython_extension",
    "load_model",
    "log",
    "register_model",
    "snapshot",
    "unload_ipython_extension",
]
