"""``model build``: the serving image of a model version. ``--env model`` (the default) is
``model_sized.py``; ``--env snapshot``, here:

1. The environment image of the version's snapshot: ``build_image`` reuses it when it
   exists, else builds it (with its cached dependency layer).
2. On top of it, as small last layers (``images/overlay.py``): the model server's packages
   the environment lacks, its runtime (``images/runtime_layer.py``), and the version exported as
   a model directory (``model.json`` + ``artifact/``) at ``/opt/mlver/model``; port 8080,
   uid 1000, ``ENTRYPOINT python -m jupyter_mlver.serving``.
3. Tags ``<name>:<version>``, ``<name>:<semver>`` (``--tag``) and ``<name>:<alias>`` for
   every alias the version holds; OCI and ``io.mlver.model*`` labels; an Image record with
   ``model`` (and the environment image it is built on), indexed by the version.

An image built from the same inputs (environment image, server, model) is reused: tagged
again and recorded with ``reused: true``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from ... import _version
from ..engine.protocol import Engine
from ..errors import InvalidInput
from ..models import registry
from ..records import EnvironmentRecord, SnapshotRecord
from ..store.store import Store
from .build import (
    build_image,
    connect,
)
from .lock import load_lock
from .model_common import (
    COMPILE,
    PORT,
    ModelImageOptions,
    ModelImageResult,
    ServingBuild,
    build_serving,
    check_servable,
    repository,
    serving_overlay,
    serving_request,
)
from .model_sized import build_model_sized
from .overlay import Run
from .progress import OneCount, ProgressCallback, ProgressEvent, ignore
from .runtime_layer import PYTHONPATH, lib_layer, resolve_server_lock, runtime_layer
from .source import BuildOptions, Source

__all__ = [
    "PORT",
    "ModelImageOptions",
    "ModelImageResult",
    "build_model_image",
    "check_servable",
    "repository",
]


def build_model_image(
    store: Store,
    options: ModelImageOptions,
    engine: Engine | None = None,
    progress: ProgressCallback = ignore,
    base_default: str | None = None,
) -> ModelImageResult:
    """Build (or reuse) the serving image of the version ``options.ref`` names."""
    started = time.monotonic()
    progress = OneCount(progress)  # the environment image's steps, then the serving layers'
    record = registry.resolve(store, options.ref)
    check_servable(record)
    if options.env not in ("model", "snapshot"):
        raise InvalidInput(f"--env {options.env!r}", "use --env model or --env snapshot")
    request = serving_request(store, options, record, started)
    if options.env == "model":
        return build_model_sized(store, request, engine, progress, base_default)
    engine = connect(engine, dry_run=False)
    assert engine is not None
    progress(
        ProgressEvent("resolve", f"the environment image of snapshot {record['snapshot'][:12]}")
    )
    env_result = build_image(
        store,
        BuildOptions(
            ref=record["snapshot"],
            base=options.base,
            prefix=options.prefix,
            no_cache=options.no_cache,
        ),
        engine,
        progress=progress,
        base_default=base_default,
    )
    env_image = env_result.record
    assert env_image is not None
    env_info = engine.image(env_image["image_id"])
    assert env_info is not None
    snapshot = store.get(record["snapshot"], SnapshotRecord)
    environment = store.get(snapshot["environment"], EnvironmentRecord)
    target = load_lock(store, env_image["lock"]).target
    with (
        tempfile.TemporaryDirectory(prefix="mlver-model-image-") as tmp,
        store.writing(),
        store.objects.writer() as writer,
    ):
        server = resolve_server_lock(store, writer, environment, target, progress)
        progress(ProgressEvent("context", "assembling the server and model layers"))
        lib = lib_layer(store, server.lock, Path(tmp) / "server")
        base = env_result.image or env_info.id
        job = ServingBuild(
            source=Source(snapshot, environment),
            base=base,
            on=(env_result.image or "", env_result.environment),
            overlay=serving_overlay(
                store,
                record,
                Path(tmp),
                base=env_info.id,
                steps=(*([lib] if lib is not None else []), runtime_layer(), Run(COMPILE)),
                env={"PYTHONPATH": PYTHONPATH},
            ),
            header=(
                f"Built by jupyter_mlver {_version.__version__}: model "
                f"{record['name']}:{record['version']} ({record['id']})",
                f"on environment image {base} ({env_info.id})",
            ),
            lock=server.lock,
            unreproducible=env_image.get("unreproducible") or [],
            extra={
                "environment_image": env_image["id"],
                "server": server.to_json(),
                "requirements": sorted(
                    f"{p['name']}=={p['version']}" for p in environment["packages"]
                ),
            },
        )
        result = build_serving(store, writer, engine, request, job, Path(tmp), progress)
    return ModelImageResult(result, record, env_result)
