"""The image-build job: the panel's "Build image" as a call of the core's build_image()."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..config import Mlver
from ..core.errors import InvalidInput
from ..core.store.store import Store
from .base import MlverHandler, has_module
from .jobs import Job, JobFunction


def build_job(
    store_dir: Path,
    snapshot_id: str,
    settings: Mlver,
    *,
    tag: str | None = None,
    base: str | None = None,
    push: str | None = None,
    no_cache: bool = False,
) -> JobFunction:
    """A job function that builds (or reuses) the image of one snapshot's environment."""

    def run(job: Job) -> dict[str, Any]:
        from ..core.images import BuildOptions, BuildStepFailed, build_image
        from ..core.images.progress import ProgressEvent

        options = BuildOptions(
            ref=snapshot_id,
            tag=tag,
            base=base,
            prefix=settings.image_prefix,
            push=push,
            no_cache=no_cache,
        )
        with Store(store_dir) as store:
            try:
                result = build_image(
                    store, options, progress=job.progress, base_default=settings.base_image or None
                )
            except BuildStepFailed as e:
                for line in e.tail:
                    job.progress(ProgressEvent("build", line, log=True))
                raise
        out: dict[str, Any] = result.to_json()
        return out

    return run


class ImagesHandler(MlverHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.body_json()
        ref = self.str_field(body, "snapshot", required=True)
        options = {name: self.str_field(body, name) for name in ("tag", "base", "push")}
        no_cache = body.get("no_cache", False)
        if not isinstance(no_cache, bool):
            raise InvalidInput("'no_cache' must be true or false")
        notebook = self.ctx.notebook_path(self.str_field(body, "notebook"))
        if not has_module("images.build"):
            raise tornado.web.HTTPError(501, "image builds are not available in this version")
        store_dir, snapshot_id = await self.call(self.ctx.resolve, notebook, ref)
        self.start_job(
            "image-build",
            {"snapshot": snapshot_id, **options, "no_cache": no_cache},
            build_job(store_dir, snapshot_id, self.ctx.settings, no_cache=no_cache, **options),
        )


def routes(url: Callable[..., str]) -> list[tuple[str, type[MlverHandler]]]:
    return [(url("images"), ImagesHandler)]
