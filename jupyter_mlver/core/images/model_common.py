"""What every serving image shares, whichever packages it holds: the options and result of
``model build``, the server's port, user and entry point, the model's layer, tags, labels, and
the reuse of an image built from the same inputs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from ... import _version
from .. import records
from ..engine.protocol import Engine
from ..errors import InvalidInput
from ..models import aliases as al
from ..models import registry
from ..records import ModelRecord, ServedModel, ServingFields, SnapshotRecord, Unreproducible
from ..store.objects import ObjectWriter
from ..store.store import Store
from .build import Builder, find_reusable
from .context import Context
from .dockerfile import UID, VENV
from .extras import Layer
from .lock import Lock
from .naming import _check_tag
from .overlay import CopyFrom, Overlay, Run, context, render
from .plan import BuildResult, Plan
from .prepare import Prepared
from .progress import ProgressCallback
from .runtime_layer import SERVER_ROOT
from .source import Source

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
    env: str = "model"  # model: what the model needs; snapshot: the whole environment
    no_cache: bool = False  # no reuse, no layer cache (every step built again)


@dataclass
class ModelImageResult:
    """The serving image (``build``, shaped like ``env build``'s result), the version it
    serves and the environment image it is built on."""

    build: BuildResult
    model: ModelRecord
    environment_image: BuildResult | None  # None for a model-sized image (--env model)

    def to_json(self) -> dict[str, Any]:
        env = self.environment_image
        record: Mapping[str, Any] = self.build.record or {}
        return {
            **self.build.to_json(),
            "model": {
                "name": self.model["name"],
                "version": self.model["version"],
                "id": self.model["id"],
            },
            "env": record.get("env", "snapshot"),
            "requirements": record.get("requirements") or [],
            "environment_image": None
            if env is None
            else {
                "image": env.image,
                "image_id": env.record["image_id"] if env.record else None,
                "record": env.record["id"] if env.record else None,
                "reused": env.reused,
            },
        }


def check_servable(record: ModelRecord) -> None:
    """Refuse before building what the server would refuse at start."""
    ref = f"{record['name']}:{record['version']}"
    if record["flavor"] == "file":
        raise InvalidInput(
            f"model {ref} is a plain file (flavor 'file'): the server has no loader for it",
            "register it with --flavor (sklearn, xgboost, lightgbm, torch, cloudpickle)",
        )
    signature: Mapping[str, Any] = record.get("signature") or {}
    if signature.get("format") == "tensor":
        raise InvalidInput(
            f"model {ref} takes an N-dimensional tensor",
            "the server serves models of tabular inputs (columns, or rows of numbers)",
        )


def repository(prefix: str, name: str) -> str:
    """A model name as an image repository (``a..b`` is a valid model name, not a valid
    repository component)."""
    return prefix + _SEPARATORS.sub("-", name).strip("._-")


def tag_names(store: Store, record: ModelRecord, semver: str | None) -> list[str]:
    held = [a for a, v in al.holders(store, record["name"]).items() if v == record["version"]]
    tags = [str(record["version"]), *([_check_tag(semver)] if semver else []), *sorted(held)]
    return list(dict.fromkeys(tags))


def model_ref(record: ModelRecord) -> ServedModel:
    """The version a serving image serves, as its Image record names it."""
    return {"name": record["name"], "version": record["version"], "record": record["id"]}


def _labels(
    record: ModelRecord,
    snapshot: SnapshotRecord | None,
    on: tuple[str, str],  # the image's base name, the environment's id
    options: ModelImageOptions,
    inputs: str,
    created: str,
) -> dict[str, str]:
    git = snapshot.get("git") if snapshot else None
    ref = f"{record['name']}:{record['version']}"
    labels = {
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.title": record["name"],
        "org.opencontainers.image.version": options.tag or str(record["version"]),
        "org.opencontainers.image.description": f"model {ref} ({record['flavor']}) served by "
        f"jupyter_mlver on port {PORT}: KServe v2, /invocations, /metrics",
        "org.opencontainers.image.revision": (git.get("commit") if git else None) or "",
        "org.opencontainers.image.source": (git.get("remote") if git else None) or "",
        "org.opencontainers.image.base.name": on[0],
        "io.mlver.model": record["name"],
        "io.mlver.model.version": str(record["version"]),
        "io.mlver.model.record": record["id"],
        "io.mlver.model.flavor": record["flavor"],
        "io.mlver.snapshot": (snapshot.get("id") if snapshot else None) or "",
        "io.mlver.environment": on[1],
        "io.mlver.packages": options.env,
        "io.mlver.inputs": inputs,
        "io.mlver.schema": records.IMAGE,
        "io.mlver.version": _version.__version__,
    }
    return {k: v for k, v in labels.items() if v}


def _model_layer(store: Store, record: ModelRecord, workdir: Path) -> Layer:
    registry.export(store, record, workdir)
    files: dict[str, bytes | Path] = {
        path.relative_to(workdir).as_posix(): path
        for path in sorted(workdir.rglob("*"))
        if path.is_file()
    }
    return Layer(MODEL_DIR, files)


@dataclass
class ServingRequest:
    """A ``model build`` once its version is known: the image repository and the tags it
    gets (checked before any work)."""

    options: ModelImageOptions
    model: ModelRecord
    name: str
    tags: list[str]
    started: float


def serving_request(
    store: Store, options: ModelImageOptions, record: ModelRecord, started: float
) -> ServingRequest:
    name = repository(options.prefix, record["name"])
    return ServingRequest(options, record, name, tag_names(store, record, options.tag), started)


def serving_overlay(
    store: Store,
    record: ModelRecord,
    tmp: Path,
    *,
    base: str,
    steps: tuple[Layer | Run | CopyFrom, ...],
    env: dict[str, str],
    prelude: str = "",
) -> Overlay:
    """``steps`` on ``base`` with what every serving image has: the model as the last layer,
    uid 1000, port 8080 and the server as entry point."""
    return Overlay(
        base=base,
        prelude=prelude,
        steps=steps,
        tail=(_model_layer(store, record, tmp / "model"),),
        user=f"{UID}:{UID}",
        env=env,
        expose=(PORT,),
        entrypoint=ENTRYPOINT,
    )


@dataclass
class ServingBuild:
    """A serving image ready to build: what differs between a model-sized image and one on
    the snapshot's environment image, for the steps they share."""

    source: Source
    base: str  # the image it is built on, as its record names it
    on: tuple[str, str]  # the base's name and the environment's id, for the labels
    overlay: Overlay  # without labels and header: they do not change the image's inputs
    header: tuple[str, ...]  # the Dockerfile's first comment lines
    lock: Lock  # the packages' lock, stored beside the image record
    unreproducible: list[Unreproducible]
    extra: dict[str, Any]  # what the Image record of this kind of serving image adds
    files: Callable[[Context], None] | None = None  # adds files to the build context
    notes: list[str] = field(default_factory=list)


def build_serving(
    store: Store,
    writer: ObjectWriter,
    engine: Engine,
    request: ServingRequest,
    job: ServingBuild,
    tmp: Path,
    progress: ProgressCallback,
) -> BuildResult:
    """Reuse an image of this version built from the same inputs, else build one."""
    options, model = request.options, request.model
    plan = Plan.tagged(
        job.source,
        request.name,
        request.tags,
        push=options.push,
        no_cache=options.no_cache,
        base=job.base,
        inputs=job.overlay.inputs(),
        started=request.started,
    )
    plan.notes += job.notes
    # job.extra holds the rest of ServingFields, as each kind of serving image fills it.
    extra = cast(ServingFields, {"model": model_ref(model), "env": options.env, **job.extra})
    builder = Builder(store, engine, progress)
    found = None
    if not plan.no_cache:
        built = store.index.images_of_model(model["id"])
        found = find_reusable(store, engine, built, plan.inputs)
    if found is not None:
        unreproducible = found.record.get("unreproducible") or []
        same = "environment image, server and model"
        stored = builder.reuse(plan, found, unreproducible, same=same, extra=extra)
        dockerfile = store.objects.get_bytes(found.record["dockerfile"]).decode()
    else:
        overlay = replace(
            job.overlay,
            labels=_labels(model, job.source.snapshot, job.on, options, plan.inputs, plan.created),
            header=job.header,
        )
        dockerfile = render(overlay)
        build_context = context(overlay, dockerfile)
        if job.files is not None:
            job.files(build_context)
        prepared = Prepared(build_context, dockerfile, job.lock, job.unreproducible, [])
        stored = builder.build(writer, plan, prepared, tmp, extra=extra)
    return plan.result(stored, dockerfile, stored.get("unreproducible") or [])
