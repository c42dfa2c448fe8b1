"""REST handlers of the model registry: ``models``, ``models/<name>``, ``models/<ref>``,
``models/<name>/versions``, ``models/<ref>/aliases`` and ``models/<NAME@ALIAS>/rollback``.

Thin front doors over ``core.models.registry``; errors go through ``MlverHandler``'s one
mapper (a guard refusal is a 409 whose message names both metrics).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..core.errors import InvalidInput
from ..core.models import registry
from ..core.models.detail import version_detail
from ..core.models.refs import looks_like_model_ref
from ..core.models.versions import list_versions
from ..core.records import AliasRecord
from .base import MlverHandler
from .context import MlverContext


def list_models(ctx: MlverContext, notebook: Path | None) -> dict[str, Any]:
    store = ctx.store(notebook)
    if store is None:
        return {"models": [], "generation": 0}
    return {"models": registry.list_models(store), "generation": store.index.generation()}


def get_model(ctx: MlverContext, notebook: Path | None, ref: str) -> dict[str, Any]:
    """A bare name: the model with its versions, aliases, history and serving images.
    ``NAME:VERSION`` or ``NAME@ALIAS``: that version's record and its ``images``."""
    store = ctx.require_store(notebook)
    if looks_like_model_ref(ref):
        version = version_detail(store, registry.resolve(store, ref))
        return {**version.record, "images": version.images}
    detail = registry.describe(store, ref)
    for snap in detail["snapshots"].values():
        snap["notebook"] = ctx.server_path(store, snap["notebook"])
    detail["generation"] = store.index.generation()
    return detail


def model_versions(ctx: MlverContext, notebook: Path | None, name: str) -> dict[str, Any]:
    return list_versions(ctx.require_store(notebook), name).to_json()


def move_alias(
    ctx: MlverContext, notebook: Path | None, ref: str, alias: str, force: bool, reason: str | None
) -> AliasRecord:
    store = ctx.require_store(notebook)
    return registry.move_alias(store, ref, alias, force=force, reason=reason)


def rollback(ctx: MlverContext, notebook: Path | None, ref: str, reason: str | None) -> AliasRecord:
    return registry.rollback(ctx.require_store(notebook), ref, reason=reason)


class ModelsHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.reply(await self.call(list_models, self.ctx, self.notebook_arg()))


class ModelHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        self.reply(await self.call(get_model, self.ctx, self.notebook_arg(), ref))


class ModelVersionsHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        self.reply(await self.call(model_versions, self.ctx, self.notebook_arg(), ref))


class ModelAliasesHandler(MlverHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self, ref: str) -> None:
        body = self.body_json()
        alias = self.str_field(body, "alias", required=True) or ""
        force = body.get("force", False)
        if not isinstance(force, bool):
            raise InvalidInput("'force' must be true or false")
        reason = self.str_field(body, "reason")
        event = await self.call(
            move_alias, self.ctx, self.notebook_arg(), ref, alias, force, reason
        )
        self.reply(event, status=201)


class ModelRollbackHandler(MlverHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self, ref: str) -> None:
        reason = self.str_field(self.body_json(), "reason")
        self.reply(await self.call(rollback, self.ctx, self.notebook_arg(), ref, reason), 201)


def routes(url: Callable[..., str]) -> list[tuple[str, type[MlverHandler]]]:
    ref = r"(?P<ref>[^/]+)"
    return [
        (url("models"), ModelsHandler),
        (url("models", ref), ModelHandler),
        (url("models", ref, "versions"), ModelVersionsHandler),
        (url("models", ref, "aliases"), ModelAliasesHandler),
        (url("models", ref, "rollback"), ModelRollbackHandler),
    ]
