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
from dataclasses import replace
from pathlib import Path

from ... import _version
from .. import records
from ..engine.protocol import Engine
from ..errors import InvalidInput
from ..models import registry
from ..records import ServingFields
from ..store.store import Store
from .build import (
    Plan,
    build_image,
    connect,
    find_reusable,
    image_record,
)
from .dockerfile import UID
from .engine_build import push_tags, run_build, tagging
from .extras import Layer
from .lock import load_lock
from .model_common import (
    COMPILE,
    ENTRYPOINT,
    PORT,
    ModelImageOptions,
    ModelImageResult,
    _labels,
    _model_layer,
    _reuse,
    check_servable,
    repository,
    serving_record,
    tag_names,
)
from .model_sized import build_model_sized
from .overlay import Overlay, Run, context, render
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
    if options.env == "model":
        return build_model_sized(store, options, record, engine, progress, base_default)
    if options.env != "snapshot":
        raise InvalidInput(f"--env {options.env!r}", "use --env model or --env snapshot")
    name = repository(options.prefix, record["name"])
    tags = tag_names(store, record, options.tag)
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
    snapshot = store.get(record["snapshot"])
    environment = store.get(snapshot["environment"])
    target = load_lock(store, env_image["lock"]).target
    with (
        tempfile.TemporaryDirectory(prefix="mlver-model-image-") as tmp,
        store.writing(),
        store.objects.writer() as writer,
    ):
        server = resolve_server_lock(store, writer, environment, target, progress)
        progress(ProgressEvent("context", "assembling the server and model layers"))
        lib = lib_layer(store, server.lock, Path(tmp) / "server")
        steps: tuple[Layer | Run, ...] = (
            *([lib] if lib is not None else []),
            runtime_layer(),
            Run(COMPILE),
        )
        overlay = Overlay(
            base=env_info.id,
            steps=steps,
            tail=(_model_layer(store, record, Path(tmp) / "model"),),
            user=f"{UID}:{UID}",
            env={"PYTHONPATH": PYTHONPATH},
            expose=(PORT,),
            entrypoint=ENTRYPOINT,
        )
        inputs = overlay.inputs()
        plan = Plan(
            source=Source(snapshot, environment),
            name=name,
            refs=[f"{name}:{t}" for t in tags],
            push_refs=[f"{options.push}:{t}" for t in tags] if options.push else [],
            base=env_result.image or env_info.id,
            inputs=inputs,
            started=started,
        )
        extra: ServingFields = {
            "model": {"name": record["name"], "version": record["version"], "record": record["id"]},
            "environment_image": env_image["id"],
            "server": server.to_json(),
            "env": "snapshot",
            "requirements": sorted(f"{p['name']}=={p['version']}" for p in environment["packages"]),
        }
        found = None
        if not options.no_cache:
            found = find_reusable(store, engine, store.index.images_of_model(record["id"]), inputs)
        if found is not None:
            stored, dockerfile = _reuse(store, engine, plan, *found, extra, options.push, progress)
        else:
            created = records.now()
            overlay = replace(
                overlay,
                labels=_labels(
                    record,
                    snapshot,
                    (env_result.image or "", env_result.environment),
                    options,
                    inputs,
                    created,
                ),
                header=(
                    f"Built by jupyter_mlver {_version.__version__}: model "
                    f"{record['name']}:{record['version']} ({record['id']})",
                    f"on environment image {plan.base} ({env_info.id})",
                ),
            )
            dockerfile = render(overlay)
            image_id, log = run_build(
                store, writer, engine, context(overlay, dockerfile), dockerfile, options.no_cache,
                Path(tmp), progress,
            )  # fmt: skip
            info = engine.image(image_id)
            assert info is not None
            with tagging(engine, info, plan.all_refs):
                progress(ProgressEvent("tag", f"tagged {', '.join(plan.refs)}"))
                ids = {
                    "dockerfile": writer.add_bytes(dockerfile.encode()),
                    "lock": writer.add_bytes(server.lock.encode()),
                    "build_log": writer.add_bytes(log.encode()),
                }
                writer.commit()
                image = image_record(
                    plan,
                    info,
                    **ids,
                    reused=False,
                    unreproducible=env_image.get("unreproducible") or [],
                    wheels=sorted({w.object for w in server.lock.wheels()}),
                    repo_digests=push_tags(engine, options.push, plan.push_refs, progress),
                    created=created,
                )
                stored = store.put_record(serving_record(image, extra))
    result = plan.result(stored, dockerfile, stored.get("unreproducible") or [])
    return ModelImageResult(result, record, env_result)
