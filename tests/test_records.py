"""Records match their JSON Schemas, and ids are the blake3 of the canonical bytes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from jupyter_mlver.core import records
from jupyter_mlver.core.capture.environment import capture_environment
from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.core.hashing import hash_bytes
from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store.store import Store


def schema(kind: str) -> dict[str, Any]:
    text = (resources.files("jupyter_mlver") / "schemas" / f"{kind}.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def validate(record: Mapping[str, Any], kind: str) -> None:
    jsonschema.validate(record, schema(kind), cls=jsonschema.Draft202012Validator)


def test_snapshot_and_environment_match_their_schemas(store: Store, project: Path) -> None:
    record = take_snapshot(
        store,
        SnapshotOptions(
            message="m", data=["data"], params={"lr": 0.1}, metrics={"acc": [0.5, 0.7]}, tags=["t1"]
        ),
    )
    validate(record, "snapshot")
    validate(store.get(record["environment"]), "environment")


def test_stored_bytes_are_canonical_and_named_by_their_hash(store: Store) -> None:
    record = take_snapshot(store, SnapshotOptions(message="ü ∑"))
    raw = store.objects.get_bytes(record["id"])
    assert hash_bytes(raw) == record["id"]
    assert b'"id"' not in raw.split(b'"schema"')[0]  # id is never part of the bytes
    body = json.loads(raw)
    assert "id" not in body
    assert (
        raw == json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    assert "ü ∑".encode() in raw  # UTF-8, not \u escapes


def test_created_is_rfc3339_utc_with_milliseconds() -> None:
    import re

    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", records.now())


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(InvalidInput, match="finite"):
        records.canonical_json({"x": float("nan")})
    with pytest.raises(InvalidInput, match="finite"):
        records.check_scalar("metric loss", float("inf"))


def test_image_and_tag_schemas_accept_well_formed_records() -> None:
    h = "a" * 64
    validate({"schema": records.TAG, "name": "v1", "snapshot": h, "created": records.now()}, "tag")
    validate(
        {
            "schema": records.IMAGE,
            "image_id": "sha256:" + "b" * 64,
            "repo_digests": [],
            "tags": ["proj:v1"],
            "base": "python:3.11.7-slim",
            "platform": "linux/amd64",
            "environment": h,
            "snapshot": h,
            "dockerfile": h,
            "lock": h,
            "build_log": h,
            "created": records.now(),
            "build_seconds": 1.5,
            "reused": False,
            "unreproducible": [],
            "wheels": [],
            "inputs": h,
        },
        "image",
    )
    with pytest.raises(jsonschema.ValidationError):
        validate({"schema": records.TAG, "name": "-bad", "snapshot": h, "created": ""}, "tag")


def test_environment_record_is_shared_by_snapshots_of_one_kernel(store: Store) -> None:
    a = take_snapshot(store, SnapshotOptions(message="a"))
    b = take_snapshot(store, SnapshotOptions(message="b"))
    assert a["environment"] == b["environment"]
    assert capture_environment()["fingerprint"] == store.get(a["environment"])["fingerprint"]
