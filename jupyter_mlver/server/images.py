"""The image-build job: the panel's "Build image" as a call of the core's build_image()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import Mlver
from ..core.store.store import Store
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
