"""jupyter_mlver: reproducible ML experiments in JupyterLab."""

from ._version import __version__

__all__ = ["__version__"]
