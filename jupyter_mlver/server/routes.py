"""The REST API's route table: every handler module's routes under
``<base_url>/jupyter-mlver/``, added to the Jupyter server's web application."""

from __future__ import annotations

import logging
import os

import tornado.web
from jupyter_server.utils import url_path_join

from ..config import Mlver
from . import dashboard, frontend, images, job_status, models, runs, snapshots
from .base import NAMESPACE, MlverHandler
from .context import MlverContext

MODULES = (snapshots, dashboard, models, images, runs, job_status, frontend)


def route_table(base_url: str) -> list[tuple[str, type[MlverHandler]]]:
    base = url_path_join(base_url, NAMESPACE)

    def url(*parts: str) -> str:
        return str(url_path_join(base, *parts))

    table: list[tuple[str, type[MlverHandler]]] = []
    for module in MODULES:
        table += module.routes(url)
    return table


def setup_handlers(
    web_app: tornado.web.Application, log: logging.Logger | None = None
) -> MlverContext:
    """Add the REST API to a Jupyter server's web application."""
    settings = web_app.settings
    ctx = MlverContext(
        settings.get("server_root_dir") or os.getcwd(),
        Mlver(config=settings.get("config")),
        log or logging.getLogger("jupyter_mlver"),
    )
    settings["jupyter_mlver"] = ctx
    web_app.add_handlers(".*$", route_table(settings.get("base_url", "/")))
    return ctx
