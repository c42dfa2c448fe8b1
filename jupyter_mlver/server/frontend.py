"""Whether the JupyterLab this server runs has the ML Versions panel (the labextension), and
how to add it when it has not: the server's log says so when the extension loads, and
``GET frontend`` tells a kernel's ``%load_ext jupyter_mlver`` the same.

JupyterLab (and Notebook 7) load prebuilt extensions from the directories of their app's
``labextensions_path`` (and ``extra_labextensions_path``): ``<dir>/jupyter_mlver/package.json``.
A wheel installs it under ``share/jupyter/labextensions``; a development install
(``pip install -e .``) has none until ``make lab`` (or ``jupyter labextension develop``) links
it, and JupyterLab then starts without the panel and says nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import tornado.web

from .base import MlverHandler

LABEXTENSION = "jupyter_mlver"
FIX = (
    "`pip install jupyter_mlver` installs it with the package; from a development checkout "
    "run `make lab`, or `make labextension` then `jupyter labextension develop --overwrite .` "
    "in it; then restart JupyterLab"
)


@dataclass(frozen=True)
class Frontend:
    lab: bool  # a JupyterLab-based frontend (JupyterLab, Notebook 7) is served
    installed: bool  # ... and it finds the labextension
    paths: list[str] = field(default_factory=list)

    @property
    def message(self) -> str | None:
        if not self.lab or self.installed:
            return None
        return (
            "the ML Versions panel (jupyter_mlver's JupyterLab extension) is not installed in "
            f"this JupyterLab, which looks in {', '.join(self.paths) or 'no directory'}: {FIX}"
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "message": self.message}


def frontend(server_app: Any) -> Frontend:
    """What the server's JupyterLab-based apps find in their labextension directories."""
    paths: list[str] = []
    lab = False
    for apps in server_app.extension_manager.extension_apps.values():
        for app in apps:
            if not hasattr(app, "labextensions_path"):
                continue
            lab = True
            for path in [*getattr(app, "extra_labextensions_path", []), *app.labextensions_path]:
                if str(path) not in paths:
                    paths.append(str(path))
    installed = any(os.path.isfile(os.path.join(p, LABEXTENSION, "package.json")) for p in paths)
    return Frontend(lab, installed, paths)


class FrontendHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.reply(frontend(self.serverapp).to_json())


def routes(url: Callable[..., str]) -> list[tuple[str, type[MlverHandler]]]:
    return [(url("frontend"), FrontendHandler)]
