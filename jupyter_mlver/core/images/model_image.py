"""``model build``: the serving image of a model version.

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

import re
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ... import _version
from .. import records
from ..engine.protocol import Engine, ImageInfo
from ..errors import InvalidInput
from ..models import aliases as al
from ..models import registry
from ..records import Record
from ..store.store import Store
from .build import (
    BuildResult,
    Plan,
    build_image,
    connect,
    find_reusable,
    image_record,
    reused_record,
    tagging,
)
from .dockerfile import UID, VENV
from .engine_build import push_tags, run_build
from .extras import Layer
from .lock import load_lock
from .naming import _check_tag
from .overlay import Overlay, Run, context, render
from .progress import ProgressCallback, ProgressEvent, ignore
from .runtime_layer import PYTHONPATH, SERVER_ROOT, lib_layer, resolve_server_lock, runtime_layer
from .source import BuildOptions, Source

PORT = 8080
#: Where the server finds a baked-in model (``serving.model.BAKED_IN``).
MODEL_DIR = "/opt/mlver/model"
ENTRYPOINT = ("python", "-m", "jupyter_mlver.serving")
#: Precompiled as root at build time: the server runs as uid 1000 and cannot write there.
COMPILE = (
    f"{VENV}/bin/python", "-m", "compileall", "-q", "-j", "0",
    "--invalidation-mode", "unchecked-hash", SERVER_ROOT,
)  # fmt: skip
_SEPARATORS = re.compile(r"[._-]{2,}")


@dataclass
class ModelImageOptions:
    ref: str  # NAME, NAME:VERSION or NAME@ALIAS
    tag: str | None = None  # SEMVER: adds <name>:<SEMVER>
    base: str | None = None  # the environment image's base
    push: str | None = None  # a repository to push every tag to
    prefix: str = ""  # c.Mlver.image_prefix


@dataclass
class ModelImageResult:
    """The serving image (``build``, shaped like ``env build``'s result), the version it
    serves and the environment image it is built on."""

    build: BuildResult
    model: Record
    environment_image: BuildResult

    def to_json(self) -> dict[str, Any]:
        env = self.environment_image
        return {
            **self.build.to_json(),
            "model": {
                "name": self.model["name"],
                "version": self.model["version"],
                "id": self.model["id"],
            },
            "environment_image": {
                "image": env.image,
                "image_id": env.record["image_id"] if env.record else None,
                "record": env.record["id"] if env.record else None,
                "reused": env.reused,
            },
        }


def check_servable(record: Record) -> None:
    """Refuse before building what the server would refuse at start."""
    ref = f"{record['name']}:{record['version']}"
    if record["flavor"] == "file":
        raise InvalidInput(
            f"model {ref} is a plain file (flavor 'file'): the server has no loader for it",
            "register it with --flavor (sklearn, xgboost, lightgbm, torch, cloudpickle)",
        )
    signature = record.get("signature") or {}
    if signature.get("format") == "tensor":
        raise InvalidInput(
            f"model {ref} takes an N-dimensional tensor",
            "the server serves models of tabular inputs (columns, or rows of numbers)",
        )


def repository(prefix: str, name: str) -> str:
    """A model name as an image repository (``a..b`` is a valid model name, not a valid
    repository component)."""
    return prefix + _SEPARATORS.sub("-", name).strip("._-")


def tag_names(store: Store, record: Record, semver: str | None) -> list[str]:
    held = [a for a, v in al.holders(store, record["name"]).items() if v == record["version"]]
    tags = [str(record["version"]), *([_check_tag(semver)] if semver else []), *sorted(held)]
    return list(dict.fromkeys(tags))


def _labels(
    record: Record,
    snapshot: Record | None,
    env_image: BuildResult,
    options: ModelImageOptions,
    inputs: str,
    created: str,
) -> dict[str, str]:
    git = (snapshot or {}).get("git") or {}
    ref = f"{record['name']}:{record['version']}"
    labels = {
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.title": record["name"],
        "org.opencontainers.image.version": options.tag or str(record["version"]),
        "org.opencontainers.image.description": f"model {ref} ({record['flavor']}) served by "
        f"jupyter_mlver on port {PORT}: KServe v2, /invocations, /metrics",
        "org.opencontainers.image.revision": git.get("commit") or "",
        "org.opencontainers.image.source": git.get("remote") or "",
        "org.opencontainers.image.base.name": env_image.image or "",
        "io.mlver.model": record["name"],
        "io.mlver.model.version": str(record["version"]),
        "io.mlver.model.record": record["id"],
        "io.mlver.model.flavor": record["flavor"],
        "io.mlver.snapshot": (snapshot or {}).get("id") or "",
        "io.mlver.environment": env_image.environment,
        "io.mlver.inputs": inputs,
        "io.mlver.schema": records.IMAGE,
        "io.mlver.version": _version.__version__,
    }
    return {k: v for k, v in labels.items() if v}


def _model_layer(store: Store, record: Record, workdir: Path) -> Layer:
    registry.export(store, record, workdir)
    files: dict[str, bytes | Path] = {
        path.relative_to(workdir).as_posix(): path
        for path in sorted(workdir.rglob("*"))
        if path.is_file()
    }
    return Layer(MODEL_DIR, files)


def build_model_image(
    store: Store,
    options: ModelImageOptions,
    engine: Engine | None = None,
    progress: ProgressCallback = ignore,
    base_default: str | None = None,
) -> ModelImageResult:
    """Build (or reuse) the serving image of the version ``options.ref`` names."""
    started = time.monotonic()
    record = registry.resolve(store, options.ref)
    check_servable(record)
    name = repository(options.prefix, record["name"])
    tags = tag_names(store, record, options.tag)
    engine = connect(engine, dry_run=False)
    assert engine is not None
    progress(
        ProgressEvent("resolve", f"the environment image of snapshot {record['snapshot'][:12]}")
    )
    env_result = build_image(
        store,
        BuildOptions(ref=record["snapshot"], base=options.base, prefix=options.prefix),
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
        extra = {
            "model": {"name": record["name"], "version": record["version"], "record": record["id"]},
            "environment_image": env_image["id"],
            "server": server.to_json(),
        }
        found = find_reusable(store, engine, store.index.images_of_model(record["id"]), inputs)
        if found is not None:
            stored, dockerfile = _reuse(store, engine, plan, *found, extra, options.push, progress)
        else:
            created = records.now()
            overlay = replace(
                overlay,
                labels=_labels(record, snapshot, env_result, options, inputs, created),
                header=(
                    f"Built by jupyter_mlver {_version.__version__}: model "
                    f"{record['name']}:{record['version']} ({record['id']})",
                    f"on environment image {plan.base} ({env_info.id})",
                ),
            )
            dockerfile = render(overlay)
            image_id, log = run_build(
                store, writer, engine, context(overlay, dockerfile), dockerfile, False, Path(tmp),
                progress,
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
                stored = store.put_record({**image, **extra})
    result = plan.result(stored, dockerfile, stored.get("unreproducible") or [])
    return ModelImageResult(result, record, env_result)


def _reuse(
    store: Store,
    engine: Engine,
    plan: Plan,
    earlier: Record,
    info: ImageInfo,
    extra: dict[str, Any],
    push_repo: str | None,
    progress: ProgressCallback,
) -> tuple[Record, str]:
    progress(
        ProgressEvent(
            "reuse",
            f"reusing {info.id[7:19]}: same environment image, server and model as image "
            f"record {earlier['id'][:12]}",
        )
    )
    with tagging(engine, info, plan.all_refs):
        image = reused_record(
            engine, plan, earlier, info, earlier.get("unreproducible") or [], push_repo, progress
        )
        stored = store.put_record({**image, **extra})
    return stored, store.objects.get_bytes(earlier["dockerfile"]).decode()
