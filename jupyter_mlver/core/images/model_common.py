"""What every serving image shares, whichever packages it holds: the options and result of
``model build``, the server's port, user and entry point, the model's layer, tags, labels, and
the reuse of an image built from the same inputs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import _version
from .. import records
from ..engine.protocol import Engine, ImageInfo
from ..errors import InvalidInput
from ..models import aliases as al
from ..models import registry
from ..records import ImageRecord, ModelRecord, Record, ServingFields
from ..store.store import Store
from .build import BuildResult, Plan, reused_record
from .dockerfile import VENV
from .engine_build import tagging
from .extras import Layer
from .naming import _check_tag
from .progress import ProgressCallback, ProgressEvent
from .runtime_layer import SERVER_ROOT

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


def _labels(
    record: ModelRecord,
    snapshot: Record | None,
    on: tuple[str, str],  # the image's base name, the environment's id
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
        "org.opencontainers.image.base.name": on[0],
        "io.mlver.model": record["name"],
        "io.mlver.model.version": str(record["version"]),
        "io.mlver.model.record": record["id"],
        "io.mlver.model.flavor": record["flavor"],
        "io.mlver.snapshot": (snapshot or {}).get("id") or "",
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


def serving_record(image: ImageRecord, extra: ServingFields) -> ImageRecord:
    """A serving image's record: the Image record and what serving adds."""
    return {**image, **extra}


def _reuse(
    store: Store,
    engine: Engine,
    plan: Plan,
    earlier: ImageRecord,
    info: ImageInfo,
    extra: ServingFields,
    push_repo: str | None,
    progress: ProgressCallback,
) -> tuple[ImageRecord, str]:
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
        stored = store.put_record(serving_record(image, extra))
    return stored, store.objects.get_bytes(earlier["dockerfile"]).decode()
