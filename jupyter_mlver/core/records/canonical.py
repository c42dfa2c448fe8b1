"""Records as stored: canonical JSON, ids, kinds and the objects each one references.

A record is stored as an object whose bytes are its canonical JSON without ``id``;
its id is therefore its object name. ``id`` is added only when a record is shown.
The fields of each kind are its TypedDict (``snapshot.py``, ``model.py``, ...).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from ..errors import InvalidInput
from ..hashing import hash_bytes

#: A record of any kind, as read; functions that take any record take ``Mapping[str, Any]``
#: (every kind's TypedDict is one).
Record = dict[str, Any]


SNAPSHOT = "mlver.snapshot/1"
ENVIRONMENT = "mlver.environment/1"
IMAGE = "mlver.image/1"
TAG = "mlver.tag/1"
MODEL = "mlver.model/1"
ALIAS = "mlver.alias/1"
DEPLOYMENT = "mlver.deployment/1"
NUMBER = "mlver.number/1"
KINDS = {
    SNAPSHOT: "snapshot",
    ENVIRONMENT: "environment",
    IMAGE: "image",
    TAG: "tag",
    MODEL: "model",
    ALIAS: "alias",
    DEPLOYMENT: "deployment",
    NUMBER: "number",
}
#: How ``jupyter mlver run`` tells a kernel it started which run it is executing (JSON:
#: id, sweep, notebook, point, points): its snapshots carry it as their ``run`` field.
RUN_ENV = "MLVER_RUN"
#: The line the kernel prints when the runner asks it for the run's snapshot.
RUN_MARKER = "@@mlver-run@@"


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, UTF-8, no whitespace, no NaN: the same value always gives the same bytes."""
    try:
        text = json.dumps(
            obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
    except ValueError as e:
        raise InvalidInput(f"cannot store a non-finite number ({e})") from None
    return text.encode("utf-8")


def encode(record: Mapping[str, Any]) -> tuple[str, bytes]:
    body = {k: v for k, v in record.items() if k != "id"}
    data = canonical_json(body)
    return hash_bytes(data), data


def decode(oid: str, data: bytes) -> Record | None:
    """The record stored in an object, with its id, or None if the object is not a record."""
    if not data.startswith(b"{"):
        return None
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(body, dict) or body.get("schema") not in KINDS:
        return None
    return {"id": oid, **body}


def kind(record: Mapping[str, Any]) -> str:
    return KINDS[record["schema"]]


def now() -> str:
    """RFC 3339 UTC with milliseconds, e.g. ``2026-11-25T12:00:00.123Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _snapshot_references(record: Mapping[str, Any]) -> Iterator[str]:
    yield record["environment"]
    if record.get("notebook") and record["notebook"].get("hash"):
        yield record["notebook"]["hash"]
    if record.get("git") and record["git"].get("diff"):
        yield record["git"]["diff"]
    for entry in record.get("data") or []:
        # A directory's tree is needed even when its copies are not kept; the files under
        # it are found by walking it (see ``datarefs``).
        if entry.get("stored") or entry.get("kind") == "tree":
            yield entry["hash"]
    yield from (record.get("state") or {}).values()


def _image_references(record: Mapping[str, Any]) -> Iterator[str]:
    yield record["environment"]
    for field in ("snapshot", "dockerfile", "lock", "build_log"):
        if record.get(field):
            yield record[field]
    yield from record.get("wheels") or []
    # A serving image: the version it serves and the environment image it is built on.
    if record.get("model"):
        yield record["model"]["record"]
    if record.get("environment_image"):
        yield record["environment_image"]


def _model_references(record: Mapping[str, Any]) -> Iterator[str]:
    yield record["snapshot"]
    artifact = record["artifact"]
    yield artifact["hash"]
    yield from (f["hash"] for f in artifact.get("files") or [])


_REFERENCES: dict[str, Callable[[Mapping[str, Any]], Iterator[str]]] = {
    SNAPSHOT: _snapshot_references,
    IMAGE: _image_references,
    MODEL: _model_references,
    TAG: lambda record: iter([record["snapshot"]]),
    ALIAS: lambda record: iter([record["model_record"]]),
    DEPLOYMENT: lambda record: iter([record["model_record"]]),
    NUMBER: lambda record: iter([record["model_record"]]),
}


def references(record: Mapping[str, Any]) -> Iterator[str]:
    """Every object a record needs besides itself (for gc, fsck and push/pull)."""
    refs = _REFERENCES.get(record.get("schema") or "")
    return refs(record) if refs is not None else iter(())


def check_scalar(key: str, value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{key}: value must be a finite number, got {value}")
    if not isinstance(value, (str, int, float, bool)):
        raise InvalidInput(
            f"{key}: value must be a number, string or bool, got {type(value).__name__}"
        )
