"""The image-build job: the panel's "Build image" as a call of the core's build_image()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import Mlver
from ..core.store import Store
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
        from ..core.images.build import BuildOptions, build_image

        options = BuildOptions(
            tag=tag,
            base=base or settings.base_image or None,
            push=push,
            no_cache=no_cache,
            prefix=settings.image_prefix,
        )
        with Store(store_dir) as store:
            image = build_image(store, snapshot_id, options, progress=job.progress)
        return {"image": image}

    return run
